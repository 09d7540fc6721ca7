package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/event"
	"kechuang/internal/market"
	"kechuang/internal/region"
)

// sessionRows is how many agenda rows the form offers beyond those filled.
const sessionRows = 3

type eventFormData struct {
	ID       int64
	Form     event.Input
	Errors   map[string]string
	Kinds    []event.Kind
	Regions  []region.Region
	Domains  []market.Domain
	Listings []market.Listing
	Picked   map[int64]bool
	Sessions []event.Session
}

// localInput is how a datetime-local field shows t.
func localInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format("2006-01-02T15:04")
}

// formLocalTime reads a datetime-local field in China time; empty is the
// zero time, a bad value an Invalid error naming the field.
func formLocalTime(r *http.Request, name string) (time.Time, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, chinaTime)
	if err != nil {
		return t, apperr.Fields(apperr.Field(name, "event.datetime_bad"))
	}
	return t, nil
}

func eventFormInt(r *http.Request, name string) (int, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, apperr.Fields(apperr.Field(name, "request.query_int_min", 0, v))
	}
	return n, nil
}

// readEventForm reads the event form; the first malformed number or time
// comes back as a field error with what was typed.
func readEventForm(r *http.Request) (event.Input, error) {
	in := event.Input{Kind: event.Kind(r.PostFormValue("kind")), Title: r.PostFormValue("title"), Summary: r.PostFormValue("summary"),
		Place: r.PostFormValue("place"), OnlineURL: r.PostFormValue("online_url"), Organiser: r.PostFormValue("organiser"),
		Theme: r.PostFormValue("theme"), Domain: r.PostFormValue("domain"), RegionCode: r.PostFormValue("region_code")}
	starts, titles, speakers := r.PostForm["session_starts"], r.PostForm["session_title"], r.PostForm["session_speaker"]
	for i := range titles {
		x := event.Session{Title: titles[i]}
		if i < len(starts) {
			x.Starts = starts[i]
		}
		if i < len(speakers) {
			x.Speaker = speakers[i]
		}
		in.Sessions = append(in.Sessions, x)
	}
	for _, v := range r.PostForm["pitches"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			in.Pitches = append(in.Pitches, id)
		}
	}
	var err error
	if in.StartsAt, err = formLocalTime(r, "starts_at"); err != nil {
		return in, err
	}
	if in.EndsAt, err = formLocalTime(r, "ends_at"); err != nil {
		return in, err
	}
	meet, err := formLocalTime(r, "meetings_at")
	if err != nil {
		return in, err
	}
	if !meet.IsZero() {
		in.MeetingsAt = &meet
	}
	for name, p := range map[string]*int{"places": &in.Capacity, "slot_minutes": &in.SlotMinutes, "slots": &in.Slots, "tables": &in.Tables} {
		if *p, err = eventFormInt(r, name); err != nil {
			return in, err
		}
	}
	return in, nil
}

func (s *Server) eventFormPage(w http.ResponseWriter, r *http.Request, status int, id int64, in event.Input, errs map[string]string) {
	st := state(r)
	if !event.CanCreate(st.actor) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "event.staff_only"))
		return
	}
	data := eventFormData{ID: id, Form: in, Errors: errs, Kinds: event.Kinds, Picked: map[int64]bool{}}
	for _, c := range s.regionChoices(r) {
		if st.actor.InScope(c.Code) {
			data.Regions = append(data.Regions, c)
		}
	}
	data.Domains = s.Market.Reference().Domains
	for _, k := range []market.Kind{market.Achievement, market.Financing} {
		list, _, err := s.Market.FindListings(r.Context(), st.actor, market.Filter{Kind: k, Region: st.actor.Scope(), PerPage: 50})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		data.Listings = append(data.Listings, list...)
	}
	for _, p := range in.Pitches {
		data.Picked[p] = true
	}
	data.Sessions = append(append([]event.Session(nil), in.Sessions...), make([]event.Session, sessionRows)...)
	title := "event.new"
	if id != 0 {
		title = "event.edit"
	}
	s.render(w, r, status, "event/form", s.newPage(r, title, "events", data))
}

// handleEventNew shows the empty event form.
func (s *Server) handleEventNew(w http.ResponseWriter, r *http.Request) {
	a := state(r).actor
	s.eventFormPage(w, r, http.StatusOK, 0, event.Input{Kind: event.Matchmaking, RegionCode: a.Region, Capacity: 50}, nil)
}

// handleEventCreate creates a draft event from the form.
func (s *Server) handleEventCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	in, err := readEventForm(r)
	var e event.Event
	if err == nil {
		e, err = s.Events.CreateEvent(r.Context(), st.actor, in)
	}
	if isFormError(err) {
		s.eventFormPage(w, r, http.StatusUnprocessableEntity, 0, in, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, event.Link(e.ID), http.StatusSeeOther)
}

// inputOf is the form of an existing event.
func inputOf(e event.Event) event.Input {
	in := event.Input{Kind: e.Kind, Title: e.Title, Summary: e.Summary, StartsAt: e.StartsAt, EndsAt: e.EndsAt, Place: e.Place,
		OnlineURL: e.OnlineURL, Organiser: e.Organiser, Theme: e.Theme, Domain: e.Domain, RegionCode: e.RegionCode,
		Capacity: e.Capacity, MeetingsAt: e.MeetingsAt, SlotMinutes: e.SlotMinutes, Slots: e.Slots, Tables: e.Tables, Sessions: e.Sessions}
	for _, p := range e.Pitches {
		in.Pitches = append(in.Pitches, p.ListingID)
	}
	return in
}

// managedEvent loads an event its organiser manages: anyone else gets the
// same NotFound as for a missing event.
func (s *Server) managedEvent(r *http.Request, a account.Actor) (event.Event, error) {
	id, err := pathID(r)
	if err != nil {
		return event.Event{}, err
	}
	e, err := s.Events.GetEvent(r.Context(), a, id)
	if err != nil {
		return event.Event{}, err
	}
	if !e.Can("manage") {
		return event.Event{}, apperr.New(apperr.NotFound, "event.not_found")
	}
	return e, nil
}

// handleEventEdit shows the form of an event its organiser may edit.
func (s *Server) handleEventEdit(w http.ResponseWriter, r *http.Request) {
	e, err := s.managedEvent(r, state(r).actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.eventFormPage(w, r, http.StatusOK, e.ID, inputOf(e), nil)
}

// handleEventUpdate saves the edit form.
func (s *Server) handleEventUpdate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := readEventForm(r)
	if err == nil {
		_, err = s.Events.UpdateEvent(r.Context(), st.actor, id, in)
	}
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
		errs := formErrors(st.lang, err)
		if len(errs) == 0 {
			errs = map[string]string{"form": errorText(st.lang, err)}
		}
		s.eventFormPage(w, r, formStatus(err), id, in, errs)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, event.Link(id), http.StatusSeeOther)
}
