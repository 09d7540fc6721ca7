package indicator

import (
	"context"
	"io"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/sheet"
)

// Column is one value column of an assembled report: a county, the city
// total, or a period.
type Column struct {
	Key   string `json:"key"` // region code or period code; "growth" for the year-on-year change
	Label string `json:"label"`
}

// ReportRow is one catalogue indicator of a report with its cells, one per
// column (nil: not known for the period, or not entered yet).
type ReportRow struct {
	Code     string     `json:"code"`
	Name     string     `json:"name"`
	NameEN   string     `json:"name_en"`
	Unit     string     `json:"unit"`
	UnitEN   string     `json:"unit_en"`
	Source   Source     `json:"source"`
	Decimals int        `json:"decimals"`
	Cells    []*float64 `json:"cells"`
}

// Report is a report assembled from the catalogue: never typed.
type Report struct {
	Template    string      `json:"template"`
	Form        string      `json:"form"`
	Name        string      `json:"name"`
	NameEN      string      `json:"name_en"`
	Period      string      `json:"period"`
	PeriodLabel string      `json:"period_label"`
	Title       string      `json:"title"`
	Unit        string      `json:"unit"` // 填报单位
	Date        string      `json:"date"` // 填报日期
	Columns     []Column    `json:"columns"`
	Rows        []ReportRow `json:"rows"`
}

// Report assembles template id for period p (whose frequency must be the
// template's) in the actor's reach: a county layout has a column per
// county (a county user: its own) and the city total; a period layout has
// the period and the two before it, then the change on a year before, for
// scope ("" is the city; a county user's scope is its county).
func (s *Service) Report(ctx context.Context, a account.Actor, id string, p Period, scope string) (Report, error) {
	if !s.CanViewIndicators(a) {
		return Report{}, apperr.New(apperr.Forbidden, "indicator.only_staff")
	}
	t, ok := s.cat.Template(id)
	if !ok {
		return Report{}, apperr.New(apperr.NotFound, "indicator.template_not_found")
	}
	if p.Freq != t.Frequency {
		return Report{}, apperr.Fields(apperr.Field("period", "indicator.period_frequency"))
	}
	home, homeName := s.homeName(ctx)
	rep := Report{Template: t.ID, Form: t.Form, Name: t.Name, NameEN: t.NameEN, Period: p.String(), PeriodLabel: p.Label(), Date: s.Today()}
	rep.Unit = homeName
	if a.Role == account.RoleCounty {
		if r, err := s.county(ctx, a, a.Region); err == nil {
			rep.Unit = r.Name
		}
	}
	var inds []Indicator
	for _, code := range t.Rows {
		ind, _ := s.cat.Get(code)
		inds = append(inds, ind)
	}
	row := func(ind Indicator) ReportRow {
		return ReportRow{Code: ind.Code, Name: ind.Name, NameEN: ind.NameEN, Unit: ind.Unit, UnitEN: ind.UnitEN, Source: ind.Source, Decimals: ind.Decimals}
	}
	switch t.Layout {
	case "counties":
		all, err := s.homeCounties(ctx)
		if err != nil {
			return rep, err
		}
		mine, err := s.counties(ctx, a)
		if err != nil {
			return rep, err
		}
		g, err := s.values(ctx, inds, p, regionCodes(all))
		if err != nil {
			return rep, err
		}
		for _, r := range mine {
			rep.Columns = append(rep.Columns, Column{Key: r.Code, Label: r.Name})
		}
		rep.Columns = append(rep.Columns, Column{Key: home, Label: homeName + "合计"})
		for _, ind := range inds {
			rr := row(ind)
			for _, r := range mine {
				rr.Cells = append(rr.Cells, round(g[ind.Code][r.Code], ind.Decimals))
			}
			rr.Cells = append(rr.Cells, round(g.city(ind.Code, regionCodes(all)), ind.Decimals))
			rep.Rows = append(rep.Rows, rr)
		}
		rep.Title = homeName + p.Label() + t.Name
	case "periods":
		counties, name, err := s.scopeCounties(ctx, a, scope)
		if err != nil {
			return rep, err
		}
		periods := []Period{p.YearAgo().YearAgo(), p.YearAgo(), p}
		var grids []grid
		for _, q := range periods {
			g, err := s.values(ctx, inds, q, counties)
			if err != nil {
				return rep, err
			}
			grids = append(grids, g)
			rep.Columns = append(rep.Columns, Column{Key: q.String(), Label: q.Label()})
		}
		rep.Columns = append(rep.Columns, Column{Key: "growth", Label: "同比增长（%）"})
		for _, ind := range inds {
			rr := row(ind)
			for _, g := range grids {
				rr.Cells = append(rr.Cells, round(g.city(ind.Code, counties), ind.Decimals))
			}
			rr.Cells = append(rr.Cells, round(growth(rr.Cells[1], rr.Cells[2]), 1))
			rep.Rows = append(rep.Rows, rr)
		}
		rep.Title = name + p.Label() + t.Name
		rep.Unit = name
	}
	return rep, nil
}

// scopeCounties resolves a report's scope to its counties and name: the
// city ("" or the home region; a county user always gets its county), or
// one county in the actor's reach.
func (s *Service) scopeCounties(ctx context.Context, a account.Actor, scope string) ([]string, string, error) {
	home, homeName := s.homeName(ctx)
	if a.Role == account.RoleCounty && scope == "" {
		scope = a.Region
	}
	if scope == "" || scope == home {
		all, err := s.homeCounties(ctx)
		return regionCodes(all), homeName, err
	}
	r, err := s.county(ctx, a, scope)
	if err != nil {
		return nil, "", err
	}
	return []string{r.Code}, r.Name, nil
}

// growth is the change from prev to cur in percent; nil without both or
// when prev is zero.
func growth(prev, cur *float64) *float64 {
	if prev == nil || cur == nil || *prev == 0 {
		return nil
	}
	g := (*cur/(*prev) - 1) * 100
	return &g
}

// WriteReportXLSX writes rep in the official layout: the title row, the
// form number, 填报单位, 报告期 and 填报日期, the header (指标名称, 计量
// 单位, the columns), a row per indicator, then the signature line
// (单位负责人, 统计负责人, 填表人, 报出日期).
func WriteReportXLSX(w io.Writer, rep Report) error {
	header := []string{"序号", "指标名称", "计量单位"}
	widths := []float64{6, 30, 10}
	for _, c := range rep.Columns {
		header = append(header, c.Label)
		widths = append(widths, 14)
	}
	var rows [][]any
	for i, r := range rep.Rows {
		cells := []any{i + 1, r.Name, r.Unit}
		for _, v := range r.Cells {
			if v == nil {
				cells = append(cells, "—")
			} else {
				cells = append(cells, *v)
			}
		}
		rows = append(rows, cells)
	}
	rows = append(rows, []any{}, SignatureLine(len(header)))
	preface := [][]any{
		{"表号：" + rep.Form, "", "", "报告期：" + rep.PeriodLabel},
		{"填报单位：" + rep.Unit, "", "", "填报日期：" + rep.Date},
	}
	name := rep.Form
	if name == "" {
		name = "报表"
	}
	return sheet.WriteXLSX(w, sheet.Sheet{Name: name, Title: rep.Title, Preface: preface, Header: header, Rows: rows, ColWidths: widths})
}

// SignatureLine is the last row of a report form, spread over n columns.
func SignatureLine(n int) []any {
	labels := []string{"单位负责人：", "统计负责人：", "填表人：", "报出日期："}
	row := make([]any, max(n, 2*len(labels)))
	for i := range row {
		row[i] = ""
	}
	step := max(len(row)/len(labels), 1)
	for i, l := range labels {
		row[i*step] = l
	}
	return row
}
