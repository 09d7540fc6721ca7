package web

// accountModule is signing in and out (page and API) and the user's own
// account page. It has no nav entry: the user menu links to it.
func (s *Server) accountModule() module {
	return module{Key: "account", Ready: true, Routes: func(rt *router) {
		rt.open("GET /login", s.handleLoginForm)
		rt.open("POST /login", s.handleLogin)
		rt.open("POST /logout", s.handleLogout)
		rt.signedIn("GET /account", s.handleAccount)
		rt.signedIn("POST /account/password", s.handleAccountPassword)
		rt.api("POST /api/v1/session", s.handleAPISessionCreate)
		rt.api("DELETE /api/v1/session", s.handleAPISessionDelete)
		rt.api("GET /api/v1/me", s.handleAPIMe)
	}}
}
