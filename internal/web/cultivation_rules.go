package web

import "net/http"

type rulesData struct {
	RuleSets []ruleSetView
	// Back offers the way back to the registry to those who may open it
	// (the page itself is public).
	Back bool
}

// handleCultivationRules lists the shipped rule sets with their documents,
// dates, notes and the thresholds whose source is not confirmed.
func (s *Server) handleCultivationRules(w http.ResponseWriter, r *http.Request) {
	data := rulesData{RuleSets: s.ruleSetViews(), Back: s.Cultivation.CanViewRegistry(state(r).actor)}
	s.render(w, r, http.StatusOK, "cultivation/rules", s.newPage(r, "cultivation.rules", "cultivation", data))
}
