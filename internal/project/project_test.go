package project_test

import (
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

// people is the cast of most tests: city staff, two county staff of 昆山,
// county staff of 吴中, the administrator and an enterprise.
type people struct {
	city, ks, ks2, wz, admin, firm account.Actor
	ksUnit, wzUnit                 project.Unit
}

func (f *fixture) people() people {
	f.t.Helper()
	var p people
	p.city = f.actor("city", account.RoleStaff, "320500")
	p.ks = f.actor("ks", account.RoleCounty, "320583")
	p.ks2 = f.actor("ks2", account.RoleCounty, "320583")
	p.wz = f.actor("wz", account.RoleCounty, "320506")
	p.admin = f.actor("root", account.RoleAdmin, "")
	p.firm = f.actor("firm", account.RoleEnterprise, "320583")
	p.ksUnit = f.unit(p.ks, "320583", "昆山市商务局", p.ks2)
	p.wzUnit = f.unit(p.wz, "320506", "吴中区发改局", p.wz)
	return p
}

func TestCreateProjectCopiesTheTemplate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		e := f.enterprise(pp.ks, "昆山新能源汽车零部件有限公司（测试）", "320583", pp.firm)
		in := input("新能源汽车零部件基地", "320583", pp.ksUnit.ID)
		in.EnterpriseIDs = []int64{e.ID, e.ID}
		p := f.create(pp.ks, in)
		got, err := f.svc.GetProject(f.ctx, pp.ks, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Enterprises) != 1 || got.Enterprises[0].Name != e.Name {
			t.Errorf("linked enterprises = %v, want %s once", got.Enterprises, e.Name)
		}
		list, _, err := f.svc.FindProjects(f.ctx, pp.city, project.ProjectFilter{EnterpriseID: e.ID})
		if err != nil || len(list) != 1 || len(list[0].EnterpriseIDs) != 1 || list[0].EnterpriseIDs[0] != e.ID {
			t.Errorf("projects of the enterprise = %v, %v", list, err)
		}
		want := []struct{ name, date string }{{"洽谈", "2026-01-01"}, {"框架协议", "2026-03-02"}, {"正式合同", "2026-05-01"},
			{"注册", "2026-05-31"}, {"开工", "2026-08-29"}, {"投产", "2027-03-27"}}
		if len(got.Milestones) != len(want) {
			t.Fatalf("milestones = %d, want %d", len(got.Milestones), len(want))
		}
		for i, w := range want {
			if m := got.Milestones[i]; m.Name != w.name || m.PlannedDate.String() != w.date || m.State != project.MilestonePending {
				t.Errorf("milestone %d = %s %s %s, want %s %s pending", i+1, m.Name, m.PlannedDate, m.State, w.name, w.date)
			}
		}
		if got.Stage != project.Planning || got.TypeName != "招商引资项目" || got.UnitName != "昆山市商务局" || got.PlanYear != 2026 ||
			len(got.History) != 1 || got.Light != project.LightNone {
			t.Errorf("new project = stage %s, type %s, unit %s, plan year %d, %d events, light %s",
				got.Stage, got.TypeName, got.UnitName, got.PlanYear, len(got.History), got.Light)
		}

		// A construction project's eleven nodes; those after the planned end
		// are moved to it.
		in = input("智能装备产业园", "320583", pp.ksUnit.ID)
		in.Type, in.PlannedEnd = "major-construction", day("2026-12-31")
		c := f.create(pp.ks, in)
		ms, err := f.svc.Milestones(f.ctx, pp.ks, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 11 || ms[0].Name != "立项" || ms[10].Name != "投产" || ms[10].PlannedDate.String() != "2026-12-31" ||
			ms[6].Name != "开工" || ms[6].PlannedDate.String() != "2026-05-31" {
			t.Errorf("construction nodes = %d, first %s, 开工 %s, last %s %s", len(ms), ms[0].Name, ms[6].PlannedDate, ms[10].Name, ms[10].PlannedDate)
		}
	})
}

func TestCreateProjectValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		bad := project.ProjectInput{Type: "nope", Name: "", RegionCode: "320000", TotalInvestment: 100, AnnualInvestment: 200,
			PlannedStart: day("2026-05-01"), PlannedEnd: day("2026-01-01"), Team: []project.TeamMember{{Name: "张三", Phone: "abc"}},
			Description: "<script>x</script>"}
		_, err := f.svc.CreateProject(f.ctx, pp.ks, bad)
		for field, key := range map[string]string{"type": "project.type_unknown", "name": "error.required", "region_code": "project.region_level",
			"unit_id": "error.required", "annual_investment": "project.annual_over_total", "planned_end": "project.end_before_start",
			"team": "project.team_invalid", "description": "project.no_html"} {
			wantField(t, "bad input", err, field, key)
		}
		_, err = f.svc.CreateProject(f.ctx, pp.ks, input("吴中的项目", "320506", pp.ksUnit.ID))
		wantField(t, "county staff create outside the county", err, "region_code", "project.region_outside_scope")
		_, err = f.svc.CreateProject(f.ctx, pp.wz, input("用昆山的单位", "320506", pp.ksUnit.ID))
		wantField(t, "another county's unit", err, "unit_id", "project.unit_not_found")
		cityUnit := f.unit(pp.city, "320500", "苏州市发改委")
		if _, err := f.svc.CreateProject(f.ctx, pp.ks, input("市级单位牵头", "320583", cityUnit.ID)); err != nil {
			t.Errorf("county project with a city unit: %v", err)
		}
		_, err = f.svc.CreateProject(f.ctx, pp.city, input("县级单位管市级项目", "320500", pp.ksUnit.ID))
		wantField(t, "a county unit for a city project", err, "unit_id", "project.unit_wrong_region")
		_, err = f.svc.CreateProject(f.ctx, pp.firm, input("企业", "320583", pp.ksUnit.ID))
		wantKind(t, "enterprise creates a project", err, apperr.Forbidden)
		in := input("关联他县企业", "320583", pp.ksUnit.ID)
		other := f.enterprise(pp.wz, "吴中精工（测试）", "320506", account.Actor{})
		in.EnterpriseIDs = []int64{other.ID}
		_, err = f.svc.CreateProject(f.ctx, pp.ks, in)
		wantField(t, "an enterprise outside the county", err, "enterprise_ids", "project.enterprise_not_found")
	})
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		p := f.create(pp.ks, input("新能源汽车零部件基地", "320583", pp.ksUnit.ID))
		steps := []struct {
			name   string
			who    account.Actor
			action string
			note   string
			kind   apperr.Kind // "" for success
			stage  project.Stage
		}{
			{"approve before submit", pp.city, project.ActApprove, "", apperr.Conflict, project.Planning},
			{"start before approval", pp.ks, project.ActStart, "", apperr.Conflict, project.Planning},
			{"other county submits", pp.wz, project.ActSubmit, "", apperr.NotFound, project.Planning},
			{"enterprise submits", pp.firm, project.ActSubmit, "", apperr.NotFound, project.Planning},
			{"admin submits", pp.admin, project.ActSubmit, "", apperr.Forbidden, project.Planning},
			{"submit", pp.ks, project.ActSubmit, "", "", project.Review},
			{"submitter approves own", pp.ks, project.ActApprove, "", apperr.Forbidden, project.Review},
			{"return without reason", pp.city, project.ActReturn, "", apperr.Invalid, project.Review},
			{"return", pp.city, project.ActReturn, "用地指标未落实", "", project.Planning},
			{"submit again", pp.ks, project.ActSubmit, "", "", project.Review},
			{"colleague approves", pp.ks2, project.ActApprove, "", "", project.Stocked},
			{"adjust before start", pp.ks, project.ActAdjust, "x", apperr.Invalid, project.Stocked},
			{"start", pp.ks, project.ActStart, "", "", project.Implementing},
			{"complete", pp.ks, project.ActComplete, "", "", project.Completed},
			{"exit after completion", pp.ks, project.ActExit, "不再跟踪", apperr.Conflict, project.Completed},
			{"unknown action", pp.ks, "launch", "", apperr.Invalid, project.Completed},
		}
		for _, st := range steps {
			got, err := f.svc.Transition(f.ctx, st.who, p.ID, st.action, st.note)
			if st.kind != "" {
				wantKind(t, st.name, err, st.kind)
			} else if err != nil {
				t.Errorf("%s: %v", st.name, err)
			} else if got.Stage != st.stage {
				t.Errorf("%s: stage %s, want %s", st.name, got.Stage, st.stage)
			}
			cur, err := f.svc.GetProject(f.ctx, pp.city, p.ID)
			if err != nil || cur.Stage != st.stage {
				t.Errorf("after %s: stage %s (%v), want %s", st.name, cur.Stage, err, st.stage)
			}
		}
		cur, _ := f.svc.GetProject(f.ctx, pp.city, p.ID)
		var actions []string
		for _, e := range cur.History {
			actions = append(actions, e.Action)
		}
		want := "create submit return submit approve start complete"
		if got := join(actions); got != want {
			t.Errorf("history = %s, want %s", got, want)
		}
		if cur.StartedOn.IsZero() || cur.ClosedOn.IsZero() || cur.Light != project.LightNone {
			t.Errorf("completed project: started %s, closed %s, light %s", cur.StartedOn, cur.ClosedOn, cur.Light)
		}
		if _, err := f.svc.UpdateProject(f.ctx, pp.ks, p.ID, input("改名", "320583", pp.ksUnit.ID)); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("update a completed project: %v, want Conflict", err)
		}

		// Exit from 谋划 needs a reason and keeps it.
		q := f.create(pp.ks, input("撤回的项目", "320583", pp.ksUnit.ID))
		_, err := f.svc.Transition(f.ctx, pp.ks, q.ID, project.ActExit, " ")
		wantField(t, "exit without reason", err, "note", "error.required")
		q = f.move(q, []string{project.ActExit}, pp.ks)
		if q.Stage != project.Exited || q.ExitReason != "测试原因" {
			t.Errorf("exited project = %s %q", q.Stage, q.ExitReason)
		}
	})
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

func TestAdjustmentNeedsASecondPerson(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		p := f.create(pp.ks, input("新能源汽车零部件基地", "320583", pp.ksUnit.ID))
		p = f.move(p, []string{project.ActSubmit, project.ActApprove, project.ActStart}, pp.ks, pp.city, pp.ks)

		// Once implemented, the plan is locked; other fields still change.
		in := input("新能源汽车零部件基地（一期）", "320583", pp.ksUnit.ID)
		in.TotalInvestment = 15000
		_, err := f.svc.UpdateProject(f.ctx, pp.ks, p.ID, in)
		wantField(t, "change the total while implementing", err, "total_investment", "project.plan_locked")
		in.TotalInvestment = 12000
		if got, err := f.svc.UpdateProject(f.ctx, pp.ks, p.ID, in); err != nil || got.Name != in.Name {
			t.Errorf("rename while implementing = %q, %v", got.Name, err)
		}
		ms, _ := f.svc.Milestones(f.ctx, pp.ks, p.ID)
		_, err = f.svc.UpdateMilestone(f.ctx, pp.ks, ms[4].ID, project.MilestoneInput{Name: ms[4].Name, PlannedDate: day("2026-12-31")})
		wantField(t, "move a node while implementing", err, "planned_date", "project.plan_locked")
		wantKind(t, "delete a node while implementing", f.svc.DeleteMilestone(f.ctx, pp.ks, ms[4].ID), apperr.Conflict)

		end, total := day("2027-12-31"), 15000.0
		adj := project.Adjustment{PlannedEnd: &end, TotalInvestment: &total,
			Milestones: []project.MilestoneDate{{ID: ms[5].ID, PlannedDate: day("2027-10-01")}}}
		_, err = f.svc.RequestAdjustment(f.ctx, pp.ks, p.ID, project.Adjustment{}, "无变化")
		wantKind(t, "empty adjustment", err, apperr.Invalid)
		_, err = f.svc.RequestAdjustment(f.ctx, pp.ks, p.ID, adj, "")
		wantField(t, "adjustment without reason", err, "note", "error.required")
		p, err = f.svc.RequestAdjustment(f.ctx, pp.ks, p.ID, adj, "追加二期设备投资")
		if err != nil || p.Stage != project.Adjusting || p.Pending == nil {
			t.Fatalf("request adjustment = %s %v, %v", p.Stage, p.Pending, err)
		}
		if p.PlannedEnd.String() != "2027-06-30" {
			t.Errorf("plan changed before approval: end %s", p.PlannedEnd)
		}
		for _, a := range p.Actions {
			if a == project.ActApproveAdjustment {
				t.Errorf("the requester is offered %s", a)
			}
		}
		_, err = f.svc.Transition(f.ctx, pp.ks, p.ID, project.ActApproveAdjustment, "")
		wantKind(t, "requester approves own adjustment", err, apperr.Forbidden)
		_, err = f.svc.Transition(f.ctx, pp.wz, p.ID, project.ActApproveAdjustment, "")
		wantKind(t, "other county approves", err, apperr.NotFound)
		p = f.move(p, []string{project.ActApproveAdjustment}, pp.city)
		ms, _ = f.svc.Milestones(f.ctx, pp.ks, p.ID)
		if p.Stage != project.Implementing || p.PlannedEnd != end || p.TotalInvestment != 15000 || p.Pending != nil ||
			ms[5].PlannedDate.String() != "2027-10-01" {
			t.Errorf("approved adjustment = %s, end %s, total %v, pending %v, 投产 %s", p.Stage, p.PlannedEnd, p.TotalInvestment,
				p.Pending, ms[5].PlannedDate)
		}

		// A rejected adjustment changes nothing.
		start := day("2026-02-01")
		p, err = f.svc.RequestAdjustment(f.ctx, pp.ks2, p.ID, project.Adjustment{PlannedStart: &start}, "开工推迟")
		if err != nil {
			t.Fatal(err)
		}
		p = f.move(p, []string{project.ActRejectAdjustment}, pp.ks)
		if p.Stage != project.Implementing || p.PlannedStart.String() != "2026-01-01" || p.Pending != nil {
			t.Errorf("rejected adjustment = %s, start %s, pending %v", p.Stage, p.PlannedStart, p.Pending)
		}
	})
}

func TestCountyIsolation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		p := f.create(pp.ks, input("新能源汽车零部件基地", "320583", pp.ksUnit.ID))
		p = f.move(p, []string{project.ActSubmit, project.ActApprove, project.ActStart}, pp.ks, pp.city, pp.ks)
		ms, _ := f.svc.Milestones(f.ctx, pp.ks, p.ID)
		if _, err := f.svc.SubmitReport(f.ctx, pp.ks, p.ID, project.ReportInput{Month: "2026-03", InvestmentMonth: 100, Progress: "场地平整"}); err != nil {
			t.Fatal(err)
		}
		sv, err := f.svc.OpenSupervision(f.ctx, pp.ks, project.SupervisionInput{Target: project.TargetProject, ProjectID: p.ID,
			Problem: "进度滞后", ActionRequired: "加快进度", Deadline: day("2026-03-20")})
		if err != nil {
			t.Fatal(err)
		}

		// 吴中 sees nothing of 昆山's and gets NotFound for every id.
		_, err = f.svc.GetProject(f.ctx, pp.wz, p.ID)
		wantKind(t, "get", err, apperr.NotFound)
		_, err = f.svc.UpdateProject(f.ctx, pp.wz, p.ID, input("x", "320506", pp.wzUnit.ID))
		wantKind(t, "update", err, apperr.NotFound)
		_, err = f.svc.Milestones(f.ctx, pp.wz, p.ID)
		wantKind(t, "milestones", err, apperr.NotFound)
		_, err = f.svc.CompleteMilestone(f.ctx, pp.wz, ms[0].ID, project.MilestoneCompletion{ActualDate: day("2026-03-01")})
		wantKind(t, "complete milestone", err, apperr.NotFound)
		_, err = f.svc.SubmitReport(f.ctx, pp.wz, p.ID, project.ReportInput{Month: "2026-03", Progress: "x"})
		wantKind(t, "report", err, apperr.NotFound)
		_, err = f.svc.Reports(f.ctx, pp.wz, p.ID)
		wantKind(t, "reports", err, apperr.NotFound)
		_, err = f.svc.LightHistory(f.ctx, pp.wz, p.ID)
		wantKind(t, "light history", err, apperr.NotFound)
		_, err = f.svc.GetSupervision(f.ctx, pp.wz, sv.ID)
		wantKind(t, "supervision", err, apperr.NotFound)
		_, err = f.svc.GetUnit(f.ctx, pp.wz, pp.ksUnit.ID)
		wantKind(t, "unit", err, apperr.NotFound)
		wantKind(t, "add member", f.svc.AddUnitMember(f.ctx, pp.wz, pp.ksUnit.ID, pp.wz.UserID), apperr.NotFound)
		list, total, err := f.svc.FindProjects(f.ctx, pp.wz, project.ProjectFilter{})
		if err != nil || total != 0 || len(list) != 0 {
			t.Errorf("吴中 FindProjects = %d, %d, %v; want none", len(list), total, err)
		}
		svs, total, err := f.svc.FindSupervisions(f.ctx, pp.wz, project.SupervisionFilter{})
		if err != nil || total != 0 || len(svs) != 0 {
			t.Errorf("吴中 FindSupervisions = %d, %d, %v; want none", len(svs), total, err)
		}
		st, err := f.svc.ReportStatus(f.ctx, pp.wz, "2026-03", "")
		if err != nil || st.Due != 0 {
			t.Errorf("吴中 ReportStatus = %d due, %v; want 0", st.Due, err)
		}
		units, _, err := f.svc.FindUnits(f.ctx, pp.wz, project.UnitFilter{})
		if err != nil || len(units) != 1 || units[0].ID != pp.wzUnit.ID {
			t.Errorf("吴中 FindUnits = %v, %v; want its own unit only", units, err)
		}

		// The city and the administrator see it; an enterprise may not list.
		for _, a := range []account.Actor{pp.city, pp.admin, pp.ks2} {
			if _, total, err := f.svc.FindProjects(f.ctx, a, project.ProjectFilter{}); err != nil || total != 1 {
				t.Errorf("%s FindProjects = %d, %v; want 1", a.Username, total, err)
			}
		}
		_, _, err = f.svc.FindProjects(f.ctx, pp.firm, project.ProjectFilter{})
		wantKind(t, "enterprise lists projects", err, apperr.Forbidden)
		_, err = f.svc.Transition(f.ctx, pp.admin, p.ID, project.ActComplete, "")
		wantKind(t, "administrator moves a project", err, apperr.Forbidden)
	})
}

func TestFlowCountsEntriesAndExits(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		a := f.create(pp.ks, input("甲项目", "320583", pp.ksUnit.ID))
		b := f.create(pp.ks, input("乙项目", "320583", pp.ksUnit.ID))
		c := f.create(pp.wz, input("丙项目", "320506", pp.wzUnit.ID))
		f.clock.set("2026-03-10")
		a = f.move(a, []string{project.ActSubmit, project.ActApprove}, pp.ks, pp.city)
		b = f.move(b, []string{project.ActSubmit, project.ActApprove}, pp.ks, pp.city)
		f.move(c, []string{project.ActSubmit, project.ActApprove}, pp.wz, pp.city)
		f.clock.set("2026-04-15")
		f.move(b, []string{project.ActExit}, pp.ks)
		f.clock.set("2026-05-20")
		f.move(a, []string{project.ActStart, project.ActComplete}, pp.ks)
		months, err := f.svc.Flow(f.ctx, pp.city, 2026, "")
		if err != nil {
			t.Fatal(err)
		}
		events, total, err := f.svc.FlowEvents(f.ctx, pp.city, "2026-03", "", 1, 2)
		if err != nil || total != 3 || len(events) != 2 || events[0].ProjectName != "甲项目" || events[0].Action != project.ActApprove {
			t.Errorf("March events = %d of %d, %v", len(events), total, err)
		}
		got := [][3]int{}
		for _, m := range months[2:5] {
			got = append(got, [3]int{m.Entered, m.Exited, m.Completed})
		}
		if want := [][3]int{{3, 0, 0}, {0, 1, 0}, {0, 0, 1}}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Errorf("city flow Mar–May (entered, exited, completed) = %v, want %v", got, want)
		}
		months, err = f.svc.Flow(f.ctx, pp.ks, 2026, "")
		if err != nil || months[2].Entered != 2 {
			t.Errorf("昆山 March entries = %d, %v; want 2 (吴中's not counted)", months[2].Entered, err)
		}
	})
}
