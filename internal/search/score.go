package search

import (
	"cmp"
	"math"
	"slices"
	"sort"
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
		df := float64(len(pl.Docs))
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
// pooled. Dense arrays scanned once at the end proved cheaper than tracking
// touched documents: at 100,000 listings most documents share some bigram
// or discipline with a long demand anyway.
type scratch struct {
	lex, agree []float32
	n          int
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

func getScratch(n int) *scratch {
	s := scratchPool.Get().(*scratch)
	if len(s.lex) < n {
		s.lex = make([]float32, n+n/4)
		s.agree = make([]float32, n+n/4)
	}
	s.n = n
	return s
}

func putScratch(s *scratch) {
	clear(s.lex[:s.n])
	clear(s.agree[:s.n])
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

// accumulate adds the lexical score of every live posting of qs into s and
// returns the score's upper bound (what a document saturating every term
// would get), used to put lexical scores on a 0..1 scale.
func (ix *Index) accumulate(s *scratch, qs []qterm, w Weights) float64 {
	wf, invAvg := ix.fieldNorms(w)
	var bound float64
	for _, q := range qs {
		iw := q.idf * q.weight
		bound += iw
		pl := q.pl
		for i, d := range pl.Docs {
			if ix.dead[d] {
				continue
			}
			s.lex[d] += float32(iw * bm25f(pl.TF[i*int(numFields):], &ix.lens[d], &wf, &invAvg, w.K1, w.B))
		}
	}
	return bound
}

// agreement adds Σ P_query(d)·P_doc(d) over the query topic's disciplines
// into s.agree.
func (ix *Index) agreement(s *scratch, qt Topic) {
	for _, l := range qt.Disciplines {
		t := ix.discs[l.Name]
		if t == nil {
			continue
		}
		qp := float32(l.P)
		for i, d := range t.Docs {
			if ix.dead[d] {
				continue
			}
			s.agree[d] += qp * t.P[i]
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
func worse(a, b cand, docs []docRec) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return docs[a.ord].ID > docs[b.ord].ID
}

// topK returns the k best candidates produced by each, best first. It keeps
// a hand-written min-heap: container/heap's interface calls were a large
// share of query time at 100,000 listings.
func (ix *Index) topK(k int, each func(yield func(cand))) []cand {
	if k <= 0 {
		return nil
	}
	docs := ix.docs
	h := make([]cand, 0, k)
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && worse(h[r], h[l], docs) {
				m = r
			}
			if !worse(h[m], h[i], docs) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	each(func(c cand) {
		if len(h) < k {
			h = append(h, c)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !worse(h[i], h[p], docs) {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
			return
		}
		if c.score < h[0].score {
			return // the common case, decided without looking at IDs
		}
		if worse(h[0], c, docs) {
			h[0] = c
			down(0)
		}
	})
	slices.SortFunc(h, func(a, b cand) int {
		if worse(a, b, docs) {
			return 1
		}
		if worse(b, a, docs) {
			return -1
		}
		return 0
	})
	return h
}

// kthLargest returns the k-th largest positive value of xs, or 0 if there
// are fewer than k.
func kthLargest(k int, xs []float32) float32 {
	h := make([]float32, 0, k) // min-heap of the k largest so far
	for _, v := range xs {
		if v <= 0 {
			continue
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
	if len(h) < k || k <= 0 {
		return 0
	}
	return h[0]
}

func sortStrings(s []string) { sort.Strings(s) }

func cmpFloat(a, b float64) int { return cmp.Compare(a, b) }
