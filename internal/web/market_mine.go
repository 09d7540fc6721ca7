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
	f := listingFilter(r, "")
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

type reviewCounts struct{ Achievements, Demands, All int }

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
	k := market.Kind(r.URL.Query().Get("kind"))
	if !k.Valid() {
		k = ""
	}
	f := market.Filter{Kind: k, State: market.Submitted, Page: queryInt(r, "page", 1), PerPage: 20}
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
	rc := reviewCounts{Achievements: counts[market.Achievement], Demands: counts[market.Demand]}
	rc.All = rc.Achievements + rc.Demands
	data := marketReviewData{Nav: nav, CanAct: market.IsReviewer(st.actor), Counts: rc, Kind: k, List: rows, Pager: newPager(r, f.Page, f.PerPage, total)}
	s.render(w, r, http.StatusOK, "market/review", s.newPage(r, "market.review", "market", data))
}

type marketInboxData struct {
	Nav   marketNav
	Inbox market.Inbox
	Pager pager
	// MatchNotices shows the match-notice switch, NoticesOn its state.
	MatchNotices, NoticesOn bool
}

// handleMarketInbox shows the actor's notices, newest first.
func (s *Server) handleMarketInbox(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	inbox, err := s.Market.Inbox(r.Context(), st.actor, queryInt(r, "page", 1))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := marketInboxData{Nav: s.marketNav(r), Inbox: inbox, Pager: newPager(r, inbox.Page, inbox.PerPage, inbox.Total)}
	// Owners of listings are the ones match notices go to.
	if data.MatchNotices = data.Nav.Owner; data.MatchNotices {
		data.NoticesOn, _ = s.Market.MatchNoticesOn(r.Context(), st.actor) // the switch is a convenience
	}
	s.render(w, r, http.StatusOK, "market/inbox", s.newPage(r, "market.inbox", "market", data))
}

// handleMarketNoticeRead marks one notice read (or all, from the "read all"
// button) and goes to the notice's link or back to the inbox.
func (s *Server) handleMarketNoticeRead(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if err := s.Market.MarkRead(r.Context(), st.actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	redirectBack(w, r, "/market/inbox")
}
