package web

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/event"
	"kechuang/internal/i18n"
)

// eventModule is 路演 and 对接会: the public list and page of events, the
// organiser's forms and management (registrations, timetable, funnel,
// check-in), and the participant's registration, meetings and agenda —
// pages and API.
func (s *Server) eventModule() module {
	return module{Key: "events", Path: "/events", Order: 24, Card: true, Ready: true,
		Visible: s.Events.CanViewEvents,
		Funcs: template.FuncMap{
			"eventKind":  func(lang string, k event.Kind) string { return i18n.T(lang, "event.kind."+string(k)) },
			"eventState": func(lang string, st event.State) string { return i18n.T(lang, "event.state."+string(st)) },
			"regState":   func(lang string, st event.RegState) string { return i18n.T(lang, "event.reg_state."+string(st)) },
			"meetingState": func(lang string, st event.MeetingState) string {
				return i18n.T(lang, "event.meeting_state."+string(st))
			},
			"outcomeName": func(lang string, o event.Outcome) string { return i18n.T(lang, "event.outcome."+string(o)) },
			// eventLocal shows a time (or a pointer to one) as a
			// datetime-local field does.
			"eventLocal": func(v any) string {
				switch t := v.(type) {
				case time.Time:
					return localInput(t)
				case *time.Time:
					if t != nil {
						return localInput(*t)
					}
				}
				return ""
			},
			"eventTime": func(t *time.Time) time.Time {
				if t == nil {
					return time.Time{}
				}
				return *t
			},
			"clock": func(t time.Time) string {
				if t.IsZero() {
					return "—"
				}
				return t.In(chinaTime).Format("15:04")
			},
		},
		Routes: func(rt *router) {
			rt.open("GET /events", s.handleEventList)
			rt.signedIn("GET /events/new", s.handleEventNew)
			rt.signedIn("POST /events", s.handleEventCreate)
			rt.open("GET /events/{id}", s.handleEvent)
			rt.signedIn("GET /events/{id}/edit", s.handleEventEdit)
			rt.signedIn("POST /events/{id}", s.handleEventUpdate)
			rt.signedIn("POST /events/{id}/publish", s.handleEventPublish)
			rt.signedIn("POST /events/{id}/cancel", s.handleEventCancel)
			rt.signedIn("POST /events/{id}/register", s.handleEventRegister)
			rt.signedIn("POST /events/{id}/withdraw", s.handleEventWithdraw)
			rt.signedIn("GET /events/{id}/registrations", s.handleEventRegistrations)
			rt.signedIn("POST /events/{id}/registrations/{rid}/decide", s.handleEventDecide)
			rt.signedIn("GET /events/{id}/timetable", s.handleEventTimetable)
			rt.signedIn("GET /events/{id}/participants", s.handleEventParticipants)
			rt.signedIn("POST /events/{id}/meetings", s.handleEventMeetingRequest)
			rt.signedIn("POST /events/{id}/meetings/{mid}/{step}", s.handleEventMeetingStep)
			rt.signedIn("GET /events/{id}/agenda", s.handleEventAgenda)
			rt.signedIn("GET /events/{id}/agenda/qr.png", s.handleEventQR)
			rt.signedIn("GET /events/{id}/checkin/{token}", s.handleEventCheckinPage)
			rt.signedIn("POST /events/{id}/checkin/{token}", s.handleEventCheckin)
			rt.api("GET /api/v1/events", s.handleAPIEvents)
			rt.api("POST /api/v1/events", s.handleAPIEventCreate)
			rt.api("GET /api/v1/events/{id}", s.handleAPIEvent)
			rt.api("POST /api/v1/events/{id}/publish", s.handleAPIEventPublish)
			rt.api("GET /api/v1/events/{id}/registrations", s.handleAPIEventRegistrations)
			rt.api("POST /api/v1/events/{id}/registrations", s.handleAPIEventRegister)
			rt.api("POST /api/v1/events/{id}/registrations/{rid}/decision", s.handleAPIEventDecide)
			rt.api("GET /api/v1/events/{id}/participants", s.handleAPIEventParticipants)
			rt.api("GET /api/v1/events/{id}/meetings", s.handleAPIEventMeetings)
			rt.api("POST /api/v1/events/{id}/meetings", s.handleAPIEventMeetingRequest)
			rt.api("POST /api/v1/events/{id}/meetings/{mid}/response", s.handleAPIEventMeetingResponse)
			rt.api("POST /api/v1/events/{id}/meetings/{mid}/outcome", s.handleAPIEventMeetingOutcome)
			rt.api("GET /api/v1/events/{id}/funnel", s.handleAPIEventFunnel)
		}}
}

// pathIDNamed parses a positive id path value other than {id}; a
// malformed one is NotFound.
func pathIDNamed(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "error.not_found")
	}
	return id, nil
}

// eventFilter reads the list filters of the page and the API.
func eventFilter(r *http.Request) (event.Filter, error) {
	q := newQuery(r)
	f := event.Filter{Kind: event.Kind(q.Enum("kind", string(event.Roadshow), string(event.Matchmaking))),
		When: q.Enum("when", "upcoming", "past"), Manage: q.Bool("manage")}
	f.Page, f.PerPage = q.Page(20, 100)
	return f, q.Err()
}

type eventListData struct {
	Events    []event.Event
	Filter    event.Filter
	Pager     pager
	Kinds     []event.Kind
	CanCreate bool
}

// handleEventList lists the events the viewer may see: public ones for
// everybody, drafts too for their organisers.
func (s *Server) handleEventList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := eventFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Events.FindEvents(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := eventListData{Events: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total), Kinds: event.Kinds,
		CanCreate: event.CanCreate(st.actor)}
	s.render(w, r, http.StatusOK, "event/list", s.newPage(r, "event.title", "events", data))
}

type eventData struct {
	Event event.Event
	// Mine is the viewer's registration, if any.
	Mine *event.Registration
	// Open: the event takes registrations (published, not over).
	Open   bool
	Error  string
	Errors map[string]string
	Form   event.RegistrationInput
}

// handleEvent shows an event: the public page, with the viewer's
// registration and what the viewer may do.
func (s *Server) handleEvent(w http.ResponseWriter, r *http.Request) {
	s.eventPage(w, r, http.StatusOK, eventData{})
}

func (s *Server) eventPage(w http.ResponseWriter, r *http.Request, status int, data eventData) {
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
	data.Event, data.Open = e, e.State == event.Published && !e.Past(s.Now())
	if st.actor.LoggedIn() {
		if reg, err := s.Events.MyRegistration(r.Context(), st.actor, id); err == nil {
			data.Mine = &reg
		} else if !apperr.Is(err, apperr.NotFound) {
			s.writeError(w, r, err)
			return
		}
	}
	s.render(w, r, status, "event/view", s.newPage(r, "event.event", "events", data))
}

// handleEventPublish publishes a draft from its page.
func (s *Server) handleEventPublish(w http.ResponseWriter, r *http.Request) {
	s.eventAction(w, r, func(id int64) error {
		_, err := s.Events.PublishEvent(r.Context(), state(r).actor, id)
		return err
	})
}

// handleEventCancel cancels an event with a reason.
func (s *Server) handleEventCancel(w http.ResponseWriter, r *http.Request) {
	s.eventAction(w, r, func(id int64) error {
		_, err := s.Events.CancelEvent(r.Context(), state(r).actor, id, r.PostFormValue("reason"))
		return err
	})
}

// handleEventWithdraw withdraws the viewer's registration.
func (s *Server) handleEventWithdraw(w http.ResponseWriter, r *http.Request) {
	s.eventAction(w, r, func(id int64) error {
		_, err := s.Events.WithdrawRegistration(r.Context(), state(r).actor, id)
		return err
	})
}

// eventAction runs a step taken from the event's page and shows the page
// again: with the message when the step was refused for a reason the
// viewer can fix, after a redirect when it succeeded.
func (s *Server) eventAction(w http.ResponseWriter, r *http.Request, step func(id int64) error) {
	id, err := pathID(r)
	if err == nil {
		err = step(id)
	}
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
		s.eventPage(w, r, formStatus(err), eventData{Error: errorText(state(r).lang, err)})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, event.Link(id), http.StatusSeeOther)
}

// handleEventRegister registers the viewer from the event's page.
func (s *Server) handleEventRegister(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in := event.RegistrationInput{Contact: event.Contact{Name: r.PostFormValue("contact_name"), Phone: r.PostFormValue("contact_phone"),
		Email: r.PostFormValue("contact_email")}, Note: r.PostFormValue("note")}
	_, err = s.Events.Register(r.Context(), st.actor, id, in)
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
		s.eventPage(w, r, formStatus(err), eventData{Error: errorText(st.lang, err), Errors: formErrors(st.lang, err), Form: in})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, event.Link(id), http.StatusSeeOther)
}
