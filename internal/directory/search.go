package directory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/region"
	"kechuang/internal/search"
)

// The record types of the directory search.
const (
	TypeInstitution = "institution"
	TypePlatform    = "platform"
	TypeExpert      = "expert"
	TypeServiceOrg  = "service_org"
	TypeCarrier     = "carrier"
	TypeFund        = "fund"
	TypeBroker      = "broker"
)

// SearchTypes lists the record types the search covers, in display order.
var SearchTypes = []string{TypeInstitution, TypePlatform, TypeExpert, TypeServiceOrg, TypeCarrier, TypeFund, TypeBroker}

// SearchFilter is one directory search.
type SearchFilter struct {
	// Query is full text in Chinese or English, ranked by the search
	// engine over names, fields, keywords and descriptions; "" lists every
	// record.
	Query  string
	Type   string // one of SearchTypes; "" searches every type
	Region string // region code: the region and everything under it
	Field  string // a high-tech domain (top level) or a discipline
	Level  string // a level code (institution, platform or carrier level)
	Paging
}

// SearchHit is one record found.
type SearchHit struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Kind is the record's type code in its own reference list
	// (institution type, platform kind, carrier kind, broker grade, …),
	// "" for experts.
	Kind       string   `json:"kind,omitempty"`
	Level      string   `json:"level,omitempty"`
	RegionCode string   `json:"region_code,omitempty"`
	Fields     []string `json:"fields,omitempty"`
	// InstitutionID is a platform's institution, whose page shows it.
	InstitutionID int64 `json:"institution_id,omitempty"`
	// Snippet is the passage with the most query terms, plain text.
	Snippet string  `json:"snippet,omitempty"`
	Score   float64 `json:"score"`
	// NameHTML and SnippetHTML mark the query terms, for pages.
	NameHTML    string `json:"-"`
	SnippetHTML string `json:"-"`
}

// Facet is the number of records of one type that match.
type Facet struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// FacetCount is one value of a facet with the number of records that
// match.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// SearchResult is one page of hits with the counts per facet. Each facet
// counts the matches under every other chosen filter, so that its values
// say what choosing them would give.
type SearchResult struct {
	Hits    []SearchHit  `json:"hits"`
	Facets  []Facet      `json:"facets"` // by type, every type
	Regions []FacetCount `json:"regions"`
	Fields  []FacetCount `json:"fields"`
	Levels  []FacetCount `json:"levels"`
	Total   int          `json:"total"`
}

// match is one record the actor may see that matches the text.
type match struct {
	hit  search.Hit
	meta docMeta
}

// Search finds the records of every type the actor may see that match
// f.Query with the Chinese engine (package search), ranked, with counts by
// type, region, field and level. Visibility is each record's own: a
// visitor's search reads only the fields an expert consented to show, so a
// withheld field neither matches nor counts. The index catches up with the
// database first, so the search sees every committed write.
func (s *Service) Search(ctx context.Context, a account.Actor, f SearchFilter) (SearchResult, error) {
	f.Paging.Normalize()
	x, err := s.index(ctx)
	if err != nil {
		return SearchResult{}, err
	}
	if _, err := x.CatchUp(ctx); err != nil {
		return SearchResult{}, fmt.Errorf("directory search: %w", err)
	}
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return SearchResult{}, err
	}
	q := search.Query{Text: strings.TrimSpace(f.Query), Limit: x.ix.Len() + 1}
	if see := seeValues(v); see != nil {
		q.Filters = map[string][]string{facetSee: see}
	}
	see := seeValues(v)
	// Without text nothing is ranked: the records are listed from the
	// metadata alone, which spares the engine building a hit per record.
	var res search.Result
	if q.Text != "" {
		res = x.ix.Search(q)
	}

	// One match per record: an expert whose full record the actor reads
	// is also found through its public profile.
	x.metaMu.RLock()
	byKey := map[string]int{}
	var all []match
	for _, h := range res.Hits {
		m, ok := x.meta[h.ID]
		if !ok {
			continue
		}
		key := docKey(m.Type, m.ID)
		if i, dup := byKey[key]; dup {
			if m.Full {
				all[i].meta = m
			}
			continue
		}
		byKey[key] = len(all)
		all = append(all, match{h, m})
	}
	// A name fragment shorter than a word (丙, 苏州纳) is no term of the
	// engine: records whose name contains the text follow the ranked ones
	// (without text, every record).
	for id, m := range x.meta {
		key := docKey(m.Type, m.ID)
		if !strings.Contains(m.Name, q.Text) || !sees(see, m.See) {
			continue
		}
		if i, dup := byKey[key]; dup {
			if m.Full {
				all[i].meta = m
			}
			continue
		}
		byKey[key] = len(all)
		all = append(all, match{search.Hit{ID: id, Title: search.Snippet{Text: m.Name}}, m})
	}
	slices.SortStableFunc(all, func(p, q match) int {
		return cmp.Or(cmp.Compare(q.hit.Score, p.hit.Score), strings.Compare(p.meta.Name, q.meta.Name), cmp.Compare(p.meta.ID, q.meta.ID))
	})
	x.metaMu.RUnlock()
	if q.Text == "" {
		order := map[string]int{}
		for i, t := range SearchTypes {
			order[t] = i
		}
		slices.SortStableFunc(all, func(p, q match) int {
			return cmp.Or(cmp.Compare(order[p.meta.Type], order[q.meta.Type]), strings.Compare(p.meta.Name, q.meta.Name),
				cmp.Compare(p.meta.ID, q.meta.ID))
		})
	}

	prefix := ""
	if f.Region != "" {
		prefix = region.Prefix(f.Region)
	}
	passes := func(m docMeta, except string) bool {
		return (except == facetType || f.Type == "" || m.Type == f.Type) &&
			(except == facetRegion || f.Region == "" || (m.Region != "" && strings.HasPrefix(m.Region, prefix))) &&
			(except == facetField || f.Field == "" || slices.Contains(m.Fields, f.Field)) &&
			(except == facetLevel || f.Level == "" || m.Level == f.Level)
	}
	types := map[string]int{}
	regions, fields, levels := map[string]int{}, map[string]int{}, map[string]int{}
	out := SearchResult{Hits: []SearchHit{}}
	for _, m := range all {
		if passes(m.meta, facetType) {
			types[m.meta.Type]++
		}
		if passes(m.meta, facetRegion) && m.meta.Region != "" {
			regions[m.meta.Region]++
		}
		if passes(m.meta, facetField) {
			for _, fv := range m.meta.Fields {
				fields[fv]++
			}
		}
		if passes(m.meta, facetLevel) && m.meta.Level != "" {
			levels[m.meta.Level]++
		}
		if !passes(m.meta, "") {
			continue
		}
		out.Total++
		if out.Total <= f.offset() || len(out.Hits) >= f.PerPage {
			continue
		}
		h := m.hit
		out.Hits = append(out.Hits, SearchHit{Type: m.meta.Type, ID: m.meta.ID, Name: m.meta.Name, Kind: m.meta.Kind,
			Level: m.meta.Level, RegionCode: m.meta.Region, Fields: m.meta.Fields, InstitutionID: m.meta.InstitutionID,
			Snippet: h.Snippet.Text, Score: h.Score, NameHTML: string(h.Title.HTML()), SnippetHTML: string(h.Snippet.HTML())})
	}
	for _, t := range SearchTypes {
		out.Facets = append(out.Facets, Facet{Type: t, Count: types[t]})
	}
	out.Regions, out.Fields, out.Levels = counted(regions), counted(fields), counted(levels)
	return out, nil
}

// sees reports whether an actor with the see values actor (nil: all) sees
// a document with the see values doc.
func sees(actor, doc []string) bool {
	if actor == nil {
		return true
	}
	for _, v := range doc {
		if slices.Contains(actor, v) {
			return true
		}
	}
	return false
}

// counted lists a facet's values, most matches first.
func counted(m map[string]int) []FacetCount {
	out := make([]FacetCount, 0, len(m))
	for v, n := range m {
		out = append(out, FacetCount{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b FacetCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	return out
}

// RegionCounts are the records of some types in one region.
type RegionCounts struct {
	Region string         `json:"region"`
	Counts map[string]int `json:"counts"` // by record type
}

// CountByRegion counts the records of types the actor may see by their
// region, for the county map: one entry per region that has any, in code
// order. An expert counts by the region its view shows.
func (s *Service) CountByRegion(ctx context.Context, a account.Actor, types ...string) ([]RegionCounts, error) {
	x, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := x.CatchUp(ctx); err != nil {
		return nil, fmt.Errorf("directory counts: %w", err)
	}
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return nil, err
	}
	see := seeValues(v)
	counts := map[string]map[string]int{}
	seen := map[string]docMeta{}
	x.metaMu.RLock()
	for _, m := range x.meta {
		if !slices.Contains(types, m.Type) || m.Region == "" || !sees(see, m.See) {
			continue
		}
		key := docKey(m.Type, m.ID)
		if old, dup := seen[key]; dup && (old.Full || !m.Full) {
			continue
		}
		seen[key] = m
	}
	x.metaMu.RUnlock()
	for _, m := range seen {
		if counts[m.Region] == nil {
			counts[m.Region] = map[string]int{}
		}
		counts[m.Region][m.Type]++
	}
	out := make([]RegionCounts, 0, len(counts))
	for r, c := range counts {
		out = append(out, RegionCounts{Region: r, Counts: c})
	}
	slices.SortFunc(out, func(a, b RegionCounts) int { return strings.Compare(a.Region, b.Region) })
	return out, nil
}
