package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// LoadDealHistory opens 30 more invented deals, nine days apart over the
// ten months before the last four (which LoadDeals fills), on listings
// published before each deal begins, so that the dashboard's trend lines
// and conversion funnel have a year behind them. The deals go through the
// market service with its clock set to each step's day, so their history,
// notices and audit rows are the real ones. It does nothing when a deal
// older than four months exists; it returns how many deals it opened.
func LoadDealHistory(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *market.Service, now time.Time) (int, error) {
	start := now.AddDate(0, -14, 0)
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM deals WHERE created_at < ?",
		sqldb.FormatTime(now.AddDate(0, -4, -1))).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	actorOf := func(username string) (account.Actor, error) {
		u, err := accounts.GetUserByName(ctx, account.System, username)
		if err != nil {
			return account.Actor{}, fmt.Errorf("demo account %s: %w", username, err)
		}
		return account.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Region: u.RegionCode}, nil
	}
	staff, err := actorOf("staff")
	if err != nil {
		return 0, err
	}
	broker, err := actorOf("broker")
	if err != nil {
		return 0, err
	}
	var members []account.Actor
	rows, err := db.QueryContext(ctx, `SELECT id, username, display_name, role, region_code FROM users
		WHERE role IN ('enterprise', 'institution', 'investor') AND disabled = ? ORDER BY id`, false)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var a account.Actor
		if err := rows.Scan(&a.UserID, &a.Username, &a.DisplayName, &a.Role, &a.Region); err != nil {
			rows.Close()
			return 0, err
		}
		members = append(members, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	type listing struct {
		id, owner int64
		published sqldb.Time
	}
	var listings []listing
	rows, err = db.QueryContext(ctx, `SELECT id, owner_id, published_at FROM listings
		WHERE state = 'published' AND kind <> 'financing' AND expires_at > ? ORDER BY published_at`, sqldb.FormatTime(now))
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var l listing
		if err := rows.Scan(&l.id, &l.owner, &l.published); err != nil {
			rows.Close()
			return 0, err
		}
		listings = append(listings, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// A member has one open deal per listing: those LoadDeals opened count.
	used := map[[2]int64]bool{}
	rows, err = db.QueryContext(ctx, "SELECT listing_id, member_id FROM deals")
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var k [2]int64
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			return 0, err
		}
		used[k] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(listings) < 10 || len(members) < 2 {
		return 0, nil
	}
	at := start
	mkt := market.NewService(db, svc.Reference(), HomeRegion, func() time.Time { return at })
	rng := rand.New(rand.NewPCG(2026, 16))
	targets := []market.DealState{market.DealIntent, market.DealNegotiating, market.DealSigned, market.DealTerminated, market.DealSigned}
	opened := 0
	for i := range 30 {
		at = start.Add(time.Duration(9*i+rng.IntN(4)) * 24 * time.Hour)
		// The listings published at least a day before the deal begins.
		var open []listing
		for _, l := range listings {
			if l.published.Before(at.Add(-24 * time.Hour)) {
				open = append(open, l)
			}
		}
		if len(open) == 0 {
			continue
		}
		var l listing
		var member account.Actor
		for tries := 0; ; tries++ {
			l, member = open[rng.IntN(len(open))], members[rng.IntN(len(members))]
			if member.UserID != l.owner && !used[[2]int64{l.id, member.UserID}] {
				break
			}
			if tries > 50 {
				return opened, nil
			}
		}
		used[[2]int64{l.id, member.UserID}] = true
		d, err := mkt.CreateDeal(ctx, member, market.DealInput{ListingID: l.id, Message: "我单位希望就该项目开展技术合作，请联系洽谈。",
			Contact: market.Contact{Name: "刘经理", Phone: fmt.Sprintf("0512-6%07d", rng.IntN(10000000))}})
		if err != nil {
			return opened, fmt.Errorf("demo history deal %d: %w", i, err)
		}
		opened++
		mover := member
		step := func(action string, s market.DealStep) error {
			at = at.Add(time.Duration(2+rng.IntN(12)) * 24 * time.Hour)
			if _, err := mkt.StepDeal(ctx, mover, d.ID, action, s); err != nil {
				return fmt.Errorf("demo history deal %d %s: %w", i, action, err)
			}
			return nil
		}
		if i%2 == 1 {
			mover = staff
			if err := step(market.DealAssignBroker, market.DealStep{BrokerID: broker.UserID}); err != nil {
				return opened, err
			}
			mover = broker
		}
		switch target := targets[i%len(targets)]; target {
		case market.DealTerminated:
			var username string
			if err := db.QueryRowContext(ctx, "SELECT username FROM users WHERE id = ?", l.owner).Scan(&username); err != nil {
				return opened, err
			}
			if mover, err = actorOf(username); err != nil {
				return opened, err
			}
			if err := step(market.DealTerminate, market.DealStep{Reason: "需方预算调整，暂缓合作"}); err != nil {
				return opened, err
			}
		case market.DealNegotiating, market.DealSigned:
			if err := step(market.DealNegotiate, market.DealStep{Note: "已安排现场考察"}); err != nil {
				return opened, err
			}
			if target == market.DealSigned {
				amount := math.Round((15+rng.ExpFloat64()*50)*100) / 100
				if err := step(market.DealSign, market.DealStep{Amount: &amount}); err != nil {
					return opened, err
				}
			}
		}
	}
	return opened, nil
}
