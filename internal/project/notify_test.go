package project_test

import (
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"

	"kechuang/internal/dbtest"
)

// titles returns the titles of a's notices in lang.
func (f *fixture) titles(a account.Actor, lang string) []string {
	f.t.Helper()
	in, err := notice.NewService(f.db, f.clock.Now).Inbox(f.ctx, a, lang, notice.Filter{})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, n := range in.Items {
		out = append(out, n.Title)
	}
	return out
}

func hasTitle(titles []string, parts ...string) bool {
	for _, t := range titles {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(t, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestNotices: a light change reaches the responsible unit's members and
// the lead official; a 督办 order reaches the unit and its reply the one
// who opened it; a service request's assignment reaches the unit and its
// answer the enterprise — each in the reader's language.
func TestNotices(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		lead := f.actor("lead", account.RoleStaff, "320583")
		in := input("新能源汽车零部件基地", "320583", pp.ksUnit.ID)
		in.PlannedStart, in.AnnualInvestment, in.LeadUserID = day("2026-03-01"), 5000, lead.UserID
		p := f.create(pp.ks, in)
		ms, _ := f.svc.Milestones(f.ctx, pp.ks, p.ID)
		if _, err := f.svc.CompleteMilestone(f.ctx, pp.ks, ms[0].ID, project.MilestoneCompletion{ActualDate: day("2026-03-01")}); err != nil {
			t.Fatal(err)
		}
		p = f.move(p, []string{project.ActSubmit, project.ActApprove, project.ActStart}, pp.ks, pp.city, pp.ks)
		// ks asked for 预审: the city's staff, who decide, were told; ks was not.
		if got := f.titles(pp.city, i18n.Chinese); !hasTitle(got, "新能源汽车零部件基地", "提交预审", "预审") {
			t.Errorf("the deciding staff's notices %q lack the submission", got)
		}
		if got := f.titles(pp.ks, i18n.Chinese); hasTitle(got, "提交预审") {
			t.Errorf("the one who asked was told of its own submission: %q", got)
		}
		if got := f.titles(pp.ks2, i18n.English); !hasTitle(got, "Start implementation") {
			t.Errorf("the unit's notices %q lack the start", got)
		}
		if got := f.titles(pp.ks2, i18n.Chinese); hasTitle(got, "绿灯") {
			t.Errorf("entering the library green notified the unit: %q", got)
		}
		f.clock.set("2026-04-15") // March unreported and behind plan: red
		if _, err := f.svc.RefreshLights(f.ctx); err != nil {
			t.Fatal(err)
		}
		for _, who := range []account.Actor{pp.ks2, lead} {
			if got := f.titles(who, i18n.Chinese); !hasTitle(got, "新能源汽车零部件基地", "绿灯", "红灯") {
				t.Errorf("%s's notices %q lack the change to red", who.Username, got)
			}
			if got := f.titles(who, i18n.English); !hasTitle(got, "went from green to red") {
				t.Errorf("%s's English notices %q lack the change to red", who.Username, got)
			}
		}
		if got := f.titles(pp.wz, i18n.Chinese); len(got) != 0 {
			t.Errorf("another county's staff got %q", got)
		}

		v, err := f.svc.OpenSupervision(f.ctx, pp.city, project.SupervisionInput{Target: project.TargetProject, ProjectID: p.ID,
			Problem: "框架协议临近", ActionRequired: "提前协调", Deadline: day("2026-04-25"), Level: project.LevelKey})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.titles(pp.ks2, i18n.Chinese); !hasTitle(got, "重点督办", "框架协议临近") {
			t.Errorf("the unit's notices %q lack the order", got)
		}
		if _, err := f.svc.ReplySupervision(f.ctx, pp.ks2, v.ID, project.SupervisionReply{Progress: "已协调"}); err != nil {
			t.Fatal(err)
		}
		if got := f.titles(pp.city, i18n.English); !hasTitle(got, "replied", "框架协议临近") {
			t.Errorf("the opener's notices %q lack the reply", got)
		}

		// Reminders of April's report in the days before the 25th: once a
		// day however often the sweep runs.
		f.clock.set("2026-04-23")
		for range 3 {
			if _, err := f.svc.Sweep(f.ctx); err != nil {
				t.Fatal(err)
			}
		}
		reminders := 0
		for _, title := range f.titles(pp.ks2, i18n.Chinese) {
			if strings.Contains(title, "2026-04 月报尚未报送") {
				reminders++
			}
		}
		if reminders != 1 {
			t.Errorf("%d reminders of April's report after three sweeps, want 1", reminders)
		}

		e := f.enterprise(pp.ks, "昆山通知测试有限公司", "320583", pp.firm)
		r, err := f.svc.SubmitRequest(f.ctx, pp.firm, project.RequestInput{EnterpriseID: e.ID, Category: project.CatPower,
			Title: "双回路供电", Description: "新厂房需双回路供电。"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AssignRequest(f.ctx, pp.city, r.ID, pp.ksUnit.ID, ""); err != nil {
			t.Fatal(err)
		}
		if got := f.titles(pp.ks2, i18n.Chinese); !hasTitle(got, "分派给本单位", "双回路供电") {
			t.Errorf("the unit's notices %q lack the assignment", got)
		}
		if _, err := f.svc.RespondRequest(f.ctx, pp.ks2, r.ID, "已受理"); err != nil {
			t.Fatal(err)
		}
		if got := f.titles(pp.firm, i18n.Chinese); !hasTitle(got, "已有响应", "双回路供电") {
			t.Errorf("the enterprise's notices %q lack the response", got)
		}
	})
}
