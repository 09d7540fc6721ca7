package cultivation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Document is an official text a rule set is built on.
type Document struct {
	Number string `json:"number"` // 发文字号, e.g. 国科发火〔2016〕32号
	Title  string `json:"title"`
	Date   string `json:"date,omitempty"`
	URL    string `json:"url,omitempty"`
	// TitleEN is the title in English, for English pages; NumberEN the
	// number, when it is no document number (a statistical system).
	TitleEN  string `json:"-"`
	NumberEN string `json:"-"`
}

// NumberIn returns the document's number in lang: a 发文字号 stays as
// written, as a proper name.
func (d Document) NumberIn(lang string) string {
	if isEN(lang) && d.NumberEN != "" {
		return d.NumberEN
	}
	return d.Number
}

// TitleIn returns the document's title in lang.
func (d Document) TitleIn(lang string) string {
	if isEN(lang) && d.TitleEN != "" {
		return d.TitleEN
	}
	return d.Title
}

// fileDocument is a Document as the rule file writes it.
type fileDocument struct {
	Number   string `json:"number"`
	NumberEN string `json:"number_en"`
	Title    string `json:"title"`
	TitleEN  string `json:"title_en"`
	Date     string `json:"date"`
	URL      string `json:"url"`
}

// RuleSet is one version of one official rule set, compiled from its file.
// It is immutable after LoadRuleSets and safe for concurrent use.
type RuleSet struct {
	ID            string
	Version       string
	Name          string
	File          string // path inside the rules file system
	Documents     []Document
	EffectiveFrom time.Time
	Expires       time.Time // last day in force, inclusive; zero if open-ended
	Notes         []string
	// Unconfirmed lists, in Chinese, every threshold or band that
	// criteria.md marks [U] (written from background knowledge, no source
	// text seen), so that the rule-set page can say so.
	Unconfirmed []string
	// Secondary lists the thresholds marked [S] (third-party summaries only).
	Secondary []string
	// NameEN, NotesEN, UnconfirmedEN and SecondaryEN are the same texts in
	// English, entry for entry; the loader refuses a file that lacks one.
	NameEN        string
	NotesEN       []string
	UnconfirmedEN []string
	SecondaryEN   []string

	passScore  float64
	conditions []*node
	direct     []*node
	score      *scoreSpec
	outCap     int // expected number of condition rows, to size the result once
}

// NameIn returns the rule set's name in lang.
func (rs *RuleSet) NameIn(lang string) string {
	if isEN(lang) {
		return rs.NameEN
	}
	return rs.Name
}

// NotesIn returns the rule set's notes in lang. The Chinese notes are as
// written in the file; pass them through PlainText before showing them.
func (rs *RuleSet) NotesIn(lang string) []string {
	if isEN(lang) {
		return rs.NotesEN
	}
	return rs.Notes
}

// UnconfirmedIn returns Unconfirmed in lang.
func (rs *RuleSet) UnconfirmedIn(lang string) []string {
	if isEN(lang) {
		return rs.UnconfirmedEN
	}
	return rs.Unconfirmed
}

// SecondaryIn returns Secondary in lang.
func (rs *RuleSet) SecondaryIn(lang string) []string {
	if isEN(lang) {
		return rs.SecondaryEN
	}
	return rs.Secondary
}

// InForce reports whether the rule set applies to an assessment dated t.
func (rs *RuleSet) InForce(t time.Time) bool {
	if t.Before(rs.EffectiveFrom) {
		return false
	}
	return rs.Expires.IsZero() || !t.After(rs.Expires)
}

// RuleBook holds every loaded rule set, grouped by id.
type RuleBook struct {
	byID       map[string][]*RuleSet // sorted by EffectiveFrom, oldest first
	thresholds *Thresholds           // the plausibility flags' limits, if shipped
	bars       *BarRules             // how long a revoked firm may not apply again
}

// ErrNoRuleSet is returned (wrapped) by Select when no rule set matches.
var ErrNoRuleSet = errors.New("no such rule set")

// LoadRuleSets parses and validates every *.json file under "rules" in fsys
// (other files, such as README.md, are ignored). Any broken file fails the
// whole load with an error naming the file and the field, so that a bad
// rule file stops the server at start instead of mis-scoring enterprises.
func LoadRuleSets(fsys fs.FS) (*RuleBook, error) {
	names, err := fs.Glob(fsys, "rules/*.json")
	if err != nil {
		return nil, fmt.Errorf("load rule sets: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("load rule sets: no rules/*.json files")
	}
	rb := &RuleBook{byID: map[string][]*RuleSet{}}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load rule sets: %w", err)
		}
		rs, err := compileRuleSet(name, data)
		if err != nil {
			return nil, fmt.Errorf("load rule sets: %s: %w", name, err)
		}
		for _, other := range rb.byID[rs.ID] {
			if other.Version == rs.Version {
				return nil, fmt.Errorf("load rule sets: %s: version %q of %q already in %s", name, rs.Version, rs.ID, other.File)
			}
		}
		rb.byID[rs.ID] = append(rb.byID[rs.ID], rs)
	}
	for _, list := range rb.byID {
		sort.Slice(list, func(i, j int) bool { return list[i].EffectiveFrom.Before(list[j].EffectiveFrom) })
	}
	if rb.thresholds, err = loadOptionalThresholds(fsys); err != nil {
		return nil, err
	}
	if rb.bars, err = loadOptionalBarRules(fsys); err != nil {
		return nil, err
	}
	// The "just above a threshold" flag watches the R&D ratio thresholds
	// the rule sets apply; the file's list stands in only when they hold none.
	if th := rb.RDRatioThresholds(); rb.thresholds != nil && len(th) > 0 {
		rb.thresholds.RDRatioEdge.ThresholdsPct = th
	}
	return rb, nil
}

// List returns every rule set, ordered by id and then by effective date.
func (rb *RuleBook) List() []*RuleSet {
	ids := make([]string, 0, len(rb.byID))
	for id := range rb.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []*RuleSet
	for _, id := range ids {
		out = append(out, rb.byID[id]...)
	}
	return out
}

// IDs returns the rule-set ids in sorted order.
func (rb *RuleBook) IDs() []string {
	ids := make([]string, 0, len(rb.byID))
	for id := range rb.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Select returns the rule set id in the named version, or, when version is
// empty, the version in force on asOf. Where versions overlap (a 2022
// standard kept for reviews next to its 2026 successor), the one that took
// effect last wins; name the version to assess under the older one. The
// error wraps ErrNoRuleSet.
func (rb *RuleBook) Select(id, version string, asOf time.Time) (*RuleSet, error) {
	list, ok := rb.byID[id]
	if !ok {
		return nil, fmt.Errorf("rule set %q: %w", id, ErrNoRuleSet)
	}
	if version != "" {
		for _, rs := range list {
			if rs.Version == version {
				return rs, nil
			}
		}
		return nil, fmt.Errorf("rule set %q version %q: %w", id, version, ErrNoRuleSet)
	}
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].InForce(asOf) {
			return list[i], nil
		}
	}
	return nil, fmt.Errorf("rule set %q in force on %s: %w", id, asOf.Format(dateLayout), ErrNoRuleSet)
}

// The file schema. Field names are the JSON keys documented in
// data/rules/README.md.
type fileRuleSet struct {
	ID            string                `json:"id"`
	Version       string                `json:"version"`
	Name          string                `json:"name"`
	NameEN        string                `json:"name_en"`
	Documents     []fileDocument        `json:"documents"`
	EffectiveFrom string                `json:"effective_from"`
	Expires       string                `json:"expires"`
	Confidence    string                `json:"confidence"`
	Notes         []string              `json:"notes"`
	NotesEN       []string              `json:"notes_en"`
	Unconfirmed   []string              `json:"unconfirmed"`
	UnconfirmedEN []string              `json:"unconfirmed_en"`
	Metrics       map[string]fileMetric `json:"metrics"`
	Conditions    []fileNode            `json:"conditions"`
	Score         *fileScore            `json:"score"`
	Direct        []fileNode            `json:"direct"`
}

type fileMetric struct {
	Op             string   `json:"op"`
	Label          string   `json:"label"`
	LabelEN        string   `json:"label_en"`
	Field          string   `json:"field"`
	Den            string   `json:"den"`
	Key            string   `json:"key"`
	Keys           []string `json:"keys"`
	From           int      `json:"from"`
	To             int      `json:"to"`
	Divide         float64  `json:"divide"`
	PartOfDen      bool     `json:"part_of_den"`
	PartialIfYoung bool     `json:"partial_if_young"`
	Noun           string   `json:"noun"`
	NounEN         string   `json:"noun_en"`
}

type fileNode struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	NameEN      string         `json:"name_en"`
	Metric      string         `json:"metric"`
	Op          string         `json:"op"`
	Value       *Quantity      `json:"value"`
	EachYear    []int          `json:"each_year"`
	Attest      string         `json:"attest"`
	Judgement   string         `json:"judgement"`
	Choice      *fileChoice    `json:"choice"`
	Certificate []fileCertRule `json:"certificate"`
	Honor       *fileHonor     `json:"honor"`
	Industry    *fileIndustry  `json:"industry"`
	Never       string         `json:"never"`
	NeverEN     string         `json:"never_en"`
	AllOf       []fileNode     `json:"all_of"`
	AnyOf       []fileNode     `json:"any_of"`
	Switch      *fileSwitch    `json:"switch"`
	Confidence  string         `json:"confidence"`
	Source      string         `json:"source"`
	SourceEN    string         `json:"source_en"`
	Note        string         `json:"note"`
}

type fileChoice struct {
	Key string   `json:"key"`
	In  []string `json:"in"`
}

type fileCertRule struct {
	Type         string `json:"type"`
	ValidYears   int    `json:"valid_years"`
	CalendarYear bool   `json:"calendar_year"`
	Permanent    bool   `json:"permanent"`
}

type fileHonor struct {
	Types       []string `json:"types"`
	Levels      []string `json:"levels"`
	MaxRank     int      `json:"max_rank"`
	WithinYears int      `json:"within_years"`
}

type fileIndustry struct {
	In    []string `json:"in"`
	NotIn []string `json:"not_in"`
}

type fileSwitch struct {
	Metric   string     `json:"metric"`
	Industry bool       `json:"industry"`
	Cases    []fileCase `json:"cases"`
}

type fileCase struct {
	Min        *Quantity `json:"min"`
	Gt         *Quantity `json:"gt"`
	Max        *Quantity `json:"max"`
	Lt         *Quantity `json:"lt"`
	Industries []string  `json:"industries"`
	Label      string    `json:"label"`
	LabelEN    string    `json:"label_en"`
	Then       *fileNode `json:"then"`
}

type fileScore struct {
	Max      float64    `json:"max"`
	MinTotal float64    `json:"min_total"`
	Nonzero  []string   `json:"nonzero"`
	Parts    []filePart `json:"parts"`
	Items    []fileItem `json:"items"`
}

type filePart struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	NameEN  string  `json:"name_en"`
	Max     float64 `json:"max"`
	PassMin float64 `json:"pass_min"`
}

type fileItem struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	NameEN       string            `json:"name_en"`
	Part         string            `json:"part"`
	Max          float64           `json:"max"`
	Metric       string            `json:"metric"`
	Bands        []fileBand        `json:"bands"`
	Choice       string            `json:"choice"`
	Options      map[string]Points `json:"options"`
	ExpertPoints string            `json:"expert_points"`
	BestOf       []fileItem        `json:"best_of"`
	Confidence   string            `json:"confidence"`
	Source       string            `json:"source"`
	SourceEN     string            `json:"source_en"`
}

type fileBand struct {
	Metric     string     `json:"metric"`
	Min        *Quantity  `json:"min"`
	Gt         *Quantity  `json:"gt"`
	Max        *Quantity  `json:"max"`
	Lt         *Quantity  `json:"lt"`
	Or         []fileBand `json:"or"`
	Points     Points     `json:"points"`
	Label      string     `json:"label"`
	LabelEN    string     `json:"label_en"`
	Confidence string     `json:"confidence"`
}

// compiler turns a fileRuleSet into a RuleSet, collecting the path of the
// field being checked so that errors say where the file is wrong.
type compiler struct {
	rs      *RuleSet
	metrics map[string]*metric
	conf    string
	ids     map[string]bool
	// requireEN refuses a text without its English twin (rule files);
	// without it an absent English falls back to the Chinese.
	requireEN bool
}

// english returns the English twin en of the Chinese text zh found at at:
// checked when c requires English, else zh when en is absent.
func (c *compiler) english(at, en, zh string) (string, error) {
	if c.requireEN {
		return en, checkEnglish(at, []string{en})
	}
	if en == "" {
		return zh, nil
	}
	return en, nil
}

func compileRuleSet(name string, data []byte) (*RuleSet, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f fileRuleSet
	if err := dec.Decode(&f); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %w", te.Field, err)
		}
		return nil, err
	}
	rs := &RuleSet{ID: f.ID, Version: f.Version, Name: f.Name, File: name, Notes: f.Notes,
		NameEN: f.NameEN, NotesEN: f.NotesEN}
	switch {
	case f.ID == "":
		return nil, errors.New("id: required")
	case f.Version == "":
		return nil, errors.New("version: required")
	case f.Name == "":
		return nil, errors.New("name: required")
	case f.NameEN == "":
		return nil, errors.New("name_en: required (the English name shown on English pages)")
	case len(f.NotesEN) != len(f.Notes):
		return nil, fmt.Errorf("notes_en: %d English notes for %d notes; translate each", len(f.NotesEN), len(f.Notes))
	case len(f.UnconfirmedEN) != len(f.Unconfirmed):
		return nil, fmt.Errorf("unconfirmed_en: %d English entries for %d; translate each", len(f.UnconfirmedEN), len(f.Unconfirmed))
	case len(f.Documents) == 0:
		return nil, errors.New("documents: at least one issuing document required")
	case path.Base(name) != f.ID+"-"+f.Version+".json":
		return nil, fmt.Errorf("id, version: file must be named %s-%s.json", f.ID, f.Version)
	}
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
		rs.Documents = append(rs.Documents, Document{Number: d.Number, Title: d.Title, Date: d.Date, URL: d.URL, TitleEN: d.TitleEN, NumberEN: d.NumberEN})
	}
	if err := checkEnglish("notes_en", f.NotesEN); err != nil {
		return nil, err
	}
	if err := checkEnglish("unconfirmed_en", f.UnconfirmedEN); err != nil {
		return nil, err
	}
	var err error
	if rs.EffectiveFrom, err = time.Parse(dateLayout, f.EffectiveFrom); err != nil {
		return nil, fmt.Errorf("effective_from: want YYYY-MM-DD, got %q", f.EffectiveFrom)
	}
	if f.Expires != "" {
		if rs.Expires, err = time.Parse(dateLayout, f.Expires); err != nil {
			return nil, fmt.Errorf("expires: want YYYY-MM-DD, got %q", f.Expires)
		}
		if rs.Expires.Before(rs.EffectiveFrom) {
			return nil, errors.New("expires: before effective_from")
		}
	}
	c := &compiler{rs: rs, metrics: map[string]*metric{}, conf: f.Confidence, ids: map[string]bool{}, requireEN: true}
	// Unconfirmed facts that are no single threshold (a formula, a date)
	// come first; thresholds tagged U are added as they compile.
	rs.Unconfirmed = append(rs.Unconfirmed, f.Unconfirmed...)
	rs.UnconfirmedEN = append(rs.UnconfirmedEN, f.UnconfirmedEN...)
	if err := checkConfidence("confidence", f.Confidence, false); err != nil {
		return nil, err
	}
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
	if len(f.Conditions) == 0 && f.Score == nil {
		return nil, errors.New("conditions: a rule set needs conditions or a score")
	}
	for i := range f.Conditions {
		n, err := c.node(fmt.Sprintf("conditions[%d]", i), &f.Conditions[i], "", "")
		if err != nil {
			return nil, err
		}
		rs.conditions = append(rs.conditions, n)
	}
	for i := range f.Direct {
		n, err := c.node(fmt.Sprintf("direct[%d]", i), &f.Direct[i], "", "direct")
		if err != nil {
			return nil, err
		}
		rs.direct = append(rs.direct, n)
	}
	if len(f.Direct) > 0 && f.Score == nil {
		return nil, errors.New("direct: direct routes are alternatives to a score; add score")
	}
	if f.Score != nil {
		if rs.score, err = c.scoreSpec(f.Score); err != nil {
			return nil, err
		}
		rs.passScore = f.Score.MinTotal
	}
	rs.outCap = countNodes(rs.conditions) + countNodes(rs.direct)
	return rs, nil
}

func countNodes(ns []*node) int {
	n := 0
	for _, x := range ns {
		n++
		n += countNodes(x.children)
		for _, cs := range x.cases {
			n += countNodes([]*node{cs.then})
		}
	}
	return n
}

func checkConfidence(at, c string, required bool) error {
	switch c {
	case "C", "S", "U":
		return nil
	case "":
		if !required {
			return nil
		}
	}
	return fmt.Errorf("%s: confidence must be C, S or U, got %q", at, c)
}

// note records an unconfirmed or secondary figure for the rule-set page.
func (c *compiler) note(conf, text string) { c.noteIn(conf, text, text) }

// noteIn is note with the figure's English.
func (c *compiler) noteIn(conf, text, en string) {
	switch conf {
	case "U":
		c.rs.Unconfirmed = append(c.rs.Unconfirmed, text)
		c.rs.UnconfirmedEN = append(c.rs.UnconfirmedEN, en)
	case "S":
		c.rs.Secondary = append(c.rs.Secondary, text)
		c.rs.SecondaryEN = append(c.rs.SecondaryEN, en)
	}
}

// noted reports whether a figure tagged conf is listed on the rule-set
// page, so that its source needs an English version too.
func noted(conf string) bool { return conf == "U" || conf == "S" }

// checkEnglish refuses an English text left empty or in Chinese. Document
// numbers (国科发火〔2016〕32号) are proper names and may stay as written.
func checkEnglish(at string, texts ...[]string) error {
	for _, list := range texts {
		for i, t := range list {
			if t == "" {
				return fmt.Errorf("%s[%d]: empty", at, i)
			}
			if HasHan(t) {
				return fmt.Errorf("%s[%d]: %q is not English (only document numbers may stay in Chinese)", at, i, t)
			}
		}
	}
	return nil
}

func (c *compiler) confidence(at, own string) (string, error) {
	if err := checkConfidence(at+".confidence", own, false); err != nil {
		return "", err
	}
	if own == "" {
		return c.conf, nil
	}
	return own, nil
}

func (c *compiler) metric(at, name string) (*metric, error) {
	if name == "" {
		return nil, fmt.Errorf("%s.metric: required", at)
	}
	m, ok := c.metrics[name]
	if !ok {
		return nil, fmt.Errorf("%s.metric: unknown metric %q (define it under metrics)", at, name)
	}
	return m, nil
}

func parseOp(at, op string) (cmpOp, error) {
	switch op {
	case ">=":
		return opGE, nil
	case ">":
		return opGT, nil
	case "<=":
		return opLE, nil
	case "<":
		return opLT, nil
	}
	return 0, fmt.Errorf("%s.op: want >=, >, <= or <, got %q", at, op)
}

// node compiles a condition; context is the switch-case label it sits
// under (Chinese), "" at the top.
func (c *compiler) node(at string, f *fileNode, context, group string) (*node, error) {
	return c.nodeIn(at, f, context, context, group)
}

// nodeIn is node with the case label in English too.
func (c *compiler) nodeIn(at string, f *fileNode, context, contextEN, group string) (*node, error) {
	if f.ID == "" || f.Name == "" {
		return nil, fmt.Errorf("%s: id and name required", at)
	}
	if c.ids[f.ID] {
		return nil, fmt.Errorf("%s.id: duplicate id %q", at, f.ID)
	}
	c.ids[f.ID] = true
	at = at + "(" + f.ID + ")"
	conf, err := c.confidence(at, f.Confidence)
	if err != nil {
		return nil, err
	}
	nameEN, err := c.english(at+".name_en", f.NameEN, f.Name)
	if err != nil {
		return nil, err
	}
	n := &node{id: f.ID, name: f.Name, nameEN: nameEN, confidence: conf, source: f.Source, note: f.Note}
	kinds := 0
	for _, set := range []bool{f.Metric != "", f.Attest != "", f.Judgement != "", f.Choice != nil,
		f.Certificate != nil, f.Honor != nil, f.Industry != nil, f.Never != "", f.AllOf != nil, f.AnyOf != nil, f.Switch != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return nil, fmt.Errorf("%s: exactly one of metric, attest, judgement, choice, certificate, honor, industry, never, all_of, any_of, switch required (found %d)", at, kinds)
	}
	switch {
	case f.Metric != "":
		n.kind = kindCompare
		if n.m, err = c.metric(at, f.Metric); err != nil {
			return nil, err
		}
		if n.op, err = parseOp(at, f.Op); err != nil {
			return nil, err
		}
		if f.Value == nil {
			return nil, fmt.Errorf("%s.value: required", at)
		}
		n.value = float64(*f.Value)
		for _, y := range f.EachYear {
			if y > 0 || y < -3 {
				return nil, fmt.Errorf("%s.each_year: offsets must be between -3 and 0, got %d", at, y)
			}
		}
		if len(f.EachYear) > 0 && (n.m.op == mAgeDays || n.m.op == mFigure || n.m.op == mIP) {
			return nil, fmt.Errorf("%s.each_year: metric %q does not depend on the year", at, f.Metric)
		}
		n.eachYear = f.EachYear
		n.required = opSymbol[n.op] + " " + formatValue(n.value, n.m.unit)
		n.requiredEN = opSymbol[n.op] + " " + formatValueIn(n.value, n.m.unit, true)
		if context != "" {
			n.required += "（" + context + "）"
			n.requiredEN += " (" + contextEN + ")"
		}
	case f.Attest != "", f.Judgement != "":
		key := f.Attest + f.Judgement
		info := findKey(AttestationKeys, key)
		if info == nil {
			return nil, fmt.Errorf("%s: unknown attestation key %q (add it to AttestationKeys)", at, key)
		}
		n.kind, n.key, n.label, n.labelEN = kindAttest, key, info.Label, info.LabelEN
		n.required, n.requiredEN = "是", "yes"
		if f.Judgement != "" {
			n.kind = kindJudgement
			n.required, n.requiredEN = "是"+reviewSuffix, "yes"+reviewSuffixEN
		}
	case f.Choice != nil:
		info := findKey(ChoiceKeys, f.Choice.Key)
		if info == nil {
			return nil, fmt.Errorf("%s.choice.key: unknown choice %q", at, f.Choice.Key)
		}
		if len(f.Choice.In) == 0 {
			return nil, fmt.Errorf("%s.choice.in: required", at)
		}
		for _, v := range f.Choice.In {
			if !contains(info.Values, v) {
				return nil, fmt.Errorf("%s.choice.in: %q is not a value of %s", at, v, f.Choice.Key)
			}
		}
		n.kind, n.key, n.in = kindChoice, f.Choice.Key, f.Choice.In
		n.required = valueLabelList(f.Choice.In, " 或 ")
		n.requiredEN = valueLabelListIn(f.Choice.In, " or ", true)
	case f.Certificate != nil:
		if len(f.Certificate) == 0 {
			return nil, fmt.Errorf("%s.certificate: at least one type required", at)
		}
		var names []string
		for i, cr := range f.Certificate {
			if !contains(CertificateTypes, cr.Type) {
				return nil, fmt.Errorf("%s.certificate[%d].type: unknown type %q", at, i, cr.Type)
			}
			set := 0
			for _, b := range []bool{cr.ValidYears > 0, cr.CalendarYear, cr.Permanent} {
				if b {
					set++
				}
			}
			if set != 1 {
				return nil, fmt.Errorf("%s.certificate[%d]: exactly one of valid_years, calendar_year, permanent required", at, i)
			}
			n.certs = append(n.certs, certRule(cr))
			names = append(names, cr.Type)
		}
		n.kind = kindCertificate
		n.required = "持有有效的" + valueLabelList(names, "或")
		n.requiredEN = "valid " + valueLabelListIn(names, " or ", true) + " status"
	case f.Honor != nil:
		h := f.Honor
		if len(h.Types) == 0 || len(h.Levels) == 0 || h.WithinYears <= 0 {
			return nil, fmt.Errorf("%s.honor: types, levels and within_years required", at)
		}
		for _, t := range h.Types {
			if !contains(HonorTypes, t) {
				return nil, fmt.Errorf("%s.honor.types: unknown type %q", at, t)
			}
		}
		for _, l := range h.Levels {
			if !contains(HonorLevels, l) {
				return nil, fmt.Errorf("%s.honor.levels: unknown level %q", at, l)
			}
		}
		n.kind, n.honor = kindHonor, *h
		n.required = fmt.Sprintf("近%d年%s%s", h.WithinYears, valueLabelList(h.Levels, "或"), valueLabelList(h.Types, "或"))
		n.requiredEN = fmt.Sprintf("a %s %s in the last %d years", valueLabelListIn(h.Levels, " or ", true), valueLabelListIn(h.Types, " or ", true), h.WithinYears)
		if h.MaxRank > 0 {
			n.required += fmt.Sprintf("，排名前%d", h.MaxRank)
			n.requiredEN += fmt.Sprintf(", ranked in the first %d", h.MaxRank)
		}
	case f.Industry != nil:
		if (len(f.Industry.In) == 0) == (len(f.Industry.NotIn) == 0) {
			return nil, fmt.Errorf("%s.industry: exactly one of in, not_in required", at)
		}
		n.kind, n.in, n.negate = kindIndustry, f.Industry.In, len(f.Industry.NotIn) > 0
		if n.negate {
			n.in = f.Industry.NotIn
			n.required = "不属于 " + strings.Join(n.in, "、")
			n.requiredEN = "not in " + strings.Join(n.in, ", ")
		} else {
			n.required = "属于 " + strings.Join(n.in, "、")
			n.requiredEN = "in " + strings.Join(n.in, ", ")
		}
		for _, code := range n.in {
			if !validIndustry(code) && len(code) != 1 {
				return nil, fmt.Errorf("%s.industry: %q is not a GB/T 4754 code", at, code)
			}
		}
	case f.Never != "":
		reasonEN, err := c.english(at+".never_en", f.NeverEN, f.Never)
		if err != nil {
			return nil, err
		}
		n.kind, n.reason, n.required = kindNever, f.Never, "—"
		n.reasonEN, n.requiredEN = reasonEN, "—"
	case f.AllOf != nil, f.AnyOf != nil:
		list := f.AllOf
		n.kind = kindAllOf
		n.required, n.requiredEN = "全部满足", "all of them"
		if f.AnyOf != nil {
			list = f.AnyOf
			n.kind = kindAnyOf
			n.required, n.requiredEN = "满足其一", "any one of them"
		}
		if len(list) < 2 {
			return nil, fmt.Errorf("%s: a group needs at least two members", at)
		}
		for i := range list {
			child, err := c.nodeIn(fmt.Sprintf("%s.%s[%d]", at, map[bool]string{true: "any_of", false: "all_of"}[f.AnyOf != nil], i), &list[i], context, contextEN, f.ID)
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, child)
		}
	case f.Switch != nil:
		if err := c.switchNode(at, f.Switch, n); err != nil {
			return nil, err
		}
	}
	n.info = &Condition{ID: n.id, Name: n.name, Group: group, Required: n.required, Confidence: conf, Source: f.Source,
		NameEN: n.nameEN, RequiredEN: n.requiredEN}
	n.info.prefix = n.info.appendStatic(nil)
	for _, cs := range n.cases {
		info := *n.info
		info.Required, info.RequiredEN = cs.label, cs.labelEN
		info.prefix = info.appendStatic(nil)
		n.caseInfo = append(n.caseInfo, &info)
	}
	switch n.kind {
	case kindAttest, kindJudgement:
		n.gapText = n.name + "：不满足（" + n.label + "）"
		n.reviewText = n.label + reviewSuffix
		n.gapTextEN = n.nameEN + ": not met (" + n.labelEN + ")"
		n.reviewTextEN = n.labelEN + reviewSuffixEN
	case kindCertificate:
		n.gapText = n.name + "：未" + n.required
		n.gapTextEN = n.nameEN + ": no " + n.requiredEN
	case kindHonor:
		n.gapText = n.name + "：无符合条件的记录（需" + n.required + "）"
		n.gapTextEN = n.nameEN + ": no qualifying record (needs " + n.requiredEN + ")"
	case kindNever:
		n.gapText = n.name + "：" + n.reason
		n.gapTextEN = n.nameEN + ": " + n.reasonEN
	case kindSwitch:
		n.gapText = n.name + "：各档要求均不满足"
		n.gapTextEN = n.nameEN + ": the requirements of no band are met"
	}
	if n.kind == kindCompare || n.kind == kindAttest || n.kind == kindJudgement || n.kind == kindChoice || n.kind == kindCertificate || n.kind == kindHonor || n.kind == kindIndustry {
		if err := checkConfidence(at, conf, true); err != nil {
			return nil, err
		}
		sourceEN := ""
		if noted(conf) && f.Source != "" {
			if sourceEN, err = c.english(at+".source_en", f.SourceEN, f.Source); err != nil {
				return nil, err
			}
		}
		c.noteIn(conf, n.name+" "+n.required+sourceSuffix(f.Source), n.nameEN+" "+n.requiredEN+sourceSuffixEN(sourceEN))
	}
	return n, nil
}

func sourceSuffix(s string) string {
	if s == "" {
		return ""
	}
	return "（" + s + "）"
}

func sourceSuffixEN(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func (c *compiler) switchNode(at string, f *fileSwitch, n *node) error {
	n.kind = kindSwitch
	if f.Industry == (f.Metric != "") {
		return fmt.Errorf("%s.switch: exactly one of metric, industry required", at)
	}
	var err error
	if f.Metric != "" {
		if n.swMetric, err = c.metric(at+".switch", f.Metric); err != nil {
			return err
		}
	}
	if len(f.Cases) < 2 {
		return fmt.Errorf("%s.switch.cases: at least two cases required", at)
	}
	for i, fc := range f.Cases {
		cat := fmt.Sprintf("%s.switch.cases[%d]", at, i)
		if fc.Then == nil {
			return fmt.Errorf("%s.then: required", cat)
		}
		if fc.Label == "" {
			return fmt.Errorf("%s.label: required", cat)
		}
		labelEN, err := c.english(cat+".label_en", fc.LabelEN, fc.Label)
		if err != nil {
			return err
		}
		sc := switchCase{label: fc.Label, labelEN: labelEN, industries: fc.Industries}
		tests := 0
		for _, t := range []struct {
			q  *Quantity
			op cmpOp
		}{{fc.Min, opGE}, {fc.Gt, opGT}, {fc.Max, opLE}, {fc.Lt, opLT}} {
			if t.q != nil {
				tests++
				sc.op, sc.value, sc.hasTest = t.op, float64(*t.q), true
			}
		}
		if tests > 1 {
			return fmt.Errorf("%s: at most one of min, gt, max, lt", cat)
		}
		if f.Industry && tests > 0 || !f.Industry && len(fc.Industries) > 0 {
			return fmt.Errorf("%s: an industry switch takes industries, a metric switch takes min/gt/max/lt", cat)
		}
		last := i == len(f.Cases)-1
		isElse := !sc.hasTest && len(sc.industries) == 0
		if isElse != last {
			return fmt.Errorf("%s: the last case, and only it, must be the catch-all (no test)", cat)
		}
		if sc.then, err = c.nodeIn(cat+".then", fc.Then, fc.Label, labelEN, n.id); err != nil {
			return err
		}
		n.cases = append(n.cases, sc)
	}
	n.required, n.requiredEN = "按档位", "by band"
	return nil
}

func (c *compiler) scoreSpec(f *fileScore) (*scoreSpec, error) {
	s := &scoreSpec{max: f.Max, minTotal: f.MinTotal}
	if f.Max <= 0 || f.MinTotal <= 0 || f.MinTotal > f.Max {
		return nil, fmt.Errorf("score: need 0 < min_total <= max (got %v, %v)", f.MinTotal, f.Max)
	}
	s.required = "≥ " + formatValue(f.MinTotal, UnitPoints)
	s.requiredEN = "≥ " + formatValueIn(f.MinTotal, UnitPoints, true)
	partIdx := map[string]int{}
	for i, p := range f.Parts {
		if p.ID == "" || p.Name == "" || p.Max <= 0 {
			return nil, fmt.Errorf("score.parts[%d]: id, name and max required", i)
		}
		nameEN, err := c.english(fmt.Sprintf("score.parts[%d].name_en", i), p.NameEN, p.Name)
		if err != nil {
			return nil, err
		}
		partIdx[p.ID] = i
		s.parts = append(s.parts, scorePart{id: p.ID, name: p.Name, nameEN: nameEN, max: p.Max, passMin: p.PassMin})
	}
	if len(f.Items) == 0 {
		return nil, errors.New("score.items: required")
	}
	seen := map[string]bool{}
	sumMax := 0.0
	partSum := make([]float64, len(s.parts))
	for i := range f.Items {
		at := fmt.Sprintf("score.items[%d]", i)
		it, err := c.item(at, &f.Items[i])
		if err != nil {
			return nil, err
		}
		if seen[it.id] {
			return nil, fmt.Errorf("%s.id: duplicate %q", at, it.id)
		}
		seen[it.id] = true
		it.part = -1
		it.info = &Item{ID: it.id, Name: it.name, Max: it.max, Expert: it.expert, Confidence: it.confidence, NameEN: it.nameEN}
		if f.Items[i].Part != "" {
			p, ok := partIdx[f.Items[i].Part]
			if !ok {
				return nil, fmt.Errorf("%s.part: unknown part %q", at, f.Items[i].Part)
			}
			it.part = p
			it.info.Part, it.info.PartEN = s.parts[p].name, s.parts[p].nameEN
			partSum[p] += it.max
		} else if len(s.parts) > 0 {
			return nil, fmt.Errorf("%s.part: required when score.parts is set", at)
		}
		it.info.prefix = it.info.appendStatic(nil)
		s.items = append(s.items, it)
	}
	if len(s.parts) > 0 {
		for i, p := range s.parts {
			// A part may hold bonus items beyond its cap (高企 知识产权 ≤30 with
			// the standards bonus), but it must be reachable.
			if partSum[i] < p.max {
				return nil, fmt.Errorf("score.parts[%d](%s): items add up to %v, below the part max %v", i, p.id, partSum[i], p.max)
			}
			sumMax += p.max
		}
	} else {
		for _, it := range s.items {
			sumMax += it.max
		}
	}
	if sumMax != f.Max {
		return nil, fmt.Errorf("score.max: %v, but the items (capped by parts) add up to %v", f.Max, sumMax)
	}
	for _, id := range f.Nonzero {
		found := -1
		for i, it := range s.items {
			if it.id == id {
				found = i
			}
		}
		if found < 0 {
			return nil, fmt.Errorf("score.nonzero: unknown item %q", id)
		}
		s.nonzero = append(s.nonzero, found)
	}
	return s, nil
}

func (c *compiler) item(at string, f *fileItem) (*item, error) {
	if f.ID == "" || f.Name == "" || f.Max <= 0 {
		return nil, fmt.Errorf("%s: id, name and a positive max required", at)
	}
	at += "(" + f.ID + ")"
	conf, err := c.confidence(at, f.Confidence)
	if err != nil {
		return nil, err
	}
	nameEN, err := c.english(at+".name_en", f.NameEN, f.Name)
	if err != nil {
		return nil, err
	}
	it := &item{id: f.ID, name: f.Name, nameEN: nameEN, max: f.Max, confidence: conf, source: f.Source}
	// The page lists unconfirmed and secondary bands with the item's
	// source, so such a source needs its English.
	sourceEN := func(figConf string) (string, error) {
		if !noted(figConf) || f.Source == "" {
			return "", nil
		}
		en, err := c.english(at+".source_en", f.SourceEN, f.Source)
		if err != nil {
			return "", err
		}
		return sourceSuffixEN(en), nil
	}
	kinds := 0
	for _, b := range []bool{f.Bands != nil, f.Choice != "", f.ExpertPoints != "", f.BestOf != nil} {
		if b {
			kinds++
		}
	}
	if kinds != 1 {
		return nil, fmt.Errorf("%s: exactly one of bands, choice, expert_points, best_of required", at)
	}
	switch {
	case f.Bands != nil:
		it.kind = itemBands
		if f.Metric != "" {
			if it.m, err = c.metric(at, f.Metric); err != nil {
				return nil, err
			}
		}
		for i := range f.Bands {
			bat := fmt.Sprintf("%s.bands[%d]", at, i)
			b, err := c.band(bat, &f.Bands[i], it.m)
			if err != nil {
				return nil, err
			}
			if b.points.Max > it.max {
				return nil, fmt.Errorf("%s.points: %v exceeds the item max %v", bat, b.points.Max, it.max)
			}
			bconf, _ := c.confidence(bat, f.Bands[i].Confidence)
			if f.Bands[i].Confidence == "" {
				bconf = conf
			}
			src, err := sourceEN(bconf)
			if err != nil {
				return nil, err
			}
			c.noteIn(bconf, it.name+" "+b.label+" → "+formatPoints(b.points)+sourceSuffix(f.Source),
				it.nameEN+" "+b.labelEN+" → "+formatPointsIn(b.points, true)+src)
			last := i == len(f.Bands)-1
			if (len(b.tests) == 0) != last {
				return nil, fmt.Errorf("%s: the last band, and only it, must be the catch-all (no test)", bat)
			}
			it.bands = append(it.bands, b)
		}
		if len(it.bands) < 2 {
			return nil, fmt.Errorf("%s.bands: at least two bands required", at)
		}
		it.ptsMin, it.ptsMax = bandRange(it.bands)
	case f.Choice != "":
		info := findKey(ChoiceKeys, f.Choice)
		if info == nil {
			return nil, fmt.Errorf("%s.choice: unknown choice %q", at, f.Choice)
		}
		if len(f.Options) == 0 {
			return nil, fmt.Errorf("%s.options: required", at)
		}
		it.kind, it.key, it.options, it.expert = itemChoice, f.Choice, f.Options, info.Expert
		it.ptsMin, it.ptsMax = f.Max, 0
		for _, k := range sortedKeys(f.Options) {
			if !contains(info.Values, k) {
				return nil, fmt.Errorf("%s.options: %q is not a value of %s", at, k, f.Choice)
			}
			p := f.Options[k]
			if p.Max > it.max {
				return nil, fmt.Errorf("%s.options.%s: %v exceeds the item max %v", at, k, p.Max, it.max)
			}
			it.ptsMin, it.ptsMax = min(it.ptsMin, p.Min), max(it.ptsMax, p.Max)
		}
		src, err := sourceEN(conf)
		if err != nil {
			return nil, err
		}
		c.noteIn(conf, it.name+" 选项分值"+sourceSuffix(f.Source), it.nameEN+" option points"+src)
	case f.ExpertPoints != "":
		info := findKey(FigureKeys, f.ExpertPoints)
		if info == nil || !info.Expert {
			return nil, fmt.Errorf("%s.expert_points: %q is not an expert-score figure", at, f.ExpertPoints)
		}
		it.kind, it.key, it.expert, it.ptsMin, it.ptsMax = itemExpert, f.ExpertPoints, true, 0, f.Max
	case f.BestOf != nil:
		if len(f.BestOf) < 2 {
			return nil, fmt.Errorf("%s.best_of: at least two alternatives required", at)
		}
		it.kind = itemBest
		it.ptsMin, it.ptsMax = 0, 0
		for i := range f.BestOf {
			sub, err := c.item(fmt.Sprintf("%s.best_of[%d]", at, i), &f.BestOf[i])
			if err != nil {
				return nil, err
			}
			if sub.max > it.max {
				return nil, fmt.Errorf("%s.best_of[%d].max: exceeds the item max", at, i)
			}
			it.best = append(it.best, sub)
			it.ptsMin, it.ptsMax = max(it.ptsMin, sub.ptsMin), max(it.ptsMax, sub.ptsMax)
		}
	}
	return it, nil
}

func bandRange(bands []band) (lo, hi float64) {
	lo, hi = bands[0].points.Min, bands[0].points.Max
	for _, b := range bands[1:] {
		lo, hi = min(lo, b.points.Min), max(hi, b.points.Max)
	}
	return lo, hi
}

func formatPoints(p Points) string { return formatPointsIn(p, false) }

func formatPointsIn(p Points, en bool) string {
	if p.Min == p.Max {
		return formatValueIn(p.Min, UnitPoints, en)
	}
	return formatValue(p.Min, UnitNone) + "–" + formatValueIn(p.Max, UnitPoints, en)
}

func (c *compiler) band(at string, f *fileBand, def *metric) (band, error) {
	b := band{points: f.Points, label: f.Label}
	if f.Label != "" {
		var err error
		if b.labelEN, err = c.english(at+".label_en", f.LabelEN, f.Label); err != nil {
			return b, err
		}
	}
	var labels, labelsEN []string
	add := func(fb *fileBand, bat string) error {
		m := def
		if fb.Metric != "" {
			var err error
			if m, err = c.metric(bat, fb.Metric); err != nil {
				return err
			}
		}
		n := 0
		for _, t := range []struct {
			q  *Quantity
			op cmpOp
		}{{fb.Min, opGE}, {fb.Gt, opGT}, {fb.Max, opLE}, {fb.Lt, opLT}} {
			if t.q == nil {
				continue
			}
			n++
			if m == nil {
				return fmt.Errorf("%s.metric: required (no item metric to default to)", bat)
			}
			b.tests = append(b.tests, bandTest{m: m, op: t.op, value: float64(*t.q)})
			labels = append(labels, m.label+" "+opSymbol[t.op]+" "+formatValue(float64(*t.q), m.unit))
			labelsEN = append(labelsEN, m.labelEN+" "+opSymbol[t.op]+" "+formatValueIn(float64(*t.q), m.unit, true))
		}
		if n > 1 {
			return fmt.Errorf("%s: at most one of min, gt, max, lt", bat)
		}
		if n == 0 && fb.Metric != "" {
			return fmt.Errorf("%s: metric given without min, gt, max or lt", bat)
		}
		return nil
	}
	if err := add(f, at); err != nil {
		return b, err
	}
	for i := range f.Or {
		o := &f.Or[i]
		if o.Or != nil || o.Label != "" || o.LabelEN != "" || o.Points != (Points{}) {
			return b, fmt.Errorf("%s.or[%d]: an alternative takes only metric and min/gt/max/lt", at, i)
		}
		if err := add(o, fmt.Sprintf("%s.or[%d]", at, i)); err != nil {
			return b, err
		}
	}
	if len(f.Or) > 0 && len(b.tests) != len(f.Or)+1 {
		return b, fmt.Errorf("%s: a band with or-alternatives needs its own test too", at)
	}
	if b.label == "" {
		if len(labels) == 0 {
			b.label, b.labelEN = "其他", "otherwise"
		} else {
			b.label, b.labelEN = strings.Join(labels, " 或 "), strings.Join(labelsEN, " or ")
		}
	}
	return b, nil
}
