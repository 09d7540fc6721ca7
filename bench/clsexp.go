package main

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"kechuang/data"
	"kechuang/internal/search/analysis"
	"kechuang/internal/search/classify"
)

// clsexp is a throwaway harness for classifier variants: 5-fold held-out
// discipline accuracy (full text and keywords alone) of naive Bayes
// variants with feature weights, over the same folds as classify.Evaluate.
type clsCfg struct {
	Name       string
	Alpha      float64
	Complement bool
	TrainW     float64 // exponent of idf in training counts (0: binary)
	TestW      float64 // exponent of idf at test (0: binary)
	Hier       float64
	IDF        string // "log" (log N/df), "bm25" (log(1+(N-df+.5)/(df+.5)))
	Norm       bool   // complement: normalise class weight vectors
	NoPrior    bool
	NoExtra    bool    // no keyword/title extra examples
	SVM        bool    // one-vs-rest L2-loss linear SVM on l2-normalised idf^TestW features
	C          float64 // SVM cost
	Epochs     int
	Mix        []struct {
		Name string
		W    float64
	}
	MinCount int
}

type fdoc struct {
	full, kw, title []int32
	disc, cat       int
	fold            int
	titleKey        string
}

func clsExp(grid string) error {
	var cfgs []clsCfg
	if err := json.Unmarshal([]byte(grid), &cfgs); err != nil {
		return err
	}
	dev, err := classify.ReadJSONL(data.FS, "csl/csl_dev.jsonl")
	if err != nil {
		return err
	}
	titles, err := classify.ReadJSONL(data.FS, "csl/csl_titles_category.jsonl")
	if err != nil {
		return err
	}
	a := analysis.Default()
	ids := map[string]int32{}
	intern := func(fs []string) []int32 {
		out := make([]int32, len(fs))
		for i, f := range fs {
			id, ok := ids[f]
			if !ok {
				id = int32(len(ids))
				ids[f] = id
			}
			out[i] = id
		}
		return out
	}
	discIdx, catIdx := map[string]int{}, map[string]int{}
	var discNames []string
	idx := func(m map[string]int, s string, names *[]string) int {
		if v, ok := m[s]; ok {
			return v
		}
		m[s] = len(m)
		if names != nil {
			*names = append(*names, s)
		}
		return m[s]
	}
	d2c := map[int]int{}
	var D, T []fdoc
	for _, r := range dev {
		d := fdoc{full: intern(classify.Features(a, r.Text())), disc: idx(discIdx, r.Discipline, &discNames), cat: idx(catIdx, r.Category, nil), fold: classify.Fold(r.ID, 5), titleKey: strings.TrimSpace(r.Title)}
		if len(r.Keywords) > 0 {
			d.kw = intern(classify.Features(a, strings.Join(r.Keywords, " ")))
		}
		d.title = intern(classify.Features(a, r.Title))
		d2c[d.disc] = d.cat
		D = append(D, d)
	}
	for _, r := range titles {
		T = append(T, fdoc{full: intern(classify.Features(a, r.Title)), disc: -1, cat: idx(catIdx, r.Category, nil), titleKey: strings.TrimSpace(r.Title)})
	}
	nF := len(ids)
	nD, nC := len(discIdx), len(catIdx)
	fmt.Printf("features %d, disciplines %d, categories %d\n", nF, nD, nC)
	y := make([]int, len(D))
	for i, d := range D {
		y[i] = d.disc
	}
	cache := map[string][2][][]float64{}
	run := func(cfg clsCfg) ([][]float64, [][]float64) {
		if cfg.Alpha == 0 {
			cfg.Alpha = 0.1
		}
		if cfg.MinCount == 0 {
			cfg.MinCount = 2
		}
		llF := make([][]float64, len(D))
		llK := make([][]float64, len(D))
		for k := range 5 {
			held := map[string]bool{}
			var trD, teD []fdoc
			for _, d := range D {
				if d.fold == k {
					teD = append(teD, d)
					held[d.titleKey] = true
				} else {
					trD = append(trD, d)
				}
			}
			var trT []fdoc
			for _, t := range T {
				if !held[t.titleKey] {
					trT = append(trT, t)
				}
			}
			// document frequencies over the unlabelled training texts
			df := make([]float64, nF)
			nDocs := 0.0
			for _, d := range append(append([]fdoc{}, trD...), trT...) {
				for _, f := range d.full {
					df[f]++
				}
				nDocs++
			}
			idf := make([]float64, nF)
			for f := range idf {
				switch cfg.IDF {
				case "bm25":
					idf[f] = math.Log(1 + (nDocs-df[f]+0.5)/(df[f]+0.5))
				default:
					idf[f] = math.Log((nDocs + 1) / (df[f] + 1))
				}
			}
			wt := func(f int32, e float64) float64 {
				if e == 0 {
					return 1
				}
				return math.Pow(idf[f], e)
			}
			type ex struct {
				f []int32
				y int
			}
			var de, ce []ex
			for _, d := range trD {
				de = append(de, ex{d.full, d.disc})
				ce = append(ce, ex{d.full, d.cat})
				if !cfg.NoExtra {
					for _, f := range [][]int32{d.kw, d.title} {
						if len(f) > 0 {
							de = append(de, ex{f, d.disc})
							ce = append(ce, ex{f, d.cat})
						}
					}
				}
			}
			for _, t := range trT {
				ce = append(ce, ex{t.full, t.cat})
			}
			train := func(exs []ex, nL int) *expNB {
				m := &expNB{nL: nL, cnt: map[int32][]float64{}, tot: make([]float64, nL), docs: make([]float64, nL)}
				dfc := map[int32]int{}
				for _, e := range exs {
					for _, f := range e.f {
						dfc[f]++
					}
				}
				for _, e := range exs {
					m.docs[e.y]++
					for _, f := range e.f {
						if dfc[f] < cfg.MinCount {
							continue
						}
						v := m.cnt[f]
						if v == nil {
							v = make([]float64, nL)
							m.cnt[f] = v
						}
						w := wt(f, cfg.TrainW)
						v[e.y] += w
						m.tot[e.y] += w
					}
				}
				m.derive(cfg)
				return m
			}
			if cfg.SVM {
				xs := make([][]int32, len(de))
				ys := make([]int, len(de))
				for i, e := range de {
					xs[i], ys[i] = e.f, e.y
				}
				sv := trainSVM(xs, ys, nD, nF, func(f int32) float64 { return wt(f, cfg.TestW) }, cfg)
				for i, d := range D {
					if d.fold == k {
						llF[i] = sv.decide(d.full)
						llK[i] = sv.decide(d.kw)
					}
				}
				continue
			}
			dm, cm := train(de, nD), train(ce, nC)
			lls := func(f []int32) []float64 {
				dl := dm.ll(f, cfg, wt)
				if cfg.Hier != 0 {
					cl := cm.ll(f, cfg, wt)
					for c := range dl {
						dl[c] += cfg.Hier * cl[d2c[c]]
					}
				}
				return dl
			}
			for i, d := range D {
				if d.fold == k {
					llF[i] = lls(d.full)
					llK[i] = lls(d.kw)
				}
			}
		}
		return llF, llK
	}
	for _, cfg := range cfgs {
		var llF, llK [][]float64
		if len(cfg.Mix) == 0 {
			llF, llK = run(cfg)
			cache[cfg.Name] = [2][][]float64{llF, llK}
		} else {
			llF, llK = make([][]float64, len(D)), make([][]float64, len(D))
			for i := range D {
				llF[i], llK[i] = make([]float64, nD), make([]float64, nD)
			}
			for _, m := range cfg.Mix {
				c, ok := cache[m.Name]
				if !ok {
					return fmt.Errorf("mix: %s not run", m.Name)
				}
				for i := range D {
					for j := range nD {
						llF[i][j] += m.W * c[0][i][j]
						llK[i][j] += m.W * c[1][i][j]
					}
				}
			}
		}
		var accF, accK float64
		for i := range D {
			if argmax(llF[i]) == y[i] {
				accF++
			}
			if argmax(llK[i]) == y[i] {
				accK++
			}
		}
		n := float64(len(D))
		tF, tK := fitTemp(llF, y), fitTemp(llK, y)
		p10, ndcg := topicOnly(llF, llK, tF, tK, y, nD)
		fmt.Printf("%-40s full %.4f  keywords %.4f  temps %.3g/%.3g  topic-only P@10 %.4f nDCG@10 %.4f\n", cfg.Name, accF/n, accK/n, tF, tK, p10, ndcg)
	}
	_ = discNames
	return nil
}

type expNB struct {
	nL        int
	cnt       map[int32][]float64
	tot, docs []float64
	prior     []float64
	logDen    []float64
	// complement
	ftot   map[int32]float64
	allTot float64
	cNorm  []float64
	logA   float64
	v      float64
	keys   []int32
}

func (m *expNB) derive(cfg clsCfg) {
	m.v = float64(len(m.cnt))
	m.logA = math.Log(cfg.Alpha)
	var nd float64
	for _, d := range m.docs {
		nd += d
	}
	m.prior = make([]float64, m.nL)
	m.logDen = make([]float64, m.nL)
	for c := range m.nL {
		m.prior[c] = math.Log((m.docs[c] + 1) / (nd + float64(m.nL)))
		if cfg.NoPrior {
			m.prior[c] = 0
		}
		den := m.tot[c]
		if cfg.Complement {
			var all float64
			for _, t := range m.tot {
				all += t
			}
			den = all - m.tot[c]
		}
		m.logDen[c] = math.Log(den + cfg.Alpha*m.v)
	}
	if cfg.Complement {
		m.ftot = map[int32]float64{}
		for f, v := range m.cnt {
			var s float64
			for _, x := range v {
				s += x
			}
			m.ftot[f] = s
		}
		if cfg.Norm {
			m.cNorm = make([]float64, m.nL)
			for f, v := range m.cnt {
				for c := range m.nL {
					w := math.Log(m.ftot[f]-v[c]+cfg.Alpha) - m.logDen[c]
					m.cNorm[c] += math.Abs(w)
				}
				_ = f
			}
		}
	}
	m.keys = m.keys[:0]
	for f := range m.cnt {
		m.keys = append(m.keys, f)
	}
	sort.Slice(m.keys, func(i, j int) bool { return m.keys[i] < m.keys[j] })
}

func (m *expNB) ll(f []int32, cfg clsCfg, wt func(int32, float64) float64) []float64 {
	out := make([]float64, m.nL)
	copy(out, m.prior)
	for _, x := range f {
		v := m.cnt[x]
		if v == nil {
			continue
		}
		w := wt(x, cfg.TestW)
		if cfg.Complement {
			for c := range m.nL {
				lw := math.Log(m.ftot[x]-v[c]+cfg.Alpha) - m.logDen[c]
				if cfg.Norm {
					lw /= m.cNorm[c]
				}
				out[c] -= w * lw
			}
			continue
		}
		for c := range m.nL {
			out[c] += w * (math.Log(v[c]+cfg.Alpha) - m.logDen[c])
		}
	}
	return out
}

// topicOnly ranks every record's full text for every record's keywords by
// the agreement of their top-5 discipline distributions (the engine's topic
// term alone), the record itself excluded, and returns P@10 and nDCG@10
// against the true discipline.
func topicOnly(llF, llK [][]float64, tF, tK float64, y []int, nD int) (float64, float64) {
	top := func(ll []float64, t float64) []float64 {
		p := softmaxT(ll, t)
		idx := make([]int, len(p))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
		out := make([]float64, len(p))
		for _, i := range idx[:5] {
			out[i] = p[i]
		}
		return out
	}
	pd := make([][]float64, len(llF))
	pq := make([][]float64, len(llF))
	for i := range llF {
		pd[i] = top(llF[i], tF)
		pq[i] = top(llK[i], tK)
	}
	rel := make([]int, nD)
	for _, c := range y {
		rel[c]++
	}
	var sp, sn float64
	type sc struct {
		i int
		s float64
	}
	for q := range pq {
		var s []sc
		for d := range pd {
			if d == q {
				continue
			}
			var a float64
			for c, v := range pq[q] {
				if v > 0 {
					a += v * pd[d][c]
				}
			}
			s = append(s, sc{d, a})
		}
		sort.Slice(s, func(a, b int) bool {
			if s[a].s != s[b].s {
				return s[a].s > s[b].s
			}
			return s[a].i < s[b].i
		})
		var hits, dcg, idcg float64
		nrel := rel[y[q]] - 1
		for r := range 10 {
			if y[s[r].i] == y[q] {
				hits++
				dcg += 1 / math.Log2(float64(r)+2)
			}
			if r < nrel {
				idcg += 1 / math.Log2(float64(r)+2)
			}
		}
		sp += hits / 10
		if idcg > 0 {
			sn += dcg / idcg
		}
	}
	return sp / float64(len(pq)), sn / float64(len(pq))
}

func softmaxT(ll []float64, t float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range ll {
		mx = max(mx, v)
	}
	out := make([]float64, len(ll))
	var s float64
	for i, v := range ll {
		out[i] = math.Exp((v - mx) / t)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}

func argmax(v []float64) int {
	b := 0
	for i := range v {
		if v[i] > v[b] {
			b = i
		}
	}
	return b
}

type svmModel struct {
	w     [][]float32 // class → feature weights
	b     []float64
	wt    func(int32) float64
	nF    int
	vocab []bool
}

func (m *svmModel) vec(f []int32) ([]int32, []float64) {
	var idx []int32
	var val []float64
	var n float64
	for _, x := range f {
		if !m.vocab[x] {
			continue
		}
		v := m.wt(x)
		idx = append(idx, x)
		val = append(val, v)
		n += v * v
	}
	n = math.Sqrt(n)
	for i := range val {
		val[i] /= n
	}
	return idx, val
}

func (m *svmModel) decide(f []int32) []float64 {
	idx, val := m.vec(f)
	out := make([]float64, len(m.w))
	for c := range m.w {
		s := m.b[c]
		for i, x := range idx {
			s += float64(m.w[c][x]) * val[i]
		}
		out[c] = s
	}
	return out
}

func trainSVM(xs [][]int32, ys []int, nL, nF int, wt func(int32) float64, cfg clsCfg) *svmModel {
	m := &svmModel{wt: wt, nF: nF, vocab: make([]bool, nF)}
	df := make([]int, nF)
	for _, x := range xs {
		for _, f := range x {
			df[f]++
		}
	}
	minC := cfg.MinCount
	for f := range df {
		m.vocab[f] = df[f] >= minC
	}
	type sv struct {
		idx []int32
		val []float64
		q   float64
	}
	X := make([]sv, len(xs))
	for i, x := range xs {
		idx, val := m.vec(x)
		X[i] = sv{idx, val, 1 + 0.5/cfg.C} // |x|^2 = 1, plus bias feature 1 -> use 1+1
		X[i].q = 2 + 0.5/cfg.C
	}
	epochs := cfg.Epochs
	if epochs == 0 {
		epochs = 10
	}
	m.w = make([][]float32, nL)
	m.b = make([]float64, nL)
	order := make([]int, len(X))
	for i := range order {
		order[i] = i
	}
	diag := 0.5 / cfg.C
	for c := range nL {
		w := make([]float64, nF)
		var b float64
		alpha := make([]float64, len(X))
		rng := uint64(12345 + c)
		for range epochs {
			for i := len(order) - 1; i > 0; i-- {
				rng = rng*6364136223846793005 + 1442695040888963407
				j := int((rng >> 33) % uint64(i+1))
				order[i], order[j] = order[j], order[i]
			}
			for _, i := range order {
				yi := -1.0
				if ys[i] == c {
					yi = 1
				}
				x := X[i]
				g := b
				for k, f := range x.idx {
					g += w[f] * x.val[k]
				}
				g = yi*g - 1 + diag*alpha[i]
				na := max(alpha[i]-g/x.q, 0)
				d := (na - alpha[i]) * yi
				if d != 0 {
					for k, f := range x.idx {
						w[f] += d * x.val[k]
					}
					b += d
					alpha[i] = na
				}
			}
		}
		m.w[c] = make([]float32, nF)
		for f := range w {
			m.w[c][f] = float32(w[f])
		}
		m.b[c] = b
	}
	return m
}

func fitTemp(ll [][]float64, y []int) float64 {
	loss := func(t float64) float64 {
		var s float64
		for i, v := range ll {
			s -= math.Log(max(softmaxT(v, t)[y[i]], 1e-12))
		}
		return s
	}
	best, bl := 1.0, math.Inf(1)
	for e := -3.0; e <= 3.0; e += 0.05 {
		if l := loss(math.Pow(10, e)); l < bl {
			best, bl = math.Pow(10, e), l
		}
	}
	return best
}
