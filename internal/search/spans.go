package search

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// findSpans returns the byte ranges of text where the marked terms occur,
// sorted and merged where they overlap or touch. For each term it finds
// the same occurrences as scanning with strings.Index from the end of the
// previous match (leftmost, not overlapping), but in one pass over text:
// at each rune, only the terms starting with that rune are compared. That
// pass is exact because a term (valid UTF-8) can only occur where a rune
// starts. Latin terms are lower-cased by the analyzer, so they are
// compared with an ASCII-lower-cased copy, which keeps byte offsets.
//
// Looking for each of a hit's 30 to 40 terms with strings.Index was half
// of a search request's CPU time at 100,000 listings.
func findSpans(text string, marks map[int]map[string]bool) []Span {
	sc := spanScratchPool.Get().(*spanScratch)
	defer sc.put()
	hasLatin := false
	for kind, terms := range marks {
		for t := range terms {
			if t == "" {
				continue
			}
			r, _ := utf8.DecodeRuneInString(t)
			m := sc.byRune
			if kind == latinKind {
				m, hasLatin = sc.byLower, true
			}
			m[r] = append(m[r], pendingTerm{text: t})
			sc.filter[uint32(r)%uint32(len(sc.filter))] = true
		}
	}
	var lower string
	if hasLatin {
		lower = asciiLower(text)
	}
	var spans []Span
	try := func(list []pendingTerm, hay string, at int) {
		for i := range list {
			t := &list[i]
			if at >= t.next && strings.HasPrefix(hay[at:], t.text) {
				spans = append(spans, Span{at, at + len(t.text)})
				t.next = at + len(t.text)
			}
		}
	}
	for at := 0; at < len(text); {
		r, size := utf8.DecodeRuneInString(text[at:])
		if sc.filter[uint32(r)%uint32(len(sc.filter))] {
			if list := sc.byRune[r]; list != nil {
				try(list, text, at)
			}
		}
		if hasLatin {
			if lr := asciiLowerRune(r); sc.filter[uint32(lr)%uint32(len(sc.filter))] {
				if list := sc.byLower[lr]; list != nil {
					try(list, lower, at)
				}
			}
		}
		at += size
	}
	if len(spans) == 0 {
		return nil
	}
	// Terms overlap (a word and its bigrams).
	slices.SortFunc(spans, func(a, b Span) int { return a.Start - b.Start })
	merged := spans[:0]
	for _, s := range spans {
		if n := len(merged); n > 0 && s.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

func asciiLowerRune(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

type pendingTerm struct {
	text string
	next int // where the next occurrence may start
}

// spanScratch is findSpans's reusable state.
type spanScratch struct {
	byRune, byLower map[rune][]pendingTerm
	filter          [256]bool // by first rune modulo 256: any term may start here
}

var spanScratchPool = sync.Pool{New: func() any {
	return &spanScratch{byRune: map[rune][]pendingTerm{}, byLower: map[rune][]pendingTerm{}}
}}

func (sc *spanScratch) put() {
	clear(sc.byRune)
	clear(sc.byLower)
	sc.filter = [256]bool{}
	spanScratchPool.Put(sc)
}

// windowStart returns the start of the merged span from which a window of
// maxRunes runes covers the most marked bytes (the first such span on a
// tie), or 0 without spans. It is the loop that calls byteAfterRunes for
// every span, with the rune offsets of text counted once.
func windowStart(text string, spans []Span, maxRunes int) int {
	if len(spans) == 0 {
		return 0
	}
	// starts[i] is the byte offset of rune i; spans start at runes.
	starts := make([]int, 0, len(text)/2+1)
	for at := 0; at < len(text); {
		starts = append(starts, at)
		_, size := utf8.DecodeRuneInString(text[at:])
		at += size
	}
	start, bestCover := 0, -1
	ri := 0
	for i, s := range spans {
		for starts[ri] < s.Start {
			ri++
		}
		end := len(text)
		if ri+maxRunes < len(starts) {
			end = starts[ri+maxRunes]
		}
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
	return start
}
