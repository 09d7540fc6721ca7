package web

import (
	"errors"
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
	// MustEnrolMFA: the role needs a second factor and the user has none;
	// until one is enrolled (POST /api/v1/me/mfa) other calls answer 403.
	MustEnrolMFA bool `json:"must_enrol_mfa,omitempty"`
}

type sessionResponse struct {
	User      meResponse `json:"user"`
	CSRFToken string     `json:"csrf_token"`
	ExpiresIn int        `json:"idle_timeout_seconds"`
}

func meOf(a account.Actor) meResponse {
	return meResponse{ID: a.UserID, Username: a.Username, DisplayName: a.DisplayName, Role: a.Role,
		RegionCode: a.Region, MustChangePassword: a.MustChangePassword, MustEnrolMFA: a.MustEnrolMFA}
}

// secondFactorResponse answers a right password on an account with a
// second factor: the login finishes at POST /api/v1/session/mfa.
type secondFactorResponse struct {
	MFARequired bool   `json:"mfa_required"`
	Challenge   string `json:"challenge"`
	ExpiresIn   int    `json:"expires_in_seconds"`
}

type sessionMFARequest struct {
	Challenge string `json:"challenge"`
	Code      string `json:"code"`
}

// handleAPISessionMFA finishes a login with the second factor's code (or a
// recovery code) and the challenge the password step returned.
func (s *Server) handleAPISessionMFA(w http.ResponseWriter, r *http.Request) {
	var req sessionMFARequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	sess, actor, err := s.Accounts.LoginSecondFactor(r.Context(), req.Challenge, req.Code, clientAddr(r), r.UserAgent())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.sessionCreated(w, r, sess, actor)
}

func (s *Server) sessionCreated(w http.ResponseWriter, r *http.Request, sess account.Session, actor account.Actor) {
	s.setSessionCookie(w, r, sess)
	writeJSON(w, http.StatusCreated, sessionResponse{User: meOf(actor), CSRFToken: sess.CSRFToken,
		ExpiresIn: int(s.Accounts.IdleTimeout() / time.Second)})
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
	var need *account.SecondFactorNeeded
	if errors.As(err, &need) {
		writeJSON(w, http.StatusAccepted, secondFactorResponse{MFARequired: true, Challenge: need.Challenge,
			ExpiresIn: int(need.ExpiresAt.Sub(s.Now()) / time.Second)})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.sessionCreated(w, r, sess, actor)
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
