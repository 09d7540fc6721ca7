package web

import (
	"io"
	"net/http"

	"kechuang/internal/federation"
)

// federationModule is 跨区域共享: the protocol endpoints peers call
// (docs/FEDERATION.md), the administrator's peers page and its API.
func (s *Server) federationModule() module {
	return module{Key: "peers", Path: "/admin/peers", Order: 95, Ready: true, Visible: s.Federation.CanManagePeers,
		Routes: func(rt *router) {
			rt.open("GET "+federation.InstancePath, s.handleInstanceDocument)
			rt.open("GET "+federation.FeedPath, s.handleFederationFeed)
			rt.open("POST "+federation.InboxPath, s.handleFederationInbox)
			rt.signedIn("GET /market/remote-interests", s.handleRemoteInterests)
			rt.signedIn("POST /market/remote-interests/{id}/answer", s.handleRemoteInterestAnswer)
			rt.signedIn("POST /market/remote/{id}/interest", s.handleRemoteInterestSend)
			rt.signedIn("GET /admin/peers", s.handleAdminPeers)
			rt.signedIn("POST /admin/peers", s.handleAdminPeerAdd)
			rt.signedIn("POST /admin/peers/{id}/approve", s.handleAdminPeerApprove)
			rt.signedIn("POST /admin/peers/{id}/remove", s.handleAdminPeerRemove)
			rt.api("GET /api/v1/peers", s.handleAPIPeers)
			rt.api("POST /api/v1/peers", s.handleAPIPeerAdd)
			rt.api("POST /api/v1/peers/{id}/approve", s.handleAPIPeerApprove)
			rt.api("DELETE /api/v1/peers/{id}", s.handleAPIPeerRemove)
		}}
}

// baseURL is the instance's base URL as this request reached it: the
// configured public URL, or the scheme and host of the request.
func (s *Server) baseURL(r *http.Request) string {
	if b := s.Federation.BaseURL(); b != "" {
		return b
	}
	scheme := "http"
	if state(r).https {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleInstanceDocument serves the instance document.
func (s *Server) handleInstanceDocument(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, s.Federation.InstanceDocument(s.baseURL(r)))
}

// handleFederationInbox receives a peer's signed message.
func (s *Server) handleFederationInbox(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.Federation.ServeInbox(r.Context(), federation.Request{Method: r.Method,
		TargetURI: s.baseURL(r) + r.URL.RequestURI(), Header: r.Header, Body: body})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeSigned(w, resp)
}

// writeSigned writes a signed answer of the federation service as it is.
func writeSigned(w http.ResponseWriter, resp federation.Response) {
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// handleFederationFeed serves a peer's signed pull of the public feed.
func (s *Server) handleFederationFeed(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.Federation.ServeFeed(r.Context(), federation.Request{Method: r.Method,
		TargetURI: s.baseURL(r) + r.URL.RequestURI(), Header: r.Header, Body: body}, r.URL.Query().Get("after"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeSigned(w, resp)
}
