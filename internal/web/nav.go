package web

import (
	"net/http"

	"kechuang/internal/account"
)

// module is a section of the platform in the navigation.
type module struct {
	Key    string // nav key and i18n suffix: nav.<Key>
	Path   string
	Public bool // shown to visitors without a session
	// Ready is false until the module's package exists; its page then says
	// plainly that it is not yet available.
	Ready bool
}

// modules in navigation order.
var modules = []module{
	{Key: "market", Path: "/market", Public: true, Ready: true},
	{Key: "cultivation", Path: "/cultivation", Ready: true},
	{Key: "projects", Path: "/projects"},
	{Key: "chain", Path: "/chain"},
	{Key: "directory", Path: "/directory", Public: true},
	{Key: "dashboard", Path: "/dashboard"},
}

type navItem struct {
	Key  string
	Path string
}

func navFor(a account.Actor) []navItem {
	var out []navItem
	for _, m := range modules {
		if m.Public || a.LoggedIn() {
			out = append(out, navItem{Key: m.Key, Path: m.Path})
		}
	}
	if a.Role.ManagesUsers() {
		out = append(out, navItem{Key: "users", Path: "/admin/users"})
	}
	if a.Role == account.RoleAuditor {
		out = append(out, navItem{Key: "audit", Path: "/audit"})
	}
	return out
}

func moduleFor(path string) (module, bool) {
	for _, m := range modules {
		if m.Path == path {
			return m, true
		}
	}
	return module{}, false
}

// handleModulePlaceholder shows a plain "not yet available" page for a
// module whose package does not exist yet, rather than a fake page.
func (s *Server) handleModulePlaceholder(w http.ResponseWriter, r *http.Request) {
	m, _ := moduleFor(r.URL.Path)
	if !m.Public && !state(r).actor.LoggedIn() {
		s.requireLogin(func(http.ResponseWriter, *http.Request) {})(w, r)
		return
	}
	s.render(w, r, http.StatusOK, "placeholder", s.newPage(r, "nav."+m.Key, m.Key, m))
}
