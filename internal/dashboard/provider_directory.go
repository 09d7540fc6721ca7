package dashboard

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

// DirectoryFigures is the directory's provider:
//
//   - directory.occupancy: the occupancy (入驻率) of the incubation
//     carriers at the month's end, by floor area, pooled over the
//     carriers with an area on record (Σ area of the stays covering the
//     day / Σ carriers' area, in percent; see directory's occupancy.go for
//     the definition). Capacity is today's, as the directory keeps no
//     history of it.
func DirectoryFigures(db *sqldb.DB) Provider {
	return ProviderFunc(func(ctx context.Context, w Window) ([]Series, error) {
		return directoryFigures(ctx, db, w)
	})
}

func directoryFigures(ctx context.Context, db *sqldb.DB, w Window) ([]Series, error) {
	occ := Series{Key: "directory.occupancy", Module: "directory", Unit: "dashboard.unit.percent", Kind: Stock,
		Num: map[string]map[string]float64{}, Den: map[string]map[string]float64{},
		List: "/directory/search?type=" + directory.TypeCarrier}
	cond, args := inList("region_code", w.Counties)
	rows, err := db.QueryContext(ctx, "SELECT id, region_code, area FROM carriers WHERE area > 0 AND "+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("carriers: %w", err)
	}
	months := w.Months()
	ends := make([]time.Time, len(months))
	for i, m := range months {
		t, _ := time.Parse("2006-01", m)
		ends[i] = t.AddDate(0, 1, -1)
	}
	county := map[int64]string{}
	for rows.Next() {
		var id int64
		var code string
		var area float64
		if err := rows.Scan(&id, &code, &area); err != nil {
			rows.Close()
			return nil, err
		}
		county[id] = code
		for _, m := range months {
			add(occ.Den, code, m, area)
			add(occ.Num, code, m, 0)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, "SELECT carrier_id, entered, exited, area FROM carrier_tenants WHERE area > 0")
	if err != nil {
		return nil, fmt.Errorf("carrier tenants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var entered, exited string
		var area float64
		if err := rows.Scan(&id, &entered, &exited, &area); err != nil {
			return nil, err
		}
		code, ok := county[id]
		if !ok {
			continue
		}
		stay := directory.Stay{Space: directory.Space{Area: area}}
		stay.Entered, _ = time.Parse("2006-01-02", entered)
		if exited != "" {
			stay.Exited, _ = time.Parse("2006-01-02", exited)
		}
		for i, end := range ends {
			if stay.Covers(end) {
				add(occ.Num, code, months[i], area)
			}
		}
	}
	return []Series{occ}, rows.Err()
}
