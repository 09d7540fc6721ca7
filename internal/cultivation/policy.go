package cultivation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
	"time"

	"kechuang/internal/region"
)

// Policy is one 惠企政策 (a subsidy or reward), compiled from its file under
// data/policies. Its conditions are written in the rule-set language and
// compiled and evaluated by the same engine as the criteria; its amount is
// a fixed sum, a rate of a metric (optionally of its increase over another
// metric) with a cap, or tiers of either by a metric. It is immutable after
// LoadPolicies.
type Policy struct {
	ID            string
	Name          string
	Issuer        string
	Region        string // the region code the policy covers (a province, city or county)
	Documents     []Document
	SourceURL     string
	EffectiveFrom time.Time
	Expires       time.Time // last day in force, inclusive; zero if open-ended
	// NoApplication marks a 免申即享 policy: firms that qualify receive it
	// without applying.
	NoApplication bool
	Summary       string
	Notes         []string
	// Unconfirmed maps a field of the policy (PolicyFields) to why its
	// value is not confirmed, in Chinese, for the policy page.
	Unconfirmed map[string]string
	// UnconfirmedConditions lists the conditions and amount figures tagged
	// U in the file, as the rule-set page lists them.
	UnconfirmedConditions []string
	File                  string
	// NameEN, IssuerEN, SummaryEN, NotesEN, UnconfirmedEN and
	// UnconfirmedConditionsEN are the same texts in English, for English
	// pages; the loader refuses a policy file without them.
	NameEN                  string
	IssuerEN                string
	SummaryEN               string
	NotesEN                 []string
	UnconfirmedEN           map[string]string
	UnconfirmedConditionsEN []string

	rs     *RuleSet
	amount *amountSpec
}

// NameIn returns the policy's name in lang.
func (p *Policy) NameIn(lang string) string {
	if isEN(lang) && p.NameEN != "" {
		return p.NameEN
	}
	return p.Name
}

// IssuerIn returns the issuing authority in lang.
func (p *Policy) IssuerIn(lang string) string {
	if isEN(lang) && p.IssuerEN != "" {
		return p.IssuerEN
	}
	return p.Issuer
}

// SummaryIn returns the summary in lang.
func (p *Policy) SummaryIn(lang string) string {
	if isEN(lang) && p.SummaryEN != "" {
		return p.SummaryEN
	}
	return p.Summary
}

// NotesIn returns the notes in lang.
func (p *Policy) NotesIn(lang string) []string {
	if isEN(lang) {
		return p.NotesEN
	}
	return p.Notes
}

// UnconfirmedIn returns Unconfirmed in lang.
func (p *Policy) UnconfirmedIn(lang string) map[string]string {
	if isEN(lang) {
		return p.UnconfirmedEN
	}
	return p.Unconfirmed
}

// UnconfirmedConditionsIn returns UnconfirmedConditions in lang.
func (p *Policy) UnconfirmedConditionsIn(lang string) []string {
	if isEN(lang) {
		return p.UnconfirmedConditionsEN
	}
	return p.UnconfirmedConditions
}

// PolicyFields are the fields a policy file may mark unconfirmed.
var PolicyFields = []string{"document_number", "issuer", "region", "effective_from", "expires", "no_application", "amount"}

// InForce reports whether the policy applies on t.
func (p *Policy) InForce(t time.Time) bool {
	if t.Before(p.EffectiveFrom) {
		return false
	}
	return p.Expires.IsZero() || !t.After(p.Expires)
}

// Covers reports whether a firm registered in regionCode falls under the
// policy's region.
func (p *Policy) Covers(regionCode string) bool { return region.Contains(p.Region, regionCode) }

// Conditions returns the policy's conditions as the rule-set pages show
// them, groups followed by their members.
func (p *Policy) Conditions() []Condition {
	var out []Condition
	var walk func([]*node)
	walk = func(ns []*node) {
		for _, n := range ns {
			out = append(out, *n.info)
			walk(n.children)
		}
	}
	walk(p.rs.conditions)
	return out
}

// AmountText words the amount formula in Chinese ("增长额 × 10%，最高 ¥100万").
func (p *Policy) AmountText() string { return p.amount.text() }

// AmountRule is the amount formula as data, for the API and the English
// page: the kind (fixed, rate or tiers) and its figures in 元 or as a
// fraction.
type AmountRule struct {
	Kind   string       `json:"kind"`
	Fixed  float64      `json:"fixed,omitempty"`
	Rate   float64      `json:"rate,omitempty"`
	Metric string       `json:"metric,omitempty"` // label of the metric the rate applies to
	Less   string       `json:"less,omitempty"`   // label of the metric subtracted first
	Cap    float64      `json:"cap,omitempty"`
	Tiers  []AmountTier `json:"tiers,omitempty"`
	// MetricEN and LessEN are Metric and Less in English, for English
	// pages; the JSON carries the Chinese.
	MetricEN string `json:"-"`
	LessEN   string `json:"-"`
}

// MetricIn returns Metric in lang.
func (a AmountRule) MetricIn(lang string) string {
	if isEN(lang) && a.MetricEN != "" {
		return a.MetricEN
	}
	return a.Metric
}

// LessIn returns Less in lang.
func (a AmountRule) LessIn(lang string) string {
	if isEN(lang) && a.LessEN != "" {
		return a.LessEN
	}
	return a.Less
}

// AmountTier is one band of a tiered amount.
type AmountTier struct {
	Label  string     `json:"label"`            // the band in Chinese, e.g. "上年度营业收入 ≥ ¥5亿"
	Metric string     `json:"metric,omitempty"` // the tier metric's label; empty for the catch-all
	Op     string     `json:"op,omitempty"`     // ≥, >, ≤ or <
	Value  float64    `json:"value,omitempty"`
	Money  bool       `json:"money,omitempty"` // Value is an amount in 元
	Amount AmountRule `json:"amount"`
	// MetricEN is Metric in English, for English pages.
	MetricEN string `json:"-"`
}

// MetricIn returns Metric in lang.
func (t AmountTier) MetricIn(lang string) string {
	if isEN(lang) && t.MetricEN != "" {
		return t.MetricEN
	}
	return t.Metric
}

// Rule returns the amount formula as data.
func (p *Policy) Rule() AmountRule { return p.amount.rule() }

// PolicyBook holds every loaded policy, by id.
type PolicyBook struct {
	list []*Policy
	byID map[string]*Policy
}

// List returns the policies in id order.
func (pb *PolicyBook) List() []*Policy {
	if pb == nil {
		return nil
	}
	return pb.list
}

// Get returns the policy with the id, or nil.
func (pb *PolicyBook) Get(id string) *Policy {
	if pb == nil {
		return nil
	}
	return pb.byID[id]
}

// LoadPolicies parses and validates every *.json file under "policies" in
// fsys (README.md and other files are ignored). A broken file fails the
// load with the file and field named, as LoadRuleSets does. No files is an
// empty book, not an error.
func LoadPolicies(fsys fs.FS) (*PolicyBook, error) {
	names, err := fs.Glob(fsys, "policies/*.json")
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	pb := &PolicyBook{byID: map[string]*Policy{}}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load policies: %w", err)
		}
		p, err := compilePolicy(name, data)
		if err != nil {
			return nil, fmt.Errorf("load policies: %s: %w", name, err)
		}
		pb.list = append(pb.list, p)
		pb.byID[p.ID] = p
	}
	sort.Slice(pb.list, func(i, j int) bool { return pb.list[i].ID < pb.list[j].ID })
	return pb, nil
}

type filePolicy struct {
	ID            string                `json:"id"`
	Name          string                `json:"name"`
	NameEN        string                `json:"name_en"`
	Issuer        string                `json:"issuer"`
	IssuerEN      string                `json:"issuer_en"`
	Region        string                `json:"region"`
	Documents     []fileDocument        `json:"documents"`
	SourceURL     string                `json:"source_url"`
	EffectiveFrom string                `json:"effective_from"`
	Expires       string                `json:"expires"`
	NoApplication bool                  `json:"no_application"`
	Summary       string                `json:"summary"`
	SummaryEN     string                `json:"summary_en"`
	Confidence    string                `json:"confidence"`
	Unconfirmed   map[string]string     `json:"unconfirmed"`
	UnconfirmedEN map[string]string     `json:"unconfirmed_en"`
	Notes         []string              `json:"notes"`
	NotesEN       []string              `json:"notes_en"`
	Metrics       map[string]fileMetric `json:"metrics"`
	Conditions    []fileNode            `json:"conditions"`
	Amount        *fileAmount           `json:"amount"`
}

type fileAmount struct {
	Fixed      *Quantity  `json:"fixed"`
	Rate       *Quantity  `json:"rate"`
	Metric     string     `json:"metric"`
	Less       string     `json:"less"`
	Cap        *Quantity  `json:"cap"`
	Tiers      *fileTiers `json:"tiers"`
	Confidence string     `json:"confidence"`
	Source     string     `json:"source"`
	// SourceEN is Source in English; a source that is a document number
	// alone needs none.
	SourceEN string `json:"source_en"`
}

type fileTiers struct {
	Metric string         `json:"metric"`
	Bands  []fileTierBand `json:"bands"`
}

type fileTierBand struct {
	Min        *Quantity   `json:"min"`
	Gt         *Quantity   `json:"gt"`
	Max        *Quantity   `json:"max"`
	Lt         *Quantity   `json:"lt"`
	Amount     *fileAmount `json:"amount"`
	Confidence string      `json:"confidence"`
}

type amountKind uint8

const (
	amountFixed amountKind = iota
	amountRate
	amountTiers
)

// amountSpec is a compiled amount formula.
type amountSpec struct {
	kind   amountKind
	fixed  float64
	rate   float64
	m      *metric
	less   *metric
	cap    float64 // 0: no cap
	tierM  *metric
	tiers  []amountTier
	source string
}

type amountTier struct {
	hasTest bool
	op      cmpOp
	value   float64
	label   string
	labelEN string
	then    *amountSpec
}

func compilePolicy(name string, data []byte) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f filePolicy
	if err := dec.Decode(&f); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("line %d: %w", 1+bytes.Count(data[:se.Offset], []byte("\n")), err)
		}
		return nil, err
	}
	switch {
	case f.ID == "":
		return nil, errors.New("id: required")
	case path.Base(name) != f.ID+".json":
		return nil, fmt.Errorf("id: file must be named %s.json", f.ID)
	case f.Name == "":
		return nil, errors.New("name: required")
	case f.Issuer == "":
		return nil, errors.New("issuer: required")
	case !region.ValidCode(f.Region):
		return nil, fmt.Errorf("region: %q is not a region code", f.Region)
	case len(f.Documents) == 0:
		return nil, errors.New("documents: at least one document required")
	case len(f.Conditions) == 0:
		return nil, errors.New("conditions: required")
	case f.Amount == nil:
		return nil, errors.New("amount: required")
	case len(f.NotesEN) != len(f.Notes):
		return nil, fmt.Errorf("notes_en: %d English notes for %d notes; translate each", len(f.NotesEN), len(f.Notes))
	case f.Summary != "" && f.SummaryEN == "":
		return nil, errors.New("summary_en: required with summary (the English shown on English pages)")
	}
	// A policy file carries its English as a rule file does.
	if err := checkEnglish("name_en", []string{f.NameEN}); err != nil {
		return nil, err
	}
	if err := checkEnglish("issuer_en", []string{f.IssuerEN}); err != nil {
		return nil, err
	}
	if f.Summary != "" {
		if err := checkEnglish("summary_en", []string{f.SummaryEN}); err != nil {
			return nil, err
		}
	}
	if err := checkEnglish("notes_en", f.NotesEN); err != nil {
		return nil, err
	}
	var docs []Document
	for i, d := range f.Documents {
		if d.Number == "" || d.Title == "" || d.TitleEN == "" {
			return nil, fmt.Errorf("documents[%d]: number, title and title_en required", i)
		}
		if err := checkEnglish(fmt.Sprintf("documents[%d].title_en", i), []string{d.TitleEN}); err != nil {
			return nil, err
		}
		if HasHan(d.Number) {
			if err := checkEnglish(fmt.Sprintf("documents[%d].number_en", i), []string{d.NumberEN}); err != nil {
				return nil, fmt.Errorf("%w (the number is no 发文字号)", err)
			}
		}
		docs = append(docs, Document{Number: d.Number, Title: d.Title, Date: d.Date, URL: d.URL, TitleEN: d.TitleEN, NumberEN: d.NumberEN})
	}
	for k := range f.Unconfirmed {
		if !contains(PolicyFields, k) {
			return nil, fmt.Errorf("unconfirmed.%s: not a policy field (want one of %s)", k, strings.Join(PolicyFields, ", "))
		}
		if f.Unconfirmed[k] == "" {
			return nil, fmt.Errorf("unconfirmed.%s: say why it is unconfirmed", k)
		}
		if err := checkEnglish("unconfirmed_en."+k, []string{f.UnconfirmedEN[k]}); err != nil {
			return nil, err
		}
	}
	for k := range f.UnconfirmedEN {
		if _, ok := f.Unconfirmed[k]; !ok {
			return nil, fmt.Errorf("unconfirmed_en.%s: no Chinese unconfirmed.%s to translate", k, k)
		}
	}
	p := &Policy{ID: f.ID, Name: f.Name, Issuer: f.Issuer, Region: f.Region, Documents: docs, SourceURL: f.SourceURL,
		NoApplication: f.NoApplication, Summary: f.Summary, Notes: f.Notes, Unconfirmed: f.Unconfirmed, File: name,
		NameEN: f.NameEN, IssuerEN: f.IssuerEN, SummaryEN: f.SummaryEN, NotesEN: f.NotesEN, UnconfirmedEN: f.UnconfirmedEN}
	if p.Unconfirmed == nil {
		p.Unconfirmed = map[string]string{}
	}
	if p.UnconfirmedEN == nil {
		p.UnconfirmedEN = map[string]string{}
	}
	var err error
	if p.EffectiveFrom, err = time.Parse(dateLayout, f.EffectiveFrom); err != nil {
		return nil, fmt.Errorf("effective_from: want YYYY-MM-DD, got %q", f.EffectiveFrom)
	}
	if f.Expires != "" {
		if p.Expires, err = time.Parse(dateLayout, f.Expires); err != nil {
			return nil, fmt.Errorf("expires: want YYYY-MM-DD, got %q", f.Expires)
		}
		if p.Expires.Before(p.EffectiveFrom) {
			return nil, errors.New("expires: before effective_from")
		}
	}
	if err := checkConfidence("confidence", f.Confidence, false); err != nil {
		return nil, err
	}
	// The conditions compile exactly as a rule set's do, into a rule set
	// of their own that Assess evaluates.
	rs := &RuleSet{ID: "policy:" + f.ID, Version: "1", Name: f.Name, NameEN: f.NameEN, File: name, Documents: docs,
		EffectiveFrom: p.EffectiveFrom, Expires: p.Expires}
	c := &compiler{rs: rs, metrics: map[string]*metric{}, conf: f.Confidence, ids: map[string]bool{}, requireEN: true}
	for _, mname := range sortedKeys(f.Metrics) {
		fm := f.Metrics[mname]
		m, err := compileMetric(mname, fm)
		if err == nil && fm.LabelEN == "" {
			err = errors.New("label_en: required (the English name shown on English pages)")
		}
		if err == nil && fm.Noun != "" && fm.NounEN == "" {
			err = errors.New("noun_en: required with noun")
		}
		if err == nil {
			err = checkEnglish("label_en", []string{m.labelEN})
		}
		if err != nil {
			return nil, fmt.Errorf("metrics.%s: %w", mname, err)
		}
		c.metrics[mname] = m
	}
	for i := range f.Conditions {
		n, err := c.node(fmt.Sprintf("conditions[%d]", i), &f.Conditions[i], "", "")
		if err != nil {
			return nil, err
		}
		rs.conditions = append(rs.conditions, n)
	}
	rs.outCap = countNodes(rs.conditions)
	if p.amount, err = c.amount("amount", f.Amount, f.Confidence, false); err != nil {
		return nil, err
	}
	p.rs = rs
	p.UnconfirmedConditions = rs.Unconfirmed
	p.UnconfirmedConditionsEN = rs.UnconfirmedEN
	return p, nil
}

// amount compiles an amount formula; quiet leaves it out of the
// unconfirmed list (a tier's amount, which its tiers' entry words).
func (c *compiler) amount(at string, f *fileAmount, conf string, quiet bool) (*amountSpec, error) {
	if f == nil {
		return nil, fmt.Errorf("%s: required", at)
	}
	if f.Confidence != "" {
		if err := checkConfidence(at+".confidence", f.Confidence, false); err != nil {
			return nil, err
		}
		conf = f.Confidence
	}
	kinds := 0
	for _, b := range []bool{f.Fixed != nil, f.Rate != nil, f.Tiers != nil} {
		if b {
			kinds++
		}
	}
	if kinds != 1 {
		return nil, fmt.Errorf("%s: exactly one of fixed, rate, tiers required", at)
	}
	a := &amountSpec{source: f.Source}
	sourceEN := f.SourceEN
	if sourceEN == "" {
		sourceEN = f.Source
	}
	if HasHan(sourceEN) {
		return nil, fmt.Errorf("%s.source_en: required (the source %q is no document number alone)", at, f.Source)
	}
	var err error
	switch {
	case f.Fixed != nil:
		a.kind, a.fixed = amountFixed, float64(*f.Fixed)
		if a.fixed <= 0 {
			return nil, fmt.Errorf("%s.fixed: must be positive", at)
		}
		if f.Metric != "" || f.Less != "" || f.Cap != nil {
			return nil, fmt.Errorf("%s: a fixed amount takes no metric, less or cap", at)
		}
	case f.Rate != nil:
		a.kind, a.rate = amountRate, float64(*f.Rate)
		if a.rate <= 0 || a.rate > 1 {
			return nil, fmt.Errorf("%s.rate: want a share between 0 and 100%%", at)
		}
		if a.m, err = c.metric(at, f.Metric); err != nil {
			return nil, err
		}
		if a.m.unit != UnitYuan {
			return nil, fmt.Errorf("%s.metric: %q is not an amount in 元", at, f.Metric)
		}
		if f.Less != "" {
			if a.less, err = c.metric(at+".less", f.Less); err != nil {
				return nil, err
			}
			if a.less.unit != UnitYuan {
				return nil, fmt.Errorf("%s.less: %q is not an amount in 元", at, f.Less)
			}
		}
		if f.Cap != nil {
			if a.cap = float64(*f.Cap); a.cap <= 0 {
				return nil, fmt.Errorf("%s.cap: must be positive", at)
			}
		}
	case f.Tiers != nil:
		a.kind = amountTiers
		if a.tierM, err = c.metric(at+".tiers", f.Tiers.Metric); err != nil {
			return nil, err
		}
		if len(f.Tiers.Bands) < 2 {
			return nil, fmt.Errorf("%s.tiers.bands: at least two bands required", at)
		}
		for i, b := range f.Tiers.Bands {
			bat := fmt.Sprintf("%s.tiers.bands[%d]", at, i)
			t := amountTier{}
			tests := 0
			for _, q := range []struct {
				q  *Quantity
				op cmpOp
			}{{b.Min, opGE}, {b.Gt, opGT}, {b.Max, opLE}, {b.Lt, opLT}} {
				if q.q != nil {
					tests++
					t.op, t.value, t.hasTest = q.op, float64(*q.q), true
				}
			}
			if tests > 1 {
				return nil, fmt.Errorf("%s: at most one of min, gt, max, lt", bat)
			}
			if last := i == len(f.Tiers.Bands)-1; last == t.hasTest {
				return nil, fmt.Errorf("%s: the last band, and only it, must be the catch-all (no test)", bat)
			}
			bconf := conf
			if b.Confidence != "" {
				if err := checkConfidence(bat+".confidence", b.Confidence, false); err != nil {
					return nil, err
				}
				bconf = b.Confidence
			}
			if t.then, err = c.amount(bat+".amount", b.Amount, bconf, true); err != nil {
				return nil, err
			}
			t.label, t.labelEN = "其他", "otherwise"
			if t.hasTest {
				t.label = a.tierM.label + " " + opSymbol[t.op] + " " + formatValue(t.value, a.tierM.unit)
				t.labelEN = a.tierM.labelEN + " " + opSymbol[t.op] + " " + formatValueIn(t.value, a.tierM.unit, true)
			}
			a.tiers = append(a.tiers, t)
		}
		c.noteIn(conf, "金额分档 "+a.text()+sourceSuffix(f.Source), "Amount tiers: "+a.textIn(true)+sourceSuffixEN(sourceEN))
		return a, nil
	}
	if !quiet {
		c.noteIn(conf, "金额 "+a.text()+sourceSuffix(f.Source), "Amount: "+a.textIn(true)+sourceSuffixEN(sourceEN))
	}
	return a, nil
}

// text words the formula in Chinese.
func (a *amountSpec) text() string { return a.textIn(false) }

// textIn words the formula in Chinese, or in English when en.
func (a *amountSpec) textIn(en bool) string {
	switch a.kind {
	case amountFixed:
		return formatValueIn(a.fixed, UnitYuan, en)
	case amountRate:
		mLabel, lessLabel := a.m.label, ""
		if a.less != nil {
			lessLabel = a.less.label
		}
		if en {
			mLabel = a.m.labelEN
			if a.less != nil {
				lessLabel = a.less.labelEN
			}
		}
		base := mLabel
		if a.less != nil {
			if en {
				base = "(" + mLabel + " − " + lessLabel + ")"
			} else {
				base = "（" + mLabel + " − " + lessLabel + "）"
			}
		}
		s := base + " × " + formatValueIn(a.rate, UnitRatio, en)
		if a.cap > 0 {
			if en {
				s += ", at most " + formatValueIn(a.cap, UnitYuan, true)
			} else {
				s += "，最高 " + formatValue(a.cap, UnitYuan)
			}
		}
		return s
	}
	var parts []string
	for _, t := range a.tiers {
		if en {
			parts = append(parts, t.labelEN+": "+t.then.textIn(true))
		} else {
			parts = append(parts, t.label+"："+t.then.text())
		}
	}
	if en {
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, "；")
}

func (a *amountSpec) rule() AmountRule {
	switch a.kind {
	case amountFixed:
		return AmountRule{Kind: "fixed", Fixed: a.fixed}
	case amountRate:
		r := AmountRule{Kind: "rate", Rate: a.rate, Metric: a.m.label, MetricEN: a.m.labelEN, Cap: a.cap}
		if a.less != nil {
			r.Less, r.LessEN = a.less.label, a.less.labelEN
		}
		return r
	}
	r := AmountRule{Kind: "tiers"}
	for _, t := range a.tiers {
		at := AmountTier{Label: t.label, Amount: t.then.rule()}
		if t.hasTest {
			at.Metric, at.Op, at.Value, at.Money = a.tierM.label, opSymbol[t.op], t.value, a.tierM.unit == UnitYuan
			at.MetricEN = a.tierM.labelEN
		}
		r.Tiers = append(r.Tiers, at)
	}
	return r
}

// MatchStatus is how a firm stands against a policy.
type MatchStatus string

// The match statuses: the firm meets every condition, may meet it once the
// missing data are entered or a person has judged, or does not meet it.
const (
	MatchEligible   MatchStatus = "eligible"
	MatchPossible   MatchStatus = "possible"
	MatchIneligible MatchStatus = "ineligible"
)

// PolicyMatch is one firm evaluated against one policy.
type PolicyMatch struct {
	Policy     string            `json:"policy"`
	Status     MatchStatus       `json:"status"`
	Conditions []ConditionResult `json:"conditions"`
	Gaps       []string          `json:"gaps"`
	// Missing are the input paths (as in the assessment) that would decide
	// the conditions or the amount.
	Missing   []string `json:"missing"`
	ToConfirm []string `json:"to_confirm"`
	// Amount is the sum in 元 the firm would receive; nil when its data do
	// not yet decide it.
	Amount *float64 `json:"amount"`
	// Capped says the amount reached the formula's cap.
	Capped bool `json:"capped"`

	gaps []Gap // Gaps before rendering, for GapsIn
}

// GapsIn returns Gaps in lang (see Gap.Text); Gaps itself is Chinese.
func (m PolicyMatch) GapsIn(lang string) []string {
	if m.gaps == nil || !isEN(lang) {
		return m.Gaps
	}
	return GapTextsIn(m.gaps, lang)
}

// Evaluate matches the firm in in against the policy, as of in.AsOf. It is
// pure and safe for concurrent use. A policy not in force on that date, or
// a region it does not cover, is the caller's to check (InForce, Covers).
func (p *Policy) Evaluate(in AssessmentInput) PolicyMatch {
	res := Assess(p.rs, in)
	m := PolicyMatch{Policy: p.ID, Conditions: res.Conditions, Gaps: GapTexts(res.Gaps), gaps: res.Gaps, Missing: res.Missing, ToConfirm: res.ToConfirm}
	if m.Gaps == nil {
		m.Gaps = []string{}
	}
	switch res.Verdict {
	case VerdictYes:
		m.Status = MatchEligible
	case VerdictNo:
		m.Status = MatchIneligible
		return m
	default:
		m.Status = MatchPossible
	}
	var scratch AssessmentResult
	c := newEvalCtx(&in, &scratch)
	if v, capped, ok := c.amount(p.amount); ok {
		m.Amount, m.Capped = &v, capped
	}
	for _, path := range scratch.Missing {
		if !contains(m.Missing, path) {
			m.Missing = append(m.Missing, path)
		}
	}
	if m.Amount == nil && m.Status == MatchEligible {
		// The conditions hold but the amount needs data they did not.
		m.Status = MatchPossible
	}
	return m
}

// newEvalCtx prepares an evaluation of in outside Assess (the amount), as
// AssessInto does.
func newEvalCtx(in *AssessmentInput, res *AssessmentResult) *evalCtx {
	c := &evalCtx{in: in, asOf: in.AsOf.Time, res: res, foundedOK: !in.Founded.IsZero()}
	c.base = in.DataYear
	if c.base == 0 {
		c.base = in.AsOf.Year() - 1
	}
	for k := range c.store {
		if y, ok := in.Years[c.base-k]; ok {
			c.store[k] = y
			c.present |= 1 << k
		}
	}
	return c
}

// amount computes a formula: whole 元, rounded down (an award is never
// rounded up past its rule), never negative, at most the cap.
func (c *evalCtx) amount(a *amountSpec) (v float64, capped, ok bool) {
	switch a.kind {
	case amountFixed:
		return a.fixed, false, true
	case amountRate:
		mv := c.eval(a.m, 0)
		base, ok := mv.v, mv.ok
		if a.less != nil {
			lv := c.eval(a.less, 0)
			base -= lv.v
			ok = ok && lv.ok
		}
		if !ok {
			return 0, false, false
		}
		v = math.Floor(max(0, base)*a.rate + 1e-6)
		if a.cap > 0 && v >= a.cap {
			return a.cap, true, true
		}
		return v, false, true
	}
	mv := c.eval(a.tierM, 0)
	if !mv.ok {
		return 0, false, false
	}
	for _, t := range a.tiers {
		if !t.hasTest || compare(mv.v, t.op, t.value) {
			return c.amount(t.then)
		}
	}
	return 0, false, false
}
