package dashboard_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dashboard"
	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

// world is the small fixture every figure is counted on by hand, in
// 昆山 (KS) and 常熟 (CS), with the clock on 20 November 2026.
type world struct {
	staff, ks, cs, firm account.Actor
}

func seed(t *testing.T, db *sqldb.DB) world {
	t.Helper()
	var w world
	fill(t, db, func(r rows) {
		staff := r.user("city", "王科长", account.RoleStaff, city)
		ks := r.user("ks", "李专员", account.RoleCounty, kunshan)
		cs := r.user("cs", "赵专员", account.RoleCounty, changshu)
		firm := r.user("firm", "企业", account.RoleEnterprise, kunshan)
		broker := r.user("broker", "周经纪", account.RoleBroker, city)
		m1 := r.user("m1", "需方一", account.RoleEnterprise, kunshan)
		m2 := r.user("m2", "需方二", account.RoleEnterprise, kunshan)
		w = world{
			staff: account.Actor{UserID: staff, Username: "city", Role: account.RoleStaff, Region: city},
			ks:    account.Actor{UserID: ks, Username: "ks", Role: account.RoleCounty, Region: kunshan},
			cs:    account.Actor{UserID: cs, Username: "cs", Role: account.RoleCounty, Region: changshu},
			firm:  account.Actor{UserID: firm, Username: "firm", Role: account.RoleEnterprise, Region: kunshan},
		}

		// Contracts: KS 100 + 50 in November, 30 in October, 40 in
		// November 2025; CS 200 in November.
		r.contract("3205832026000001", kunshan, "2026-11-03", 100)
		r.contract("3205832026000002", kunshan, "2026-11-15", 50)
		r.contract("3205832026000003", kunshan, "2026-10-10", 30)
		r.contract("3205832025000001", kunshan, "2025-11-20", 40)
		r.contract("3205812026000001", changshu, "2026-11-05", 200)

		// Listings: KS L1 (2 Nov), L2 (10 Nov), L4 (1 Oct), a draft; CS L3
		// (12 Nov); a KS financing listing (September).
		l1 := r.listing(firm, "achievement", kunshan, "2026-11-02", nil)
		l2 := r.listing(firm, "achievement", kunshan, "2026-11-10", nil)
		r.listing(firm, "demand", changshu, "2026-11-12", nil)
		l4 := r.listing(firm, "achievement", kunshan, "2026-10-01", nil)
		r.listing(firm, "achievement", kunshan, "", nil)
		fin := r.listing(firm, "financing", kunshan, "2026-09-01", 500.0)

		// Deals. D1 on L1: contact 4 Nov, negotiation 6 Nov, signed 10
		// Nov, registered 11 Nov, by the broker. D2 on L1: contact 8 Nov,
		// negotiation 9 Nov, terminated 12 Nov. D3 on L2: contact 14 Nov,
		// signed 18 Nov without a recorded negotiation, by the broker. D4
		// on L4 (October's listing): contact 1 Nov, negotiation 2 Nov.
		r.deal(l1, firm, m1, broker, kunshan, "2026-11-04", [2]string{"negotiating", "2026-11-06"},
			[2]string{"signed", "2026-11-10"}, [2]string{"registered", "2026-11-11"})
		r.deal(l1, firm, m2, nil, kunshan, "2026-11-08", [2]string{"negotiating", "2026-11-09"}, [2]string{"terminated", "2026-11-12"})
		r.deal(l2, firm, m1, broker, kunshan, "2026-11-14", [2]string{"signed", "2026-11-18"})
		r.deal(l4, firm, m2, nil, kunshan, "2026-11-01", [2]string{"negotiating", "2026-11-02"})

		// Financing: two investors invest in the KS listing in November;
		// it counts once, on the first.
		for _, day := range []string{"2026-11-03", "2026-11-10"} {
			i := r.insert("investment_interests", map[string]any{"listing_id": fin, "investor_id": broker, "stage": "invested",
				"region_code": kunshan, "created_at": ts("2026-10-01"), "updated_at": ts(day)})
			r.insert("investment_interest_events", map[string]any{"interest_id": i, "action": "invest", "from_stage": "decision",
				"to_stage": "invested", "at": ts(day)})
		}

		// Certificates. E1 KS: 科小 5 Nov 2026, 高企 1 Dec 2024. E2 KS:
		// 高企 20 Nov 2026. E3 CS: 高企 1 Jun 2023 (lapsed 1 Jun 2026).
		// E4 CS: 科小 3 Nov 2025, 高企 15 Oct 2026.
		e1 := r.enterprise("91320583000000001X", kunshan,
			`[{"type":"tech-sme","issued":"2026-11-05"},{"type":"high-tech","issued":"2024-12-01"}]`)
		r.enterprise("91320583000000002X", kunshan, `[{"type":"high-tech","issued":"2026-11-20"}]`)
		r.enterprise("91320581000000003X", changshu, `[{"type":"high-tech","issued":"2023-06-01"}]`)
		r.enterprise("91320581000000004X", changshu,
			`[{"type":"tech-sme","issued":"2025-11-03"},{"type":"high-tech","issued":"2026-10-15"}]`)
		for _, tg := range []struct {
			code string
			v    float64
		}{{kunshan, 10}, {changshu, 5}} {
			r.insert("county_targets", map[string]any{"region_code": tg.code, "year": 2026, "indicator": "tech_sme_new",
				"target": tg.v, "updated_at": ts("2026-01-05")})
		}

		// Projects. P1 KS in the library since March, plan 1200, reports
		// 100 (Oct) and 150 (Nov). P2 KS entered 5 Nov, plan 600. P3 CS
		// entered May 2025, completed 1 Aug 2026.
		unit := r.insert("gov_units", map[string]any{"region_code": kunshan, "name": "昆山市发改委", "created_at": ts("2026-01-01"),
			"updated_at": ts("2026-01-01")})
		project := func(regionCode, stage string, annual float64, year int, entered, closed string) int64 {
			var closedOn any
			if closed != "" {
				closedOn = closed
			}
			id := r.insert("projects", map[string]any{"type": "industry", "name": "项目" + entered, "region_code": regionCode,
				"unit_id": unit, "annual_investment": annual, "plan_year": year, "planned_start": "2026-01-01", "planned_end": "2027-12-31",
				"stage": stage, "closed_on": closedOn, "created_at": ts(entered), "updated_at": ts(entered)})
			r.insert("project_events", map[string]any{"project_id": id, "action": "approve", "from_stage": "review", "to_stage": "stocked",
				"at": ts(entered)})
			return id
		}
		p1 := project(kunshan, "implementing", 1200, 2026, "2026-03-01", "")
		project(kunshan, "stocked", 600, 2026, "2026-11-05", "")
		project(changshu, "completed", 0, 2025, "2025-05-01", "2026-08-01")
		for _, rep := range []struct {
			month string
			v     float64
		}{{"2026-10", 100}, {"2026-11", 150}} {
			r.insert("project_reports", map[string]any{"project_id": p1, "month": rep.month, "unit_id": unit, "investment_month": rep.v,
				"investment_total": rep.v, "progress": "按计划推进", "reported_at": ts(rep.month + "-05"), "updated_at": ts(rep.month + "-05")})
		}

		// Service requests resolved in November: KS on time, KS late, CS
		// on time.
		for _, sr := range []struct {
			code, responded, respondDue, resolved, resolveDue string
		}{
			{kunshan, "2026-11-02", "2026-11-03", "2026-11-10", "2026-11-12"},
			{kunshan, "2026-11-02", "2026-11-03", "2026-11-15", "2026-11-14"},
			{changshu, "2026-11-04", "2026-11-05", "2026-11-16", "2026-11-20"},
		} {
			r.insert("service_requests", map[string]any{"enterprise_id": e1, "enterprise": "测试企业", "region_code": sr.code,
				"category": "policy", "title": "政策咨询", "description": "咨询研发费用加计扣除", "state": "resolved",
				"responded_at": ts(sr.responded), "respond_due": sr.respondDue, "resolved_at": ts(sr.resolved), "resolve_due": sr.resolveDue,
				"created_at": ts("2026-11-01"), "updated_at": ts(sr.resolved)})
		}

		// Carriers: KS 1000 m² with tenants of 300 (since January), 200
		// (since 25 Nov) and 100 (left 1 Nov); CS without an area.
		c1 := r.insert("carriers", map[string]any{"name": "昆山孵化器", "kind": "incubator", "region_code": kunshan, "area": 1000.0,
			"visibility": "public", "created_at": ts("2025-01-01"), "updated_at": ts("2025-01-01")})
		r.insert("carriers", map[string]any{"name": "常熟众创空间", "kind": "maker-space", "region_code": changshu, "area": 0.0,
			"visibility": "public", "created_at": ts("2025-01-01"), "updated_at": ts("2025-01-01")})
		for _, tn := range []struct {
			entered, exited string
			area            float64
		}{{"2026-01-01", "", 300}, {"2026-11-25", "", 200}, {"2025-01-01", "2026-11-01", 100}} {
			r.insert("carrier_tenants", map[string]any{"carrier_id": c1, "name": "在孵企业", "entered": tn.entered, "exited": tn.exited,
				"area": tn.area, "created_at": ts("2026-01-01"), "updated_at": ts("2026-01-01")})
		}
	})
	return w
}

func f(v float64) *float64 { return &v }

// figureWant is a figure's values as counted by hand.
type figureWant struct {
	Value, Previous, LastYear, Change, YoY, City, Target, TargetPct *float64
}

func TestSummaryFiguresMatchHandCount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newService(t, db)
		w := seed(t, db)
		ctx := context.Background()
		nov := dashboard.Period{Kind: dashboard.Month, Year: 2026, N: 11}
		tests := []struct {
			name   string
			actor  account.Actor
			q      dashboard.Query
			figure string
			want   figureWant
		}{
			// City, November 2026 against October and November 2025.
			{"contracts city", w.staff, dashboard.Query{Period: nov}, "market.contracts",
				figureWant{Value: f(3), Previous: f(1), LastYear: f(1), Change: f(200), YoY: f(200), City: f(3)}},
			{"turnover city", w.staff, dashboard.Query{Period: nov}, "market.contract_amount",
				figureWant{Value: f(350), Previous: f(30), LastYear: f(40), Change: f(1066.67), YoY: f(775), City: f(350)}},
			{"turnover KS by staff", w.staff, dashboard.Query{Period: nov, Scope: kunshan}, "market.contract_amount",
				figureWant{Value: f(150), Previous: f(30), LastYear: f(40), Change: f(400), YoY: f(275), City: f(350)}},
			{"turnover KS by its county user", w.ks, dashboard.Query{Period: nov}, "market.contract_amount",
				figureWant{Value: f(150), Previous: f(30), LastYear: f(40), Change: f(400), YoY: f(275), City: f(350)}},
			{"turnover CS by its county user", w.cs, dashboard.Query{Period: nov}, "market.contract_amount",
				figureWant{Value: f(200), Previous: f(0), LastYear: f(0), City: f(350)}},
			{"turnover city, year 2026", w.staff, dashboard.Query{Period: dashboard.Period{Kind: dashboard.Year, Year: 2026}}, "market.contract_amount",
				figureWant{Value: f(380), Previous: f(40), LastYear: f(40), Change: f(850), YoY: f(850), City: f(380)}},
			{"turnover city, Q4 2026", w.staff, dashboard.Query{Period: dashboard.Period{Kind: dashboard.Quarter, Year: 2026, N: 4}}, "market.contract_amount",
				figureWant{Value: f(380), Previous: f(0), LastYear: f(40), YoY: f(850), City: f(380)}},
			{"listings published", w.staff, dashboard.Query{Period: nov}, "market.listings_published",
				figureWant{Value: f(3), Previous: f(1), LastYear: f(0), Change: f(200), City: f(3)}},
			{"listings traded", w.staff, dashboard.Query{Period: nov}, "market.listings_traded",
				figureWant{Value: f(2), Previous: f(0), LastYear: f(0), City: f(2)}},
			{"new interests", w.staff, dashboard.Query{Period: nov}, "market.deals_intent",
				figureWant{Value: f(4), Previous: f(0), LastYear: f(0), City: f(4)}},
			{"negotiations", w.staff, dashboard.Query{Period: nov}, "market.deals_negotiating",
				figureWant{Value: f(3), Previous: f(0), LastYear: f(0), City: f(3)}},
			{"signed", w.staff, dashboard.Query{Period: nov}, "market.deals_signed",
				figureWant{Value: f(2), Previous: f(0), LastYear: f(0), City: f(2)}},
			{"registered", w.staff, dashboard.Query{Period: nov}, "market.deals_registered",
				figureWant{Value: f(1), Previous: f(0), LastYear: f(0), City: f(1)}},
			{"financing raised", w.staff, dashboard.Query{Period: nov}, "market.financing_raised",
				figureWant{Value: f(500), Previous: f(0), LastYear: f(0), City: f(500)}},
			{"new tech SMEs against the target", w.staff, dashboard.Query{Period: nov}, "cultivation.tech_sme_new",
				figureWant{Value: f(1), Previous: f(0), LastYear: f(1), YoY: f(0), City: f(1), Target: f(15), TargetPct: f(6.67)}},
			{"new tech SMEs, KS target", w.ks, dashboard.Query{Period: nov}, "cultivation.tech_sme_new",
				figureWant{Value: f(1), Previous: f(0), LastYear: f(0), City: f(1), Target: f(10), TargetPct: f(10)}},
			{"new high-tech firms", w.staff, dashboard.Query{Period: nov}, "cultivation.high_tech_new",
				figureWant{Value: f(1), Previous: f(1), LastYear: f(0), Change: f(0), City: f(1)}},
			{"valid high-tech firms", w.staff, dashboard.Query{Period: nov}, "cultivation.high_tech_total",
				figureWant{Value: f(3), Previous: f(2), LastYear: f(2), Change: f(50), YoY: f(50), City: f(3)}},
			{"projects entered", w.staff, dashboard.Query{Period: nov}, "projects.entered",
				figureWant{Value: f(1), Previous: f(0), LastYear: f(0), City: f(1)}},
			{"projects in the library", w.staff, dashboard.Query{Period: nov}, "projects.in_library",
				figureWant{Value: f(2), Previous: f(1), LastYear: f(1), Change: f(100), YoY: f(100), City: f(2)}},
			{"investment against plan", w.staff, dashboard.Query{Period: nov}, "projects.investment",
				figureWant{Value: f(150), Previous: f(100), LastYear: f(0), Change: f(50), City: f(150), Target: f(1800), TargetPct: f(13.89)}},
			{"service requests on time", w.staff, dashboard.Query{Period: nov}, "projects.service_on_time",
				figureWant{Value: f(66.67), City: f(66.67)}},
			{"service requests on time KS", w.ks, dashboard.Query{Period: nov}, "projects.service_on_time",
				figureWant{Value: f(50), City: f(66.67)}},
			{"incubator occupancy", w.staff, dashboard.Query{Period: nov}, "directory.occupancy",
				figureWant{Value: f(50), Previous: f(40), LastYear: f(10), Change: f(10), YoY: f(40), City: f(50)}},
			{"occupancy CS, no carrier area", w.cs, dashboard.Query{Period: nov}, "directory.occupancy",
				figureWant{City: f(50)}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				sum, err := s.Summary(ctx, tt.actor, tt.q)
				if err != nil {
					t.Fatal(err)
				}
				var got *dashboard.Figure
				for i := range sum.Figures {
					if sum.Figures[i].Key == tt.figure {
						got = &sum.Figures[i]
					}
				}
				if got == nil {
					t.Fatalf("no figure %s", tt.figure)
				}
				have := figureWant{Value: got.Value, Previous: got.Previous, LastYear: got.LastYear, Change: got.Change, YoY: got.YoY,
					City: got.City, Target: got.Target, TargetPct: got.TargetPct}
				if d := cmp.Diff(tt.want, have); d != "" {
					t.Errorf("%s (-want +got):\n%s", tt.figure, d)
				}
			})
		}
	})
}

// TestCountyScope: a county user's dashboard shows its own county and the
// public city totals, never another county; other scopes are NotFound,
// other roles Forbidden.
func TestCountyScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newService(t, db)
		w := seed(t, db)
		ctx := context.Background()
		nov := dashboard.Period{Kind: dashboard.Month, Year: 2026, N: 11}
		sum, err := s.Summary(ctx, w.ks, dashboard.Query{Period: nov})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Scope.Code != kunshan || len(sum.Counties) != 1 || sum.Counties[0].Code != kunshan {
			t.Errorf("KS summary scope %v, counties %v; want 昆山 only", sum.Scope, sum.Counties)
		}
		for _, fg := range sum.Figures {
			if len(fg.Counties) != 1 || fg.Counties[0].Code != kunshan {
				t.Errorf("figure %s compares %v, want 昆山 only", fg.Key, fg.Counties)
			}
		}
		for _, a := range sum.Recent {
			if a.RegionCode != kunshan {
				t.Errorf("the ticker shows %q of %s", a.Title, a.RegionCode)
			}
		}
		if got := sum.Funnel.Stages[0].Count; got != 2 {
			t.Errorf("KS funnel published = %d, want 2", got)
		}
		staff, err := s.Summary(ctx, w.staff, dashboard.Query{Period: nov})
		if err != nil {
			t.Fatal(err)
		}
		if len(staff.Counties) < 2 || staff.Scope.Code != city {
			t.Errorf("staff summary scope %v with %d counties, want the city and all its counties", staff.Scope, len(staff.Counties))
		}
		tests := []struct {
			name  string
			actor account.Actor
			scope string
			kind  apperr.Kind
		}{
			{"county user asks for another county", w.ks, changshu, apperr.NotFound},
			{"county user asks for the city breakdown", w.ks, "city", apperr.NotFound},
			{"staff asks for a county outside the city", w.staff, "320102", apperr.NotFound},
			{"enterprise", w.firm, "", apperr.Forbidden},
			{"anonymous", account.Anonymous, "", apperr.Forbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.Summary(ctx, tt.actor, dashboard.Query{Period: nov, Scope: tt.scope})
				if !apperr.Is(err, tt.kind) {
					t.Errorf("Summary = %v, want %v", err, tt.kind)
				}
				_, err = s.Funnel(ctx, tt.actor, dashboard.Query{Period: nov, Scope: tt.scope}, dashboard.ByCounty)
				if !apperr.Is(err, tt.kind) {
					t.Errorf("Funnel = %v, want %v", err, tt.kind)
				}
			})
		}
		if s.CanViewDashboard(w.firm) || s.CanViewDashboard(account.Anonymous) || !s.CanViewDashboard(w.ks) || !s.CanViewDashboard(w.staff) {
			t.Error("CanViewDashboard does not match Summary's rule")
		}
	})
}

// stageWant is one stage: count, rate and median days (nil: none).
type stageWant struct {
	Count  int
	Rate   *float64
	Median *float64
}

func stagesOf(r dashboard.FunnelRow) []stageWant {
	var out []stageWant
	for _, s := range r.Stages {
		out = append(out, stageWant{s.Count, s.Rate, s.MedianDays})
	}
	return out
}

func TestFunnelRatesAndMedians(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newService(t, db)
		w := seed(t, db)
		ctx := context.Background()
		nov := dashboard.Query{Period: dashboard.Period{Kind: dashboard.Month, Year: 2026, N: 11}}
		// November's listings: L1 and L2 (KS), L3 (CS). Deals D1, D2 on
		// L1 and D3 on L2; D4 is on October's listing and left out.
		total := []stageWant{
			{3, nil, nil},
			{3, f(66.67), f(4)}, // L1, L2 of 3 have interest; 2, 6, 4 days
			{3, f(100), f(1.5)}, // D3 signed without negotiating counts; 2, 1 days
			{2, f(66.67), f(4)}, // D1 6→10 Nov, D3 14→18 Nov
			{1, f(50), f(1)},    // D1 10→11 Nov
		}
		tests := []struct {
			name string
			by   string
			want map[string][]stageWant // by row key; "" is the total
		}{
			{"by county", dashboard.ByCounty, map[string][]stageWant{
				"":       total,
				kunshan:  {{2, nil, nil}, {3, f(100), f(4)}, {3, f(100), f(1.5)}, {2, f(66.67), f(4)}, {1, f(50), f(1)}},
				changshu: {{1, nil, nil}, {0, f(0), nil}, {0, nil, nil}, {0, nil, nil}, {0, nil, nil}},
			}},
			{"by broker", dashboard.ByBroker, map[string][]stageWant{
				"": total,
				// D1 and D3 on two listings.
				"周经纪": {{2, nil, nil}, {2, f(100), f(3)}, {2, f(100), f(2)}, {2, f(100), f(4)}, {1, f(50), f(1)}},
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rep, err := s.Funnel(ctx, w.staff, nov, tt.by)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string][]stageWant{"": stagesOf(rep.Total)}
				for _, r := range rep.Rows {
					key := r.Key
					if tt.by == dashboard.ByBroker {
						key = r.Name
					}
					if _, ok := tt.want[key]; ok {
						got[key] = stagesOf(r)
					}
				}
				if d := cmp.Diff(tt.want, got); d != "" {
					t.Errorf("funnel %s (-want +got):\n%s", tt.by, d)
				}
			})
		}
		sum, err := s.Summary(ctx, w.staff, nov)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(total, stagesOf(sum.Funnel)); d != "" {
			t.Errorf("the summary's funnel (-want +got):\n%s", d)
		}
		if _, err := s.Funnel(ctx, w.staff, nov, "event"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Funnel by an unregistered dimension = %v, want Invalid", err)
		}
	})
}
