package matcheval

import (
	"runtime"

	"kechuang/internal/search"
)

// Kechuang adapts a search.Index to Engine: documents are indexed as
// achievements and each query runs as a demand through Index.Match.
type Kechuang struct {
	Options search.Options // used by Index to create the index
	Idx     *search.Index  // the index built by the last Index call
}

// Index builds a fresh index of docs, analysing on GOMAXPROCS goroutines.
func (k *Kechuang) Index(docs []Doc) error {
	ix, err := search.New(k.Options)
	if err != nil {
		return err
	}
	all := make([]search.Document, len(docs))
	for i, d := range docs {
		all[i] = search.Document{ID: d.ID, Title: d.Title, Text: d.Text}
	}
	if err := ix.PutAll(all, runtime.GOMAXPROCS(0)); err != nil {
		return err
	}
	k.Idx = ix
	return nil
}

// Query matches q.Text as a demand.
func (k *Kechuang) Query(q Query, n int) ([]string, error) {
	hits := k.Idx.Match(search.Document{Text: q.Text}, search.MatchOptions{Limit: n, Exclude: q.Exclude, Bare: true})
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids, nil
}
