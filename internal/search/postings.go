package search

import (
	"encoding/binary"
	"math"
)

// plist is the postings of one term: ascending document ordinals, each with
// the term's frequency in every field, encoded in one byte slice.
//
// A posting is uvarint(gap<<2 | code), where gap is the ordinal minus the
// previous posting's (the first posting's gap is its ordinal), and code
// gives the field frequencies: 0 is text 1 (73% of postings in CSL-like
// listings), 1 is text 2, 2 is title 1, and 3 means a byte follows holding
// title<<6 | keywords<<4 | text for frequencies up to 3, 3 and 15, or 0
// followed by the three frequencies as bytes. Seven bytes a posting in the
// earlier layout (a uint32 and three uint8) became about 2.5.
//
// Every skipEvery postings, skips records the ordinal before the next
// posting and that posting's byte offset, so one document's frequencies
// (for a hit's explanation) are found without decoding the whole list.
//
// A plist is only ever appended to under the index's write lock; the bytes
// below len(data) never change, so a snapshot may read a copy of the slice
// headers without the lock (see capture).
type plist struct {
	data  []byte
	skips []uint32 // pairs: ordinal before the block, offset of the block
	n     uint32   // postings
	last  uint32   // ordinal of the last posting
}

const skipEvery = 64

// codeTF are the frequencies of codes 0 to 2.
var codeTF = [3][numFields]uint8{{0, 0, 1}, {0, 0, 2}, {1, 0, 0}}

// tfCode encodes the field frequencies of a posting: the 2-bit code and,
// for code 3, the bytes that follow.
func tfCode(tf [numFields]uint8) (code uint32, extra []byte) {
	switch tf {
	case [numFields]uint8{0, 0, 1}:
		return 0, nil
	case [numFields]uint8{0, 0, 2}:
		return 1, nil
	case [numFields]uint8{1, 0, 0}:
		return 2, nil
	}
	if tf[0] <= 3 && tf[1] <= 3 && tf[2] <= 15 {
		return 3, []byte{tf[0]<<6 | tf[1]<<4 | tf[2]}
	}
	return 3, []byte{0, tf[0], tf[1], tf[2]}
}

// add appends a posting for ord, which must be above every ordinal in pl.
func (pl *plist) add(ord uint32, tf [numFields]uint8) {
	if pl.n > 0 && pl.n%skipEvery == 0 {
		pl.skips = append(pl.skips, pl.last, uint32(len(pl.data)))
	}
	gap := ord
	if pl.n > 0 {
		gap = ord - pl.last
	}
	code, extra := tfCode(tf)
	pl.data = binary.AppendUvarint(pl.data, uint64(gap)<<2|uint64(code))
	pl.data = append(pl.data, extra...)
	pl.n++
	pl.last = ord
}

// readPosting decodes the posting at data[p:]: the gap, the frequencies and
// the offset of the next posting.
func readPosting(data []byte, p int) (gap uint32, tf [numFields]uint8, next int) {
	v := uint64(data[p])
	p++
	if v >= 0x80 {
		v, p = uvarintRest(data, p, v)
	}
	if code := v & 3; code == 3 {
		tf, p = readTF(data, p)
	} else {
		tf = codeTF[code]
	}
	return uint32(v >> 2), tf, p
}

// uvarintRest finishes a uvarint whose first byte, first, had its high bit
// set; p is the offset after that byte.
func uvarintRest(data []byte, p int, first uint64) (uint64, int) {
	v := first & 0x7f
	for shift := 7; ; shift += 7 {
		b := data[p]
		p++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v, p
		}
	}
}

// readTF decodes the frequency bytes that follow a code-3 posting.
func readTF(data []byte, p int) ([numFields]uint8, int) {
	if b := data[p]; b != 0 {
		return [numFields]uint8{b >> 6, b >> 4 & 3, b & 15}, p + 1
	}
	return [numFields]uint8{data[p+1], data[p+2], data[p+3]}, p + 4
}

// each calls f for every posting in order.
func (pl *plist) each(f func(ord uint32, tf [numFields]uint8)) {
	var d uint32
	for p := 0; p < len(pl.data); {
		gap, tf, next := readPosting(pl.data, p)
		d += gap
		p = next
		f(d, tf)
	}
}

// tf returns the frequencies of ord's posting and whether it has one.
func (pl *plist) tf(ord uint32) ([numFields]uint8, bool) {
	if pl == nil || pl.n == 0 || ord > pl.last {
		return [numFields]uint8{}, false
	}
	// The block holding ord is the last whose preceding ordinal is below
	// it; block 0 has none.
	lo, hi := 0, len(pl.skips)/2
	for lo < hi {
		m := (lo + hi) / 2
		if pl.skips[2*m] < ord {
			lo = m + 1
		} else {
			hi = m
		}
	}
	var d uint32
	p, end := 0, len(pl.data)
	if lo > 0 {
		d, p = pl.skips[2*(lo-1)], int(pl.skips[2*(lo-1)+1])
	}
	if lo < len(pl.skips)/2 {
		end = int(pl.skips[2*lo+1])
	}
	for p < end {
		gap, tf, next := readPosting(pl.data, p)
		d += gap
		p = next
		if d >= ord {
			return tf, d == ord
		}
	}
	return [numFields]uint8{}, false
}

// addTF adds one occurrence in field f to a frequency, saturating at 255.
func addTF(v *[numFields]uint8, f Field) {
	if v[f] < math.MaxUint8 {
		v[f]++
	}
}
