package search

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"kechuang/internal/search/analysis"
)

const (
	wordKind   = int(analysis.Word)
	bigramKind = int(analysis.Bigram)
	latinKind  = int(analysis.Latin)
)

// pruneMinDF keeps MaxDF from pruning in small indexes, where a posting
// list is short whatever share of the listings it covers and every term is
// needed (a 5-listing index must still find 滤波器).
const pruneMinDF = 1000

// shortPackMinListings keeps Weights.KneeShortPack out of small indexes: in
// a market of a few dozen listings most demands match fewer than KneeRank
// of them lexically, so a short pack says nothing about the demand naming
// one listing, and the topic must still decide.
const shortPackMinListings = 1000

// qterm is one distinct query term with its postings.
type qterm struct {
	kind   int
	text   string
	weight float64 // kind weight × query-frequency factor × fuzzy factor
	idf    float64
	pl     *plist
	typoOf string // the query term this one corrects, if it came from typo tolerance
}

// queryTerms analyses text into distinct weighted terms. Called with ix.mu
// held for reading.
func (ix *Index) queryTerms(text string, w Weights) []qterm {
	type key struct {
		kind int
		text string
	}
	counts := map[key]int{}
	var order []key
	for _, t := range ix.an.Tokens(text, nil) {
		k := key{int(t.Kind), t.Text}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	n := float64(ix.live)
	var out, pruned []qterm
	add := func(kind int, text string, weight float64, typoOf string) {
		pl := ix.terms[kind][text]
		if pl == nil || weight == 0 {
			return
		}
		// pl.n counts the postings of deleted documents too until the
		// next compaction; more postings than live documents (a small
		// index whose records were rewritten) would turn the idf negative
		// and hide every match.
		df := min(float64(pl.n), n)
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		t := qterm{kind: kind, text: text, weight: weight, idf: idf, pl: pl, typoOf: typoOf}
		if w.MaxDF > 0 && df > w.MaxDF*n && df > pruneMinDF {
			pruned = append(pruned, t)
			return
		}
		out = append(out, t)
	}
	for _, k := range order {
		kw := w.Words
		if k.kind == bigramKind {
			kw = w.Bigrams
		}
		qf := 1 + math.Log(float64(counts[k]))
		if ix.terms[k.kind][k.text] == nil && k.kind == latinKind && w.Fuzzy > 0 {
			for _, c := range ix.fuzzyCandidates(k.text) {
				add(latinKind, c, kw*qf*w.Fuzzy, k.text)
			}
			continue
		}
		add(k.kind, k.text, kw*qf, "")
	}
	// A query made only of very common terms ("良率" in a corpus of
	// manufacturing listings) must still find something: pruning is for
	// speed, and with nothing else to rank by the common terms are used.
	if len(out) == 0 {
		return pruned
	}
	return out
}

// scratch holds per-query accumulators, dense over document ordinals and
// pooled, with the largest lexical score and agreement of each block of 128
// ordinals.
// Dense arrays proved cheaper than tracking touched documents: at 100,000
// listings most documents share some bigram with a long demand anyway. The
// block maxima let the final ranking skip blocks that cannot hold a result
// and let putScratch clear only blocks that were written.
type scratch struct {
	lex, agree           []float32
	blockLex, blockAgree []float32
	n                    int
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

func numBlocks(n int) int { return (n + 1<<blockShift - 1) >> blockShift }

func getScratch(n int) *scratch {
	s := scratchPool.Get().(*scratch)
	if len(s.lex) < n {
		s.lex = make([]float32, n+n/4)
		s.agree = make([]float32, n+n/4)
		s.blockLex = make([]float32, numBlocks(n+n/4))
		s.blockAgree = make([]float32, numBlocks(n+n/4))
	}
	s.n = n
	return s
}

func putScratch(s *scratch) {
	for b := range numBlocks(s.n) {
		lo, hi := b<<blockShift, min(s.n, (b+1)<<blockShift)
		if s.blockLex[b] != 0 {
			clear(s.lex[lo:hi])
			s.blockLex[b] = 0
		}
		if s.blockAgree[b] != 0 {
			clear(s.agree[lo:hi])
			s.blockAgree[b] = 0
		}
	}
	scratchPool.Put(s)
}

// fieldNorms returns BM25F per-field constants: weight and 1/avg length.
func (ix *Index) fieldNorms(w Weights) (wf, invAvg [numFields]float64) {
	wf = [numFields]float64{w.Title, w.Keywords, w.Text}
	for f := range numFields {
		if ix.live > 0 && ix.lenSum[f] > 0 {
			invAvg[f] = float64(ix.live) / ix.lenSum[f]
		}
	}
	return wf, invAvg
}

// bm25f is the saturated, length-normalised, field-weighted term frequency
// of one posting.
func bm25f(tf []uint8, ln *[numFields]float32, wf, invAvg *[numFields]float64, k1, b float64) float64 {
	var t float64
	for f := range numFields {
		if tf[f] != 0 && wf[f] != 0 {
			t += wf[f] * float64(tf[f]) / (1 - b + b*float64(ln[f])*invAvg[f])
		}
	}
	return t / (k1 + t)
}

// normTables caches, for the common postings, the value bm25f gives a
// posting by field length: a frequency of 1 to 4 in the text alone depends
// only on the text's length, a frequency of 1 in the title alone only on
// the title's; nine postings in ten are one of these. The entries
// are computed by bm25f itself, so a lookup returns the very bits the
// computation would, at a fraction of its two divisions. The tables hold
// for one set of weights and field-length averages, so they are rebuilt
// when the index changes (gen) or the weights do.
type normTables struct {
	gen    uint64
	w      Weights
	text   [5][]float64 // by text frequency (1–4), then text length
	title1 []float64    // by title length
}

// normTableLen covers field lengths up to 2,047 tokens; longer fields are
// computed.
const normTableLen = 2048

func (ix *Index) norms(w Weights, wf, invAvg *[numFields]float64) *normTables {
	if nt := ix.normCache.Load(); nt != nil && nt.gen == ix.gen && nt.w == w {
		return nt
	}
	nt := &normTables{gen: ix.gen, w: w, title1: make([]float64, normTableLen)}
	for k := 1; k < len(nt.text); k++ {
		nt.text[k] = make([]float64, normTableLen)
	}
	for i := range normTableLen {
		ln := [numFields]float32{float32(i), 0, float32(i)}
		for k := 1; k < len(nt.text); k++ {
			nt.text[k][i] = bm25f([]uint8{0, 0, uint8(k)}, &ln, wf, invAvg, w.K1, w.B)
		}
		nt.title1[i] = bm25f([]uint8{1, 0, 0}, &ln, wf, invAvg, w.K1, w.B)
	}
	ix.normCache.Store(nt)
	return nt
}

// accumulate adds the lexical score of every live posting of qs into s and
// returns the score's upper bound (what a document saturating every term
// would get), used to put lexical scores on a 0..1 scale. Weights are never
// negative, so a document's score only grows and each block's maximum is
// kept as it goes. The posting decoder is written out here: this loop is
// most of a query's time.
func (ix *Index) accumulate(s *scratch, qs []qterm, w Weights) float64 {
	wf, invAvg := ix.fieldNorms(w)
	nt := ix.norms(w, &wf, &invAvg)
	text1, text2, text3, text4, title1 := nt.text[1], nt.text[2], nt.text[3], nt.text[4], nt.title1
	lex, bl, dead, lens, short := s.lex, s.blockLex, ix.dead, ix.lens, ix.short
	var bound float64
	for _, q := range qs {
		iw := q.idf * q.weight
		bound += iw
		data := q.pl.data
		var d uint32
		for p := 0; p < len(data); {
			v := uint64(data[p])
			p++
			if v >= 0x80 {
				v, p = uvarintRest(data, p, v)
			}
			d += uint32(v >> 2)
			var tf [numFields]uint8
			code := v & 3
			if code == 3 {
				tf, p = readTF(data, p)
			}
			if dead[d] {
				continue
			}
			sl := short[d]
			text := sl & shortText // < normTableLen only if it fitted
			var x float64
			switch {
			case code == 0 && text < normTableLen:
				x = text1[text]
			case code == 1 && text < normTableLen:
				x = text2[text]
			case code == 2 && sl>>14&shortTitle < shortTitle:
				x = title1[sl>>14&shortTitle]
			case code == 3 && tf == [numFields]uint8{0, 0, 3} && text < normTableLen:
				x = text3[text]
			case code == 3 && tf == [numFields]uint8{0, 0, 4} && text < normTableLen:
				x = text4[text]
			default:
				if code != 3 {
					tf = codeTF[code]
				}
				if ln, ok := unpackShort(sl); ok {
					x = bm25f(tf[:], &ln, &wf, &invAvg, w.K1, w.B)
				} else {
					x = bm25f(tf[:], &lens[d], &wf, &invAvg, w.K1, w.B)
				}
			}
			v32 := lex[d] + float32(iw*x)
			lex[d] = v32
			if b := d >> blockShift; v32 > bl[b] {
				bl[b] = v32
			}
		}
	}
	return bound
}

// agreement adds Σ P_query(d)·P_doc(d) over the query topic's disciplines
// into s.agree, keeping each block's maximum.
func (ix *Index) agreement(s *scratch, qt Topic) {
	agree, ba, dead := s.agree, s.blockAgree, ix.dead
	for _, l := range qt.Disciplines {
		id, ok := ix.labels.index[l.Name]
		if !ok || int(id) >= len(ix.discs) || ix.discs[id] == nil {
			continue
		}
		t := ix.discs[id]
		qp := float32(l.P)
		for i, d := range t.docs {
			if dead[d] {
				continue
			}
			v := agree[d] + qp*t.p[i]
			agree[d] = v
			if b := d >> blockShift; v > ba[b] {
				ba[b] = v
			}
		}
	}
}

// agreementOf computes the same agreement for one pair of topics.
func agreementOf(a, b Topic) float64 {
	var s float64
	for _, l := range a.Disciplines {
		for _, m := range b.Disciplines {
			if l.Name == m.Name {
				s += l.P * m.P
			}
		}
	}
	return s
}

type cand struct {
	ord   uint32
	score float64
}

// worse orders candidates by score, ties by ID, so results do not depend on
// insertion order (and so not on which database replayed the changes).
func worse(a, b cand, ids []string) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return ids[a.ord] > ids[b.ord]
}

// topHeap keeps the k best candidates in a min-heap. It is hand-written:
// container/heap's interface calls were a large share of query time at
// 100,000 listings.
type topHeap struct {
	h   []cand
	k   int
	ids []string
}

// full reports whether a candidate scoring below min() can be skipped.
func (t *topHeap) full() bool { return len(t.h) == t.k }

func (t *topHeap) min() float64 { return t.h[0].score }

func (t *topHeap) offer(c cand) {
	h, ids := t.h, t.ids
	if len(h) < t.k {
		h = append(h, c)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !worse(h[i], h[p], ids) {
				break
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
		t.h = h
		return
	}
	if c.score < h[0].score || !worse(h[0], c, ids) {
		return
	}
	h[0] = c
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && worse(h[r], h[l], ids) {
			m = r
		}
		if !worse(h[m], h[i], ids) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// sorted returns the candidates best first.
func (t *topHeap) sorted() []cand {
	ids := t.ids
	slices.SortFunc(t.h, func(a, b cand) int {
		if worse(a, b, ids) {
			return 1
		}
		if worse(b, a, ids) {
			return -1
		}
		return 0
	})
	return t.h
}

// blockOrder returns the blocks whose bound is positive, highest bound
// first.
func blockOrder(bounds []float64) []int32 {
	order := make([]int32, 0, len(bounds))
	for b, u := range bounds {
		if u > 0 {
			order = append(order, int32(b))
		}
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(bounds[b], bounds[a]) })
	return order
}

// kthLex returns the k-th largest positive lexical score, or, when fewer
// than k documents score, 0 and the smallest positive score (0 if none).
// It visits blocks from the highest maximum down and stops at the first
// block whose maximum cannot change the k-th largest.
func kthLex(s *scratch, k int) (kth, smallest float32) {
	bounds := make([]float64, numBlocks(s.n))
	for b, m := range s.blockLex[:len(bounds)] {
		bounds[b] = float64(m)
	}
	h := make([]float32, 0, k) // min-heap of the k largest so far
	for _, b := range blockOrder(bounds) {
		if len(h) == k && s.blockLex[b] <= h[0] {
			break
		}
		for _, v := range s.lex[int(b)<<blockShift : min(s.n, int(b+1)<<blockShift)] {
			if v <= 0 {
				continue
			}
			if smallest == 0 || v < smallest {
				smallest = v
			}
			if len(h) < k {
				h = append(h, v)
				for i := len(h) - 1; i > 0; {
					p := (i - 1) / 2
					if h[p] <= h[i] {
						break
					}
					h[i], h[p] = h[p], h[i]
					i = p
				}
				continue
			}
			if v <= h[0] {
				continue
			}
			h[0] = v
			for i := 0; ; {
				l := 2*i + 1
				if l >= len(h) {
					break
				}
				m := l
				if r := l + 1; r < len(h) && h[r] < h[l] {
					m = r
				}
				if h[m] >= h[i] {
					break
				}
				h[i], h[m] = h[m], h[i]
				i = m
			}
		}
	}
	if len(h) < k || k <= 0 {
		return 0, smallest
	}
	return h[0], smallest
}

// rank scores every document for a demand with topic qt and returns the
// limit best, best first, with the query terms and the lexical bound for
// their explanations. Called with ix.mu held for reading.
//
// The result is the exhaustive ranking's: blocks are visited from the
// highest upper bound of the Match score down (combine is monotonic in the
// lexical score and the agreement, so the bound from the block's largest
// of each holds), and the visit stops at the
// first block whose bound is below the worst score kept. Dead and
// excluded documents score 0 in both accumulators and are never offered.
func (ix *Index) rank(text string, qt Topic, opt MatchOptions, w Weights, limit int) ([]cand, []qterm, float64) {
	qs := ix.queryTerms(text, w)
	n := len(ix.ids)
	s := getScratch(n)
	defer putScratch(s)
	bound := ix.accumulate(s, qs, w)
	if bound == 0 {
		bound = 1
	}
	if w.Topic != 0 {
		ix.agreement(s, qt)
	}
	// Excluded documents are taken out of the accumulators, so no later
	// loop has to test for them; the block maxima stay upper bounds.
	for _, id := range opt.Exclude {
		if o, ok := ix.byID[id]; ok {
			s.lex[o], s.agree[o] = 0, 0
		}
	}
	ref := 0.0
	if w.KneeSlope != 0 && w.KneeRank > 0 {
		// With fewer than KneeRank candidates the k-th largest is 0.
		kth, smallest := kthLex(s, w.KneeRank)
		ref = float64(kth) / bound
		if ref == 0 && w.KneeShortPack && ix.live >= shortPackMinListings {
			ref = float64(smallest) / bound
		}
	}
	flt := ix.compileFilter(opt.Filters)
	bounds := make([]float64, numBlocks(n))
	for b := range bounds {
		if lex, agree := s.blockLex[b], s.blockAgree[b]; lex != 0 || agree != 0 {
			bounds[b] = w.combine(float64(lex)/bound, ref, float64(agree))
		}
	}
	top := topHeap{k: limit, ids: ix.ids, h: make([]cand, 0, limit)}
	for _, b := range blockOrder(bounds) {
		if top.full() && bounds[b] < top.min() {
			break
		}
		lo, hi := int(b)<<blockShift, min(n, int(b+1)<<blockShift)
		lex, agree := s.lex[lo:hi], s.agree[lo:hi]
		for i := range lex {
			if lex[i] == 0 && agree[i] == 0 {
				continue
			}
			score := w.combine(float64(lex[i])/bound, ref, float64(agree[i]))
			if top.full() && score < top.min() {
				continue
			}
			if d := uint32(lo + i); flt.passes(d) {
				top.offer(cand{d, score})
			}
		}
	}
	return top.sorted(), qs, bound
}

// searchCands runs a Search's retrieval: every live document passing the
// filters (with score 0) when there are no query terms, else every one
// whose lexical score is at least searchCutoff of the best, scored by
// lexical score over its bound. It counts the named facets over all of
// them and returns the first offset+limit in the requested order. Called
// with ix.mu held for reading.
func (ix *Index) searchCands(q Query, qs []qterm, w Weights, want int) (cands []cand, total int, facets map[string][]FacetCount, bound float64) {
	flt := ix.compileFilter(q.Filters)
	fc := ix.newFacetCounter(q.Facets)
	sel := ix.newSelector(q.Sort, want)
	visit := func(d uint32, score float64) {
		total++
		fc.add(d)
		sel.offer(cand{d, score})
	}
	n := len(ix.ids)
	if strings.TrimSpace(q.Text) == "" {
		for d := range uint32(n) {
			if !ix.dead[d] && flt.passes(d) {
				visit(d, 0)
			}
		}
	} else {
		s := getScratch(n)
		bound = ix.accumulate(s, qs, w)
		var best float32
		for _, m := range s.blockLex[:numBlocks(n)] {
			best = max(best, m)
		}
		cut := best * searchCutoff
		for b, m := range s.blockLex[:numBlocks(n)] {
			if m == 0 || m < cut {
				continue
			}
			for d := uint32(b) << blockShift; d < uint32(min(n, (b+1)<<blockShift)); d++ {
				if v := s.lex[d]; v > 0 && v >= cut && flt.passes(d) {
					visit(d, float64(v)/bound)
				}
			}
		}
		putScratch(s)
	}
	if len(q.Facets) > 0 {
		facets = fc.counts()
	}
	return sel.sorted(), total, facets, bound
}

// facetCounter counts facet values over the documents added.
type facetCounter struct {
	names []string
	cols  []*facetCol
	sets  [][]int // by facet: count by set id + 1
}

func (ix *Index) newFacetCounter(names []string) *facetCounter {
	fc := &facetCounter{names: names}
	for _, name := range names {
		c := ix.facetByName[name]
		fc.cols = append(fc.cols, c)
		if c != nil {
			fc.sets = append(fc.sets, make([]int, len(c.sets)+1))
		} else {
			fc.sets = append(fc.sets, nil)
		}
	}
	return fc
}

func (fc *facetCounter) add(d uint32) {
	for i, c := range fc.cols {
		if c != nil {
			fc.sets[i][c.col[d]]++
		}
	}
}

// counts returns each facet's values with their counts, most frequent
// first, ties by value.
func (fc *facetCounter) counts() map[string][]FacetCount {
	out := map[string][]FacetCount{}
	for i, name := range fc.names {
		c := fc.cols[i]
		fcs := []FacetCount{}
		if c != nil {
			byValue := make([]int, len(c.values))
			for s, n := range fc.sets[i][1:] {
				if n == 0 {
					continue
				}
				for _, v := range c.sets[s] {
					byValue[v] += n
				}
			}
			for v, n := range byValue {
				if n > 0 {
					fcs = append(fcs, FacetCount{c.values[v], n})
				}
			}
		}
		slices.SortFunc(fcs, func(a, b FacetCount) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Value, b.Value)
		})
		out[name] = fcs
	}
	return out
}

// selector keeps the first k candidates in a Search's order (a sort key,
// documents without it last; then score, best first; then ID): a bounded
// heap whose root is the last kept, so a page costs O(n log k) rather than
// a sort of every match.
type selector struct {
	h    []cand
	k    int
	less func(a, b cand) bool // a comes before b
}

func (ix *Index) newSelector(by string, k int) *selector {
	key, desc := strings.CutPrefix(by, "-")
	var col *sortCol
	if key != "" {
		col = ix.sortByName[key]
	}
	ids := ix.ids
	less := func(a, b cand) bool {
		if col != nil {
			oka, okb := col.has[a.ord], col.has[b.ord]
			switch {
			case oka && !okb:
				return true // documents without the key go last either way
			case !oka && okb:
				return false
			case oka && okb:
				if va, vb := col.val[a.ord], col.val[b.ord]; va != vb {
					if desc {
						return cmpFloat(vb, va) < 0
					}
					return cmpFloat(va, vb) < 0
				}
			}
		}
		if a.score != b.score {
			return a.score > b.score
		}
		return ids[a.ord] < ids[b.ord]
	}
	return &selector{k: k, less: less}
}

func (s *selector) offer(c cand) {
	if s.k <= 0 {
		return
	}
	h := s.h
	if len(h) < s.k {
		h = append(h, c)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !s.less(h[p], h[i]) {
				break
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
		s.h = h
		return
	}
	if !s.less(c, h[0]) {
		return
	}
	h[0] = c
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && s.less(h[l], h[r]) {
			m = r
		}
		if !s.less(h[i], h[m]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (s *selector) sorted() []cand {
	slices.SortFunc(s.h, func(a, b cand) int {
		if s.less(a, b) {
			return -1
		}
		if s.less(b, a) {
			return 1
		}
		return 0
	})
	return s.h
}

func sortStrings(s []string) { sort.Strings(s) }

func cmpFloat(a, b float64) int { return cmp.Compare(a, b) }
