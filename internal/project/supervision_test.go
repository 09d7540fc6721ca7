package project_test

import (
	"testing"

	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

// started creates a 昆山 project and takes it to 实施.
func (f *fixture) started(pp people, name string) project.Project {
	f.t.Helper()
	p := f.create(pp.ks, input(name, "320583", pp.ksUnit.ID))
	return f.move(p, []string{project.ActSubmit, project.ActApprove, project.ActStart}, pp.ks, pp.city, pp.ks)
}

func (f *fixture) order(pp people, p project.Project, deadline string, level project.Level) project.Supervision {
	f.t.Helper()
	sv, err := f.svc.OpenSupervision(f.ctx, pp.ks, project.SupervisionInput{Target: project.TargetProject, ProjectID: p.ID,
		Problem: "开工节点滞后两个月", ActionRequired: "落实施工许可，尽快开工", Deadline: day(deadline), Level: level})
	if err != nil {
		f.t.Fatalf("open order: %v", err)
	}
	return sv
}

func TestSupervisionExchange(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		p := f.started(pp, "新能源汽车零部件基地")

		bad := []struct {
			name  string
			in    project.SupervisionInput
			field string
		}{
			{"no problem", project.SupervisionInput{Target: project.TargetProject, ProjectID: p.ID, ActionRequired: "x", Deadline: day("2026-03-10")}, "problem"},
			{"past deadline", project.SupervisionInput{Target: project.TargetProject, ProjectID: p.ID, Problem: "x", ActionRequired: "x", Deadline: day("2026-03-01")}, "deadline"},
			{"unknown level", project.SupervisionInput{Target: project.TargetProject, ProjectID: p.ID, Problem: "x", ActionRequired: "x", Deadline: day("2026-03-10"), Level: "red"}, "level"},
			{"unknown target", project.SupervisionInput{Target: "enterprise", Problem: "x", ActionRequired: "x", Deadline: day("2026-03-10")}, "target_type"},
			{"unit of another county", project.SupervisionInput{Target: project.TargetProject, ProjectID: p.ID, UnitID: pp.wzUnit.ID, Problem: "x", ActionRequired: "x", Deadline: day("2026-03-10")}, "unit_id"},
		}
		for _, tt := range bad {
			_, err := f.svc.OpenSupervision(f.ctx, pp.ks, tt.in)
			wantField(t, tt.name, err, tt.field, "")
		}
		_, err := f.svc.OpenSupervision(f.ctx, pp.wz, project.SupervisionInput{Target: project.TargetProject, ProjectID: p.ID,
			Problem: "x", ActionRequired: "x", Deadline: day("2026-03-10")})
		wantField(t, "another county's project", err, "project_id", "project.not_found")
		_, err = f.svc.OpenSupervision(f.ctx, pp.firm, project.SupervisionInput{})
		wantKind(t, "enterprise opens an order", err, apperr.Forbidden)

		sv := f.order(pp, p, "2026-03-10", "")
		if sv.Level != project.LevelGeneral || sv.UnitID != pp.ksUnit.ID || sv.State != project.SupervisionOpen || sv.ProjectName != p.Name {
			t.Errorf("new order = %+v", sv)
		}
		_, err = f.svc.ReplySupervision(f.ctx, pp.ks, sv.ID, project.SupervisionReply{Progress: "已协调"})
		wantKind(t, "a non-member replies", err, apperr.Forbidden)
		_, err = f.svc.AcceptSupervision(f.ctx, pp.city, sv.ID, "")
		wantKind(t, "accept before a reply", err, apperr.Conflict)
		got, _ := f.svc.GetSupervision(f.ctx, pp.ks2, sv.ID)
		if join(got.Actions) != project.StepReply {
			t.Errorf("member's actions = %v, want reply", got.Actions)
		}
		f.clock.set("2026-03-05")
		sv, err = f.svc.ReplySupervision(f.ctx, pp.ks2, sv.ID, project.SupervisionReply{Progress: "施工许可已受理",
			Evidence: []project.Evidence{{Name: "受理通知书.pdf", Ref: "attachment:7"}}})
		if err != nil || sv.State != project.SupervisionReplied {
			t.Fatalf("reply = %s, %v", sv.State, err)
		}
		_, err = f.svc.AcceptSupervision(f.ctx, pp.ks2, sv.ID, "")
		wantKind(t, "the replier accepts own reply", err, apperr.Forbidden)
		_, err = f.svc.ReturnSupervision(f.ctx, pp.city, sv.ID, "", day("2026-03-20"))
		wantField(t, "return without reason", err, "note", "error.required")
		sv, err = f.svc.ReturnSupervision(f.ctx, pp.city, sv.ID, "未见施工许可证", day("2026-03-20"))
		if err != nil || sv.State != project.SupervisionOpen || sv.Deadline.String() != "2026-03-20" {
			t.Fatalf("return = %s %s, %v", sv.State, sv.Deadline, err)
		}
		f.clock.set("2026-03-12")
		if _, err := f.svc.ReplySupervision(f.ctx, pp.ks2, sv.ID, project.SupervisionReply{Progress: "施工许可证已核发",
			Evidence: []project.Evidence{{Name: "施工许可证.jpg", Ref: "attachment:9"}}}); err != nil {
			t.Fatal(err)
		}
		sv, err = f.svc.AcceptSupervision(f.ctx, pp.ks, sv.ID, "同意办结")
		if err != nil || sv.State != project.SupervisionClosed || sv.ClosedAt.IsZero() {
			t.Fatalf("accept = %s, %v", sv.State, err)
		}
		_, err = f.svc.ReplySupervision(f.ctx, pp.ks2, sv.ID, project.SupervisionReply{Progress: "再次回复"})
		wantKind(t, "reply to a closed order", err, apperr.Conflict)
		got, err = f.svc.GetSupervision(f.ctx, pp.city, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range got.Events {
			steps = append(steps, e.Action+":"+e.ActorName)
		}
		if want := "open:ks reply:ks2 return:city reply:ks2 accept:ks"; join(steps) != want {
			t.Errorf("record = %s, want %s", join(steps), want)
		}
		if ev := got.Events[3].Evidence; len(ev) != 1 || ev[0].Name != "施工许可证.jpg" {
			t.Errorf("second reply's evidence = %v", ev)
		}

		// An order on a milestone names it.
		ms, _ := f.svc.Milestones(f.ctx, pp.ks, p.ID)
		mo, err := f.svc.OpenSupervision(f.ctx, pp.city, project.SupervisionInput{Target: project.TargetMilestone, MilestoneID: ms[2].ID,
			Problem: "正式合同未签", ActionRequired: "本月内签约", Deadline: day("2026-03-31"), Level: project.LevelKey})
		if err != nil || mo.MilestoneName != "正式合同" || mo.ProjectID != p.ID || mo.Level != project.LevelKey {
			t.Errorf("milestone order = %+v, %v", mo, err)
		}
		mine, total, err := f.svc.FindSupervisions(f.ctx, pp.ks2, project.SupervisionFilter{Mine: true, State: project.SupervisionOpen})
		if err != nil || total != 1 || mine[0].ID != mo.ID || join(mine[0].Actions) != project.StepReply {
			t.Errorf("ks2's open orders = %d, %v", total, err)
		}
	})
}

func TestSupervisionEscalation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		p := f.started(pp, "新能源汽车零部件基地")
		a := f.order(pp, p, "2026-03-10", project.LevelGeneral)
		replied := f.order(pp, p, "2026-03-10", project.LevelGeneral)
		if _, err := f.svc.ReplySupervision(f.ctx, pp.ks2, replied.ID, project.SupervisionReply{Progress: "已办理"}); err != nil {
			t.Fatal(err)
		}
		escalate := func(when string, want int) {
			t.Helper()
			f.clock.set(when)
			n, err := f.svc.EscalateOverdue(f.ctx)
			if err != nil || n != want {
				t.Errorf("%s: EscalateOverdue = %d, %v; want %d", when, n, err, want)
			}
		}
		escalate("2026-03-10", 0) // due today: not overdue yet
		escalate("2026-03-11", 1) // one day over: 一般 → 重点, five working days more
		escalate("2026-03-11", 0) // once per deadline
		got, _ := f.svc.GetSupervision(f.ctx, pp.ks, a.ID)
		if got.Level != project.LevelKey || got.Deadline.String() != "2026-03-18" || got.Escalations != 1 || got.Overdue {
			t.Errorf("after one escalation = %s, due %s, %d escalations, overdue %v", got.Level, got.Deadline, got.Escalations, got.Overdue)
		}
		escalate("2026-03-19", 1) // 重点 → 挂牌督办
		escalate("2026-03-27", 0) // at the top it stays overdue
		got, _ = f.svc.GetSupervision(f.ctx, pp.ks, a.ID)
		if got.Level != project.LevelListed || !got.Overdue || got.Escalations != 2 || got.Events[len(got.Events)-1].Action != project.StepEscalate {
			t.Errorf("after two escalations = %s, overdue %v, %d", got.Level, got.Overdue, got.Escalations)
		}
		if r, _ := f.svc.GetSupervision(f.ctx, pp.ks, replied.ID); r.Level != project.LevelGeneral || r.Overdue {
			t.Errorf("a replied order past its deadline = %s, overdue %v; want untouched", r.Level, r.Overdue)
		}
		list, total, err := f.svc.FindSupervisions(f.ctx, pp.city, project.SupervisionFilter{Overdue: true})
		if err != nil || total != 1 || list[0].ID != a.ID {
			t.Errorf("overdue list = %d, %v", total, err)
		}

		// Over 国庆 2026 the new deadline skips the holiday and counts the
		// 调休 Saturday (10-10): 10-08, 10-09, 10-10, 10-12, 10-13.
		f.clock.set("2026-09-20")
		b := f.order(pp, p, "2026-09-29", project.LevelGeneral)
		escalate("2026-09-30", 1)
		if got, _ := f.svc.GetSupervision(f.ctx, pp.ks, b.ID); got.Deadline.String() != "2026-10-13" {
			t.Errorf("deadline after escalation on 2026-09-30 = %s, want 2026-10-13", got.Deadline)
		}
	})
}

func TestSupervisionStats(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		p := f.started(pp, "新能源汽车零部件基地")
		closeOn := func(sv project.Supervision, replyDay, acceptDay string) {
			t.Helper()
			f.clock.set(replyDay)
			if _, err := f.svc.ReplySupervision(f.ctx, pp.ks2, sv.ID, project.SupervisionReply{Progress: "已办理"}); err != nil {
				t.Fatal(err)
			}
			f.clock.set(acceptDay)
			if _, err := f.svc.AcceptSupervision(f.ctx, pp.city, sv.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		a := f.order(pp, p, "2026-03-10", project.LevelGeneral)
		b := f.order(pp, p, "2026-03-10", project.LevelKey)
		f.order(pp, p, "2026-03-10", project.LevelKey) // stays open, overdue
		closeOn(a, "2026-03-04", "2026-03-06")         // four days
		closeOn(b, "2026-03-08", "2026-03-09")         // seven days
		f.clock.set("2026-03-12")
		stats, err := f.svc.SupervisionStats(f.ctx, pp.city, "")
		if err != nil || len(stats) != 1 {
			t.Fatalf("stats = %v, %v", stats, err)
		}
		st := stats[0]
		if st.UnitName != "昆山市商务局" || st.Total != 3 || st.Closed != 2 || st.Open != 1 || st.Overdue != 1 || st.AvgDaysToClose == nil || *st.AvgDaysToClose != 5.5 {
			t.Errorf("stats = %+v (avg %v)", st, st.AvgDaysToClose)
		}
		if g, k := st.ByLevel[0], st.ByLevel[1]; g.Total != 1 || g.Closed != 1 || k.Total != 2 || k.Closed != 1 || k.Overdue != 1 {
			t.Errorf("by level = %+v", st.ByLevel)
		}
		if other, _ := f.svc.SupervisionStats(f.ctx, pp.wz, ""); len(other) != 0 {
			t.Errorf("吴中 sees %d units' stats, want none", len(other))
		}
	})
}
