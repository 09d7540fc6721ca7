package project_test

import (
	"testing"

	"kechuang/internal/dbtest"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

func TestOverviewAndSweep(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		in := input("甲项目", "320583", pp.ksUnit.ID)
		a := f.create(pp.ks, in)
		b := input("乙项目", "320583", pp.ksUnit.ID)
		b.Type = "major-construction"
		f.create(pp.ks, b)
		c := f.create(pp.wz, input("丙项目", "320506", pp.wzUnit.ID))
		a = f.move(a, []string{project.ActSubmit, project.ActApprove, project.ActStart}, pp.ks, pp.city, pp.ks)
		f.move(c, []string{project.ActSubmit, project.ActApprove, project.ActStart}, pp.wz, pp.city, pp.wz)
		f.clock.set("2026-03-20")
		if _, err := f.svc.SubmitReport(f.ctx, pp.ks, a.ID, project.ReportInput{Month: "2026-03", InvestmentMonth: 400, Progress: "签约"}); err != nil {
			t.Fatal(err)
		}

		// Reminders go out in the three days before the 25th, to those who
		// have not reported: 丙 only.
		r, err := f.svc.Sweep(f.ctx)
		if err != nil || r.Reminders != 0 {
			t.Errorf("sweep on 3-20 = %+v, %v; want no reminders", r, err)
		}
		f.clock.set("2026-03-23")
		if r, err = f.svc.Sweep(f.ctx); err != nil || r.Reminders != 1 {
			t.Errorf("sweep on 3-23 = %+v, %v; want 1 reminder", r, err)
		}
		f.clock.set("2026-03-26")
		if r, err = f.svc.Sweep(f.ctx); err != nil || r.Reminders != 0 || r.LightsChanged != 0 {
			t.Errorf("sweep on 3-26 = %+v, %v; want no reminders and no change (丙 is red already)", r, err)
		}

		o, err := f.svc.Overview(f.ctx, pp.city, 2026, "", "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		counts := func(cs []project.Count) map[string]int {
			m := map[string]int{}
			for _, c := range cs {
				m[c.Key] = c.Count
			}
			return m
		}
		if o.Total != 3 || counts(o.ByType)["investment"] != 2 || counts(o.ByType)["major-construction"] != 1 {
			t.Errorf("by type = %v (total %d)", o.ByType, o.Total)
		}
		if st := counts(o.ByStage); st["implementing"] != 2 || st["planning"] != 1 {
			t.Errorf("by stage = %v", o.ByStage)
		}
		if cs := counts(o.ByCounty); cs["320583"] != 2 || cs["320506"] != 1 || o.ByCounty[0].Label != "吴中区" {
			t.Errorf("by county = %v", o.ByCounty)
		}
		red, total, _ := f.svc.FindProjects(f.ctx, pp.city, project.ProjectFilter{Light: project.LightRed})
		if o.RedTotal != total || len(o.Red) != len(red) || counts(o.ByLight)["red"] != total || total == 0 {
			t.Errorf("red = %d listed of %d, FindProjects says %d", len(o.Red), o.RedTotal, total)
		}
		// On 3-26: 甲 and 丙's 洽谈 (1-1) and 框架协议 (3-2), 乙's 立项 (1-1)
		// and 用地 (3-2); 乙 is only 谋划 but still open.
		if o.OverdueTotal != 6 || len(o.OverdueMilestones) != 6 || o.OverdueMilestones[0].Days != 84 {
			t.Errorf("overdue milestones = %d (%v)", o.OverdueTotal, o.OverdueMilestones)
		}
		// 甲 and 丙 plan 6000 each over the whole year: 1000 a month (乙,
		// not in the library, plans nothing yet).
		if m := o.Investment[2]; o.AnnualPlan != 12000 || m.Planned != 1000 || m.Completed != 400 || m.CumPlanned != 3000 || m.CumCompleted != 400 {
			t.Errorf("investment = plan %v, March %+v", o.AnnualPlan, m)
		}
		if o.Flow[2].Entered != 2 {
			t.Errorf("March entries = %d, want 2", o.Flow[2].Entered)
		}
		ks, err := f.svc.Overview(f.ctx, pp.ks, 2026, "", "zh-CN")
		if err != nil || ks.Total != 2 || ks.AnnualPlan != 6000 {
			t.Errorf("昆山's view = %d projects, plan %v, %v", ks.Total, ks.AnnualPlan, err)
		}
	})
}
