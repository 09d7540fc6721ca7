package web

import (
	"net/http"
	"strconv"

	"kechuang/internal/apperr"
	"kechuang/internal/event"
	"rsc.io/qr"
)

type eventParticipantsData struct {
	Event        event.Event
	Participants []event.Participant
	Slots        []slotChoice
	Mine         []event.ListingRef
	Error        string
}

type slotChoice struct {
	Slot  int
	Label string
}

func slotChoices(e event.Event) []slotChoice {
	var out []slotChoice
	for i, t := range e.SlotTimes() {
		out = append(out, slotChoice{Slot: i + 1, Label: t.In(chinaTime).Format("15:04")})
	}
	return out
}

// handleEventParticipants lets an approved participant browse the others
// and their listings and ask for a meeting.
func (s *Server) handleEventParticipants(w http.ResponseWriter, r *http.Request) {
	s.eventParticipantsPage(w, r, http.StatusOK, "")
}

func (s *Server) eventParticipantsPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.Events.GetEvent(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, err := s.Events.Participants(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := eventParticipantsData{Event: e, Participants: ps, Slots: slotChoices(e), Error: msg}
	s.render(w, r, status, "event/participants", s.newPage(r, "event.participants", "events", data))
}

// handleEventMeetingRequest asks another participant for a meeting.
func (s *Server) handleEventMeetingRequest(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in := event.MeetingInput{Message: r.PostFormValue("message")}
	in.With, err = formID(r, "with")
	if err == nil {
		in.ListingID, err = formID(r, "listing_id")
	}
	if err == nil {
		var slot int64
		slot, err = formID(r, "slot")
		in.Slot = int(slot)
	}
	if err == nil {
		_, err = s.Events.RequestMeeting(r.Context(), st.actor, id, in)
	}
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict || apperr.KindOf(err) == apperr.Forbidden {
		s.eventParticipantsPage(w, r, formStatus(err), errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, event.Link(id)+"/agenda", http.StatusSeeOther)
}

// handleEventMeetingStep takes a step on a meeting from the agenda:
// accept, decline, cancel or outcome.
func (s *Server) handleEventMeetingStep(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	mid, err := pathIDNamed(r, "mid")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch r.PathValue("step") {
	case "accept":
		_, err = s.Events.RespondMeeting(r.Context(), st.actor, id, mid, true)
	case "decline":
		_, err = s.Events.RespondMeeting(r.Context(), st.actor, id, mid, false)
	case "cancel":
		_, err = s.Events.CancelMeeting(r.Context(), st.actor, id, mid)
	case "outcome":
		_, err = s.Events.RecordOutcome(r.Context(), st.actor, id, mid,
			event.OutcomeInput{Outcome: event.Outcome(r.PostFormValue("outcome")), Note: r.PostFormValue("note")})
	default:
		err = apperr.New(apperr.NotFound, "error.not_found")
	}
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict || apperr.KindOf(err) == apperr.Forbidden {
		s.eventAgendaPage(w, r, formStatus(err), errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, event.Link(id)+"/agenda#meeting-"+strconv.FormatInt(mid, 10), http.StatusSeeOther)
}

type eventAgendaData struct {
	Agenda   event.Agenda
	Me       int64
	Outcomes []event.Outcome
	Error    string
}

// handleEventAgenda is a participant's own agenda: the check-in QR code,
// the meetings asked and booked, slot by slot.
func (s *Server) handleEventAgenda(w http.ResponseWriter, r *http.Request) {
	s.eventAgendaPage(w, r, http.StatusOK, "")
}

func (s *Server) eventAgendaPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ag, err := s.Events.MyAgenda(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := eventAgendaData{Agenda: ag, Me: st.actor.UserID, Outcomes: event.Outcomes, Error: msg}
	s.render(w, r, status, "event/agenda", s.newPage(r, "event.agenda", "events", data))
}

// handleEventQR draws the viewer's check-in URL as a QR code (PNG), here
// on the server: the token goes to no other service.
func (s *Server) handleEventQR(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	reg, err := s.Events.MyRegistration(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if reg.State != event.RegApproved {
		s.writeError(w, r, apperr.New(apperr.NotFound, "event.registration_not_found"))
		return
	}
	code, err := qr.Encode(s.baseURL(r)+reg.CheckInPath(), qr.M)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	code.Scale = 5
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(code.PNG())
}
