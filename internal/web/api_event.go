package web

import (
	"net/http"

	"kechuang/internal/event"
)

// The API of 路演 and 对接会: events, registrations, meetings and the
// funnel.

func eventJSON(e *event.Event) {
	e.Sessions, e.Pitches, e.Actions = nonNil(e.Sessions), nonNil(e.Pitches), nonNil(e.Actions)
}

// handleAPIEvents lists the events the caller may see; anyone may call it.
func (s *Server) handleAPIEvents(w http.ResponseWriter, r *http.Request) {
	f, err := eventFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Events.FindEvents(r.Context(), state(r).actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range list {
		eventJSON(&list[i])
	}
	writeJSON(w, http.StatusOK, listResponse[event.Event]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIEventCreate creates a draft event (staff).
func (s *Server) handleAPIEventCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in event.Input
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.Events.CreateEvent(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	eventJSON(&e)
	writeJSON(w, http.StatusCreated, e)
}

// handleAPIEvent returns one event; a draft only to its organisers.
func (s *Server) handleAPIEvent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.Events.GetEvent(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	eventJSON(&e)
	writeJSON(w, http.StatusOK, e)
}

// handleAPIEventPublish publishes a draft.
func (s *Server) handleAPIEventPublish(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	e, err := s.Events.PublishEvent(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	eventJSON(&e)
	writeJSON(w, http.StatusOK, e)
}

// handleAPIEventRegistrations lists an event's registrations (organiser).
func (s *Server) handleAPIEventRegistrations(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	f := event.RegistrationFilter{State: event.RegState(q.Enum("state", "pending", "approved", "waitlisted", "declined", "cancelled"))}
	f.Page, f.PerPage = q.Page(50, 200)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Events.Registrations(r.Context(), actor, id, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[event.Registration]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIEventRegister registers the caller for an event.
func (s *Server) handleAPIEventRegister(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in event.RegistrationInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	reg, err := s.Events.Register(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, reg)
}

type decisionInput struct {
	Decision event.Decision `json:"decision"`
	Reason   string         `json:"reason"`
}

// handleAPIEventDecide approves or declines a registration (organiser).
func (s *Server) handleAPIEventDecide(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	rid, err := pathIDNamed(r, "rid")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in decisionInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	reg, err := s.Events.DecideRegistration(r.Context(), actor, id, rid, in.Decision, in.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reg)
}

// handleAPIEventParticipants lists the other approved participants with
// their listings (participants and the organiser).
func (s *Server) handleAPIEventParticipants(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	list, err := s.Events.Participants(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range list {
		list[i].Listings = nonNil(list[i].Listings)
	}
	writeJSON(w, http.StatusOK, nonNil(list))
}

// handleAPIEventMeetings lists the meetings: all for the organiser, the
// caller's own for a participant.
func (s *Server) handleAPIEventMeetings(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	f := event.MeetingFilter{State: event.MeetingState(q.Enum("state", "requested", "accepted", "declined", "cancelled"))}
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.Events.Meetings(r.Context(), actor, id, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, nonNil(list))
}

// handleAPIEventMeetingRequest asks another participant for a meeting.
func (s *Server) handleAPIEventMeetingRequest(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in event.MeetingInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.Events.RequestMeeting(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

type meetingResponse struct {
	Accept bool `json:"accept"`
}

// handleAPIEventMeetingResponse accepts or declines a meeting asked of the
// caller.
func (s *Server) handleAPIEventMeetingResponse(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	mid, err := pathIDNamed(r, "mid")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in meetingResponse
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.Events.RespondMeeting(r.Context(), actor, id, mid, in.Accept)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// handleAPIEventMeetingOutcome records what a meeting led to.
func (s *Server) handleAPIEventMeetingOutcome(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	mid, err := pathIDNamed(r, "mid")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in event.OutcomeInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.Events.RecordOutcome(r.Context(), actor, id, mid, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// handleAPIEventFunnel returns the event's funnel (organiser).
func (s *Server) handleAPIEventFunnel(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	f, err := s.Events.Funnel(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}
