package main

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"kechuang/internal/search"
	"kechuang/internal/search/analysis"
	"kechuang/internal/search/classify"
	"kechuang/internal/search/matcheval"
)

// pmi is a rejected experiment kept so its figures in docs/BENCHMARKS.md
// (matching, "tried and rejected") can be reproduced: each `field` query is
// expanded with the E dictionary words most associated (positive PMI ×
// log co-occurrence, summed over the query's words) with its words in the
// csl_dev records outside the query's fold, and run through the unchanged
// engine (cross-fitted classifier, the expanded text classified too).

// pmiModel holds document co-occurrence counts of dictionary words.
type pmiModel struct {
	n   float64
	df  map[string]int
	co  map[[2]string]int
	nbr map[string][]string
}

// trainPMI counts words of at least two characters in recs; pairs are
// counted only for words in at least minDF records and at most maxShare of
// them, and kept as neighbours when they co-occur in two records or more.
func trainPMI(a *analysis.Analyzer, recs []classify.Record, minDF int, maxShare float64) *pmiModel {
	m := &pmiModel{df: map[string]int{}, co: map[[2]string]int{}, nbr: map[string][]string{}}
	var sets [][]string
	for _, r := range recs {
		seen := map[string]bool{}
		for _, t := range a.Tokens(r.Text(), nil) {
			if t.Kind == analysis.Bigram || len([]rune(t.Text)) < 2 {
				continue
			}
			seen[t.Text] = true
		}
		var s []string
		for w := range seen {
			s = append(s, w)
			m.df[w]++
		}
		sets = append(sets, s)
	}
	m.n = float64(len(recs))
	for _, s := range sets {
		var keep []string
		for _, w := range s {
			if m.df[w] >= minDF && float64(m.df[w]) <= maxShare*m.n {
				keep = append(keep, w)
			}
		}
		slices.Sort(keep)
		for i := range keep {
			for j := i + 1; j < len(keep); j++ {
				m.co[[2]string{keep[i], keep[j]}]++
			}
		}
	}
	for p, c := range m.co {
		if c >= 2 {
			m.nbr[p[0]] = append(m.nbr[p[0]], p[1])
			m.nbr[p[1]] = append(m.nbr[p[1]], p[0])
		}
	}
	return m
}

func (m *pmiModel) count(a, b string) int {
	if a > b {
		a, b = b, a
	}
	return m.co[[2]string{a, b}]
}

// expand returns the e words most associated with the words of text.
func (m *pmiModel) expand(a *analysis.Analyzer, text string, e int) []string {
	q := map[string]bool{}
	for _, t := range a.Tokens(text, nil) {
		if t.Kind != analysis.Bigram {
			q[t.Text] = true
		}
	}
	sc := map[string]float64{}
	for w := range q {
		for _, v := range m.nbr[w] {
			if q[v] {
				continue
			}
			c := float64(m.count(w, v))
			pmi := math.Log(m.n * c / (float64(m.df[w]) * float64(m.df[v])))
			if pmi > 0 {
				sc[v] += pmi * math.Log(1+c)
			}
		}
	}
	type kv struct {
		k string
		v float64
	}
	var l []kv
	for k, v := range sc {
		l = append(l, kv{k, v})
	}
	slices.SortFunc(l, func(x, y kv) int {
		if x.v != y.v {
			if x.v > y.v {
				return -1
			}
			return 1
		}
		return strings.Compare(x.k, y.k)
	})
	var out []string
	for i := 0; i < len(l) && i < e; i++ {
		out = append(out, l[i].k)
	}
	return out
}

// expEngine runs each query with its expanded text.
type expEngine struct {
	*matcheval.Kechuang
	exp map[string]string
}

func (x *expEngine) Query(q matcheval.Query, n int) ([]string, error) {
	q.Text = x.exp[q.ID]
	return x.Kechuang.Query(q, n)
}

// pmiExp prints the field figures for each expansion size in es (0 is the
// unexpanded engine).
func pmiExp(dir string, es []int) error {
	cf, dev, err := newCrossFitted()
	if err != nil {
		return err
	}
	a := analysis.Default()
	var pm []*pmiModel
	for k := range folds {
		var tr []classify.Record
		for _, r := range dev {
			if classify.Fold(r.ID, folds) != k {
				tr = append(tr, r)
			}
		}
		pm = append(pm, trainPMI(a, tr, 3, 0.05))
	}
	docs, qs, err := cf.load(dir, "field")
	if err != nil {
		return err
	}
	k := &matcheval.Kechuang{Options: search.Options{Classifier: cf}}
	if err := k.Index(docs); err != nil {
		return err
	}
	for _, e := range es {
		x := &expEngine{Kechuang: k, exp: map[string]string{}}
		for _, q := range qs {
			f := classify.Fold(strings.TrimPrefix(q.ID, "q-"), folds)
			t := q.Text
			if e > 0 {
				t += " " + strings.Join(pm[f].expand(a, q.Text, e), " ")
			}
			x.exp[q.ID] = t
			cf.byText["\n\n"+t] = f
		}
		r, err := runQueries("kechuang", x, docs, qs)
		if err != nil {
			return err
		}
		fmt.Printf("field, %d expansion words: P@10 %.4f nDCG@10 %.4f MRR@10 %.4f p99 %.2f ms\n", e, r.Precision10, r.NDCG10, r.MRR10, r.P99ms)
	}
	return nil
}
