package main

import (
	"encoding/gob"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"

	"kechuang/internal/search"
	"kechuang/internal/search/matcheval"
)

// ranklab is a throwaway experiment: it records, for every query of the
// dev tasks, the normalised lexical score and the topic agreement of the
// 300 lexically best and the 300 best-agreeing documents (cross-fitted
// classifier, the demand's vote included), so score combinations can be
// compared without rebuilding the engine.
type labCand struct {
	Lex, Agree float32
	Rel        bool
	// derived after loading (prep)
	Rank    int     // lexical rank, 1-based (0: no lexical score)
	NextLex float32 // the lexical score just below this one
}

type labQuery struct {
	BestLex, SecondLex, MaxAgree float32
	Lexs                         []float32 // positive lexical scores, best first
	Cands                        []labCand
	NRel                         int     // relevant documents (after exclusion)
	LexCount                     int     // documents with a positive lexical score among the 300
	Ref10                        float32 // 10th best lexical score (0 if fewer)
	Smallest                     float32 // smallest positive lexical score seen
	QueryLen                     int
	Truncated                    bool
}

type labTask struct {
	Name    string
	Queries []labQuery
}

func rankLabCollect(dir string, names []string, out string) error {
	cf, _, err := newCrossFitted()
	if err != nil {
		return err
	}
	var all []labTask
	for _, task := range names {
		docs, qs, err := cf.load(dir, task)
		if err != nil {
			return err
		}
		k := &matcheval.Kechuang{Options: search.Options{Classifier: cf}}
		if err := k.Index(docs); err != nil {
			return err
		}
		base := k.Idx.Weights()
		lt := labTask{Name: task}
		for _, q := range qs {
			rel := map[string]bool{}
			for _, id := range q.Relevant {
				rel[id] = true
			}
			for _, id := range q.Exclude {
				delete(rel, id)
			}
			lq := labQuery{NRel: len(rel), QueryLen: len([]rune(q.Text))}
			seen := map[string]int{}
			add := func(h search.Hit) {
				if _, ok := seen[h.ID]; ok {
					return
				}
				seen[h.ID] = len(lq.Cands)
				lq.Cands = append(lq.Cands, labCand{Lex: float32(h.Explanation.Lexical), Agree: float32(h.Explanation.TopicAgreement), Rel: rel[h.ID]})
			}
			w := base
			w.Topic, w.KneeSlope = 1e-9, 0
			k.Idx.SetWeights(w)
			lexHits := k.Idx.Match(search.Document{Text: q.Text}, search.MatchOptions{Limit: 300, Exclude: q.Exclude})
			var lexs []float32
			for _, h := range lexHits {
				if h.Explanation.Lexical > 0 {
					lexs = append(lexs, float32(h.Explanation.Lexical))
				}
				add(h)
			}
			lq.LexCount = len(lexs)
			lq.Truncated = len(lexs) == 300
			if len(lexs) >= 10 {
				lq.Ref10 = lexs[9]
			}
			if len(lexs) > 0 {
				lq.Smallest = slices.Min(lexs)
			}
			w.Topic = 1e4
			k.Idx.SetWeights(w)
			for _, h := range k.Idx.Match(search.Document{Text: q.Text}, search.MatchOptions{Limit: 300, Exclude: q.Exclude}) {
				add(h)
			}
			lt.Queries = append(lt.Queries, lq)
		}
		k.Idx.SetWeights(base)
		all = append(all, lt)
		fmt.Fprintf(os.Stderr, "%s: %d queries\n", task, len(lt.Queries))
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	return gob.NewEncoder(f).Encode(all)
}

// labScore is one combination rule: the score of a candidate given its
// query's statistics.
type labScore func(q *labQuery, c labCand) float64

type labMetrics struct{ MRR, P10, NDCG float64 }

func labEval(t labTask, f labScore) labMetrics {
	var m labMetrics
	type sc struct {
		s   float64
		rel bool
		i   int
	}
	for qi := range t.Queries {
		q := &t.Queries[qi]
		if q.NRel == 0 {
			continue
		}
		s := make([]sc, len(q.Cands))
		for i, c := range q.Cands {
			s[i] = sc{f(q, c), c.Rel, i}
		}
		sort.Slice(s, func(a, b int) bool {
			if s[a].s != s[b].s {
				return s[a].s > s[b].s
			}
			return s[a].i < s[b].i
		})
		var dcg, idcg float64
		hits := 0
		for r := 0; r < 10 && r < len(s); r++ {
			if s[r].rel {
				if hits == 0 {
					m.MRR += 1 / float64(r+1)
				}
				hits++
				dcg += 1 / math.Log2(float64(r)+2)
			}
		}
		for r := range min(q.NRel, 10) {
			idcg += 1 / math.Log2(float64(r)+2)
		}
		m.P10 += float64(hits) / 10
		m.NDCG += dcg / idcg
	}
	n := float64(len(t.Queries))
	m.MRR /= n
	m.P10 /= n
	m.NDCG /= n
	return m
}

func rankLabLoad(path string) ([]labTask, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var all []labTask
	if err = gob.NewDecoder(f).Decode(&all); err != nil {
		return nil, err
	}
	for ti := range all {
		for qi := range all[ti].Queries {
			prep(&all[ti].Queries[qi])
		}
	}
	return all, nil
}

func prep(q *labQuery) {
	idx := make([]int, 0, len(q.Cands))
	for i, c := range q.Cands {
		if c.Lex > 0 {
			idx = append(idx, i)
		}
		q.MaxAgree = max(q.MaxAgree, c.Agree)
	}
	sort.SliceStable(idx, func(a, b int) bool { return q.Cands[idx[a]].Lex > q.Cands[idx[b]].Lex })
	for r, i := range idx {
		q.Cands[i].Rank = r + 1
		if r+1 < len(idx) {
			q.Cands[i].NextLex = q.Cands[idx[r+1]].Lex
		}
	}
	for _, i := range idx {
		q.Lexs = append(q.Lexs, q.Cands[i].Lex)
	}
	if len(idx) > 0 {
		q.BestLex = q.Cands[idx[0]].Lex
	}
	if len(idx) > 1 {
		q.SecondLex = q.Cands[idx[1]].Lex
	}
}

// knee is the shipped combination with parameters.
func knee(topic, k, slope float64, shortPack bool) labScore {
	return func(q *labQuery, c labCand) float64 {
		lex := float64(c.Lex)
		v := lex + topic*float64(c.Agree)
		ref := float64(q.Ref10)
		if ref == 0 && shortPack {
			ref = float64(q.Smallest)
		}
		if ref > 0 && slope != 0 {
			v += slope * max(0, lex/ref-k)
		}
		return v
	}
}

func rankLabRun(path string) error {
	all, err := rankLabLoad(path)
	if err != nil {
		return err
	}
	rules := []labRule{
		{"shipped (T6 K1.2 S20 shortpack)", knee(6, 1.2, 20, true)},
		{"topic only", knee(1000, 1.2, 0, false)},
		{"no knee T6", knee(6, 1.2, 0, false)},
	}
	labGrid(all, rules, true)
	// the shipped form over a grid (only settings meeting every known-item
	// constraint are printed)
	rules = nil
	for _, t := range []float64{4, 6, 8, 10, 14} {
		for _, k := range []float64{1.2, 1.5, 1.8, 2, 2.3, 2.6, 3} {
			for _, s := range []float64{5, 10, 20, 50, 100, 300} {
				rules = append(rules, labRule{fmt.Sprintf("knee T%g K%g S%g", t, k, s), knee(t, k, s, true)})
			}
		}
	}
	labGrid(all, rules, false)
	// the knee only above a lexical cliff
	rules = nil
	for _, g := range []float64{1.2, 1.3, 1.4, 1.5, 1.7, 2} {
		for _, r := range []int{1, 2, 3, 5} {
			for _, k := range []float64{0, 1, 1.2} {
				rules = append(rules, labRule{fmt.Sprintf("cliff knee G%g R%d K%g S20", g, r, k), cliffKnee(6, k, 20, g, r)})
			}
			for _, b := range []float64{1, 3, 10} {
				rules = append(rules, labRule{fmt.Sprintf("cliff flat G%g R%d B%g", g, r, b), cliffFlat(6, b, g, r)})
			}
		}
	}
	labGrid(all, rules, true)
	// a logistic "known item" probability in place of the knee
	w := fitItem(all)
	fmt.Println("item LR weights", w)
	rules = nil
	for _, sl := range []float64{3, 6, 10, 20} {
		for _, sh := range []float64{-4, -2, -1, 0, 1, 2, 4} {
			rules = append(rules, labRule{fmt.Sprintf("item LR S%g shift%g", sl, sh), itemKnee(w, 6, sl, sh)})
		}
	}
	labGrid(all, rules, true)
	return nil
}

func labStats(path string) error {
	all, err := rankLabLoad(path)
	if err != nil {
		return err
	}
	pct := func(xs []float64) string {
		slices.Sort(xs)
		s := ""
		for _, p := range []float64{5, 10, 25, 50, 75, 90, 95} {
			if len(xs) > 0 {
				s += fmt.Sprintf(" p%.0f=%.2f", p, xs[int(p/100*float64(len(xs)-1))])
			}
		}
		return s
	}
	for _, t := range all {
		var relR, othR, relL, othL, nBonus, bonusRel []float64
		var bonusN, bonusRelN float64
		for _, q := range t.Queries {
			ref := float64(q.Ref10)
			if ref == 0 {
				ref = float64(q.Smallest)
			}
			if ref == 0 {
				continue
			}
			bestO, bestR := 0.0, 0.0
			bestOL, bestRL := 0.0, 0.0
			nb := 0.0
			for _, c := range q.Cands {
				r := float64(c.Lex) / ref
				if r > 1.2 {
					nb++
					bonusN++
					if c.Rel {
						bonusRelN++
					}
				}
				if c.Rel {
					bestR = max(bestR, r)
					bestRL = max(bestRL, float64(c.Lex))
				} else {
					bestO = max(bestO, r)
					bestOL = max(bestOL, float64(c.Lex))
				}
			}
			nBonus = append(nBonus, nb)
			relR = append(relR, bestR)
			othR = append(othR, bestO)
			relL = append(relL, bestRL)
			othL = append(othL, bestOL)
		}
		_ = bonusRel
		fmt.Printf("%s: best relevant lex/ref%s\n   best other lex/ref%s\n   best relevant lex%s\n   best other lex%s\n   docs over 1.2 per query%s; relevant share of them %.3f\n",
			t.Name, pct(relR), pct(othR), pct(relL), pct(othL), pct(nBonus), bonusRelN/bonusN)
	}
	return nil
}

// bleveMRR are scorch BM25 Bleve's known-item MRR@10 (E0 in the log).
var bleveMRR = map[string]float64{"keywords": 0.98777, "title": 0.96645, "problem": 0.94940}

type labRule struct {
	name string
	f    labScore
}

func labGrid(all []labTask, rules []labRule, showAll bool) {
	type res struct {
		name      string
		ok        bool
		p10, ndcg float64
		line      string
	}
	var out []res
	for _, r := range rules {
		x := res{name: r.name, ok: true}
		for _, t := range all {
			m := labEval(t, r.f)
			if t.Name == "field" {
				x.p10, x.ndcg = m.P10, m.NDCG
				x.line += fmt.Sprintf(" field %.4f/%.4f", m.P10, m.NDCG)
			} else {
				x.line += fmt.Sprintf(" %s %.5f", t.Name[:3], m.MRR)
				if m.MRR < bleveMRR[t.Name] {
					x.ok = false
					x.line += "!"
				}
			}
		}
		out = append(out, x)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].p10+out[a].ndcg > out[b].p10+out[b].ndcg })
	shown := 0
	for _, x := range out {
		if (x.ok || showAll) && shown < 25 {
			fmt.Printf("%-50s%s\n", x.name, x.line)
			shown++
		}
	}
}

func labStats2(path string) error {
	all, err := rankLabLoad(path)
	if err != nil {
		return err
	}
	pct := func(xs []float64) string {
		slices.Sort(xs)
		s := ""
		for _, p := range []float64{1, 2, 5, 10, 25, 50, 75, 90} {
			if len(xs) > 0 {
				s += fmt.Sprintf(" p%.0f=%.2f", p, xs[int(p/100*float64(len(xs)-1))])
			}
		}
		return s
	}
	for _, t := range all {
		ranks := map[int]int{}
		var gapRel, gapTop1Other, agRel, agOther []float64
		for _, q := range t.Queries {
			for _, c := range q.Cands {
				if c.Rel && t.Name != "field" {
					ranks[min(c.Rank, 5)]++
					if c.NextLex > 0 {
						gapRel = append(gapRel, float64(c.Lex/c.NextLex))
					}
					if q.MaxAgree > 0 {
						agRel = append(agRel, float64(c.Agree/q.MaxAgree))
					}
				}
				if !c.Rel && c.Rank == 1 && c.NextLex > 0 {
					gapTop1Other = append(gapTop1Other, float64(c.Lex/c.NextLex))
					if q.MaxAgree > 0 {
						agOther = append(agOther, float64(c.Agree/q.MaxAgree))
					}
				}
			}
		}
		fmt.Printf("%s: relevant lexical ranks (5 = 5+) %v\n  relevant lex/next%s\n  non-relevant lexical top-1 lex/next%s\n  relevant agree/max%s\n  non-rel top1 agree/max%s\n", t.Name, ranks, pct(gapRel), pct(gapTop1Other), pct(agRel), pct(agOther))
	}
	return nil
}

// cliff returns the lexical rank r* <= maxR at which the lexical scores
// drop by more than g (lex[r*]/lex[r*+1] > g, the first such), or 0.
func (q *labQuery) cliff(g float64, maxR int) int {
	for r := 1; r <= maxR && r < len(q.Lexs); r++ {
		if float64(q.Lexs[r-1]/q.Lexs[r]) > g {
			return r
		}
	}
	if len(q.Lexs) >= 1 && len(q.Lexs) <= maxR {
		return len(q.Lexs) // everything matched lexically is above the (empty) rest
	}
	return 0
}

// cliffKnee gives docs above the cliff the knee bonus (measured against
// ref as shipped), and nobody else.
func cliffKnee(topic, k, slope, g float64, maxR int) labScore {
	return func(q *labQuery, c labCand) float64 {
		lex := float64(c.Lex)
		v := lex + topic*float64(c.Agree)
		r := q.cliff(g, maxR)
		if c.Rank == 0 || c.Rank > r {
			return v
		}
		ref := float64(q.Ref10)
		if ref == 0 {
			ref = float64(q.Smallest)
		}
		if ref > 0 {
			v += slope * max(0, lex/ref-k)
		}
		return v
	}
}

// cliffFlat gives docs above the cliff a flat bonus (keeping their
// lexical order).
func cliffFlat(topic, bonus, g float64, maxR int) labScore {
	return func(q *labQuery, c labCand) float64 {
		lex := float64(c.Lex)
		v := lex + topic*float64(c.Agree)
		r := q.cliff(g, maxR)
		if c.Rank > 0 && c.Rank <= r {
			v += bonus + 10*lex
		}
		return v
	}
}

func itemFeats(q *labQuery, c labCand) []float64 {
	lex := float64(c.Lex)
	ref := float64(q.Ref10)
	if ref == 0 {
		ref = float64(q.Smallest)
	}
	next := float64(c.NextLex)
	if next == 0 {
		next = lex / 2
	}
	r1 := 0.0
	if c.Rank == 1 {
		r1 = 1
	}
	ag := 0.0
	if q.MaxAgree > 0 {
		ag = float64(c.Agree / q.MaxAgree)
	}
	return []float64{math.Log(lex / ref), math.Log(lex / next), math.Log(lex / float64(q.BestLex)), lex, ag, r1, 1}
}

// fitItem fits a logistic regression P(item | features) on the candidates
// (lexical rank <= 30) of the known-item tasks.
func fitItem(all []labTask) []float64 {
	type ex struct {
		x []float64
		y float64
	}
	var exs []ex
	for _, t := range all {
		if t.Name == "field" {
			continue
		}
		for qi := range t.Queries {
			q := &t.Queries[qi]
			for _, c := range q.Cands {
				if c.Rank >= 1 && c.Rank <= 30 {
					y := 0.0
					if c.Rel {
						y = 1
					}
					exs = append(exs, ex{itemFeats(q, c), y})
				}
			}
		}
	}
	w := make([]float64, len(exs[0].x))
	g := make([]float64, len(w))
	for it := range 3000 {
		clear(g)
		for _, e := range exs {
			z := 0.0
			for i, v := range e.x {
				z += w[i] * v
			}
			p := 1 / (1 + math.Exp(-z))
			for i, v := range e.x {
				g[i] += (p - e.y) * v
			}
		}
		lr := 2.0 / float64(len(exs))
		if it > 1500 {
			lr /= 2
		}
		for i := range w {
			w[i] -= lr * g[i]
		}
	}
	return w
}

func itemKnee(w []float64, topic, slope, shift float64) labScore {
	return func(q *labQuery, c labCand) float64 {
		lex := float64(c.Lex)
		v := lex + topic*float64(c.Agree)
		if c.Rank == 0 {
			return v
		}
		x := itemFeats(q, c)
		z := shift
		for i, xv := range x {
			z += w[i] * xv
		}
		return v + slope/(1+math.Exp(-z))
	}
}

// labCalib prints, for the field task, the share of candidate pairs that
// are really of the same discipline by bins of predicted agreement.
func labCalib(path string) error {
	all, err := rankLabLoad(path)
	if err != nil {
		return err
	}
	for _, t := range all {
		if t.Name != "field" {
			continue
		}
		edges := []float64{0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01}
		n := make([]float64, len(edges))
		r := make([]float64, len(edges))
		var atLeast [len("0123456789")]struct{ n, r float64 }
		for _, q := range t.Queries {
			for _, c := range q.Cands {
				a := float64(c.Agree)
				for i := len(edges) - 2; i >= 0; i-- {
					if a >= edges[i] {
						n[i]++
						if c.Rel {
							r[i]++
						}
						break
					}
				}
				for k := range atLeast {
					if a >= float64(k)/10 {
						atLeast[k].n++
						if c.Rel {
							atLeast[k].r++
						}
					}
				}
			}
		}
		for i := 0; i+1 < len(edges); i++ {
			if n[i] > 0 {
				fmt.Printf("agreement [%.2f,%.2f): n=%.0f same discipline %.3f\n", edges[i], edges[i+1], n[i], r[i]/n[i])
			}
		}
		for k, x := range atLeast {
			fmt.Printf("agreement >= %.1f: n=%.0f same discipline %.3f\n", float64(k)/10, x.n, x.r/x.n)
		}
	}
	return nil
}
