package dashboard

import (
	"context"
	"fmt"

	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

// ProjectFigures is the project library's provider:
//
//   - projects.entered: projects that entered the library (入库) in the
//     month;
//   - projects.in_library: projects in the library at the month's end
//     (entered, not yet completed or exited);
//   - projects.investment: investment completed in the month (万元) by
//     the monthly reports, against the year's plan (the annual investment
//     of the projects planned for the year) as target;
//   - projects.service_on_time: of the service requests resolved in the
//     month, the share responded to and resolved within their limits.
func ProjectFigures(db *sqldb.DB) Provider {
	return ProviderFunc(func(ctx context.Context, w Window) ([]Series, error) {
		return projectFigures(ctx, db, w)
	})
}

func projectFigures(ctx context.Context, db *sqldb.DB, w Window) ([]Series, error) {
	entered := Series{Key: "projects.entered", Module: "projects", Unit: "dashboard.unit.item", Kind: Flow,
		Num: map[string]map[string]float64{}, List: "/projects/list"}
	inLib := Series{Key: "projects.in_library", Module: "projects", Unit: "dashboard.unit.item", Kind: Stock,
		Num: map[string]map[string]float64{}, List: "/projects/list"}
	months := w.Months()
	for _, c := range w.Counties {
		for _, m := range months {
			set(inLib.Num, c, m, 0)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT p.region_code, MIN(e.at), COALESCE(p.closed_on, '') FROM projects p
		JOIN project_events e ON e.project_id = p.id WHERE e.to_stage = ? AND e.at < ?
		GROUP BY p.id, p.region_code, p.closed_on`, string(project.Stocked), w.ToTime)
	if err != nil {
		return nil, fmt.Errorf("projects entered: %w", err)
	}
	for rows.Next() {
		var code, at, closed string
		if err := rows.Scan(&code, &at, &closed); err != nil {
			rows.Close()
			return nil, err
		}
		in := at[:7]
		if in >= w.From {
			add(entered.Num, code, in, 1)
		}
		for _, m := range months {
			// In the library at the end of m: entered by then, not closed
			// in m or before.
			if in <= m && (closed == "" || closed[:7] > m) {
				add(inLib.Num, code, m, 1)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	inv := Series{Key: "projects.investment", Module: "projects", Unit: "unit.wan_yuan", Kind: Flow,
		Num: map[string]map[string]float64{}, Targets: map[string]float64{}, List: "/projects/ledger"}
	// The reports of the window from a covering index (0059), each
	// report's project's county from another, summed here: grouping in
	// SQL costs a join and a sort of every report of two years.
	county, err := countyByID(ctx, db, indexed(db, "projects", "projects_id_region"))
	if err != nil {
		return nil, fmt.Errorf("project investment: %w", err)
	}
	rows, err = db.QueryContext(ctx, `SELECT project_id, month, investment_month FROM `+
		indexed(db, "project_reports", "project_reports_month_investment")+` WHERE month >= ? AND month <= ?`, w.From, w.To)
	if err != nil {
		return nil, fmt.Errorf("project investment: %w", err)
	}
	for rows.Next() {
		var id int64
		var month string
		var v float64
		if err := rows.Scan(&id, &month, &v); err != nil {
			rows.Close()
			return nil, err
		}
		if code, ok := county[id]; ok {
			add(inv.Num, code, month, v)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, `SELECT region_code, SUM(annual_investment) FROM projects
		WHERE plan_year = ? AND stage IN (?, ?, ?, ?) GROUP BY region_code`, w.Year,
		string(project.Stocked), string(project.Implementing), string(project.Adjusting), string(project.Completed))
	if err != nil {
		return nil, fmt.Errorf("investment plans: %w", err)
	}
	for rows.Next() {
		var code string
		var v float64
		if err := rows.Scan(&code, &v); err != nil {
			rows.Close()
			return nil, err
		}
		inv.Targets[code] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	onTime := Series{Key: "projects.service_on_time", Module: "projects", Unit: "dashboard.unit.percent", Kind: Flow,
		Num: map[string]map[string]float64{}, Den: map[string]map[string]float64{}, List: "/service-requests"}
	rows, err = db.QueryContext(ctx, `SELECT region_code, resolved_at, COALESCE(responded_at, ''), COALESCE(respond_due, ''),
		COALESCE(resolve_due, '') FROM service_requests WHERE resolved_at >= ? AND resolved_at < ?`, w.FromTime, w.ToTime)
	if err != nil {
		return nil, fmt.Errorf("service requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, resolved, responded, respondDue, resolveDue string
		if err := rows.Scan(&code, &resolved, &responded, &respondDue, &resolveDue); err != nil {
			return nil, err
		}
		m := resolved[:7]
		add(onTime.Den, code, m, 1)
		ok := resolveDue == "" || resolved[:10] <= resolveDue[:min(10, len(resolveDue))]
		ok = ok && (respondDue == "" || (responded != "" && responded[:10] <= respondDue[:min(10, len(respondDue))]))
		if ok {
			add(onTime.Num, code, m, 1)
		} else {
			add(onTime.Num, code, m, 0)
		}
	}
	return []Series{entered, inLib, inv, onTime}, rows.Err()
}
