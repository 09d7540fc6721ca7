package web

import (
	"net/http"

	"kechuang/internal/account"
)

type sessionsData struct {
	Sessions []account.SessionInfo
	Ended    bool
}

// handleAccountSessions lists the user's own sessions, each with a button
// that ends it.
func (s *Server) handleAccountSessions(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	list, err := s.Accounts.FindSessions(r.Context(), st.actor, st.session.Token)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := sessionsData{Sessions: list, Ended: r.URL.Query().Get("ended") == "1"}
	s.render(w, r, http.StatusOK, "account/sessions", s.newPage(r, "sessions.title", "account", data))
}

// handleAccountSessionEnd ends one of the user's sessions; ending the
// current one is logging out.
func (s *Server) handleAccountSessionEnd(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	if err := s.Accounts.EndSession(r.Context(), st.actor, r.PathValue("sid")); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/sessions?ended=1", http.StatusSeeOther)
}

// handleAPIMySessions lists the caller's sessions.
func (s *Server) handleAPIMySessions(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	list, err := s.Accounts.FindSessions(r.Context(), actor, state(r).session.Token)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
}

// handleAPIMySessionEnd ends one of the caller's sessions.
func (s *Server) handleAPIMySessionEnd(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	if err := s.Accounts.EndSession(r.Context(), actor, r.PathValue("sid")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAPIUserSessionsEnd ends every session of a user (security
// administrator).
func (s *Server) handleAPIUserSessionsEnd(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	n, err := s.Accounts.EndUserSessions(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"ended": n})
}
