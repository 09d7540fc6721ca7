package market

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/search/analysis"
	"kechuang/internal/sqldb"
)

// Proposals on publish.
const (
	// ProposalWindow is how recently a listing must have been published
	// for its matches to be proposed: a listing found later (a restored
	// backup, a long outage) is not announced as new.
	ProposalWindow = 7 * 24 * time.Hour
	// proposalsKept is how many best matches of a new listing are kept
	// for the staff's list; the owners of the first noticesPerListing
	// are told.
	proposalsKept     = 5
	noticesPerListing = 3
	// MatchNoticesPerDay caps the match notices one user gets in 24 hours,
	// so a busy domain does not bury the inbox.
	MatchNoticesPerDay = 3
	// matchNoticeKind is the notice kind of a new match, counted for the cap.
	matchNoticeKind = "match.new"
	// newMatchesDays is how far back the staff's list of new matches goes.
	newMatchesDays = 30
)

// ProposeMatches finds listings published within ProposalWindow whose
// matches have not been proposed, and for each one that the index already
// holds, keeps its best matches and tells the owners of the top ones (in
// app, at most MatchNoticesPerDay a day each, never those who opted out).
// Several nodes may run it at once: each listing is claimed with a
// conditional UPDATE. It returns how many listings it handled.
func (x *Indexer) ProposeMatches(ctx context.Context) (int, error) {
	s := x.svc
	now := s.now()
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM listings WHERE state = ? AND matches_proposed = ? AND published_at >= ?
		AND kind <> 'financing' ORDER BY id LIMIT 200`, Published, false, sqldb.FormatTime(now.Add(-ProposalWindow)))
	if err != nil {
		return 0, fmt.Errorf("find new listings: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	done := 0
	for _, id := range ids {
		if _, ok := x.ix.Get(docID(id)); !ok {
			continue // not indexed yet: the next round will see it
		}
		l, err := getListing(ctx, s.db, id, now)
		if err != nil || l.State != Published {
			continue
		}
		boosts, err := s.boosts(ctx, l.OwnerID, topDomain(l.Domain))
		if err != nil {
			return done, err
		}
		ranked, _, err := x.rankListings(ctx, l, map[string]bool{}, boosts, proposalsKept)
		if err != nil {
			return done, err
		}
		err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			res, err := tx.ExecContext(ctx, "UPDATE listings SET matches_proposed = ? WHERE id = ? AND matches_proposed = ?", true, id, false)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // another node got there first
			}
			told := 0
			for i, m := range ranked {
				if _, err := tx.ExecContext(ctx, `INSERT INTO match_proposals (listing_id, candidate_id, rank, score, shared_terms,
					region_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (listing_id, candidate_id) DO NOTHING`,
					l.ID, m.ID, m.Rank, m.Score, strings.Join(m.SharedTerms, ","), l.RegionCode, sqldb.At(now)); err != nil {
					return fmt.Errorf("keep proposal: %w", err)
				}
				if i >= noticesPerListing {
					continue
				}
				ok, err := s.mayNotifyMatch(ctx, tx, m.ownerID, now)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				n := notice.Message{To: m.ownerID, Kind: matchNoticeKind, Key: "market.match.notice_new",
					Args: []notice.Arg{kindArg(m.Kind), notice.Text(m.Title), kindArg(l.Kind), notice.Text(l.Title)},
					Body: notice.Text(strings.Join(m.SharedTerms, "、")), Link: MatchesLink(m.ID), At: now}
				if err := notice.Send(ctx, tx, n); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, "UPDATE match_proposals SET notified = ? WHERE listing_id = ? AND candidate_id = ?",
					m.ownerID, l.ID, m.ID); err != nil {
					return err
				}
				told++
			}
			done++
			return audit.Record(ctx, tx, audit.System, audit.Event{Action: "match.propose", ObjectType: "listing", ObjectID: idText(l.ID), ObjectName: l.Title,
				RegionCode: l.RegionCode, After: map[string]int{"proposed": len(ranked), "notified": told}})
		})
		if err != nil {
			return done, fmt.Errorf("propose matches of listing %d: %w", id, err)
		}
	}
	return done, nil
}

// mayNotifyMatch reports whether user may get another match notice now:
// not opted out, and under MatchNoticesPerDay in the last 24 hours.
func (s *Service) mayNotifyMatch(ctx context.Context, tx *sqldb.Tx, user int64, now time.Time) (bool, error) {
	var out int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM match_optout WHERE user_id = ?", user).Scan(&out); err != nil {
		return false, err
	}
	if out > 0 {
		return false, nil
	}
	recent, err := notice.Sent(ctx, tx, user, matchNoticeKind, now.Add(-24*time.Hour))
	return recent < MatchNoticesPerDay, err
}

// ProposeMatchesEvery runs ProposeMatches every interval until ctx ends.
func (x *Indexer) ProposeMatchesEvery(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := x.ProposeMatches(ctx); err != nil && ctx.Err() == nil {
				x.log.Warn("propose matches", "err", err)
			}
		}
	}
}

// Proposal is one of the best matches of a newly published listing.
type Proposal struct {
	ListingID      int64     `json:"listing_id"`
	ListingKind    Kind      `json:"listing_kind"`
	ListingTitle   string    `json:"listing_title"`
	CandidateID    int64     `json:"candidate_id"`
	CandidateTitle string    `json:"candidate_title"`
	Rank           int       `json:"rank"`
	Score          float64   `json:"score"`
	SharedTerms    []string  `json:"shared_terms"`
	RegionCode     string    `json:"region_code"`
	RegionName     string    `json:"region_name"`
	Notified       bool      `json:"notified"`
	Answer         string    `json:"answer,omitempty"` // accepted or declined, by the candidate's owner or the new listing's
	CreatedAt      time.Time `json:"created_at"`
}

// NewMatches lists the best matches proposed for listings published in the
// last 30 days in the actor's scope (narrowed to regionCode when given),
// best first. Staff and the administrator only (Forbidden otherwise).
func (s *Service) NewMatches(ctx context.Context, a account.Actor, regionCode string, page, perPage int) ([]Proposal, int, error) {
	if !IsReviewer(a) && a.Role != account.RoleAdmin {
		return nil, 0, apperr.New(apperr.Forbidden, "market.match.stats_forbidden")
	}
	scope := a.Scope()
	if regionCode != "" {
		if !region.ValidCode(regionCode) || !a.InScope(regionCode) {
			return nil, 0, apperr.New(apperr.NotFound, "error.not_found")
		}
		scope = regionCode
	}
	page = max(page, 1)
	if perPage <= 0 || perPage > 100 {
		perPage = 20
	}
	where := "p.region_code LIKE ? AND p.created_at >= ?"
	args := []any{region.Prefix(scope) + "%", sqldb.FormatTime(s.now().Add(-newMatchesDays * 24 * time.Hour))}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM match_proposals p WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count new matches: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT p.listing_id, l.kind, l.title, p.candidate_id, c.title, p.rank, p.score, p.shared_terms,
		p.region_code, COALESCE(r.name, p.region_code), p.notified IS NOT NULL, COALESCE(f.decision, g.decision, ''), p.created_at
		FROM match_proposals p JOIN listings l ON l.id = p.listing_id JOIN listings c ON c.id = p.candidate_id
		LEFT JOIN regions r ON r.code = p.region_code
		LEFT JOIN match_feedback f ON f.listing_id = p.candidate_id AND f.candidate_kind = 'listing' AND f.candidate_id = p.listing_id
		LEFT JOIN match_feedback g ON g.listing_id = p.listing_id AND g.candidate_kind = 'listing' AND g.candidate_id = p.candidate_id
		WHERE `+where+` ORDER BY p.score DESC, p.listing_id, p.candidate_id LIMIT ? OFFSET ?`, append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("new matches: %w", err)
	}
	defer rows.Close()
	out := []Proposal{}
	for rows.Next() {
		var p Proposal
		var terms string
		var at sqldb.Time
		if err := rows.Scan(&p.ListingID, &p.ListingKind, &p.ListingTitle, &p.CandidateID, &p.CandidateTitle, &p.Rank, &p.Score, &terms,
			&p.RegionCode, &p.RegionName, &p.Notified, &p.Answer, &at); err != nil {
			return nil, 0, err
		}
		p.SharedTerms = []string{}
		for _, t := range strings.Split(terms, ",") {
			// Proposals recorded before the stop list kept its words.
			if t != "" && !analysis.IsStop(t) {
				p.SharedTerms = append(p.SharedTerms, t)
			}
		}
		p.CreatedAt = at.Time
		out = append(out, p)
	}
	return out, total, rows.Err()
}
