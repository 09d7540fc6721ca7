package cultivation

// maxParts bounds score parts so that part sums live on the stack.
const maxParts = 8

// mcache remembers the metrics one item has evaluated, so that six bands
// over the same ratio compute it once.
type mcache struct {
	n  int
	ms [4]*metric
	vs [4]mval
}

func (c *evalCtx) cached(mc *mcache, m *metric) mval {
	for i := 0; i < mc.n; i++ {
		if mc.ms[i] == m {
			return mc.vs[i]
		}
	}
	v := c.eval(m, 0)
	if mc.n < len(mc.ms) {
		mc.ms[mc.n], mc.vs[mc.n] = m, v
		mc.n++
	}
	return v
}

// evalScore fills the items and score fields of the result and says whether
// the score route qualifies. Missing data inside the score are reported only
// when they leave the outcome open.
func (c *evalCtx) evalScore(s *scoreSpec) status {
	res := c.res
	if cap(res.Items) < len(s.items) {
		res.Items = make([]ItemResult, 0, len(s.items))
	}
	start := c.mark()
	var partLo, partHi [maxParts]float64
	var totLo, totHi float64
	missing := false
	for _, it := range s.items {
		res.Items = append(res.Items, ItemResult{Item: it.info})
		r := &res.Items[len(res.Items)-1]
		missing = c.evalItem(it, r) || missing
		if it.part >= 0 {
			partLo[it.part] += r.PointsMin
			partHi[it.part] += r.PointsMax
		} else {
			totLo += r.PointsMin
			totHi += r.PointsMax
		}
	}
	for i, p := range s.parts {
		// The cap keeps bonus points (高企 参与标准制定) inside the part max.
		partLo[i], partHi[i] = min(partLo[i], p.max), min(partHi[i], p.max)
		totLo += partLo[i]
		totHi += partHi[i]
	}
	res.ScoreMin = Num{V: totLo, Valid: true}
	res.ScoreMax = Num{V: totHi, Valid: true}
	res.PassScore = Num{V: s.minTotal, Valid: true}
	if totLo == totHi {
		res.Score = Num{V: totLo, Valid: true}
	}

	pass := compare(totLo, opGE, s.minTotal)
	fail := !compare(totHi, opGE, s.minTotal)
	for i, p := range s.parts {
		if p.passMin > 0 {
			pass = pass && compare(partLo[i], opGE, p.passMin)
			fail = fail || !compare(partHi[i], opGE, p.passMin)
		}
	}
	for _, k := range s.nonzero {
		pass = pass && res.Items[k].PointsMin > 0
		fail = fail || res.Items[k].PointsMax == 0
	}
	switch {
	case fail:
		c.restore(start)
		if c.silent == 0 {
			c.scoreGaps(s, totHi, partHi[:len(s.parts)])
		}
		return stFail
	case pass:
		c.restore(start)
		return stPass
	case missing:
		return stMissing
	}
	return stReview
}

// scoreGaps records a failed score's gaps: the shortfall with the next band
// each banded item could reach, each part below its minimum, and each
// required item at zero. The text is built only when read (see Gap).
func (c *evalCtx) scoreGaps(s *scoreSpec, totHi float64, partHi []float64) {
	res := c.res
	if !compare(totHi, opGE, s.minTotal) {
		c.addGap(Gap{kind: gapScore, spec: s, v: totHi, exact: res.Score.Valid, items: res.Items})
	}
	for i, p := range s.parts {
		if p.passMin > 0 && !compare(partHi[i], opGE, p.passMin) {
			c.addGap(Gap{kind: gapPart, spec: s, idx: i, v: partHi[i]})
		}
	}
	for _, k := range s.nonzero {
		if res.Items[k].PointsMax == 0 {
			c.addGap(Gap{kind: gapNonzero, spec: s, idx: k, items: res.Items})
		}
	}
}

func (g *Gap) appendScore(b []byte) []byte { return g.appendScoreIn(b, false) }

// appendScoreIn is appendScore in Chinese or, when en, in English.
func (g *Gap) appendScoreIn(b []byte, en bool) []byte {
	s := g.spec
	switch g.kind {
	case gapPart:
		p := s.parts[g.idx]
		if en {
			b = append(b, p.nameEN...)
			b = append(b, " score "...)
			b = appendValueEN(b, g.v, UnitPoints)
			b = append(b, ", needs ≥ "...)
			return appendValueEN(b, p.passMin, UnitPoints)
		}
		b = append(b, p.name...)
		b = append(b, "得分 "...)
		b = appendValue(b, g.v, UnitPoints)
		b = append(b, "，需 ≥ "...)
		return appendValue(b, p.passMin, UnitPoints)
	case gapNonzero:
		it := s.items[g.idx]
		if en {
			b = append(b, it.nameEN...)
			b = append(b, " scores 0, needs > 0"...)
		} else {
			b = append(b, it.name...)
			b = append(b, "得分为 0，需 > 0"...)
		}
		if bd, _, ok := nextBand(it, &g.items[g.idx]); ok {
			if en {
				b = append(b, ": "...)
				return append(b, bd.labelEN...)
			}
			b = append(b, "："...)
			b = append(b, bd.label...)
		}
		return b
	}
	if en {
		b = append(b, "Total score "...)
		if !g.exact {
			b = append(b, "at most "...)
		}
		b = appendValueEN(b, g.v, UnitPoints)
		b = append(b, ", needs "...)
		b = append(b, s.requiredEN...)
		b = append(b, ": "...)
		b = appendValueEN(b, s.minTotal-g.v, UnitPoints)
		b = append(b, " short"...)
	} else {
		b = append(b, "评价总分"...)
		if !g.exact {
			b = append(b, "最高"...)
		}
		b = append(b, ' ')
		b = appendValue(b, g.v, UnitPoints)
		b = append(b, "，需 "...)
		b = append(b, s.required...)
		b = append(b, "：还差 "...)
		b = appendValue(b, s.minTotal-g.v, UnitPoints)
	}
	hints := 0
	for k, it := range s.items {
		bd, gain, ok := nextBand(it, &g.items[k])
		if !ok {
			continue
		}
		switch {
		case hints == 0 && en:
			b = append(b, "; could gain: "...)
		case hints == 0:
			b = append(b, "；可提升："...)
		case en:
			b = append(b, ", "...)
		default:
			b = append(b, "、"...)
		}
		hints++
		if en {
			b = append(b, bd.labelEN...)
			b = append(b, " (+"...)
			b = appendValueEN(b, gain, UnitPoints)
			b = append(b, ')')
			continue
		}
		b = append(b, bd.label...)
		b = append(b, "（+"...)
		b = appendValue(b, gain, UnitPoints)
		b = append(b, "）"...)
	}
	return b
}

// nextBand names the band above the one an item reached and the points it
// adds: the cheapest step for a scored rule set.
func nextBand(it *item, r *ItemResult) (b *band, gain float64, ok bool) {
	if it.kind != itemBands || r.band <= 0 {
		return nil, 0, false
	}
	b = &it.bands[r.band-1]
	return b, b.points.Max - r.PointsMax, true
}

// evalItem scores one item into r and reports whether missing data leave
// its points open.
func (c *evalCtx) evalItem(it *item, r *ItemResult) bool {
	r.band = -1
	if it.kind != itemBest {
		missing := c.evalSimpleItem(it, r)
		if r.PointsMin == r.PointsMax {
			r.Points = Num{V: r.PointsMin, Valid: true}
		}
		return missing && r.PointsMin != r.PointsMax
	}
	m := c.mark()
	missing, first := false, true
	for _, sub := range it.best {
		var sr ItemResult
		sr.band = -1
		missing = c.evalSimpleItem(sub, &sr) || missing
		if first || sr.PointsMin > r.PointsMin || (sr.PointsMin == r.PointsMin && sr.PointsMax > r.PointsMax) {
			r.Actual, r.Band, r.PointsMin = sr.Actual, sr.Band, sr.PointsMin
		}
		r.PointsMax = max(r.PointsMax, sr.PointsMax)
		first = false
	}
	if r.PointsMin == r.PointsMax {
		// The enterprise picks the better ratio; a missing figure for the
		// other one cannot change the points.
		c.restore(m)
		r.Points = Num{V: r.PointsMin, Valid: true}
		return false
	}
	return missing
}

// evalSimpleItem scores a banded, choice or expert item.
func (c *evalCtx) evalSimpleItem(it *item, r *ItemResult) bool {
	switch it.kind {
	case itemBands:
		var mc mcache
		return c.evalBands(it, r, &mc)
	case itemChoice:
		if v, ok := c.in.Choices[it.key]; ok {
			p := it.options[v]
			r.PointsMin, r.PointsMax = p.Min, p.Max
			r.Actual = Value{Text: valueLabel(v)}
			r.Band = r.Actual.Text
			return false
		}
		r.PointsMin, r.PointsMax = it.ptsMin, it.ptsMax
		if !it.expert {
			c.addMissing(choicePaths[it.key])
			return true
		}
	case itemExpert:
		if v, ok := c.in.Figures[it.key]; ok {
			v = min(max(v, 0), it.max)
			r.PointsMin, r.PointsMax = v, v
		} else {
			r.PointsMin, r.PointsMax = 0, it.max
		}
	}
	return false
}

// evalBands walks the bands top-down; the first band whose test holds gives
// the points. When a test's data are missing, the item may land in that band
// or any below it, so it scores the range over them.
func (c *evalCtx) evalBands(it *item, r *ItemResult, mc *mcache) bool {
	if it.m != nil {
		if v := c.cached(mc, it.m); v.ok {
			r.Actual = Value{V: v.v, Unit: it.m.unit, Known: true}
		}
	}
	for i := range it.bands {
		b := &it.bands[i]
		m := c.mark()
		switch c.bandHolds(b, mc) {
		case stPass:
			c.restore(m)
			r.band, r.Band = i, b.label
			r.PointsMin, r.PointsMax = b.points.Min, b.points.Max
			if !r.Actual.Known && len(b.tests) > 0 {
				if v := c.cached(mc, b.tests[0].m); v.ok {
					r.Actual = Value{V: v.v, Unit: b.tests[0].m.unit, Known: true}
				}
			}
			return false
		case stMissing:
			// The item lands in band i or below; the first lower band that
			// surely holds is the floor (Ⅰ类 missing but 2 Ⅱ类 known).
			j := i + 1
			for ; j < len(it.bands)-1; j++ {
				if c.bandHolds(&it.bands[j], mc) == stPass {
					break
				}
			}
			lo, hi := bandRange(it.bands[i : j+1])
			r.PointsMin, r.PointsMax = lo, hi
			return lo != hi
		}
	}
	return false
}

func (c *evalCtx) bandHolds(b *band, mc *mcache) status {
	if len(b.tests) == 0 {
		return stPass
	}
	st := stFail
	for _, t := range b.tests {
		v := c.cached(mc, t.m)
		switch {
		case !v.ok:
			st = or(st, stMissing)
		case compare(v.v, t.op, t.value):
			st = stPass
		}
	}
	return st
}
