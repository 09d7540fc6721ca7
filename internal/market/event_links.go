package market

import (
	"context"
	"fmt"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/pii"
)

// The market's answers to the events module (package event): the listings
// event participants browse, and how far the deals and investment
// interests that event meetings opened have come.

func idPlaceholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// PublishedListingsOf returns the published, unexpired listings of the
// given owners, newest first, as the actor may see them (view: the contact
// only for members and staff). Owners without such listings add nothing.
func (s *Service) PublishedListingsOf(ctx context.Context, a account.Actor, owners []int64) ([]Listing, error) {
	if len(owners) == 0 {
		return nil, nil
	}
	now := s.now()
	cond, args := stateWhere(Published, now)
	for _, id := range owners {
		args = append(args, id)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+listingColumns+listingFrom+" WHERE "+cond+" AND l.owner_id IN ("+
		idPlaceholders(len(owners))+") ORDER BY l.id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("listings of owners: %w", err)
	}
	defer rows.Close()
	var out []Listing
	for rows.Next() {
		l, err := scanListing(rows, now, pii.From(s.db))
		if err != nil {
			return nil, err
		}
		if canRead(a, l) {
			out = append(out, view(a, l))
		}
	}
	return out, rows.Err()
}

// Progress is how far a set of deals and investment interests has come:
// how many there are and how many reached a contract (a deal signed or
// registered, an interest invested). It names no party, so the events
// module shows it to whoever may see an event's funnel.
type Progress struct {
	Deals     int `json:"deals"`
	Signed    int `json:"signed"`
	Interests int `json:"interests"`
	Invested  int `json:"invested"`
}

// Contracts counts the deals and interests that reached a contract.
func (p Progress) Contracts() int { return p.Signed + p.Invested }

// ProgressOf counts the given deals and investment interests by their
// present stage, read now, so that a funnel built on them keeps counting
// as they move on. Ids of rows that no longer exist count for nothing.
func (s *Service) ProgressOf(ctx context.Context, a account.Actor, deals, interests []int64) (Progress, error) {
	var p Progress
	count := func(query string, ids []int64, total, done *int) error {
		if len(ids) == 0 {
			return nil
		}
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		return s.db.QueryRowContext(ctx, fmt.Sprintf(query, idPlaceholders(len(ids))), args...).Scan(total, done)
	}
	if err := count(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN state IN ('signed', 'registered') THEN 1 ELSE 0 END), 0)
		FROM deals WHERE id IN (%s)`, deals, &p.Deals, &p.Signed); err != nil {
		return p, fmt.Errorf("deal progress: %w", err)
	}
	if err := count(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN stage = 'invested' THEN 1 ELSE 0 END), 0)
		FROM investment_interests WHERE id IN (%s)`, interests, &p.Interests, &p.Invested); err != nil {
		return p, fmt.Errorf("interest progress: %w", err)
	}
	return p, nil
}
