package challenge

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/apperr"
	"kechuang/internal/workday"
)

// Kind is who publishes a challenge.
type Kind string

// The kinds.
const (
	KindGov        Kind = "gov"        // 政府榜: published by bureau or county staff
	KindEnterprise Kind = "enterprise" // 企业榜: drafted by an enterprise, reviewed by staff
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{KindGov, KindEnterprise}

// Stage is where a challenge is.
type Stage string

// The stages, in order.
const (
	Draft        Stage = "draft"        // 草稿: terms still editable
	Vetting      Stage = "review"       // 榜单审核
	Published    Stage = "published"    // 发榜: applications taken
	Closed       Stage = "closed"       // 揭榜截止
	Screening    Stage = "screening"    // 形式审查
	Reviewing    Stage = "reviewing"    // 专家评审
	Defense      Stage = "defense"      // 答辩 (optional)
	Notice       Stage = "notice"       // 公示
	Signed       Stage = "signed"       // 签约: the project exists
	Implementing Stage = "implementing" // 实施
	Accepted     Stage = "accepted"     // 验收
)

// Stages lists the stages in order.
var Stages = []Stage{Draft, Vetting, Published, Closed, Screening, Reviewing, Defense, Notice, Signed, Implementing, Accepted}

// Valid reports whether st is a stage.
func (st Stage) Valid() bool { return slices.Contains(Stages, st) }

// Public reports whether a challenge in the stage is shown to everyone.
func (st Stage) Public() bool { return st != Draft && st != Vetting }

// after reports whether st comes at or after o.
func (st Stage) after(o Stage) bool { return slices.Index(Stages, st) >= slices.Index(Stages, o) }

// The stage actions.
const (
	ActSubmit    = "submit"    // draft → review, by the author
	ActApprove   = "approve"   // review → published
	ActReturn    = "return"    // review → draft, with the reason
	ActClose     = "close"     // published → closed
	ActScreen    = "screen"    // closed → screening
	ActReview    = "review"    // screening → reviewing
	ActDefense   = "defense"   // reviewing → defense
	ActNotice    = "notice"    // reviewing or defense → notice, naming the selected application
	ActSign      = "sign"      // notice → signed: the project is created
	ActImplement = "implement" // signed → implementing: the project starts
	ActAccept    = "accept"    // implementing → accepted: the project is completed
)

// transitions gives, for each action, the stages it leaves from and the
// stage it leads to.
var transitions = map[string]struct {
	from []Stage
	to   Stage
}{
	ActSubmit:    {[]Stage{Draft}, Vetting},
	ActApprove:   {[]Stage{Vetting}, Published},
	ActReturn:    {[]Stage{Vetting}, Draft},
	ActClose:     {[]Stage{Published}, Closed},
	ActScreen:    {[]Stage{Closed}, Screening},
	ActReview:    {[]Stage{Screening}, Reviewing},
	ActDefense:   {[]Stage{Reviewing}, Defense},
	ActNotice:    {[]Stage{Reviewing, Defense}, Notice},
	ActSign:      {[]Stage{Notice}, Signed},
	ActImplement: {[]Stage{Signed}, Implementing},
	ActAccept:    {[]Stage{Implementing}, Accepted},
}

// Actions lists the stage actions in the order pages offer them.
var Actions = []string{ActSubmit, ActApprove, ActReturn, ActClose, ActScreen, ActReview, ActDefense, ActNotice, ActSign,
	ActImplement, ActAccept}

// Criterion is one criterion of the review scheme with its weight; the
// weights of a scheme sum to 100.
type Criterion struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
}

// Challenge is one 榜单.
type Challenge struct {
	ID            int64        `json:"id"`
	Kind          Kind         `json:"kind"`
	Title         string       `json:"title"`
	Problem       string       `json:"problem"`
	Indicators    []string     `json:"indicators"`
	Field         string       `json:"field"`
	Budget        float64      `json:"budget"` // 万元
	PeriodMonths  int          `json:"period_months"`
	Eligibility   string       `json:"eligibility"`
	IPTerms       string       `json:"ip_terms"`
	PaymentTerms  string       `json:"payment_terms"`
	Criteria      []Criterion  `json:"criteria"`
	Blind         bool         `json:"blind"`
	Defense       bool         `json:"defense"`
	NoticeDays    int          `json:"notice_days"`
	ApplyUntil    workday.Date `json:"apply_until"`
	RegionCode    string       `json:"region_code"`
	PublisherID   int64        `json:"-"`
	PublisherName string       `json:"publisher_name"`
	Stage         Stage        `json:"stage"`
	ReturnNote    string       `json:"return_note,omitempty"`
	NoticeFrom    workday.Date `json:"notice_from"`
	NoticeUntil   workday.Date `json:"notice_until"`
	SelectedID    int64        `json:"selected_id,omitempty"`
	ProjectID     int64        `json:"project_id,omitempty"`
	PublishedAt   time.Time    `json:"published_at,omitzero"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
	// Actions are the stage actions the viewer may take now.
	Actions []string `json:"actions"`
	// Steps is the stage history, filled by GetChallenge.
	Steps []Step `json:"steps,omitempty"`
}

// Step is one stage change with its date.
type Step struct {
	Action    string    `json:"action"`
	From      Stage     `json:"from"`
	To        Stage     `json:"to"`
	Note      string    `json:"note,omitempty"`
	ActorName string    `json:"actor_name,omitempty"`
	At        time.Time `json:"at"`
}

// Input creates a challenge or changes a draft.
type Input struct {
	Kind          Kind         `json:"kind"`
	Title         string       `json:"title"`
	Problem       string       `json:"problem"`
	Indicators    []string     `json:"indicators"`
	Field         string       `json:"field"`
	Budget        float64      `json:"budget"`
	PeriodMonths  int          `json:"period_months"`
	Eligibility   string       `json:"eligibility"`
	IPTerms       string       `json:"ip_terms"`
	PaymentTerms  string       `json:"payment_terms"`
	Criteria      []Criterion  `json:"criteria"`
	Blind         bool         `json:"blind"`
	Defense       bool         `json:"defense"`
	NoticeDays    int          `json:"notice_days"`
	ApplyUntil    workday.Date `json:"apply_until"`
	PublisherName string       `json:"publisher_name"`
}

// DefaultNoticeDays is the 公示期 in working days when a challenge names
// none.
const DefaultNoticeDays = 5

// Limits of a challenge's fields.
const (
	maxTitle      = 100
	maxLong       = 4000
	maxTerms      = 2000
	maxIndicators = 10
	maxIndicator  = 200
	maxCriteria   = 10
	maxCriterion  = 50
	maxBudget     = 1e6 // 万元: a hundred billion yuan
	maxPeriod     = 120 // months
	maxNoticeDays = 30
	maxPublisher  = 100
	maxField      = 64
)

// htmlTag finds markup: texts are plain, and markup is refused rather than
// stripped so that what was written is what readers see.
var htmlTag = regexp.MustCompile(`<\s*/?\s*[a-zA-Z!]`)

// collect gathers field errors.
type collect []apperr.FieldError

func (c *collect) field(field, key string, args ...any) {
	*c = append(*c, apperr.Field(field, key, args...))
}

func (c *collect) text(field string, s *string, limit int, required bool) {
	*s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(*s, "\r\n", "\n"), "\r", "\n"))
	switch {
	case *s == "" && required:
		c.field(field, "error.required")
	case utf8.RuneCountInString(*s) > limit:
		c.field(field, "error.too_long", limit)
	case htmlTag.MatchString(*s):
		c.field(field, "challenge.no_html")
	}
}

func (c collect) err() error {
	if len(c) == 0 {
		return nil
	}
	return apperr.Fields(c...)
}

// Validate trims the input and checks every field, all problems at once:
// the review scheme's weights must sum to 100.
func (in *Input) Validate() error {
	var c collect
	if !slices.Contains(Kinds, in.Kind) {
		c.field("kind", "challenge.kind_unknown")
	}
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	c.text("title", &in.Title, maxTitle, true)
	c.text("problem", &in.Problem, maxLong, true)
	c.text("field", &in.Field, maxField, true)
	c.text("eligibility", &in.Eligibility, maxTerms, true)
	c.text("ip_terms", &in.IPTerms, maxTerms, true)
	c.text("payment_terms", &in.PaymentTerms, maxTerms, true)
	c.text("publisher_name", &in.PublisherName, maxPublisher, false)
	var inds []string
	for _, s := range in.Indicators {
		if s = strings.TrimSpace(s); s != "" {
			inds = append(inds, s)
		}
	}
	in.Indicators = inds
	switch {
	case len(inds) == 0:
		c.field("indicators", "error.required")
	case len(inds) > maxIndicators:
		c.field("indicators", "challenge.too_many", maxIndicators)
	default:
		for _, s := range inds {
			if utf8.RuneCountInString(s) > maxIndicator || htmlTag.MatchString(s) {
				c.field("indicators", "error.too_long", maxIndicator)
				break
			}
		}
	}
	if in.Budget <= 0 || in.Budget > maxBudget || math.IsNaN(in.Budget) {
		c.field("budget", "challenge.budget_range", strconv.Itoa(maxBudget))
	}
	if in.PeriodMonths < 1 || in.PeriodMonths > maxPeriod {
		c.field("period_months", "challenge.period_range", maxPeriod)
	}
	if in.NoticeDays == 0 {
		in.NoticeDays = DefaultNoticeDays
	}
	if in.NoticeDays < 1 || in.NoticeDays > maxNoticeDays {
		c.field("notice_days", "challenge.notice_days_range", maxNoticeDays)
	}
	if in.ApplyUntil.IsZero() {
		c.field("apply_until", "error.required")
	}
	c.criteria(in.Criteria)
	return c.err()
}

func (c *collect) criteria(cs []Criterion) {
	if len(cs) == 0 {
		c.field("criteria", "error.required")
		return
	}
	if len(cs) > maxCriteria {
		c.field("criteria", "challenge.too_many", maxCriteria)
		return
	}
	sum := 0
	for i := range cs {
		cs[i].Name = strings.TrimSpace(cs[i].Name)
		if cs[i].Name == "" || utf8.RuneCountInString(cs[i].Name) > maxCriterion || htmlTag.MatchString(cs[i].Name) ||
			cs[i].Weight < 1 || cs[i].Weight > 100 {
			c.field("criteria", "challenge.criterion_invalid", i+1)
			return
		}
		sum += cs[i].Weight
	}
	if sum != 100 {
		c.field("criteria", "challenge.weights_sum", sum)
	}
}

// ParseCriteria reads a review scheme written one criterion a line as
// "名称 权重" (the weight last, after a space, comma or colon). A line it
// cannot read is an Invalid error on field naming the line.
func ParseCriteria(field, text string) ([]Criterion, error) {
	var out []Criterion
	for i, line := range lines(text) {
		m := criterionLine.FindStringSubmatch(line)
		if m == nil {
			return nil, apperr.Fields(apperr.Field(field, "challenge.line_invalid", i+1))
		}
		w, _ := strconv.Atoi(m[2])
		out = append(out, Criterion{Name: strings.TrimSpace(m[1]), Weight: w})
	}
	return out, nil
}

var criterionLine = regexp.MustCompile(`^(.+?)[\s,，:：]+(\d{1,3})\s*[%％]?$`)

// FormatCriteria writes a scheme as ParseCriteria reads it.
func FormatCriteria(cs []Criterion) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s %d\n", c.Name, c.Weight)
	}
	return b.String()
}

// lines splits text into its non-empty trimmed lines.
func lines(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Lines splits a textarea into its non-empty lines (indicators).
func Lines(text string) []string { return lines(text) }

// Filter selects challenges. Zero fields do not filter.
type Filter struct {
	Query   string
	Kind    Kind
	Stage   Stage
	Mine    bool // the actor's own drafts and applications' challenges
	Page    int
	PerPage int
}
