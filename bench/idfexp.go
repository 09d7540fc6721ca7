package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"kechuang/internal/search"
	"kechuang/internal/search/classify"
	"kechuang/internal/search/matcheval"
)

// idfVariant is one setting of the feature-weighted naive Bayes (issue #19,
// section 1): P is classify.IDFWeight (0 = binary features, as shipped),
// Texts is classify.IDFTexts (document frequencies over the training texts,
// each record and title once, instead of over the training examples).
type idfVariant struct {
	P     float64
	Texts bool
}

func (v idfVariant) String() string {
	if v.P == 0 {
		return "binary features (shipped)"
	}
	src := "examples"
	if v.Texts {
		src = "texts"
	}
	return fmt.Sprintf("IDF^%g over the training %s", v.P, src)
}

// idfAcc is the cross-fitted discipline accuracy of every csl_dev record,
// each classified by the model of its fold (trained without it): on the
// full text and on the keywords alone, before and after the nearest-record
// vote, as classify.Evaluate computes it for one fold.
type idfAcc struct {
	N                                    int
	Category, Discipline, DisciplineVote float64
	DisciplineKW, DisciplineKWVote       float64
}

func crossFittedAccuracy(cf *crossFitted, dev []classify.Record) idfAcc {
	var a idfAcc
	for _, r := range dev {
		m := cf.models[classify.Fold(r.ID, folds)]
		a.N++
		t := m.Classify(r.Text())
		if t.Categories[0].Name == r.Category {
			a.Category++
		}
		if t.Disciplines[0].Name == r.Discipline {
			a.Discipline++
		}
		if classify.MixLabels(t.Disciplines, m.Neighbours(r.Text()), 1)[0].Name == r.Discipline {
			a.DisciplineVote++
		}
		kw := strings.Join(r.Keywords, " ")
		t = m.Classify(kw)
		if t.Disciplines[0].Name == r.Discipline {
			a.DisciplineKW++
		}
		if classify.MixLabels(t.Disciplines, m.Neighbours(kw), 1)[0].Name == r.Discipline {
			a.DisciplineKWVote++
		}
	}
	n := float64(max(a.N, 1))
	a.Category /= n
	a.Discipline /= n
	a.DisciplineVote /= n
	a.DisciplineKW /= n
	a.DisciplineKWVote /= n
	return a
}

// idfExp measures, in one process, Bleve (scorch, BM25) once per task and
// the engine with a cross-fitted classifier trained under each variant:
// discipline accuracy and the four tasks' figures, with the ratios to
// Bleve. The variants differ only in the naive Bayes feature weights. With
// ablate, the first variant also runs compare's ablation rows, so one run
// gives the whole side-by-side table.
func idfExp(dir string, names []string, vs []idfVariant, ablate bool) error {
	if len(vs) == 0 {
		vs = []idfVariant{{0, false}, {1, false}, {1, true}}
	}
	type task struct {
		docs  []matcheval.Doc
		qs    []matcheval.Query
		bleve matcheval.Report
	}
	enc := json.NewEncoder(os.Stdout)
	ts := map[string]*task{}
	for _, name := range names {
		docs, qs, err := load(dir, name)
		if err != nil {
			return err
		}
		t := &task{docs: docs, qs: qs}
		b := &bleveEngine{}
		t.bleve, err = matcheval.Run("bleve-scorch-cjk-bm25", b, docs, qs)
		b.Close()
		if err != nil {
			return err
		}
		b.Desc.Task = name
		enc.Encode(b.Desc)
		emit(enc, name, t.bleve)
		ts[name] = t
	}
	type row struct {
		v   idfVariant
		acc idfAcc
		rep map[string]matcheval.Report
	}
	var rows []row
	defer func() { classify.IDFWeight, classify.IDFTexts = 0, false }()
	for _, v := range vs {
		classify.IDFWeight, classify.IDFTexts = v.P, v.Texts
		cf, dev, err := newCrossFitted()
		if err != nil {
			return err
		}
		r := row{v: v, acc: crossFittedAccuracy(cf, dev), rep: map[string]matcheval.Report{}}
		enc.Encode(struct {
			Variant string `json:"variant"`
			idfAcc
		}{v.String(), r.acc})
		for _, name := range names {
			t := ts[name]
			cf.register(t.docs, t.qs)
			k := &matcheval.Kechuang{Options: search.Options{Classifier: cf}}
			rep, err := matcheval.Run(v.String(), k, t.docs, t.qs)
			if err != nil {
				return err
			}
			emit(enc, name, rep)
			r.rep[name] = rep
			if ablate && len(rows) == 0 {
				base := k.Idx.Weights()
				for _, av := range variants[1:] {
					k.Idx.SetWeights(av.w(base))
					ar, err := runQueries(av.name, k, t.docs, t.qs)
					if err != nil {
						return err
					}
					emit(enc, name, ar)
				}
				k.Idx.SetWeights(base)
			}
		}
		if cf.fallback > 0 {
			fmt.Fprintf(os.Stderr, "warning: %d texts classified by the full model\n", cf.fallback)
		}
		rows = append(rows, r)
	}
	fmt.Println()
	fmt.Println("| classifier (cross-fitted) | category | discipline | + vote | keywords only | + vote | keywords MRR | title MRR | problem MRR | field P@10 (× Bleve) | field nDCG@10 (× Bleve) |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	f := func(r map[string]matcheval.Report, task string, get func(matcheval.Report) float64) string {
		rep, ok := r[task]
		if !ok {
			return "—"
		}
		return fmt.Sprintf("%.5f", get(rep))
	}
	ratio := func(r map[string]matcheval.Report, get func(matcheval.Report) float64) string {
		rep, ok := r["field"]
		if !ok {
			return "—"
		}
		return fmt.Sprintf("%.4f (%.3f×)", get(rep), get(rep)/get(ts["field"].bleve))
	}
	mrr := func(r matcheval.Report) float64 { return r.MRR10 }
	p10 := func(r matcheval.Report) float64 { return r.Precision10 }
	ndcg := func(r matcheval.Report) float64 { return r.NDCG10 }
	bleveRow := map[string]matcheval.Report{}
	for name, t := range ts {
		bleveRow[name] = t.bleve
	}
	for _, r := range rows {
		fmt.Printf("| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %s | %s | %s | %s | %s |\n", r.v, r.acc.Category, r.acc.Discipline, r.acc.DisciplineVote,
			r.acc.DisciplineKW, r.acc.DisciplineKWVote, f(r.rep, "keywords", mrr), f(r.rep, "title", mrr), f(r.rep, "problem", mrr), ratio(r.rep, p10), ratio(r.rep, ndcg))
	}
	fmt.Printf("| Bleve scorch cjk BM25 | | | | | | %s | %s | %s | %s | %s |\n", f(bleveRow, "keywords", mrr), f(bleveRow, "title", mrr), f(bleveRow, "problem", mrr), ratio(bleveRow, p10), ratio(bleveRow, ndcg))
	return nil
}
