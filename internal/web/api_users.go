package web

import (
	"net/http"

	"kechuang/internal/account"
	"kechuang/internal/audit"
)

// handleAPIUsers lists the accounts the actor may see, with paging.
func (s *Server) handleAPIUsers(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := userFilter(r, 50)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	users, total, err := s.Accounts.FindUsers(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	writeJSON(w, http.StatusOK, listResponse[account.User]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(users)})
}

// userFilter reads the account list filters of the page and the API.
func userFilter(r *http.Request, perPage int) (account.UserFilter, error) {
	q := newQuery(r)
	f := account.UserFilter{Query: q.Text("q"), Region: q.Text("region"),
		Role: account.Role(q.Enum("role", codes(account.Roles, func(r account.Role) string { return string(r) })...))}
	f.Page, f.PerPage = q.Page(perPage, 200)
	return f, q.Err()
}

type userCreateRequest struct {
	Username     string       `json:"username"`
	DisplayName  string       `json:"display_name"`
	Organization string       `json:"organization"`
	Role         account.Role `json:"role"`
	RegionCode   string       `json:"region_code"`
	Password     string       `json:"password"`
}

// handleAPIUserCreate creates an account (user managers only).
func (s *Server) handleAPIUserCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var req userCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.Accounts.CreateUser(r.Context(), actor, account.NewUser{Username: req.Username, DisplayName: req.DisplayName,
		Organization: req.Organization, Role: req.Role, RegionCode: req.RegionCode, Password: req.Password, MustChangePassword: true})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

// handleAPIUser returns one account the actor may see; any other id is 404.
func (s *Server) handleAPIUser(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	u, err := s.Accounts.GetUser(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// handleAPIAudit returns audit rows to the auditor.
func (s *Server) handleAPIAudit(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, _, _, err := auditFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries, total, err := s.Audit.FindEntries(r.Context(), actor.Audit(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	writeJSON(w, http.StatusOK, listResponse[audit.Entry]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(entries)})
}
