package web

import (
	"math"
	"net/http"

	"kechuang/internal/market"
	"kechuang/internal/search"
)

// suggestView is a market.Suggestion with the probabilities as whole
// percentages, for the suggestion box.
type suggestView struct {
	market.Suggestion
	DomainPct   int
	Disciplines []disciplineView
}

type disciplineView struct {
	Name string
	Pct  int
}

func suggestPct(p float64) int { return int(math.Round(100 * p)) }

func newSuggestView(s market.Suggestion) suggestView {
	v := suggestView{Suggestion: s}
	if s.Domain != nil {
		v.DomainPct = suggestPct(s.Domain.P)
	}
	for _, d := range s.Disciplines {
		v.Disciplines = append(v.Disciplines, disciplineView{Name: d.Name, Pct: suggestPct(d.P)})
	}
	return v
}

// suggest asks the index, which is absent only in servers built without
// search.
func (s *Server) suggest(title, text string, typed []string) market.Suggestion {
	if s.Search == nil {
		return market.Suggestion{Disciplines: []search.Label{}, Keywords: []string{}}
	}
	return s.Search.Suggest(title, text, typed...)
}

// handleMarketSuggest renders the suggestion box of the listing form from
// its title, summary, expected results and keywords (htmx, as the owner
// types). It stores nothing.
func (s *Server) handleMarketSuggest(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	_ = r.ParseForm()
	f := r.PostForm
	sg := s.suggest(f.Get("title"), f.Get("summary")+"\n"+f.Get("expected"), splitList(f.Get("keywords")))
	s.renderBlock(w, r, "market/suggest", "suggestions", page{Lang: st.lang, Actor: st.actor, CSRF: st.csrf, Data: newSuggestView(sg)})
}

// suggestRequest is the body of POST /api/v1/suggest.
type suggestRequest struct {
	Title    string   `json:"title"`
	Text     string   `json:"text"`
	Keywords []string `json:"keywords"`
}

// handleAPISuggest answers {"domain": {"name", "sub", "p"} or null,
// "disciplines": [{"name", "p"}], "keywords": […]} for a listing's title and
// text; keywords already chosen are not proposed again.
func (s *Server) handleAPISuggest(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiActor(w, r); !ok {
		return
	}
	var req suggestRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.suggest(req.Title, req.Text, req.Keywords))
}
