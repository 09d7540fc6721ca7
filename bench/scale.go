package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bindex "github.com/blevesearch/bleve_index_api"

	"kechuang/data"
	"kechuang/internal/search"
	"kechuang/internal/search/classify"
	"kechuang/internal/search/matcheval"
)

var (
	scaleSizes   = flag.String("sizes", "", "scale: comma-separated numbers of listings (default: -n)")
	scaleEngines = flag.String("engines", "kechuang,bleve", "scale: engines to run, each in its own processes")
	scaleQueries = flag.Int("queries", 1000, "scale: queries of each kind (problem demands, keyword searches)")
	scaleBuildP  = flag.Int("build-procs", 2, "scale: GOMAXPROCS while building")
	scaleRepeat  = flag.Int("repeat", 1, "scale: times to run each restart-and-query step")
	scaleChild   = flag.String("child", "", "scale: internal; build or serve")
	scaleEngine  = flag.String("engine", "", "scale: internal; the engine of a child")
	scaleDir     = flag.String("dir", "", "scale: internal; where a child keeps its index")
	scaleKeep    = flag.String("keep", "", "scale: keep the indexes in this directory (default: a temporary one, removed)")
)

// scale compares kechuang with stock Bleve (scorch, BM25) at each size.
// Every engine and size runs in child processes of its own, so resident
// memory is one engine's alone: a "build" child synthesises the listings
// (matcheval.Synth), indexes them and writes the index to disk (kechuang's
// snapshot; Bleve's scorch directory, closed); a "serve" child then
// restarts from that, as a server would, and runs the queries on procs
// cores. Each child prints one JSON line; scale prints them and a table.
func scale(dir string, n, procs int) error {
	if *scaleChild != "" {
		return scaleChildRun(dir, n, procs)
	}
	sizes := []int{n}
	if *scaleSizes != "" {
		sizes = nil
		for _, s := range strings.Split(*scaleSizes, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("-sizes: %w", err)
			}
			sizes = append(sizes, v)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tmp := *scaleKeep
	if tmp == "" {
		var err error
		if tmp, err = os.MkdirTemp("", "kechuang-scale"); err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
	}
	var rows []map[string]any
	for _, size := range sizes {
		for _, engine := range strings.Split(*scaleEngines, ",") {
			engineDir := filepath.Join(tmp, fmt.Sprintf("%s-%d", engine, size))
			row := map[string]any{"engine": engine, "listings": size, "started": time.Now().UTC().Format(time.RFC3339),
				"loadavg_before": loadAvg()}
			steps := []string{"build"}
			for range *scaleRepeat {
				steps = append(steps, "serve")
			}
			for i, step := range steps {
				args := []string{"-child", step, "-engine", engine, "-dir", engineDir, "-n", strconv.Itoa(size),
					"-procs", strconv.Itoa(procs), "-build-procs", strconv.Itoa(*scaleBuildP),
					"-queries", strconv.Itoa(*scaleQueries), "-eval", dir, "scale"}
				if f := flag.Lookup("cpuprofile"); f != nil && f.Value.String() != "" {
					args = append([]string{"-cpuprofile", fmt.Sprintf("%s.%s-%d-%s", f.Value.String(), engine, size, step)}, args...)
				}
				cmd := exec.Command(self, args...)
				cmd.Stderr = os.Stderr
				out, err := cmd.Output()
				if err != nil {
					return fmt.Errorf("%s %s %d: %w", step, engine, size, err)
				}
				fmt.Print(string(out))
				var m map[string]any
				if err := json.Unmarshal(out, &m); err != nil {
					return fmt.Errorf("%s %s %d: %w", step, engine, size, err)
				}
				key := step
				if step == "serve" {
					key = fmt.Sprintf("serve%d", i)
				}
				row[key] = m
			}
			if *scaleKeep == "" {
				os.RemoveAll(engineDir)
			}
			rows = append(rows, row)
		}
	}
	printScaleTable(rows)
	return nil
}

// scaleReport is what a child prints.
type scaleReport struct {
	Engine   string `json:"engine"`
	Step     string `json:"step"`
	Listings int    `json:"listings"`
	Procs    int    `json:"gomaxprocs"`

	// build
	BuildS        float64 `json:"build_s,omitempty"`
	BuildCPUS     float64 `json:"build_cpu_s,omitempty"`
	SynthCPUS     float64 `json:"synth_cpu_s,omitempty"` // making the listings, not counted in the build
	BuildRate     float64 `json:"build_listings_per_s,omitempty"`
	BuildRateCPU  float64 `json:"build_listings_per_cpu_s,omitempty"`
	SaveS         float64 `json:"save_s,omitempty"`
	DiskMB        float64 `json:"disk_mb,omitempty"`
	PeakHeapSaveM float64 `json:"peak_heap_mb_during_save,omitempty"`

	// serve
	RestartS   float64  `json:"restart_s,omitempty"`
	RestartCPU float64  `json:"restart_cpu_s,omitempty"`
	Problem    *latency `json:"problem,omitempty"`
	Keywords   *latency `json:"keywords,omitempty"`
	ResultHash string   `json:"result_hash,omitempty"`

	// both
	LiveHeapMB     float64 `json:"live_heap_mb"`
	BaseHeapMB     float64 `json:"base_heap_mb"`                 // before the index: the classifier model, the CSL records
	LiveHeapPerDoc float64 `json:"index_heap_bytes_per_listing"` // (live − base) / listings
	RSSMB          float64 `json:"rss_mb"`
	PeakRSSMB      float64 `json:"peak_rss_mb"`
	Model          string  `json:"scoring,omitempty"`
	LoadAvg        string  `json:"loadavg"`
}

// latency summarises one query set: wall time per query (which other load
// on the machine inflates) and the CPU time of the querying thread per
// query (which it does not; GC on other threads is left out, and shows in
// MeanProcessCPU).
type latency struct {
	Queries        int     `json:"queries"`
	P50ms          float64 `json:"p50_ms"`
	P99ms          float64 `json:"p99_ms"`
	CPUP50ms       float64 `json:"cpu_p50_ms"`
	CPUP99ms       float64 `json:"cpu_p99_ms"`
	MeanProcessCPU float64 `json:"mean_process_cpu_ms"`
}

type scaleEngineImpl interface {
	build(s *matcheval.Synth, n int, dir string) (synthCPU float64, err error)
	save(dir string) error
	open(dir string) error
	match(text string) []string  // a demand: top 10
	search(text string) []string // a keyword search: first page of 20
	close()
	scoring() string
}

func scaleChildRun(evalDir string, n, procs int) error {
	var e scaleEngineImpl
	switch *scaleEngine {
	case "kechuang":
		e = &kechuangScale{}
	case "bleve":
		e = &bleveScale{}
	default:
		return fmt.Errorf("unknown engine %q", *scaleEngine)
	}
	rep := scaleReport{Engine: *scaleEngine, Step: *scaleChild, Listings: n}
	if err := os.MkdirAll(*scaleDir, 0o750); err != nil {
		return err
	}
	switch *scaleChild {
	case "build":
		runtime.GOMAXPROCS(*scaleBuildP)
		recs, err := classify.ReadJSONL(data.FS, "csl/csl_dev.jsonl")
		if err != nil {
			return err
		}
		titles, err := classify.ReadJSONL(data.FS, "csl/csl_titles_category.jsonl")
		if err != nil {
			return err
		}
		if _, err := classify.Default(); err != nil { // loaded outside the timed build
			return err
		}
		synth := matcheval.NewSynth(recs, titles)
		base := liveHeap()
		cpu0, t0 := cpuSeconds(), time.Now()
		synthCPU, err := e.build(synth, n, *scaleDir)
		if err != nil {
			return err
		}
		rep.BuildS = time.Since(t0).Seconds()
		rep.SynthCPUS = synthCPU
		rep.BuildCPUS = cpuSeconds() - cpu0 - synthCPU
		rep.BuildRate = float64(n) / rep.BuildS
		rep.BuildRateCPU = float64(n) / rep.BuildCPUS
		heapAfter(&rep, n, base)
		peak := sampleHeapMB()
		t1 := time.Now()
		if err := e.save(*scaleDir); err != nil {
			return err
		}
		rep.SaveS = time.Since(t1).Seconds()
		rep.PeakHeapSaveM = peak()
		rep.DiskMB = dirMB(*scaleDir)
	case "serve":
		runtime.GOMAXPROCS(procs)
		if _, err := classify.Default(); err != nil { // a server has it loaded anyway
			return err
		}
		base := liveHeap()
		cpu0, t0 := cpuSeconds(), time.Now()
		if err := e.open(*scaleDir); err != nil {
			return err
		}
		rep.RestartS = time.Since(t0).Seconds()
		rep.RestartCPU = cpuSeconds() - cpu0
		heapAfter(&rep, n, base)
		problems, err := matcheval.ReadJSONL[matcheval.Query](filepath.Join(evalDir, "dev-problem.queries.jsonl"))
		if err != nil {
			return err
		}
		keywords, err := matcheval.ReadJSONL[matcheval.Query](filepath.Join(evalDir, "dev-keywords.queries.jsonl"))
		if err != nil {
			return err
		}
		h := fnv.New64a()
		rep.Problem = timeQueries(problems, *scaleQueries, e.match, h)
		rep.Keywords = timeQueries(keywords, *scaleQueries, e.search, h)
		rep.ResultHash = strconv.FormatUint(h.Sum64(), 16)
	default:
		return fmt.Errorf("unknown step %q", *scaleChild)
	}
	rep.Procs = runtime.GOMAXPROCS(0)
	rep.Model = e.scoring()
	rep.RSSMB = rssMB()
	rep.PeakRSSMB = maxRSSMB()
	rep.LoadAvg = loadAvg()
	e.close()
	return json.NewEncoder(os.Stdout).Encode(rep)
}

// liveHeap collects garbage and returns the heap in use.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func heapAfter(rep *scaleReport, n int, base uint64) {
	live := liveHeap()
	rep.LiveHeapMB = float64(live) / (1 << 20)
	rep.BaseHeapMB = float64(base) / (1 << 20)
	rep.LiveHeapPerDoc = (float64(live) - float64(base)) / float64(n)
}

// timeQueries runs the first max queries one at a time on a locked thread
// and hashes the results (so two restarts can be checked to agree).
func timeQueries(qs []matcheval.Query, limit int, run func(string) []string, h interface{ Write([]byte) (int, error) }) *latency {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	qs = qs[:min(limit, len(qs))]
	wall := make([]float64, 0, len(qs))
	cpu := make([]float64, 0, len(qs))
	p0 := cpuSeconds()
	for _, q := range qs {
		c0, t0 := threadCPU(), time.Now()
		ids := run(q.Text)
		wall = append(wall, float64(time.Since(t0).Nanoseconds())/1e6)
		cpu = append(cpu, (threadCPU()-c0)*1000)
		for _, id := range ids {
			h.Write([]byte(id))
		}
		h.Write([]byte{0})
	}
	l := &latency{Queries: len(qs), MeanProcessCPU: (cpuSeconds() - p0) * 1000 / float64(len(qs))}
	slices.Sort(wall)
	slices.Sort(cpu)
	l.P50ms, l.P99ms = pct(wall, 0.50), pct(wall, 0.99)
	l.CPUP50ms, l.CPUP99ms = pct(cpu, 0.50), pct(cpu, 0.99)
	return l
}

func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(p*float64(len(sorted)-1)+0.5)]
}

// threadCPU is the calling thread's CPU time in seconds, from
// CLOCK_THREAD_CPUTIME_ID (getrusage's per-thread figure moves in 4 ms
// ticks, coarser than a query).
func threadCPU() float64 {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return float64(ts.Nano()) / 1e9
}

func rssMB() float64 {
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

// sampleHeapMB samples the heap in use every 5 ms until the returned
// function is called, which returns the largest sample.
func sampleHeapMB() func() float64 {
	stop, done := make(chan struct{}), make(chan float64)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				done <- float64(peak) / (1 << 20)
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() float64 { close(stop); return <-done }
}

func dirMB(dir string) float64 {
	var total int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			total += fi.Size()
		}
		return nil
	})
	return float64(total) / (1 << 20)
}

// synthChunks makes listings [0, n) in chunks on every core, calling put
// with each chunk in order, and returns the CPU seconds spent making them.
func synthChunks(s *matcheval.Synth, n, chunk int, put func([]search.Document) error) (float64, error) {
	var synthCPU float64
	for start := 0; start < n; start += chunk {
		c0 := cpuSeconds()
		docs := make([]search.Document, min(chunk, n-start))
		workers := runtime.GOMAXPROCS(0)
		done := make(chan struct{})
		for w := range workers {
			go func() {
				for i := w; i < len(docs); i += workers {
					docs[i] = s.Listing(start + i)
				}
				done <- struct{}{}
			}()
		}
		for range workers {
			<-done
		}
		synthCPU += cpuSeconds() - c0
		if err := put(docs); err != nil {
			return synthCPU, err
		}
	}
	return synthCPU, nil
}

// kechuangScale is kechuang's index as the market's Indexer uses it.
type kechuangScale struct{ ix *search.Index }

func (k *kechuangScale) build(s *matcheval.Synth, n int, _ string) (float64, error) {
	ix, err := search.New(search.Options{})
	if err != nil {
		return 0, err
	}
	k.ix = ix
	return synthChunks(s, n, 8192, func(docs []search.Document) error { return ix.PutAll(docs, runtime.GOMAXPROCS(0)) })
}

func (k *kechuangScale) save(dir string) error {
	return k.ix.SaveFile(filepath.Join(dir, "listings.idx"))
}

func (k *kechuangScale) open(dir string) (err error) {
	k.ix, err = search.OpenFile(filepath.Join(dir, "listings.idx"), search.Options{})
	return err
}

func (k *kechuangScale) match(text string) []string {
	hits := k.ix.Match(search.Document{Text: text}, search.MatchOptions{Limit: 10, Bare: true})
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

// search runs a keyword search as the market's search page does: the
// first page of 20 with snippets and the counts of the eight facets.
func (k *kechuangScale) search(text string) []string {
	res := k.ix.Search(search.Query{Text: text, Limit: 20,
		Facets: []string{"kind", "domain", "industry", "region", "trl", "mode", "band", "owner"}})
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

func (k *kechuangScale) close()          {}
func (k *kechuangScale) scoring() string { return "bm25f + topic agreement" }

// bleveScale is stock Bleve: a scorch index on disk, the cjk analyzer,
// BM25 scoring, a plain match query.
type bleveScale struct{ idx bleve.Index }

func (b *bleveScale) build(s *matcheval.Synth, n int, dir string) (float64, error) {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = cjk.AnalyzerName
	m.ScoringModel = bindex.BM25Scoring
	path := filepath.Join(dir, "bleve")
	idx, err := bleve.NewUsing(path, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return 0, err
	}
	b.idx = idx
	return synthChunks(s, n, 8192, func(docs []search.Document) error {
		for start := 0; start < len(docs); start += 1000 {
			batch := idx.NewBatch()
			for _, d := range docs[start:min(len(docs), start+1000)] {
				if err := batch.Index(d.ID, map[string]any{"title": d.Title, "keywords": strings.Join(d.Keywords, " "), "text": d.Text}); err != nil {
					return err
				}
			}
			if err := idx.Batch(batch); err != nil {
				return err
			}
		}
		return nil
	})
}

// save closes the index, which waits for scorch to persist its segments.
func (b *bleveScale) save(string) error {
	err := b.idx.Close()
	b.idx = nil
	return err
}

func (b *bleveScale) open(dir string) (err error) {
	b.idx, err = bleve.Open(filepath.Join(dir, "bleve"))
	return err
}

func (b *bleveScale) query(text string, n int) []string {
	res, err := b.idx.Search(bleve.NewSearchRequestOptions(bleve.NewMatchQuery(text), n, 0, false))
	if err != nil {
		panic(err)
	}
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.ID
	}
	return out
}

func (b *bleveScale) match(text string) []string  { return b.query(text, 10) }
func (b *bleveScale) search(text string) []string { return b.query(text, 20) }

func (b *bleveScale) close() {
	if b.idx != nil {
		b.idx.Close()
	}
}

// scoring reports the index type and the scoring model Bleve actually
// used, read from a search's explanation: BM25's has a saturation factor,
// TF-IDF's does not.
func (b *bleveScale) scoring() string {
	if b.idx == nil {
		return "scorch (closed)"
	}
	adv, err := b.idx.Advanced()
	if err != nil {
		return err.Error()
	}
	kind := fmt.Sprintf("%T", adv)
	req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery("研究"), 1, 0, true)
	res, err := b.idx.Search(req)
	if err != nil || len(res.Hits) == 0 || res.Hits[0].Expl == nil {
		return kind + ", scoring unknown"
	}
	if strings.Contains(res.Hits[0].Expl.String(), "saturation(") {
		return kind + ", BM25"
	}
	return kind + ", TF-IDF"
}

func printScaleTable(rows []map[string]any) {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	get := func(row map[string]any, step, key string) float64 {
		m, _ := row[step].(map[string]any)
		if m == nil {
			return 0
		}
		if i := strings.IndexByte(key, '.'); i > 0 {
			m, _ = m[key[:i]].(map[string]any)
			key = key[i+1:]
		}
		v, _ := m[key].(float64)
		return v
	}
	fmt.Fprintln(w, "\n| listings | engine | build listings/s (per CPU-s) | live heap MiB after restart (index B/listing) | RSS MiB after queries | disk MiB | restart s | demand p50 / p99 ms (CPU p99) | search p50 / p99 ms (CPU p99) |")
	fmt.Fprintln(w, "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rows {
		for k := range r {
			if !strings.HasPrefix(k, "serve") {
				continue
			}
			fmt.Fprintf(w, "| %d | %s | %.0f (%.0f) | %.0f (%.0f) | %.0f | %.0f | %.2f | %.2f / %.2f (%.2f) | %.2f / %.2f (%.2f) |\n",
				r["listings"], r["engine"], get(r, "build", "build_listings_per_s"), get(r, "build", "build_listings_per_cpu_s"),
				get(r, k, "live_heap_mb"), get(r, k, "index_heap_bytes_per_listing"), get(r, k, "rss_mb"), get(r, "build", "disk_mb"),
				get(r, k, "restart_s"),
				get(r, k, "problem.p50_ms"), get(r, k, "problem.p99_ms"), get(r, k, "problem.cpu_p99_ms"),
				get(r, k, "keywords.p50_ms"), get(r, k, "keywords.p99_ms"), get(r, k, "keywords.cpu_p99_ms"))
		}
	}
}
