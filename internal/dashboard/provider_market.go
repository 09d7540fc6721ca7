package dashboard

import (
	"context"
	"fmt"
	"net/url"

	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// MarketFigures is the technology market's provider:
//
//   - market.contracts, market.contract_amount: technology contracts
//     registered (技术合同登记) by the month they were signed, their count
//     and turnover (合同成交额, 万元);
//   - market.listings_published: listings published in the month;
//   - market.listings_traded: listings with a deal signed in the month
//     (each listing once a month);
//   - market.deals_<stage>: deals that entered the stage in the month
//     (intent: new interests);
//   - market.financing_raised: the sought amount (万元) of the financing
//     listings that got their first investment in the month.
func MarketFigures(db *sqldb.DB) Provider {
	return ProviderFunc(func(ctx context.Context, w Window) ([]Series, error) {
		return marketFigures(ctx, db, w)
	})
}

func marketFigures(ctx context.Context, db *sqldb.DB, w Window) ([]Series, error) {
	count := Series{Key: "market.contracts", Module: "market", Unit: "dashboard.unit.item", Kind: Flow,
		Num: map[string]map[string]float64{}, List: "/market/contracts", Dated: true}
	amount := Series{Key: "market.contract_amount", Module: "market", Unit: "unit.wan_yuan", Kind: Flow,
		Num: map[string]map[string]float64{}, List: "/market/contracts", Dated: true}
	rows, err := db.QueryContext(ctx, `SELECT region_code, SUBSTR(signed_on, 1, 7), COUNT(*), SUM(amount) FROM `+
		indexed(db, "contracts", "contracts_signed_region")+` WHERE signed_on >= ? AND signed_on <= ? GROUP BY region_code, SUBSTR(signed_on, 1, 7)`, w.From+"-01", w.To+"-31")
	if err != nil {
		return nil, fmt.Errorf("contracts by month: %w", err)
	}
	for rows.Next() {
		var code, month string
		var n, sum float64
		if err := rows.Scan(&code, &month, &n, &sum); err != nil {
			rows.Close()
			return nil, err
		}
		add(count.Num, code, month, n)
		add(amount.Num, code, month, sum)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	published := Series{Key: "market.listings_published", Module: "market", Unit: "dashboard.unit.item", Kind: Flow,
		Num: map[string]map[string]float64{}, List: "/market/search"}
	// One range of the (published_at, region_code) index per month: the
	// index alone answers each. SQLite is told to use it: left to itself it
	// reads the whole table in region order to avoid sorting the groups.
	from := indexed(db, "listings", "listings_published_region")
	for _, m := range w.Months() {
		rows, err := db.QueryContext(ctx, `SELECT region_code, COUNT(*) FROM `+from+`
			WHERE published_at >= ? AND published_at < ? GROUP BY region_code`, m+"-01T", nextMonth(m)+"-01T")
		if err != nil {
			return nil, fmt.Errorf("listings published: %w", err)
		}
		for rows.Next() {
			var code string
			var n float64
			if err := rows.Scan(&code, &n); err != nil {
				rows.Close()
				return nil, err
			}
			add(published.Num, code, m, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	traded := Series{Key: "market.listings_traded", Module: "market", Unit: "dashboard.unit.item", Kind: Flow,
		Num: map[string]map[string]float64{}, List: "/market/deals?state=" + string(market.DealSigned)}
	if err := monthly(ctx, db, traded.Num, `SELECT region_code, SUBSTR(signed_at, 1, 7), COUNT(DISTINCT listing_id) FROM deals
		WHERE signed_at >= ? AND signed_at < ? GROUP BY region_code, SUBSTR(signed_at, 1, 7)`, w.FromTime, w.ToTime); err != nil {
		return nil, fmt.Errorf("listings traded: %w", err)
	}
	stages := []market.DealState{market.DealIntent, market.DealNegotiating, market.DealSigned, market.DealRegistered}
	byStage := map[string]*Series{}
	var deals []Series
	for _, st := range stages {
		deals = append(deals, Series{Key: "market.deals_" + string(st), Module: "market", Unit: "dashboard.unit.item", Kind: Flow,
			Num: map[string]map[string]float64{}, List: "/market/deals?state=" + url.QueryEscape(string(st))})
	}
	for i, st := range stages {
		byStage[string(st)] = &deals[i]
	}
	// The steps of the window from a covering index (0059), each step's
	// deal's county from another, counted here: grouping in SQL costs a
	// join and a sort of every step of two years, several times this.
	county, err := countyByID(ctx, db, indexed(db, "deals", "deals_id_region"))
	if err != nil {
		return nil, fmt.Errorf("deals by stage: %w", err)
	}
	rows, err = db.QueryContext(ctx, `SELECT deal_id, to_state, SUBSTR(at, 1, 7) FROM `+
		indexed(db, "deal_events", "deal_events_at_states")+`
		WHERE at >= ? AND at < ? AND to_state IN (?, ?, ?, ?) AND from_state <> to_state`, w.FromTime, w.ToTime,
		string(stages[0]), string(stages[1]), string(stages[2]), string(stages[3]))
	if err != nil {
		return nil, fmt.Errorf("deals by stage: %w", err)
	}
	for rows.Next() {
		var id int64
		var st, month string
		if err := rows.Scan(&id, &st, &month); err != nil {
			rows.Close()
			return nil, err
		}
		code, ok := county[id]
		if se := byStage[st]; se != nil && ok {
			add(se.Num, code, month, 1)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	financing := Series{Key: "market.financing_raised", Module: "market", Unit: "unit.wan_yuan", Kind: Flow,
		Num: map[string]map[string]float64{}, List: "/market/search?kind=" + string(market.Financing)}
	rows, err = db.QueryContext(ctx, `SELECT l.region_code, MIN(e.at), COALESCE(l.amount, 0) FROM investment_interest_events e
		JOIN investment_interests i ON i.id = e.interest_id JOIN listings l ON l.id = i.listing_id
		WHERE e.to_stage = ? GROUP BY l.id, l.region_code, l.amount`, string(market.StageInvested))
	if err != nil {
		return nil, fmt.Errorf("financing raised: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, at string
		var amt float64
		if err := rows.Scan(&code, &at, &amt); err != nil {
			return nil, err
		}
		if m := at[:7]; m >= w.From && m <= w.To {
			add(financing.Num, code, m, amt)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []Series{amount, count, published, traded}
	out = append(out, deals...)
	return append(out, financing), nil
}

// monthly runs query, whose rows are (county, month, value), adding each
// value to m.
func monthly(ctx context.Context, db *sqldb.DB, m map[string]map[string]float64, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code, month string
		var v float64
		if err := rows.Scan(&code, &month, &v); err != nil {
			return err
		}
		add(m, code, month, v)
	}
	return rows.Err()
}

// countyByID reads (id, region_code) of every row of from: a table
// (through a covering index).
func countyByID(ctx context.Context, db *sqldb.DB, from string) (map[int64]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT id, region_code FROM "+from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		out[id] = code
	}
	return out, rows.Err()
}

// indexed is table (with its alias, if any), told to SQLite to read
// through index: left to
// itself, SQLite reads a whole table in the order of an index that saves
// sorting the groups (region_code) rather than the range of the window's
// months. PostgreSQL plans these well by itself.
func indexed(db *sqldb.DB, table, index string) string {
	if db.Dialect() == sqldb.SQLite {
		return table + " INDEXED BY " + index
	}
	return table
}
