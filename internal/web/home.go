package web

import (
	"net/http"
)

// homeModule is the shell: the home page, the language switch, the
// operations endpoints, static files and the API's own routes (the
// OpenAPI document, the region reference data).
func (s *Server) homeModule() module {
	return module{Key: "home", Ready: true, Routes: func(rt *router) {
		rt.open("GET /{$}", s.handleHome)
		rt.open("GET /lang/{lang}", s.handleLang)
		rt.open("GET /healthz", s.handleHealthz)
		rt.open("GET /readyz", s.handleReadyz)
		rt.open("GET /metrics", s.handleMetrics)
		rt.handle("GET /static/", s.static)
		rt.open("GET /favicon.ico", s.static.file("favicon.ico"))
		rt.api("GET /api/v1/openapi.json", s.handleOpenAPI)
		rt.api("GET /api/v1/regions", s.handleAPIRegions)
	}}
}

type homeData struct {
	// Cards are the modules the viewer may open.
	Cards      []navItem
	HomeRegion string
}

// handleHome shows the landing page, or the user's start page after login.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	data := homeData{Cards: s.cardsFor(state(r).actor), HomeRegion: s.HomeRegion}
	s.render(w, r, http.StatusOK, "home", s.newPage(r, "home.title", "home", data))
}

// handleOpenAPI serves the OpenAPI 3.1 document.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openAPIDoc)
}

// handleAPIRegions lists the subdivisions of ?parent= (the provinces when
// empty). Regions are public reference data.
func (s *Server) handleAPIRegions(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	parent := q.RegionCode("parent")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	rs, err := s.Regions.Children(r.Context(), parent)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, nonNil(rs))
}
