package web

import "net/http"

// handleCultivationRules lists the shipped rule sets with their documents,
// dates, notes and the thresholds whose source is not confirmed.
func (s *Server) handleCultivationRules(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "cultivation/rules", s.newPage(r, "cultivation.rules", "cultivation", s.ruleSetViews()))
}
