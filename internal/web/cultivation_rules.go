package web

import (
	"net/http"

	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
)

type rulesData struct {
	RuleSets []ruleSetView
	// Back offers the way back to the registry to those who may open it
	// (the page itself is public).
	Back bool
}

// handleCultivationRules lists the shipped rule sets with their documents,
// dates, notes and the thresholds whose source is not confirmed, in the
// reader's language.
func (s *Server) handleCultivationRules(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	data := rulesData{RuleSets: s.ruleSetViewsIn(st.lang), Back: s.Cultivation.CanViewRegistry(st.actor)}
	s.render(w, r, http.StatusOK, "cultivation/rules", s.newPage(r, "cultivation.rules", "cultivation", data))
}

// ruleSetViewsIn is ruleSetViews worded for a page in lang: the rule
// files' English in English; in Chinese the texts as written with the
// engine's identifiers replaced by plain words (PlainText). The API keeps
// the Chinese as written.
func (s *Server) ruleSetViewsIn(lang string) []ruleSetView {
	views := s.ruleSetViews()
	sets := s.Cultivation.Rules().List()
	for i := range views {
		rs := sets[i]
		v := &views[i]
		v.Name = rs.NameIn(lang)
		v.Notes, v.Unconfirmed, v.Secondary = plainList(lang, rs.NotesIn(lang)), plainList(lang, rs.UnconfirmedIn(lang)), plainList(lang, rs.SecondaryIn(lang))
		v.Documents = make([]cultivation.Document, len(rs.Documents))
		for k, d := range rs.Documents {
			d.Number, d.Title = d.NumberIn(lang), d.TitleIn(lang)
			v.Documents[k] = d
		}
	}
	return views
}

// plainList applies PlainText to Chinese texts; English ones are written
// for readers already (PlainText would turn English words such as
// "revenue" into Chinese).
func plainList(lang string, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		if lang != i18n.English {
			s = cultivation.PlainText(s)
		}
		out[i] = s
	}
	return out
}
