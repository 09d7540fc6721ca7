package cultivation

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/apperr"
	"kechuang/internal/pii"
	"kechuang/internal/region"
)

// Enterprise is one firm of the registry (企业库). Tier is the tier staff
// confirmed in the cultivation pool; ProposedTier and ProposedNext come from
// the last assessment.
type Enterprise struct {
	ID           int64         `json:"id"`
	CreditCode   string        `json:"credit_code"`
	Name         string        `json:"name"`
	RegionCode   string        `json:"region_code"`
	Address      string        `json:"address,omitempty"`
	Industry     string        `json:"industry,omitempty"`
	Domain       string        `json:"domain,omitempty"`
	Founded      Date          `json:"founded"`
	Listed       bool          `json:"listed"`
	Board        string        `json:"board,omitempty"`
	Tags         []string      `json:"tags"`
	ContactName  string        `json:"contact_name,omitempty"`
	ContactPhone string        `json:"contact_phone,omitempty"`
	ContactEmail string        `json:"contact_email,omitempty"`
	AccountID    int64         `json:"account_id,omitempty"`
	Certificates []Certificate `json:"certificates"`
	Extra        Extra         `json:"extra"`
	Tier         string        `json:"tier,omitempty"`
	ProposedTier string        `json:"proposed_tier,omitempty"`
	ProposedNext string        `json:"proposed_next,omitempty"`
	AssessedAt   time.Time     `json:"assessed_at,omitzero"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

// Extra holds the facts that only some rule sets need (see AssessmentInput).
type Extra struct {
	Honors       []Honor            `json:"honors,omitempty"`
	Figures      map[string]float64 `json:"figures,omitempty"`
	Choices      map[string]string  `json:"choices,omitempty"`
	Attestations map[string]bool    `json:"attestations,omitempty"`
}

// YearRecord is one enterprise's indicators for one fiscal year (年度指标).
// Amounts are in 元.
type YearRecord struct {
	Year           int         `json:"year"`
	Figures        YearFigures `json:"figures"`
	IP             IPCounts    `json:"ip"`
	StandardsLed   *int        `json:"standards_led,omitempty"`
	Awards         *int        `json:"awards,omitempty"`
	RDInstitutions *int        `json:"rd_institutions,omitempty"`
	Restricted     *bool       `json:"restricted,omitempty"` // in a restricted or abnormal-operation list
	// Insured is the number of staff the firm paid social insurance for
	// (社保缴纳人数), when entered; only the plausibility flags read it.
	Insured   *int      `json:"insured,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Limits on an enterprise's text fields, in characters.
const (
	maxName      = 100
	maxAddress   = 200
	maxShortText = 50 // domain, board, contact name, a tag, a certificate type
	maxPhone     = 30
	maxEmail     = 254
	maxTags      = 20
)

var industryCode = regexp.MustCompile(`^[A-T]([0-9]{2}([0-9]{1,2})?)?$`)

// Validate checks every field of a new or changed enterprise and returns all
// problems at once.
func (e *Enterprise) Validate() error {
	e.CreditCode = strings.ToUpper(strings.TrimSpace(e.CreditCode))
	e.Name = strings.TrimSpace(e.Name)
	e.Industry = strings.ToUpper(strings.TrimSpace(e.Industry))
	var fields []apperr.FieldError
	if err := ValidateCreditCode(e.CreditCode); err != nil {
		fields = append(fields, apperr.Field("credit_code", "cultivation.credit_code_invalid", err.Error()))
	}
	if e.Name == "" {
		fields = append(fields, apperr.Field("name", "error.required"))
	} else if utf8.RuneCountInString(e.Name) > maxName {
		fields = append(fields, apperr.Field("name", "error.too_long", maxName))
	}
	if !region.ValidCode(e.RegionCode) || region.LevelOf(e.RegionCode) != region.County {
		fields = append(fields, apperr.Field("region_code", "cultivation.region_county"))
	}
	if e.Industry != "" && !industryCode.MatchString(e.Industry) {
		fields = append(fields, apperr.Field("industry", "cultivation.industry_format"))
	}
	if !e.Founded.IsZero() && e.Founded.After(time.Now()) {
		fields = append(fields, apperr.Field("founded", "cultivation.founded_future"))
	}
	for i, t := range e.Tags {
		e.Tags[i] = strings.TrimSpace(t)
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"address", e.Address, maxAddress}, {"domain", e.Domain, maxShortText}, {"board", e.Board, maxShortText},
		{"contact_name", e.ContactName, maxShortText}, {"contact_phone", e.ContactPhone, maxPhone},
		{"contact_email", e.ContactEmail, maxEmail},
	} {
		if utf8.RuneCountInString(f.value) > f.max {
			fields = append(fields, apperr.Field(f.name, "error.too_long", f.max))
		}
	}
	for _, f := range []struct{ name, value string }{{"contact_phone", e.ContactPhone}, {"contact_email", e.ContactEmail}} {
		if pii.IsMasked(f.value) {
			fields = append(fields, apperr.Field(f.name, "error.contact_masked"))
		}
	}
	if len(e.Tags) > maxTags {
		fields = append(fields, apperr.Field("tags", "cultivation.too_many_tags", maxTags))
	}
	for _, t := range e.Tags {
		if utf8.RuneCountInString(t) > maxShortText {
			fields = append(fields, apperr.Field("tags", "error.too_long", maxShortText))
			break
		}
	}
	for _, c := range e.Certificates {
		if utf8.RuneCountInString(c.Type) > maxShortText {
			fields = append(fields, apperr.Field("certificates", "error.too_long", maxShortText))
			break
		}
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

// Validate checks a year record: a plausible year and no negative amounts
// where the engine forbids them.
func (y *YearRecord) Validate(now time.Time) error {
	var fields []apperr.FieldError
	if y.Year < 1980 || y.Year > now.Year() {
		fields = append(fields, apperr.Field("year", "cultivation.year_range", now.Year()))
	}
	for f := yearField(0); f < numYearFields; f++ {
		v := y.Figures.get(f)
		if v != nil && *v < 0 && !yearFieldInfo[f].negative {
			fields = append(fields, apperr.Field(yearFieldInfo[f].json, "cultivation.not_negative"))
		}
	}
	if y.Insured != nil && *y.Insured < 0 {
		fields = append(fields, apperr.Field("insured", "cultivation.not_negative"))
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

// AssessmentInput builds the engine's input for the enterprise as of asOf
// from its registry data and year records.
func (e *Enterprise) AssessmentInput(asOf time.Time, years []YearRecord) AssessmentInput {
	in := AssessmentInput{
		ID: e.CreditCode, CreditCode: e.CreditCode, AsOf: Date{asOf}, Founded: e.Founded, Listed: e.Listed,
		Industry: e.Industry, Years: map[int]YearFigures{}, Certificates: e.Certificates,
		Honors: e.Extra.Honors, Figures: e.Extra.Figures, Choices: e.Extra.Choices, Attestations: e.Extra.Attestations,
	}
	latest := 0
	for _, y := range years {
		in.Years[y.Year] = y.Figures
		if y.Year > latest && y.Year < asOf.Year()+1 {
			latest = y.Year
			ip := y.IP
			in.IP = &ip
		}
	}
	return in
}

// EnterpriseFilter selects enterprises. Zero fields do not filter.
type EnterpriseFilter struct {
	Query    string // part of the name or credit code
	Region   string // region prefix
	Tier     string // the tier the firm stands on today (see Standing)
	Domain   string
	Industry string // prefix, e.g. "C" or "C39"
	Tag      string // one of the enterprise's tags, exactly (e.g. 重点企业)
	// NearRuleSet keeps enterprises whose latest assessment against this
	// rule set is "possible" or "no" with at most NearGaps gaps ("close to 高企").
	NearRuleSet string
	NearGaps    int
	Page        int
	PerPage     int
	ids         []int64 // the firms standing on Tier, found by the service
}

// Normalize clamps paging.
func (f *EnterpriseFilter) Normalize() {
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
