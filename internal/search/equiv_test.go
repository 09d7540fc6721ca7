package search

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"kechuang/data"
	"kechuang/internal/search/classify"
)

// The index keeps its postings compressed and ranks by visiting only the
// blocks of documents that can still hold a result. These tests check that
// neither changes a result: they rank every document from scratch, the
// plain way (re-analysing each document's text for its term frequencies,
// scoring all of them, sorting), and compare IDs and scores bit for bit.

// cslCorpus builds n listings from the embedded CSL records, with facets
// and sort keys, and a set of queries of every kind the tasks use.
func cslCorpus(t testing.TB, n int) ([]Document, []string) {
	t.Helper()
	recs, err := classify.ReadJSONL(data.FS, "csl/csl_dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	domains := []string{"电子信息", "新材料", "生物与新医药", "先进制造与自动化"}
	docs := make([]Document, n)
	for i := range docs {
		r := recs[i%len(recs)]
		title := r.Title
		if i >= len(recs) {
			title = fmt.Sprintf("%s(%d)", r.Title, i/len(recs))
		}
		facets := map[string][]string{"kind": {[]string{"achievement", "demand"}[i%2]}, "domain": {domains[i%len(domains)]}}
		if i%3 == 0 {
			facets["mode"] = []string{"license", "transfer"}
		}
		sorts := map[string]float64{"published": float64(i * 7 % 1000)}
		if i%4 == 0 {
			sorts["price"] = float64(i % 13)
		}
		docs[i] = Document{ID: fmt.Sprintf("d%04d", i), Title: title, Keywords: r.Keywords, Text: r.Abstract, Facets: facets, Sort: sorts}
	}
	// Fields longer than the packed lengths hold (see shortLens).
	long := &docs[n/2]
	long.Title = strings.Repeat(long.Title, 40)
	for range 200 {
		long.Keywords = append(long.Keywords, recs[0].Keywords...)
	}
	var queries []string
	for i := 0; i < len(recs) && len(queries) < 90; i += 37 {
		r := recs[i]
		first, _, _ := strings.Cut(r.Abstract, ".")
		queries = append(queries, strings.Join(r.Keywords, " "), r.Title, first)
	}
	queries = append(queries, "研究", "CRlSPR 基因编辑", "5G 基站 滤波器 PEEK", "")
	return docs, queries
}

// refIndex is the plain reference: the live documents with their term
// frequencies found by analysing them again.
type refIndex struct {
	ix   *Index
	docs map[string]*refDoc
}

type refKey struct {
	kind int
	text string
}

type refDoc struct {
	d     Document
	ord   uint32
	tf    map[refKey][numFields]uint8
	lens  [numFields]float32
	topic Topic
}

func newRef(ix *Index, docs map[string]Document) *refIndex {
	r := &refIndex{ix: ix, docs: map[string]*refDoc{}}
	for id, d := range docs {
		rd := &refDoc{d: d, tf: map[refKey][numFields]uint8{}}
		add := func(f Field, text string) {
			for _, t := range ix.an.Tokens(text, nil) {
				k := refKey{int(t.Kind), t.Text}
				v := rd.tf[k]
				addTF(&v, f)
				rd.tf[k] = v
				rd.lens[f]++
			}
		}
		add(FieldTitle, d.Title)
		for _, k := range d.Keywords {
			add(FieldKeywords, k)
		}
		add(FieldText, d.Text)
		rd.ord = ix.byID[id]
		rd.topic = ix.topic(rd.ord)
		r.docs[id] = rd
	}
	return r
}

// lex is the lexical score of every live document, summed in float32 in
// query-term order as the index does.
func (r *refIndex) lex(qs []qterm, w Weights) map[string]float32 {
	wf, invAvg := r.ix.fieldNorms(w)
	out := map[string]float32{}
	for id, d := range r.docs {
		var v float32
		for _, q := range qs {
			tf, ok := d.tf[refKey{q.kind, q.text}]
			if !ok {
				continue
			}
			v += float32(q.idf * q.weight * bm25f(tf[:], &d.lens, &wf, &invAvg, w.K1, w.B))
		}
		out[id] = v
	}
	return out
}

type refHit struct {
	ID    string
	Score float64
}

func (r *refIndex) match(text string, opt MatchOptions) []refHit {
	ix := r.ix
	w := ix.w
	qt := ix.cls.Classify(text)
	if nc, ok := ix.cls.(NeighbourClassifier); ok && w.Neighbours != 0 && w.Topic != 0 {
		qt.Disciplines = classify.MixLabels(qt.Disciplines, nc.Neighbours(text), w.Neighbours)
	}
	qs := ix.queryTerms(text, w)
	lex := r.lex(qs, w)
	bound := 0.0
	for _, q := range qs {
		bound += q.idf * q.weight
	}
	if bound == 0 {
		bound = 1
	}
	agree := map[string]float32{}
	for id, d := range r.docs {
		var a float32
		for _, l := range qt.Disciplines {
			for _, m := range d.topic.Disciplines {
				if m.Name == l.Name {
					a += float32(l.P) * float32(m.P)
				}
			}
		}
		agree[id] = a
	}
	for _, id := range opt.Exclude {
		lex[id], agree[id] = 0, 0
	}
	var pos []float32
	for _, v := range lex {
		if v > 0 {
			pos = append(pos, v)
		}
	}
	slices.SortFunc(pos, func(a, b float32) int { return cmp.Compare(b, a) })
	ref := 0.0
	if len(pos) >= w.KneeRank {
		ref = float64(pos[w.KneeRank-1]) / bound
	} else if w.KneeShortPack && ix.live >= shortPackMinListings && len(pos) > 0 {
		ref = float64(pos[len(pos)-1]) / bound
	}
	var hits []refHit
	for id, d := range r.docs {
		if lex[id] == 0 && agree[id] == 0 || !refPasses(d.d, opt.Filters) {
			continue
		}
		hits = append(hits, refHit{id, w.combine(float64(lex[id])/bound, ref, float64(agree[id]))})
	}
	slices.SortFunc(hits, func(a, b refHit) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return strings.Compare(a.ID, b.ID)
	})
	limit := opt.Limit
	if limit <= 0 {
		limit = 10
	}
	return hits[:min(limit, len(hits))]
}

func refPasses(d Document, filters map[string][]string) bool {
	for name, want := range filters {
		ok := false
		for _, v := range want {
			ok = ok || slices.Contains(d.Facets[name], v)
		}
		if !ok {
			return false
		}
	}
	return true
}

type refResult struct {
	Total  int
	Hits   []refHit
	Facets map[string][]FacetCount
}

func (r *refIndex) search(q Query) refResult {
	ix := r.ix
	w := ix.w
	type c struct {
		d     *refDoc
		score float64
	}
	var cands []c
	if strings.TrimSpace(q.Text) == "" {
		for _, d := range r.docs {
			if refPasses(d.d, q.Filters) {
				cands = append(cands, c{d, 0})
			}
		}
	} else {
		qs := ix.queryTerms(q.Text, w)
		lex := r.lex(qs, w)
		bound := 0.0
		for _, q := range qs {
			bound += q.idf * q.weight
		}
		var best float32
		for _, v := range lex {
			best = max(best, v)
		}
		for id, v := range lex {
			if v > 0 && v >= best*searchCutoff && refPasses(r.docs[id].d, q.Filters) {
				cands = append(cands, c{r.docs[id], float64(v) / bound})
			}
		}
	}
	res := refResult{Total: len(cands)}
	if len(q.Facets) > 0 {
		res.Facets = map[string][]FacetCount{}
		for _, name := range q.Facets {
			counts := map[string]int{}
			for _, x := range cands {
				for _, v := range x.d.d.Facets[name] {
					counts[v]++
				}
			}
			fc := []FacetCount{}
			for v, n := range counts {
				fc = append(fc, FacetCount{v, n})
			}
			slices.SortFunc(fc, func(a, b FacetCount) int {
				if a.Count != b.Count {
					return b.Count - a.Count
				}
				return strings.Compare(a.Value, b.Value)
			})
			res.Facets[name] = fc
		}
	}
	key, desc := strings.CutPrefix(q.Sort, "-")
	slices.SortFunc(cands, func(a, b c) int {
		if key != "" {
			va, oka := a.d.d.Sort[key]
			vb, okb := b.d.d.Sort[key]
			switch {
			case oka && !okb:
				return -1
			case !oka && okb:
				return 1
			case va != vb:
				if desc {
					return cmp.Compare(vb, va)
				}
				return cmp.Compare(va, vb)
			}
		}
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return strings.Compare(a.d.d.ID, b.d.d.ID)
	})
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	for i := q.Offset; i < len(cands) && i < q.Offset+limit; i++ {
		res.Hits = append(res.Hits, refHit{cands[i].d.d.ID, cands[i].score})
	}
	return res
}

func matchIDs(hits []Hit) []refHit {
	if len(hits) == 0 {
		return nil
	}
	out := make([]refHit, len(hits))
	for i, h := range hits {
		out[i] = refHit{h.ID, h.Score}
	}
	return out
}

// checkAgainstRef compares Match and Search with the reference for every
// query, with and without filters, exclusions, sorting and paging.
func checkAgainstRef(t *testing.T, ix *Index, live map[string]Document, queries []string) {
	t.Helper()
	ref := newRef(ix, live)
	for i, q := range queries {
		opts := []MatchOptions{{Limit: 10}, {Limit: 25, Filters: map[string][]string{"kind": {"achievement"}}, Exclude: []string{"d0001", "d0040", "d0100"}}}
		for _, opt := range opts {
			opt.Bare = true
			got := matchIDs(ix.Match(Document{Text: q}, opt))
			want := ref.match(q, opt)
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Fatalf("Match(%q, %+v) differs from the exhaustive ranking (-want +got):\n%s", q, opt, diff)
			}
		}
		sq := []Query{
			{Text: q, Facets: []string{"kind", "domain", "mode", "none"}},
			{Text: q, Filters: map[string][]string{"domain": {"新材料", "电子信息"}}, Sort: "-published", Offset: 3, Limit: 7},
			{Text: q, Sort: "price", Limit: 5 + i%20},
		}
		for _, query := range sq {
			res := ix.Search(query)
			got := refResult{Total: res.Total, Facets: res.Facets, Hits: matchIDs(res.Hits)}
			want := ref.search(query)
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Fatalf("Search(%+v) differs from the exhaustive ranking (-want +got):\n%s", query, diff)
			}
		}
	}
}

// TestRankingMatchesExhaustive guards the block-skipping ranker and the
// compressed postings: on 2,500 CSL listings, after replacements and
// deletions (dead ordinals) and after the compaction they trigger, every
// Match and Search equals the exhaustive ranking.
func TestRankingMatchesExhaustive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 2,500-listing index")
	}
	t.Parallel()
	docs, queries := cslCorpus(t, 2500)
	ix, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.PutAll(docs, 2); err != nil {
		t.Fatal(err)
	}
	live := map[string]Document{}
	for _, d := range docs {
		live[d.ID] = d
	}
	// Dead ordinals: replace some documents and delete others, below the
	// compaction threshold.
	for i := 0; i < 400; i += 7 {
		d := docs[i]
		d.Text = docs[(i+1000)%len(docs)].Text
		if err := ix.Put(d); err != nil {
			t.Fatal(err)
		}
		live[d.ID] = d
		ix.Delete(docs[i+3].ID)
		delete(live, docs[i+3].ID)
	}
	if ix.deleted == 0 {
		t.Fatal("no dead ordinals")
	}
	checkAgainstRef(t, ix, live, queries[:30])
	before := len(ix.ids)
	for i := 1000; i < 1800; i++ {
		ix.Delete(docs[i].ID)
		delete(live, docs[i].ID)
	}
	if len(ix.ids) >= before {
		t.Fatalf("%d ordinals after deleting 800 of %d: compaction did not run", len(ix.ids), before)
	}
	checkAgainstRef(t, ix, live, queries)
}

// TestSnapshotConcurrentSave guards the snapshot written without the lock:
// a save that runs while documents are put, replaced and deleted (enough
// to compact) and searches run must restore exactly the index as it was
// when the save began.
func TestSnapshotConcurrentSave(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1,500-listing index")
	}
	t.Parallel()
	docs, queries := cslCorpus(t, 1500)
	ix, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.PutAll(docs[:1000], 2); err != nil {
		t.Fatal(err)
	}
	ix.Delete(docs[5].ID)
	ix.SetSeq(77)
	type answer struct {
		Search Result
		Match  []Hit
	}
	ask := func(ix *Index) []answer {
		var out []answer
		for _, q := range queries[:30] {
			out = append(out, answer{ix.Search(Query{Text: q, Facets: []string{"kind", "domain", "mode"}}), ix.Match(Document{Text: q}, MatchOptions{})})
		}
		return out
	}
	want := ask(ix)

	// The writer blocks until the test has changed the index, so the
	// changes certainly happen while the snapshot is being written.
	pr, pw := io.Pipe()
	captured := make(chan struct{})
	ix.saveCaptured = func() { close(captured) }
	saved := make(chan error, 1)
	go func() { saved <- ix.Save(pw); pw.Close() }()
	<-captured
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 1000; i < 1500; i++ {
			if err := ix.Put(docs[i]); err != nil {
				t.Error(err)
			}
		}
		for i := 0; i < 700; i++ {
			ix.Delete(docs[i].ID) // compacts
		}
		ix.SetSeq(99)
	})
	wg.Go(func() {
		for range 3 {
			ask(ix)
		}
	})
	wg.Wait()
	snap, err := io.ReadAll(pr)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
	got, err := Load(bytes.NewReader(snap), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq() != 77 || got.Len() != 999 {
		t.Errorf("restored Seq, Len = %d, %d, want 77, 999", got.Seq(), got.Len())
	}
	if diff := gocmp.Diff(want, ask(got)); diff != "" {
		t.Errorf("restored index answers differently from the index when the save began (-want +got):\n%s", diff)
	}
	if ix.Len() != 1500-700 || ix.Seq() != 99 { // docs[5] was deleted before
		t.Errorf("live index Len, Seq = %d, %d after the writes", ix.Len(), ix.Seq())
	}
}

// TestPackTextRoundTrip checks that packed text restores every string,
// including invalid UTF-8 and runes outside the two-byte ranges.
func TestPackTextRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []string{"", "abc", "高温合金涡轮叶片激光增材修复", "，。、“”《》（）：；℃±≤μα鸟黄齿龟", "𠀀𪚥 emoji 😀", "\xff\xfe bad \xe4\xb8", "\x00\x7f\u0080\u07ff\u0800\uffff\U0010ffff"}
	for _, s := range tests {
		p := packText(nil, s)
		if len(p) != packedLen(s) {
			t.Errorf("packedLen(%q) = %d, want %d", s, packedLen(s), len(p))
		}
		if got := unpackText(p); got != s {
			t.Errorf("unpackText(packText(%q)) = %q", s, got)
		}
	}
	var b strings.Builder
	for r := rune(0); r <= 0x10FFFF; r += 7 {
		b.WriteRune(r)
	}
	if s := b.String(); unpackText(packText(nil, s)) != s {
		t.Error("packText does not round-trip every seventh rune")
	}
	if got := len(packText(nil, "科技成果转化")); got != 12 {
		t.Errorf("six Chinese characters packed into %d bytes, want 12", got)
	}
}

// TestPostingsRoundTrip checks the posting encoding on ordinals and
// frequencies of every size, and the skip entries' lookup.
func TestPostingsRoundTrip(t *testing.T) {
	t.Parallel()
	var pl plist
	type posting struct {
		ord uint32
		tf  [numFields]uint8
	}
	var want []posting
	tfs := [][numFields]uint8{{0, 0, 1}, {0, 0, 2}, {1, 0, 0}, {3, 3, 15}, {4, 0, 1}, {255, 255, 255}, {0, 1, 0}, {2, 0, 16}}
	ord := uint32(0)
	for i := range 1000 {
		want = append(want, posting{ord, tfs[i%len(tfs)]})
		pl.add(ord, tfs[i%len(tfs)])
		ord += uint32(1 + i*i%5000)
	}
	var got []posting
	pl.each(func(o uint32, tf [numFields]uint8) { got = append(got, posting{o, tf}) })
	if diff := gocmp.Diff(want, got, gocmp.AllowUnexported(posting{})); diff != "" {
		t.Fatalf("postings differ (-want +got):\n%s", diff)
	}
	for _, p := range want {
		if tf, ok := pl.tf(p.ord); !ok || tf != p.tf {
			t.Fatalf("tf(%d) = %v, %v, want %v", p.ord, tf, ok, p.tf)
		}
		if _, ok := pl.tf(p.ord + 1); ok && !slices.ContainsFunc(want, func(q posting) bool { return q.ord == p.ord+1 }) {
			t.Fatalf("tf(%d) found a posting that is not there", p.ord+1)
		}
	}
	if math.MaxUint32 > pl.last {
		if _, ok := pl.tf(pl.last + 1); ok {
			t.Error("tf past the last posting found one")
		}
	}
}
