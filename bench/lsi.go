package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"kechuang/data"
	"kechuang/internal/search"
	"kechuang/internal/search/analysis"
	"kechuang/internal/search/classify"
	"kechuang/internal/search/matcheval"
)

// lsi is a rejected experiment kept so its figures in docs/BENCHMARKS.md
// (matching, "tried and rejected") can be reproduced: latent semantic
// vectors (truncated SVD of the log-tf·idf word-by-record matrix of CSL
// text) rerank the engine's top 100 for each query by score + W × cosine.

// lsiModel projects texts onto the top right singular vectors.
type lsiModel struct {
	vocab map[string]int
	idf   []float64
	v     [][]float64 // term → d-vector
}

// sparseRow is one record's weighted terms.
type sparseRow struct {
	idx []int
	val []float64
}

func lsiTerms(a *analysis.Analyzer, text string) map[string]int {
	tf := map[string]int{}
	for _, t := range a.Tokens(text, nil) {
		if t.Kind != analysis.Bigram {
			tf[t.Text]++
		}
	}
	return tf
}

func trainLSI(a *analysis.Analyzer, texts []string, d int) *lsiModel {
	tfs := make([]map[string]int, len(texts))
	df := map[string]int{}
	for i, t := range texts {
		tfs[i] = lsiTerms(a, t)
		for w := range tfs[i] {
			df[w]++
		}
	}
	m := &lsiModel{vocab: map[string]int{}}
	var words []string
	for w, c := range df {
		if c >= 2 {
			words = append(words, w)
		}
	}
	slices.Sort(words)
	n := float64(len(texts))
	for _, w := range words {
		m.vocab[w] = len(m.idf)
		m.idf = append(m.idf, math.Log(n/float64(df[w])))
	}
	rows := make([]sparseRow, len(texts))
	for i, tf := range tfs {
		rows[i] = m.row(tf)
	}
	nt := len(m.idf)
	l := d + 20
	rng := rand.New(rand.NewPCG(7, 9))
	// Y = A Ω, with two power iterations, orthonormalised.
	omega := make([][]float64, nt)
	for j := range omega {
		omega[j] = make([]float64, l)
		for k := range omega[j] {
			omega[j][k] = rng.NormFloat64()
		}
	}
	mulA := func(x [][]float64) [][]float64 { // rows × l
		y := make([][]float64, len(rows))
		for i, r := range rows {
			y[i] = make([]float64, l)
			for p, j := range r.idx {
				for k := range l {
					y[i][k] += r.val[p] * x[j][k]
				}
			}
		}
		return y
	}
	mulAt := func(y [][]float64) [][]float64 { // terms × l
		x := make([][]float64, nt)
		for j := range x {
			x[j] = make([]float64, l)
		}
		for i, r := range rows {
			for p, j := range r.idx {
				for k := range l {
					x[j][k] += r.val[p] * y[i][k]
				}
			}
		}
		return x
	}
	y := orth(mulA(omega))
	for range 2 {
		y = orth(mulA(orth(mulAt(y))))
	}
	// B = Qᵀ A is l × terms; its transpose is mulAt(Q).
	bt := mulAt(y) // terms × l
	// Eigen-decompose B Bᵀ (l × l) = Σ_j bt[j]ᵀ bt[j].
	c := make([][]float64, l)
	for i := range c {
		c[i] = make([]float64, l)
	}
	for _, r := range bt {
		for i := range l {
			for k := range l {
				c[i][k] += r[i] * r[k]
			}
		}
	}
	vals, vecs := jacobi(c)
	order := make([]int, l)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if vals[a] > vals[b] {
			return -1
		}
		if vals[a] < vals[b] {
			return 1
		}
		return 0
	})
	// V = Bᵀ Ũ Σ⁻¹, top d columns.
	m.v = make([][]float64, nt)
	for j := range nt {
		m.v[j] = make([]float64, d)
		for k := range d {
			e := order[k]
			s := math.Sqrt(max(vals[e], 1e-12))
			var sum float64
			for i := range l {
				sum += bt[j][i] * vecs[i][e]
			}
			m.v[j][k] = sum / s
		}
	}
	return m
}

func (m *lsiModel) row(tf map[string]int) sparseRow {
	var r sparseRow
	var norm float64
	keys := make([]string, 0, len(tf))
	for w := range tf {
		keys = append(keys, w)
	}
	slices.Sort(keys)
	for _, w := range keys {
		j, ok := m.vocab[w]
		if !ok {
			continue
		}
		v := (1 + math.Log(float64(tf[w]))) * m.idf[j]
		r.idx = append(r.idx, j)
		r.val = append(r.val, v)
		norm += v * v
	}
	norm = math.Sqrt(norm)
	for i := range r.val {
		r.val[i] /= norm
	}
	return r
}

// vec returns the unit-length projection of text, or nil.
func (m *lsiModel) vec(a *analysis.Analyzer, text string) []float64 {
	r := m.row(lsiTerms(a, text))
	if len(r.idx) == 0 {
		return nil
	}
	d := len(m.v[0])
	out := make([]float64, d)
	for p, j := range r.idx {
		for k := range d {
			out[k] += r.val[p] * m.v[j][k]
		}
	}
	var n float64
	for _, x := range out {
		n += x * x
	}
	n = math.Sqrt(n)
	if n == 0 {
		return nil
	}
	for k := range out {
		out[k] /= n
	}
	return out
}

// orth orthonormalises the columns of y (rows × l) by modified Gram–Schmidt.
func orth(y [][]float64) [][]float64 {
	l := len(y[0])
	for k := range l {
		for p := range k {
			var dot float64
			for i := range y {
				dot += y[i][k] * y[i][p]
			}
			for i := range y {
				y[i][k] -= dot * y[i][p]
			}
		}
		var n float64
		for i := range y {
			n += y[i][k] * y[i][k]
		}
		n = math.Sqrt(n)
		if n > 0 {
			for i := range y {
				y[i][k] /= n
			}
		}
	}
	return y
}

// jacobi returns the eigenvalues and eigenvectors (columns) of the
// symmetric matrix a, which it overwrites.
func jacobi(a [][]float64) ([]float64, [][]float64) {
	n := len(a)
	v := make([][]float64, n)
	for i := range v {
		v[i] = make([]float64, n)
		v[i][i] = 1
	}
	for sweep := 0; sweep < 50; sweep++ {
		var off float64
		for i := range n {
			for j := i + 1; j < n; j++ {
				off += a[i][j] * a[i][j]
			}
		}
		if off < 1e-18 {
			break
		}
		for p := range n {
			for q := p + 1; q < n; q++ {
				if math.Abs(a[p][q]) < 1e-15 {
					continue
				}
				theta := (a[q][q] - a[p][p]) / (2 * a[p][q])
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := range n {
					akp, akq := a[k][p], a[k][q]
					a[k][p], a[k][q] = c*akp-s*akq, s*akp+c*akq
				}
				for k := range n {
					apk, aqk := a[p][k], a[q][k]
					a[p][k], a[q][k] = c*apk-s*aqk, s*apk+c*aqk
				}
				for k := range n {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p], v[k][q] = c*vkp-s*vkq, s*vkp+c*vkq
				}
			}
		}
	}
	vals := make([]float64, n)
	for i := range n {
		vals[i] = a[i][i]
	}
	return vals, v
}

// lsiExp reranks the engine's top 100 on each task by score + w × cosine,
// for each w in ws; dims is the SVD rank. With titlesOnly the model is
// trained on csl_titles_category alone (no dev record at all); otherwise
// one model per fold, on the dev records outside the query's fold plus the
// titles, and each query and every document are projected with the query's
// fold model (unsupervised, so no label of a scored record is used).
func lsiExp(dir string, names []string, ws []float64, dims int, titlesOnly bool) error {
	cf, dev, err := newCrossFitted()
	if err != nil {
		return err
	}
	titles, err := classify.ReadJSONL(data.FS, "csl/csl_titles_category.jsonl")
	if err != nil {
		return err
	}
	a := analysis.Default()
	var models []*lsiModel
	for k := range folds {
		if titlesOnly && k > 0 {
			models = append(models, models[0])
			continue
		}
		var texts []string
		for _, t := range titles {
			texts = append(texts, t.Title)
		}
		if !titlesOnly {
			for _, r := range dev {
				if classify.Fold(r.ID, folds) != k {
					texts = append(texts, r.Text())
				}
			}
		}
		models = append(models, trainLSI(a, texts, dims))
	}
	for _, task := range names {
		docs, qs, err := cf.load(dir, task)
		if err != nil {
			return err
		}
		k := &matcheval.Kechuang{Options: search.Options{Classifier: cf}}
		if err := k.Index(docs); err != nil {
			return err
		}
		docText := map[string]string{}
		for _, d := range docs {
			docText[d.ID] = d.Title + "\n" + d.Text
		}
		// Per fold model, the document vectors (computed lazily).
		dv := make([]map[string][]float64, folds)
		for f := range dv {
			dv[f] = map[string][]float64{}
		}
		type res struct {
			hits []search.Hit
			q    []float64
			f    int
		}
		pre := map[string]res{}
		for _, q := range qs {
			f := classify.Fold(strings.TrimPrefix(q.ID, "q-"), folds)
			hits := k.Idx.Match(search.Document{Text: q.Text}, search.MatchOptions{Limit: 100, Exclude: q.Exclude, Bare: true})
			pre[q.ID] = res{hits, models[f].vec(a, q.Text), f}
			for _, h := range hits {
				if _, ok := dv[f][h.ID]; !ok {
					dv[f][h.ID] = models[f].vec(a, docText[h.ID])
				}
			}
		}
		for _, w := range ws {
			e := &rerankEngine{rank: map[string][]string{}}
			for _, q := range qs {
				p := pre[q.ID]
				type sc struct {
					id string
					s  float64
				}
				var l []sc
				for _, h := range p.hits {
					s := h.Score
					if d := dv[p.f][h.ID]; d != nil && p.q != nil {
						var c float64
						for i := range d {
							c += d[i] * p.q[i]
						}
						s += w * c
					}
					l = append(l, sc{h.ID, s})
				}
				slices.SortStableFunc(l, func(a, b sc) int {
					if a.s > b.s {
						return -1
					}
					if a.s < b.s {
						return 1
					}
					return 0
				})
				for _, x := range l {
					e.rank[q.ID] = append(e.rank[q.ID], x.id)
				}
			}
			r, err := runQueries("kechuang", e, docs, qs)
			if err != nil {
				return err
			}
			fmt.Printf("%s, LSI %d dims (titles only %v), weight %g: MRR@10 %.5f P@10 %.4f nDCG@10 %.4f\n", task, dims, titlesOnly, w, r.MRR10, r.Precision10, r.NDCG10)
		}
	}
	return nil
}

// rerankEngine answers with precomputed rankings.
type rerankEngine struct{ rank map[string][]string }

func (e *rerankEngine) Index([]matcheval.Doc) error { return nil }
func (e *rerankEngine) Query(q matcheval.Query, n int) ([]string, error) {
	r := e.rank[q.ID]
	return r[:min(n, len(r))], nil
}
