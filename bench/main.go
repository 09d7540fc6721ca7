package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	bindex "github.com/blevesearch/bleve_index_api"

	"kechuang/data"
	"kechuang/internal/search"
	"kechuang/internal/search/analysis"
	"kechuang/internal/search/classify"
	"kechuang/internal/search/matcheval"
)

var tasks = []string{"keywords", "title", "problem", "field"}

func main() {
	evalDir := flag.String("eval", "/work/shared/data/eval", "directory with dev-TASK.{docs,queries}.jsonl")
	kfold := flag.Bool("kfold", true, "classify dev records with models trained without their fold")
	only := flag.String("tasks", strings.Join(tasks, ","), "comma-separated tasks")
	ablate := flag.Bool("ablate", true, "compare: also run the ablation rows")
	noBleve := flag.Bool("no-bleve", false, "compare: skip Bleve")
	n := flag.Int("n", 100000, "scale: number of listings")
	procs := flag.Int("procs", 1, "scale: GOMAXPROCS")
	grid := flag.String("grid", "[]", "tune: JSON list of search.Weights; pmi: JSON list of expansion sizes; lsi: JSON list of cosine weights; oracle: JSON list of shares")
	lsiDims := flag.Int("lsi-dims", 100, "lsi: SVD rank")
	lsiTitles := flag.Bool("lsi-titles", false, "lsi: train on csl_titles_category only")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile")
	idf := flag.Float64("idf", 0, "experiment: classify.IDFWeight (feature-weighted naive Bayes; 0 as shipped)")
	flag.Parse()
	classify.IDFWeight = *idf
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	var err error
	switch flag.Arg(0) {
	case "compare":
		err = compare(*evalDir, strings.Split(*only, ","), *kfold, *ablate, !*noBleve)
	case "scale":
		err = scale(*evalDir, *n, *procs)
	case "tune":
		err = tune(*evalDir, strings.Split(*only, ","), *grid)
	case "lexdist":
		err = lexdist(*evalDir, strings.Split(*only, ","))
	case "classify":
		err = classifyAcc()
	case "lsi":
		var ws []float64
		if err = json.Unmarshal([]byte(*grid), &ws); err == nil {
			err = lsiExp(*evalDir, strings.Split(*only, ","), ws, *lsiDims, *lsiTitles)
		}
	case "oracle":
		var ps []float64
		if err = json.Unmarshal([]byte(*grid), &ps); err == nil {
			err = oracleExp(*evalDir, strings.Split(*only, ","), ps)
		}
	case "labcollect":
		err = rankLabCollect(*evalDir, strings.Split(*only, ","), flag.Arg(1))
	case "labstats":
		err = labStats(flag.Arg(1))
	case "labstats2":
		err = labStats2(flag.Arg(1))
	case "labcalib":
		err = labCalib(flag.Arg(1))
	case "lab":
		err = rankLabRun(flag.Arg(1))
	case "idf":
		var ps []idfVariant
		if err = json.Unmarshal([]byte(*grid), &ps); err == nil {
			err = idfExp(*evalDir, strings.Split(*only, ","), ps, *ablate)
		}
	case "clsexp":
		err = clsExp(*grid)
	case "pmi":
		var es []int
		if err = json.Unmarshal([]byte(*grid), &es); err == nil {
			err = pmiExp(*evalDir, es)
		}
	default:
		err = fmt.Errorf("usage: bench [flags] compare|scale|classify|tune|lexdist|pmi|lsi|oracle")
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func load(dir, task string) ([]matcheval.Doc, []matcheval.Query, error) {
	docs, err := matcheval.ReadJSONL[matcheval.Doc](filepath.Join(dir, "dev-"+task+".docs.jsonl"))
	if err != nil {
		return nil, nil, err
	}
	qs, err := matcheval.ReadJSONL[matcheval.Query](filepath.Join(dir, "dev-"+task+".queries.jsonl"))
	return docs, qs, err
}

// crossFitted classifies each dev record with the model of its fold. The
// engine passes the exact strings built by Document.fullText, so the lookup
// is by that string; anything else falls back to the full model and is
// counted.
type crossFitted struct {
	byText   map[string]int
	models   []*classify.Model
	full     *classify.Model
	fallback int
	oracle   *oracle // nil except in the oracle experiment
}

func (c *crossFitted) Classify(text string) search.Topic {
	if k, ok := c.byText[text]; ok {
		return c.oracle.reveal(text, c.models[k].Classify(text))
	}
	c.fallback++
	return c.full.Classify(text)
}

const folds = 5

func newCrossFitted() (*crossFitted, []classify.Record, error) {
	dev, err := classify.ReadJSONL(data.FS, "csl/csl_dev.jsonl")
	if err != nil {
		return nil, nil, err
	}
	titles, err := classify.ReadJSONL(data.FS, "csl/csl_titles_category.jsonl")
	if err != nil {
		return nil, nil, err
	}
	a := analysis.Default()
	c := &crossFitted{byText: map[string]int{}}
	for k := range folds {
		var tr []classify.Record
		held := map[string]bool{}
		for _, r := range dev {
			if classify.Fold(r.ID, folds) != k {
				tr = append(tr, r)
			} else {
				held[strings.TrimSpace(r.Title)] = true
			}
		}
		// 40 dev records' titles are also among the category-labelled
		// titles; a fold's model must not see its own records that way.
		var tt []classify.Record
		for _, r := range titles {
			if !held[strings.TrimSpace(r.Title)] {
				tt = append(tt, r)
			}
		}
		c.models = append(c.models, classify.Train(a, tr, tt, classify.TrainOptions{}))
	}
	c.full, err = classify.Default()
	return c, dev, err
}

// Neighbours reports the nearest training records of the text's fold model,
// which were trained without that fold, as Classify does.
func (c *crossFitted) Neighbours(text string) []search.Label {
	if k, ok := c.byText[text]; ok {
		return c.models[k].Neighbours(text)
	}
	c.fallback++
	return c.full.Neighbours(text)
}

// load reads a task and registers its texts (see register).
func (c *crossFitted) load(dir, task string) ([]matcheval.Doc, []matcheval.Query, error) {
	docs, qs, err := load(dir, task)
	if err == nil {
		c.register(docs, qs)
	}
	return docs, qs, err
}

// register maps the texts the engine will classify for a task to folds.
func (c *crossFitted) register(docs []matcheval.Doc, qs []matcheval.Query) {
	for _, d := range docs {
		c.byText[d.Title+"\n\n"+d.Text] = classify.Fold(d.ID, folds)
	}
	for _, q := range qs {
		c.byText["\n\n"+q.Text] = classify.Fold(strings.TrimPrefix(q.ID, "q-"), folds)
	}
}

type variant struct {
	name string
	w    func(search.Weights) search.Weights
}

var variants = []variant{
	{"kechuang", func(w search.Weights) search.Weights { return w }},
	{"− topic agreement", func(w search.Weights) search.Weights { w.Topic = 0; return w }},
	{"− near-exact knee", func(w search.Weights) search.Weights { w.KneeSlope = 0; return w }},
	{"− bigrams (words only)", func(w search.Weights) search.Weights { w.Bigrams = 0; return w }},
	{"− words (bigrams only)", func(w search.Weights) search.Weights { w.Words = 0; return w }},
	{"− common-term pruning (MaxDF 0)", func(w search.Weights) search.Weights { w.MaxDF = 0; return w }},
	{"− field weights (all 1)", func(w search.Weights) search.Weights { w.Title, w.Keywords, w.Text = 1, 1, 1; return w }},
	{"− nearest training records (Neighbours 0)", func(w search.Weights) search.Weights { w.Neighbours = 0; return w }},
	{"− short-pack knee", func(w search.Weights) search.Weights { w.KneeShortPack = false; return w }},
	{"− both (the engine before these two)", func(w search.Weights) search.Weights { w.Neighbours, w.KneeShortPack = 0, false; return w }},
}

func compare(dir string, names []string, kfold, ablate, withBleve bool) error {
	var cf *crossFitted
	if kfold {
		var err error
		if cf, _, err = newCrossFitted(); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(os.Stdout)
	for _, task := range names {
		docs, qs, err := load(dir, task)
		if err != nil {
			return err
		}
		var opts search.Options
		if cf != nil {
			cf.register(docs, qs)
			opts.Classifier = cf
		}
		k := &matcheval.Kechuang{Options: opts}
		rep, err := matcheval.Run("kechuang", k, docs, qs)
		if err != nil {
			return err
		}
		emit(enc, task, rep)
		if ablate {
			base := k.Idx.Weights()
			for _, v := range variants[1:] {
				k.Idx.SetWeights(v.w(base))
				r, err := runQueries(v.name, k, docs, qs)
				if err != nil {
					return err
				}
				emit(enc, task, r)
			}
			k.Idx.SetWeights(base)
		}
		if withBleve {
			b := &bleveEngine{}
			rep, err := matcheval.Run("bleve-scorch-cjk-bm25", b, docs, qs)
			b.Close()
			if err != nil {
				return err
			}
			b.Desc.Task = task
			enc.Encode(b.Desc)
			emit(enc, task, rep)
		}
		if cf != nil && cf.fallback > 0 {
			fmt.Fprintf(os.Stderr, "warning: %d texts classified by the full model\n", cf.fallback)
			cf.fallback = 0
		}
	}
	return nil
}

// runQueries reruns the queries on an already built engine.
type prebuilt struct{ e matcheval.Engine }

func (p prebuilt) Index([]matcheval.Doc) error                      { return nil }
func (p prebuilt) Query(q matcheval.Query, n int) ([]string, error) { return p.e.Query(q, n) }

func runQueries(name string, e matcheval.Engine, docs []matcheval.Doc, qs []matcheval.Query) (matcheval.Report, error) {
	r, err := matcheval.Run(name, prebuilt{e}, docs, qs)
	r.BuildS = 0
	return r, err
}

func emit(enc *json.Encoder, task string, r matcheval.Report) {
	enc.Encode(struct {
		Task string `json:"task"`
		matcheval.Report
	}{task, r})
}

// bleveEngine is the stock-Bleve baseline: a scorch index in a temporary
// directory on disk (what bleve.New builds), the cjk analyzer, the BM25
// scoring model, a plain match query.
type bleveEngine struct {
	idx bleve.Index
	dir string
	// Desc is what the built index reports about itself (see describe).
	Desc bleveDesc
}

// bleveDesc is what a built baseline index reports: its storage type as
// written in the index's own index_meta.json, the Go type of the engine
// behind it, the scoring model of its mapping, and the model a probe
// query's explanation shows was really used.
type bleveDesc struct {
	Engine      string `json:"engine"`
	Task        string `json:"task,omitempty"`
	IndexType   string `json:"index_type"`
	IndexImpl   string `json:"index_impl"`
	MappingScor string `json:"mapping_scoring_model"`
	Scored      string `json:"scored_with"`
	Segments    string `json:"segments"`
	Dir         string `json:"dir"`
}

func (b *bleveEngine) Index(docs []matcheval.Doc) error {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = cjk.AnalyzerName
	m.ScoringModel = bindex.BM25Scoring
	var dm *mapping.DocumentMapping = bleve.NewDocumentMapping()
	m.DefaultMapping = dm
	// bleve.NewMemOnly would build the legacy upsidedown index, where the
	// BM25 scoring model is silently ignored (TF-IDF instead). This is
	// scorch on disk, in a temporary directory, as bleve.New builds.
	dir, err := os.MkdirTemp("", "bench-bleve-")
	if err != nil {
		return err
	}
	b.dir = filepath.Join(dir, "idx")
	idx, err := bleve.NewUsing(b.dir, m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return err
	}
	b.idx = idx
	batch := idx.NewBatch()
	for i, d := range docs {
		if err := batch.Index(d.ID, map[string]any{"title": d.Title, "text": d.Text}); err != nil {
			return err
		}
		if (i+1)%1000 == 0 {
			if err := idx.Batch(batch); err != nil {
				return err
			}
			batch = idx.NewBatch()
		}
	}
	if err := idx.Batch(batch); err != nil {
		return err
	}
	if err := b.settle(m); err != nil {
		return err
	}
	if len(docs) > 0 {
		probe := docs[0].Title + " " + docs[0].Text
		if err := checkBleve(b.idx, probe); err != nil {
			return err
		}
		b.Desc = describeBleve(b.idx, b.dir, probe)
	}
	return nil
}

// settle closes the index (scorch persists every segment), opens it again
// and merges it into one segment before any query. Bleve's BM25 takes the
// "average field length" as the sum over segments of the field's
// term-dictionary size divided by the document count
// (searcher.bm25ScoreMetrics, IndexSnapshot.FieldCardinality), so its
// scores depend on how the index happens to be segmented and on the
// background merger's timing; one segment makes the baseline reproducible.
func (b *bleveEngine) settle(m mapping.IndexMapping) error {
	if err := b.idx.Close(); err != nil {
		return err
	}
	idx, err := bleve.Open(b.dir)
	if err != nil {
		return err
	}
	b.idx = idx
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return fmt.Errorf("bleve baseline: engine %T, want scorch", adv)
	}
	return s.ForceMerge(context.Background(), &mergeplan.SingleSegmentMergePlanOptions)
}

// Close closes the index and removes its directory.
func (b *bleveEngine) Close() error {
	var err error
	if b.idx != nil {
		err = b.idx.Close()
		b.idx = nil
	}
	if b.dir != "" {
		os.RemoveAll(filepath.Dir(b.dir))
		b.dir = ""
	}
	return err
}

// describeBleve reads what idx reports about itself (see bleveDesc).
func describeBleve(idx bleve.Index, dir, probe string) bleveDesc {
	d := bleveDesc{Engine: "bleve-scorch-cjk-bm25", Dir: dir}
	var meta struct {
		Storage string `json:"storage"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "index_meta.json")); err != nil {
		d.IndexType = "unknown: " + err.Error()
	} else if err := json.Unmarshal(b, &meta); err != nil {
		d.IndexType = "unknown: " + err.Error()
	} else {
		d.IndexType = meta.Storage
	}
	if adv, err := idx.Advanced(); err == nil {
		d.IndexImpl = fmt.Sprintf("%T", adv)
		if s, ok := adv.(*scorch.Scorch); ok {
			st := s.StatsMap()
			d.Segments = fmt.Sprintf("%v on disk, %v in memory", st["TotFileSegmentsAtRoot"], st["TotMemorySegmentsAtRoot"])
		}
	}
	if im, ok := idx.Mapping().(*mapping.IndexMappingImpl); ok {
		d.MappingScor = im.ScoringModel
	}
	d.Scored = "unknown"
	res, err := idx.Search(bleve.NewSearchRequestOptions(bleve.NewMatchQuery(probe), 1, 0, true))
	if err == nil && len(res.Hits) > 0 && res.Hits[0].Expl != nil {
		if strings.Contains(res.Hits[0].Expl.String(), "saturation(") {
			d.Scored = "BM25 (explanation has the saturation term)"
		} else {
			d.Scored = "TF-IDF (no saturation term: " + res.Hits[0].Expl.Message + ")"
		}
	}
	return d
}

// checkBleve fails unless idx is a scorch index that scores probe's hits
// with BM25: the baseline must be the engine and model it claims to be.
func checkBleve(idx bleve.Index, probe string) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	if _, ok := adv.(*scorch.Scorch); !ok {
		return fmt.Errorf("bleve baseline: engine %T, want scorch", adv)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(probe), 1, 0, true)
	res, err := idx.Search(req)
	if err != nil {
		return err
	}
	if len(res.Hits) == 0 || res.Hits[0].Expl == nil {
		return fmt.Errorf("bleve baseline: probe query found nothing to explain")
	}
	// Bleve's BM25 term scorer, and only it, explains a saturation term;
	// its TF-IDF scorer explains a fieldNorm per document instead.
	var bm25 func(e *bsearch.Explanation) bool
	bm25 = func(e *bsearch.Explanation) bool {
		if e == nil {
			return false
		}
		if strings.HasPrefix(e.Message, "saturation(") {
			return true
		}
		return slices.ContainsFunc(e.Children, bm25)
	}
	if !bm25(res.Hits[0].Expl) {
		return fmt.Errorf("bleve baseline: hits are not scored with BM25 (%s)", res.Hits[0].Expl.Message)
	}
	return nil
}

func (b *bleveEngine) Query(q matcheval.Query, n int) ([]string, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(q.Text), n+len(q.Exclude), 0, false)
	res, err := b.idx.Search(req)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, h := range res.Hits {
		skip := false
		for _, x := range q.Exclude {
			skip = skip || x == h.ID
		}
		if !skip {
			ids = append(ids, h.ID)
		}
	}
	return ids, nil
}

func maxRSSMB() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.TrimSpace(string(b))
}

func classifyAcc() error {
	dev, err := classify.ReadJSONL(data.FS, "csl/csl_dev.jsonl")
	if err != nil {
		return err
	}
	titles, err := classify.ReadJSONL(data.FS, "csl/csl_titles_category.jsonl")
	if err != nil {
		return err
	}
	a := analysis.Default()
	for k := range folds {
		acc, _ := classify.Evaluate(a, dev, titles, k, folds, classify.TrainOptions{})
		fmt.Printf("held-out fold %d/%d (n=%d): category %.3f, discipline %.3f (with neighbours %.3f); keywords only: category %.3f, discipline %.3f (with neighbours %.3f)\n",
			k, folds, acc.N, acc.Category, acc.Discipline, acc.DisciplineMixed, acc.CategoryKW, acc.DisciplineKW, acc.DisciplineKWMixed)
	}
	return nil
}
