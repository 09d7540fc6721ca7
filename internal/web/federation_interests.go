package web

import (
	"net/http"

	"kechuang/internal/federation"
)

type remoteInterestsData struct {
	In, Out []federation.Interest
	Sent    bool
	Errors  map[string]string
}

// handleRemoteInterests lists the user's cross-region interests: those
// received for the user's listings, with a form to answer, and those the
// user sent.
func (s *Server) handleRemoteInterests(w http.ResponseWriter, r *http.Request) {
	s.remoteInterestsPage(w, r, http.StatusOK, nil)
}

func (s *Server) remoteInterestsPage(w http.ResponseWriter, r *http.Request, status int, formErr map[string]string) {
	st := state(r)
	all, err := s.Federation.FindInterests(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := remoteInterestsData{Sent: r.URL.Query().Get("sent") == "1", Errors: formErr}
	for _, in := range all {
		if in.Direction == "in" {
			data.In = append(data.In, in)
		} else {
			data.Out = append(data.Out, in)
		}
	}
	s.render(w, r, status, "federation/interests", s.newPage(r, "remote_interests.title", "market", data))
}

// handleRemoteInterestSend sends a member's interest in a remote listing
// to its origin.
func (s *Server) handleRemoteInterestSend(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err == nil {
		err = s.Federation.SendInterest(r.Context(), st.actor, id, r.PostFormValue("note"))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/market/remote-interests?sent=1", http.StatusSeeOther)
}

// handleRemoteInterestAnswer sends the owner's answer to an interest
// received from another region.
func (s *Server) handleRemoteInterestAnswer(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err == nil {
		err = s.Federation.AnswerInterest(r.Context(), st.actor, id, r.PostFormValue("note"))
	}
	if isFormError(err) {
		s.remoteInterestsPage(w, r, http.StatusUnprocessableEntity, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/market/remote-interests", http.StatusSeeOther)
}
