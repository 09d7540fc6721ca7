package web

import (
	"net/http"

	"kechuang/internal/apperr"
	"kechuang/internal/event"
)

type eventRegistrationsData struct {
	Event         event.Event
	Registrations []event.Registration
	State         event.RegState
	States        []event.RegState
	Pager         pager
	Funnel        event.Funnel
	Error         string
}

// handleEventRegistrations is the organiser's page of an event's
// registrations: decide them, see the waiting list and the funnel.
func (s *Server) handleEventRegistrations(w http.ResponseWriter, r *http.Request) {
	s.eventRegistrationsPage(w, r, http.StatusOK, "")
}

func (s *Server) eventRegistrationsPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st := state(r)
	e, err := s.managedEvent(r, st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := newQuery(r)
	f := event.RegistrationFilter{State: event.RegState(q.Enum("state", "pending", "approved", "waitlisted", "declined", "cancelled"))}
	f.Page, f.PerPage = q.Page(50, 200)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Events.Registrations(r.Context(), st.actor, e.ID, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	fu, err := s.Events.Funnel(r.Context(), st.actor, e.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := eventRegistrationsData{Event: e, Registrations: list, State: f.State, States: event.RegStates,
		Pager: newPager(r, f.Page, f.PerPage, total), Funnel: fu, Error: msg}
	s.render(w, r, status, "event/registrations", s.newPage(r, "event.registrations", "events", data))
}

// handleEventDecide approves or declines a registration from the list.
func (s *Server) handleEventDecide(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rid, err := pathIDNamed(r, "rid")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, err = s.Events.DecideRegistration(r.Context(), st.actor, id, rid, event.Decision(r.PostFormValue("decision")), r.PostFormValue("reason"))
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
		s.eventRegistrationsPage(w, r, formStatus(err), errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, event.Link(id)+"/registrations", http.StatusSeeOther)
}

type timetableRow struct {
	Slot     int
	Cells    []*event.Meeting // one per table
	StartsAt any
}

type eventTimetableData struct {
	Event    event.Event
	Rows     []timetableRow
	Tables   []int
	Meetings []event.Meeting
	Funnel   event.Funnel
}

// handleEventTimetable is the organiser's timetable: slots by tables, the
// meetings asked and what they led to, and the funnel.
func (s *Server) handleEventTimetable(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	e, err := s.managedEvent(r, st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ms, err := s.Events.Meetings(r.Context(), st.actor, e.ID, event.MeetingFilter{})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	fu, err := s.Events.Funnel(r.Context(), st.actor, e.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := eventTimetableData{Event: e, Meetings: ms, Funnel: fu}
	for t := 1; t <= e.Tables; t++ {
		data.Tables = append(data.Tables, t)
	}
	for i, at := range e.SlotTimes() {
		row := timetableRow{Slot: i + 1, StartsAt: at, Cells: make([]*event.Meeting, e.Tables)}
		for j := range ms {
			if ms[j].Slot == i+1 && ms[j].State == event.MeetingAccepted && ms[j].Table >= 1 && ms[j].Table <= e.Tables {
				row.Cells[ms[j].Table-1] = &ms[j]
			}
		}
		data.Rows = append(data.Rows, row)
	}
	s.render(w, r, http.StatusOK, "event/timetable", s.newPage(r, "event.timetable", "events", data))
}

type eventCheckinData struct {
	Event        event.Event
	Registration event.Registration
	Token        string
	Done         bool
	Error        string
}

// handleEventCheckinPage is where the QR code of a registration leads: the
// organiser sees who it is and confirms; anyone else gets NotFound.
func (s *Server) handleEventCheckinPage(w http.ResponseWriter, r *http.Request) {
	s.eventCheckinPage(w, r, http.StatusOK, false, "")
}

func (s *Server) eventCheckinPage(w http.ResponseWriter, r *http.Request, status int, done bool, msg string) {
	st := state(r)
	e, err := s.managedEvent(r, st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	token := r.PathValue("token")
	reg, err := s.Events.CheckInByToken(r.Context(), st.actor, e.ID, token)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := eventCheckinData{Event: e, Registration: reg, Token: token, Done: done, Error: msg}
	s.render(w, r, status, "event/checkin", s.newPage(r, "event.checkin", "events", data))
}

// handleEventCheckin marks the registration as attended.
func (s *Server) handleEventCheckin(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, err = s.Events.CheckIn(r.Context(), st.actor, id, r.PathValue("token"))
	if apperr.KindOf(err) == apperr.Conflict {
		s.eventCheckinPage(w, r, http.StatusConflict, false, errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.eventCheckinPage(w, r, http.StatusOK, true, "")
}
