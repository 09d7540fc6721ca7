package search

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"kechuang/internal/search/analysis"
	"kechuang/internal/search/classify"
)

// Weights are the ranking parameters. Every component can be switched off
// (set to 0), which is how the ablation rows in docs/BENCHMARKS.md (matching) are
// produced.
type Weights struct {
	// Title, Keywords and Text weight each field's term frequency in BM25F.
	Title, Keywords, Text float64
	// K1 and B are the BM25 saturation and length-normalisation parameters.
	K1, B float64
	// Words and Bigrams weight the dictionary-word (and Latin) term space
	// and the character-bigram term space.
	Words, Bigrams float64
	// Fuzzy weights Latin terms reached by one edit from a query term that
	// the index does not contain (typo tolerance); 0 disables it.
	Fuzzy float64
	// Topic weights the discipline agreement between demand and
	// achievement in Match; 0 disables it. (Category agreement was tried and
	// lowered field precision: 13 categories are too coarse, 工学 alone is
	// 45% of CSL.)
	Topic float64
	// Knee and KneeSlope protect near-exact matches: a listing whose
	// lexical score is more than Knee times the score of the KneeRank-th
	// best candidate stands out from the pack the way a known item does
	// (its title, keywords or problem statement was the query), and gets
	// KneeSlope × the excess on top, so field agreement cannot push it
	// down. When no listing stands out (the usual case for a short demand
	// phrased in general terms) the topic agreement decides. KneeSlope 0
	// disables this.
	Knee, KneeSlope float64
	KneeRank        int
	// MaxDF skips query terms found in more than this share of the
	// listings and in more than 1,000 of them (0 keeps all). Such terms (的研, 研究, 方法) have idf below
	// log(1+1/MaxDF) and carry almost no ranking signal, but their long
	// posting lists dominate query time.
	MaxDF float64
	// Neighbours mixes into a demand's predicted disciplines, with this
	// weight, the disciplines of the training records nearest to it (see
	// classify.Model.Neighbours); 0 disables it. Listings keep the naive
	// Bayes prediction alone: the neighbour search costs a query per
	// listing, which index builds at 100,000 listings cannot afford.
	Neighbours float64
	// KneeShortPack measures the knee against the weakest lexical match
	// when fewer than KneeRank listings match lexically at all (in indexes
	// of at least 1,000 listings; see shortPackMinListings). Without it
	// such a query (rare terms: 督伊德教, 四环素牙) has no pack, no listing
	// gets the bonus, and listings that share no term but agree on the
	// topic bury the one that holds every term.
	KneeShortPack bool
}

// DefaultWeights are the weights chosen on the dev tasks; see
// docs/BENCHMARKS.md (matching) for the ablation that justifies each one.
func DefaultWeights() Weights {
	return Weights{
		// Title and keywords are the listing's own summary, so a term
		// there counts twice. On the CSL dev tasks this moves no figure by
		// more than 0.0003 (the eval documents carry no keywords field);
		// see the ablation row in docs/BENCHMARKS.md (matching).
		Title: 2, Keywords: 2, Text: 1,
		K1: 1.2, B: 0.75,
		Words: 1, Bigrams: 1,
		Fuzzy: 0.8,
		Topic: 6,
		// KneeSlope 10 (20 until issue #19): of 210 knee settings only it
		// and one other keep every known-item MRR at or above scorch BM25
		// Bleve's, and it gives field P@10 0.3947 instead of 0.3893
		// (docs/BENCHMARKS.md, matching, "The knee, in a ranking lab").
		Knee: 1.2, KneeSlope: 10, KneeRank: 10,
		MaxDF: 0.1,
		// Neighbours 1 adds the neighbours' vote at its own confidence
		// (classify.MixLabels), with no further scaling.
		Neighbours:    1,
		KneeShortPack: true,
	}
}

// Options configure an Index.
type Options struct {
	// Analyzer tokenizes text; nil means analysis.Default().
	Analyzer *analysis.Analyzer
	// Classifier predicts topics; nil means the embedded classify.Default().
	Classifier Classifier
	// Weights; the zero value means DefaultWeights().
	Weights Weights
}

const numKinds = 3 // analysis.Word, Bigram, Latin

// plist is the postings of one term: ascending document ordinals and, per
// posting, the term frequency in each field (capped at 255).
type plist struct {
	Docs []uint32
	TF   []uint8 // numFields per posting
}

// tlist lists documents whose predicted disciplines include a label, with the
// probability.
type tlist struct {
	Docs []uint32
	P    []float32
}

type docRec struct {
	ID       string
	Title    string
	Keywords []string
	Text     string
	Facets   map[string][]string
	Sort     map[string]float64
	Topic    Topic
	Len      [numFields]float32
	Deleted  bool
}

// Index is an in-memory inverted index of Documents. All methods are safe
// for concurrent use; writes are visible to the next search.
type Index struct {
	an  *analysis.Analyzer
	cls Classifier
	w   Weights

	mu      sync.RWMutex
	docs    []docRec
	lens    [][numFields]float32 // field lengths by ordinal, kept apart from docs for cache-friendly scoring
	dead    []bool               // tombstones by ordinal
	byID    map[string]uint32
	terms   [numKinds]map[string]*plist
	discs   map[string]*tlist
	lenSum  [numFields]float64
	live    int
	deleted int
	seq     uint64
	fuzzy   map[string][]string // one-deletion variant → Latin terms
	kwCount map[string]int      // whole keywords → documents carrying them
}

// New returns an empty index. It fails only if opts.Classifier is nil and
// the embedded model is missing.
func New(opts Options) (*Index, error) {
	ix := &Index{}
	if err := ix.init(opts); err != nil {
		return nil, err
	}
	ix.byID = map[string]uint32{}
	for k := range ix.terms {
		ix.terms[k] = map[string]*plist{}
	}
	ix.discs = map[string]*tlist{}
	ix.fuzzy = map[string][]string{}
	ix.kwCount = map[string]int{}
	return ix, nil
}

func (ix *Index) init(opts Options) error {
	ix.an = opts.Analyzer
	if ix.an == nil {
		ix.an = analysis.Default()
	}
	ix.cls = opts.Classifier
	if ix.cls == nil {
		m, err := classify.Default()
		if err != nil {
			return fmt.Errorf("new index: %w", err)
		}
		ix.cls = m
	}
	ix.w = opts.Weights
	if ix.w == (Weights{}) {
		ix.w = DefaultWeights()
	}
	return nil
}

// Weights returns the ranking weights in use.
func (ix *Index) Weights() Weights {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.w
}

// SetWeights changes the ranking weights; used by benchmarks for ablations.
func (ix *Index) SetWeights(w Weights) {
	ix.mu.Lock()
	ix.w = w
	ix.mu.Unlock()
}

// Len reports the number of live documents.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Seq returns the last change sequence number recorded with SetSeq (or
// loaded from a snapshot).
func (ix *Index) Seq() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.seq
}

// SetSeq records that every change up to seq has been applied. The owner
// calls it after Put/Delete so a snapshot knows where replay must resume.
func (ix *Index) SetSeq(seq uint64) {
	ix.mu.Lock()
	ix.seq = seq
	ix.mu.Unlock()
}

// ErrNoID is returned by Put for a document without an ID.
var ErrNoID = errors.New("search: document has no id")

// Put adds d, replacing any document with the same ID. Analysis and
// classification run before the write lock is taken, so searches are not
// held up by them.
func (ix *Index) Put(d Document) error {
	if d.ID == "" {
		return ErrNoID
	}
	p := ix.prepare(d)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.apply(p)
	return nil
}

type prepared struct {
	rec   docRec
	terms [numKinds]map[string][numFields]uint8
}

func (ix *Index) prepare(d Document) prepared {
	p := prepared{rec: docRec{
		ID: d.ID, Title: d.Title, Keywords: d.Keywords, Text: d.Text,
		Facets: d.Facets, Sort: d.Sort,
	}}
	for k := range p.terms {
		p.terms[k] = make(map[string][numFields]uint8, 64)
	}
	var toks []analysis.Token
	add := func(f Field, text string) {
		toks = ix.an.Tokens(text, toks[:0])
		for _, t := range toks {
			m := p.terms[t.Kind]
			v := m[t.Text]
			if v[f] < math.MaxUint8 {
				v[f]++
			}
			m[t.Text] = v
			p.rec.Len[f]++
		}
	}
	add(FieldTitle, d.Title)
	for _, k := range d.Keywords {
		add(FieldKeywords, k)
	}
	add(FieldText, d.Text)
	if tc, ok := ix.cls.(TermClassifier); ok {
		// The terms of the fields are the terms of fullText: the
		// separators between fields split tokens anyway.
		p.rec.Topic = tc.ClassifyTerms(func(yield func(bool, string)) {
			for k, m := range p.terms {
				for t := range m {
					yield(k == bigramKind, t)
				}
			}
		})
	} else {
		p.rec.Topic = ix.cls.Classify(d.fullText())
	}
	return p
}

func (ix *Index) apply(p prepared) {
	if old, ok := ix.byID[p.rec.ID]; ok {
		ix.remove(old)
	}
	ord := uint32(len(ix.docs))
	ix.docs = append(ix.docs, p.rec)
	ix.lens = append(ix.lens, p.rec.Len)
	ix.dead = append(ix.dead, false)
	ix.byID[p.rec.ID] = ord
	ix.live++
	for f := range numFields {
		ix.lenSum[f] += float64(p.rec.Len[f])
	}
	for k, m := range p.terms {
		for term, tf := range m {
			pl := ix.terms[k][term]
			if pl == nil {
				pl = &plist{}
				ix.terms[k][term] = pl
				if analysis.Kind(k) == analysis.Latin {
					ix.addFuzzy(term)
				}
			}
			pl.Docs = append(pl.Docs, ord)
			pl.TF = append(pl.TF, tf[:]...)
		}
	}
	addTopic(ix.discs, p.rec.Topic.Disciplines, ord)
	for _, k := range p.rec.Keywords {
		ix.kwCount[strings.ToLower(k)]++
	}
}

func addTopic(m map[string]*tlist, labels []Label, ord uint32) {
	for _, l := range labels {
		t := m[l.Name]
		if t == nil {
			t = &tlist{}
			m[l.Name] = t
		}
		t.Docs = append(t.Docs, ord)
		t.P = append(t.P, float32(l.P))
	}
}

// Delete removes the document with the given ID and reports whether it was
// present.
func (ix *Index) Delete(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ord, ok := ix.byID[id]
	if !ok {
		return false
	}
	ix.remove(ord)
	return true
}

// remove tombstones a document; its postings are dropped by the next
// compaction, which runs once tombstones are a quarter of the ordinals so
// that deletes stay O(1) but scans do not fill with dead postings.
func (ix *Index) remove(ord uint32) {
	d := &ix.docs[ord]
	delete(ix.byID, d.ID)
	for f := range numFields {
		ix.lenSum[f] -= float64(d.Len[f])
	}
	for _, k := range d.Keywords {
		k = strings.ToLower(k)
		if ix.kwCount[k]--; ix.kwCount[k] <= 0 {
			delete(ix.kwCount, k)
		}
	}
	*d = docRec{ID: d.ID, Deleted: true}
	ix.dead[ord] = true
	ix.live--
	ix.deleted++
	if ix.deleted > 64 && ix.deleted*4 > len(ix.docs) {
		ix.compact()
	}
}

// compact renumbers live documents densely and rewrites every posting list.
func (ix *Index) compact() {
	remap := make([]int64, len(ix.docs))
	var docs []docRec
	for i, d := range ix.docs {
		if d.Deleted {
			remap[i] = -1
			continue
		}
		remap[i] = int64(len(docs))
		docs = append(docs, d)
	}
	for k := range ix.terms {
		for term, pl := range ix.terms[k] {
			n := 0
			for i, d := range pl.Docs {
				if r := remap[d]; r >= 0 {
					pl.Docs[n] = uint32(r)
					copy(pl.TF[n*int(numFields):(n+1)*int(numFields)], pl.TF[i*int(numFields):(i+1)*int(numFields)])
					n++
				}
			}
			if n == 0 {
				delete(ix.terms[k], term)
				continue
			}
			pl.Docs = pl.Docs[:n:n]
			pl.TF = pl.TF[: n*int(numFields) : n*int(numFields)]
		}
	}
	for _, m := range []map[string]*tlist{ix.discs} {
		for l, t := range m {
			n := 0
			for i, d := range t.Docs {
				if r := remap[d]; r >= 0 {
					t.Docs[n], t.P[n] = uint32(r), t.P[i]
					n++
				}
			}
			if n == 0 {
				delete(m, l)
				continue
			}
			t.Docs, t.P = t.Docs[:n:n], t.P[:n:n]
		}
	}
	ix.docs = docs
	ix.lens = make([][numFields]float32, len(docs))
	ix.dead = make([]bool, len(docs))
	for i, d := range docs {
		ix.lens[i] = d.Len
	}
	ix.deleted = 0
	for i, d := range docs {
		ix.byID[d.ID] = uint32(i)
	}
}

// Get returns the stored document with the given ID.
func (ix *Index) Get(id string) (Document, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ord, ok := ix.byID[id]
	if !ok {
		return Document{}, false
	}
	d := ix.docs[ord]
	return Document{ID: d.ID, Title: d.Title, Keywords: d.Keywords, Text: d.Text, Facets: d.Facets, Sort: d.Sort}, true
}

// Classify predicts the category and discipline of text, for forms that
// suggest them as the user types.
func (ix *Index) Classify(text string) Topic { return ix.cls.Classify(text) }

// PutAll adds docs as Put would, analysing and classifying them on up to
// workers goroutines (0 means 1) and applying them in order, for bulk loads
// such as a rebuild from the database. It stops at the first document
// without an ID, after applying the ones before it.
func (ix *Index) PutAll(docs []Document, workers int) error {
	workers = max(1, min(workers, len(docs)))
	const chunk = 256
	for start := 0; start < len(docs); start += chunk {
		batch := docs[start:min(len(docs), start+chunk)]
		prep := make([]prepared, len(batch))
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Go(func() {
				for i := range next {
					if batch[i].ID != "" {
						prep[i] = ix.prepare(batch[i])
					}
				}
			})
		}
		for i := range batch {
			next <- i
		}
		close(next)
		wg.Wait()
		ix.mu.Lock()
		for i := range prep {
			if batch[i].ID == "" {
				ix.mu.Unlock()
				return ErrNoID
			}
			ix.apply(prep[i])
		}
		ix.mu.Unlock()
	}
	return nil
}
