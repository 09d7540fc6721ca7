package search

import (
	"html"
	"html/template"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"kechuang/internal/search/analysis"
	"kechuang/internal/search/classify"
)

// Query is a full-text search request.
type Query struct {
	// Text is the user's query; empty text matches every document that
	// passes Filters.
	Text string
	// Filters keeps documents that have, for every named facet, at least one
	// of the listed values.
	Filters map[string][]string
	// Facets names the facets whose value counts Result.Facets reports, over
	// all matching documents (not only the returned page).
	Facets []string
	// Sort is "" for relevance, or a Document.Sort key, ascending, or with a
	// leading "-" descending. Ties fall back to relevance, then ID.
	Sort string
	// Offset and Limit page through the results; Limit 0 means 10.
	Offset, Limit int
}

// Result is a page of search results.
type Result struct {
	Total  int
	Hits   []Hit
	Facets map[string][]FacetCount
}

// FacetCount is one facet value and the number of matching documents
// carrying it.
type FacetCount struct {
	Value string
	Count int
}

// Hit is one ranked document.
type Hit struct {
	ID    string
	Score float64
	// Title is the whole title with query terms marked; Snippet is the
	// passage of the text with the most query terms, marked.
	Title, Snippet Snippet
	Explanation    Explanation
}

// Explanation says why a document ranked where it did.
type Explanation struct {
	// SharedTerms are the query words (and Latin terms) found in the
	// document, rarest first; bigram-only matches are not listed because
	// they read as noise, nor stop words (analysis.IsStop), nor, in a
	// large index, words most listings contain (see sharedMaxDF).
	SharedTerms []string
	// Corrections maps a misspelt query term to the indexed term it was
	// taken for, e.g. "crlspr" → "crispr".
	Corrections map[string]string
	// FieldScores splits the lexical score by field ("title", "keywords",
	// "text"); they sum to Lexical.
	FieldScores map[string]float64
	// Lexical is the BM25F score divided by its upper bound for this query,
	// so it lies in [0, 1).
	Lexical float64
	// TopicAgreement is Σ P_query(d)·P_doc(d) over predicted disciplines d:
	// the probability that both sides belong to the same discipline. In
	// Match, Score = Lexical + Weights.Topic × TopicAgreement + the
	// near-exact-match bonus (see Weights.Knee).
	TopicAgreement float64
	// Query and Doc are the predicted topics of both sides; in Match the
	// demand's disciplines include the vote of its nearest training
	// records (Weights.Neighbours).
	Query, Doc Topic
	// SameCategory and SameDiscipline compare the top predicted labels.
	SameCategory, SameDiscipline bool
}

// Shared terms worth showing: in a market of at least sharedMinListings
// listings, a word found in more than sharedMaxDF of them (进行, 研究,
// 提出, 分析 in abstracts) explains no match, however often it is shared.
// It still scores; it is only not listed as a reason.
const (
	sharedMinListings = 200
	sharedMaxDF       = 0.05
)

// specific reports whether q is worth listing as a shared term: not a stop
// word (analysis.IsStop) and rare enough.
func (ix *Index) specific(q qterm) bool {
	if analysis.IsStop(q.text) {
		return false
	}
	return ix.live < sharedMinListings || float64(q.pl.n) <= sharedMaxDF*float64(ix.live)
}

// Specific reports whether term, a shared term of some match (an
// Explanation's SharedTerms), would be listed as a reason by a match in
// this index: not a stop word and, in an index of at least 200 documents,
// found in at most 5% of them. Matching against a small index of other
// records (people, say) asks the market's own index, whose frequencies
// say which words explain nothing (技术, 生产).
func (ix *Index) Specific(term string) bool {
	if analysis.IsStop(term) {
		return false
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.live < sharedMinListings {
		return true
	}
	n := uint32(0)
	for k := range numKinds {
		if k == bigramKind {
			continue
		}
		if pl := ix.terms[k][term]; pl != nil {
			n = max(n, pl.n)
		}
	}
	return float64(n) <= sharedMaxDF*float64(ix.live)
}

// Span is a byte range [Start, End) of a Snippet's Text.
type Span struct{ Start, End int }

// Snippet is plain text with marked ranges; render it with HTML.
type Snippet struct {
	Text  string
	Marks []Span
}

// HTML escapes the text and wraps marked ranges in <mark>.
func (s Snippet) HTML() template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range s.Marks {
		b.WriteString(html.EscapeString(s.Text[last:m.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(s.Text[m.Start:m.End]))
		b.WriteString("</mark>")
		last = m.End
	}
	b.WriteString(html.EscapeString(s.Text[last:]))
	return template.HTML(b.String()) //nolint:gosec // every piece above is escaped
}

// searchCutoff drops documents scoring under this share of the best score
// from Search results: with OR semantics over bigrams nearly every document
// shares some pair of characters with a query, and counting those in
// facets and totals would make them meaningless.
const searchCutoff = 0.25

// Search runs q. It never fails; an empty index gives an empty Result.
func (ix *Index) Search(q Query) Result {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	w := ix.w
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	var qs []qterm
	if strings.TrimSpace(q.Text) != "" {
		qs = ix.queryTerms(q.Text, w)
	}
	cands, total, facets, bound := ix.searchCands(q, qs, w, q.Offset+limit)
	res := Result{Total: total, Facets: facets}
	if q.Offset < len(cands) {
		cands = cands[q.Offset:]
	} else {
		cands = nil
	}
	qt := Topic{}
	for _, c := range cands {
		res.Hits = append(res.Hits, ix.hit(c, qs, bound, qt, w, false))
	}
	return res
}

// MatchOptions tune Match.
type MatchOptions struct {
	// Limit is the number of hits; 0 means 10.
	Limit int
	// Filters as in Query.
	Filters map[string][]string
	// Exclude lists document IDs never to return (the demand's own listing,
	// listings already shown).
	Exclude []string
	// Bare skips snippets and explanations, for callers that need only
	// ranked IDs and scores.
	Bare bool
}

// Match ranks indexed achievements for a demand: BM25F over the demand's
// text plus Weights.Topic × the agreement of predicted disciplines (the
// demand's mixed with those of its nearest training records, see
// Weights.Neighbours). Every hit carries an Explanation.
func (ix *Index) Match(demand Document, opt MatchOptions) []Hit {
	text := demand.fullText()
	qt := ix.cls.Classify(text)
	w := ix.Weights()
	if nc, ok := ix.cls.(NeighbourClassifier); ok && w.Neighbours != 0 && w.Topic != 0 {
		qt.Disciplines = classify.MixLabels(qt.Disciplines, nc.Neighbours(text), w.Neighbours)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.match(text, qt, opt, w)
}

func (ix *Index) match(text string, qt Topic, opt MatchOptions, w Weights) []Hit {
	limit := opt.Limit
	if limit <= 0 {
		limit = 10
	}
	top, qs, bound := ix.rank(text, qt, opt, w, limit)
	hits := make([]Hit, len(top))
	for i, c := range top {
		if opt.Bare {
			hits[i] = Hit{ID: ix.ids[c.ord], Score: c.score}
			continue
		}
		hits[i] = ix.hit(c, qs, bound, qt, w, true)
	}
	return hits
}

// hit builds the snippets and explanation of one candidate.
func (ix *Index) hit(c cand, qs []qterm, bound float64, qt Topic, w Weights, withTopic bool) Hit {
	h := Hit{ID: ix.ids[c.ord], Score: c.score}
	rec := ix.record(c.ord)
	ex := Explanation{FieldScores: map[string]float64{}}
	wf, invAvg := ix.fieldNorms(w)
	marks := map[int]map[string]bool{}
	var shared []qterm
	for _, q := range qs {
		tfs, ok := q.pl.tf(c.ord)
		if !ok {
			continue
		}
		// A search marks every query word found; a match marks only what
		// it would list as shared, so the snippet and the reasons agree.
		if !withTopic || ix.specific(q) {
			if marks[q.kind] == nil {
				marks[q.kind] = map[string]bool{}
			}
			marks[q.kind][q.text] = true
		}
		tf := tfs[:]
		total := q.idf * q.weight * bm25f(tf, &ix.lens[c.ord], &wf, &invAvg, w.K1, w.B)
		var parts [numFields]float64
		var sum float64
		for f := range numFields {
			if tf[f] != 0 {
				parts[f] = wf[f] * float64(tf[f]) / (1 - w.B + w.B*float64(ix.lens[c.ord][f])*invAvg[f])
				sum += parts[f]
			}
		}
		for f := range numFields {
			if parts[f] > 0 && bound > 0 {
				// BM25F saturates the weighted sum, so a field's share of
				// the term's score is its share of that sum.
				ex.FieldScores[f.String()] += total * parts[f] / sum / bound
			}
		}
		if q.kind != bigramKind && ix.specific(q) {
			shared = append(shared, q)
		}
		if q.typoOf != "" {
			if ex.Corrections == nil {
				ex.Corrections = map[string]string{}
			}
			ex.Corrections[q.typoOf] = q.text
		}
	}
	// The rarest terms say most about why the two belong together.
	slices.SortStableFunc(shared, func(a, b qterm) int { return cmpFloat(b.idf, a.idf) })
	for _, q := range shared {
		ex.SharedTerms = append(ex.SharedTerms, q.text)
	}
	// Sum in field order: map order would make the last bits of the float
	// differ from run to run.
	for f := range numFields {
		ex.Lexical += ex.FieldScores[f.String()]
	}
	topic := ix.topic(c.ord)
	if withTopic {
		ex.Query, ex.Doc = qt, topic
		ex.TopicAgreement = agreementOf(qt, topic)
		ex.SameCategory = len(qt.Categories) > 0 && len(topic.Categories) > 0 && qt.Categories[0].Name == topic.Categories[0].Name
		ex.SameDiscipline = len(qt.Disciplines) > 0 && len(topic.Disciplines) > 0 && qt.Disciplines[0].Name == topic.Disciplines[0].Name
	} else {
		ex.Doc = topic
	}
	h.Explanation = ex
	title, text := rec.titleText()
	h.Title = ix.snippet(title, marks, 0)
	h.Snippet = ix.snippet(text, marks, snippetRunes)
	return h
}

// snippetRunes is the length of a text snippet.
const snippetRunes = 120

// snippet marks the tokens of text found in marks; with maxRunes > 0 it cuts
// the window of that many runes holding the most marks.
func (ix *Index) snippet(text string, marks map[int]map[string]bool, maxRunes int) Snippet {
	// The marked terms are found by substring search rather than by
	// analysing the text again: segmenting every hit's text cost half of a
	// search request at 100,000 listings (see findSpans).
	spans := findSpans(text, marks)
	if maxRunes <= 0 || utf8.RuneCountInString(text) <= maxRunes {
		return Snippet{Text: text, Marks: spans}
	}
	// Choose the window start (a mark start, backed off a little for
	// context) that covers the most marked bytes.
	start := windowStart(text, spans, maxRunes)
	start = backRunes(text, start, 10)
	end := byteAfterRunes(text, start, maxRunes)
	var out Snippet
	prefix := ""
	if start > 0 {
		prefix = "…"
	}
	out.Text = prefix + text[start:end]
	if end < len(text) {
		out.Text += "…"
	}
	for _, s := range spans {
		if s.Start >= start && s.End <= end {
			out.Marks = append(out.Marks, Span{s.Start - start + len(prefix), s.End - start + len(prefix)})
		}
	}
	return out
}

func byteAfterRunes(s string, from, n int) int {
	i := from
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

func backRunes(s string, from, n int) int {
	i := from
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// SuggestKeywords proposes up to n keywords for text, best first: known
// keywords of indexed documents found in the text come first, then
// dictionary words, Latin terms and whole compounds the text repeats,
// ranked by tf·idf against the index. Stop words (analysis.IsStop) are
// never proposed, nor compounds that begin or end with one.
func (ix *Index) SuggestKeywords(text string, n int) []string {
	toks := ix.an.Tokens(text, nil)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	type sc struct {
		term  string
		score float64
	}
	scores := map[string]float64{}
	nd := float64(ix.live) + 1
	dict := ix.an.Dict()
	idf := func(t analysis.Token) float64 {
		df := 0.0
		if pl := ix.terms[t.Kind][t.Text]; pl != nil {
			df = float64(pl.n)
		} else if t.Kind == analysis.Word {
			// A word the listings never used: how common it is in general
			// Chinese (the dictionary's frequency) stands in for its
			// document frequency, so 希望 and 生产 rank under 涡轮 and 裂纹
			// in an empty or young market. suggestUnseenShare maps a word
			// as frequent as 研究 to a quarter of the listings.
			share := 0.25
			if lp, ok := dict.LogProb(t.Text); ok {
				share = min(share, math.Exp(lp)*suggestUnseenShare)
			}
			df = nd * share
		}
		return math.Log(nd / (df + 1))
	}
	var words []analysis.Token
	starts, ends := map[int]bool{}, map[int]bool{}
	for _, t := range toks {
		if t.Kind == analysis.Word {
			starts[t.Start], ends[t.End] = true, true
		}
	}
	for _, t := range toks {
		if t.Kind == analysis.Bigram {
			continue
		}
		words = append(words, t)
		if utf8.RuneCountInString(t.Text) < 2 || analysis.IsStop(t.Text) || fragment(text, t, starts, ends, dict) {
			continue
		}
		scores[t.Text] += idf(t)
	}
	// Adjacent words that together form a keyword someone used before
	// (正片麻岩 from 正/片麻岩) beat their parts.
	for i := range words {
		for j := i + 1; j < len(words) && j < i+4; j++ {
			if words[j].Start != words[j-1].End {
				break
			}
			cand := strings.ToLower(text[words[i].Start:words[j].End])
			if c := ix.kwCount[cand]; c > 0 {
				scores[cand] += 10 + math.Log(float64(c)+1)
			}
		}
		if c := ix.kwCount[words[i].Text]; c > 0 && !analysis.IsStop(words[i].Text) {
			scores[words[i].Text] += 5 + math.Log(float64(c)+1)
		}
	}
	// Adjacent words the text repeats together are a term of its own that
	// the dictionary lacks (正极+材料 in a battery text): propose the
	// compound, ranked above its parts, but only whole: the longest run of
	// two to four words that repeats, so 高温合金+涡轮+叶片 written twice
	// gives 高温合金涡轮叶片, never the fragment 合金涡轮.
	for _, c := range repeatedCompounds(text, words) {
		best := 0.0
		for _, p := range c.parts {
			best = max(best, scores[p])
		}
		scores[c.term] += best + 1
	}
	list := make([]sc, 0, len(scores))
	for t, s := range scores {
		list = append(list, sc{t, s})
	}
	slices.SortFunc(list, func(a, b sc) int {
		if a.score != b.score {
			return cmpFloat(b.score, a.score)
		}
		return strings.Compare(a.term, b.term)
	})
	var out []string
	for _, s := range list {
		if len(out) == n {
			break
		}
		out = append(out, s.term)
	}
	return out
}

// fragment reports whether the word t, at this place in text, is a
// segmentation slip rather than a term: a character left alone beside it
// (no word starts or ends there) forms, with t's own edge character, a
// word the dictionary finds more common than t — 后叶 in 修复后叶片,
// where 叶片 is meant. Such a place is not proposed as a keyword.
func fragment(text string, t analysis.Token, starts, ends map[int]bool, dict *analysis.Dict) bool {
	if t.Kind != analysis.Word {
		return false
	}
	own, ok := dict.LogProb(t.Text)
	if !ok {
		return false
	}
	more := func(w string) bool { lp, ok := dict.LogProb(w); return ok && lp > own }
	if t.End < len(text) && !starts[t.End] {
		last, _ := utf8.DecodeLastRuneInString(t.Text)
		next, _ := utf8.DecodeRuneInString(text[t.End:])
		if unicode.Is(unicode.Han, next) && more(string([]rune{last, next})) {
			return true
		}
	}
	if t.Start > 0 && !ends[t.Start] {
		first, _ := utf8.DecodeRuneInString(t.Text)
		prev, _ := utf8.DecodeLastRuneInString(text[:t.Start])
		if unicode.Is(unicode.Han, prev) && more(string([]rune{prev, first})) {
			return true
		}
	}
	return false
}

// suggestUnseenShare scales a word's general-language probability into
// the share of listings it is assumed to be found in (see SuggestKeywords).
const suggestUnseenShare = 500

// compound is a run of adjacent words proposed as one keyword.
type compound struct {
	term  string
	parts []string
}

// repeatedCompounds returns the runs of two to four adjacent dictionary
// words (each of two or more characters, none a stop word) that the text
// holds at least twice and that are not part of a longer run held as often.
func repeatedCompounds(text string, words []analysis.Token) []compound {
	type run struct {
		term  string
		parts []string
		n     int
	}
	runs := map[string]*run{}
	var order []string
	ok := func(t analysis.Token) bool {
		return t.Kind == analysis.Word && utf8.RuneCountInString(t.Text) >= 2 && !analysis.IsStop(t.Text)
	}
	for i := range words {
		for l := 2; l <= 4 && i+l <= len(words); l++ {
			good := ok(words[i])
			for k := i + 1; good && k < i+l; k++ {
				good = ok(words[k]) && words[k].Start == words[k-1].End
			}
			if !good {
				break
			}
			term := text[words[i].Start:words[i+l-1].End]
			r := runs[term]
			if r == nil {
				r = &run{term: term}
				for k := i; k < i+l; k++ {
					r.parts = append(r.parts, words[k].Text)
				}
				runs[term] = r
				order = append(order, term)
			}
			r.n++
		}
	}
	var out []compound
	for _, t := range order {
		r := runs[t]
		if r.n < 2 || utf8.RuneCountInString(t) > 10 {
			continue
		}
		whole := true
		for _, o := range order {
			if o2 := runs[o]; o2 != r && o2.n == r.n && len(o2.parts) > len(r.parts) && strings.Contains(o, t) {
				whole = false
				break
			}
		}
		if whole {
			out = append(out, compound{r.term, r.parts})
		}
	}
	return out
}

// combine is the Match score of a listing with normalised lexical score
// lex and topic agreement agree, given the KneeRank-th best lexical score
// ref.
func (w Weights) combine(lex, ref, agree float64) float64 {
	v := lex + w.Topic*agree
	if ref > 0 {
		v += w.KneeSlope * max(0, lex/ref-w.Knee)
	}
	return v
}

// asciiLower lower-cases ASCII letters only, so that byte offsets in the
// result are offsets in s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
