package demo

import (
	"context"
	"fmt"

	"kechuang/internal/account"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// demoDeclines are the answers the demo's demand owners give to their
// matches, in turn, so that the statistics page and the feedback boosts
// have something to show.
var demoDeclines = []market.DeclineReason{market.ReasonField, market.ReasonMaturity, market.ReasonBudget, market.ReasonRegion,
	market.ReasonField, market.ReasonUnclear, market.ReasonSolved}

// LoadMatchAnswers has the owners of the first twelve published demo
// demands answer their matches (when nobody has answered any yet): each
// accepts its best match every third time and declines the second and
// third with reasons in turn, through the market service, so that deals,
// notices and audit rows are the real ones. It returns how many answers it
// gave.
func LoadMatchAnswers(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *market.Service, x *market.Indexer) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM match_feedback").Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	list, _, err := svc.FindListings(ctx, account.Anonymous, market.Filter{Kind: market.Demand, Sort: "newest", PerPage: 12})
	if err != nil {
		return 0, err
	}
	answers := 0
	for i, d := range list {
		u, err := accounts.GetUser(ctx, account.System, d.OwnerID)
		if err != nil {
			return answers, fmt.Errorf("demo demand owner: %w", err)
		}
		owner := account.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Region: u.RegionCode}
		p, err := x.Matches(ctx, owner, d.ID, 1)
		if err != nil {
			return answers, err
		}
		for j, m := range p.Matches[:min(3, len(p.Matches))] {
			ans := market.Answer{CandidateKind: market.CandidateListing, CandidateID: m.ID}
			if j == 0 {
				if i%3 != 0 {
					continue
				}
				_, err = svc.AcceptMatch(ctx, owner, d.ID, ans)
			} else {
				ans.Reason = demoDeclines[(2*i+j)%len(demoDeclines)]
				_, err = svc.DeclineMatch(ctx, owner, d.ID, ans)
			}
			if err != nil {
				return answers, fmt.Errorf("demo match answer: %w", err)
			}
			answers++
		}
	}
	return answers, nil
}
