package web

import (
	"context"
	"net/http"
	"sync"
)

// handleHome shows the landing page, or the user's start page after login.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	data := struct {
		Modules    []module
		HomeRegion string
	}{Modules: modules, HomeRegion: s.HomeRegion}
	s.render(w, r, http.StatusOK, "home", s.newPage(r, "home.title", "home", data))
}

var regionLabels sync.Map // code → full name; regions never change while running

func (s *Server) regionLabel(code string) string {
	if v, ok := regionLabels.Load(code); ok {
		return v.(string)
	}
	name := s.Regions.FullName(context.Background(), code)
	regionLabels.Store(code, name)
	return name
}
