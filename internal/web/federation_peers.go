package web

import (
	"net/http"
	"strconv"

	"kechuang/internal/federation"
)

type adminPeersData struct {
	Peers    []federation.Peer
	Instance federation.Instance
	Form     federation.PeerInput
	Errors   map[string]string
	Done     string
}

func (s *Server) peersPage(w http.ResponseWriter, r *http.Request, status int, form federation.PeerInput, formErr map[string]string) {
	st := state(r)
	peers, err := s.Federation.FindPeers(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := adminPeersData{Peers: peers, Instance: s.Federation.InstanceDocument(s.baseURL(r)), Form: form, Errors: formErr,
		Done: r.URL.Query().Get("done")}
	s.render(w, r, status, "federation/peers", s.newPage(r, "peers.title", "peers", data))
}

// handleAdminPeers lists the peers, this instance's own fingerprint and
// the form to add a peer.
func (s *Server) handleAdminPeers(w http.ResponseWriter, r *http.Request) {
	s.peersPage(w, r, http.StatusOK, federation.PeerInput{}, nil)
}

// handleAdminPeerAdd adds a peer by URL from the form.
func (s *Server) handleAdminPeerAdd(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	form := federation.PeerInput{URL: r.PostFormValue("url"), Internal: r.PostFormValue("internal") == "on"}
	p, err := s.Federation.AddPeer(r.Context(), st.actor, form)
	if isFormError(err) {
		s.peersPage(w, r, http.StatusUnprocessableEntity, form, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/peers?done=added#peer-"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// handleAdminPeerApprove approves a pending peer.
func (s *Server) handleAdminPeerApprove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		_, err = s.Federation.ApprovePeer(r.Context(), state(r).actor, id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/peers?done=approved", http.StatusSeeOther)
}

// handleAdminPeerRemove removes a peer and its listings.
func (s *Server) handleAdminPeerRemove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Federation.RemovePeer(r.Context(), state(r).actor, id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/peers?done=removed", http.StatusSeeOther)
}

// handleAPIPeers lists the peers (administrators).
func (s *Server) handleAPIPeers(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	peers, err := s.Federation.FindPeers(r.Context(), actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(peers)})
}

// handleAPIPeerAdd adds a peer by URL.
func (s *Server) handleAPIPeerAdd(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in federation.PeerInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Federation.AddPeer(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

// handleAPIPeerApprove approves a pending peer.
func (s *Server) handleAPIPeerApprove(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	p, err := s.Federation.ApprovePeer(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// handleAPIPeerRemove removes a peer and its listings.
func (s *Server) handleAPIPeerRemove(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	if err := s.Federation.RemovePeer(r.Context(), actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
