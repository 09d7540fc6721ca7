package web

import (
	"html/template"
	"math"
	"net/http"
	"strconv"
	"time"

	"kechuang/internal/i18n"

	"kechuang/internal/workbench"
)

// homeModule is the shell: the home page, the language switch, the
// operations endpoints, static files and the API's own routes (the
// OpenAPI document, the region reference data).
func (s *Server) homeModule() module {
	return module{Key: "home", Ready: true, Funcs: workbenchFuncs(), Routes: func(rt *router) {
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
	// Workbench is the to-dos and key figures of bureau and county staff,
	// shown instead of the cards; nil for everyone else.
	Workbench *workbench.Home
}

// handleHome shows the landing page, or the user's start page after login:
// the workbench for bureau and county staff.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	actor := state(r).actor
	data := homeData{Cards: s.cardsFor(actor), HomeRegion: s.HomeRegion}
	if s.Workbench != nil && s.Workbench.CanView(actor) {
		h, err := s.Workbench.Home(r.Context(), actor)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		data.Workbench = &h
	}
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

// workbenchFuncs are the template functions of the workbench on the home
// page.
func workbenchFuncs() template.FuncMap {
	return template.FuncMap{
		"todoText": func(lang string, t workbench.Todo) string { return i18n.T(lang, t.Key, t.Args...) },
		// waited says how long the oldest item has waited, in days or hours.
		"waited": func(lang string, d time.Duration) string {
			if d >= 24*time.Hour {
				return i18n.T(lang, "workbench.waited_days", int(d/(24*time.Hour)))
			}
			return i18n.T(lang, "workbench.waited_hours", int(math.Max(1, d.Hours())))
		},
		"figName": func(lang string, f workbench.Figure) string {
			if lang == i18n.English {
				return f.NameEN
			}
			return f.Name
		},
		"figUnit": func(lang string, f workbench.Figure) string {
			if lang == i18n.English {
				return f.UnitEN
			}
			return f.Unit
		},
		"figValue": func(v *float64) string {
			if v == nil {
				return "—"
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		},
		// change shows a change in percent with its sign, "—" without one.
		"change": func(v *float64) string {
			if v == nil {
				return "—"
			}
			s := strconv.FormatFloat(*v, 'f', 1, 64) + "%"
			if *v > 0 {
				s = "+" + s
			}
			return s
		},
		"changeClass": func(v *float64) string {
			switch {
			case v == nil || *v == 0:
				return ""
			case *v > 0:
				return "up"
			}
			return "down"
		},
	}
}
