package market

import (
	"context"
	"fmt"
)

// IndexLag is how far the search index is behind the database's change
// sequence, for the operations metrics.
type IndexLag struct {
	Applied   int64 // the last change the index applied
	Latest    int64 // the last change recorded
	Documents int   // listings in the index
}

// Behind returns how many changes the index has yet to apply.
func (l IndexLag) Behind() int64 { return max(0, l.Latest-l.Applied) }

// Lag reads the index's position against the change sequence. It does not
// wait for a running CatchUp.
func (x *Indexer) Lag(ctx context.Context) (IndexLag, error) {
	l := IndexLag{Applied: int64(x.ix.Seq()), Documents: x.ix.Len()}
	if err := x.svc.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM listing_changes").Scan(&l.Latest); err != nil {
		return IndexLag{}, fmt.Errorf("read change sequence: %w", err)
	}
	return l, nil
}
