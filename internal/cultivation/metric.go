package cultivation

import (
	"cmp"
	"errors"
	"fmt"
	"math"
)

// metricOp is one of the few ways a rule file may compute a number from an
// enterprise's input. Policies differ in which fields, years and ratios they
// use, never in the arithmetic, so the arithmetic lives here and the choice
// of fields lives in the files.
type metricOp uint8

const (
	mValue     metricOp = iota // field in year `to`
	mSum                       // field summed over years from..to
	mAvg                       // field averaged over years from..to
	mRatio                     // sum(field) / sum(den) over years from..to
	mGrowth                    // field[to] / field[to-1] − 1
	mAvgGrowth                 // mean of successive year ratios over from..to, − 1 (高企 指引 formula)
	mCAGR                      // (field[to] / field[from])^(1/(to−from)) − 1
	mAgeDays                   // days from founded to as_of
	mFigure                    // Figures[key]
	mIP                        // sum of IP counts named in keys
)

var metricOps = map[string]metricOp{
	"value": mValue, "sum": mSum, "avg": mAvg, "ratio": mRatio, "growth": mGrowth,
	"avg_growth": mAvgGrowth, "cagr": mCAGR, "age_days": mAgeDays, "figure": mFigure, "ip": mIP,
}

type metric struct {
	name      string
	label     string
	op        metricOp
	field     yearField
	den       yearField
	from, to  int
	key       string
	keys      []string
	divide    float64
	partOfDen bool
	young     bool
	unit      Unit
	noun      string
	labelEN   string
	nounEN    string
}

// minOffset bounds how far back a metric may look, with each_year shifts,
// so that the engine can index years from a fixed-size array.
const minOffset = -6

func compileMetric(name string, f fileMetric) (*metric, error) {
	op, ok := metricOps[f.Op]
	if !ok {
		return nil, fmt.Errorf("op: unknown %q (want value, sum, avg, ratio, growth, avg_growth, cagr, age_days, figure or ip)", f.Op)
	}
	if f.Label == "" {
		return nil, errors.New("label: required (the Chinese name shown to users)")
	}
	// Rule files must give the English (LoadRuleSets checks); other
	// callers fall back to the Chinese.
	f.LabelEN, f.NounEN = cmp.Or(f.LabelEN, f.Label), cmp.Or(f.NounEN, f.Noun)
	m := &metric{name: name, label: f.Label, op: op, from: f.From, to: f.To, key: f.Key, keys: f.Keys,
		divide: f.Divide, partOfDen: f.PartOfDen, young: f.PartialIfYoung, noun: f.Noun,
		labelEN: f.LabelEN, nounEN: f.NounEN}
	if m.divide == 0 {
		m.divide = 1
	}
	if m.divide < 0 {
		return nil, errors.New("divide: must be positive")
	}
	yearly := op <= mCAGR
	if yearly {
		fld, ok := yearFieldByName(f.Field)
		if !ok {
			return nil, fmt.Errorf("field: unknown year field %q", f.Field)
		}
		m.field = fld
		m.unit = yearFieldInfo[fld].unit
		if f.To > 0 || f.From > f.To || f.From < minOffset+3 {
			return nil, fmt.Errorf("from, to: want %d <= from <= to <= 0, got %d, %d", minOffset+3, f.From, f.To)
		}
		if op == mGrowth && f.From != 0 {
			return nil, errors.New("from: growth compares year to with the year before; leave from unset")
		}
		if (op == mAvgGrowth || op == mCAGR) && f.From >= f.To {
			return nil, errors.New("from: growth over a window needs from < to")
		}
		if op == mValue && f.From != 0 {
			return nil, errors.New("from: a value reads one year (to); leave from unset")
		}
	} else if f.Field != "" || f.From != 0 || f.To != 0 {
		return nil, errors.New("field, from, to: only for year-based metrics")
	}
	if op == mRatio {
		den, ok := yearFieldByName(f.Den)
		if !ok {
			return nil, fmt.Errorf("den: unknown year field %q", f.Den)
		}
		m.den = den
	} else if f.Den != "" || f.PartOfDen {
		return nil, errors.New("den, part_of_den: only for ratio")
	}
	switch op {
	case mRatio, mGrowth, mAvgGrowth, mCAGR:
		m.unit = UnitRatio
	case mAgeDays:
		m.unit = UnitDays
	case mFigure:
		info := findKey(FigureKeys, f.Key)
		if info == nil {
			return nil, fmt.Errorf("key: unknown figure %q", f.Key)
		}
		m.unit = info.Unit
	case mIP:
		if len(f.Keys) == 0 {
			return nil, errors.New("keys: at least one IP count required")
		}
		for _, k := range f.Keys {
			if !contains(ipKeys, k) {
				return nil, fmt.Errorf("keys: unknown IP count %q", k)
			}
		}
		m.unit = UnitCount
	}
	if f.Key != "" && op != mFigure {
		return nil, errors.New("key: only for figure")
	}
	if f.Divide != 0 && op != mFigure && op != mIP {
		return nil, errors.New("divide: only for figure and ip")
	}
	if f.PartialIfYoung && op != mRatio && op != mSum && op != mAvgGrowth && op != mAvg {
		return nil, errors.New("partial_if_young: only for sum, avg, ratio and avg_growth")
	}
	return m, nil
}

// mval is a metric's value with what a gap needs to speak in the user's
// terms: the summed numerator and denominator of a ratio.
type mval struct {
	v        float64
	num, den float64
	ok       bool
}

func (c *evalCtx) yearFigures(off int) *YearFigures {
	if off > 0 || off < -(len(c.store)-1) || c.present&(1<<-off) == 0 {
		return nil
	}
	return &c.store[-off]
}

// field reads one year's field, recording the JSON path when it is absent.
func (c *evalCtx) field(off int, f yearField) (float64, bool) {
	if y := c.yearFigures(off); y != nil {
		if p := y.get(f); p != nil {
			return *p, true
		}
	}
	c.addMissing(yearPath(c.base+off, f))
	return 0, false
}

// skippable reports whether year off may be left out of a window: the year is
// absent and the enterprise was founded in or after it, so it has no full
// year to report (高企 指引: 实际经营期不满三年的按实际经营时间计算).
func (c *evalCtx) skippable(m *metric, off int) bool {
	return m.young && c.yearFigures(off) == nil && c.foundedOK && c.in.Founded.Year() >= c.base+off
}

func (c *evalCtx) eval(m *metric, shift int) mval {
	from, to := m.from+shift, m.to+shift
	switch m.op {
	case mValue:
		v, ok := c.field(to, m.field)
		return mval{v: v, ok: ok}
	case mSum, mAvg, mRatio:
		var num, den float64
		ok, n := true, 0
		for off := from; off <= to; off++ {
			if c.skippable(m, off) {
				continue
			}
			v, vok := c.field(off, m.field)
			num += v
			ok = ok && vok
			if m.op == mRatio {
				d, dok := c.field(off, m.den)
				den += d
				ok = ok && dok
			}
			n++
		}
		if !ok {
			return mval{}
		}
		switch m.op {
		case mSum:
			return mval{v: num, ok: true}
		case mAvg:
			if n == 0 {
				return mval{ok: true}
			}
			return mval{v: num / float64(n), ok: true}
		}
		return mval{v: quotient(num, den), num: num, den: den, ok: true}
	case mGrowth:
		cur, ok1 := c.field(to, m.field)
		prev, ok2 := c.field(to-1, m.field)
		if !ok1 || !ok2 {
			return mval{}
		}
		return mval{v: quotient(cur, prev) - 1, ok: true}
	case mAvgGrowth:
		return c.avgGrowth(m, from, to)
	case mCAGR:
		cur, ok1 := c.field(to, m.field)
		base, ok2 := c.field(from, m.field)
		if !ok1 || !ok2 {
			return mval{}
		}
		if base <= 0 {
			return mval{v: quotient(cur, 0), ok: true}
		}
		return mval{v: math.Pow(cur/base, 1/float64(to-from)) - 1, ok: true}
	case mAgeDays:
		if !c.foundedOK {
			c.addMissing("founded")
			return mval{}
		}
		return mval{v: math.Floor(c.in.AsOf.Sub(c.in.Founded.Time).Hours() / 24), ok: true}
	case mFigure:
		v, ok := c.in.Figures[m.key]
		if !ok {
			c.addMissing(figurePaths[m.key])
			return mval{}
		}
		return mval{v: v / m.divide, ok: true}
	case mIP:
		sum, ok := 0, true
		for _, k := range m.keys {
			var p *int
			if c.in.IP != nil {
				p = c.in.IP.get(k)
			}
			if p == nil {
				c.addMissing(ipPaths[k])
				ok = false
				continue
			}
			sum += *p
		}
		if !ok {
			return mval{}
		}
		return mval{v: float64(sum) / m.divide, ok: true}
	}
	return mval{}
}

// avgGrowth implements the 高企 指引 growth rate: ½ × (v2/v1 + v3/v2) − 1 for
// three years. A first year of zero (or a year the enterprise did not yet
// exist) drops out and the rate is taken over the remaining years; a zero or
// negative base after that scores as no growth, as the 指引 scores it 0.
func (c *evalCtx) avgGrowth(m *metric, from, to int) mval {
	var vals [8]float64
	n, ok := 0, true
	for off := from; off <= to; off++ {
		if c.skippable(m, off) {
			continue
		}
		v, vok := c.field(off, m.field)
		ok = ok && vok
		if n < len(vals) {
			vals[n] = v
			n++
		}
	}
	if !ok {
		return mval{}
	}
	vs := vals[:n]
	for len(vs) > 0 && vs[0] == 0 {
		vs = vs[1:]
	}
	if len(vs) < 2 {
		return mval{v: 0, ok: true}
	}
	sum := 0.0
	for i := 1; i < len(vs); i++ {
		if vs[i-1] <= 0 {
			return mval{v: 0, ok: true}
		}
		sum += vs[i] / vs[i-1]
	}
	return mval{v: sum/float64(len(vs)-1) - 1, ok: true}
}

// quotient divides, taking 0/0 as 0 and x/0 as +∞ so that "no sales and no
// R&D" reads as a 0% ratio and a debt ratio over zero assets fails any cap.
func quotient(num, den float64) float64 {
	if den == 0 {
		if num == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return num / den
}

var figurePaths = func() map[string]string {
	m := map[string]string{}
	for _, k := range FigureKeys {
		m[k.Key] = "figures." + k.Key
	}
	return m
}()

var ipPaths = func() map[string]string {
	m := map[string]string{}
	for _, k := range ipKeys {
		m[k] = "ip." + k
	}
	return m
}()

var choicePaths = func() map[string]string {
	m := map[string]string{}
	for _, k := range ChoiceKeys {
		m[k.Key] = "choices." + k.Key
	}
	return m
}()
