package web

import (
	"errors"
	"net/http"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
)

// mfaCookie carries a login's second-factor challenge between the password
// page and the code page; it lives as long as the challenge.
const mfaCookie = "kc_mfa"

type loginData struct {
	Username string
	Next     string
	Error    string
	Expired  bool
	// DemoMFA says that this demo installation's accounts need no second
	// factor.
	DemoMFA bool
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if state(r).actor.LoggedIn() {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	data := loginData{Next: safeNext(r.URL.Query().Get("next")), Expired: r.URL.Query().Get("expired") == "1",
		DemoMFA: s.Accounts.MFAExempt()}
	if r.URL.Query().Get("mfa_expired") == "1" {
		data.Error = errorText(state(r).lang, apperr.New(apperr.Unauthenticated, "session.mfa_expired"))
	}
	s.render(w, r, http.StatusOK, "account/login", s.newPage(r, "login.title", "login", data))
}

// loginFailed shows the login page again with err, or answers err itself
// when it is not about the credentials.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, username, next string, err error) {
	st := state(r)
	kind := apperr.KindOf(err)
	if kind != apperr.Unauthenticated && kind != apperr.Locked && kind != apperr.TooMany {
		s.writeError(w, r, err)
		return
	}
	setRetryAfter(w, err)
	data := loginData{Username: username, Next: next, Error: errorText(st.lang, err), DemoMFA: s.Accounts.MFAExempt()}
	s.render(w, r, kindStatus[kind], "account/login", s.newPage(r, "login.title", "login", data))
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	sess, actor, err := s.Accounts.Login(r.Context(), username, password, clientAddr(r), r.UserAgent())
	var need *account.SecondFactorNeeded
	if errors.As(err, &need) {
		setCookie(w, r, mfaCookie, need.Challenge, max(1, int(need.ExpiresAt.Sub(s.Now())/time.Second)))
		s.render(w, r, http.StatusOK, "account/login_mfa", s.newPage(r, "login.mfa_title", "login", loginData{Next: next}))
		return
	}
	if err != nil {
		s.loginFailed(w, r, username, next, err)
		return
	}
	s.loggedIn(w, r, sess, actor, next)
}

// loggedIn sets the session cookie and sends the user on: to the password
// change or the second-factor enrolment when either is due, else to next.
func (s *Server) loggedIn(w http.ResponseWriter, r *http.Request, sess account.Session, actor account.Actor, next string) {
	s.setSessionCookie(w, r, sess)
	switch {
	case actor.MustChangePassword:
		next = "/account?must_change=1"
	case actor.MustEnrolMFA:
		next = "/account/mfa"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// handleLoginMFA finishes a login with the code of the authenticator (or a
// recovery code).
func (s *Server) handleLoginMFA(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	next := safeNext(r.PostFormValue("next"))
	c, err := r.Cookie(cookieName(r, mfaCookie))
	if err != nil || c.Value == "" {
		http.Redirect(w, r, "/login?mfa_expired=1&next="+urlQueryEscape(next), http.StatusSeeOther)
		return
	}
	sess, actor, err := s.Accounts.LoginSecondFactor(r.Context(), c.Value, r.PostFormValue("code"), clientAddr(r), r.UserAgent())
	if e := apperr.As(err); e != nil && e.Key == "session.mfa_expired" {
		s.clearCookie(w, r, mfaCookie)
		http.Redirect(w, r, "/login?mfa_expired=1&next="+urlQueryEscape(next), http.StatusSeeOther)
		return
	}
	if err != nil {
		kind := apperr.KindOf(err)
		if kind != apperr.Unauthenticated && kind != apperr.Locked && kind != apperr.TooMany {
			s.writeError(w, r, err)
			return
		}
		setRetryAfter(w, err)
		s.render(w, r, kindStatus[kind], "account/login_mfa", s.newPage(r, "login.mfa_title", "login",
			loginData{Next: next, Error: errorText(st.lang, err)}))
		return
	}
	s.clearCookie(w, r, mfaCookie)
	s.loggedIn(w, r, sess, actor, next)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	if st.actor.LoggedIn() {
		if err := s.Accounts.Logout(r.Context(), st.actor, st.session.Token); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
