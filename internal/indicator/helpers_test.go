package indicator_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/indicator"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// fixture is a small 苏州市 (320500) on a fixed day, 2026-12-03, with a
// handful of firms, contracts and projects whose figures are counted by
// hand in the tests.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	db    *sqldb.DB
	svc   *indicator.Service
	accts *account.Service
	now   time.Time
	// staff (city), kunshan (昆山市 county user), taicang (太仓市 county
	// user), firm (an enterprise).
	staff, kunshan, taicang, firm account.Actor
}

const (
	kunshan = "320583"
	taicang = "320585"
	wujiang = "320509"
)

var fixedNow = time.Date(2026, 12, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func newFixture(t testing.TB, db *sqldb.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	if err := rs.SetHomeRegion(ctx, audit.System, "320500"); err != nil {
		t.Fatal(err)
	}
	cat, err := indicator.LoadCatalogue(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return fixedNow }
	f := &fixture{t: t, ctx: ctx, db: db, now: fixedNow,
		accts: account.NewService(db, rs, account.Config{Now: now, Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})}
	f.svc = indicator.NewService(db, cat, rs, now)
	f.staff = f.actor("kezhang", account.RoleStaff, "320500")
	f.kunshan = f.actor("kunshan", account.RoleCounty, kunshan)
	f.taicang = f.actor("taicang", account.RoleCounty, taicang)
	f.firm = f.actor("qiye", account.RoleEnterprise, kunshan)
	return f
}

func (f *fixture) actor(username string, role account.Role, regionCode string) account.Actor {
	f.t.Helper()
	u, err := f.accts.CreateUser(f.ctx, account.System, account.NewUser{Username: username, DisplayName: username,
		Organization: username + "（测试）", Role: role, RegionCode: regionCode, Password: "Kechuang-2026"})
	if err != nil {
		f.t.Fatalf("create %s: %v", username, err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, Role: role, Region: regionCode}
}

func (f *fixture) exec(q string, args ...any) int64 {
	f.t.Helper()
	var id int64
	err := f.db.InTx(f.ctx, func(tx *sqldb.Tx) error {
		var err error
		id, err = tx.InsertID(f.ctx, q, args...)
		return err
	})
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return id
}

const stamp = "2026-01-01T00:00:00.000000Z"

// firm adds a registry enterprise with its certificates (JSON) and, when
// revenue > 0, its 2026 figures.
func (f *fixture) addFirm(n int, name, regionCode, domain, certs string, revenue, rd float64) int64 {
	id := f.exec(`INSERT INTO enterprises (credit_code, name, region_code, domain, certificates, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf("91%s%010d", regionCode, n), name, regionCode, domain, certs, stamp, stamp)
	if revenue > 0 {
		if _, err := f.db.ExecContext(f.ctx, `INSERT INTO enterprise_years (enterprise_id, year, data, updated_at) VALUES (?, 2026, ?, ?)`, id,
			fmt.Sprintf(`{"figures":{"revenue":%g,"rd_expense":%g}}`, revenue, rd), stamp); err != nil {
			f.t.Fatal(err)
		}
	}
	return id
}

// seed writes the hand-counted records:
//
//	firms (certificates; the day counted is 2026-11-30, the year's end 2026-12-31)
//	  E1 昆山 电子信息   高企 2024-11-20–2027-11-19, 科小 2026-03-01–2026-12-31, 2026 revenue 10000 R&D 500
//	  E2 昆山 生物医药   高企 2023-10-10–2026-10-09 (lapsed in October)
//	  E3 太仓 电子信息   高企 2026-11-05, 科小 2026-11-12 (both new in November)
//	  E4 太仓 先进制造   高企 2025-12-01, revoked 2026-06-01
//	  E5 吴江 电子信息   科小 2025-05-01 (no expiry: ends 2025-12-31)
//	  E6 无锡 (320205)  高企 2025 — outside the city
//	contracts: 昆山 11-03 100/80, 昆山 11-28 50.5/40, 太仓 10-30 999/900, 太仓 11-30 20/20
//	projects:  P1 昆山 implementing; P2 昆山 completed 10-15; P3 太仓 review;
//	           P4 太仓 stocked, created 11-20; P5 太仓 exited 12-01
//	ledgers:   P1 2026-10 200, 2026-11 300; P4 2026-11 50
func (f *fixture) seed() {
	f.addFirm(1, "昆山甲电子（测试）", kunshan, "电子信息",
		`[{"type":"high-tech","issued":"2024-11-20","expires":"2027-11-19"},{"type":"tech-sme","issued":"2026-03-01","expires":"2026-12-31"}]`, 10000, 500)
	f.addFirm(2, "昆山乙医药（测试）", kunshan, "生物与新医药", `[{"type":"high-tech","issued":"2023-10-10","expires":"2026-10-09"}]`, 0, 0)
	f.addFirm(3, "太仓丙电子（测试）", taicang, "电子信息",
		`[{"type":"high-tech","issued":"2026-11-05","expires":"2029-11-04"},{"type":"tech-sme","issued":"2026-11-12","expires":"2026-12-31"}]`, 0, 0)
	f.addFirm(4, "太仓丁装备（测试）", taicang, "先进制造与自动化",
		`[{"type":"high-tech","issued":"2025-12-01","expires":"2028-11-30","revoked":"2026-06-01"}]`, 0, 0)
	f.addFirm(5, "吴江戊电子（测试）", wujiang, "电子信息", `[{"type":"tech-sme","issued":"2025-05-01"}]`, 0, 0)
	f.addFirm(6, "无锡己科技（测试）", "320205", "电子信息", `[{"type":"high-tech","issued":"2025-03-01","expires":"2028-02-28"}]`, 0, 0)
	for i, c := range []struct {
		region, day   string
		amount, techA float64
	}{{kunshan, "2026-11-03", 100, 80}, {kunshan, "2026-11-28", 50.5, 40}, {taicang, "2026-10-30", 999, 900}, {taicang, "2026-11-30", 20, 20}} {
		f.exec(`INSERT INTO contracts (number, contract_type, title, seller, buyer, amount, tech_amount, signed_on, region_code, registered_at)
			VALUES (?, 'development', '测试合同', '卖方（测试）', '买方（测试）', ?, ?, ?, ?, ?)`, fmt.Sprintf("%s2026%06d", c.region, i), c.amount, c.techA, c.day, c.region, stamp)
	}
	ks := f.exec(`INSERT INTO gov_units (region_code, name, created_at, updated_at) VALUES (?, '昆山市科技局（测试）', ?, ?)`, kunshan, stamp, stamp)
	tc := f.exec(`INSERT INTO gov_units (region_code, name, created_at, updated_at) VALUES (?, '太仓市科技局（测试）', ?, ?)`, taicang, stamp, stamp)
	project := func(name, regionCode string, unit int64, stage, created string, closed any) int64 {
		return f.exec(`INSERT INTO projects (type, name, region_code, unit_id, plan_year, planned_start, planned_end, stage, closed_on, created_at, updated_at)
			VALUES ('key-rd', ?, ?, ?, 2026, '2026-01-01', '2027-12-31', ?, ?, ?, ?)`, name, regionCode, unit, stage, closed, created, created)
	}
	p1 := project("P1", kunshan, ks, "implementing", "2026-01-05T01:00:00.000000Z", nil)
	project("P2", kunshan, ks, "completed", "2026-02-01T01:00:00.000000Z", "2026-10-15")
	project("P3", taicang, tc, "review", "2026-05-01T01:00:00.000000Z", nil)
	p4 := project("P4", taicang, tc, "stocked", "2026-11-20T01:00:00.000000Z", nil)
	project("P5", taicang, tc, "exited", "2026-01-01T01:00:00.000000Z", "2026-12-01")
	report := func(p, unit int64, month string, v float64) {
		f.exec(`INSERT INTO project_reports (project_id, month, unit_id, investment_month, investment_total, progress, reported_at, updated_at)
			VALUES (?, ?, ?, ?, ?, '按计划推进', ?, ?)`, p, month, unit, v, v, stamp, stamp)
	}
	report(p1, ks, "2026-10", 200)
	report(p1, ks, "2026-11", 300)
	report(p4, tc, "2026-11", 50)
}

func period(t testing.TB, s string) indicator.Period {
	t.Helper()
	p, err := indicator.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func value(vs indicator.Values, code string) *float64 {
	for _, v := range vs.Values {
		if v.Code == code {
			return v.Value
		}
	}
	return nil
}

func show(v *float64) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprint(*v)
}
