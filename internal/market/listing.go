package market

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/apperr"
	"kechuang/internal/pii"
)

// Kind is what a listing offers or asks for.
type Kind string

// The kinds of listing.
const (
	Achievement Kind = "achievement" // 科技成果
	Demand      Kind = "demand"      // 技术需求
	Financing   Kind = "financing"   // 融资需求
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{Achievement, Demand, Financing}

// Valid reports whether k is a kind.
func (k Kind) Valid() bool { return k == Achievement || k == Demand || k == Financing }

// Rounds are the financing rounds (融资轮次) a financing need may state, in
// order; each has the label market.round.<code> in the catalogs.
var Rounds = []string{"seed", "angel", "pre-a", "a", "b", "c-plus", "strategic"}

// ValidRound reports whether r is a round code.
func ValidRound(r string) bool {
	for _, x := range Rounds {
		if x == r {
			return true
		}
	}
	return false
}

// Limits of a financing need's figures, in 万元.
const (
	maxAmount    = 1e7 // 1000 亿元
	maxUseOfFund = 2000
)

// State is where a listing is in its workflow.
type State string

// The states. Expired is never stored: a published listing past its expiry
// reads as expired.
const (
	Draft     State = "draft"
	Submitted State = "submitted"
	Published State = "published"
	Returned  State = "returned"
	Withdrawn State = "withdrawn"
	Closed    State = "closed"
	Expired   State = "expired"
)

// States lists the states in the order owners see them.
var States = []State{Draft, Submitted, Returned, Published, Expired, Withdrawn, Closed}

// Validity is how long a listing stays published before it expires.
const Validity = 365 * 24 * time.Hour

// IP is one piece of intellectual property behind an achievement.
type IP struct {
	Type   string `json:"type"`
	Number string `json:"number"`
	Status string `json:"status"`
}

// Contact is who to talk to about a listing. Only members, the owner and
// staff in scope see it.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Listing is an achievement or a demand.
type Listing struct {
	ID       int64    `json:"id"`
	Kind     Kind     `json:"kind"`
	State    State    `json:"state"` // as seen now: published listings past expiry read "expired"
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`            // achievement summary or demand problem, plain text
	Expected string   `json:"expected,omitempty"` // demand: expected result and indicators
	Keywords []string `json:"keywords"`
	Domain   string   `json:"domain"`   // "电子信息" or "电子信息/软件"
	Industry string   `json:"industry"` // GB/T 4754-2017, e.g. "C39"
	// TRL is an achievement's maturity (1–9) or the lowest maturity a
	// demand expects (0: not stated).
	TRL   int      `json:"trl,omitempty"`
	IP    []IP     `json:"ip,omitempty"`
	Team  string   `json:"team,omitempty"`
	Modes []string `json:"modes"`
	// Price is the asking price of an achievement in 万元; nil is 面议.
	Price *float64 `json:"price,omitempty"`
	// Band is the price band of an achievement (derived from Price) or the
	// budget band of a demand.
	Band     string `json:"band"`
	Deadline string `json:"deadline,omitempty"` // demand: YYYY-MM-DD
	// Amount is the sum a financing need seeks, in 万元.
	Amount float64 `json:"financing_amount,omitempty"`
	// Round is a financing need's round code (Rounds).
	Round string `json:"round,omitempty"`
	// UseOfFunds is what a financing need will spend the money on.
	UseOfFunds string `json:"use_of_funds,omitempty"`
	// Valuation is the pre-money valuation a financing need states, in
	// 万元; nil when not stated.
	Valuation  *float64 `json:"valuation,omitempty"`
	RegionCode string   `json:"region_code"`
	OwnerID    int64    `json:"owner_id"`
	OwnerName  string   `json:"owner_name"` // the owner's organization, or display name
	Contact    *Contact `json:"contact,omitempty"`
	// Anonymous is set while the owner hides behind 匿名发布: the owner
	// chose it and has not revealed itself (RevealedAt). Then only the
	// owner, staff in scope, the administrator and the entrusted broker
	// see OwnerID, OwnerName, Contact and Team; everybody else reads them
	// empty (view).
	Anonymous bool `json:"anonymous"`
	// RevealedAt is when the owner of an anonymous listing revealed itself
	// on it, for good.
	RevealedAt time.Time `json:"revealed_at,omitzero"`
	// BrokerID is the broker an anonymous listing is entrusted to: interest
	// in it goes to this broker first (0: to the region's staff).
	BrokerID   int64  `json:"broker_id,omitempty"`
	BrokerName string `json:"broker_name,omitempty"`
	ReviewNote string `json:"review_note,omitempty"`
	// TwinID is the listing this one nearly duplicates, found on submit; only
	// reviewers and the owner see it.
	TwinID      int64     `json:"twin_id,omitempty"`
	TwinScore   float64   `json:"twin_score,omitempty"`
	Views       int       `json:"views"`
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	stored State // the state column, before expiry is applied
}

// Stored returns the state as stored, with expired listings as published.
func (l Listing) Stored() State {
	if l.stored == "" {
		return l.State
	}
	return l.stored
}

// Paragraphs splits the summary into paragraphs for display.
func Paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Input is what an owner writes: every editable field of a listing.
type Input struct {
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`
	Expected string   `json:"expected"`
	Keywords []string `json:"keywords"`
	Domain   string   `json:"domain"`
	Industry string   `json:"industry"`
	TRL      int      `json:"trl"`
	IP       []IP     `json:"ip"`
	Team     string   `json:"team"`
	Modes    []string `json:"modes"`
	Price    *float64 `json:"price"`
	Band     string   `json:"band"` // demands: the budget band; achievements derive it from price
	Deadline string   `json:"deadline"`
	// Financing only: amount sought and optional valuation in 万元, round
	// code, use of funds.
	Amount     *float64 `json:"financing_amount"`
	Round      string   `json:"round"`
	UseOfFunds string   `json:"use_of_funds"`
	Valuation  *float64 `json:"valuation"`
	RegionCode string   `json:"region_code"`
	Contact    Contact  `json:"contact"`
	// Anonymous publishes an achievement or a demand without the owner's
	// name and contact; BrokerID optionally entrusts it to a broker, who
	// receives the interest in it. Financing needs cannot be anonymous.
	Anonymous bool  `json:"anonymous,omitempty"`
	BrokerID  int64 `json:"broker_id,omitempty"`
}

// Limits on text fields, in characters.
const (
	maxTitle    = 100
	maxText     = 5000
	maxShort    = 200
	maxKeywords = 8
	maxIP       = 20
	maxEmail    = 254 // RFC 5321's longest path
)

// htmlTag finds markup: the summary is plain text and HTML is refused
// rather than stripped, so that what the owner wrote is what readers see.
var htmlTag = regexp.MustCompile(`<\s*/?\s*[a-zA-Z!]`)

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

var phoneRE = regexp.MustCompile(`^[0-9+\-() ]{5,20}$`)

// normalizeText trims, unifies line ends and keeps at most one blank line
// between paragraphs.
func normalizeText(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out []string
	blank := false
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, " \t\u3000")
		if strings.TrimSpace(line) == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// Normalize trims every field, cleans text and lists, and drops empty IP
// rows and keywords.
func (in *Input) Normalize() {
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Summary, in.Expected, in.Team = normalizeText(in.Summary), normalizeText(in.Expected), normalizeText(in.Team)
	in.UseOfFunds, in.Round = normalizeText(in.UseOfFunds), strings.TrimSpace(in.Round)
	in.Domain, in.Industry = strings.TrimSpace(in.Domain), strings.ToUpper(strings.TrimSpace(in.Industry))
	in.Band, in.Deadline, in.RegionCode = strings.TrimSpace(in.Band), strings.TrimSpace(in.Deadline), strings.TrimSpace(in.RegionCode)
	in.Contact.Name, in.Contact.Phone = strings.TrimSpace(in.Contact.Name), strings.TrimSpace(in.Contact.Phone)
	in.Contact.Email = strings.TrimSpace(in.Contact.Email)
	in.Keywords = cleanList(in.Keywords)
	in.Modes = cleanList(in.Modes)
	if !in.Anonymous {
		in.BrokerID = 0 // only an anonymous listing is entrusted to a broker
	}
	var ip []IP
	for _, x := range in.IP {
		x.Type, x.Number, x.Status = strings.TrimSpace(x.Type), strings.TrimSpace(x.Number), strings.TrimSpace(x.Status)
		if x.Type != "" || x.Number != "" {
			ip = append(ip, x)
		}
	}
	in.IP = ip
}

func cleanList(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Validate checks a normalized input of kind k against the reference data
// and returns every bad field at once (apperr.Fields), or nil. today is the
// date a deadline must not precede.
func (in Input) Validate(k Kind, ref *Reference, today time.Time) error {
	var errs []apperr.FieldError
	add := func(field, key string, args ...any) { errs = append(errs, apperr.Field(field, key, args...)) }
	text := func(field, v string, max int, required bool) {
		switch {
		case v == "" && required:
			add(field, "error.required")
		case utf8.RuneCountInString(v) > max:
			add(field, "error.too_long", max)
		case htmlTag.MatchString(v):
			add(field, "market.no_html")
		}
	}
	text("title", in.Title, maxTitle, true)
	if n := utf8.RuneCountInString(in.Title); n > 0 && n < 4 {
		add("title", "market.title_short")
	}
	text("summary", in.Summary, maxText, true)
	text("expected", in.Expected, maxText, k == Demand)
	text("team", in.Team, maxText, false)
	if len(in.Keywords) > maxKeywords {
		add("keywords", "market.too_many_keywords", maxKeywords)
	}
	for _, kw := range in.Keywords {
		if utf8.RuneCountInString(kw) > 20 || htmlTag.MatchString(kw) {
			add("keywords", "market.keyword_bad", kw)
			break
		}
	}
	switch {
	case in.Domain == "":
		add("domain", "error.required")
	case !ref.ValidDomain(in.Domain):
		add("domain", "market.domain_unknown")
	}
	if in.Industry != "" && !ref.ValidIndustry(in.Industry) {
		add("industry", "market.industry_unknown")
	}
	if len(in.Modes) == 0 && k != Financing {
		add("modes", "market.modes_required")
	}
	for _, m := range in.Modes {
		if _, ok := findChoice(ref.Modes, m); !ok {
			add("modes", "market.mode_unknown", m)
			break
		}
	}
	if in.RegionCode == "" {
		add("region_code", "error.required")
	}
	if in.Contact.Name == "" {
		add("contact_name", "error.required")
	} else if utf8.RuneCountInString(in.Contact.Name) > 50 {
		add("contact_name", "error.too_long", 50)
	}
	if in.Contact.Phone == "" && in.Contact.Email == "" {
		add("contact_phone", "market.contact_required")
	}
	if in.Contact.Phone != "" && !phoneRE.MatchString(in.Contact.Phone) {
		add("contact_phone", "market.phone_bad")
	}
	switch {
	case utf8.RuneCountInString(in.Contact.Email) > maxEmail:
		add("contact_email", "error.too_long", maxEmail)
	case in.Contact.Email != "" && !emailRE.MatchString(in.Contact.Email):
		add("contact_email", "market.email_bad")
	case pii.IsMasked(in.Contact.Email):
		add("contact_email", "error.contact_masked")
	}
	if in.Anonymous && k == Financing {
		add("anonymous", "market.anonymous_financing")
	}
	switch k {
	case Achievement:
		if in.TRL < 1 || in.TRL > len(ref.TRL) {
			add("trl", "market.trl_range")
		}
		if len(in.IP) > maxIP {
			add("ip", "market.too_many_ip", maxIP)
		}
		for _, x := range in.IP {
			if _, ok := findChoice(ref.IPTypes, x.Type); !ok {
				add("ip", "market.ip_type_unknown")
				break
			}
			if x.Status != "" {
				if _, ok := findChoice(ref.IPStatuses, x.Status); !ok {
					add("ip", "market.ip_status_unknown")
					break
				}
			}
			if utf8.RuneCountInString(x.Number) > 50 {
				add("ip", "error.too_long", 50)
				break
			}
		}
		if in.Price != nil && (*in.Price < 0 || *in.Price > 1e7) {
			add("price", "market.price_range")
		}
		if in.Expected != "" || in.Deadline != "" {
			add("kind", "market.demand_fields")
		}
		if in.hasFinancing() {
			add("kind", "market.financing_fields")
		}
	case Financing:
		if len(in.IP) > 0 || in.Price != nil || in.Team != "" || in.Expected != "" || in.Deadline != "" || in.Band != "" ||
			len(in.Modes) > 0 || in.TRL != 0 {
			add("kind", "market.not_financing_fields")
		}
		switch {
		case in.Amount == nil:
			add("financing_amount", "error.required")
		case *in.Amount <= 0 || *in.Amount > maxAmount:
			add("financing_amount", "market.amount_range")
		}
		switch {
		case in.Round == "":
			add("round", "error.required")
		case !ValidRound(in.Round):
			add("round", "market.round_unknown")
		}
		text("use_of_funds", in.UseOfFunds, maxUseOfFund, true)
		if in.Valuation != nil && (*in.Valuation <= 0 || *in.Valuation > maxAmount*100) {
			add("valuation", "market.valuation_range")
		}
	case Demand:
		if len(in.IP) > 0 || in.Price != nil || in.Team != "" {
			add("kind", "market.achievement_fields")
		}
		if in.hasFinancing() {
			add("kind", "market.financing_fields")
		}
		// A demand's TRL is the lowest maturity it expects; 0 leaves it open.
		if in.TRL < 0 || in.TRL > len(ref.TRL) {
			add("trl", "market.trl_range")
		}
		if in.Band == "" {
			add("band", "error.required")
		} else if _, ok := ref.Band(in.Band); !ok {
			add("band", "market.band_unknown")
		}
		if in.Deadline != "" {
			d, err := time.Parse("2006-01-02", in.Deadline)
			switch {
			case err != nil:
				add("deadline", "error.date_format")
			case d.Before(today.Truncate(24 * time.Hour).Add(-24 * time.Hour)):
				add("deadline", "market.deadline_past")
			}
		}
	}
	if len(errs) > 0 {
		return apperr.Fields(errs...)
	}
	return nil
}

// hasFinancing reports whether any field of a financing need is filled.
func (in Input) hasFinancing() bool {
	return in.Amount != nil || in.Round != "" || in.UseOfFunds != "" || in.Valuation != nil
}

// Filter selects listings. Zero fields do not filter.
type Filter struct {
	Kind    Kind
	Domain  string // top-level name, or "top/second"
	Region  string // any region code: listings inside it
	TRLBand string // a TRL band code, e.g. "4-6"
	Mode    string // a transaction mode code
	Band    string // a price or budget band code
	Round   string // a financing round code
	Sort    string // "newest" (default) or "views"
	Page    int
	PerPage int

	// State and Mine select the actor's own listings (Mine) or, for
	// reviewers, the listings of a state in their scope. Without either,
	// Find returns public listings: published and not expired.
	State State
	Mine  bool
}

// Normalize fills defaults and clamps paging.
func (f *Filter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 {
		f.PerPage = 20
	}
	if f.PerPage > 100 {
		f.PerPage = 100
	}
	if f.Sort != "views" {
		f.Sort = "newest"
	}
}
