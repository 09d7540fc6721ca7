package web

import (
	"net/http"

	"kechuang/internal/i18n"
)

type accountData struct {
	MustChange bool
	Errors     map[string]string
	Changed    bool
	// MinLength and MaxAgeDays come from the password policy in force.
	MinLength  int
	MaxAgeDays int
}

func (s *Server) newAccountData(st *reqState) accountData {
	p := s.Accounts.Policy()
	return accountData{MustChange: st.actor.MustChangePassword, MinLength: p.MinLength, MaxAgeDays: int(p.MaxAge.Hours() / 24)}
}

// handleAccount shows the user's own account and the password form.
func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	data := s.newAccountData(st)
	data.Changed = r.URL.Query().Get("changed") == "1"
	s.render(w, r, http.StatusOK, "account/password", s.newPage(r, "account.title", "account", data))
}

// handleAccountPassword changes the user's own password.
func (s *Server) handleAccountPassword(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	current, next, confirm := r.PostFormValue("current_password"), r.PostFormValue("new_password"), r.PostFormValue("confirm_password")
	data := s.newAccountData(st)
	if next != confirm {
		data.Errors = map[string]string{"confirm_password": i18n.T(st.lang, "account.confirm_mismatch")}
		s.render(w, r, http.StatusUnprocessableEntity, "account/password", s.newPage(r, "account.title", "account", data))
		return
	}
	err := s.Accounts.ChangePassword(r.Context(), st.actor, st.session.Token, current, next)
	if isFormError(err) {
		data.Errors = formErrors(st.lang, err)
		s.render(w, r, http.StatusUnprocessableEntity, "account/password", s.newPage(r, "account.title", "account", data))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?changed=1", http.StatusSeeOther)
}
