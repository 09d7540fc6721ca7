package event

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/apperr"
	"kechuang/internal/market"
)

// Kind is what sort of event it is.
type Kind string

// The kinds of event.
const (
	Roadshow    Kind = "roadshow"    // 路演
	Matchmaking Kind = "matchmaking" // 对接会
)

// Kinds lists the kinds in the order forms offer them.
var Kinds = []Kind{Roadshow, Matchmaking}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Roadshow || k == Matchmaking }

// State is where an event is in its life.
type State string

// The states of an event. Only published (and cancelled) events are public.
const (
	Draft     State = "draft"
	Published State = "published"
	Cancelled State = "cancelled"
)

// Session is one item of an event's agenda: its local start time ("14:30"),
// title and speaker.
type Session struct {
	Starts  string `json:"starts"`
	Title   string `json:"title"`
	Speaker string `json:"speaker"`
}

// Pitch is a market listing shown at the event.
type Pitch struct {
	ListingID int64       `json:"listing_id"`
	Kind      market.Kind `json:"kind"`
	Title     string      `json:"title"`
	OwnerName string      `json:"owner_name"`
}

// Event is a 路演 or 对接会.
type Event struct {
	ID         int64     `json:"id"`
	Kind       Kind      `json:"kind"`
	State      State     `json:"state"`
	Title      string    `json:"title"`
	Summary    string    `json:"summary"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	Place      string    `json:"place"`
	OnlineURL  string    `json:"online_url"`
	Organiser  string    `json:"organiser"`
	Theme      string    `json:"theme"`
	Domain     string    `json:"domain"`
	RegionCode string    `json:"region_code"`
	Capacity   int       `json:"places"`
	// MeetingsAt is when the first meeting slot starts; nil when the event
	// has no one-to-one meetings.
	MeetingsAt  *time.Time `json:"meetings_at"`
	SlotMinutes int        `json:"slot_minutes"`
	Slots       int        `json:"slots"`
	Tables      int        `json:"tables"`
	Sessions    []Session  `json:"sessions"`
	Pitches     []Pitch    `json:"pitches"`
	// Approved and Waitlisted count the registrations holding a place and
	// waiting for one.
	Approved    int        `json:"approved"`
	Waitlisted  int        `json:"waitlisted"`
	CreatedBy   int64      `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	PublishedAt *time.Time `json:"published_at"`
	// Actions are what the viewer may do with the event: edit, publish,
	// cancel, manage (registrations, meetings, funnel), register.
	Actions []string `json:"actions"`
}

// HasMeetings reports whether the event books one-to-one meetings.
func (e Event) HasMeetings() bool { return e.MeetingsAt != nil && e.Slots > 0 && e.Tables > 0 }

// SlotStart returns when slot n (1-based) starts.
func (e Event) SlotStart(n int) time.Time {
	if e.MeetingsAt == nil {
		return time.Time{}
	}
	return e.MeetingsAt.Add(time.Duration((n-1)*e.SlotMinutes) * time.Minute)
}

// SlotTimes lists the start of every slot, slot 1 first.
func (e Event) SlotTimes() []time.Time {
	if !e.HasMeetings() {
		return nil
	}
	out := make([]time.Time, e.Slots)
	for i := range out {
		out[i] = e.SlotStart(i + 1)
	}
	return out
}

// Past reports whether the event has ended at now.
func (e Event) Past(now time.Time) bool { return !now.Before(e.EndsAt) }

// Can reports whether action is among the viewer's actions.
func (e Event) Can(action string) bool {
	for _, a := range e.Actions {
		if a == action {
			return true
		}
	}
	return false
}

// Input is what staff write to create or change an event.
type Input struct {
	Kind        Kind       `json:"kind"`
	Title       string     `json:"title"`
	Summary     string     `json:"summary"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      time.Time  `json:"ends_at"`
	Place       string     `json:"place"`
	OnlineURL   string     `json:"online_url"`
	Organiser   string     `json:"organiser"`
	Theme       string     `json:"theme"`
	Domain      string     `json:"domain"`
	RegionCode  string     `json:"region_code"`
	Capacity    int        `json:"places"`
	MeetingsAt  *time.Time `json:"meetings_at"`
	SlotMinutes int        `json:"slot_minutes"`
	Slots       int        `json:"slots"`
	Tables      int        `json:"tables"`
	Sessions    []Session  `json:"sessions"`
	Pitches     []int64    `json:"pitches"`
}

// Limits of an event's fields.
const (
	maxTitle    = 100
	maxSummary  = 2000
	maxPlace    = 200
	maxURL      = 500
	maxName     = 100
	maxSpeaker  = 50
	maxSessions = 50
	maxPitches  = 50
	maxCapacity = 10000
	maxSlots    = 48
	maxTables   = 500
	maxNote     = 1000
)

var (
	htmlTag  = regexp.MustCompile(`<\s*/?\s*[a-zA-Z!]`)
	clockRE  = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	regionRE = regexp.MustCompile(`^[0-9]{6}$`)
)

// Normalize trims the text fields and drops empty agenda rows.
func (in *Input) Normalize() {
	for _, p := range []*string{&in.Title, &in.Place, &in.OnlineURL, &in.Organiser, &in.Theme, &in.Domain, &in.RegionCode} {
		*p = strings.TrimSpace(*p)
	}
	in.Summary = strings.TrimSpace(strings.ReplaceAll(in.Summary, "\r\n", "\n"))
	var ss []Session
	for _, s := range in.Sessions {
		s.Starts, s.Title, s.Speaker = strings.TrimSpace(s.Starts), strings.TrimSpace(s.Title), strings.TrimSpace(s.Speaker)
		if s.Starts != "" || s.Title != "" || s.Speaker != "" {
			ss = append(ss, s)
		}
	}
	in.Sessions = ss
	seen := map[int64]bool{}
	var ps []int64
	for _, id := range in.Pitches {
		if id > 0 && !seen[id] {
			seen[id] = true
			ps = append(ps, id)
		}
	}
	in.Pitches = ps
}

func text(errs []apperr.FieldError, field, v string, required bool, limit int) []apperr.FieldError {
	switch {
	case v == "" && required:
		return append(errs, apperr.Field(field, "error.required"))
	case utf8.RuneCountInString(v) > limit:
		return append(errs, apperr.Field(field, "error.too_long", limit))
	case htmlTag.MatchString(v):
		return append(errs, apperr.Field(field, "event.no_html"))
	}
	return errs
}

// ValidURL reports whether s is an absolute http or https URL with a host:
// the only online links an event may give.
func ValidURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// Validate returns every bad field at once, or nil. ref checks the
// high-tech domain.
func (in Input) Validate(ref *market.Reference) error {
	var errs []apperr.FieldError
	if !in.Kind.Valid() {
		errs = append(errs, apperr.Field("kind", "error.required"))
	}
	errs = text(errs, "title", in.Title, true, maxTitle)
	errs = text(errs, "summary", in.Summary, false, maxSummary)
	errs = text(errs, "organiser", in.Organiser, true, maxName)
	errs = text(errs, "theme", in.Theme, false, maxName)
	errs = text(errs, "place", in.Place, false, maxPlace)
	if in.StartsAt.IsZero() {
		errs = append(errs, apperr.Field("starts_at", "error.required"))
	}
	switch {
	case in.EndsAt.IsZero():
		errs = append(errs, apperr.Field("ends_at", "error.required"))
	case !in.StartsAt.IsZero() && !in.EndsAt.After(in.StartsAt):
		errs = append(errs, apperr.Field("ends_at", "event.ends_before_start"))
	}
	switch {
	case utf8.RuneCountInString(in.OnlineURL) > maxURL:
		errs = append(errs, apperr.Field("online_url", "error.too_long", maxURL))
	case in.OnlineURL != "" && !ValidURL(in.OnlineURL):
		errs = append(errs, apperr.Field("online_url", "event.url_scheme"))
	}
	if in.Place == "" && in.OnlineURL == "" {
		errs = append(errs, apperr.Field("place", "event.place_required"))
	}
	if in.Domain != "" && (ref == nil || !ref.ValidDomain(in.Domain)) {
		errs = append(errs, apperr.Field("domain", "event.domain_unknown"))
	}
	if in.RegionCode != "" && !regionRE.MatchString(in.RegionCode) {
		errs = append(errs, apperr.Field("region_code", "event.region_bad"))
	}
	if in.Capacity < 1 || in.Capacity > maxCapacity {
		errs = append(errs, apperr.Field("places", "event.range", 1, maxCapacity))
	}
	if in.MeetingsAt != nil {
		if in.SlotMinutes < 5 || in.SlotMinutes > 240 {
			errs = append(errs, apperr.Field("slot_minutes", "event.range", 5, 240))
		}
		if in.Slots < 1 || in.Slots > maxSlots {
			errs = append(errs, apperr.Field("slots", "event.range", 1, maxSlots))
		}
		if in.Tables < 1 || in.Tables > maxTables {
			errs = append(errs, apperr.Field("tables", "event.range", 1, maxTables))
		}
	}
	if len(in.Sessions) > maxSessions {
		errs = append(errs, apperr.Field("sessions", "event.too_many", maxSessions))
	}
	for _, s := range in.Sessions {
		if !clockRE.MatchString(s.Starts) {
			errs = append(errs, apperr.Field("session_starts", "event.clock_bad"))
			break
		}
	}
	for _, s := range in.Sessions {
		if n := len(errs); len(text(errs, "session_title", s.Title, true, maxTitle)) > n {
			errs = text(errs, "session_title", s.Title, true, maxTitle)
			break
		}
	}
	for _, s := range in.Sessions {
		if n := len(errs); len(text(errs, "session_speaker", s.Speaker, false, maxSpeaker)) > n {
			errs = text(errs, "session_speaker", s.Speaker, false, maxSpeaker)
			break
		}
	}
	if len(in.Pitches) > maxPitches {
		errs = append(errs, apperr.Field("pitches", "event.too_many", maxPitches))
	}
	if len(errs) > 0 {
		return apperr.Fields(errs...)
	}
	return nil
}

// Filter selects events.
type Filter struct {
	Kind Kind
	// When is "upcoming" (not ended), "past" (ended) or "" (both).
	When string
	// Manage lists the events the actor organises, drafts included.
	Manage  bool
	Page    int
	PerPage int
}

// Normalize fills defaults and clamps paging.
func (f *Filter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 || f.PerPage > 200 {
		f.PerPage = 25
	}
}
