package project_test

import (
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

func (f *fixture) request(by account.Actor, enterpriseID int64, title string) project.Request {
	f.t.Helper()
	r, err := f.svc.SubmitRequest(f.ctx, by, project.RequestInput{EnterpriseID: enterpriseID, Category: project.CatPower,
		Title: title, Description: "新厂房需增容一台 2000kVA 变压器，供电公司答复排期较长。"})
	if err != nil {
		f.t.Fatalf("submit request: %v", err)
	}
	return r
}

// TestRequestSLAOnTheCalendar: limits count working days on the official
// calendar — over 春节 2026 with its 调休 Saturdays, and over 国庆 2025 to
// a 调休 Saturday.
func TestRequestSLAOnTheCalendar(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		e := f.enterprise(pp.ks, "昆山精密机械有限公司（测试）", "320583", pp.firm)
		tests := []struct {
			assigned, respond, resolve string
		}{
			// 2/13 Fri, 2/14 调休 Sat, then 2/24 after the holiday.
			{"2026-02-12", "2026-02-24", "2026-03-11"},
			// 10/1–10/8 off; 10/9 Thu, 10/10 Fri, 10/11 调休 Sat.
			{"2025-09-30", "2025-10-11", "2025-10-28"},
			// Late in 2026, into 2027 which has no notice yet: estimated.
			{"2026-12-29", "2027-01-01", "2027-01-19"},
		}
		for _, tt := range tests {
			f.clock.set(tt.assigned)
			r := f.request(pp.firm, e.ID, "变压器增容")
			r, err := f.svc.AssignRequest(f.ctx, pp.ks, r.ID, pp.ksUnit.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			official := tt.assigned != "2026-12-29"
			if r.RespondDue.String() != tt.respond || r.ResolveDue.String() != tt.resolve || r.DueOfficial != official {
				t.Errorf("assigned %s: respond by %s, resolve by %s, official %v; want %s, %s, %v",
					tt.assigned, r.RespondDue, r.ResolveDue, r.DueOfficial, tt.respond, tt.resolve, official)
			}
		}
	})
}

func TestRequestWorkflowBreachesAndStats(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		firm2 := f.actor("firm2", account.RoleEnterprise, "320583")
		e := f.enterprise(pp.ks, "昆山精密机械有限公司（测试）", "320583", pp.firm)
		other := f.enterprise(pp.ks, "昆山另一家公司（测试）", "320583", firm2)

		f.clock.set("2026-02-12")
		_, err := f.svc.SubmitRequest(f.ctx, pp.firm, project.RequestInput{EnterpriseID: other.ID, Category: project.CatLand, Title: "x", Description: "x"})
		wantField(t, "another firm's enterprise", err, "enterprise_id", "project.enterprise_not_found")
		_, err = f.svc.SubmitRequest(f.ctx, pp.firm, project.RequestInput{EnterpriseID: e.ID, Category: "weather", Title: "", Description: "x"})
		wantField(t, "bad category", err, "category", "project.category_unknown")
		wantField(t, "no title", err, "title", "error.required")
		_, err = f.svc.SubmitRequest(f.ctx, pp.ks, project.RequestInput{EnterpriseID: e.ID})
		wantKind(t, "staff submit", err, apperr.Forbidden)

		r1 := f.request(pp.firm, e.ID, "变压器增容")
		r2 := f.request(pp.firm, e.ID, "人才公寓申请")
		r3 := f.request(pp.firm, e.ID, "研发费用加计扣除辅导")
		if r1.State != project.RequestSubmitted || r1.EnterpriseName != e.Name || r1.RegionCode != "320583" {
			t.Errorf("submitted = %+v", r1)
		}
		_, err = f.svc.GetRequest(f.ctx, firm2, r1.ID)
		wantKind(t, "another enterprise reads", err, apperr.NotFound)
		_, err = f.svc.AssignRequest(f.ctx, pp.wz, r1.ID, pp.wzUnit.ID, "")
		wantKind(t, "another county assigns", err, apperr.NotFound)
		_, err = f.svc.AssignRequest(f.ctx, pp.firm, r1.ID, pp.ksUnit.ID, "")
		wantKind(t, "the enterprise assigns", err, apperr.Forbidden)
		_, err = f.svc.AssignRequest(f.ctx, pp.ks, r1.ID, pp.wzUnit.ID, "")
		wantField(t, "assign to another county's unit", err, "unit_id", "project.unit_not_found")
		for _, r := range []project.Request{r1, r2, r3} {
			if _, err := f.svc.AssignRequest(f.ctx, pp.ks, r.ID, pp.ksUnit.ID, "请商务局牵头办理"); err != nil {
				t.Fatal(err)
			}
		}
		_, err = f.svc.RespondRequest(f.ctx, pp.ks, r1.ID, "已联系")
		wantKind(t, "a non-member responds", err, apperr.Forbidden)
		_, err = f.svc.ConfirmRequest(f.ctx, pp.firm, r1.ID, 5, "")
		wantKind(t, "confirm before resolution", err, apperr.Conflict)

		check := func(when string, want int) {
			t.Helper()
			f.clock.set(when)
			n, err := f.svc.CheckRequestDeadlines(f.ctx)
			if err != nil || n != want {
				t.Errorf("%s: CheckRequestDeadlines = %d, %v; want %d", when, n, err, want)
			}
		}
		f.clock.set("2026-02-14") // a 调休 Saturday: a working day
		if r, err := f.svc.RespondRequest(f.ctx, pp.ks2, r1.ID, "已联系供电公司现场踏勘"); err != nil || r.RespondLate || r.State != project.RequestResponded {
			t.Fatalf("respond = %s late %v, %v", r.State, r.RespondLate, err)
		}
		check("2026-02-24", 0) // due today
		check("2026-02-25", 2) // r2 and r3 not responded
		check("2026-02-25", 0) // once per limit
		f.clock.set("2026-02-26")
		if r, err := f.svc.RespondRequest(f.ctx, pp.ks2, r2.ID, "已受理"); err != nil || !r.RespondLate {
			t.Errorf("late response = late %v, %v", r.RespondLate, err)
		}
		f.clock.set("2026-03-05")
		if _, err := f.svc.ResolveRequest(f.ctx, pp.ks2, r1.ID, "供电公司已排期，3月20日前完成增容"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.ConfirmRequest(f.ctx, firm2, r1.ID, 5, "")
		wantKind(t, "another enterprise confirms", err, apperr.NotFound)
		_, err = f.svc.ConfirmRequest(f.ctx, pp.firm, r1.ID, 6, "")
		wantField(t, "rating 6", err, "rating", "project.rating_range")
		if r, err := f.svc.ConfirmRequest(f.ctx, pp.firm, r1.ID, 5, "响应很快"); err != nil || r.State != project.RequestConfirmed || r.Rating != 5 {
			t.Errorf("confirm = %s %d, %v", r.State, r.Rating, err)
		}
		check("2026-03-11", 0)
		check("2026-03-12", 2) // r2 and r3 not resolved by 3-11
		if _, err := f.svc.ResolveRequest(f.ctx, pp.ks2, r2.ID, "已纳入人才公寓分配"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ConfirmRequest(f.ctx, pp.firm, r2.ID, 3, "有点慢"); err != nil {
			t.Fatal(err)
		}

		// The breaches opened 督办 orders on r3 (respond, then resolve).
		orders, total, err := f.svc.FindSupervisions(f.ctx, pp.ks, project.SupervisionFilter{RequestID: r3.ID})
		if err != nil || total != 2 {
			t.Fatalf("orders on r3 = %d, %v; want 2", total, err)
		}
		for _, o := range orders {
			if !o.Auto || o.Target != project.TargetRequest || o.UnitID != pp.ksUnit.ID || o.Level != project.LevelGeneral || o.RequestTitle != r3.Title {
				t.Errorf("auto order = %+v", o)
			}
		}
		// Five working days from 2-25: 2-26, 2-27, the 调休 Saturday 2-28, 3-2, 3-3.
		if orders[0].Deadline.String() != "2026-03-03" {
			t.Errorf("respond-breach order due %s, want 2026-03-03", orders[0].Deadline)
		}
		got, _ := f.svc.GetRequest(f.ctx, pp.firm, r3.ID)
		if !got.RespondLate || !got.ResolveLate || len(got.Actions) != 0 {
			t.Errorf("r3 as its enterprise sees it = respond late %v, resolve late %v, actions %v", got.RespondLate, got.ResolveLate, got.Actions)
		}
		mine, total, err := f.svc.FindRequests(f.ctx, pp.firm, project.RequestFilter{})
		if err != nil || total != 3 || len(mine) != 3 {
			t.Errorf("the enterprise's requests = %d, %v", total, err)
		}
		if _, total, _ := f.svc.FindRequests(f.ctx, firm2, project.RequestFilter{}); total != 0 {
			t.Errorf("another enterprise lists %d requests", total)
		}
		late, total, err := f.svc.FindRequests(f.ctx, pp.ks2, project.RequestFilter{Mine: true, Late: true})
		if err != nil || total != 1 || late[0].ID != r3.ID {
			t.Errorf("late requests of ks2's units = %d, %v", total, err)
		}

		f.clock.set("2026-03-13")
		stats, err := f.svc.RequestStats(f.ctx, pp.city, "")
		if err != nil || len(stats) != 1 {
			t.Fatalf("stats = %v, %v", stats, err)
		}
		st := stats[0]
		if st.UnitID != pp.ksUnit.ID || st.Received != 3 || st.Responded != 2 || st.RespondedOnTime != 1 || st.Resolved != 2 ||
			st.ResolvedOnTime != 1 || st.Rated != 2 || st.OnTimeRate == nil || *st.OnTimeRate != 33.3 ||
			st.Satisfaction == nil || *st.Satisfaction != 4 {
			t.Errorf("stats = %+v (on time %v, satisfaction %v)", st, deref(st.OnTimeRate), deref(st.Satisfaction))
		}
		if other, _ := f.svc.RequestStats(f.ctx, pp.wz, ""); len(other) != 0 {
			t.Errorf("吴中 sees %d units' request stats", len(other))
		}
	})
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
