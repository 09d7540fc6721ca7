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
// queries through GET /api/v1/search over loopback: first from one client
// (the latency a lone user sees, no queueing), then from 20 concurrent
// clients (throughput; on two cores the server is CPU-bound there and p99
// is mostly queueing). Each phase also reports the process CPU time per
// request, which other load on the machine does not inflate; it includes
// the in-process client's share, which the "healthz" phase (the same
// clients on GET /healthz) measures. One op is the whole run; use
// -benchtime 1x:
//
//	go test -run '^$' -bench SearchHTTP100k -benchtime 1x ./internal/web/
//
// KECHUANG_BENCH_LISTINGS=N indexes N listings instead (a reduced run on a
// loaded machine; the figures are then not the 100,000-listing ones).
func BenchmarkSearchHTTP100k(b *testing.B) {
	docs := 100_000
	if v := os.Getenv("KECHUANG_BENCH_LISTINGS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("KECHUANG_BENCH_LISTINGS=%q: want a positive number", v)
		}
		docs = n
	}
	b.ReportMetric(float64(docs), "listings")
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
		searchURL := func(j int) string {
			r := recs[j*7%len(recs)]
			return srv.URL + "/api/v1/search?q=" + url.QueryEscape(strings.Join(r.Keywords, " "))
		}
		healthURL := func(int) string { return srv.URL + "/healthz" }
		// Warm the connection pools and the scoring tables first.
		loadPhase(b, 2, 50, searchURL)
		one := loadPhase(b, 1, 500, searchURL)
		many := loadPhase(b, 20, 250, searchURL)
		health := loadPhase(b, 20, 250, healthURL)
		srv.Close()
		for _, m := range []struct {
			name string
			p    phase
		}{{"1c", one}, {"20c", many}, {"healthz-20c", health}} {
			b.ReportMetric(m.p.p50, "p50-ms-"+m.name)
			b.ReportMetric(m.p.p99, "p99-ms-"+m.name)
			b.ReportMetric(m.p.cpuPerReq, "cpu-ms/req-"+m.name)
			if m.name == "20c" {
				b.ReportMetric(m.p.rate, "req/s-"+m.name)
			}
		}
		b.ReportMetric(rssMiB(), "rss-MiB-after-load")
	}
}

// phase is what one load phase measured.
type phase struct {
	p50, p99, rate, cpuPerReq float64
}

// loadPhase sends perClient GET requests from each of clients concurrent
// clients, request j to urlOf(j), and measures latency, throughput and the
// process CPU time per request.
func loadPhase(b *testing.B, clients, perClient int, urlOf func(j int) string) phase {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	cpu0, start := processCPU(), time.Now()
	for c := range clients {
		wg.Go(func() {
			mine := make([]time.Duration, 0, perClient)
			for j := range perClient {
				u := urlOf(c*perClient + j)
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
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	return phase{p50: q(0.50), p99: q(0.99), rate: float64(len(lat)) / elapsed.Seconds(),
		cpuPerReq: cpu.Seconds() * 1000 / float64(len(lat))}
}
