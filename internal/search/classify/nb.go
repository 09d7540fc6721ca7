package classify

import (
	"math"
	"slices"
	"sort"

	"kechuang/internal/search/analysis"
)

// bigramMark prefixes bigram features so the bigram 研究 and the word 研究 are
// different features.
const bigramMark = "\x01"

// Features returns the distinct features of text, sorted.
func Features(a *analysis.Analyzer, text string) []string {
	toks := a.Tokens(text, nil)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if t.Kind == analysis.Bigram {
			out = append(out, bigramMark+t.Text)
		} else {
			out = append(out, t.Text)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

type entry struct {
	class int32
	count int32
	w     int64 // log(count+Alpha) - log(Alpha) in fixed point (fixedOne), filled by derive
}

// NB is a multinomial naive Bayes model over binary features. It is
// read-only after training or loading and safe for concurrent use.
type NB struct {
	Labels []string
	// Alpha is the additive smoothing; Temp divides the log-likelihood
	// before the softmax (calibration, > 0).
	Alpha, Temp float64

	docs   []int32 // training documents per class
	totals []int64 // feature occurrences per class
	feats  map[string][]entry

	// textDF, if not nil, holds each feature's document frequency among
	// textN unlabelled training texts (IDFTexts); the IDF weights then come
	// from it instead of from the example counts.
	textDF map[string]int32
	textN  float64

	// derived
	idf      map[string]int64 // feature weights in fixed point when IDFWeight != 0
	logPrior []float64
	logDenom []float64
	logAlpha float64
}

// Example is one labelled training text, already turned into Features.
type Example struct {
	Features []string
	Label    string
}

// TrainNB counts examples into a model. Labels are sorted so the model does
// not depend on example order. Features seen in fewer than minCount training
// documents are dropped to keep the model small.
func TrainNB(examples []Example, alpha float64, minCount int) *NB {
	labelSet := map[string]bool{}
	for _, e := range examples {
		labelSet[e.Label] = true
	}
	labels := make([]string, 0, len(labelSet))
	for l := range labelSet {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	idx := map[string]int32{}
	for i, l := range labels {
		idx[l] = int32(i)
	}
	m := &NB{Labels: labels, Alpha: alpha, Temp: 1, docs: make([]int32, len(labels)), totals: make([]int64, len(labels))}
	counts := map[string][]int32{}
	df := map[string]int{}
	for _, e := range examples {
		c := idx[e.Label]
		m.docs[c]++
		for _, f := range e.Features {
			v := counts[f]
			if v == nil {
				v = make([]int32, len(labels))
				counts[f] = v
			}
			v[c]++
			df[f]++
		}
	}
	m.feats = make(map[string][]entry, len(counts))
	for f, v := range counts {
		if df[f] < minCount {
			continue
		}
		var es []entry
		for c, n := range v {
			if n > 0 {
				es = append(es, entry{class: int32(c), count: n})
				m.totals[c] += int64(n)
			}
		}
		m.feats[f] = es
	}
	m.derive()
	return m
}

func (m *NB) derive() {
	k := len(m.Labels)
	var nDocs float64
	for _, d := range m.docs {
		nDocs += float64(d)
	}
	m.logPrior = make([]float64, k)
	m.logDenom = make([]float64, k)
	v := float64(len(m.feats))
	for c := range k {
		m.logPrior[c] = math.Log((float64(m.docs[c]) + 1) / (nDocs + float64(k)))
		m.logDenom[c] = math.Log(float64(m.totals[c]) + m.Alpha*v)
	}
	m.logAlpha = math.Log(m.Alpha)
	m.idf = nil
	if IDFWeight != 0 {
		// The number of training examples holding each feature, from the
		// counts themselves: no labels are involved in the weight.
		m.idf = make(map[string]int64, len(m.feats))
		for f, es := range m.feats {
			var df float64
			n := nDocs
			if m.textDF != nil {
				df, n = float64(m.textDF[f]), m.textN
			} else {
				for _, e := range es {
					df += float64(e.count)
				}
			}
			m.idf[f] = int64(math.Round(math.Pow(math.Log((n+1)/(df+1)), IDFWeight) * fixedOne))
		}
	}
	for _, es := range m.feats {
		for i := range es {
			es[i].w = int64(math.Round((math.Log(float64(es[i].count)+m.Alpha) - m.logAlpha) * fixedOne))
		}
	}
}

// LogLikelihood returns the unnormalised log-posterior of each label for the
// given features (unknown features are ignored).
func (m *NB) LogLikelihood(features []string) []float64 {
	acc := make([]int64, len(m.Labels))
	var n int64
	for _, f := range features {
		w := m.featW(f)
		if m.add(acc, m.feats[f], w) {
			n += w
		}
	}
	return m.finish(acc, n)
}

// IDFWeight, when not 0, weights each feature at classification time by
// its inverse document frequency among the training examples to this
// power (a feature-weighted naive Bayes, issue #19). It must be set before
// training or loading. 0, the shipped setting, weights every feature 1.
// Measured cross-fitted (bench idf, docs/BENCHMARKS.md, matching), IDF^1
// over the training texts (IDFTexts) gains 1.6 points of full-text and 0.6
// of keywords-only discipline accuracy and field P@10 1.398× → 1.435×
// Bleve, for 0.0002–0.0004 of known-item MRR; it is not shipped until the
// artefact stores the text frequencies and the market's thresholds are
// recalibrated on it.
var IDFWeight float64

// IDFTexts, with IDFWeight, counts a feature's document frequency over the
// training texts themselves, each labelled record and each title once,
// instead of over the training examples (where a record's keywords and
// title count again as examples of their own). No label is read. An
// experiment of issue #19 (bench … idf); a model trained with it is not
// written with its frequencies, so it must not be saved.
var IDFTexts bool

// setTextDF makes the IDF weights come from df over n texts.
func (m *NB) setTextDF(df map[string]int32, n int) {
	m.textDF, m.textN = df, float64(n)
	m.derive()
}

// featW is feature f's weight in fixed point.
func (m *NB) featW(f string) int64 {
	if m.idf == nil {
		return fixedOne
	}
	return m.idf[f]
}

// fixedOne is the fixed-point unit of feature weights. Integer sums do not
// depend on the order features are visited in, so a document classifies
// bit-identically however its terms are enumerated (map order included).
const fixedOne = 1 << 24

// add accumulates one feature's entries at weight w (fixed point); it
// reports whether the feature is known.
func (m *NB) add(acc []int64, es []entry, w int64) bool {
	if es == nil {
		return false
	}
	if w == fixedOne {
		for _, e := range es {
			acc[e.class] += e.w
		}
		return true
	}
	for _, e := range es {
		acc[e.class] += e.w * w / fixedOne
	}
	return true
}

// finish converts the sums and adds the prior and the per-feature
// normaliser for known features of total weight n (fixed point).
func (m *NB) finish(acc []int64, n int64) []float64 {
	out := make([]float64, len(acc))
	for c := range out {
		out[c] = float64(acc[c])/fixedOne + m.logPrior[c] + float64(n)/fixedOne*(m.logAlpha-m.logDenom[c])
	}
	return out
}

// Predict returns calibrated probabilities, one per label in m.Labels.
func (m *NB) Predict(features []string) []float64 {
	return softmax(m.LogLikelihood(features), m.Temp)
}

func softmax(ll []float64, temp float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range ll {
		mx = max(mx, v)
	}
	out := make([]float64, len(ll))
	var sum float64
	for i, v := range ll {
		out[i] = math.Exp((v - mx) / temp)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// FitTemp chooses the temperature that minimises the log-loss of held-out
// predictions (log-likelihood vectors ll with true label indices y), by a
// coarse-to-fine search over a log grid. It only rescales confidence; the
// arg-max, and so accuracy, is unchanged.
func FitTemp(ll [][]float64, y []int) float64 {
	loss := func(t float64) float64 {
		var s float64
		for i, v := range ll {
			p := softmax(v, t)[y[i]]
			s -= math.Log(max(p, 1e-12))
		}
		return s
	}
	best, bestLoss := 1.0, math.Inf(1)
	for e := -1.0; e <= 3.0; e += 0.05 {
		t := math.Pow(10, e)
		if l := loss(t); l < bestLoss {
			best, bestLoss = t, l
		}
	}
	return best
}

// sortedFeatures returns feature keys in byte order, for deterministic output.
func (m *NB) sortedFeatures() []string {
	keys := make([]string, 0, len(m.feats))
	for f := range m.feats {
		keys = append(keys, f)
	}
	sort.Strings(keys)
	return keys
}

// labelIndex returns the index of label l, or -1.
func (m *NB) labelIndex(l string) int {
	for i, x := range m.Labels {
		if x == l {
			return i
		}
	}
	return -1
}
