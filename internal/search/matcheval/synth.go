package matcheval

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"kechuang/internal/search"
	"kechuang/internal/search/classify"
)

// Synth makes any number of distinct listings out of a few thousand CSL
// records, for benchmarks at the size of a provincial or national market
// (a million listings) that no shipped data set reaches. Listing i is a
// deterministic function of i and the records, so a benchmark can stream
// listings into an index without holding them all, and two runs (or two
// engines) see the same listings.
//
// Listing i takes a base record r (drawn uniformly) and
//   - its title: r's own title one time in three, otherwise a title of r's
//     category from the titles file (7,982 titles without abstracts);
//   - its text: r's first sentence (the problem statement the `problem`
//     queries are made of), then sentences drawn from the abstracts of
//     random records of r's discipline until the text is as long as r's
//     abstract, so the text stays within one field, reads as one and is as
//     long as a real abstract;
//   - its keywords: three to six drawn from the keywords of the records whose
//     sentences it uses;
//   - facets and sort keys spread like a market's (kind, domain, region among
//     100 counties, TRL band, modes, industry section, price band, owner
//     role, publication time, a price on one listing in three).
//
// Texts therefore recombine about 17,000 real sentences: the vocabulary is
// CSL's, so at a million listings each term is about 300 times as frequent
// as in the 3,362 records — longer posting lists than a real market of that
// size, whose vocabulary keeps growing, would have.
type Synth struct {
	recs      []classify.Record
	sentences [][]string // by record: the abstract's sentences, each ending with its stop
	byDisc    map[string][]int
	titles    map[string][]string // category → titles
}

// NewSynth prepares a Synth from labelled records (title, abstract,
// keywords, discipline, category) and titles labelled with a category.
func NewSynth(recs, titles []classify.Record) *Synth {
	s := &Synth{recs: recs, byDisc: map[string][]int{}, titles: map[string][]string{}}
	for i, r := range recs {
		s.sentences = append(s.sentences, splitSentences(r.Abstract))
		s.byDisc[r.Discipline] = append(s.byDisc[r.Discipline], i)
	}
	for _, t := range titles {
		s.titles[t.Category] = append(s.titles[t.Category], t.Title)
	}
	return s
}

// splitSentences cuts text after each 。．；！？ and their ASCII forms (CSL
// abstracts mostly end sentences with "."), except a "." between digits.
func splitSentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		switch r {
		case '.':
			if i > 0 && isDigit(text[i-1]) && i+1 < len(text) && isDigit(text[i+1]) {
				continue
			}
			fallthrough
		case '。', '．', '；', '！', '？', ';', '!', '?':
			end := i + len(string(r))
			if s := strings.TrimSpace(text[start:end]); s != "" {
				out = append(out, s)
			}
			start = end
		}
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

var (
	synthDomains  = []string{"电子信息", "生物与新医药", "航空航天", "新材料", "高技术服务", "新能源与节能", "资源与环境", "先进制造与自动化"}
	synthTRL      = []string{"trl-1-3", "trl-4-6", "trl-7-9"}
	synthModes    = []string{"transfer", "license", "joint", "equity", "service"}
	synthSections = []string{"C", "I", "M", "N", "D", "E", "A", "Q"}
	synthBands    = []string{"lt-50w", "50w-200w", "200w-1000w", "gt-1000w", "negotiable"}
	synthRoles    = []string{"enterprise", "institute", "broker"}
)

// Listing returns listing i (ID "L" + i).
func (s *Synth) Listing(i int) search.Document {
	rng := rand.New(rand.NewPCG(uint64(i), 0x5ca1e))
	ri := rng.IntN(len(s.recs))
	r := s.recs[ri]
	title := r.Title
	if ts := s.titles[r.Category]; len(ts) > 0 && rng.IntN(3) != 0 {
		title = ts[rng.IntN(len(ts))]
	}
	own := s.sentences[ri]
	var text strings.Builder
	var pool []string
	if len(own) > 0 {
		text.WriteString(own[0])
	}
	pool = append(pool, r.Keywords...)
	peers := s.byDisc[r.Discipline]
	for i := range 20 {
		p := peers[rng.IntN(len(peers))]
		ss := s.sentences[p]
		if len(ss) == 0 {
			continue
		}
		// Stop at the sentence that would overshoot the length by more
		// than half of itself, so texts average the abstracts' length.
		next := ss[rng.IntN(len(ss))]
		if i > 0 && text.Len()+len(next)/2 > len(r.Abstract) {
			break
		}
		text.WriteString(next)
		pool = append(pool, s.recs[p].Keywords...)
	}
	nk := min(len(pool), 3+rng.IntN(4))
	kw := make([]string, 0, nk)
	for _, j := range rng.Perm(len(pool)) {
		if len(kw) == nk {
			break
		}
		if k := strings.TrimSpace(pool[j]); k != "" && !contains(kw, k) {
			kw = append(kw, k)
		}
	}
	kind := "achievement"
	if rng.IntN(7) == 0 {
		kind = "demand"
	}
	modes := []string{synthModes[rng.IntN(len(synthModes))]}
	if rng.IntN(3) == 0 {
		if m := synthModes[rng.IntN(len(synthModes))]; m != modes[0] {
			modes = append(modes, m)
		}
	}
	facets := map[string][]string{
		"kind":     {kind},
		"domain":   {synthDomains[rng.IntN(len(synthDomains))]},
		"region":   {strconv.Itoa(320500 + rng.IntN(100))},
		"trl":      {synthTRL[rng.IntN(len(synthTRL))]},
		"mode":     modes,
		"industry": {synthSections[rng.IntN(len(synthSections))]},
		"band":     {synthBands[rng.IntN(len(synthBands))]},
		"owner":    {synthRoles[rng.IntN(len(synthRoles))]},
	}
	sorts := map[string]float64{"published": float64(1_600_000_000 + i*31)}
	if rng.IntN(3) == 0 {
		sorts["price"] = float64(1 + rng.IntN(5000))
	}
	return search.Document{ID: "L" + strconv.Itoa(i), Title: title, Keywords: kw, Text: text.String(), Facets: facets, Sort: sorts}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
