package matcheval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"time"
)

// Doc is one line of a TASK.docs.jsonl file.
type Doc struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Query is one line of a TASK.queries.jsonl file.
type Query struct {
	ID       string   `json:"id"`
	Text     string   `json:"text"`
	Relevant []string `json:"relevant"`
	Exclude  []string `json:"exclude,omitempty"`
}

// Engine is a search engine under test.
type Engine interface {
	// Index indexes docs, replacing anything indexed before.
	Index(docs []Doc) error
	// Query returns up to k document IDs, best first, never one in exclude.
	Query(q Query, k int) ([]string, error)
}

// Report is the benchmark result; its JSON form is what `kechuang bench
// match` prints.
type Report struct {
	Engine      string  `json:"engine"`
	Docs        int     `json:"docs"`
	Queries     int     `json:"queries"`
	MRR10       float64 `json:"mrr_at_10"`
	Recall10    float64 `json:"recall_at_10"`
	Recall100   float64 `json:"recall_at_100"`
	Precision10 float64 `json:"precision_at_10"`
	NDCG10      float64 `json:"ndcg_at_10"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	BuildS      float64 `json:"index_build_s"`
}

// ReadJSONL decodes one T per line of the file at path.
func ReadJSONL[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeJSONL[T](f)
}

// DecodeJSONL decodes one T per non-empty line of r.
func DecodeJSONL[T any](r io.Reader) ([]T, error) {
	var out []T
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, v)
	}
	return out, sc.Err()
}

// Run indexes docs with e, then runs the queries one at a time.
func Run(name string, e Engine, docs []Doc, queries []Query) (Report, error) {
	r := Report{Engine: name, Docs: len(docs), Queries: len(queries)}
	start := time.Now()
	if err := e.Index(docs); err != nil {
		return r, fmt.Errorf("index: %w", err)
	}
	r.BuildS = time.Since(start).Seconds()
	lat := make([]float64, 0, len(queries))
	for _, q := range queries {
		t := time.Now()
		ids, err := e.Query(q, 100)
		if err != nil {
			return r, fmt.Errorf("query %s: %w", q.ID, err)
		}
		lat = append(lat, float64(time.Since(t).Microseconds())/1000)
		m := Score(ids, q)
		r.MRR10 += m.MRR10
		r.Recall10 += m.Recall10
		r.Recall100 += m.Recall100
		r.Precision10 += m.Precision10
		r.NDCG10 += m.NDCG10
	}
	if n := float64(len(queries)); n > 0 {
		r.MRR10 /= n
		r.Recall10 /= n
		r.Recall100 /= n
		r.Precision10 /= n
		r.NDCG10 /= n
	}
	r.P50ms = Percentile(lat, 50)
	r.P99ms = Percentile(lat, 99)
	return r, nil
}

// Metrics are the figures of one query.
type Metrics struct {
	MRR10, Recall10, Recall100, Precision10, NDCG10 float64
}

// Score computes the metrics of one ranking. IDs in q.Exclude are dropped
// from the ranking first, whatever the engine did with them.
func Score(ranked []string, q Query) Metrics {
	rel := make(map[string]bool, len(q.Relevant))
	for _, id := range q.Relevant {
		rel[id] = true
	}
	for _, id := range q.Exclude {
		delete(rel, id)
	}
	var m Metrics
	if len(rel) == 0 {
		return m
	}
	var kept []string
	for _, id := range ranked {
		if !slices.Contains(q.Exclude, id) {
			kept = append(kept, id)
		}
	}
	var hits10, hits100 int
	var dcg float64
	for i, id := range kept {
		if i >= 100 {
			break
		}
		if !rel[id] {
			continue
		}
		hits100++
		if i < 10 {
			hits10++
			dcg += 1 / math.Log2(float64(i)+2)
			if m.MRR10 == 0 {
				m.MRR10 = 1 / float64(i+1)
			}
		}
	}
	var idcg float64
	for i := range min(len(rel), 10) {
		idcg += 1 / math.Log2(float64(i)+2)
	}
	m.Recall10 = float64(hits10) / float64(len(rel))
	m.Recall100 = float64(hits100) / float64(len(rel))
	m.Precision10 = float64(hits10) / 10
	m.NDCG10 = dcg / idcg
	return m
}

// Percentile returns the p-th percentile (nearest rank) of xs.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}
