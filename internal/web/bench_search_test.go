package web_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/dbtest"
	"kechuang/internal/search"
	"kechuang/internal/sqldb"
)

type cslRecord struct {
	Title    string   `json:"title"`
	Abstract string   `json:"abstract"`
	Keywords []string `json:"keywords"`
}

func loadCSL(tb testing.TB) []cslRecord {
	tb.Helper()
	f, err := data.FS.Open("csl/csl_dev.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []cslRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r cslRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// syntheticListings makes n documents from the CSL records, repeated with
// new ids, shuffled keywords and rotated sentences, spread over facets.
func syntheticListings(recs []cslRecord, n int) []search.Document {
	rng := rand.New(rand.NewPCG(1, 2))
	domains := []string{"电子信息", "生物与新医药", "航空航天", "新材料", "高技术服务", "新能源与节能", "资源与环境", "先进制造与自动化"}
	counties := []string{"320505", "320506", "320507", "320508", "320509", "320576", "320581", "320582", "320583", "320585"}
	docs := make([]search.Document, n)
	for i := range docs {
		r := recs[i%len(recs)]
		kw := append([]string(nil), r.Keywords...)
		rng.Shuffle(len(kw), func(a, b int) { kw[a], kw[b] = kw[b], kw[a] })
		sentences := strings.Split(r.Abstract, "。")
		k := rng.IntN(len(sentences))
		text := strings.Join(append(sentences[k:], sentences[:k]...), "。")
		kind := "achievement"
		if i%7 == 0 {
			kind = "demand"
		}
		docs[i] = search.Document{ID: strconv.Itoa(i + 1), Title: r.Title, Keywords: kw, Text: text,
			Facets: map[string][]string{"kind": {kind}, "domain": {domains[rng.IntN(len(domains))]},
				"region": {counties[rng.IntN(len(counties))]}, "trl": {[]string{"1-3", "4-6", "7-9"}[rng.IntN(3)]}},
			Sort: map[string]float64{"published": float64(1700000000 + i)}}
	}
	return docs
}

func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkSearchHTTP100k indexes 100,000 listings and runs CSL keyword
// queries through GET /api/v1/search from 20 concurrent clients over
// loopback. One op is the whole run; use -benchtime 1x:
//
//	go test -run '^$' -bench SearchHTTP100k -benchtime 1x ./internal/web/
func BenchmarkSearchHTTP100k(b *testing.B) {
	const docs, clients, perClient = 100_000, 20, 250
	recs := loadCSL(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, dbtest.Open(b, sqldb.SQLite))
		list := syntheticListings(recs, docs)
		runtime.GC()
		b.StartTimer()
		start := time.Now()
		// As Indexer.Rebuild does: analysis spread over the cores.
		if err := e.index.Index().PutAll(list, runtime.NumCPU()); err != nil {
			b.Fatal(err)
		}
		build := time.Since(start)
		list = nil
		runtime.GC()
		b.ReportMetric(float64(docs)/build.Seconds(), "docs/s-build")
		b.ReportMetric(rssMiB(), "rss-MiB-after-build")
		var heap runtime.MemStats
		runtime.ReadMemStats(&heap)
		b.ReportMetric(float64(heap.HeapInuse)/(1<<20), "heap-MiB")

		srv := httptest.NewServer(e.srv)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		loadStart := time.Now()
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				mine := make([]time.Duration, 0, perClient)
				for j := 0; j < perClient; j++ {
					r := recs[(c*perClient+j)*7%len(recs)]
					u := srv.URL + "/api/v1/search?q=" + url.QueryEscape(strings.Join(r.Keywords, " "))
					t0 := time.Now()
					res, err := client.Get(u)
					if err != nil {
						panic(err)
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						panic(fmt.Sprint("status ", res.StatusCode))
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}(c)
		}
		wg.Wait()
		elapsed := time.Since(loadStart)
		srv.Close()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(q(0.50), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
		b.ReportMetric(rssMiB(), "rss-MiB-after-load")
	}
}
