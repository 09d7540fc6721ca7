package market

import (
	"context"
	"fmt"

	"kechuang/internal/apperr"
)

// PublicChange is one entry of the public change stream that the
// federation feed (package federation) serves to peers: the listing as it
// is now, after its latest change.
type PublicChange struct {
	// Seq is the listing_changes sequence number of the listing's latest
	// change.
	Seq int64
	// Listing is stripped of everything only members, the owner or staff
	// see: contact, owner id, review note, near-duplicate, team, IP numbers.
	Listing Listing
}

// PublicChanges returns, in sequence order, the listings changed after
// sequence number after, each once at its latest change (an earlier change
// of a listing changed again later is superseded and skipped), at most
// limit of them. Listings never published are left out; the caller decides
// what a listing's state means to a reader. The listing_changes sequence is
// the one the search index follows, so a feed cursor survives restarts.
//
// last is the sequence number of the last change read (after when none),
// the cursor a reader resumes from; more reports that limit changes were
// read, so that more may follow.
func (s *Service) PublicChanges(ctx context.Context, after int64, limit int) (out []PublicChange, last int64, more bool, err error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.seq, c.listing_id FROM listing_changes c
		WHERE c.seq > ? AND c.seq = (SELECT MAX(d.seq) FROM listing_changes d WHERE d.listing_id = c.listing_id)
		ORDER BY c.seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, 0, false, fmt.Errorf("public changes: %w", err)
	}
	type change struct{ seq, id int64 }
	var changes []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.seq, &c.id); err != nil {
			rows.Close()
			return nil, 0, false, err
		}
		changes = append(changes, c)
	}
	if err := rows.Close(); err != nil {
		return nil, 0, false, err
	}
	if err := rows.Err(); err != nil {
		return nil, 0, false, err
	}
	last, more = after, len(changes) == limit
	if len(changes) > 0 {
		last = changes[len(changes)-1].seq
	}
	now := s.now()
	out = make([]PublicChange, 0, len(changes))
	for _, c := range changes {
		l, err := getListing(ctx, s.db, c.id, now)
		if apperr.KindOf(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return nil, 0, false, err
		}
		if l.PublishedAt.IsZero() {
			continue
		}
		l.Contact, l.OwnerID, l.ReviewNote, l.TwinID, l.TwinScore, l.Team, l.IP = nil, 0, "", 0, 0, "", nil
		l.UseOfFunds, l.Valuation, l.Views = "", nil, 0
		out = append(out, PublicChange{Seq: c.seq, Listing: l})
	}
	return out, last, more, nil
}
