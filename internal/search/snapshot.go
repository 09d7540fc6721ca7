package search

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// snapshotVersion changes whenever the encoded layout or the analysis
// changes; a snapshot of another version is refused so the owner rebuilds
// instead of searching an index built with different tokens.
const snapshotVersion = 1

type snapshot struct {
	Version int
	Seq     uint64
	Docs    []docRec
	Terms   [numKinds]map[string]*plist
	Discs   map[string]*tlist
}

// ErrSnapshotVersion is returned by Load for a snapshot written by an
// incompatible version; the caller should rebuild from the database.
var ErrSnapshotVersion = errors.New("search: snapshot version mismatch")

// Save writes a snapshot of the index, including Seq, to w.
func (ix *Index) Save(w io.Writer) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	bw := bufio.NewWriterSize(w, 1<<20)
	s := snapshot{Version: snapshotVersion, Seq: ix.seq, Docs: ix.docs, Terms: ix.terms, Discs: ix.discs}
	if err := gob.NewEncoder(bw).Encode(&s); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	return nil
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

// Load reads a snapshot written by Save. The caller then applies the
// changes after Seq().
func Load(r io.Reader, opts Options) (*Index, error) {
	ix := &Index{}
	if err := ix.init(opts); err != nil {
		return nil, err
	}
	var s snapshot
	if err := gob.NewDecoder(bufio.NewReaderSize(r, 1<<20)).Decode(&s); err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	if s.Version != snapshotVersion {
		return nil, fmt.Errorf("load index: version %d, want %d: %w", s.Version, snapshotVersion, ErrSnapshotVersion)
	}
	ix.seq, ix.docs, ix.terms, ix.discs = s.Seq, s.Docs, s.Terms, s.Discs
	for k := range ix.terms {
		if ix.terms[k] == nil {
			ix.terms[k] = map[string]*plist{}
		}
	}
	if ix.discs == nil {
		ix.discs = map[string]*tlist{}
	}
	ix.byID = make(map[string]uint32, len(ix.docs))
	ix.lens = make([][numFields]float32, len(ix.docs))
	ix.dead = make([]bool, len(ix.docs))
	ix.fuzzy = map[string][]string{}
	ix.kwCount = map[string]int{}
	for i, d := range ix.docs {
		ix.lens[i] = d.Len
		ix.dead[i] = d.Deleted
		if d.Deleted {
			ix.deleted++
			continue
		}
		ix.byID[d.ID] = uint32(i)
		ix.live++
		for f := range numFields {
			ix.lenSum[f] += float64(d.Len[f])
		}
		for _, k := range d.Keywords {
			ix.kwCount[strings.ToLower(k)]++
		}
	}
	for t := range ix.terms[latinKind] {
		ix.addFuzzy(t)
	}
	return ix, nil
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
