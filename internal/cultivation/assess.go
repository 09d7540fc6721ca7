package cultivation

import (
	"math"
	"strconv"
	"strings"
	"time"
)

type cmpOp uint8

const (
	opGE cmpOp = iota
	opGT
	opLE
	opLT
)

var opSymbol = [...]string{opGE: "≥", opGT: ">", opLE: "≤", opLT: "<"}

// compare applies op with a tolerance of one part in 10⁹, because growth
// rates such as 1.15/1 − 1 come out as 0.1499999… and the official bands
// are inclusive at the boundary.
func compare(v float64, op cmpOp, t float64) bool {
	eps := 1e-9 * max(1, math.Abs(t))
	switch op {
	case opGE:
		return v >= t-eps
	case opGT:
		return v > t+eps
	case opLE:
		return v <= t+eps
	default:
		return v < t-eps
	}
}

type nodeKind uint8

const (
	kindCompare nodeKind = iota
	kindAttest
	kindJudgement
	kindChoice
	kindCertificate
	kindHonor
	kindIndustry
	kindNever
	kindAllOf
	kindAnyOf
	kindSwitch
)

type certRule = fileCertRule

type switchCase struct {
	label      string
	labelEN    string
	hasTest    bool
	op         cmpOp
	value      float64
	industries []string
	then       *node
}

// node is a compiled condition. Leaves compare a metric or read an
// attestation, choice, certificate, honor or industry; groups combine them.
type node struct {
	id, name string
	kind     nodeKind
	m        *metric
	op       cmpOp
	value    float64
	eachYear []int
	key      string
	label    string
	in       []string
	negate   bool
	certs    []certRule
	honor    fileHonor
	reason   string
	children []*node
	swMetric *metric
	cases    []switchCase
	required string
	// The English of the texts above and below, for English pages.
	nameEN, requiredEN, labelEN, reasonEN, gapTextEN, reviewTextEN string
	info                                                           *Condition   // the row this node writes
	caseInfo                                                       []*Condition // for a switch: its row once a case is chosen
	gapText                                                        string       // the gap when it fails, for kinds whose gap is fixed
	reviewText                                                     string       // to_confirm entry of a judgement
	confidence                                                     string
	source                                                         string
	note                                                           string
}

type itemKind uint8

const (
	itemBands itemKind = iota
	itemChoice
	itemExpert
	itemBest
)

type bandTest struct {
	m     *metric
	op    cmpOp
	value float64
}

type band struct {
	tests   []bandTest // any one suffices; none means "otherwise"
	points  Points
	label   string
	labelEN string
}

type item struct {
	info           *Item
	id, name       string
	nameEN         string
	part           int
	max            float64
	kind           itemKind
	m              *metric
	bands          []band
	key            string
	options        map[string]Points
	expert         bool
	best           []*item
	ptsMin, ptsMax float64
	confidence     string
	source         string
}

type scorePart struct {
	id, name string
	nameEN   string
	max      float64
	passMin  float64
}

type scoreSpec struct {
	max, minTotal float64
	parts         []scorePart
	items         []*item
	nonzero       []int
	required      string
	requiredEN    string
}

// status orders outcomes so that AND is max and OR is min.
type status uint8

const (
	stPass status = iota
	stReview
	stMissing
	stFail
)

func and(a, b status) status { return max(a, b) }
func or(a, b status) status  { return min(a, b) }

// evalCtx carries one assessment. silent > 0 while the engine probes
// alternatives whose rows and gaps must not reach the result.
type evalCtx struct {
	in        *AssessmentInput
	asOf      time.Time
	base      int
	foundedOK bool
	present   uint16 // bit k: year base−k was given
	store     [1 - minOffset + 1]YearFigures
	res       *AssessmentResult
	silent    int
}

type mark struct{ gaps, missing, confirm int }

func (c *evalCtx) mark() mark {
	return mark{len(c.res.Gaps), len(c.res.Missing), len(c.res.ToConfirm)}
}

func (c *evalCtx) restore(m mark) {
	c.res.Gaps = c.res.Gaps[:m.gaps]
	c.res.Missing = c.res.Missing[:m.missing]
	c.res.ToConfirm = c.res.ToConfirm[:m.confirm]
}

func (c *evalCtx) addMissing(p string) {
	if c.silent > 0 {
		return
	}
	for _, q := range c.res.Missing {
		if q == p {
			return
		}
	}
	c.res.Missing = append(c.res.Missing, p)
}

func (c *evalCtx) addConfirm(s string) {
	if c.silent > 0 {
		return
	}
	for _, q := range c.res.ToConfirm {
		if q == s {
			return
		}
	}
	c.res.ToConfirm = append(c.res.ToConfirm, s)
}

func (c *evalCtx) addGap(g Gap) {
	if c.silent == 0 {
		c.res.Gaps = append(c.res.Gaps, g)
	}
}

// row appends a condition row and returns its index, or -1 when silent.
func (c *evalCtx) row(n *node) int {
	if c.silent > 0 {
		return -1
	}
	c.res.Conditions = append(c.res.Conditions, ConditionResult{Condition: n.info})
	return len(c.res.Conditions) - 1
}

func (c *evalCtx) finishRow(i int, st status, actual Value, confirmed bool) {
	if i < 0 {
		return
	}
	r := &c.res.Conditions[i]
	r.Actual = actual
	switch st {
	case stPass:
		r.Pass, r.Status = TriTrue, StatusPass
		if !confirmed {
			r.Status = StatusToConfirm
		}
	case stFail:
		r.Pass, r.Status = TriFalse, StatusFail
	case stMissing:
		r.Status = StatusMissing
	case stReview:
		r.Status = StatusReview
	}
}

// Assess evaluates one enterprise against one rule set. It is pure: the
// result depends only on rs and in, and rs may be shared by goroutines.
// Verdict rules: any failed condition gives "no", even when other data are
// missing; otherwise missing data give "unknown"; otherwise a score range or
// a pending judgement that leaves both outcomes open gives "possible".
func Assess(rs *RuleSet, in AssessmentInput) AssessmentResult {
	var res AssessmentResult
	AssessInto(&res, rs, &in)
	return res
}

// AssessInto is Assess writing into dst and reusing dst's slices, so that a
// bulk run (one dst per worker) allocates only the gap texts. The previous
// contents of dst, including slices obtained from it, are overwritten: copy
// what must outlive the next call.
func AssessInto(dst *AssessmentResult, rs *RuleSet, in *AssessmentInput) {
	*dst = AssessmentResult{
		ID: in.ID, RuleSet: rs.ID, Version: rs.Version, Name: rs.Name, AsOf: in.AsOf,
		Conditions: dst.Conditions[:0], Items: dst.Items[:0], Gaps: dst.Gaps[:0],
		Missing: dst.Missing[:0], ToConfirm: dst.ToConfirm[:0], altStore: dst.altStore[:0],
	}
	if cap(dst.Conditions) < rs.outCap {
		dst.Conditions = make([]ConditionResult, 0, rs.outCap)
	}
	c := evalCtx{in: in, asOf: in.AsOf.Time, res: dst, foundedOK: !in.Founded.IsZero()}
	c.base = in.DataYear
	if c.base == 0 {
		c.base = in.AsOf.Year() - 1
	}
	dst.DataYear = c.base
	for k := range c.store {
		if y, ok := in.Years[c.base-k]; ok {
			c.store[k] = y
			c.present |= 1 << k
		}
	}

	gates := stPass
	for _, n := range rs.conditions {
		gates = and(gates, c.evalNode(n))
	}
	qual := stPass
	if rs.score != nil {
		before := c.mark()
		qual = c.evalScore(rs.score)
		if len(rs.direct) > 0 {
			m := c.mark()
			direct := stFail
			for _, n := range rs.direct {
				direct = or(direct, c.evalNode(n))
			}
			// A direct route is an alternative to the score: its shortfalls
			// are no gap of the enterprise, its missing data matter only
			// while the score has not decided, and once it passes the
			// score's own shortfalls are moot.
			switch {
			case direct == stPass:
				c.restore(before)
			case qual == stPass:
				c.restore(m)
			default:
				c.res.Gaps = c.res.Gaps[:m.gaps]
			}
			qual = or(qual, direct)
		}
	}
	switch and(gates, qual) {
	case stPass:
		dst.Verdict = VerdictYes
	case stFail:
		dst.Verdict = VerdictNo
	case stMissing:
		dst.Verdict = VerdictUnknown
	default:
		dst.Verdict = VerdictPossible
	}
	// Encode empty lists as [] rather than null.
	if dst.Gaps == nil {
		dst.Gaps = []Gap{}
	}
	if dst.Missing == nil {
		dst.Missing = []string{}
	}
	if dst.ToConfirm == nil {
		dst.ToConfirm = []string{}
	}
	if dst.Items == nil {
		dst.Items = []ItemResult{}
	}
}

func (c *evalCtx) evalNode(n *node) status {
	switch n.kind {
	case kindCompare:
		return c.evalCompare(n)
	case kindAttest, kindJudgement:
		i := c.row(n)
		v, given := c.in.Attestations[n.key]
		switch {
		case given && v:
			c.finishRow(i, stPass, Value{Text: "是", en: "yes"}, true)
			return stPass
		case given:
			c.finishRow(i, stFail, Value{Text: "否", en: "no"}, true)
			c.addGap(Gap{text: n.gapText, textEN: n.gapTextEN})
			return stFail
		case n.kind == kindAttest:
			c.finishRow(i, stPass, Value{Text: "未声明", en: "not stated"}, false)
			c.addConfirm(n.label)
			return stPass
		}
		c.finishRow(i, stReview, Value{Text: "未声明", en: "not stated"}, false)
		c.addConfirm(n.reviewText)
		return stReview
	case kindChoice:
		i := c.row(n)
		v, given := c.in.Choices[n.key]
		switch {
		case !given:
			c.addMissing(choicePaths[n.key])
			c.finishRow(i, stMissing, Value{}, true)
			return stMissing
		case contains(n.in, v):
			c.finishRow(i, stPass, Value{Text: valueLabel(v), en: valueLabelIn(v, true)}, true)
			return stPass
		}
		c.finishRow(i, stFail, Value{Text: valueLabel(v), en: valueLabelIn(v, true)}, true)
		c.addGap(Gap{kind: gapChoice, n: n, text: valueLabel(v), textEN: valueLabelIn(v, true)})
		return stFail
	case kindCertificate:
		i := c.row(n)
		if c.hasCertificate(n.certs) {
			c.finishRow(i, stPass, Value{Text: "持有", en: "held"}, true)
			return stPass
		}
		c.finishRow(i, stFail, Value{Text: "无", en: "none"}, true)
		c.addGap(Gap{text: n.gapText, textEN: n.gapTextEN})
		return stFail
	case kindHonor:
		i := c.row(n)
		st := c.evalHonor(&n.honor)
		text, en := "有", "found"
		switch st {
		case stFail:
			text, en = "无", "none"
		case stMissing:
			text, en = "排名未知", "rank unknown"
		}
		c.finishRow(i, st, Value{Text: text, en: en}, true)
		if st == stFail {
			c.addGap(Gap{text: n.gapText, textEN: n.gapTextEN})
		}
		return st
	case kindIndustry:
		i := c.row(n)
		code := c.in.Industry
		if code == "" {
			c.addMissing("industry")
			c.finishRow(i, stMissing, Value{}, true)
			return stMissing
		}
		if matchIndustry(code, n.in) != n.negate {
			c.finishRow(i, stPass, Value{Text: code}, true)
			return stPass
		}
		c.finishRow(i, stFail, Value{Text: code}, true)
		c.addGap(Gap{kind: gapIndustry, n: n, text: code})
		return stFail
	case kindNever:
		i := c.row(n)
		c.finishRow(i, stFail, Value{Text: c.in.Industry}, true)
		c.addGap(Gap{text: n.gapText, textEN: n.gapTextEN})
		return stFail
	case kindAllOf, kindAnyOf:
		i := c.row(n)
		m := c.mark()
		st := stPass
		if n.kind == kindAnyOf {
			st = stFail
		}
		for _, ch := range n.children {
			s := c.evalNode(ch)
			if n.kind == kindAnyOf {
				st = or(st, s)
			} else {
				st = and(st, s)
			}
		}
		if n.kind == kindAnyOf {
			switch st {
			case stPass:
				c.restore(m)
			case stFail:
				if c.silent == 0 && len(c.res.Gaps) > m.gaps {
					// The alternatives live in the result's own store so that
					// a reused result allocates nothing here.
					start := len(c.res.altStore)
					c.res.altStore = append(c.res.altStore, c.res.Gaps[m.gaps:]...)
					g := Gap{kind: gapAlt, n: n, alts: c.res.altStore[start:len(c.res.altStore):len(c.res.altStore)]}
					c.res.Gaps = append(c.res.Gaps[:m.gaps], g)
				}
			default:
				c.res.Gaps = c.res.Gaps[:m.gaps]
			}
		}
		c.finishRow(i, st, Value{}, true)
		return st
	case kindSwitch:
		return c.evalSwitch(n)
	}
	return stFail
}

func (c *evalCtx) evalCompare(n *node) status {
	i := c.row(n)
	if len(n.eachYear) == 0 {
		mv := c.eval(n.m, 0)
		if !mv.ok {
			c.finishRow(i, stMissing, Value{}, true)
			return stMissing
		}
		actual := Value{V: mv.v, Unit: n.m.unit, Known: true}
		if compare(mv.v, n.op, n.value) {
			c.finishRow(i, stPass, actual, true)
			return stPass
		}
		c.finishRow(i, stFail, actual, true)
		if c.silent == 0 {
			c.addGap(Gap{kind: gapCompare, n: n, v: mv.v, num: mv.num, den: mv.den, asOf: c.asOf})
		}
		return stFail
	}
	// Each listed year must pass on its own; the row shows the worst year.
	st := stPass
	var worst mval
	have := false
	for _, shift := range n.eachYear {
		mv := c.eval(n.m, shift)
		if !mv.ok {
			st = and(st, stMissing)
			continue
		}
		if !compare(mv.v, n.op, n.value) {
			st = stFail
			if c.silent == 0 {
				c.addGap(Gap{kind: gapCompare, n: n, v: mv.v, num: mv.num, den: mv.den, asOf: c.asOf, year: c.base + n.m.to + shift})
			}
		}
		lower := n.op == opGE || n.op == opGT
		if !have || (lower && mv.v < worst.v) || (!lower && mv.v > worst.v) {
			worst, have = mv, true
		}
	}
	actual := Value{}
	if have {
		actual = Value{V: worst.v, Unit: n.m.unit, Known: true}
	}
	c.finishRow(i, st, actual, true)
	return st
}

// appendCompare says what a failed comparison lacks, in the enterprise's terms:
// for a ratio, how much more of the numerator (R&D, 科技人员) closes it; for
// an age, how many days remain and from which date the firm qualifies.
func (g *Gap) appendCompare(b []byte) []byte { return g.appendCompareIn(b, false) }

// appendCompareIn is appendCompare in Chinese or, when en, in English.
func (g *Gap) appendCompareIn(b []byte, en bool) []byte {
	n, m := g.n, g.n.m
	mv := mval{v: g.v, num: g.num, den: g.den}
	w := func(zh, english string) []byte {
		if en {
			return append(b, english...)
		}
		return append(b, zh...)
	}
	if en {
		b = append(b, n.nameEN...)
	} else {
		b = append(b, n.name...)
	}
	if g.year != 0 {
		b = w("（", " (")
		b = strconv.AppendInt(b, int64(g.year), 10)
		b = w("年）", ")")
	}
	b = append(b, ' ')
	b = appendDistinctIn(b, mv.v, n.value, m.unit, en)
	if en {
		b = append(b, ", needs "...)
		b = append(b, n.requiredEN...)
		b = append(b, ": "...)
	} else {
		b = append(b, "，需 "...)
		b = append(b, n.required...)
		b = append(b, "："...)
	}
	up := n.op == opGE || n.op == opGT
	switch m.op {
	case mRatio:
		numUnit := yearFieldInfo[m.field].unit
		noun := m.noun
		if en {
			noun = m.nounEN
		}
		if noun == "" {
			noun = yearFieldInfo[m.field].label
			if en {
				noun = yearFieldInfo[m.field].labelEN
			}
		}
		t := n.value
		var d float64
		if up {
			d = t*mv.den - mv.num
		} else {
			d = mv.num - t*mv.den
		}
		if m.partOfDen && t < 1 {
			// Adding to the numerator adds to the denominator too (科技人员
			// are 职工): solve (num+Δ)/(den+Δ) = t.
			d /= 1 - t
		}
		d = roundUp(d, numUnit)
		if mv.den == 0 && up {
			if en {
				b = append(b, yearFieldInfo[m.den].labelEN...)
				return append(b, " is 0"...)
			}
			b = append(b, yearFieldInfo[m.den].label...)
			return append(b, "为 0"...)
		}
		if en {
			b = appendValueEN(b, d, numUnit)
			if up {
				b = append(b, " more "...)
			} else {
				b = append(b, " less "...)
			}
			return append(b, noun...)
		}
		if up {
			b = append(b, "还差 "...)
		} else {
			b = append(b, "需减少 "...)
		}
		b = appendValue(b, d, numUnit)
		b = append(b, ' ')
		b = append(b, noun...)
	case mGrowth, mAvgGrowth, mCAGR:
		d := math.Abs(n.value - mv.v)
		if math.IsInf(mv.v, 0) {
			return w("无法计算增长率", "the growth rate cannot be computed")
		}
		if en {
			b = appendTrim(b, d*100, 2)
			return append(b, " percentage points short"...)
		}
		b = append(b, "还差 "...)
		b = appendTrim(b, d*100, 2)
		b = append(b, " 个百分点"...)
	case mAgeDays:
		d := math.Ceil(n.value - mv.v)
		if n.op == opGT {
			d++
		}
		if en {
			b = appendValueEN(b, d, UnitDays)
			b = append(b, " to go (met from "...)
			b = g.asOf.AddDate(0, 0, int(d)).AppendFormat(b, dateLayout)
			return append(b, ')')
		}
		b = append(b, "还需 "...)
		b = appendTrim(b, d, 0)
		b = append(b, "天（"...)
		b = g.asOf.AddDate(0, 0, int(d)).AppendFormat(b, dateLayout)
		b = append(b, " 起满足）"...)
	default:
		d := n.value - mv.v
		if !up {
			d = -d
		}
		d = roundUp(d, m.unit)
		if en {
			b = appendValueEN(b, d, m.unit)
			if up {
				return append(b, " short"...)
			}
			return append(b, " over"...)
		}
		if up {
			b = append(b, "还差 "...)
		} else {
			b = append(b, "超出 "...)
		}
		b = appendValue(b, d, m.unit)
	}
	return b
}

// appendDistinctIn writes a failed ratio with enough decimals that it does not
// print as the threshold it missed (4.9992%, not 5%), in English when en.
func appendDistinctIn(b []byte, v, t float64, u Unit, en bool) []byte {
	if u != UnitRatio || math.IsInf(v, 0) {
		return appendValueIn(b, v, u, en)
	}
	var tb [32]byte
	ts := appendTrim(tb[:0], t*100, 6)
	for prec := 2; prec <= 6; prec++ {
		start := len(b)
		b = appendTrim(b, v*100, prec)
		if prec == 6 || string(b[start:]) != string(ts) {
			return append(b, '%')
		}
		b = b[:start]
	}
	return b
}

// roundUp rounds a shortfall up to what can be added: whole 元, whole persons.
func roundUp(d float64, u Unit) float64 {
	switch u {
	case UnitYuan:
		// A gap is read, not booked: up to a step that prints short
		// (¥12.6535亿, not ¥12.65340001亿), and up, so that it still
		// suffices.
		step := 1.0
		switch {
		case d >= 1e8:
			step = 1e4
		case d >= 1e4:
			step = 100
		}
		return math.Ceil(d/step-1e-9) * step
	case UnitPersons, UnitCount, UnitDays:
		return math.Ceil(d - 1e-9)
	}
	return d
}

func (c *evalCtx) hasCertificate(rules []certRule) bool {
	for _, cert := range c.in.Certificates {
		for _, r := range rules {
			if cert.Type != r.Type || cert.Issued.After(c.asOf) {
				continue
			}
			until := certificateUntil(cert, r)
			if until.IsZero() {
				if r.Permanent {
					return true
				}
				continue
			}
			if c.asOf.Before(until.AddDate(0, 0, 1)) {
				return true
			}
		}
	}
	return false
}

// evalHonor looks for an award, standard or contest placing within the
// window. "近N年" counts the N years up to the data year plus the current
// year to date, which is how provincial notices read it.
func (c *evalCtx) evalHonor(h *fileHonor) status {
	st := stFail
	first := c.base - h.WithinYears + 1
	for i, rec := range c.in.Honors {
		if !contains(h.Types, rec.Type) || !contains(h.Levels, rec.Level) || rec.Year < first || rec.Year > c.asOf.Year() {
			continue
		}
		if h.MaxRank > 0 {
			if rec.Rank == 0 {
				if st == stFail {
					st = stMissing
					c.addMissing("honors[" + strconv.Itoa(i) + "].rank")
				}
				continue
			}
			if rec.Rank > h.MaxRank {
				continue
			}
		}
		return stPass
	}
	return st
}

// matchIndustry reports whether code falls under any of the GB/T 4754
// prefixes ("C" matches "C39", "K7020" matches "K7020").
func matchIndustry(code string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(code, p) {
			return true
		}
	}
	return false
}

func (c *evalCtx) evalSwitch(n *node) status {
	i := c.row(n)
	chosen := -1
	var actual Value
	m := c.mark()
	known := true
	if n.swMetric != nil {
		mv := c.eval(n.swMetric, 0)
		if mv.ok {
			actual = Value{V: mv.v, Unit: n.swMetric.unit, Known: true}
			for k, cs := range n.cases {
				if !cs.hasTest || compare(mv.v, cs.op, cs.value) {
					chosen = k
					break
				}
			}
		} else {
			known = false
		}
	} else {
		code := c.in.Industry
		actual = Value{Text: code}
		if code == "" {
			c.addMissing("industry")
			known = false
		} else {
			for k, cs := range n.cases {
				if len(cs.industries) == 0 {
					if ambiguousIndustry(code, n.cases) {
						c.addMissing("industry")
						known = false
					} else {
						chosen = k
					}
					break
				}
				if matchIndustry(code, cs.industries) {
					chosen = k
					break
				}
			}
		}
	}
	if known {
		cs := n.cases[chosen]
		if i >= 0 {
			c.res.Conditions[i].Condition = n.caseInfo[chosen]
		}
		st := c.evalNode(cs.then)
		c.finishRow(i, st, actual, true)
		return st
	}
	// The band is unknown: if every band agrees, the answer does not depend
	// on it (an R&D ratio of 2% fails 5%, 4% and 3% alike).
	c.silent++
	all := c.evalNode(n.cases[0].then)
	agree := true
	for _, cs := range n.cases[1:] {
		if c.evalNode(cs.then) != all {
			agree = false
		}
	}
	c.silent--
	st := stMissing
	if agree && (all == stPass || all == stFail) {
		st = all
		c.restore(m)
		if st == stFail {
			c.addGap(Gap{text: n.gapText, textEN: n.gapTextEN})
		}
	}
	c.finishRow(i, st, actual, true)
	return st
}

// ambiguousIndustry reports whether code is too coarse for the cases: "K70"
// when the rule distinguishes K7010 from K7020.
func ambiguousIndustry(code string, cases []switchCase) bool {
	for _, cs := range cases {
		for _, p := range cs.industries {
			if len(p) > len(code) && strings.HasPrefix(p, code) {
				return true
			}
		}
	}
	return false
}
