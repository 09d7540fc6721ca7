package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/region"
)

type adminUsersData struct {
	Users   []account.User
	Filter  account.UserFilter
	Pager   pager
	Roles   []account.Role
	Regions []region.Region
	Form    account.NewUser
	Errors  map[string]string
	Created string
}

const usersPerPage = 25

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, status int, form account.NewUser, formErr map[string]string) {
	st := state(r)
	f, err := userFilter(r, usersPerPage)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.PerPage = usersPerPage
	users, total, err := s.Accounts.FindUsers(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := adminUsersData{Users: users, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total), Roles: account.Roles,
		Regions: s.regionChoices(r), Form: form, Errors: formErr, Created: r.URL.Query().Get("created")}
	s.render(w, r, status, "admin/users", s.newPage(r, "users.title", "users", data))
}

// handleAdminUsers lists accounts with filters and paging, and the form to
// create one.
func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	s.usersPage(w, r, http.StatusOK, account.NewUser{}, nil)
}

// handleAdminUserCreate creates an account from the form; the new user
// must change the password at first login.
func (s *Server) handleAdminUserCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	form := account.NewUser{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Organization: r.PostFormValue("organization"), Role: account.Role(r.PostFormValue("role")),
		RegionCode: r.PostFormValue("region_code"), Password: r.PostFormValue("password"), MustChangePassword: true}
	u, err := s.Accounts.CreateUser(r.Context(), st.actor, form)
	if isFormError(err) {
		form.Password = ""
		s.usersPage(w, r, http.StatusUnprocessableEntity, form, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users?created="+url.QueryEscape(u.Username), http.StatusSeeOther)
}

type adminUserData struct {
	User         account.User
	Roles        []account.Role
	Regions      []region.Region
	Errors       map[string]string
	TempPassword string
	Done         string
	Now          any
	// Security is set for the security administrator, who may reset the
	// user's second factor and end its sessions.
	Security bool
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request, status int, id int64, data adminUserData) {
	st := state(r)
	u, err := s.Accounts.GetUser(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.Accounts.CanManageUsers(st.actor) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "account.only_managers"))
		return
	}
	data.User, data.Roles, data.Regions = u, account.Roles, s.regionChoices(r)
	data.Now = s.Now()
	data.Security = s.Accounts.CanManageSecurity(st.actor) && u.ID != st.actor.UserID
	s.render(w, r, status, "admin/user", s.newPage(r, "users.edit_title", "users", data))
}

// handleAdminUser shows one account with its edit form and actions.
func (s *Server) handleAdminUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.userPage(w, r, http.StatusOK, id, adminUserData{Done: r.URL.Query().Get("done")})
}

// handleAdminUserUpdate changes display name, organization, role and region.
func (s *Server) handleAdminUserUpdate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name, org, region := r.PostFormValue("display_name"), r.PostFormValue("organization"), r.PostFormValue("region_code")
	role := account.Role(r.PostFormValue("role"))
	_, err = s.Accounts.UpdateUser(r.Context(), st.actor, id, account.UserUpdate{DisplayName: &name, Organization: &org, Role: &role, RegionCode: &region})
	if isFormError(err) {
		s.userPage(w, r, http.StatusUnprocessableEntity, id, adminUserData{Errors: formErrors(st.lang, err)})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?done=updated", http.StatusSeeOther)
}

// handleAdminUserAction disables, enables, unlocks or resets the password
// of an account.
func (s *Server) handleAdminUserAction(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	switch action := r.PathValue("action"); action {
	case "disable", "enable":
		err = s.Accounts.SetDisabled(ctx, st.actor, id, action == "disable")
	case "unlock":
		err = s.Accounts.Unlock(ctx, st.actor, id)
	case "reset-mfa":
		err = s.Accounts.ResetMFA(ctx, st.actor, id)
	case "end-sessions":
		_, err = s.Accounts.EndUserSessions(ctx, st.actor, id)
	case "reset-password":
		var temp string
		temp, err = s.Accounts.ResetPassword(ctx, st.actor, id)
		if err == nil {
			// Shown once, on this response only; never put in a URL or log.
			s.userPage(w, r, http.StatusOK, id, adminUserData{TempPassword: temp, Done: "reset"})
			return
		}
	default:
		err = apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		if isFormError(err) {
			s.userPage(w, r, http.StatusUnprocessableEntity, id, adminUserData{Errors: map[string]string{"action": errorText(st.lang, err)}})
			return
		}
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10)+"?done="+r.PathValue("action"), http.StatusSeeOther)
}
