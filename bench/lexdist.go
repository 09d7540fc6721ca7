package main

import (
	"fmt"
	"slices"

	"kechuang/internal/search"
	"kechuang/internal/search/matcheval"
)

// lexdist prints percentiles of the normalised lexical score of relevant and
// non-relevant top-10 hits, the evidence for the choice of Weights.Strong.
func lexdist(dir string, names []string) error {
	for _, task := range names {
		docs, qs, err := load(dir, task)
		if err != nil {
			return err
		}
		k := &matcheval.Kechuang{}
		if err := k.Index(docs); err != nil {
			return err
		}
		w := k.Idx.Weights()
		w.Topic = 0
		k.Idx.SetWeights(w)
		var rel, non []float64
		for _, q := range qs {
			r := map[string]bool{}
			for _, id := range q.Relevant {
				r[id] = true
			}
			for _, h := range k.Idx.Match(search.Document{Text: q.Text}, search.MatchOptions{Limit: 10, Exclude: q.Exclude}) {
				if r[h.ID] {
					rel = append(rel, h.Explanation.Lexical)
				} else {
					non = append(non, h.Explanation.Lexical)
				}
			}
		}
		pct := func(xs []float64) string {
			slices.Sort(xs)
			s := ""
			for _, p := range []float64{5, 25, 50, 75, 95} {
				if len(xs) > 0 {
					s += fmt.Sprintf(" p%.0f=%.3f", p, xs[int(p/100*float64(len(xs)-1))])
				}
			}
			return s
		}
		fmt.Printf("%s relevant n=%d%s\n%s other    n=%d%s\n", task, len(rel), pct(rel), task, len(non), pct(non))
	}
	return nil
}
