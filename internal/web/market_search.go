package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
	"sync"

	"kechuang/internal/i18n"
	"kechuang/internal/market"
)

// searchQuery reads q, the facet filters (one parameter per facet,
// repeatable), sort and page from the URL.
func searchQuery(r *http.Request) market.SearchQuery {
	v := r.URL.Query()
	q := market.SearchQuery{Text: v.Get("q"), Sort: v.Get("sort"), Page: queryInt(r, "page", 1), PerPage: queryInt(r, "per_page", 20),
		Filters: map[string][]string{}}
	for _, f := range market.SearchFacets {
		for _, val := range v[f] {
			if val = strings.TrimSpace(val); val != "" {
				q.Filters[f] = append(q.Filters[f], val)
			}
		}
	}
	return q
}

// handleAPISearch searches the published listings:
// {"total", "hits": [{"id", "kind", "title", "snippet", "score"}], "facets": {…}}.
func (s *Server) handleAPISearch(w http.ResponseWriter, r *http.Request) {
	q := searchQuery(r)
	if kind := r.URL.Query().Get("kind"); kind != "" {
		q.Filters[market.FacetKind] = []string{kind}
	}
	writeJSON(w, http.StatusOK, s.Search.Search(q))
}

type facetView struct {
	Name   string
	Values []facetValue
}

type facetValue struct {
	Value, Label string
	Count        int
	Selected     bool
	Link         string
}

type searchPageData struct {
	Nav    marketNav
	Query  market.SearchQuery
	Result market.SearchResult
	Hits   []searchHitView
	Facets []facetView
	Pager  pager
	Sorts  []string
}

type searchHitView struct {
	market.SearchHit
	TitleHTML, SnippetHTML template.HTML
}

// handleMarketSearch is the full-text search page with facets.
func (s *Server) handleMarketSearch(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	q := searchQuery(r)
	res := s.Search.Search(q)
	data := searchPageData{Nav: s.marketNav(r), Query: q, Result: res, Pager: newPager(r, q.Page, max(q.PerPage, 1), res.Total),
		Sorts: []string{"", "newest", "price"}}
	if q.PerPage <= 0 || q.PerPage > 100 {
		data.Pager.PerPage = 20
	}
	for _, h := range res.Hits {
		// The index escapes the text and adds only <mark> around query terms.
		data.Hits = append(data.Hits, searchHitView{SearchHit: h, TitleHTML: template.HTML(h.TitleHTML), SnippetHTML: template.HTML(h.SnippetHTML)})
	}
	ref := s.Market.Reference()
	label := func(facet, value string) string {
		switch facet {
		case market.FacetKind:
			return i18n.T(st.lang, "market.kind."+value)
		case market.FacetRegion:
			return s.regionShortName(r, value)
		case market.FacetMode:
			return ref.ModeName(value)
		case market.FacetIndustry:
			if name := ref.SectionName(value); name != "" {
				return name
			}
		case market.FacetBand:
			return ref.BandName(value)
		case market.FacetTRL:
			if b, ok := ref.TRLBand(value); ok {
				return b.Name
			}
		case market.FacetOwner:
			return i18n.T(st.lang, "role."+value)
		}
		return value
	}
	for _, f := range market.SearchFacets {
		fv := facetView{Name: f}
		for _, c := range res.Facets[f] {
			selected := contains(q.Filters[f], c.Value)
			fv.Values = append(fv.Values, facetValue{Value: c.Value, Label: label(f, c.Value), Count: c.Count, Selected: selected,
				Link: facetLink(r, f, c.Value, selected)})
		}
		if len(fv.Values) > 0 {
			data.Facets = append(data.Facets, fv)
		}
	}
	s.render(w, r, http.StatusOK, "market_search", s.newPage(r, "market.search", "market", data))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// facetLink toggles one facet value in the current query and goes back to
// the first page.
func facetLink(r *http.Request, facet, value string, selected bool) string {
	v := r.URL.Query()
	v.Del("page")
	vals := v[facet]
	v.Del(facet)
	for _, x := range vals {
		if x != value {
			v.Add(facet, x)
		}
	}
	if !selected {
		v.Add(facet, value)
	}
	return "/market/search?" + v.Encode()
}

var regionShortNames sync.Map // code → name; regions never change while running

// regionShortName is the region's own name ("昆山市"), for facet labels.
func (s *Server) regionShortName(r *http.Request, code string) string {
	if v, ok := regionShortNames.Load(code); ok {
		return v.(string)
	}
	name := code
	if reg, err := s.Regions.Get(r.Context(), code); err == nil {
		name = reg.Name
	}
	regionShortNames.Store(code, name)
	return name
}

// handleMarketSearchExport sends every match of a search (the parameters
// of /market/search; up to market.MaxExportRows rows, not only one page)
// and the facet counts as .xlsx, for logged-in users (a 10,000-row file
// is too costly to offer to anonymous crawlers).
func (s *Server) handleMarketSearchExport(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	var buf bytes.Buffer
	if _, _, err := s.Search.ExportSearch(r.Context(), searchQuery(r), scheme+"://"+r.Host, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "科技大市场检索结果.xlsx", buf.Bytes())
}
