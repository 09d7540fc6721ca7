package search

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// The stored fields of every document (title, keywords, text, predicted
// topic) live as one record in large byte chunks rather than as strings,
// slices and maps of their own: at a million listings the per-object
// headers and allocation rounding were a fifth of the heap, and byte chunks
// hold no pointers for the garbage collector to scan. Text is packed with
// packText, which stores a Chinese character in two bytes instead of
// UTF-8's three.

// chunkSize is the size of a record chunk; a larger record gets a chunk of
// its own.
const chunkSize = 1 << 20

// recStore holds records. Records are only appended: a chunk's bytes below
// its length never change, so a snapshot can read them without the lock.
type recStore struct {
	chunks [][]byte
}

// loc addresses a record: chunk index in the high 32 bits, offset in the
// low 32.
type loc uint64

func (s *recStore) add(rec []byte) loc {
	n := len(s.chunks)
	if n == 0 || len(s.chunks[n-1])+len(rec) > cap(s.chunks[n-1]) {
		s.chunks = append(s.chunks, make([]byte, 0, max(chunkSize, len(rec))))
		n++
	}
	c := s.chunks[n-1]
	off := len(c)
	s.chunks[n-1] = append(c, rec...)
	return loc(uint64(n-1)<<32 | uint64(off))
}

// raw returns the record at l, its length header included.
func (s *recStore) raw(l loc) []byte {
	b := s.chunks[l>>32][uint32(l):]
	n, k := binary.Uvarint(b)
	return b[:k+int(n)]
}

// labels interns topic label names (categories and disciplines).
type labels struct {
	names []string
	index map[string]uint32
}

func (t *labels) id(name string) uint32 {
	if id, ok := t.index[name]; ok {
		return id
	}
	id := uint32(len(t.names))
	t.names = append(t.names, name)
	t.index[name] = id
	return id
}

// encodeRecord appends d's stored fields and predicted topic to dst: the
// body's length, the categories and the disciplines (each a count, then
// label id and float64 bits), the packed title, the keyword count and the
// packed keywords, and the packed text. The topic comes first so that
// scanning records for it (when a snapshot loads) skips the texts without
// unpacking them.
func encodeRecord(dst []byte, d *Document, t Topic, lb *labels) []byte {
	var body []byte
	for _, ls := range [2][]Label{t.Categories, t.Disciplines} {
		body = binary.AppendUvarint(body, uint64(len(ls)))
		for _, l := range ls {
			body = binary.AppendUvarint(body, uint64(lb.id(l.Name)))
			body = binary.LittleEndian.AppendUint64(body, math.Float64bits(l.P))
		}
	}
	body = appendText(body, d.Title)
	body = binary.AppendUvarint(body, uint64(len(d.Keywords)))
	for _, k := range d.Keywords {
		body = appendText(body, k)
	}
	body = appendText(body, d.Text)
	dst = binary.AppendUvarint(dst, uint64(len(body)))
	return append(dst, body...)
}

func appendText(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(packedLen(s)))
	return packText(dst, s)
}

// validRecord reports whether body parses as a record whose label ids are
// below nlabels, so that a corrupt snapshot fails to load instead of
// panicking later.
func validRecord(body []byte, nlabels int) bool {
	for range 2 {
		n, k := binary.Uvarint(body)
		if k <= 0 {
			return false
		}
		body = body[k:]
		for range n {
			id, k := binary.Uvarint(body)
			if k <= 0 || id >= uint64(nlabels) || len(body) < k+8 {
				return false
			}
			body = body[k+8:]
		}
	}
	text := func() bool {
		n, k := binary.Uvarint(body)
		if k <= 0 || uint64(len(body)-k) < n {
			return false
		}
		body = body[k+int(n):]
		return true
	}
	if !text() {
		return false
	}
	nk, k := binary.Uvarint(body)
	if k <= 0 {
		return false
	}
	body = body[k:]
	for range nk {
		if !text() {
			return false
		}
	}
	return text() && len(body) == 0
}

// record is a stored record's body. Fields are decoded on demand, so a hit
// that needs only its text pays for nothing else.
type record struct {
	b []byte
}

func (t *docTable) record(ord uint32) record {
	raw := t.recs.raw(t.locs[ord])
	_, k := binary.Uvarint(raw)
	return record{raw[k:]}
}

// labelsAt decodes a label list at b and returns it with the rest of b;
// with lb nil it only skips the list.
func labelsAt(b []byte, lb *labels) ([]Label, []byte) {
	n, k := binary.Uvarint(b)
	b = b[k:]
	var out []Label
	if lb != nil && n > 0 {
		out = make([]Label, n)
	}
	for i := range int(n) {
		id, k := binary.Uvarint(b)
		if out != nil {
			out[i] = Label{Name: lb.names[id], P: math.Float64frombits(binary.LittleEndian.Uint64(b[k:]))}
		}
		b = b[k+8:]
	}
	return out, b
}

// topic decodes the predicted topic.
func (r record) topic(lb *labels) Topic {
	cats, b := labelsAt(r.b, lb)
	discs, _ := labelsAt(b, lb)
	return Topic{Categories: cats, Disciplines: discs}
}

// disciplines calls f with each predicted discipline's label id and
// probability, without allocating.
func (r record) disciplines(f func(id uint32, p float64)) {
	_, b := labelsAt(r.b, nil)
	n, k := binary.Uvarint(b)
	b = b[k:]
	for range int(n) {
		id, k := binary.Uvarint(b)
		f(uint32(id), math.Float64frombits(binary.LittleEndian.Uint64(b[k:])))
		b = b[k+8:]
	}
}

// texts returns the body after the topic.
func (r record) texts() []byte {
	_, b := labelsAt(r.b, nil)
	_, b = labelsAt(b, nil)
	return b
}

// fields decodes the title, keywords and text.
func (r record) fields() (title string, keywords []string, text string) {
	b := r.texts()
	title, b = readText(b)
	keywords, b = readKeywords(b)
	text, _ = readText(b)
	return title, keywords, text
}

// titleText decodes the title and the text, skipping the keywords.
func (r record) titleText() (title, text string) {
	b := r.texts()
	title, b = readText(b)
	nk, k := binary.Uvarint(b)
	b = b[k:]
	for range nk {
		b = skipText(b)
	}
	text, _ = readText(b)
	return title, text
}

// keywords decodes the keywords only.
func (r record) keywords() []string {
	b := skipText(r.texts())
	kw, _ := readKeywords(b)
	return kw
}

func readKeywords(b []byte) ([]string, []byte) {
	nk, k := binary.Uvarint(b)
	b = b[k:]
	if nk == 0 {
		return nil, b
	}
	keywords := make([]string, nk)
	for i := range keywords {
		keywords[i], b = readText(b)
	}
	return keywords, b
}

func readText(b []byte) (string, []byte) {
	n, k := binary.Uvarint(b)
	return unpackText(b[k : k+int(n)]), b[k+int(n):]
}

func skipText(b []byte) []byte {
	n, k := binary.Uvarint(b)
	return b[k+int(n):]
}

// Packed text. ASCII is kept as it is; a rune in one of the ranges below
// is two bytes, the first 0x80–0xF6; any other rune is 0xFF and its UTF-8
// bytes; a byte that is not valid UTF-8 is 0xFE and the byte, so every
// string round-trips exactly.
var packRanges = [...]struct{ lo, hi rune }{
	{0x4E00, 0x9FFF}, // CJK unified ideographs
	{0x3000, 0x303F}, // CJK punctuation: 、。《》「」
	{0xFF00, 0xFFEF}, // full-width forms: ，（）：；
	{0x0080, 0x07FF}, // Latin-1, Greek (α, μ), Cyrillic
	{0x2000, 0x2BFF}, // general punctuation “”—…, letterlike ℃, arrows, maths ≤ ≥ ×
}

const (
	packLead    = 0x80
	packLeadMax = 0xF6
	packInvalid = 0xFE
	packUTF8    = 0xFF
)

func packText(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, packInvalid, c)
			i++
			continue
		}
		if code, ok := packCode(r); ok {
			dst = append(dst, byte(packLead+code>>8), byte(code))
		} else {
			dst = append(dst, packUTF8)
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// packedLen is len(packText(nil, s)).
func packedLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch _, ok := packCode(r); {
		case r == utf8.RuneError && size == 1:
			n += 2
		case ok:
			n += 2
		default:
			n += 1 + size
		}
		i += size
	}
	return n
}

func packCode(r rune) (int, bool) {
	base := 0
	for _, g := range packRanges {
		if r >= g.lo && r <= g.hi {
			return base + int(r-g.lo), true
		}
		base += int(g.hi-g.lo) + 1
	}
	return 0, false
}

func unpackRune(code int) rune {
	for _, g := range packRanges {
		if n := int(g.hi-g.lo) + 1; code < n {
			return g.lo + rune(code)
		} else {
			code -= n
		}
	}
	return utf8.RuneError
}

func unpackText(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, 0, len(b)*3/2+4)
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < packLead:
			out = append(out, c)
			i++
		case c <= packLeadMax && i+1 < len(b):
			out = utf8.AppendRune(out, unpackRune(int(c-packLead)<<8|int(b[i+1])))
			i += 2
		case c == packInvalid && i+1 < len(b):
			out = append(out, b[i+1])
			i += 2
		case c == packUTF8 && i+1 < len(b):
			_, size := utf8.DecodeRune(b[i+1:])
			out = append(out, b[i+1:i+1+size]...)
			i += 1 + size
		default: // a truncated sequence: only a corrupt record has one
			i = len(b)
		}
	}
	return string(out)
}
