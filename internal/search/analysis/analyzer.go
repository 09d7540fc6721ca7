package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind tells what produced a token; the index keeps kinds in separate term
// spaces so a two-character word and the bigram with the same characters are
// weighted separately.
type Kind uint8

// Token kinds.
const (
	Word   Kind = iota // dictionary segment of a Han run (two or more characters, or a lone character)
	Bigram             // overlapping pair of Han characters
	Latin              // lower-cased run of letters and digits, e.g. "5g", "li-ion", "li"
)

func (k Kind) String() string {
	switch k {
	case Word:
		return "word"
	case Bigram:
		return "bigram"
	case Latin:
		return "latin"
	}
	return "unknown"
}

// Token is one term with its byte span in the original text, so callers can
// highlight it.
type Token struct {
	Text       string
	Kind       Kind
	Start, End int
}

// Analyzer tokenizes text. The zero value is not usable; use New or Default.
// An Analyzer is safe for concurrent use.
type Analyzer struct {
	dict *Dict
}

// New returns an Analyzer that segments with d.
func New(d *Dict) *Analyzer { return &Analyzer{dict: d} }

// Default returns an Analyzer over the embedded dictionary.
func Default() *Analyzer { return New(DefaultDict()) }

// Dict returns the analyzer's dictionary.
func (a *Analyzer) Dict() *Dict { return a.dict }

type class uint8

const (
	sep class = iota
	han
	alnum
	joiner
)

// fold maps full-width ASCII to ASCII and upper case to lower case, so
// "ＰＥＥＫ" and "peek" are the same term.
func fold(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	}
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

func classify(r rune) class {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return alnum
		case r == '-' || r == '.' || r == '+' || r == '_':
			return joiner
		}
		return sep
	case unicode.Is(unicode.Han, r):
		return han
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		// Greek and other scripts behave like Latin: α-螺旋 keeps "α".
		return alnum
	}
	return sep
}

// Tokens appends the tokens of text to dst and returns it. Tokens come in
// text order; within a Han run, words come before bigrams.
func (a *Analyzer) Tokens(text string, dst []Token) []Token {
	var (
		off  []int // rune starts of the current Han run, plus sentinel
		segs []int
		sc   segScratch
	)
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		c := classify(fold(r))
		switch c {
		case han:
			off = off[:0]
			j := i
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if classify(r2) != han {
					break
				}
				off = append(off, j)
				j += s2
			}
			off = append(off, j)
			dst, segs = a.hanRun(text, off, dst, segs, &sc)
			i = j
		case alnum:
			j := i
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				c2 := classify(fold(r2))
				if c2 == alnum {
					j += s2
					continue
				}
				if c2 == joiner && j+s2 < len(text) {
					r3, _ := utf8.DecodeRuneInString(text[j+s2:])
					if classify(fold(r3)) == alnum {
						j += s2
						continue
					}
				}
				break
			}
			dst = latinRun(text, i, j, dst)
			i = j
		default:
			i += size
		}
	}
	return dst
}

func (a *Analyzer) hanRun(text string, off []int, dst []Token, segs []int, sc *segScratch) ([]Token, []int) {
	n := len(off) - 1
	if n == 1 {
		return append(dst, Token{Text: text[off[0]:off[1]], Kind: Word, Start: off[0], End: off[1]}), segs
	}
	segs = a.dict.segment(text, off, segs[:0], sc)
	for k := 1; k < len(segs); k++ {
		s, e := segs[k-1], segs[k]
		if e-s < 2 {
			// Lone characters (的, 和, 氩) carry little on their own; the
			// bigrams below still index them in context.
			continue
		}
		dst = append(dst, Token{Text: text[off[s]:off[e]], Kind: Word, Start: off[s], End: off[e]})
	}
	for k := 0; k+2 <= n; k++ {
		dst = append(dst, Token{Text: text[off[k]:off[k+2]], Kind: Bigram, Start: off[k], End: off[k+2]})
	}
	return dst, segs
}

func latinRun(text string, start, end int, dst []Token) []Token {
	full := foldString(text[start:end])
	dst = append(dst, Token{Text: full, Kind: Latin, Start: start, End: end})
	if !strings.ContainsAny(full, "-.+_") {
		return dst
	}
	// Also emit the parts, so "li-ion" matches "Li ion" and "ion".
	ps := start
	for k := start; k <= end; {
		var r rune
		size := 1
		if k < end {
			r, size = utf8.DecodeRuneInString(text[k:])
		}
		if k == end || classify(fold(r)) == joiner {
			if k > ps {
				dst = append(dst, Token{Text: foldString(text[ps:k]), Kind: Latin, Start: ps, End: k})
			}
			ps = k + size
		}
		k += size
	}
	return dst
}

// foldString folds s with fold, without allocating when s is already folded.
func foldString(s string) string {
	for _, r := range s {
		if fold(r) != r {
			return strings.Map(fold, s)
		}
	}
	return s
}

// Segment returns the dictionary words of text (Han words of two or more
// characters and Latin runs), in order, for display and keyword suggestion.
func (a *Analyzer) Segment(text string) []string {
	var out []string
	for _, t := range a.Tokens(text, nil) {
		if t.Kind != Bigram {
			out = append(out, t.Text)
		}
	}
	return out
}
