package web

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"kechuang/internal/directory"
	"kechuang/internal/i18n"
	"kechuang/internal/region"
)

type directoryHomeData struct {
	// Counts are the records of each type the viewer may see.
	Counts    []directory.Facet
	Abilities directory.Abilities
	Map       countyMap
}

// countyMap is the home city's counties with the institutions, platforms
// and carriers the viewer may see in each: an ECharts map where the city's
// outlines are vendored (static/vendor/maps/<code>.json), and always a
// table, which is also what screen readers read.
type countyMap struct {
	Rows []countyRow
	// Src is the URL of the outlines and Option the chart's option; both
	// empty when the home region has no vendored outlines.
	Src, Name, Option string
}

type countyRow struct {
	Code, Name                        string
	Institutions, Platforms, Carriers int
}

// mapTypes are the record types the county map counts.
var mapTypes = []string{directory.TypeInstitution, directory.TypePlatform, directory.TypeCarrier}

// countyMap counts the viewer's records by county of the home city.
func (s *Server) countyMap(r *http.Request) (countyMap, error) {
	var m countyMap
	if s.HomeRegion == "" || region.LevelOf(s.HomeRegion) != region.City {
		return m, nil
	}
	kids, err := s.Regions.Children(r.Context(), s.HomeRegion)
	if err != nil {
		return m, err
	}
	counts, err := s.Directory.CountByRegion(r.Context(), state(r).actor, mapTypes...)
	if err != nil {
		return m, err
	}
	byRegion := map[string]map[string]int{}
	for _, c := range counts {
		byRegion[c.Region] = c.Counts
	}
	lang := state(r).lang
	var data []any
	most := 0
	for _, k := range kids {
		c := byRegion[k.Code]
		row := countyRow{Code: k.Code, Name: k.Name, Institutions: c[directory.TypeInstitution],
			Platforms: c[directory.TypePlatform], Carriers: c[directory.TypeCarrier]}
		m.Rows = append(m.Rows, row)
		total := row.Institutions + row.Platforms + row.Carriers
		most = max(most, total)
		tip := html.EscapeString(k.Name) + "<br>" +
			i18n.T(lang, "directory.type.institution") + " " + strconv.Itoa(row.Institutions) + "<br>" +
			i18n.T(lang, "directory.type.platform") + " " + strconv.Itoa(row.Platforms) + "<br>" +
			i18n.T(lang, "directory.type.carrier") + " " + strconv.Itoa(row.Carriers)
		data = append(data, map[string]any{"name": k.Name, "value": total, "link": "/directory/search?region=" + k.Code,
			"tooltip": map[string]any{"formatter": tip}})
	}
	file := "vendor/maps/" + s.HomeRegion + ".json"
	if !s.static.has(file) {
		return m, nil
	}
	m.Src, m.Name = s.static.url(file), "city-"+s.HomeRegion
	b, err := json.Marshal(map[string]any{
		"tooltip": map[string]any{"trigger": "item"},
		"visualMap": map[string]any{"min": 0, "max": max(most, 1), "left": "left", "bottom": 10, "calculable": true,
			"text":    []string{i18n.T(lang, "directory.map_more"), i18n.T(lang, "directory.map_fewer")},
			"inRange": map[string]any{"color": []string{"#e8f0fa", "#1d5fa8"}}},
		"series": []any{map[string]any{"type": "map", "map": m.Name, "roam": false, "selectedMode": false,
			"label":    map[string]any{"show": true, "fontSize": 11},
			"emphasis": map[string]any{"label": map[string]any{"show": true}},
			"data":     data}},
	})
	if err != nil {
		return m, err
	}
	m.Option = string(b)
	return m, nil
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
	m, err := s.countyMap(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "directory/home", s.newPage(r, "directory.title", "directory",
		directoryHomeData{Counts: res.Facets, Abilities: ab, Map: m}))
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
