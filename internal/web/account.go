package web

// accountModule is signing in and out (page and API) and the user's own
// account page: password, second factor, sessions. It has no nav entry: the
// user menu links to it.
func (s *Server) accountModule() module {
	return module{Key: "account", Ready: true, Routes: func(rt *router) {
		rt.open("GET /login", s.handleLoginForm)
		rt.open("POST /login", s.handleLogin)
		rt.open("POST /login/mfa", s.handleLoginMFA)
		rt.open("POST /logout", s.handleLogout)
		rt.signedIn("GET /account", s.handleAccount)
		rt.signedIn("POST /account/password", s.handleAccountPassword)
		rt.signedIn("GET /account/mfa", s.handleAccountMFA)
		rt.signedIn("POST /account/mfa/begin", s.handleAccountMFABegin)
		rt.signedIn("GET /account/mfa/qr.png", s.handleAccountMFAQR)
		rt.signedIn("POST /account/mfa/confirm", s.handleAccountMFAConfirm)
		rt.signedIn("GET /account/sessions", s.handleAccountSessions)
		rt.signedIn("POST /account/sessions/{sid}/end", s.handleAccountSessionEnd)
		rt.api("POST /api/v1/session", s.handleAPISessionCreate)
		rt.api("POST /api/v1/session/mfa", s.handleAPISessionMFA)
		rt.api("DELETE /api/v1/session", s.handleAPISessionDelete)
		rt.api("GET /api/v1/me", s.handleAPIMe)
		rt.api("GET /api/v1/me/sessions", s.handleAPIMySessions)
		rt.api("DELETE /api/v1/me/sessions/{sid}", s.handleAPIMySessionEnd)
		rt.api("GET /api/v1/me/mfa", s.handleAPIMyMFA)
		rt.api("POST /api/v1/me/mfa", s.handleAPIMyMFABegin)
		rt.api("POST /api/v1/me/mfa/confirm", s.handleAPIMyMFAConfirm)
	}}
}
