package market

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/sqldb"
)

// viewCounter holds listing views counted in memory: a page view must not
// be a database write (issue #18 §9 measured 2,008 listing pages a second
// against 7,894 for the home page). FlushViews adds the counts to the
// database; several nodes each add their own, so none is lost to another.
type viewCounter struct {
	mu sync.Mutex
	n  map[int64]int // listing id → views since the last flush
}

// RecordView counts one view of a public listing by someone other than its
// owner, in memory; FlushViews (which the server runs every few seconds
// and at shutdown) writes the counts. A crash loses at most the views of
// one interval. The counter is statistics, not a change of the record, so
// it is not audited: an audit row per page view would drown the log.
func (s *Service) RecordView(ctx context.Context, a account.Actor, l Listing) error {
	if l.State != Published || isOwner(a, l) {
		return nil
	}
	s.views.mu.Lock()
	s.views.n[l.ID]++
	s.views.mu.Unlock()
	return nil
}

// PendingViews returns the views of listing id counted by this process and
// not yet flushed, for a page that shows the count.
func (s *Service) PendingViews(id int64) int {
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	return s.views.n[id]
}

// FlushViews adds the views counted since the last flush to the listings,
// in one transaction, and returns how many listings it updated. On failure
// the counts are kept for the next flush.
func (s *Service) FlushViews(ctx context.Context) (int, error) {
	s.views.mu.Lock()
	pending := s.views.n
	s.views.n = map[int64]int{}
	s.views.mu.Unlock()
	if len(pending) == 0 {
		return 0, nil
	}
	ids := make([]int64, 0, len(pending))
	for id := range pending {
		ids = append(ids, id)
	}
	// One order for every node, so two nodes flushing at once cannot
	// deadlock on PostgreSQL's row locks.
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "UPDATE listings SET views = views + ? WHERE id = ?", pending[id], id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.views.mu.Lock()
		for id, n := range pending {
			s.views.n[id] += n
		}
		s.views.mu.Unlock()
		return 0, fmt.Errorf("flush listing views: %w", err)
	}
	return len(ids), nil
}

// FlushViewsEvery flushes the counted views every interval and once more
// when ctx ends (the server's shutdown).
func (s *Service) FlushViewsEvery(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if _, err := s.FlushViews(context.WithoutCancel(ctx)); err != nil {
				log.Error("flush listing views at shutdown", "err", err)
			}
			return
		case <-t.C:
			if _, err := s.FlushViews(ctx); err != nil {
				log.Warn("flush listing views", "err", err)
			}
		}
	}
}
