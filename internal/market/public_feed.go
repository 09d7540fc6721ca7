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
	// see: contact, owner id, review note, near-duplicate, team, IP numbers;
	// an anonymous listing's owner name too.
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
		if l.Anonymous {
			// 匿名发布: peers read the text, never who offers it.
			l = conceal(l)
			l.BrokerID, l.BrokerName = 0, ""
		}
		out = append(out, PublicChange{Seq: c.seq, Listing: l})
	}
	return out, last, more, nil
}

// TwinThreshold is the similarity (Similarity) from which two listings are
// near-duplicates.
const TwinThreshold = twinThreshold

// Similarity is the near-duplicate measure market uses on submit: the
// Sørensen–Dice coefficient of character bigrams, title and text weighed
// equally. Package federation applies it across regions.
func Similarity(titleA, textA, titleB, textB string) float64 {
	return similarity(titleA, textA, titleB, textB)
}

// NearestPublished returns the published listing of kind k most similar to
// title and text when the similarity reaches TwinThreshold (id 0 when
// none). Only public listings are compared, so the answer may be shown to
// anyone.
func (s *Service) NearestPublished(ctx context.Context, k Kind, title, text string) (id int64, twinTitle string, score float64, err error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, title, summary FROM listings WHERE kind = ? AND state = 'published'", string(k))
	if err != nil {
		return 0, "", 0, fmt.Errorf("nearest published: %w", err)
	}
	defer rows.Close()
	tA, sA := bigrams(title), bigrams(text)
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.title, &c.summary); err != nil {
			return 0, "", 0, err
		}
		if sc := 0.5*dice(tA, bigrams(c.title)) + 0.5*dice(sA, bigrams(c.summary)); sc > score {
			id, twinTitle, score = c.id, c.title, sc
		}
	}
	if err := rows.Err(); err != nil {
		return 0, "", 0, err
	}
	if score < twinThreshold {
		return 0, "", 0, nil
	}
	return id, twinTitle, score, nil
}
