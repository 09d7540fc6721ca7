package web_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"kechuang/internal/dbtest"
	"kechuang/internal/indicator"
	"kechuang/internal/sqldb"
)

// benchIndicatorRows is how many indicator entries the workbench and
// report benchmarks run over.
const benchIndicatorRows = 1_000_000

// seedIndicatorRows bulk-inserts n rows into indicator_values: every
// county of 苏州市 × 100 codes (the catalogue's TB01, TB02 and 98 more) ×
// the months back from last month, so that the periods the pages read
// hold their share of the rows.
func seedIndicatorRows(b *testing.B, e *env, n int) {
	b.Helper()
	ctx := context.Background()
	var counties []string
	rows, err := e.db.QueryContext(ctx, "SELECT code FROM regions WHERE parent_code = '320500' ORDER BY code")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			b.Fatal(err)
		}
		counties = append(counties, c)
	}
	rows.Close()
	codes := []string{"TB01", "TB02"}
	for i := len(codes); i < 100; i++ {
		codes = append(codes, fmt.Sprintf("ZX%03d", i))
	}
	per := len(counties) * len(codes)
	months := (n + per - 1) / per
	p := indicator.MonthOf(e.clock.Now()).Prev()
	var periods []string
	for i := 0; i < months; i, p = i+1, p.Prev() {
		periods = append(periods, p.String())
	}
	const batch = 400
	var args []any
	var values []string
	flush := func() {
		if len(values) == 0 {
			return
		}
		err := e.db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO indicator_values (code, period, region_code, value, entered_at) VALUES "+
				strings.Join(values, ",")+" ON CONFLICT (period, region_code, code) DO NOTHING", args...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		args, values = args[:0], values[:0]
	}
	inserted := 0
	for _, period := range periods {
		for _, c := range counties {
			for k, code := range codes {
				if inserted == n {
					break
				}
				values = append(values, "(?, ?, ?, ?, ?)")
				args = append(args, code, period, c, float64(100+k), "2026-01-01T00:00:00.000000Z")
				inserted++
				if len(values) == batch {
					flush()
				}
			}
		}
	}
	flush()
	var got int
	if err := e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM indicator_values").Scan(&got); err != nil {
		b.Fatal(err)
	}
	if got < n {
		b.Fatalf("indicator_values holds %d rows, want %d", got, n)
	}
}

// bulkInsert writes rows of cols into table, 400 rows a statement, one
// transaction per statement.
func bulkInsert(b *testing.B, e *env, table, cols string, rows [][]any) {
	b.Helper()
	ctx := context.Background()
	n := len(strings.Split(cols, ","))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	for start := 0; start < len(rows); start += 400 {
		end := min(start+400, len(rows))
		var values []string
		var args []any
		for _, r := range rows[start:end] {
			values = append(values, one)
			args = append(args, r...)
		}
		err := e.db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO "+table+" ("+cols+") VALUES "+strings.Join(values, ","), args...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// seedScale adds the scale beside the demo: 100,000 listings (one
// in twenty awaiting review, the rest published) and 10,000 projects with
// four milestones each (one project in ten has an overdue milestone, one
// in twenty is red), spread over the counties of 苏州市.
func seedScale(b *testing.B, e *env) {
	b.Helper()
	ctx := context.Background()
	var owner, unit int64
	if err := e.db.QueryRowContext(ctx, "SELECT id FROM users WHERE username = 'institution'").Scan(&owner); err != nil {
		b.Fatal(err)
	}
	if err := e.db.QueryRowContext(ctx, "SELECT MIN(id) FROM gov_units").Scan(&unit); err != nil {
		b.Fatal(err)
	}
	counties := []string{"320505", "320506", "320507", "320508", "320509", "320581", "320582", "320583", "320585"}
	now := e.clock.Now().UTC()
	at := func(d time.Duration) string { return now.Add(-d).Format("2006-01-02T15:04:05.000000Z") }
	var listings [][]any
	for i := range 100_000 {
		state, submitted := "published", any(nil)
		if i%20 == 0 {
			state, submitted = "submitted", at(time.Duration(i%500)*time.Hour)
		}
		kind := "achievement"
		if i%3 == 0 {
			kind = "demand"
		}
		listings = append(listings, []any{kind, state, fmt.Sprintf("规模测试成果（%d）", i), counties[i%len(counties)], owner, submitted, at(time.Hour), at(time.Hour), at(time.Hour)})
	}
	bulkInsert(b, e, "listings", "kind, state, title, region_code, owner_id, submitted_at, published_at, created_at, updated_at", listings)
	var projects [][]any
	for i := range 10_000 {
		light := "green"
		if i%20 == 0 {
			light = "red"
		}
		projects = append(projects, []any{"key-rd", fmt.Sprintf("规模测试项目（%d）", i), counties[i%len(counties)], unit, 2026,
			"2026-01-01", "2027-12-31", "implementing", light, at(24 * time.Hour), at(24 * time.Hour)})
	}
	bulkInsert(b, e, "projects", "type, name, region_code, unit_id, plan_year, planned_start, planned_end, stage, light, created_at, updated_at", projects)
	var ids []int64
	rows, err := e.db.QueryContext(ctx, "SELECT id FROM projects WHERE name LIKE '规模测试项目%' ORDER BY id")
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	var milestones [][]any
	for i, id := range ids {
		for k := range 4 {
			day := now.AddDate(0, 0, 30*(k+1)).Format("2006-01-02")
			if i%10 == 0 && k == 0 {
				day = now.AddDate(0, 0, -5).Format("2006-01-02")
			}
			milestones = append(milestones, []any{id, k + 1, fmt.Sprintf("节点%d", k+1), day, at(time.Hour), at(time.Hour)})
		}
	}
	bulkInsert(b, e, "milestones", "project_id, seq, name, planned_date, created_at, updated_at", milestones)
}

// BenchmarkWorkbench measures, over HTTP on the demo plus 1,000,000
// indicator rows, 100,000 listings and 10,000 projects, the home page of city staff and of a county user (the
// workbench: every provider's counts and the key figures with last month
// and last year), the catalogue's values, and the monthly and annual
// reports assembled from the catalogue; each reports its p50 and p95 in
// ms, and the test process's CPU time per request (server and client; a
// PostgreSQL server's own CPU is not in it).
//
//	go test -run '^$' -bench BenchmarkWorkbench -benchtime 100x -timeout 60m ./internal/web/
func BenchmarkWorkbench(b *testing.B) {
	for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			if d == sqldb.Postgres && dbtest.PostgresDSN() == "" {
				b.Skip("no PostgreSQL")
			}
			e := newEnv(b, dbtest.Open(b, d))
			if _, err := e.app.LoadDemo(context.Background(), testPassword); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			seedIndicatorRows(b, e, benchIndicatorRows)
			seedScale(b, e)
			if d == sqldb.Postgres {
				// Autovacuum would analyze the bulk-loaded tables within a
				// minute; the benchmark does not wait for it.
				if _, err := e.db.ExecContext(context.Background(), "ANALYZE"); err != nil {
					b.Fatal(err)
				}
			}
			b.Logf("%s: %d indicator rows, 100,000 listings and 10,000 projects inserted in %s", d, benchIndicatorRows, time.Since(start).Round(time.Second))
			staff, county := e.client(), e.client()
			staff.mustLoginAPI("staff")
			county.mustLoginAPI("county")
			last := indicator.MonthOf(e.clock.Now()).Prev()
			year := fmt.Sprint(last.Year - 1)
			for _, tc := range []struct {
				name string
				c    *client
				path string
			}{
				{"home-staff", staff, "/"},
				{"home-county", county, "/"},
				{"api-indicators", staff, "/api/v1/indicators?period=" + last.String()},
				{"report-monthly", staff, "/api/v1/reports/monthly?period=" + last.String()},
				{"report-annual-page", staff, "/indicators/reports/annual?period=" + year},
				{"report-monthly-xlsx", staff, "/indicators/reports/monthly/export.xlsx?period=" + last.String()},
			} {
				b.Run(tc.name, func(b *testing.B) {
					if res := tc.c.get(tc.path); res.status != 200 {
						b.Fatalf("%s = %d %.200s", tc.path, res.status, res.body)
					}
					times := make([]time.Duration, 0, b.N)
					cpu0 := processCPU()
					b.ResetTimer()
					for range b.N {
						t0 := time.Now()
						if res := tc.c.get(tc.path); res.status != 200 {
							b.Fatalf("%s = %d", tc.path, res.status)
						}
						times = append(times, time.Since(t0))
					}
					b.StopTimer()
					b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
					sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
					p := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000 }
					b.ReportMetric(p(0.5), "p50-ms")
					b.ReportMetric(p(0.95), "p95-ms")
				})
			}
		})
	}
}
