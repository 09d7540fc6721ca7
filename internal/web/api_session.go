package web

import (
	"net/http"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
)

type sessionRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type meResponse struct {
	ID                 int64        `json:"id"`
	Username           string       `json:"username"`
	DisplayName        string       `json:"display_name"`
	Role               account.Role `json:"role"`
	RegionCode         string       `json:"region_code,omitempty"`
	MustChangePassword bool         `json:"must_change_password"`
}

type sessionResponse struct {
	User      meResponse `json:"user"`
	CSRFToken string     `json:"csrf_token"`
	ExpiresIn int        `json:"idle_timeout_seconds"`
}

func meOf(a account.Actor) meResponse {
	return meResponse{ID: a.UserID, Username: a.Username, DisplayName: a.DisplayName, Role: a.Role,
		RegionCode: a.Region, MustChangePassword: a.MustChangePassword}
}

// handleAPISessionCreate logs in: it sets the session cookie and returns the
// CSRF token that API clients send as X-CSRF-Token on writes.
func (s *Server) handleAPISessionCreate(w http.ResponseWriter, r *http.Request) {
	var req sessionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	sess, actor, err := s.Accounts.Login(r.Context(), req.Username, req.Password, clientAddr(r), r.UserAgent())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setSessionCookie(w, r, sess)
	writeJSON(w, http.StatusCreated, sessionResponse{User: meOf(actor), CSRFToken: sess.CSRFToken,
		ExpiresIn: int(s.Accounts.IdleTimeout() / time.Second)})
}

// handleAPISessionDelete logs out.
func (s *Server) handleAPISessionDelete(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	if !st.actor.LoggedIn() {
		s.writeError(w, r, apperr.New(apperr.Unauthenticated, "session.required"))
		return
	}
	if err := s.Accounts.Logout(r.Context(), st.actor, st.session.Token); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.clearCookie(w, r, sessionCookie)
	w.WriteHeader(http.StatusNoContent)
}

// handleAPIMe tells who is logged in.
func (s *Server) handleAPIMe(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	if !st.actor.LoggedIn() {
		key := "session.required"
		if st.sessionExpired {
			key = "session.expired"
		}
		s.writeError(w, r, apperr.New(apperr.Unauthenticated, key))
		return
	}
	writeJSON(w, http.StatusOK, meOf(st.actor))
}
