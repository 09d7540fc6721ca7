package market

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/search"
	"kechuang/internal/sheet"
)

// MaxExportRows bounds a search export: the first MaxExportRows matches,
// in the search's order.
const MaxExportRows = 10_000

// ExportSearch writes every match of q (up to MaxExportRows, whatever
// q.Page and q.PerPage say) as .xlsx to w: a sheet 检索结果 with one row
// per listing (编号, 类型, 标题, 技术领域, 所属区县, 技术就绪水平, 交易方式,
// 报价/预算, 发布日期, 链接) and a sheet 统计 with the facet counts over all
// matches. baseURL ("https://host") prefixes the links. Only published
// listings are indexed, so the file is the same for every caller; text
// that looks like a formula is neutralised (sheet.WriteXLSX). It returns
// the number of matches and of rows written.
func (x *Indexer) ExportSearch(ctx context.Context, q SearchQuery, baseURL string, w io.Writer) (total, written int, err error) {
	sort := ""
	switch q.Sort {
	case "newest":
		sort = "-published"
	case "price":
		sort = "price"
	}
	res := x.ix.Search(search.Query{Text: strings.TrimSpace(q.Text), Filters: q.Filters, Facets: SearchFacets, Sort: sort,
		Limit: MaxExportRows})
	ids := make([]int64, 0, len(res.Hits))
	for _, h := range res.Hits {
		id, err := strconv.ParseInt(h.ID, 10, 64)
		if err == nil {
			ids = append(ids, id)
		}
	}
	now := x.svc.now()
	byID, err := listingsByID(ctx, x.svc.db, ids, now)
	if err != nil {
		return 0, 0, err
	}
	codes := map[string]bool{}
	for _, l := range byID {
		codes[l.RegionCode] = true
	}
	for _, c := range res.Facets[FacetRegion] {
		codes[c.Value] = true
	}
	names, err := x.svc.regionNames(ctx, codes)
	if err != nil {
		return 0, 0, err
	}
	ref := x.svc.ref
	rows := make([][]any, 0, len(ids))
	for _, id := range ids {
		l, ok := byID[id]
		// The index may lag the database by a moment: a listing withdrawn
		// since it was indexed is left out.
		if !ok || l.State != Published {
			continue
		}
		modes := make([]string, len(l.Modes))
		for i, m := range l.Modes {
			modes[i] = ref.ModeName(m)
		}
		price := ref.BandName(l.Band)
		if l.Kind == Achievement && l.Price != nil {
			price = strconv.FormatFloat(*l.Price, 'f', -1, 64) + " 万元"
		}
		var trl any
		if l.TRL > 0 {
			trl = l.TRL
		}
		var published any
		if !l.PublishedAt.IsZero() {
			// A date cell, in the server's time zone.
			y, m, d := l.PublishedAt.In(now.Location()).Date()
			published = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}
		rows = append(rows, []any{l.ID, kindName(l.Kind), l.Title, l.Domain, names[l.RegionCode], trl, strings.Join(modes, "、"),
			price, published, baseURL + Link(l.ID)})
	}
	stats := [][]any{{"匹配总数", "", res.Total}}
	facetName := map[string]string{FacetKind: "类型", FacetDomain: "技术领域", FacetRegion: "所属区县", FacetTRL: "技术就绪水平",
		FacetMode: "交易方式", FacetBand: "价格/预算区间", FacetOwner: "发布方"}
	ownerName := map[string]string{"enterprise": "企业", "institution": "高校院所"}
	for _, f := range SearchFacets {
		for _, c := range res.Facets[f] {
			label := c.Value
			switch f {
			case FacetKind:
				label = kindName(Kind(c.Value))
			case FacetRegion:
				label = names[c.Value]
			case FacetMode:
				label = ref.ModeName(c.Value)
			case FacetBand:
				label = ref.BandName(c.Value)
			case FacetTRL:
				if b, ok := ref.TRLBand(c.Value); ok {
					label = b.Name
				}
			case FacetOwner:
				if n, ok := ownerName[c.Value]; ok {
					label = n
				}
			}
			stats = append(stats, []any{facetName[f], label, c.Count})
		}
	}
	err = sheet.WriteXLSX(w,
		sheet.Sheet{Name: "检索结果", Header: []string{"编号", "类型", "标题", "技术领域", "所属区县", "技术就绪水平", "交易方式", "报价/预算", "发布日期", "链接"},
			Rows: rows, ColWidths: []float64{8, 10, 48, 28, 12, 12, 24, 16, 12, 40}},
		sheet.Sheet{Name: "统计", Header: []string{"维度", "取值", "数量"}, Rows: stats, ColWidths: []float64{16, 32, 10}})
	if err != nil {
		return 0, 0, fmt.Errorf("export search: %w", err)
	}
	return res.Total, len(rows), nil
}

// regionNames maps region codes to their names.
func (s *Service) regionNames(ctx context.Context, codes map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	if len(codes) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(codes))
	for c := range codes {
		args = append(args, c)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT code, name FROM regions WHERE code IN (?"+strings.Repeat(", ?", len(args)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("region names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, err
		}
		out[code] = name
	}
	return out, rows.Err()
}
