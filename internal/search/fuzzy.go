package search

import "unicode/utf8"

// Typo tolerance for Latin terms (CRlSPR, CRISPER → crispr) uses the
// symmetric-delete scheme: every Latin term of the index is filed under each
// of its one-character deletions, so a query term within one edit is found
// with O(length) map lookups instead of a scan of the vocabulary.

// fuzzyMinLen is the shortest term that gets typo tolerance; shorter ones
// (5g, ai, pm) are too easily one edit away from a different real term.
const fuzzyMinLen = 4

func fuzzyEligible(t string) bool {
	if utf8.RuneCountInString(t) < fuzzyMinLen {
		return false
	}
	for _, r := range t {
		// Model numbers and formulas with digits must match exactly.
		if r >= '0' && r <= '9' {
			return false
		}
	}
	return true
}

func deletions(t string, f func(string)) {
	for i, r := range t {
		f(t[:i] + t[i+utf8.RuneLen(r):])
	}
}

// addFuzzy files a new Latin term; called with ix.mu held.
func (ix *Index) addFuzzy(t string) {
	if !fuzzyEligible(t) {
		return
	}
	deletions(t, func(d string) { ix.fuzzy[d] = append(ix.fuzzy[d], t) })
}

// fuzzyCandidates returns indexed Latin terms within one edit (insertion,
// deletion, substitution or adjacent transposition) of q, in a
// deterministic order. Called with ix.mu held for reading.
func (ix *Index) fuzzyCandidates(q string) []string {
	if !fuzzyEligible(q) {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	consider := func(t string) {
		if t == q || seen[t] {
			return
		}
		seen[t] = true
		if pl := ix.terms[latinKind][t]; pl == nil || pl.n == 0 {
			return
		}
		if osaDistance(q, t) <= 1 {
			out = append(out, t)
		}
	}
	// q lacks a character of t.
	for _, t := range ix.fuzzy[q] {
		consider(t)
	}
	deletions(q, func(d string) {
		// q has an extra character.
		consider(d)
		// q differs from t by a substitution or transposition.
		for _, t := range ix.fuzzy[d] {
			consider(t)
		}
	})
	sortStrings(out)
	return out
}

// osaDistance is the optimal-string-alignment edit distance over runes.
func osaDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
