package search

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// snapshotVersion changes whenever the encoded layout or the analysis
// changes; a snapshot of another version is refused so the owner rebuilds
// instead of searching an index built with different tokens. Version 1 was
// a gob of the earlier in-memory layout.
const snapshotVersion = 2

// snapshotMagic starts every snapshot file.
const snapshotMagic = "kechuang search index\n"

// ErrSnapshotVersion is returned by Load for a snapshot written by an
// incompatible version; the caller should rebuild from the database.
var ErrSnapshotVersion = errors.New("search: snapshot version mismatch")

// The snapshot is written as a stream, so saving costs a buffer rather than
// a second copy of the index, and it is written without the index lock:
// Save copies the slice headers of the index under the read lock (capture)
// and then encodes from the copies while searches and writes go on. That
// is sound because the index only appends below those headers (see Index),
// except dead, which capture copies.
//
// Layout, every integer a uvarint unless said otherwise, strings as length
// and bytes:
//
//	magic, version, seq
//	labels: count, names
//	documents: count; each: id, dead (byte), field lengths (3 float32
//	  bits), stored record (as kept in memory: topic, title, keywords, text)
//	facets: count; each: name, values, sets (count, value ids…), set id + 1
//	  by document
//	sort keys: count; each: name; by document: 0, or 1 and float64 bits
//	terms, by kind: count; each: text, postings, last ordinal, data, skips
//	CRC-32 (IEEE, 4 bytes little-endian) of everything before it

// capture is a consistent view of the index for Save.
type capture struct {
	seq    uint64
	t      docTable
	labels []string
	terms  [numKinds][]capturedTerm
}

type capturedTerm struct {
	text string
	pl   plist
}

// capture copies what Save needs; called with ix.mu held for reading. It
// costs a copy of the tombstones and of the term dictionary's entries, not
// of the postings or the stored records.
func (ix *Index) capture() *capture {
	c := &capture{seq: ix.seq, t: ix.docTable, labels: ix.labels.names}
	n := len(ix.ids)
	c.t.dead = append([]bool(nil), ix.dead...)
	c.t.recs.chunks = append([][]byte(nil), ix.recs.chunks...)
	c.t.facetCols = make([]*facetCol, len(ix.facetCols))
	for i, f := range ix.facetCols {
		c.t.facetCols[i] = &facetCol{name: f.name, col: f.col[:n:n], sets: f.sets[:len(f.sets):len(f.sets)], values: f.values[:len(f.values):len(f.values)]}
	}
	c.t.sortCols = make([]*sortCol, len(ix.sortCols))
	for i, s := range ix.sortCols {
		c.t.sortCols[i] = &sortCol{name: s.name, val: s.val[:n:n], has: s.has[:n:n]}
	}
	for k, m := range ix.terms {
		c.terms[k] = make([]capturedTerm, 0, len(m))
		for t, pl := range m {
			c.terms[k] = append(c.terms[k], capturedTerm{t, *pl})
		}
	}
	return c
}

// Save writes a snapshot of the index, including Seq, to w. It holds the
// index's read lock only while copying slice headers, not while writing.
func (ix *Index) Save(w io.Writer) error {
	ix.mu.RLock()
	c := ix.capture()
	ix.mu.RUnlock()
	if ix.saveCaptured != nil {
		ix.saveCaptured()
	}
	if err := c.write(w); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	return nil
}

type encoder struct {
	w   *bufio.Writer
	crc hash.Hash32
	buf []byte
}

func (e *encoder) flush() {
	e.crc.Write(e.buf)
	e.w.Write(e.buf) // a write error sticks in the bufio.Writer
	e.buf = e.buf[:0]
}

func (e *encoder) uvarint(v uint64) {
	e.buf = binary.AppendUvarint(e.buf, v)
	if len(e.buf) > 1<<16 {
		e.flush()
	}
}

func (e *encoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	if len(b) > 1<<12 {
		e.flush()
		e.crc.Write(b)
		e.w.Write(b)
		return
	}
	e.buf = append(e.buf, b...)
}

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) u64(v uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }

func (c *capture) write(w io.Writer) error {
	e := &encoder{w: bufio.NewWriterSize(w, 1<<20), crc: crc32.NewIEEE()}
	e.buf = append(e.buf, snapshotMagic...)
	e.uvarint(snapshotVersion)
	e.uvarint(c.seq)
	e.uvarint(uint64(len(c.labels)))
	for _, l := range c.labels {
		e.str(l)
	}
	t := &c.t
	e.uvarint(uint64(len(t.ids)))
	for i, id := range t.ids {
		e.str(id)
		if t.dead[i] {
			e.buf = append(e.buf, 1)
		} else {
			e.buf = append(e.buf, 0)
		}
		for _, l := range t.lens[i] {
			e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(l))
		}
		e.buf = append(e.buf, t.recs.raw(t.locs[i])...)
	}
	e.uvarint(uint64(len(t.facetCols)))
	for _, f := range t.facetCols {
		e.str(f.name)
		e.uvarint(uint64(len(f.values)))
		for _, v := range f.values {
			e.str(v)
		}
		e.uvarint(uint64(len(f.sets)))
		for _, s := range f.sets {
			e.uvarint(uint64(len(s)))
			for _, v := range s {
				e.uvarint(uint64(v))
			}
		}
		for _, s := range f.col {
			e.uvarint(uint64(s))
		}
	}
	e.uvarint(uint64(len(t.sortCols)))
	for _, s := range t.sortCols {
		e.str(s.name)
		for i, has := range s.has {
			if has {
				e.buf = append(e.buf, 1)
				e.u64(math.Float64bits(s.val[i]))
			} else {
				e.buf = append(e.buf, 0)
			}
		}
	}
	for k := range c.terms {
		e.uvarint(uint64(len(c.terms[k])))
		for _, ct := range c.terms[k] {
			e.str(ct.text)
			e.uvarint(uint64(ct.pl.n))
			e.uvarint(uint64(ct.pl.last))
			e.bytes(ct.pl.data)
			e.uvarint(uint64(len(ct.pl.skips)))
			for _, v := range ct.pl.skips {
				e.uvarint(uint64(v))
			}
		}
	}
	e.flush()
	var sum [4]byte
	binary.LittleEndian.PutUint32(sum[:], e.crc.Sum32())
	e.w.Write(sum[:])
	return e.w.Flush()
}

// SaveFile writes a snapshot to path atomically: a crash leaves either the
// old snapshot or the new one, never a torn file.
func (ix *Index) SaveFile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := ix.Save(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save index: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	return nil
}

// decoder reads a snapshot from its own buffer, so that the checksum
// covers exactly the bytes consumed; the first error sticks and every later
// read returns zero values.
type decoder struct {
	r        io.Reader
	buf      []byte
	pos, end int
	crc      hash.Hash32
	err      error
}

var errCorrupt = errors.New("corrupt snapshot")

func (d *decoder) fail(err error) {
	if d.err == nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		d.err = err
	}
}

// sum adds the consumed bytes to the checksum and drops them.
func (d *decoder) sum() {
	d.crc.Write(d.buf[:d.pos])
	n := copy(d.buf, d.buf[d.pos:d.end])
	d.pos, d.end = 0, n
}

// fill makes at least need bytes available, need ≤ len(d.buf).
func (d *decoder) fill(need int) bool {
	if d.end-d.pos >= need {
		return true
	}
	if d.err != nil {
		return false
	}
	d.sum()
	for d.end < need {
		n, err := d.r.Read(d.buf[d.end:])
		d.end += n
		if err != nil && d.end < need {
			d.fail(err)
			return false
		}
	}
	return true
}

func (d *decoder) byte() byte {
	if d.pos == d.end && !d.fill(1) {
		return 0
	}
	b := d.buf[d.pos]
	d.pos++
	return b
}

func (d *decoder) uvarint() uint64 {
	if d.end-d.pos >= binary.MaxVarintLen64 {
		v, n := binary.Uvarint(d.buf[d.pos:d.end])
		if n <= 0 {
			d.fail(errCorrupt)
			return 0
		}
		d.pos += n
		return v
	}
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		b := d.byte()
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	d.fail(errCorrupt)
	return 0
}

// count reads a length and checks it against a sanity bound, so a corrupt
// file fails instead of asking for terabytes.
func (d *decoder) count(limit uint64) int {
	v := d.uvarint()
	if v > limit {
		d.fail(errCorrupt)
		return 0
	}
	return int(v)
}

// index reads a number that must be below limit.
func (d *decoder) index(limit int) uint32 {
	v := d.uvarint()
	if v >= uint64(limit) {
		d.fail(errCorrupt)
		return 0
	}
	return uint32(v)
}

func (d *decoder) read(p []byte) {
	if d.err != nil {
		return
	}
	if len(p) <= len(d.buf) {
		if d.fill(len(p)) {
			d.pos += copy(p, d.buf[d.pos:d.end])
		}
		return
	}
	n := copy(p, d.buf[d.pos:d.end])
	d.pos += n
	d.sum()
	if _, err := io.ReadFull(d.r, p[n:]); err != nil {
		d.fail(err)
		return
	}
	d.crc.Write(p[n:])
}

func (d *decoder) str() string {
	n := d.count(1 << 30)
	if n == 0 || d.err != nil {
		return ""
	}
	if n <= len(d.buf) && d.fill(n) {
		s := string(d.buf[d.pos : d.pos+n])
		d.pos += n
		return s
	}
	b := make([]byte, n)
	d.read(b)
	return string(b)
}

func (d *decoder) u32() uint32 {
	if !d.fill(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(d.buf[d.pos:])
	d.pos += 4
	return v
}

func (d *decoder) u64() uint64 {
	if !d.fill(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(d.buf[d.pos:])
	d.pos += 8
	return v
}

// Load reads a snapshot written by Save. The caller then applies the
// changes after Seq().
func Load(r io.Reader, opts Options) (*Index, error) {
	ix := &Index{}
	if err := ix.init(opts); err != nil {
		return nil, err
	}
	ix.reset()
	d := &decoder{r: r, buf: make([]byte, 1<<20), crc: crc32.NewIEEE()}
	magic := make([]byte, len(snapshotMagic))
	d.read(magic)
	if d.err != nil || string(magic) != snapshotMagic {
		return nil, fmt.Errorf("load index: not a snapshot: %w", ErrSnapshotVersion)
	}
	if v := d.uvarint(); v != snapshotVersion {
		return nil, fmt.Errorf("load index: version %d, want %d: %w", v, snapshotVersion, ErrSnapshotVersion)
	}
	if err := ix.decode(d); err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	d.sum()
	want := d.crc.Sum32()
	if got := d.u32(); d.err != nil || got != want {
		return nil, fmt.Errorf("load index: checksum: %w", errCorrupt)
	}
	return ix, nil
}

func (ix *Index) decode(d *decoder) error {
	ix.seq = d.uvarint()
	for range d.count(1 << 24) {
		ix.labels.id(d.str())
	}
	n := d.count(1 << 32)
	t := &ix.docTable
	t.ids = make([]string, 0, n)
	t.locs = make([]loc, 0, n)
	t.lens = make([][numFields]float32, 0, n)
	t.short = make([]uint32, 0, n)
	t.dead = make([]bool, 0, n)
	var rec []byte
	for i := range n {
		if d.err != nil {
			return d.err
		}
		id := d.str()
		dead := d.byte() != 0
		var ln [numFields]float32
		for f := range ln {
			ln[f] = math.Float32frombits(d.u32())
		}
		size := d.count(1 << 30)
		rec = binary.AppendUvarint(rec[:0], uint64(size))
		hdr := len(rec)
		rec = append(rec, make([]byte, size)...)
		d.read(rec[hdr:])
		t.ids = append(t.ids, id)
		t.dead = append(t.dead, dead)
		t.lens = append(t.lens, ln)
		t.short = append(t.short, shortLens(ln))
		t.locs = append(t.locs, t.recs.add(rec))
		if d.err != nil {
			return d.err
		}
		if !validRecord(rec[hdr:], len(ix.labels.names)) {
			return errCorrupt
		}
		t.record(uint32(i)).disciplines(func(id uint32, p float64) { ix.addTopic(id, uint32(i), p) })
		if dead {
			ix.deleted++
			continue
		}
		ix.byID[id] = uint32(i)
		ix.live++
		for f := range numFields {
			ix.lenSum[f] += float64(ln[f])
		}
		for _, k := range t.record(uint32(i)).keywords() {
			ix.kwCount[strings.ToLower(k)]++
		}
	}
	for range d.count(1 << 16) {
		c := newFacetCol(d.str(), 0)
		for range d.count(1 << 32) {
			v := d.str()
			c.valIdx[v] = uint32(len(c.values))
			c.values = append(c.values, v)
		}
		for range d.count(1 << 32) {
			ids := make([]uint32, d.count(1<<24))
			vals := make([]string, len(ids))
			for j := range ids {
				ids[j] = d.index(len(c.values))
				vals[j] = c.values[ids[j]]
			}
			c.setIdx[setKey(vals)] = uint32(len(c.sets))
			c.sets = append(c.sets, ids)
		}
		c.col = make([]uint32, n)
		for j := range c.col {
			c.col[j] = uint32(d.count(uint64(len(c.sets))))
		}
		t.facetCols = append(t.facetCols, c)
		t.facetByName[c.name] = c
	}
	for range d.count(1 << 16) {
		s := &sortCol{name: d.str(), val: make([]float64, n), has: make([]bool, n)}
		for j := range n {
			if d.byte() != 0 {
				s.has[j] = true
				s.val[j] = math.Float64frombits(d.u64())
			}
		}
		t.sortCols = append(t.sortCols, s)
		t.sortByName[s.name] = s
	}
	// Postings are carved out of large slabs: one allocation per few
	// megabytes instead of one per term. Each term's slice is capped at
	// its length, so a later append reallocates it rather than writing
	// into its neighbour.
	var slab []byte
	for k := range ix.terms {
		nt := d.count(1 << 32)
		m := make(map[string]*plist, nt)
		ix.terms[k] = m
		for range nt {
			if d.err != nil {
				return d.err
			}
			text := d.str()
			pl := &plist{n: uint32(d.count(uint64(n))), last: d.index(max(n, 1))}
			size := d.count(1 << 32)
			if size > len(slab) {
				slab = make([]byte, max(size, 4<<20))
			}
			pl.data, slab = slab[:size:size], slab[size:]
			d.read(pl.data)
			if ns := d.count(1 << 32); ns > 0 {
				pl.skips = make([]uint32, ns)
				for j := range pl.skips {
					pl.skips[j] = uint32(d.uvarint())
				}
			}
			m[text] = pl
			if k == latinKind {
				ix.addFuzzy(text)
			}
		}
	}
	return d.err
}

// OpenFile loads the snapshot at path.
func OpenFile(path string, opts Options) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	defer f.Close()
	return Load(f, opts)
}
