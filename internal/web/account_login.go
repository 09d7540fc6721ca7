package web

import (
	"net/http"

	"kechuang/internal/apperr"
)

type loginData struct {
	Username string
	Next     string
	Error    string
	Expired  bool
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if state(r).actor.LoggedIn() {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	data := loginData{Next: safeNext(r.URL.Query().Get("next")), Expired: r.URL.Query().Get("expired") == "1"}
	s.render(w, r, http.StatusOK, "account/login", s.newPage(r, "login.title", "login", data))
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	sess, actor, err := s.Accounts.Login(r.Context(), username, password, clientAddr(r), r.UserAgent())
	if err != nil {
		kind := apperr.KindOf(err)
		if kind != apperr.Unauthenticated && kind != apperr.Locked {
			s.writeError(w, r, err)
			return
		}
		data := loginData{Username: username, Next: next, Error: problemFor(err, st.lang, st.id, "").Detail}
		s.render(w, r, kindStatus[kind], "account/login", s.newPage(r, "login.title", "login", data))
		return
	}
	s.setSessionCookie(w, r, sess)
	if actor.MustChangePassword {
		next = "/account?must_change=1"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
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
