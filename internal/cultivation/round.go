package cultivation

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/workday"
)

func init() {
	audit.RegisterActions("round.create", "round.notice", "round.close", "round_application.apply",
		"round_application.recommend", "round_application.return", "round_application.accept", "round_application.reject",
		"round_application.send_back", "round_application.register", "round_objection.submit", "round_objection.answer",
		"round_application.attach",
		"enterprise.certificate")
}

// RoundState is where an application round (申报批次) is.
type RoundState string

// The round states: open (firms apply, counties check, the city reviews),
// notice (公示: the accepted firms are public and objections come in) and
// closed (registry numbers issued).
const (
	RoundOpen   RoundState = "open"
	RoundNotice RoundState = "notice"
	RoundClosed RoundState = "closed"
)

// RoundStates lists the round states in order.
var RoundStates = []RoundState{RoundOpen, RoundNotice, RoundClosed}

// RoundLevels are the levels a round's applications pass through.
type RoundLevels string

// The configurations: county check then city review, or the same with the
// accepted list exported to the province (报省).
const (
	LevelsCountyCity         RoundLevels = "county_city"
	LevelsCountyCityProvince RoundLevels = "county_city_province"
)

// RoundLevelChoices lists the level configurations.
var RoundLevelChoices = []RoundLevels{LevelsCountyCity, LevelsCountyCityProvince}

// AppState is where one application is.
type AppState string

// The application states. A county checks submitted and sent-back
// applications; the city reviews recommended ones; closing the round
// registers the accepted ones.
const (
	AppSubmitted   AppState = "submitted"   // 待县区审查
	AppReturned    AppState = "returned"    // 县区退回
	AppRecommended AppState = "recommended" // 县区已推荐，待市级审核
	AppSentBack    AppState = "sent_back"   // 市级退回县区
	AppAccepted    AppState = "accepted"    // 市级通过，进入公示
	AppRejected    AppState = "rejected"    // 市级不予通过（或异议成立）
	AppRegistered  AppState = "registered"  // 已入库，编号已发
)

// AppStates lists the application states in workflow order.
var AppStates = []AppState{AppSubmitted, AppReturned, AppRecommended, AppSentBack, AppAccepted, AppRejected, AppRegistered}

// The steps of an application, as the API names them.
const (
	StepApply     = "apply"
	StepRecommend = "recommend"
	StepReturn    = "return"
	StepAccept    = "accept"
	StepReject    = "reject"
	StepSendBack  = "send_back"
	StepRegister  = "register"
)

// DefaultNoticeDays is the 公示期 in working days when a round names none.
const DefaultNoticeDays = 10

// DefaultNumberFormat is the national registry-number layout: the year,
// the firm's county code and a four-digit sequence.
const DefaultNumberFormat = "{year}{region}{seq:4}"

// RoundRuleSets are the rule sets a round may be run for: the ladder's
// certificates (above-scale is a statistics category, not applied for).
var RoundRuleSets = []string{"tech-sme", "high-tech", "innovative-sme", "specialized-sme", "little-giant"}

// Round is one application round (申报批次) of one rule set in one year.
type Round struct {
	ID           int64        `json:"id"`
	RuleSet      string       `json:"rule_set"`
	Year         int          `json:"year"`
	Title        string       `json:"title"`
	RegionCode   string       `json:"region_code"`
	Opens        workday.Date `json:"opens"`
	Closes       workday.Date `json:"closes"`
	Levels       RoundLevels  `json:"levels"`
	NoticeDays   int          `json:"notice_days"`
	NumberFormat string       `json:"number_format"`
	State        RoundState   `json:"state"`
	NoticeFrom   workday.Date `json:"notice_from"`
	NoticeUntil  workday.Date `json:"notice_until"`
	// Applications counts the round's applications in the viewer's scope.
	Applications int       `json:"applications"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	// Actions are the round steps the viewer may take now: "apply",
	// "notice", "close".
	Actions []string `json:"actions"`
}

// AcceptsApplications reports whether firms may apply on day d.
func (r Round) AcceptsApplications(d workday.Date) bool {
	return r.State == RoundOpen && !d.Before(r.Opens) && !d.After(r.Closes)
}

// RoundInput creates a round. NoticeDays 0 means DefaultNoticeDays and an
// empty NumberFormat DefaultNumberFormat.
type RoundInput struct {
	RuleSet      string       `json:"rule_set"`
	Year         int          `json:"year"`
	Title        string       `json:"title"`
	Opens        workday.Date `json:"opens"`
	Closes       workday.Date `json:"closes"`
	Levels       RoundLevels  `json:"levels"`
	NoticeDays   int          `json:"notice_days"`
	NumberFormat string       `json:"number_format"`
}

const (
	maxRoundTitle   = 100
	maxNoticeDays   = 30
	maxNumberFormat = 40
	maxReason       = 500
	maxStatement    = 2000
	maxEvidence     = 30
	maxEvidenceRef  = 200
)

// Validate checks a new round and fills its defaults; every problem is
// reported at once, each naming its field.
func (in *RoundInput) Validate(now time.Time) error {
	in.Title = strings.TrimSpace(in.Title)
	in.NumberFormat = strings.TrimSpace(in.NumberFormat)
	if in.NoticeDays == 0 {
		in.NoticeDays = DefaultNoticeDays
	}
	if in.NumberFormat == "" {
		in.NumberFormat = DefaultNumberFormat
	}
	if in.Levels == "" {
		in.Levels = LevelsCountyCity
	}
	var fields []apperr.FieldError
	if !slices.Contains(RoundRuleSets, in.RuleSet) {
		fields = append(fields, apperr.Field("rule_set", "round.rule_set_invalid"))
	}
	if in.Year < 2000 || in.Year > now.Year()+1 {
		fields = append(fields, apperr.Field("year", "cultivation.year_range", now.Year()+1))
	}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		fields = append(fields, apperr.Field("title", "error.required"))
	case n > maxRoundTitle:
		fields = append(fields, apperr.Field("title", "error.too_long", maxRoundTitle))
	}
	if in.Opens.IsZero() {
		fields = append(fields, apperr.Field("opens", "error.required"))
	}
	if in.Closes.IsZero() {
		fields = append(fields, apperr.Field("closes", "error.required"))
	} else if !in.Opens.IsZero() && in.Closes.Before(in.Opens) {
		fields = append(fields, apperr.Field("closes", "round.closes_before_opens"))
	}
	if in.Levels != LevelsCountyCity && in.Levels != LevelsCountyCityProvince {
		fields = append(fields, apperr.Field("levels", "round.levels_invalid"))
	}
	if in.NoticeDays < 1 || in.NoticeDays > maxNoticeDays {
		fields = append(fields, apperr.Field("notice_days", "round.notice_days_range", maxNoticeDays))
	}
	if utf8.RuneCountInString(in.NumberFormat) > maxNumberFormat {
		fields = append(fields, apperr.Field("number_format", "error.too_long", maxNumberFormat))
	} else if err := checkNumberFormat(in.NumberFormat); err != nil {
		fields = append(fields, apperr.Field("number_format", "round.number_format_invalid"))
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

// numberToken matches one placeholder of a registry-number format.
var numberToken = regexp.MustCompile(`\{(year|region|seq(?::([1-9]))?)\}`)

// numberLiteral is what a format may hold besides its placeholders.
var numberLiteral = regexp.MustCompile(`^[A-Za-z0-9\-]*$`)

// checkNumberFormat reports whether f is a registry-number format: the
// placeholders {year}, {region} and exactly one {seq} or {seq:N} (N digits,
// zero-padded), with letters, digits and hyphens between them.
func checkNumberFormat(f string) error {
	seqs := 0
	for _, m := range numberToken.FindAllStringSubmatch(f, -1) {
		if strings.HasPrefix(m[1], "seq") {
			seqs++
		}
	}
	if seqs != 1 {
		return fmt.Errorf("number format %q: needs exactly one {seq}", f)
	}
	if rest := numberToken.ReplaceAllString(f, ""); !numberLiteral.MatchString(rest) {
		return fmt.Errorf("number format %q: only letters, digits and hyphens besides the placeholders", f)
	}
	return nil
}

// FormatRegistryNumber renders a registry number (入库登记编号) from a
// format checked by RoundInput.Validate: {year} is the round's year,
// {region} the firm's county code and {seq:N} the sequence padded to N
// digits (a longer sequence is written whole).
func FormatRegistryNumber(format string, year int, regionCode string, seq int) string {
	return numberToken.ReplaceAllStringFunc(format, func(tok string) string {
		m := numberToken.FindStringSubmatch(tok)
		switch {
		case m[1] == "year":
			return strconv.Itoa(year)
		case m[1] == "region":
			return regionCode
		}
		width := 1
		if m[2] != "" {
			width, _ = strconv.Atoi(m[2])
		}
		return fmt.Sprintf("%0*d", width, seq)
	})
}

// NoticeUntil returns the last day of a 公示 that starts on from and runs
// n working days, from itself counted when it is a working day; official
// is false when a day counted lies in a year the calendar has no notice
// for (Monday–Friday was assumed).
func NoticeUntil(cal *workday.Calendar, from workday.Date, n int) (until workday.Date, official bool) {
	return cal.AddWorkdays(from.AddDays(-1), n)
}

// Checklist is the county's 形式审查: the form is complete, it agrees with
// the registry, and the evidence each condition names is present. All three
// must hold to recommend.
type Checklist struct {
	Complete   bool `json:"complete"`
	Consistent bool `json:"consistent"`
	Evidence   bool `json:"evidence"`
}

// Evidence is one supporting document of an application: the condition
// of the rule set it supports ("" for the application as a whole), the
// document's name and where it is kept (an archive number, a file name, a
// link).
type Evidence struct {
	Condition string `json:"condition"`
	Name      string `json:"name"`
	Ref       string `json:"ref"`
}

// Application is one firm's application in a round. Assessment is the
// self-assessment as it stood when the firm applied, frozen with the rule
// set's version; the registry fields (name, credit code, domain) are the
// snapshot taken then.
type Application struct {
	ID             int64           `json:"id"`
	RoundID        int64           `json:"round_id"`
	EnterpriseID   int64           `json:"enterprise_id"`
	EnterpriseName string          `json:"enterprise_name"`
	CreditCode     string          `json:"credit_code"`
	Domain         string          `json:"domain"`
	RegionCode     string          `json:"region_code"`
	State          AppState        `json:"state"`
	Origin         string          `json:"origin"` // enterprise or county
	RuleVersion    string          `json:"rule_version"`
	Verdict        Verdict         `json:"verdict"`
	Assessment     json.RawMessage `json:"assessment"`
	Evidence       []Evidence      `json:"evidence"`
	Checklist      Checklist       `json:"checklist"`
	Statement      string          `json:"statement"`
	Reason         string          `json:"reason"`
	RegistryNumber string          `json:"registry_number"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	// Actions are the steps the viewer may take now.
	Actions []string `json:"actions"`
	// Events is the application's record, oldest first (GetApplication).
	Events []AppEvent `json:"events,omitempty"`
	// Mismatch names the registry fields that changed since the firm
	// applied (GetApplication), for the county's consistency check.
	Mismatch []string `json:"mismatch,omitempty"`
	// Files are the uploaded evidence files (GetApplication).
	Files []EvidenceFile `json:"files,omitempty"`
	// CanAttach reports whether the viewer may upload evidence files now
	// (GetApplication).
	CanAttach bool `json:"can_attach,omitempty"`
}

// AppEvent is one step of an application's record.
type AppEvent struct {
	Action    string    `json:"action"`
	From      AppState  `json:"from,omitempty"`
	To        AppState  `json:"to"`
	Note      string    `json:"note,omitempty"`
	ActorName string    `json:"actor_name,omitempty"`
	At        time.Time `json:"at"`
}

// ApplicationInput creates an application: the enterprise (an enterprise
// account may leave it 0 for its own firm), the evidence and a statement.
type ApplicationInput struct {
	EnterpriseID int64      `json:"enterprise_id"`
	Evidence     []Evidence `json:"evidence"`
	Statement    string     `json:"statement"`
}

// StepInput is what a step takes: the county's checklist (recommend), a
// reason (return, reject, send back: required) or a note (accept).
type StepInput struct {
	Checklist Checklist `json:"checklist"`
	Reason    string    `json:"reason"`
}

// ApplicationFilter selects a round's applications. Zero fields do not
// filter.
type ApplicationFilter struct {
	State   AppState
	Region  string // county code or prefix
	Page    int
	PerPage int
}

// Normalize clamps paging.
func (f *ApplicationFilter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	if f.PerPage > 200 {
		f.PerPage = 200
	}
}

// StageCount is the number of a county's applications in each state.
type StageCount struct {
	RegionCode string           `json:"region_code"`
	RegionName string           `json:"region_name"`
	States     map[AppState]int `json:"states"`
	Total      int              `json:"total"`
}

// NoticeFirm is one firm on a round's public notice.
type NoticeFirm struct {
	ApplicationID  int64  `json:"application_id"`
	Name           string `json:"name"`
	CreditCode     string `json:"credit_code"`
	County         string `json:"county"`
	Domain         string `json:"domain"`
	RegistryNumber string `json:"registry_number,omitempty"`
}

// Notice is a round's public notice (公示): the firms accepted, the period
// and whether objections are taken now.
type Notice struct {
	RoundID     int64        `json:"round_id"`
	Title       string       `json:"title"`
	RuleSet     string       `json:"rule_set"`
	Year        int          `json:"year"`
	State       RoundState   `json:"state"`
	NoticeFrom  workday.Date `json:"notice_from"`
	NoticeUntil workday.Date `json:"notice_until"`
	NoticeDays  int          `json:"notice_days"`
	Open        bool         `json:"open"` // objections taken today
	Firms       []NoticeFirm `json:"firms"`
}

// ObjectionInput is an objection (异议) sent from the public notice.
type ObjectionInput struct {
	RoundID       int64  `json:"round_id"`
	ApplicationID int64  `json:"application_id"`
	Name          string `json:"name"`
	Contact       string `json:"contact"`
	Reason        string `json:"reason"`
	Evidence      string `json:"evidence"`
}

// Limits on an objection's fields, in characters.
const (
	maxObjectionName     = 50
	maxObjectionContact  = 100
	maxObjectionReason   = 2000
	maxObjectionEvidence = 2000
	maxAnswer            = 2000
)

// Validate trims and checks an objection, all problems at once.
func (in *ObjectionInput) Validate() error {
	in.Name, in.Contact = strings.TrimSpace(in.Name), strings.TrimSpace(in.Contact)
	in.Reason, in.Evidence = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Evidence)
	var fields []apperr.FieldError
	for _, f := range []struct {
		name, value string
		max         int
		required    bool
	}{
		{"name", in.Name, maxObjectionName, true}, {"contact", in.Contact, maxObjectionContact, true},
		{"reason", in.Reason, maxObjectionReason, true}, {"evidence", in.Evidence, maxObjectionEvidence, false},
	} {
		switch n := utf8.RuneCountInString(f.value); {
		case n == 0 && f.required:
			fields = append(fields, apperr.Field(f.name, "error.required"))
		case n > f.max:
			fields = append(fields, apperr.Field(f.name, "error.too_long", f.max))
		}
	}
	if in.RoundID < 1 {
		fields = append(fields, apperr.Field("round_id", "error.required"))
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

// Objection is an objection with its answer. Contact is shown to staff
// only.
type Objection struct {
	ID             int64     `json:"id"`
	RoundID        int64     `json:"round_id"`
	RoundTitle     string    `json:"round_title"`
	ApplicationID  int64     `json:"application_id,omitempty"`
	EnterpriseName string    `json:"enterprise_name,omitempty"`
	RegionCode     string    `json:"region_code"`
	Name           string    `json:"name"`
	Contact        string    `json:"contact"`
	Reason         string    `json:"reason"`
	Evidence       string    `json:"evidence"`
	Answered       bool      `json:"answered"`
	Answer         string    `json:"answer"`
	Upheld         bool      `json:"upheld"`
	AnsweredAt     time.Time `json:"answered_at,omitzero"`
	CreatedAt      time.Time `json:"created_at"`
	// CanAnswer reports whether the viewer may answer it now.
	CanAnswer bool `json:"can_answer"`
}

// ObjectionFilter selects objections. Zero fields do not filter.
type ObjectionFilter struct {
	RoundID int64
	Open    bool // unanswered only
	Page    int
	PerPage int
}

// Objection throttling, per sender address: a public form needs no login
// and shows no captcha, so the address's recent count is the brake.
const (
	objectionsPerHour = 3
	objectionsPerDay  = 10
	// objectionsPerRound caps one round's objections, so that a flood from
	// many addresses cannot bury staff.
	objectionsPerRound = 500
)

// objectionContact is the sealed column of an objection's contact.
var objectionContact = pii.Column{Table: "round_objections", Name: "contact"}
