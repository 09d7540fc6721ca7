package web

// usersModule is account management for the system and security
// administrators: the users pages and API.
func (s *Server) usersModule() module {
	return module{Key: "users", Path: "/admin/users", Order: 90, Ready: true, Visible: s.Accounts.CanManageUsers,
		Routes: func(rt *router) {
			rt.signedIn("GET /admin/users", s.handleAdminUsers)
			rt.signedIn("POST /admin/users", s.handleAdminUserCreate)
			rt.signedIn("GET /admin/users/{id}", s.handleAdminUser)
			rt.signedIn("POST /admin/users/{id}", s.handleAdminUserUpdate)
			rt.signedIn("POST /admin/users/{id}/{action}", s.handleAdminUserAction)
			rt.api("GET /api/v1/users", s.handleAPIUsers)
			rt.api("POST /api/v1/users", s.handleAPIUserCreate)
			rt.api("GET /api/v1/users/{id}", s.handleAPIUser)
			rt.api("DELETE /api/v1/users/{id}/mfa", s.handleAPIUserMFAReset)
			rt.api("DELETE /api/v1/users/{id}/sessions", s.handleAPIUserSessionsEnd)
		}}
}
