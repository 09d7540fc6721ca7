package analysis

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
)

//go:embed dict/zh.dict.gz
var zhDict []byte

// Dict is a word → log-probability table for segmentation. It is read-only
// after construction and safe for concurrent use.
type Dict struct {
	// logP holds every word's log-probability and, with the value
	// prefixOnly, every proper prefix of a word, so segmentation stops
	// extending a candidate as soon as no word can start that way (jieba's
	// prefix dictionary).
	logP    map[string]float64
	minLogP float64 // log-probability given to an unknown single character
	maxLen  int     // longest word in runes
}

// ReadDict parses "word frequency" lines. Lines that do not parse are an
// error, so a corrupt dictionary fails loudly instead of segmenting badly.
func ReadDict(r io.Reader) (*Dict, error) {
	freq := make(map[string]float64, 1<<18)
	var total float64
	maxLen := 1
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		i := bytes.LastIndexByte(b, ' ')
		if i <= 0 {
			return nil, fmt.Errorf("read dict: line %d: want \"word freq\"", line)
		}
		f, err := strconv.ParseFloat(string(b[i+1:]), 64)
		if err != nil || f <= 0 {
			return nil, fmt.Errorf("read dict: line %d: bad frequency", line)
		}
		w := string(b[:i])
		freq[w] += f
		total += f
		if n := len([]rune(w)); n > maxLen {
			maxLen = n
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read dict: %w", err)
	}
	if total == 0 {
		return nil, fmt.Errorf("read dict: empty")
	}
	d := &Dict{logP: make(map[string]float64, len(freq)*3/2), maxLen: maxLen}
	logTotal := math.Log(total)
	d.minLogP = 0
	for w, f := range freq {
		lp := math.Log(f) - logTotal
		d.logP[w] = lp
		if lp < d.minLogP {
			d.minLogP = lp
		}
	}
	for w := range freq {
		for i := range w {
			if i == 0 {
				continue
			}
			if _, ok := d.logP[w[:i]]; !ok {
				d.logP[w[:i]] = prefixOnly
			}
		}
	}
	return d, nil
}

// prefixOnly marks map entries that are prefixes of words but not words.
const prefixOnly = 1.0 // log-probabilities are <= 0, so 1 is never one

// LogProb returns the log-probability of dictionary word w in the
// general-language corpus the dictionary was counted on, and whether w is
// a word of it. Common words of everyday Chinese (希望, 生产) score high,
// technical terms (涡轮, 裂纹) low.
func (d *Dict) LogProb(w string) (float64, bool) {
	lp, ok := d.logP[w]
	if !ok || lp == prefixOnly {
		return 0, false
	}
	return lp, true
}

// Contains reports whether w is a dictionary word.
func (d *Dict) Contains(w string) bool { lp, ok := d.logP[w]; return ok && lp != prefixOnly }

var (
	defaultDictOnce sync.Once
	defaultDict     *Dict
)

// DefaultDict returns the embedded Simplified Chinese dictionary, parsed once.
// It panics if the embedded file is corrupt: that is a build error, not a
// run-time condition.
func DefaultDict() *Dict {
	defaultDictOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(zhDict))
		if err != nil {
			panic("analysis: embedded dictionary: " + err.Error())
		}
		d, err := ReadDict(zr)
		if err != nil {
			panic("analysis: embedded dictionary: " + err.Error())
		}
		defaultDict = d
	})
	return defaultDict
}

// segment splits a run of Han characters (s, with rune start offsets off and
// len(off) runes; off has a sentinel len(s) at the end) into the
// most probable word sequence, returning rune-index boundaries.
func (d *Dict) segment(s string, off []int, dst []int, sc *segScratch) []int {
	n := len(off) - 1
	// best[i] is the best log-probability of segmenting runes i..n; next[i]
	// is the end of the first word of that segmentation. Computed right to
	// left as in jieba's calc().
	if cap(sc.best) < n+1 {
		sc.best = make([]float64, n+1)
		sc.next = make([]int, n+1)
	}
	best, next := sc.best[:n+1], sc.next[:n+1]
	best[n] = 0
	for i := n - 1; i >= 0; i-- {
		best[i] = math.Inf(-1)
		for j := i + 1; j <= n && j-i <= d.maxLen; j++ {
			lp, ok := d.logP[s[off[i]:off[j]]]
			if !ok && j != i+1 {
				break // no word starts with s[off[i]:off[j]]
			}
			if !ok || lp == prefixOnly {
				if j != i+1 {
					continue
				}
				lp = d.minLogP
			}
			if v := lp + best[j]; v > best[i] {
				best[i] = v
				next[i] = j
			}
		}
	}
	dst = append(dst, 0)
	for i := 0; i < n; {
		i = next[i]
		dst = append(dst, i)
	}
	return dst
}

// segScratch is reused across the Han runs of one Tokens call.
type segScratch struct {
	best []float64
	next []int
}
