package cultivation

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Verdict is the outcome of one assessment.
type Verdict string

// Verdicts. Possible means the data allow both outcomes only because experts
// or officials decide part of it (a score range, a judgement); Unknown means
// data are missing and nothing has failed yet.
const (
	VerdictYes      Verdict = "yes"
	VerdictNo       Verdict = "no"
	VerdictPossible Verdict = "possible"
	VerdictUnknown  Verdict = "unknown"
)

// Value is a measured figure kept as a number and rendered only when the
// result is encoded, so that assessing a million enterprises does not
// format a million strings nobody reads. Text, when set, is shown instead.
type Value struct {
	V     float64
	Unit  Unit
	Known bool
	Text  string

	en string // Text in English, when the engine set Text
}

// In renders the value in lang: String in Chinese; in English the English
// units ("¥360K", "12 persons") and words ("yes", "held").
func (v Value) In(lang string) string {
	if !isEN(lang) {
		return v.String()
	}
	if v.Text != "" {
		if v.en != "" {
			return v.en
		}
		return v.Text
	}
	if !v.Known {
		return ""
	}
	return formatValueIn(v.V, v.Unit, true)
}

// String renders the value as users read it ("3.2%", "¥36万"); "" if unknown.
func (v Value) String() string {
	if v.Text != "" {
		return v.Text
	}
	if !v.Known {
		return ""
	}
	return formatValue(v.V, v.Unit)
}

// MarshalJSON implements json.Marshaler: a string, or null when unknown.
func (v Value) MarshalJSON() ([]byte, error) {
	if v.Text == "" && !v.Known {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 24)
	b = append(b, '"')
	if v.Text != "" {
		b = append(b, v.Text...)
	} else {
		b = appendValue(b, v.V, v.Unit)
	}
	return append(b, '"'), nil
}

// Num is a number that may be absent (JSON null).
type Num struct {
	V     float64
	Valid bool
}

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	if !n.Valid {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, n.V, 'f', -1, 64), nil
}

// Tri is a yes/no that may be undecided (JSON null).
type Tri int8

// Tri values.
const (
	TriNull Tri = iota
	TriTrue
	TriFalse
)

// MarshalJSON implements json.Marshaler.
func (t Tri) MarshalJSON() ([]byte, error) {
	switch t {
	case TriTrue:
		return []byte("true"), nil
	case TriFalse:
		return []byte("false"), nil
	}
	return []byte("null"), nil
}

// Status is how a condition fared; it encodes as a JSON string.
type Status uint8

// Condition statuses.
const (
	StatusPass      Status = iota // met by the data
	StatusFail                    // not met
	StatusMissing                 // data absent; see AssessmentResult.Missing
	StatusToConfirm               // taken as met; an attestation or registry must confirm
	StatusReview                  // needs a person's judgement
)

var statusNames = [...]string{"pass", "fail", "missing", "to_confirm", "review"}

// String returns the JSON name: pass, fail, missing, to_confirm or review.
func (s Status) String() string { return statusNames[s] }

// MarshalJSON implements json.Marshaler.
func (s Status) MarshalJSON() ([]byte, error) { return []byte(`"` + statusNames[s] + `"`), nil }

// Condition is one condition as the rule file states it. Group is the id of
// the enclosing group or alternative ("direct" for direct-qualification
// routes); Required is the threshold in the user's terms, with its band.
type Condition struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Group      string `json:"group,omitempty"`
	Required   string `json:"required"`
	Confidence string `json:"confidence,omitempty"` // C, S or U as in criteria.md
	Source     string `json:"source,omitempty"`
	// NameEN and RequiredEN are Name and Required in English, for English
	// pages; the JSON carries the Chinese.
	NameEN     string `json:"-"`
	RequiredEN string `json:"-"`

	prefix []byte // the fields above, JSON-encoded once at load
}

// NameIn returns the condition's name in lang.
func (c *Condition) NameIn(lang string) string {
	if isEN(lang) && c.NameEN != "" {
		return c.NameEN
	}
	return c.Name
}

// RequiredIn returns what the condition requires, in lang.
func (c *Condition) RequiredIn(lang string) string {
	if isEN(lang) && c.RequiredEN != "" {
		return c.RequiredEN
	}
	return c.Required
}

// ConditionResult is a Condition applied to one enterprise. The embedded
// Condition is shared with the rule set and must not be modified; Pass is
// null when undecided. It encodes flat: id, name, …, actual, pass, status.
type ConditionResult struct {
	*Condition
	Actual Value  `json:"actual"`
	Pass   Tri    `json:"pass"`
	Status Status `json:"status"`
}

// Item is one scored indicator as the rule file states it.
type Item struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Part       string  `json:"part,omitempty"`
	Max        float64 `json:"max"`
	Expert     bool    `json:"expert,omitempty"` // experts choose the points
	Confidence string  `json:"confidence,omitempty"`
	// NameEN and PartEN are Name and Part in English, for English pages.
	NameEN string `json:"-"`
	PartEN string `json:"-"`

	prefix []byte // the fields above, JSON-encoded once at load
}

// NameIn returns the item's name in lang.
func (it *Item) NameIn(lang string) string {
	if isEN(lang) && it.NameEN != "" {
		return it.NameEN
	}
	return it.Name
}

// PartIn returns the name of the item's score part in lang.
func (it *Item) PartIn(lang string) string {
	if isEN(lang) && it.PartEN != "" {
		return it.PartEN
	}
	return it.Part
}

// ItemResult is an Item scored for one enterprise. Points is null when
// experts choose inside a range or data are missing; PointsMin and PointsMax
// always bound it. The embedded Item is shared and must not be modified.
type ItemResult struct {
	*Item
	Points    Num     `json:"points"`
	PointsMin float64 `json:"points_min"`
	PointsMax float64 `json:"points_max"`
	Actual    Value   `json:"actual"`
	Band      string  `json:"band,omitempty"`

	band int // index of the matched band, -1 if none or not banded
}

// AssessmentResult is the outcome of Assess. Score is set when the total is
// determined; ScoreMin and ScoreMax bound it whenever the rule set scores.
// Gaps say what each failed condition lacks (Chinese in String and the JSON,
// any language through Gap.Text); Missing lists the
// JSON paths of absent input that the verdict depends on; ToConfirm lists
// conditions taken as met pending an attestation, registry check or review.
type AssessmentResult struct {
	ID         string            `json:"id,omitempty"`
	RuleSet    string            `json:"rule_set"`
	Version    string            `json:"version"`
	Name       string            `json:"name"`
	AsOf       Date              `json:"as_of"`
	DataYear   int               `json:"data_year"`
	Verdict    Verdict           `json:"verdict"`
	Score      Num               `json:"score"`
	ScoreMin   Num               `json:"score_min"`
	ScoreMax   Num               `json:"score_max"`
	PassScore  Num               `json:"pass_score"`
	Items      []ItemResult      `json:"items"`
	Conditions []ConditionResult `json:"conditions"`
	Gaps       []Gap             `json:"gaps"`
	Missing    []string          `json:"missing"`
	ToConfirm  []string          `json:"to_confirm"`

	altStore []Gap // backing store of the alternatives of any_of gaps
}

type gapKind uint8

const (
	gapText gapKind = iota
	gapCompare
	gapChoice
	gapIndustry
	gapAlt
	gapScore
	gapPart
	gapNonzero
)

// Gap is what one failed condition lacks, in the user's terms, e.g.
// "研发费用占比 3.2%，需 ≥ 5%（最近一年销售收入 ≤ 5000万元）：还差 ¥36万 研发投入".
// It keeps the numbers and renders the sentence only when read (String,
// MarshalJSON), so bulk assessment does not build text nobody reads.
type Gap struct {
	kind        gapKind
	n           *node
	text        string
	textEN      string // text in English; "" for a gap read back from storage
	v, num, den float64
	year        int // set when one year of several failed
	asOf        time.Time
	alts        []Gap        // the alternatives of a failed any_of
	spec        *scoreSpec   // score gaps
	idx         int          // score part or item index
	exact       bool         // the total is determined, not a maximum
	items       []ItemResult // the result's items, for score hints
}

// String renders the gap in Chinese.
func (g Gap) String() string {
	if g.kind == gapText {
		return g.text
	}
	return string(g.append(make([]byte, 0, 160)))
}

// Text renders the gap in lang: String in Chinese; in English a sentence
// built from the rule files' English fields and English units, e.g.
// "R&D expense share 3.2%, needs ≥ 5% (sales revenue of the last year ≤
// ¥50M): ¥360K more R&D investment". A gap read back from a stored result
// has only its Chinese text; English pages show recomputed results.
func (g Gap) Text(lang string) string {
	if !isEN(lang) {
		return g.String()
	}
	if g.kind == gapText {
		if g.textEN != "" {
			return g.textEN
		}
		return g.text
	}
	return string(g.appendIn(make([]byte, 0, 200), true))
}

// MarshalJSON implements json.Marshaler: the gap as a JSON string.
func (g Gap) MarshalJSON() ([]byte, error) {
	return json.Marshal(g.String())
}

func (g *Gap) append(b []byte) []byte { return g.appendIn(b, false) }

func (g *Gap) appendIn(b []byte, en bool) []byte {
	if en {
		return g.appendEN(b)
	}
	switch g.kind {
	case gapCompare:
		return g.appendCompare(b)
	case gapChoice:
		b = append(b, g.n.name...)
		b = append(b, ' ')
		b = append(b, g.text...)
		b = append(b, "，需 "...)
		return append(b, g.n.required...)
	case gapIndustry:
		b = append(b, g.n.name...)
		b = append(b, "：行业 "...)
		b = append(b, g.text...)
		b = append(b, "，需"...)
		return append(b, g.n.required...)
	case gapScore, gapPart, gapNonzero:
		return g.appendScore(b)
	case gapAlt:
		b = append(b, g.n.name...)
		b = append(b, "（满足其一即可）："...)
		for i := range g.alts {
			if i > 0 {
				b = append(b, "；或 "...)
			}
			b = g.alts[i].append(b)
		}
		return b
	}
	return append(b, g.text...)
}

// appendEN is append in English.
func (g *Gap) appendEN(b []byte) []byte {
	switch g.kind {
	case gapCompare:
		return g.appendCompareIn(b, true)
	case gapChoice:
		b = append(b, g.n.nameEN...)
		b = append(b, ' ')
		b = append(b, g.textEN...)
		b = append(b, ", needs "...)
		return append(b, g.n.requiredEN...)
	case gapIndustry:
		b = append(b, g.n.nameEN...)
		b = append(b, ": industry "...)
		b = append(b, g.text...)
		b = append(b, ", needs "...)
		return append(b, g.n.requiredEN...)
	case gapScore, gapPart, gapNonzero:
		return g.appendScoreIn(b, true)
	case gapAlt:
		b = append(b, g.n.nameEN...)
		b = append(b, " (any one suffices): "...)
		for i := range g.alts {
			if i > 0 {
				b = append(b, "; or "...)
			}
			b = g.alts[i].appendEN(b)
		}
		return b
	}
	if g.textEN != "" {
		return append(b, g.textEN...)
	}
	return append(b, g.text...)
}

// GapTextsIn renders gaps as strings in lang (see Gap.Text).
func GapTextsIn(gaps []Gap, lang string) []string {
	out := make([]string, len(gaps))
	for i, g := range gaps {
		out[i] = g.Text(lang)
	}
	return out
}

// GapTexts renders gaps as strings.
func GapTexts(gaps []Gap) []string {
	out := make([]string, len(gaps))
	for i, g := range gaps {
		out[i] = g.String()
	}
	return out
}

// UnmarshalJSON implements json.Unmarshaler so that stored results can be
// read back; the gap comes back as its text.
func (g *Gap) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*g = Gap{text: s}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler; the value comes back as text.
func (v *Value) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*v = Value{}
	if s != nil {
		v.Text = *s
	}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Num) UnmarshalJSON(b []byte) error {
	var f *float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Num{}
	if f != nil {
		*n = Num{V: *f, Valid: true}
	}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Tri) UnmarshalJSON(b []byte) error {
	var p *bool
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	switch {
	case p == nil:
		*t = TriNull
	case *p:
		*t = TriTrue
	default:
		*t = TriFalse
	}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *Status) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return err
	}
	for i, n := range statusNames {
		if n == name {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("unknown condition status %q", name)
}
