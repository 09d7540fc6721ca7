package web

import (
	"net/http"

	"kechuang/internal/market"
	"kechuang/internal/notice"
)

// noticeModule is the inbox (站内信), a page of every logged-in user
// whatever the role, and its API. It has no nav entry: the header links it.
func (s *Server) noticeModule() module {
	return module{Key: "inbox", Order: 2, Ready: true, Routes: func(rt *router) {
		rt.signedIn("GET /inbox", s.handleInbox)
		rt.signedIn("POST /inbox/read", s.handleInboxReadAll)
		rt.signedIn("POST /inbox/{id}/read", s.handleInboxRead)
		// The inbox was a market page; old links and forms still work.
		rt.open("GET /market/inbox", s.handleMarketInboxMoved)
		rt.signedIn("POST /market/inbox/read", s.handleInboxReadAll)
		rt.signedIn("POST /market/inbox/{id}/read", s.handleInboxRead)
		rt.api("GET /api/v1/notices", s.handleAPINotices)
		rt.api("POST /api/v1/notices/{id}/read", s.handleAPINoticeRead)
	}}
}

type inboxData struct {
	Inbox notice.Inbox
	Pager pager
	// MatchNotices shows the match-notice switch, NoticesOn its state.
	MatchNotices, NoticesOn bool
}

// inboxFilter reads the paging of an inbox request.
func inboxFilter(r *http.Request) (notice.Filter, error) {
	q := newQuery(r)
	var f notice.Filter
	f.Page, f.PerPage = q.Page(0, 100) // 0: the inbox's own default
	return f, q.Err()
}

// handleInbox shows the actor's notices, newest first, in the reader's
// language.
func (s *Server) handleInbox(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := inboxFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	inbox, err := s.Notices.Inbox(r.Context(), st.actor, st.lang, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := inboxData{Inbox: inbox, Pager: newPager(r, inbox.Page, inbox.PerPage, inbox.Total)}
	// Owners of listings are the ones match notices go to; the switch
	// sits where those notices arrive.
	if data.MatchNotices = market.CanOwn(st.actor, market.Achievement) || market.CanOwn(st.actor, market.Demand); data.MatchNotices {
		data.NoticesOn, _ = s.Market.MatchNoticesOn(r.Context(), st.actor) // the switch is a convenience
	}
	s.render(w, r, http.StatusOK, "notice/inbox", s.newPage(r, "notice.inbox", "", data))
}

// handleInboxRead marks one notice read and goes on to what it is about,
// or back to the inbox when it links nowhere.
func (s *Server) handleInboxRead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	link, err := s.Notices.MarkRead(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if link == "" {
		link = "/inbox"
	}
	http.Redirect(w, r, safeNext(link), http.StatusSeeOther)
}

// handleInboxReadAll marks all the actor's notices read.
func (s *Server) handleInboxReadAll(w http.ResponseWriter, r *http.Request) {
	if err := s.Notices.MarkAllRead(r.Context(), state(r).actor); err != nil {
		s.writeError(w, r, err)
		return
	}
	redirectBack(w, r, "/inbox")
}

// handleMarketInboxMoved sends the old market inbox address, with its
// page, to /inbox.
func (s *Server) handleMarketInboxMoved(w http.ResponseWriter, r *http.Request) {
	to := "/inbox"
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, to, http.StatusMovedPermanently)
}

// handleAPINotices returns a page of the caller's notices, rendered in the
// request's language, with the unread count.
func (s *Server) handleAPINotices(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := inboxFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	inbox, err := s.Notices.Inbox(r.Context(), actor, state(r).lang, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, inbox)
}

// handleAPINoticeRead marks one of the caller's notices read.
func (s *Server) handleAPINoticeRead(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	if _, err := s.Notices.MarkRead(r.Context(), actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
