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

// LoadDeals opens 25 invented deals on published demo listings (when none
// exists yet), spread over the last four months and over every state, with
// the demo broker assigned to about half of them, all through the market
// service so that notices, history and audit rows are the real ones. It
// returns how many deals it opened.
func LoadDeals(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *market.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM deals").Scan(&n); err != nil {
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
	type listing struct{ id, owner int64 }
	var listings []listing
	rows, err = db.QueryContext(ctx, "SELECT id, owner_id FROM listings WHERE state = 'published' AND expires_at > ? ORDER BY id",
		sqldb.FormatTime(now))
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var l listing
		if err := rows.Scan(&l.id, &l.owner); err != nil {
			rows.Close()
			return 0, err
		}
		listings = append(listings, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(listings) < 10 || len(members) < 2 {
		return 0, nil
	}
	owners := map[int64]account.Actor{}
	ownerOf := func(id int64) (account.Actor, error) {
		if a, ok := owners[id]; ok {
			return a, nil
		}
		var username string
		if err := db.QueryRowContext(ctx, "SELECT username FROM users WHERE id = ?", id).Scan(&username); err != nil {
			return account.Actor{}, err
		}
		a, err := actorOf(username)
		owners[id] = a
		return a, err
	}
	var contracts []int64
	rows, err = db.QueryContext(ctx, "SELECT id FROM contracts ORDER BY id LIMIT 10")
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		contracts = append(contracts, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}

	// Deals start four days apart over the last four months and take their
	// steps one to three days apart, so that none lies in the future.
	start := now.AddDate(0, -4, 0)
	at := start
	mkt := market.NewService(db, svc.Reference(), HomeRegion, func() time.Time { return at })
	rng := rand.New(rand.NewPCG(2026, 11))
	messages := []string{
		"我单位对该项目很感兴趣，希望进一步了解技术细节和合作方式。",
		"希望以技术许可方式合作，请联系洽谈具体条件。",
		"我们在相关领域有产业化条件，希望开展联合开发。",
		"拟作价入股合作，请提供技术成熟度和知识产权情况。",
		"希望安排一次现场考察，了解中试情况。",
	}
	names := []string{"王经理", "李总", "赵工", "孙主任", "周博士", "吴经理"}
	// The target states, 25 in all: every state, most deals still open.
	var targets []market.DealState
	for _, t := range []struct {
		state market.DealState
		count int
	}{{market.DealIntent, 7}, {market.DealNegotiating, 7}, {market.DealSigned, 5}, {market.DealRegistered, 3}, {market.DealTerminated, 3}} {
		for range t.count {
			targets = append(targets, t.state)
		}
	}
	rng.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
	opened := 0
	used := map[[2]int64]bool{}
	for i, target := range targets {
		at = start.Add(time.Duration(4*i+rng.IntN(3)) * 24 * time.Hour)
		l := listings[rng.IntN(len(listings))]
		member := members[rng.IntN(len(members))]
		// A member has one open deal per listing and none on its own.
		for member.UserID == l.owner || used[[2]int64{l.id, member.UserID}] {
			l, member = listings[rng.IntN(len(listings))], members[rng.IntN(len(members))]
		}
		used[[2]int64{l.id, member.UserID}] = true
		owner, err := ownerOf(l.owner)
		if err != nil {
			return opened, err
		}
		d, err := mkt.CreateDeal(ctx, member, market.DealInput{ListingID: l.id, Message: messages[rng.IntN(len(messages))],
			Contact: market.Contact{Name: names[rng.IntN(len(names))], Phone: fmt.Sprintf("0512-5%07d", rng.IntN(10000000))}})
		if err != nil {
			return opened, fmt.Errorf("demo deal %d: %w", i, err)
		}
		opened++
		mover := member
		step := func(action string, s market.DealStep) error {
			at = at.Add(time.Duration(1+rng.IntN(3)) * 24 * time.Hour)
			_, err := mkt.StepDeal(ctx, mover, d.ID, action, s)
			if err != nil {
				return fmt.Errorf("demo deal %d %s: %w", i, action, err)
			}
			return nil
		}
		if i%2 == 0 {
			mover = staff
			if err := step(market.DealAssignBroker, market.DealStep{BrokerID: broker.UserID}); err != nil {
				return opened, err
			}
			mover = broker
		}
		if target == market.DealIntent {
			continue
		}
		if target == market.DealTerminated {
			mover = owner
			if err := step(market.DealTerminate, market.DealStep{Reason: "双方未就价格和交付周期达成一致"}); err != nil {
				return opened, err
			}
			continue
		}
		if err := step(market.DealNegotiate, market.DealStep{Note: "已安排线上沟通"}); err != nil {
			return opened, err
		}
		if target == market.DealNegotiating {
			continue
		}
		amount := math.Round((10+rng.ExpFloat64()*60)*100) / 100
		if err := step(market.DealSign, market.DealStep{Amount: &amount}); err != nil {
			return opened, err
		}
		if target == market.DealSigned {
			continue
		}
		var s market.DealStep
		if len(contracts) > 0 {
			s.ContractID, contracts = contracts[0], contracts[1:]
		}
		mover = owner
		if err := step(market.DealRegister, s); err != nil {
			return opened, err
		}
	}
	return opened, nil
}
