package dashboard

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"kechuang/internal/sqldb"
)

// Activity is one line of the big screen's ticker: a contract registered
// or a deal that moved on.
type Activity struct {
	Kind   string   `json:"kind"` // contract | deal
	Title  string   `json:"title"`
	Amount *float64 `json:"amount"` // 万元; a contract's turnover, a signed deal's amount
	// State is a deal's new state (signed, registered …); "" for a
	// contract.
	State      string     `json:"state"`
	RegionCode string     `json:"region_code"`
	At         sqldb.Time `json:"at"`
}

// recentSteps is how many of the city's latest deal steps the ticker
// looks through.
const recentSteps = 2000

// recent lists the latest n contracts and deal steps in the counties,
// newest first.
func (s *Service) recent(ctx context.Context, counties []string, n int) ([]Activity, error) {
	cond, args := inList("region_code", counties)
	rows, err := s.db.QueryContext(ctx, `SELECT title, amount, region_code, registered_at FROM contracts
		WHERE `+cond+` ORDER BY registered_at DESC LIMIT ?`, append(args, n)...)
	if err != nil {
		return nil, fmt.Errorf("recent contracts: %w", err)
	}
	out := []Activity{}
	for rows.Next() {
		a := Activity{Kind: "contract"}
		var amount float64
		if err := rows.Scan(&a.Title, &amount, &a.RegionCode, &a.At); err != nil {
			rows.Close()
			return nil, err
		}
		a.Amount = &amount
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	dcond, dargs := inList("d.region_code", counties)
	// The latest steps of the whole city first (from the index on at),
	// then those of the counties: a county with few of the city's last
	// recentSteps steps shows fewer lines rather than the query sorting
	// every step ever made.
	rows, err = s.db.QueryContext(ctx, `SELECT l.title, d.amount, e.to_state, d.region_code, e.at
		FROM (SELECT deal_id, to_state, at FROM deal_events WHERE to_state IN ('negotiating', 'signed', 'registered')
			ORDER BY at DESC LIMIT `+strconv.Itoa(recentSteps)+`) e
		JOIN deals d ON d.id = e.deal_id JOIN listings l ON l.id = d.listing_id
		WHERE `+dcond+` ORDER BY e.at DESC LIMIT ?`, append(dargs, n)...)
	if err != nil {
		return nil, fmt.Errorf("recent deals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a := Activity{Kind: "deal"}
		if err := rows.Scan(&a.Title, &a.Amount, &a.State, &a.RegionCode, &a.At); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At.Time) })
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}
