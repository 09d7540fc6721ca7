package market

import (
	"strings"
	"unicode"
)

// twinThreshold is the similarity from which a submitted listing is shown
// to the reviewer with its twin.
const twinThreshold = 0.7

// bigrams returns the set of character bigrams of s after dropping
// punctuation and spaces and folding case. Chinese has no word breaks, so
// character bigrams are the usual unit for near-duplicate tests.
func bigrams(s string) map[string]struct{} {
	var rs []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		}
	}
	out := make(map[string]struct{}, len(rs))
	if len(rs) == 1 {
		out[string(rs)] = struct{}{}
	}
	for i := 0; i+1 < len(rs); i++ {
		out[string(rs[i:i+2])] = struct{}{}
	}
	return out
}

// dice is the Sørensen–Dice coefficient of two bigram sets.
func dice(a, b map[string]struct{}) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	n := 0
	for k := range a {
		if _, ok := b[k]; ok {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}

// similarity weighs title and text equally: a listing is a twin when both
// nearly match, not when only a generic title does.
func similarity(titleA, textA, titleB, textB string) float64 {
	return 0.5*dice(bigrams(titleA), bigrams(titleB)) + 0.5*dice(bigrams(textA), bigrams(textB))
}
