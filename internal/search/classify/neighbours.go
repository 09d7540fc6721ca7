package classify

import (
	"bufio"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"

	"kechuang/internal/search/analysis"
)

// Exemplars is a nearest-neighbour discipline classifier over the training
// records themselves (the labelled records, and the category-only titles
// with the discipline naive Bayes gives them within their category, see
// labelTitles): a text's neighbours are the records it shares the
// most informative features with (BM25 over the classifier's features,
// title and keywords counted twice), and their
// disciplines, weighted by score, are its distribution. Mixed with the naive
// Bayes posterior (the matcher does this for demands, Weights.Neighbours) it
// corrects naive Bayes where a short demand's terms are rare: four keywords
// give naive Bayes four weakly estimated likelihoods, while one training
// record that carries two of them is strong evidence of its discipline.
//
// It is read-only after training or loading and safe for concurrent use.
type Exemplars struct {
	// K is the number of neighbours that vote.
	K     int
	label []uint16 // discipline index of each record
	size  []uint16 // field-weighted token count of each record
	avg   float64
	post  map[string][]posting // feature → postings by ascending record ordinal
	pool  sync.Pool            // *[]float64 score accumulators, one slot per record
}

// posting is one record carrying a feature, with the feature's
// field-weighted frequency in it.
type posting struct {
	rec uint32
	tf  uint8
}

// exemplarK is the number of voting neighbours. With 10, 20 and 40 the
// cross-fitted field P@10 was 0.3859, 0.3893 and 0.3859 (0.3799, 0.3808
// and 0.3793 before the titles joined the exemplars); see
// docs/BENCHMARKS.md (matching).
const exemplarK = 20

// exemplarMinDF drops features of a single record, as naive Bayes does
// (TrainOptions.MinCount): they are mostly typos and one-off names, and
// dropping them made the artefact a fifth smaller.
const exemplarMinDF = 2

// BM25 parameters of the neighbour search.
const (
	exemplarK1 = 1.2
	exemplarB  = 0.75
)

// exemplarTitle and exemplarKeywords weight a term's occurrences in a
// record's title and keywords against the abstract's, as the index's BM25F
// does (Weights.Title, Weights.Keywords): a record whose keywords are the
// demand's terms is a closer neighbour than one that mentions them in
// passing.
const (
	exemplarTitle    = 2
	exemplarKeywords = 2
)

// exemplarTerms returns the field-weighted frequency of each feature of r.
func exemplarTerms(a *analysis.Analyzer, r Record) (map[string]int, int) {
	tf := map[string]int{}
	size := 0
	var toks []analysis.Token
	add := func(text string, w int) {
		toks = a.Tokens(text, toks[:0])
		for _, t := range toks {
			k := t.Text
			if t.Kind == analysis.Bigram {
				k = bigramMark + k
			}
			tf[k] += w
			size += w
		}
	}
	add(r.Title, exemplarTitle)
	add(strings.Join(r.Keywords, " "), exemplarKeywords)
	add(r.Abstract, 1)
	return tf, size
}

func trainExemplars(a *analysis.Analyzer, recs []Record, disc *NB) *Exemplars {
	// Ordinals follow the ids, so the artefact does not depend on the
	// order of the input.
	recs = slices.Clone(recs)
	slices.SortStableFunc(recs, func(a, b Record) int { return strings.Compare(a.ID, b.ID) })
	x := &Exemplars{K: exemplarK, post: map[string][]posting{}}
	tfs := make([]map[string]int, len(recs))
	sizes := make([]int, len(recs))
	df := map[string]int{}
	for i, r := range recs {
		tfs[i], sizes[i] = exemplarTerms(a, r)
		for f := range tfs[i] {
			df[f]++
		}
	}
	for i, r := range recs {
		y := disc.labelIndex(r.Discipline)
		if y < 0 {
			continue
		}
		ord := uint32(len(x.label))
		x.label = append(x.label, uint16(y))
		x.size = append(x.size, uint16(min(sizes[i], math.MaxUint16)))
		for f, tf := range tfs[i] {
			if df[f] >= exemplarMinDF {
				x.post[f] = append(x.post[f], posting{ord, uint8(min(tf, math.MaxUint8))})
			}
		}
	}
	x.derive()
	return x
}

func (x *Exemplars) derive() {
	x.pool.New = func() any {
		s := make([]float64, len(x.label))
		return &s
	}
	var sum float64
	for _, l := range x.size {
		sum += float64(l)
	}
	if len(x.size) > 0 {
		x.avg = sum / float64(len(x.size))
	}
}

// neighbours returns the discipline distribution (by discipline index) of
// the K records nearest to the distinct features f, scaled to sum to the
// share of f's evidence that the nearest record explains: its score over
// the score of a record saturating every feature of f, including features
// no training record has. A demand whose terms the training records lack,
// or share only a stray bigram of, gets a faint vote, not a confident one.
// It returns nil if no record shares a feature with f.
func (x *Exemplars) neighbours(f []string, nLabels int) []float64 {
	if x == nil || len(x.label) == 0 {
		return nil
	}
	n := float64(len(x.label))
	acc := x.pool.Get().(*[]float64)
	score := *acc
	defer func() {
		clear(score)
		x.pool.Put(acc)
	}()
	var bound float64
	var touched []uint32
	for _, t := range f {
		p := x.post[t]
		df := float64(len(p))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		bound += idf
		for _, e := range p {
			if score[e.rec] == 0 {
				touched = append(touched, e.rec)
			}
			tf := float64(e.tf) / (1 - exemplarB + exemplarB*float64(x.size[e.rec])/x.avg)
			score[e.rec] += idf * tf / (exemplarK1 + tf)
		}
	}
	if len(touched) == 0 {
		return nil
	}
	// Best first, ties by ordinal, so the vote does not depend on the
	// order of f.
	better := func(a, b uint32) bool {
		if score[a] != score[b] {
			return score[a] > score[b]
		}
		return a < b
	}
	best := touched[:0:0]
	for _, r := range touched {
		if len(best) == x.K && !better(r, best[len(best)-1]) {
			continue
		}
		j := len(best)
		if j < x.K {
			best = append(best, r)
		} else {
			j--
		}
		for j > 0 && better(r, best[j-1]) {
			best[j] = best[j-1]
			j--
		}
		best[j] = r
	}
	out := make([]float64, nLabels)
	var sum float64
	for _, r := range best {
		out[x.label[r]] += score[r]
		sum += score[r]
	}
	conf := min(1, score[best[0]]/bound)
	for i := range out {
		out[i] *= conf / sum
	}
	return out
}

// Neighbours returns the disciplines of the training records nearest to
// text, weighted by similarity, most probable first (at most TopK). The
// weights sum to at most the confidence of the vote, in [0, 1]: the share
// of the text's evidence that the nearest record explains. It returns nil if the
// model has no exemplars or no training record shares a term with text.
func (m *Model) Neighbours(text string) []Label {
	if m.Exemplars == nil {
		return nil
	}
	p := m.Exemplars.neighbours(Features(m.an, text), len(m.Discipline.Labels))
	if p == nil {
		return nil
	}
	return top(m.Discipline.Labels, p, TopK)
}

// MixLabels returns (1-lambda·mass(b))·a + lambda·b as one distribution
// over the union of their labels, most probable first, cut to TopK; ties
// are broken by name so the result is deterministic. b's total mass is its
// confidence (see Model.Neighbours): a faint b barely moves a.
func MixLabels(a, b []Label, lambda float64) []Label {
	if lambda == 0 || len(b) == 0 {
		return a
	}
	var mass float64
	for _, l := range b {
		mass += l.P
	}
	m := make(map[string]float64, len(a)+len(b))
	for _, l := range a {
		m[l.Name] += (1 - lambda*mass) * l.P
	}
	for _, l := range b {
		m[l.Name] += lambda * l.P
	}
	out := make([]Label, 0, len(m))
	for name, p := range m {
		if p > 0 {
			out = append(out, Label{name, p})
		}
	}
	slices.SortFunc(out, func(x, y Label) int {
		if x.P != y.P {
			if x.P > y.P {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Name, y.Name)
	})
	return out[:min(len(out), TopK)]
}

func writeExemplars(w *bufio.Writer, x *Exemplars) {
	if x == nil {
		putUvarint(w, 0)
		return
	}
	putUvarint(w, uint64(len(x.label)))
	putUvarint(w, uint64(x.K))
	for i := range x.label {
		putUvarint(w, uint64(x.label[i]))
		putUvarint(w, uint64(x.size[i]))
	}
	keys := make([]string, 0, len(x.post))
	for k := range x.post {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	putUvarint(w, uint64(len(keys)))
	prev := ""
	for _, f := range keys {
		prev = putFrontCoded(w, prev, f)
		ps := x.post[f]
		putUvarint(w, uint64(len(ps)))
		last := uint32(0)
		for _, e := range ps {
			putUvarint(w, uint64(e.rec-last))
			putUvarint(w, uint64(e.tf))
			last = e.rec
		}
	}
}

func (r *reader) exemplars(nLabels int) *Exemplars {
	n := r.uvarint()
	if n == 0 || r.err != nil {
		return nil
	}
	if n > 1<<24 {
		r.err = errors.New("too many exemplars")
		return nil
	}
	x := &Exemplars{K: int(r.uvarint()), label: make([]uint16, n), size: make([]uint16, n)}
	for i := range n {
		y, l := r.uvarint(), r.uvarint()
		if y >= uint64(nLabels) || l > math.MaxUint16 {
			r.err = errors.Join(r.err, errors.New("bad exemplar"))
			return nil
		}
		x.label[i], x.size[i] = uint16(y), uint16(l)
	}
	nf := r.uvarint()
	if r.err != nil || nf > 1<<24 {
		r.err = errors.Join(r.err, errors.New("bad exemplar feature count"))
		return nil
	}
	x.post = make(map[string][]posting, nf)
	var prev []byte
	for range nf {
		f := r.frontCoded(prev)
		if f == nil {
			return nil
		}
		c := r.uvarint()
		if c > n {
			r.err = errors.Join(r.err, errors.New("bad posting count"))
			return nil
		}
		ps := make([]posting, c)
		last := uint64(0)
		for i := range ps {
			last += r.uvarint()
			tf := r.uvarint()
			if last >= n || tf > math.MaxUint8 {
				r.err = errors.Join(r.err, errors.New("bad posting"))
				return nil
			}
			ps[i] = posting{uint32(last), uint8(tf)}
		}
		x.post[string(f)] = ps
		prev = f
	}
	if r.err != nil {
		return nil
	}
	x.derive()
	return x
}
