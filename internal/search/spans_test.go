package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	gocmp "github.com/google/go-cmp/cmp"
)

// refSnippet is snippet as it was before findSpans and windowStart: one
// strings.Index scan per term and byteAfterRunes for every span. The
// tests below hold the faster code to its output.
func refSnippet(text string, marks map[int]map[string]bool, maxRunes int) Snippet {
	var spans []Span
	var lower string
	for kind, terms := range marks {
		hay := text
		if kind == latinKind {
			if lower == "" {
				lower = asciiLower(text)
			}
			hay = lower
		}
		for term := range terms {
			if term == "" {
				continue
			}
			for off := 0; ; {
				i := strings.Index(hay[off:], term)
				if i < 0 {
					break
				}
				spans = append(spans, Span{off + i, off + i + len(term)})
				off += i + len(term)
			}
		}
	}
	slices.SortFunc(spans, func(a, b Span) int { return a.Start - b.Start })
	merged := spans[:0]
	for _, s := range spans {
		if n := len(merged); n > 0 && s.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	spans = merged
	if maxRunes <= 0 || utf8.RuneCountInString(text) <= maxRunes {
		return Snippet{Text: text, Marks: spans}
	}
	start, bestCover := 0, -1
	for i, s := range spans {
		end := byteAfterRunes(text, s.Start, maxRunes)
		cover := 0
		for _, t := range spans[i:] {
			if t.End > end {
				break
			}
			cover += t.End - t.Start
		}
		if cover > bestCover {
			start, bestCover = s.Start, cover
		}
	}
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

// TestSnippetMatchesReference guards findSpans and windowStart: on CSL
// abstracts marked with the terms of other records' queries, and on the
// awkward cases (a term overlapping itself, upper-case Latin, invalid
// UTF-8), the snippet is the one the plain scan gives.
func TestSnippetMatchesReference(t *testing.T) {
	t.Parallel()
	ix := newMarket(t)
	docs, queries := cslCorpus(t, 400)
	type tc struct {
		text  string
		marks map[int]map[string]bool
	}
	var cases []tc
	for i, d := range docs {
		marks := map[int]map[string]bool{}
		for _, tok := range ix.an.Tokens(queries[i%len(queries)]+" "+d.Keywords[0], nil) {
			if marks[int(tok.Kind)] == nil {
				marks[int(tok.Kind)] = map[string]bool{}
			}
			marks[int(tok.Kind)][tok.Text] = true
		}
		cases = append(cases, tc{d.Text, marks}, tc{d.Title, marks})
	}
	cases = append(cases,
		tc{"哈哈哈哈哈，哈哈", map[int]map[string]bool{bigramKind: {"哈哈": true}}},
		tc{"aaaa AAA aAa", map[int]map[string]bool{latinKind: {"aa": true}, wordKind: {"a": true}}},
		tc{"CRISPR/Cas9 与 crispr 以及 CrIsPr", map[int]map[string]bool{latinKind: {"crispr": true, "cas9": true}}},
		tc{"\xff研究\xe4\xe7\xa0\x94究\xfe方法研究", map[int]map[string]bool{wordKind: {"研究": true, "方法": true}}},
		tc{"", map[int]map[string]bool{wordKind: {"研究": true}}},
		tc{"没有标记的文本", nil},
		tc{strings.Repeat("无关的文字。", 40) + "激光增材修复" + strings.Repeat("其他内容。", 40), map[int]map[string]bool{wordKind: {"激光": true, "修复": true}, bigramKind: {"增材": true}}},
	)
	// More terms than findSpans's bit sets hold: the slow path.
	many := map[int]map[string]bool{}
	for _, tok := range ix.an.Tokens(docs[0].Text, nil) {
		if many[int(tok.Kind)] == nil {
			many[int(tok.Kind)] = map[string]bool{}
		}
		many[int(tok.Kind)][tok.Text] = true
	}
	cases = append(cases, tc{docs[0].Text, many}, tc{docs[1].Text, many})
	for _, c := range cases {
		for _, n := range []int{0, 12, snippetRunes} {
			want := refSnippet(c.text, c.marks, n)
			got := ix.snippet(c.text, c.marks, n)
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Fatalf("snippet(%q, %v, %d) differs from the plain scan (-want +got):\n%s", c.text, c.marks, n, diff)
			}
		}
	}
}
