package web

import (
	"net/http"
	"net/url"
	"slices"

	"kechuang/internal/directory"
)

type directoryHomeData struct {
	// Counts are the records of each type the viewer may see.
	Counts    []directory.Facet
	Abilities directory.Abilities
}

// handleDirectoryHome shows the directory's record types with the number
// of records the viewer may see of each, and what the viewer may add.
func (s *Server) handleDirectoryHome(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	res, err := s.Directory.Search(r.Context(), st.actor, directory.SearchFilter{Paging: directory.Paging{PerPage: 1}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ab, err := s.Directory.Abilities(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "directory/home", s.newPage(r, "directory.title", "directory",
		directoryHomeData{Counts: res.Facets, Abilities: ab}))
}

type directorySearchData struct {
	Filter  directory.SearchFilter
	Result  directory.SearchResult
	Pager   pager
	Regions []formOption
	query   url.Values
}

// With is the search's URL with one parameter set to value ("" removes
// it), on its first page: the links of the facets.
func (d directorySearchData) With(name, value string) string {
	q := url.Values{}
	for k, v := range d.query {
		if k != "page" && k != name {
			q[k] = v
		}
	}
	if value != "" {
		q.Set(name, value)
	}
	if len(q) == 0 {
		return "/directory/search"
	}
	return "/directory/search?" + q.Encode()
}

// searchFilter reads the search's query parameters.
func (s *Server) searchFilter(r *http.Request) (directory.SearchFilter, error) {
	q := newQuery(r)
	f := directory.SearchFilter{Query: q.Text("q"), Type: q.Enum("type", directory.SearchTypes...),
		Region: q.RegionCode("region"), Field: q.Text("field"), Level: q.Enum("level", s.dirLevels()...)}
	page, per := q.Page(10, 100)
	f.Paging = directory.Paging{Page: page, PerPage: per}
	return f, q.Err()
}

// dirLevels are the level codes of institutions, platforms and carriers.
func (s *Server) dirLevels() []string {
	var out []string
	for _, list := range []string{"institution_level", "platform_level", "carrier_level"} {
		for _, c := range s.dirCodes(list) {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// handleDirectorySearch searches every record type with the Chinese
// engine, with counts by type, region, field and level; the facets are
// links that narrow the search.
func (s *Server) handleDirectorySearch(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.searchFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Directory.Search(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := directorySearchData{Filter: f, Result: res, Regions: regionOptions(s.regionChoices(r)), query: r.URL.Query(),
		Pager: newPager(r, f.Page, f.PerPage, res.Total)}
	s.render(w, r, http.StatusOK, "directory/search", s.newPage(r, "directory.search", "directory", data))
}

// handleAPIDirectorySearch is GET /api/v1/directory/search.
func (s *Server) handleAPIDirectorySearch(w http.ResponseWriter, r *http.Request) {
	f, err := s.searchFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Directory.Search(r.Context(), state(r).actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
