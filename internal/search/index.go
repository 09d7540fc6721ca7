package search

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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

// blockShift sets the size of a document block (128 ordinals). Scoring
// keeps, per block, the largest lexical score and topic agreement of the
// query, so that the final ranking visits only the
// blocks that can still hold a result (see rank).
const blockShift = 7

// Index is an in-memory inverted index of Documents. All methods are safe
// for concurrent use; writes are visible to the next search.
//
// Everything indexed by ordinal is only ever appended to, except dead;
// replacing or deleting a document marks its ordinal dead, and compact
// renumbers into new arrays once a quarter of the ordinals are dead. That
// lets a snapshot copy the slice headers under the lock and write the rest
// without it (see capture).
type Index struct {
	an  *analysis.Analyzer
	cls Classifier
	w   Weights

	mu sync.RWMutex
	docTable

	// saveCaptured, when set by a test, is called once Save has captured
	// the index and released the lock. It is a field, not a package
	// variable, so that parallel tests saving other indexes never call it.
	saveCaptured func()
	labels       labels
	discs        []*tlist // by label id: the documents predicted to be of that discipline

	byID    map[string]uint32
	terms   [numKinds]map[string]*plist
	lenSum  [numFields]float64
	live    int
	deleted int
	seq     uint64
	gen     uint64 // counts changes, so an owner saves only a changed index
	// normCache holds the bm25f tables of the current generation; queries
	// under the read lock may replace it, hence atomic.
	normCache atomic.Pointer[normTables]
	fuzzy     map[string][]string // one-deletion variant → Latin terms
	kwCount   map[string]int      // whole keywords → documents carrying them
}

// docTable is everything the index keeps by document ordinal.
type docTable struct {
	ids  []string
	locs []loc                // stored record (title, keywords, text, categories)
	lens [][numFields]float32 // field lengths in tokens
	// short packs the three lengths into 32 bits (see shortLens): a third
	// of lens's bytes, so the scoring loop, which reads only short unless
	// a length overflows its bits, misses the cache less.
	short []uint32
	dead  []bool

	recs        recStore
	facetCols   []*facetCol
	facetByName map[string]*facetCol
	sortCols    []*sortCol
	sortByName  map[string]*sortCol
}

func newDocTable() docTable {
	return docTable{facetByName: map[string]*facetCol{}, sortByName: map[string]*sortCol{}}
}

// New returns an empty index. It fails only if opts.Classifier is nil and
// the embedded model is missing.
func New(opts Options) (*Index, error) {
	ix := &Index{}
	if err := ix.init(opts); err != nil {
		return nil, err
	}
	ix.reset()
	return ix, nil
}

// reset makes ix empty.
func (ix *Index) reset() {
	ix.docTable = newDocTable()
	ix.labels = labels{index: map[string]uint32{}}
	ix.discs = nil
	ix.byID = map[string]uint32{}
	for k := range ix.terms {
		ix.terms[k] = map[string]*plist{}
	}
	ix.lenSum = [numFields]float64{}
	ix.live, ix.deleted = 0, 0
	ix.fuzzy = map[string][]string{}
	ix.kwCount = map[string]int{}
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
	if ix.seq != seq {
		ix.seq = seq
		ix.gen++
	}
	ix.mu.Unlock()
}

// Gen returns a number that changes whenever the index does (Put, Delete,
// SetSeq), so an owner can skip saving a snapshot of an unchanged index:
// read Gen before Save, and save again only once Gen differs from that.
func (ix *Index) Gen() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.gen
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
	ix.apply(&p)
	return nil
}

// term is one distinct term of a prepared document.
type term struct {
	kind int
	text string
	tf   [numFields]uint8
}

type prepared struct {
	doc   *Document
	terms []term
	lens  [numFields]float32
	topic Topic
}

type termKey struct {
	kind analysis.Kind
	text string
}

// prepScratch is prepare's reusable state: at a few hundred distinct terms
// a listing, building a fresh map for each was a tenth of a bulk load's
// garbage.
type prepScratch struct {
	seen map[termKey]int32
	toks []analysis.Token
}

var prepPool = sync.Pool{New: func() any { return &prepScratch{seen: make(map[termKey]int32, 512)} }}

// prepare analyses and classifies d; it takes no lock.
func (ix *Index) prepare(d Document) prepared {
	p := prepared{doc: &d}
	sc := prepPool.Get().(*prepScratch)
	defer func() {
		clear(sc.seen)
		prepPool.Put(sc)
	}()
	add := func(f Field, text string) {
		sc.toks = ix.an.Tokens(text, sc.toks[:0])
		for _, t := range sc.toks {
			k := termKey{t.Kind, t.Text}
			i, ok := sc.seen[k]
			if !ok {
				i = int32(len(p.terms))
				sc.seen[k] = i
				p.terms = append(p.terms, term{kind: int(t.Kind), text: t.Text})
			}
			addTF(&p.terms[i].tf, f)
			p.lens[f]++
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
		p.topic = tc.ClassifyTerms(func(yield func(bool, string)) {
			for _, t := range p.terms {
				yield(t.kind == bigramKind, t.text)
			}
		})
	} else {
		p.topic = ix.cls.Classify(d.fullText())
	}
	return p
}

// apply adds a prepared document; called with ix.mu held.
func (ix *Index) apply(p *prepared) {
	d := p.doc
	if old, ok := ix.byID[d.ID]; ok {
		ix.remove(old)
	}
	ord := uint32(len(ix.ids))
	ix.ids = append(ix.ids, d.ID)
	ix.locs = append(ix.locs, ix.recs.add(encodeRecord(nil, d, p.topic, &ix.labels)))
	ix.lens = append(ix.lens, p.lens)
	ix.short = append(ix.short, shortLens(p.lens))
	ix.dead = append(ix.dead, false)
	ix.putColumns(ord, d.Facets, d.Sort)
	for _, l := range p.topic.Disciplines {
		ix.addTopic(ix.labels.id(l.Name), ord, l.P)
	}
	ix.byID[d.ID] = ord
	ix.live++
	ix.gen++
	for f := range numFields {
		ix.lenSum[f] += float64(p.lens[f])
	}
	for _, t := range p.terms {
		pl := ix.terms[t.kind][t.text]
		if pl == nil {
			pl = &plist{}
			ix.terms[t.kind][t.text] = pl
			if analysis.Kind(t.kind) == analysis.Latin {
				ix.addFuzzy(t.text)
			}
		}
		pl.add(ord, t.tf)
	}
	for _, k := range d.Keywords {
		ix.kwCount[strings.ToLower(k)]++
	}
}

// Packed field lengths: text in the low 14 bits, title in the next 9,
// keywords in the top 9. A length that does not fit is stored as all ones
// in its bits, and scoring reads lens instead.
const (
	shortText  = 1<<14 - 1
	shortTitle = 1<<9 - 1
	shortKw    = 1<<9 - 1
)

func shortLens(ln [numFields]float32) uint32 {
	return uint32(min(ln[FieldText], shortText)) | uint32(min(ln[FieldTitle], shortTitle))<<14 | uint32(min(ln[FieldKeywords], shortKw))<<23
}

// unpackShort returns the lengths packed in sl and whether all fitted.
func unpackShort(sl uint32) ([numFields]float32, bool) {
	text, title, kw := sl&shortText, sl>>14&shortTitle, sl>>23
	return [numFields]float32{float32(title), float32(kw), float32(text)}, text < shortText && title < shortTitle && kw < shortKw
}

// tlist lists the documents whose predicted disciplines include a label,
// with the probability as float32, in ordinal order. Like plist it is only
// appended to.
type tlist struct {
	docs []uint32
	p    []float32
}

func (ix *Index) addTopic(id, ord uint32, p float64) {
	for int(id) >= len(ix.discs) {
		ix.discs = append(ix.discs, nil)
	}
	t := ix.discs[id]
	if t == nil {
		t = &tlist{}
		ix.discs[id] = t
	}
	t.docs = append(t.docs, ord)
	t.p = append(t.p, float32(p))
}

// topic returns the predicted topic of ordinal ord.
func (ix *Index) topic(ord uint32) Topic {
	return ix.record(ord).topic(&ix.labels)
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
	delete(ix.byID, ix.ids[ord])
	for f := range numFields {
		ix.lenSum[f] -= float64(ix.lens[ord][f])
	}
	for _, k := range ix.record(ord).keywords() {
		k = strings.ToLower(k)
		if ix.kwCount[k]--; ix.kwCount[k] <= 0 {
			delete(ix.kwCount, k)
		}
	}
	ix.dead[ord] = true
	ix.live--
	ix.deleted++
	ix.gen++
	if ix.deleted > 64 && ix.deleted*4 > len(ix.ids) {
		ix.compact()
	}
}

// compact renumbers live documents densely into new arrays and rewrites
// every posting list. It never writes into the arrays it replaces, which a
// snapshot in progress may still be reading.
func (ix *Index) compact() {
	old := ix.docTable
	oldTerms := ix.terms
	remap := make([]int64, len(old.ids))
	ix.docTable = newDocTable()
	ix.discs = nil
	for i := range old.ids {
		if old.dead[i] {
			remap[i] = -1
			continue
		}
		ord := uint32(len(ix.ids))
		remap[i] = int64(ord)
		ix.ids = append(ix.ids, old.ids[i])
		ix.locs = append(ix.locs, ix.recs.add(old.recs.raw(old.locs[i])))
		ix.lens = append(ix.lens, old.lens[i])
		ix.short = append(ix.short, old.short[i])
		ix.dead = append(ix.dead, false)
		ix.putColumns(ord, old.facetsOf(uint32(i)), old.sortsOf(uint32(i)))
		ix.record(ord).disciplines(func(id uint32, p float64) { ix.addTopic(id, ord, p) })
		ix.byID[old.ids[i]] = ord
	}
	for k := range ix.terms {
		terms := make(map[string]*plist, len(oldTerms[k]))
		for t, pl := range oldTerms[k] {
			np := &plist{}
			pl.each(func(d uint32, tf [numFields]uint8) {
				if r := remap[d]; r >= 0 {
					np.add(uint32(r), tf)
				}
			})
			if np.n > 0 {
				np.data = slices.Clip(np.data)
				terms[t] = np
			}
		}
		ix.terms[k] = terms
	}
	ix.deleted = 0
}

// ReplaceWith makes ix hold what fresh holds, so that an owner can build a
// new index beside the one serving searches and swap it in without its
// readers changing pointers. fresh must not be used afterwards. A snapshot
// being written from ix keeps writing the old contents.
func (ix *Index) ReplaceWith(fresh *Index) {
	fresh.mu.Lock()
	defer fresh.mu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	gen := ix.gen
	ix.docTable, ix.labels, ix.discs = fresh.docTable, fresh.labels, fresh.discs
	ix.byID, ix.terms, ix.lenSum = fresh.byID, fresh.terms, fresh.lenSum
	ix.live, ix.deleted, ix.seq = fresh.live, fresh.deleted, fresh.seq
	ix.fuzzy, ix.kwCount = fresh.fuzzy, fresh.kwCount
	ix.gen = gen + fresh.gen + 1
	fresh.reset()
}

// Get returns the stored document with the given ID.
func (ix *Index) Get(id string) (Document, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ord, ok := ix.byID[id]
	if !ok {
		return Document{}, false
	}
	title, keywords, text := ix.record(ord).fields()
	return Document{ID: id, Title: title, Keywords: keywords, Text: text, Facets: ix.facetsOf(ord), Sort: ix.sortsOf(ord)}, true
}

// FacetFirst returns, for each named facet, the first value the document
// with the given ID has ("" for none), without rebuilding the whole
// document as Get does; a result page needs a few facets of each hit.
func (ix *Index) FacetFirst(id string, names ...string) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]string, len(names))
	ord, ok := ix.byID[id]
	if !ok {
		return out
	}
	for i, name := range names {
		if c := ix.facetByName[name]; c != nil {
			if set := c.col[ord]; set != 0 && len(c.sets[set-1]) > 0 {
				out[i] = c.values[c.sets[set-1][0]]
			}
		}
	}
	return out
}

// Classify predicts the category and discipline of text, for forms that
// suggest them as the user types.
func (ix *Index) Classify(text string) Topic { return ix.cls.Classify(text) }

// PutAll adds docs as Put would, analysing and classifying them on up to
// workers goroutines (0 means 1) and applying them in order, for bulk loads
// such as a rebuild from the database. Applying one chunk under the write
// lock overlaps with preparing the next. It stops at the first document
// without an ID, after applying the ones before it.
func (ix *Index) PutAll(docs []Document, workers int) error {
	var err error
	for i, d := range docs {
		if d.ID == "" {
			docs, err = docs[:i], ErrNoID
			break
		}
	}
	workers = max(1, min(workers, len(docs)))
	const chunk = 256
	type batch struct {
		prep []prepared
		wg   sync.WaitGroup
	}
	type item struct {
		b   *batch
		doc *Document
		i   int
	}
	items := make(chan item, chunk)
	var workersDone sync.WaitGroup
	for range workers {
		workersDone.Go(func() {
			for it := range items {
				it.b.prep[it.i] = ix.prepare(*it.doc)
				it.b.wg.Done()
			}
		})
	}
	// At most two chunks are in flight: the one being applied and the one
	// being prepared.
	ready := make(chan *batch, 1)
	go func() {
		for start := 0; start < len(docs); start += chunk {
			part := docs[start:min(len(docs), start+chunk)]
			b := &batch{prep: make([]prepared, len(part))}
			b.wg.Add(len(part))
			ready <- b
			for i := range part {
				items <- item{b, &part[i], i}
			}
		}
		close(ready)
		close(items)
	}()
	for b := range ready {
		b.wg.Wait()
		ix.mu.Lock()
		for i := range b.prep {
			ix.apply(&b.prep[i])
		}
		ix.mu.Unlock()
	}
	workersDone.Wait()
	return err
}
