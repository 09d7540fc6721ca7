package search

import (
	"math/bits"
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
			if len(sc.terms) == maxSpanTerms {
				return findSpansSlow(text, marks)
			}
			r, _ := utf8.DecodeRuneInString(t)
			latin := kind == latinKind
			hasLatin = hasLatin || latin
			sc.terms = append(sc.terms, pendingTerm{text: t, first: r, latin: latin})
			sc.byRune[uint32(r)%spanTable] |= 1 << (len(sc.terms) - 1)
		}
	}
	var lower string
	if hasLatin {
		lower = asciiLower(text)
	}
	var spans []Span
	for at := 0; at < len(text); {
		r, size := utf8.DecodeRuneInString(text[at:])
		lr := r
		if hasLatin {
			lr = asciiLowerRune(r)
		}
		mask := sc.byRune[uint32(r)%spanTable]
		if lr != r {
			mask |= sc.byRune[uint32(lr)%spanTable]
		}
		for mask != 0 {
			i := bits.TrailingZeros64(mask)
			mask &^= 1 << i
			t := &sc.terms[i]
			hay, first := text, r
			if t.latin {
				hay, first = lower, lr
			}
			if t.first == first && at >= t.next && strings.HasPrefix(hay[at:], t.text) {
				spans = append(spans, Span{at, at + len(t.text)})
				t.next = at + len(t.text)
			}
		}
		at += size
	}
	return mergeSpans(spans)
}

// mergeSpans sorts spans and merges those that overlap or touch; terms
// overlap (a word and its bigrams).
func mergeSpans(spans []Span) []Span {
	if len(spans) == 0 {
		return nil
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
	return merged
}

// findSpansSlow is findSpans by one strings.Index scan per term, for more
// terms than findSpans's masks hold.
func findSpansSlow(text string, marks map[int]map[string]bool) []Span {
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
	return mergeSpans(spans)
}

func asciiLowerRune(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

type pendingTerm struct {
	text  string
	first rune // its first rune
	latin bool // compared with the lower-cased text
	next  int  // where the next occurrence may start
}

const (
	maxSpanTerms = 64
	spanTable    = 256
)

// spanScratch is findSpans's reusable state: the terms, and by first rune
// modulo spanTable a bit set of the terms that may start there.
type spanScratch struct {
	terms  []pendingTerm
	byRune [spanTable]uint64
}

var spanScratchPool = sync.Pool{New: func() any { return &spanScratch{} }}

func (sc *spanScratch) put() {
	for _, t := range sc.terms {
		sc.byRune[uint32(t.first)%spanTable] = 0
	}
	sc.terms = sc.terms[:0]
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
