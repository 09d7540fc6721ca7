package web

import (
	"net/http"

	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
)

type stateTab struct {
	State  market.State
	Name   string
	Count  int
	Active bool
}

type marketMineData struct {
	Nav   marketNav
	Tabs  []stateTab
	State market.State
	List  []listingView
	Pager pager
}

// handleMarketMine lists the actor's own listings by state.
func (s *Server) handleMarketMine(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	nav := s.marketNav(r)
	if !nav.Owner {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "market.only_owners"))
		return
	}
	f, err := s.listingFilter(r, "")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Mine = true
	counts, err := s.Market.StateCounts(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.FindListings(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	all := 0
	tabs := []stateTab{}
	for _, sta := range market.States {
		all += counts[sta]
		tabs = append(tabs, stateTab{State: sta, Name: i18n.T(st.lang, "market.state."+string(sta)), Count: counts[sta], Active: f.State == sta})
	}
	tabs = append([]stateTab{{Name: i18n.T(st.lang, "market.all_states"), Count: all, Active: f.State == ""}}, tabs...)
	data := marketMineData{Nav: nav, Tabs: tabs, State: f.State, List: s.listingViews(st.lang, list),
		Pager: newPager(r, f.Page, f.PerPage, total)}
	s.render(w, r, http.StatusOK, "market/mine", s.newPage(r, "market.mine", "market", data))
}

type marketReviewData struct {
	Nav marketNav
	// CanAct is false for administrators, who read the queue but do not review.
	CanAct bool
	Counts reviewCounts
	Kind   market.Kind
	List   []reviewRow
	Pager  pager
}

type reviewCounts struct{ Achievements, Demands, Financing, All int }

type reviewRow struct {
	listingView
	Twin *listingView
}

// handleMarketReview shows the submitted listings in the reviewer's scope,
// each with its near-duplicate twin when one was found.
func (s *Server) handleMarketReview(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	nav := s.marketNav(r)
	if !nav.Reviewer {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "market.only_staff"))
		return
	}
	q := newQuery(r)
	k := market.Kind(q.Enum("kind", string(market.Achievement), string(market.Demand), string(market.Financing)))
	f := market.Filter{Kind: k, State: market.Submitted, Page: q.PageNumber(), PerPage: 20}
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	counts, err := s.Market.ReviewCounts(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.FindListings(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	rows := make([]reviewRow, 0, len(list))
	for _, l := range list {
		row := reviewRow{listingView: s.listingView(st.lang, l)}
		if l.TwinID != 0 {
			// A twin outside the reviewer's scope stays hidden; the score
			// still tells the reviewer there is one.
			if twin, err := s.Market.GetListing(r.Context(), st.actor, l.TwinID); err == nil {
				v := s.listingView(st.lang, twin)
				row.Twin = &v
			}
		}
		rows = append(rows, row)
	}
	rc := reviewCounts{Achievements: counts[market.Achievement], Demands: counts[market.Demand], Financing: counts[market.Financing]}
	rc.All = rc.Achievements + rc.Demands + rc.Financing
	data := marketReviewData{Nav: nav, CanAct: market.IsReviewer(st.actor), Counts: rc, Kind: k, List: rows, Pager: newPager(r, f.Page, f.PerPage, total)}
	s.render(w, r, http.StatusOK, "market/review", s.newPage(r, "market.review", "market", data))
}
