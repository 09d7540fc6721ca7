package web

import (
	"net/http"

	"kechuang/internal/market"
)

type financingMatchesData struct {
	Nav   marketNav
	P     market.FinancingMatchPage
	Items []financingMatchView
	Pager pager
}

// financingMatchView is one proposed need with its amount written out.
type financingMatchView struct {
	market.Match
	AmountText string
}

// handleMarketFinancingMatches is an investor's list of the published
// financing needs that fit its preferences, with the reasons.
func (s *Server) handleMarketFinancingMatches(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	q := newQuery(r)
	pageNo := q.PageNumber()
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Market.FinancingMatches(r.Context(), st.actor, pageNo)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p.Localize(st.lang)
	data := financingMatchesData{Nav: s.marketNav(r), P: p, Pager: newPager(r, p.Page, p.PerPage, p.Total)}
	for _, m := range p.Matches {
		data.Items = append(data.Items, financingMatchView{Match: m, AmountText: formatWan(st.lang, m.Amount)})
	}
	s.render(w, r, http.StatusOK, "market/financing_matches", s.newPage(r, "market.financing_match.title", "market", data))
}

// handleAPIFinancingMatches is GET /api/v1/me/financing-matches: the
// financing needs proposed to the calling investor (?page=).
func (s *Server) handleAPIFinancingMatches(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	page := q.PageNumber()
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Market.FinancingMatches(r.Context(), actor, page)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p.Localize(state(r).lang)
	writeJSON(w, http.StatusOK, p)
}
