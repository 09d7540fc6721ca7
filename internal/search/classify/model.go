package classify

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"kechuang/internal/search/analysis"
)

// Label is one predicted label with its probability.
type Label struct {
	Name string  `json:"name"`
	P    float64 `json:"p"`
}

// Topic is the predicted subject of a text: the most probable categories and
// disciplines, most probable first, each list summing to at most 1.
type Topic struct {
	Categories  []Label `json:"categories"`
	Disciplines []Label `json:"disciplines"`
}

// TopK is how many labels a Topic keeps per level; the tail below it holds
// little mass after calibration and only costs memory and query time in the
// index (keeping all 67 disciplines moved field P@10 by +0.004 at twice the
// latency).
const TopK = 5

// Model classifies texts into categories and disciplines.
type Model struct {
	Category   *NB
	Discipline *NB
	// DisciplineCategory maps each discipline to the category it belongs to
	// in the training data.
	DisciplineCategory map[string]string
	// Hier adds Hier × the category log-likelihood of each discipline's
	// category to the discipline log-likelihood: the category model sees
	// three times as much training text (titles included), and held-out
	// discipline accuracy rises about 1.5 points with it.
	Hier float64
	// Exemplars, if not nil, finds the training records nearest to a text
	// (see Neighbours).
	Exemplars *Exemplars

	an       *analysis.Analyzer
	catOfDis []int // category index of each discipline index
	feats    map[string]featPair
}

// featPair holds one feature's entries in both models.
type featPair struct{ cat, disc []entry }

// HierWeight is the Hier used by Train.
const HierWeight = 1.0

func (m *Model) link() {
	m.catOfDis = make([]int, len(m.Discipline.Labels))
	for i, d := range m.Discipline.Labels {
		m.catOfDis[i] = m.Category.labelIndex(m.DisciplineCategory[d])
	}
	m.feats = make(map[string]featPair, len(m.Category.feats))
	for f, es := range m.Category.feats {
		m.feats[f] = featPair{cat: es, disc: m.Discipline.feats[f]}
	}
	for f, es := range m.Discipline.feats {
		if _, ok := m.feats[f]; !ok {
			m.feats[f] = featPair{disc: es}
		}
	}
}

// disciplineLL is the discipline log-likelihood including the hierarchy term.
func (m *Model) disciplineLL(f []string, catLL []float64) []float64 {
	ll := m.Discipline.LogLikelihood(f)
	if m.Hier != 0 {
		for i := range ll {
			if c := m.catOfDis[i]; c >= 0 {
				ll[i] += m.Hier * catLL[c]
			}
		}
	}
	return ll
}

// Classify predicts the topic of text.
func (m *Model) Classify(text string) Topic {
	toks := m.an.Tokens(text, nil)
	return m.ClassifyTerms(func(yield func(bigram bool, text string)) {
		seen := make(map[string]bool, len(toks))
		var key []byte
		for _, t := range toks {
			key = append(key[:0], byte(t.Kind))
			key = append(key, t.Text...)
			if seen[string(key)] {
				continue
			}
			seen[string(key)] = true
			yield(t.Kind == analysis.Bigram, t.Text)
		}
	})
}

// Terms enumerates the distinct terms of a text, each once, in any order;
// bigram reports whether the term is a character bigram.
type Terms func(yield func(bigram bool, text string))

// ClassifyTerms predicts the topic from distinct terms, for callers (the
// index) that have already analysed and deduplicated a text. The result
// does not depend on the enumeration order.
func (m *Model) ClassifyTerms(terms Terms) Topic {
	catAcc := make([]int64, len(m.Category.Labels))
	discAcc := make([]int64, len(m.Discipline.Labels))
	var nc, nd int64
	var key []byte
	terms(func(bigram bool, text string) {
		key = key[:0]
		if bigram {
			key = append(key, bigramMark...)
		}
		key = append(key, text...)
		// One lookup serves both models.
		p, ok := m.feats[string(key)]
		if !ok {
			return
		}
		cw, dw := int64(fixedOne), int64(fixedOne)
		if m.Category.idf != nil {
			cw, dw = m.Category.idf[string(key)], m.Discipline.idf[string(key)]
		}
		if m.Category.add(catAcc, p.cat, cw) {
			nc += cw
		}
		if m.Discipline.add(discAcc, p.disc, dw) {
			nd += dw
		}
	})
	return m.topic(m.Category.finish(catAcc, nc), m.Discipline.finish(discAcc, nd))
}

func (m *Model) topic(catLL, discLL []float64) Topic {
	if m.Hier != 0 {
		for i := range discLL {
			if c := m.catOfDis[i]; c >= 0 {
				discLL[i] += m.Hier * catLL[c]
			}
		}
	}
	return Topic{
		Categories:  top(m.Category.Labels, softmax(catLL, m.Category.Temp), TopK),
		Disciplines: top(m.Discipline.Labels, softmax(discLL, m.Discipline.Temp), TopK),
	}
}

// ClassifyFeatures predicts the topic from precomputed Features.
func (m *Model) ClassifyFeatures(f []string) Topic {
	return m.topic(m.Category.LogLikelihood(f), m.Discipline.LogLikelihood(f))
}

func top(labels []string, p []float64, k int) []Label {
	// Selection of the k best is enough; a full sort of 67 labels per
	// document was a visible share of index build time.
	out := make([]Label, 0, k+1)
	for i, v := range p {
		if len(out) == k && v <= out[k-1].P {
			continue
		}
		j := len(out)
		out = append(out, Label{})
		for j > 0 && out[j-1].P < v {
			out[j] = out[j-1]
			j--
		}
		out[j] = Label{labels[i], v}
		if len(out) > k {
			out = out[:k]
		}
	}
	return out
}

// Record is one labelled CSL record. Titles-only records have empty
// Abstract, Keywords and Discipline.
type Record struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Abstract   string   `json:"abstract"`
	Keywords   []string `json:"keywords"`
	Discipline string   `json:"discipline"`
	Category   string   `json:"category"`
}

// Text is the text the classifier reads for a record.
func (r Record) Text() string {
	return r.Title + "\n" + strings.Join(r.Keywords, " ") + "\n" + r.Abstract
}

// TrainOptions controls training.
type TrainOptions struct {
	Alpha    float64 // smoothing; 0 means 0.1
	MinCount int     // minimum document frequency of a feature; 0 means 2
	Folds    int     // folds used to fit the temperatures; 0 means 5
}

func (o TrainOptions) norm() TrainOptions {
	if o.Alpha == 0 {
		o.Alpha = 0.1
	}
	if o.MinCount == 0 {
		o.MinCount = 2
	}
	if o.Folds == 0 {
		o.Folds = 5
	}
	return o
}

// Fold assigns a record id to one of k folds by hashing the id, so fold
// membership is stable across runs and machines.
func Fold(id string, k int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(k))
}

type featRec struct {
	full, kw, title []string // features of the full text, the keywords alone and the title alone
	rec             Record
}

func featurize(a *analysis.Analyzer, recs []Record) []featRec {
	out := make([]featRec, len(recs))
	for i, r := range recs {
		out[i] = featRec{full: Features(a, r.Text()), rec: r}
		if len(r.Keywords) > 0 {
			out[i].kw = Features(a, strings.Join(r.Keywords, " "))
		}
		if r.Abstract != "" {
			out[i].title = Features(a, r.Title)
		}
	}
	return out
}

func trainPair(dev, titles []featRec, o TrainOptions) (cat, disc *NB) {
	var ce, de []Example
	for _, r := range dev {
		ce = append(ce, Example{r.full, r.rec.Category})
		de = append(de, Example{r.full, r.rec.Discipline})
		// The keywords and the title again as examples of their own: the
		// model then also learns what short inputs (a demand's keywords, a
		// form's title field) of each discipline look like; held-out
		// accuracy rises about one point on both full texts and keywords.
		for _, f := range [][]string{r.kw, r.title} {
			if len(f) > 0 {
				de = append(de, Example{f, r.rec.Discipline})
				ce = append(ce, Example{f, r.rec.Category})
			}
		}
	}
	for _, r := range titles {
		ce = append(ce, Example{r.full, r.rec.Category})
	}
	cat, disc = TrainNB(ce, o.Alpha, o.MinCount), TrainNB(de, o.Alpha, o.MinCount)
	if IDFWeight != 0 && IDFTexts {
		df := map[string]int32{}
		for _, rs := range [][]featRec{dev, titles} {
			for _, r := range rs {
				for _, f := range r.full {
					df[f]++
				}
			}
		}
		cat.setTextDF(df, len(dev)+len(titles))
		disc.setTextDF(df, len(dev)+len(titles))
	}
	return cat, disc
}

// labelTitles gives each title (which carries a category but no
// discipline) the discipline of its category that disc finds most
// probable, so the titles can join the nearest-record vote. A demand's few
// keywords then find close neighbours among 11,000 records instead of
// 3,300: held-out keywords-only discipline accuracy with the vote rises
// from 0.489 to 0.511 and field P@10 by 0.009 (docs/BENCHMARKS.md,
// matching). The naive Bayes itself is not retrained on them (see there
// for why).
func labelTitles(titles []featRec, disc *NB, d2c map[string]string) []Record {
	var out []Record
	for _, r := range titles {
		ll := disc.LogLikelihood(r.full)
		best := -1
		for i, l := range disc.Labels {
			if d2c[l] == r.rec.Category && (best < 0 || ll[i] > ll[best]) {
				best = i
			}
		}
		if best < 0 {
			continue
		}
		rec := r.rec
		rec.Discipline = disc.Labels[best]
		out = append(out, rec)
	}
	return out
}

// Train fits a Model on dev (full records with disciplines) and titles
// (category only). The temperatures are fitted on out-of-fold predictions
// for both full texts and keyword-only texts, because the matcher classifies
// both long listings and short demand phrases.
func Train(a *analysis.Analyzer, dev, titles []Record, o TrainOptions) *Model {
	o = o.norm()
	fd, ft := featurize(a, dev), featurize(a, titles)
	d2c := map[string]string{}
	for _, r := range dev {
		d2c[r.Discipline] = r.Category
	}
	var catLL, discLL [][]float64
	var catY, discY []int
	for k := range o.Folds {
		var trD, teD []featRec
		for _, r := range fd {
			if Fold(r.rec.ID, o.Folds) == k {
				teD = append(teD, r)
			} else {
				trD = append(trD, r)
			}
		}
		cat, disc := trainPair(trD, ft, o)
		fm := &Model{Category: cat, Discipline: disc, DisciplineCategory: d2c, Hier: HierWeight}
		fm.link()
		for _, r := range teD {
			for _, f := range [][]string{r.full, r.kw} {
				if f == nil {
					continue
				}
				cl := cat.LogLikelihood(f)
				if y := cat.labelIndex(r.rec.Category); y >= 0 {
					catLL = append(catLL, cl)
					catY = append(catY, y)
				}
				if y := disc.labelIndex(r.rec.Discipline); y >= 0 {
					discLL = append(discLL, fm.disciplineLL(f, cl))
					discY = append(discY, y)
				}
			}
		}
	}
	cat, disc := trainPair(fd, ft, o)
	cat.Temp = FitTemp(catLL, catY)
	disc.Temp = FitTemp(discLL, discY)
	m := &Model{Category: cat, Discipline: disc, DisciplineCategory: d2c, Hier: HierWeight, an: a}
	m.Exemplars = trainExemplars(a, append(slices.Clone(dev), labelTitles(ft, disc, d2c)...), disc)
	m.link()
	return m
}

// Accuracy holds held-out accuracy figures.
type Accuracy struct {
	N                        int
	Category, Discipline     float64 // full text (title, keywords, abstract)
	CategoryKW, DisciplineKW float64 // keywords alone
	// DisciplineMixed and DisciplineKWMixed are the discipline accuracy of
	// the naive Bayes posterior mixed with the nearest training records'
	// vote (MixLabels with lambda 1, as Match does for demands).
	DisciplineMixed, DisciplineKWMixed float64
}

// Evaluate trains on dev records outside fold `fold` of `folds` (plus all
// titles) and reports accuracy on the records inside it, for the full text
// and for keywords alone. It returns the trained model too, so callers can
// classify the held-out records leak-free.
func Evaluate(a *analysis.Analyzer, dev, titles []Record, fold, folds int, o TrainOptions) (Accuracy, *Model) {
	var tr, te []Record
	for _, r := range dev {
		if Fold(r.ID, folds) == fold {
			te = append(te, r)
		} else {
			tr = append(tr, r)
		}
	}
	m := Train(a, tr, titles, o)
	var acc Accuracy
	for _, r := range te {
		acc.N++
		t := m.Classify(r.Text())
		if t.Categories[0].Name == r.Category {
			acc.Category++
		}
		if t.Disciplines[0].Name == r.Discipline {
			acc.Discipline++
		}
		if mixed := MixLabels(t.Disciplines, m.Neighbours(r.Text()), 1); mixed[0].Name == r.Discipline {
			acc.DisciplineMixed++
		}
		kw := strings.Join(r.Keywords, " ")
		t = m.Classify(kw)
		if t.Categories[0].Name == r.Category {
			acc.CategoryKW++
		}
		if t.Disciplines[0].Name == r.Discipline {
			acc.DisciplineKW++
		}
		if mixed := MixLabels(t.Disciplines, m.Neighbours(kw), 1); mixed[0].Name == r.Discipline {
			acc.DisciplineKWMixed++
		}
	}
	if acc.N > 0 {
		n := float64(acc.N)
		acc.Category /= n
		acc.Discipline /= n
		acc.CategoryKW /= n
		acc.DisciplineKW /= n
		acc.DisciplineMixed /= n
		acc.DisciplineKWMixed /= n
	}
	return acc, m
}

//go:embed modeldata
var modelFS embed.FS

const modelPath = "modeldata/model.bin.gz"

var (
	defaultOnce  sync.Once
	defaultModel *Model
	defaultErr   error
)

// Default returns the embedded trained model, loaded once. It returns an
// error only if the model was never generated (run the train command).
func Default() (*Model, error) {
	defaultOnce.Do(func() {
		b, err := modelFS.ReadFile(modelPath)
		if err != nil {
			defaultErr = fmt.Errorf("classify: embedded model missing, run go run ./internal/search/cmd/train: %w", err)
			return
		}
		defaultModel, defaultErr = Read(bytes.NewReader(b), analysis.Default())
	})
	return defaultModel, defaultErr
}

const magic = "kechuang-nb-3\n"

// Write encodes the model deterministically (gzip, no timestamp).
func (m *Model) Write(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	bw.WriteString(magic)
	writeNB(bw, m.Category)
	writeNB(bw, m.Discipline)
	keys := make([]string, 0, len(m.DisciplineCategory))
	for k := range m.DisciplineCategory {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	putUvarint(bw, uint64(len(keys)))
	for _, k := range keys {
		putString(bw, k)
		putString(bw, m.DisciplineCategory[k])
	}
	putUvarint(bw, math.Float64bits(m.Hier))
	writeExemplars(bw, m.Exemplars)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}

func putUvarint(w *bufio.Writer, v uint64) {
	var b [binary.MaxVarintLen64]byte
	w.Write(b[:binary.PutUvarint(b[:], v)])
}

// putFrontCoded writes key after prev as the length of their common prefix
// and the rest. Sorted keys share long prefixes, which keeps the artefact
// small before gzip even starts. It returns key, the next prev.
func putFrontCoded(w *bufio.Writer, prev, key string) string {
	p := 0
	for p < len(prev) && p < len(key) && prev[p] == key[p] {
		p++
	}
	putUvarint(w, uint64(p))
	putString(w, key[p:])
	return key
}

func putString(w *bufio.Writer, s string) {
	putUvarint(w, uint64(len(s)))
	w.WriteString(s)
}

func writeNB(w *bufio.Writer, m *NB) {
	putUvarint(w, uint64(len(m.Labels)))
	for _, l := range m.Labels {
		putString(w, l)
	}
	putUvarint(w, math.Float64bits(m.Alpha))
	putUvarint(w, math.Float64bits(m.Temp))
	for c := range m.Labels {
		putUvarint(w, uint64(m.docs[c]))
		putUvarint(w, uint64(m.totals[c]))
	}
	keys := m.sortedFeatures()
	putUvarint(w, uint64(len(keys)))
	prev := ""
	for _, f := range keys {
		prev = putFrontCoded(w, prev, f)
		es := m.feats[f]
		putUvarint(w, uint64(len(es)))
		last := int32(0)
		for _, e := range es {
			putUvarint(w, uint64(e.class-last))
			putUvarint(w, uint64(e.count))
			last = e.class
		}
	}
}

type reader struct {
	r   *bufio.Reader
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(r.r)
	if err != nil {
		r.err = err
	}
	return v
}

// frontCoded reads the key written by putFrontCoded after prev, or nil
// (with r.err set) when the input is bad.
func (r *reader) frontCoded(prev []byte) []byte {
	p := r.uvarint()
	if r.err == nil && p > uint64(len(prev)) {
		r.err = errors.New("bad prefix")
	}
	rest := r.bytes(r.uvarint())
	if r.err != nil {
		return nil
	}
	return append(append(make([]byte, 0, int(p)+len(rest)), prev[:p]...), rest...)
}

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > 1<<20 {
		r.err = errors.New("string too long")
		return nil
	}
	b := make([]byte, n)
	_, r.err = io.ReadFull(r.r, b)
	return b
}

func (r *reader) nb() *NB {
	m := &NB{}
	nl := r.uvarint()
	if nl > 1<<12 {
		r.err = errors.New("too many labels")
		return nil
	}
	for range nl {
		m.Labels = append(m.Labels, string(r.bytes(r.uvarint())))
	}
	m.Alpha = math.Float64frombits(r.uvarint())
	m.Temp = math.Float64frombits(r.uvarint())
	m.docs = make([]int32, nl)
	m.totals = make([]int64, nl)
	for c := range nl {
		m.docs[c] = int32(r.uvarint())
		m.totals[c] = int64(r.uvarint())
	}
	nf := r.uvarint()
	if r.err != nil || nf > 1<<24 {
		r.err = errors.Join(r.err, errors.New("bad feature count"))
		return nil
	}
	m.feats = make(map[string][]entry, nf)
	var prev []byte
	for range nf {
		f := r.frontCoded(prev)
		if f == nil {
			return nil
		}
		n := r.uvarint()
		if n > nl {
			r.err = errors.Join(r.err, errors.New("bad entry count"))
			return nil
		}
		es := make([]entry, n)
		last := int32(0)
		for i := range es {
			es[i].class = last + int32(r.uvarint())
			es[i].count = int32(r.uvarint())
			last = es[i].class
			if uint64(es[i].class) >= nl {
				r.err = errors.Join(r.err, errors.New("bad class"))
				return nil
			}
		}
		m.feats[string(f)] = es
		prev = f
	}
	if r.err != nil {
		return nil
	}
	m.derive()
	return m
}

// Read decodes a model written by Write.
func Read(rd io.Reader, a *analysis.Analyzer) (*Model, error) {
	zr, err := gzip.NewReader(rd)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	r := &reader{r: bufio.NewReader(zr)}
	if string(r.bytes(uint64(len(magic)))) != magic {
		return nil, errors.New("read model: bad magic")
	}
	m := &Model{an: a, DisciplineCategory: map[string]string{}}
	m.Category = r.nb()
	m.Discipline = r.nb()
	n := r.uvarint()
	for range n {
		if r.err != nil {
			break
		}
		k := string(r.bytes(r.uvarint()))
		m.DisciplineCategory[k] = string(r.bytes(r.uvarint()))
	}
	m.Hier = math.Float64frombits(r.uvarint())
	if m.Discipline != nil {
		m.Exemplars = r.exemplars(len(m.Discipline.Labels))
	}
	if r.err != nil {
		return nil, fmt.Errorf("read model: %w", r.err)
	}
	m.link()
	return m, nil
}
