package dashboard_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/dashboard"
	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

// The benchmark's scale: the 100,000 listings and 10,000 projects,
// with the rows around them in proportion.
const (
	benchListings    = 100_000
	benchDeals       = 20_000
	benchContracts   = 20_000
	benchEnterprises = 10_000
	benchProjects    = 10_000
	benchRequests    = 5_000
	benchCarriers    = 200
	benchTenants     = 4_000
)

var benchCounties = []string{"320505", "320506", "320507", "320508", "320509", "320571", "320581", "320582", "320583", "320585"}

// bulk inserts n rows of cols into table, 200 to a statement.
func bulk(b *testing.B, db *sqldb.DB, table string, cols []string, n int, row func(i int) []any) {
	b.Helper()
	const per = 200
	ctx := context.Background()
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		for start := 0; start < n; start += per {
			end := min(start+per, n)
			args := make([]any, 0, (end-start)*len(cols))
			for i := start; i < end; i++ {
				args = append(args, row(i)...)
			}
			q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
				strings.TrimSuffix(strings.Repeat(one+", ", end-start), ", ")
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// day returns a stored timestamp d days before the clock's day, at hour h.
func dayBefore(d, h int) string {
	return sqldb.FormatTime(now.AddDate(0, 0, -d).Truncate(24 * time.Hour).Add(time.Duration(h) * time.Hour))
}

// seedBench writes the benchmark's rows over the two years before the
// clock, with plain multi-row INSERTs.
func seedBench(b *testing.B, db *sqldb.DB) {
	b.Helper()
	r := rand.New(rand.NewPCG(2026, 16))
	county := func() string { return benchCounties[r.IntN(len(benchCounties))] }
	bulk(b, db, "users", []string{"username", "display_name", "role", "region_code", "password_hash", "created_at", "updated_at"}, 100,
		func(i int) []any {
			role := "enterprise"
			if i < 20 {
				role = "broker"
			}
			return []any{fmt.Sprintf("u%03d", i), fmt.Sprintf("用户%03d", i), role, county(), "x", dayBefore(800, 0), dayBefore(800, 0)}
		})
	listingDay := make([]int, benchListings)
	listingCounty := make([]string, benchListings)
	bulk(b, db, "listings", []string{"kind", "state", "title", "region_code", "owner_id", "published_at", "amount", "created_at", "updated_at"},
		benchListings, func(i int) []any {
			kinds := []string{"achievement", "demand", "financing"}
			d := r.IntN(720)
			listingDay[i], listingCounty[i] = d, county()
			var pub any = dayBefore(d, 9)
			state := "published"
			if i%10 == 0 {
				pub, state = nil, "draft"
			}
			return []any{kinds[i%3], state, fmt.Sprintf("合成成果%06d", i), listingCounty[i], 21 + r.IntN(80), pub, float64(100 + r.IntN(900)),
				dayBefore(d+1, 9), dayBefore(d, 9)}
		})
	type dealRow struct {
		listing, member, created int
		steps                    []int
	}
	deals := make([]dealRow, benchDeals)
	used := map[[2]int]bool{} // one open deal per listing and member
	for i := range deals {
		l, m := r.IntN(benchListings), 21+r.IntN(80)
		for l%10 == 0 || used[[2]int{l, m}] {
			l = r.IntN(benchListings)
		}
		used[[2]int{l, m}] = true
		created := max(listingDay[l]-r.IntN(30), 0)
		d := dealRow{listing: l, member: m, created: created}
		at := created
		for s := 0; s < 3 && r.IntN(10) < 6; s++ {
			at = max(at-1-r.IntN(10), 0)
			d.steps = append(d.steps, at)
		}
		deals[i] = d
	}
	states := []string{"negotiating", "signed", "registered"}
	bulk(b, db, "deals", []string{"listing_id", "owner_id", "member_id", "broker_id", "region_code", "state", "message", "contact_name",
		"signed_at", "created_at", "updated_at"}, benchDeals, func(i int) []any {
		d := deals[i]
		state := "intent"
		var signed any
		if len(d.steps) > 0 {
			state = states[len(d.steps)-1]
		}
		if len(d.steps) > 1 {
			signed = dayBefore(d.steps[1], 10)
		}
		return []any{d.listing + 1, 21 + r.IntN(80), d.member, 1 + r.IntN(20), listingCounty[d.listing], state, "希望合作", "联系人",
			signed, dayBefore(d.created, 10), dayBefore(d.created, 10)}
	})
	type ev struct {
		deal       int
		from, to   string
		day, order int
	}
	var events []ev
	for i, d := range deals {
		events = append(events, ev{deal: i + 1, from: "", to: "intent", day: d.created})
		from := "intent"
		for s, at := range d.steps {
			events = append(events, ev{deal: i + 1, from: from, to: states[s], day: at})
			from = states[s]
		}
	}
	bulk(b, db, "deal_events", []string{"deal_id", "from_state", "to_state", "action", "at"}, len(events), func(i int) []any {
		e := events[i]
		return []any{e.deal, e.from, e.to, e.to, dayBefore(e.day, 11)}
	})
	bulk(b, db, "contracts", []string{"number", "contract_type", "title", "seller", "buyer", "amount", "tech_amount", "signed_on",
		"region_code", "registered_at"}, benchContracts, func(i int) []any {
		d := r.IntN(720)
		day := dayBefore(d, 0)[:10]
		amount := float64(10 + r.IntN(500))
		return []any{fmt.Sprintf("BENCH%08d", i), "transfer", "合成合同", "卖方", "买方", amount, amount, day, county(), dayBefore(d, 12)}
	})
	bulk(b, db, "enterprises", []string{"credit_code", "name", "region_code", "certificates", "created_at", "updated_at"}, benchEnterprises,
		func(i int) []any {
			certs := fmt.Sprintf(`[{"type":"tech-sme","issued":"%s"},{"type":"high-tech","issued":"%s"}]`,
				dayBefore(r.IntN(720), 0)[:10], dayBefore(r.IntN(1400), 0)[:10])
			return []any{fmt.Sprintf("9132%014d", i), "合成企业", county(), certs, dayBefore(800, 0), dayBefore(800, 0)}
		})
	bulk(b, db, "gov_units", []string{"region_code", "name", "created_at", "updated_at"}, len(benchCounties), func(i int) []any {
		return []any{benchCounties[i], "发改委", dayBefore(800, 0), dayBefore(800, 0)}
	})
	projDay := make([]int, benchProjects)
	projCounty := make([]int, benchProjects)
	bulk(b, db, "projects", []string{"type", "name", "region_code", "unit_id", "annual_investment", "plan_year", "planned_start", "planned_end",
		"stage", "created_at", "updated_at"}, benchProjects, func(i int) []any {
		projDay[i], projCounty[i] = r.IntN(720), r.IntN(len(benchCounties))
		return []any{"industry", "合成项目", benchCounties[projCounty[i]], projCounty[i] + 1, float64(100 + r.IntN(5000)), 2026,
			"2026-01-01", "2027-12-31", "implementing", dayBefore(projDay[i], 8), dayBefore(projDay[i], 8)}
	})
	bulk(b, db, "project_events", []string{"project_id", "action", "from_stage", "to_stage", "at"}, benchProjects, func(i int) []any {
		return []any{i + 1, "approve", "review", "stocked", dayBefore(projDay[i], 9)}
	})
	months := []string{"2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"}
	bulk(b, db, "project_reports", []string{"project_id", "month", "unit_id", "investment_month", "investment_total", "progress",
		"reported_at", "updated_at"}, benchProjects*len(months), func(i int) []any {
		p := i / len(months)
		return []any{p + 1, months[i%len(months)], projCounty[p] + 1, float64(r.IntN(300)), 0.0, "按计划推进", dayBefore(30, 0), dayBefore(30, 0)}
	})
	bulk(b, db, "service_requests", []string{"enterprise_id", "enterprise", "region_code", "category", "title", "description", "state",
		"responded_at", "respond_due", "resolved_at", "resolve_due", "created_at", "updated_at"}, benchRequests, func(i int) []any {
		d := r.IntN(700)
		return []any{1 + r.IntN(benchEnterprises), "合成企业", county(), "policy", "诉求", "描述", "resolved", dayBefore(d+5, 10),
			dayBefore(d+4, 0)[:10], dayBefore(d, 10), dayBefore(d-1+r.IntN(3), 0)[:10], dayBefore(d+6, 0), dayBefore(d, 0)}
	})
	bulk(b, db, "carriers", []string{"name", "kind", "region_code", "area", "visibility", "created_at", "updated_at"}, benchCarriers,
		func(i int) []any {
			return []any{"合成载体", "incubator", county(), float64(2000 + r.IntN(8000)), "public", dayBefore(800, 0), dayBefore(800, 0)}
		})
	bulk(b, db, "carrier_tenants", []string{"carrier_id", "name", "entered", "exited", "area", "created_at", "updated_at"}, benchTenants,
		func(i int) []any {
			exited := ""
			if r.IntN(3) == 0 {
				exited = dayBefore(r.IntN(300), 0)[:10]
			}
			return []any{1 + r.IntN(benchCarriers), "在孵企业", dayBefore(300+r.IntN(500), 0)[:10], exited, float64(50 + r.IntN(400)),
				dayBefore(800, 0), dayBefore(800, 0)}
		})
	if _, err := db.ExecContext(context.Background(), "ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSummary measures Summary (every figure of every provider, the
// funnel and the ticker) for city staff at the scale, by period,
// with the providers asked on every call (cold) and with their series of
// the year reused (cached, as served: DefaultCacheTTL), and reports the
// 95th percentile of the operations' times.
func BenchmarkSummary(b *testing.B) {
	dialects := []sqldb.Dialect{sqldb.SQLite}
	if os.Getenv("KECHUANG_TEST_PG") != "" {
		dialects = append(dialects, sqldb.Postgres)
	}
	for _, d := range dialects {
		b.Run(string(d), func(b *testing.B) {
			db := dbtest.Open(b, d)
			s := newService(b, db)
			t0 := time.Now()
			seedBench(b, db)
			b.Logf("%s: seeded in %v", d, time.Since(t0).Round(time.Millisecond))
			staff := benchStaff(b, db)
			for _, q := range []struct {
				name string
				q    dashboard.Query
			}{
				{"month", dashboard.Query{Period: dashboard.Period{Kind: dashboard.Month, Year: 2026, N: 11}}},
				{"year", dashboard.Query{Period: dashboard.Period{Kind: dashboard.Year, Year: 2026}}},
				{"county-quarter", dashboard.Query{Period: dashboard.Period{Kind: dashboard.Quarter, Year: 2026, N: 4}, Scope: "320583"}},
			} {
				for _, c := range []struct {
					name string
					ttl  time.Duration
				}{{"cold", 0}, {"cached", dashboard.DefaultCacheTTL}} {
					b.Run(c.name+"/"+q.name, func(b *testing.B) {
						s.SetCacheTTL(c.ttl)
						ctx := context.Background()
						var times []time.Duration
						if c.ttl > 0 { // served warm: one summary fills the cache
							if _, err := s.Summary(ctx, staff, q.q); err != nil {
								b.Fatal(err)
							}
						}
						cpu0 := processCPU()
						for b.Loop() {
							t := time.Now()
							sum, err := s.Summary(ctx, staff, q.q)
							if err != nil {
								b.Fatal(err)
							}
							times = append(times, time.Since(t))
							if len(sum.Figures) < 17 {
								b.Fatalf("%d figures", len(sum.Figures))
							}
						}
						b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(len(times)), "cpu-ms/op")
						slices.Sort(times)
						p95 := times[min(len(times)-1, int(float64(len(times))*0.95))]
						b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
					})
				}
			}
		})
	}
}

// benchStaff adds the city staff account the benchmark acts as.
func benchStaff(b *testing.B, db *sqldb.DB) account.Actor {
	b.Helper()
	var id int64
	fill(b, db, func(r rows) { id = r.user("bench-city", "王科长", account.RoleStaff, city) })
	return account.Actor{UserID: id, Username: "bench-city", Role: account.RoleStaff, Region: city}
}
