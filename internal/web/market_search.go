package web

import (
	"html/template"
	"net/http"
	"slices"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/federation"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
)

// searchQuery reads q, the facet filters (one parameter per facet,
// repeatable), sort and page from the URL.
func searchQuery(r *http.Request) (market.SearchQuery, error) {
	v := newQuery(r)
	q := market.SearchQuery{Text: v.Text("q"), Sort: v.Enum("sort", "newest", "price"), Filters: map[string][]string{}}
	q.Page, q.PerPage = v.Page(20, 100)
	for _, f := range market.SearchFacets {
		for _, val := range v.v[f] {
			if fe, ok := apperr.CheckText(f, val, false); !ok {
				v.errs = append(v.errs, fe)
				continue
			}
			if val = strings.TrimSpace(val); val != "" {
				q.Filters[f] = append(q.Filters[f], val)
			}
		}
	}
	if kind := q.Filters[market.FacetKind]; len(kind) > 0 && !market.Kind(kind[0]).Valid() {
		v.bad(market.FacetKind, "request.query_enum", kind[0])
	}
	return q, v.Err()
}

// handleAPISearch searches the published listings:
// {"total", "hits": [{"id", "kind", "title", "snippet", "score"}], "facets": {…}}.
func (s *Server) handleAPISearch(w http.ResponseWriter, r *http.Request) {
	q, err := searchQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
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
	// Remote are matching listings of other regions' instances
	// (federation), shown apart with their origin.
	Remote []federation.RemoteListing
	// CanInterest shows the interest form on remote listings.
	CanInterest bool
}

type searchHitView struct {
	market.SearchHit
	TitleHTML, SnippetHTML template.HTML
}

// handleMarketSearch is the full-text search page with facets.
func (s *Server) handleMarketSearch(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	q, err := searchQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res := s.Search.Search(q)
	data := searchPageData{Nav: s.marketNav(r), Query: q, Result: res, Pager: newPager(r, q.Page, q.PerPage, res.Total),
		Sorts: []string{"", "newest", "price"}}
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
			return s.regionShortName(r.Context(), value)
		case market.FacetMode:
			return ref.ModeName(value)
		case market.FacetIndustry:
			if name := ref.SectionName(value); name != "" {
				return name
			}
		case market.FacetBand:
			return s.bandName(st.lang, value)
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
			selected := slices.Contains(q.Filters[f], c.Value)
			fv.Values = append(fv.Values, facetValue{Value: c.Value, Label: label(f, c.Value), Count: c.Count, Selected: selected,
				Link: facetLink(r, f, c.Value, selected)})
		}
		if len(fv.Values) > 0 {
			data.Facets = append(data.Facets, fv)
		}
	}
	if s.Federation != nil && q.Page <= 1 {
		data.CanInterest = s.Federation.CanExpressInterest(st.actor)
		f := federation.RemoteFilter{Query: q.Text, PerPage: 10}
		if kind := q.Filters[market.FacetKind]; len(kind) > 0 {
			f.Kind = kind[0]
		}
		if data.Remote, _, err = s.Federation.FindRemote(r.Context(), st.actor, f); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "market/search", s.newPage(r, "market.search", "market", data))
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
