package project_test

import (
	"testing"

	"kechuang/internal/dbtest"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

// TestLightGoesYellowThenRed follows one 招商 project through March and
// April 2026: green once started, yellow as a node nears, red when April's
// report is missing and the year's investment falls behind, green again
// when both are made good. RefreshLights is what the scheduled job runs.
func TestLightGoesYellowThenRed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		in := input("新能源汽车零部件基地", "320583", pp.ksUnit.ID)
		// 5000 万 for March–December: 500 a month on the schedule.
		in.PlannedStart, in.AnnualInvestment = day("2026-03-01"), 5000
		p := f.create(pp.ks, in)
		ms, _ := f.svc.Milestones(f.ctx, pp.ks, p.ID)
		if _, err := f.svc.CompleteMilestone(f.ctx, pp.ks, ms[0].ID, project.MilestoneCompletion{ActualDate: day("2026-03-01"),
			Evidence: []project.Evidence{{Name: "洽谈纪要.pdf", Ref: "attachment:1"}}}); err != nil {
			t.Fatal(err)
		}
		p = f.move(p, []string{project.ActSubmit, project.ActApprove, project.ActStart}, pp.ks, pp.city, pp.ks)
		if p.Light != project.LightGreen {
			t.Fatalf("light on starting = %s %v, want green", p.Light, p.LightReasons)
		}
		f.clock.set("2026-03-20")
		if _, err := f.svc.SubmitReport(f.ctx, pp.ks, p.ID, project.ReportInput{Month: "2026-03", InvestmentMonth: 480, Progress: "签约准备"}); err != nil {
			t.Fatal(err)
		}
		light := func(when string, want project.Light, changed int, rules ...string) {
			t.Helper()
			f.clock.set(when)
			n, err := f.svc.RefreshLights(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := f.svc.GetProject(f.ctx, pp.city, p.ID)
			var gotRules []string
			for _, r := range got.LightReasons {
				gotRules = append(gotRules, r.Rule)
			}
			if got.Light != want || n != changed || join(gotRules) != join(rules) {
				t.Errorf("%s: light %s (%d changed) for %v; want %s (%d) for %v", when, got.Light, n, gotRules, want, changed, rules)
			}
		}
		light("2026-03-31", project.LightGreen, 0)
		// 框架协议 is due on 4-30: 16 days ahead is green, 15 yellow.
		light("2026-04-14", project.LightGreen, 0)
		light("2026-04-15", project.LightYellow, 1, project.RuleMilestoneDue)
		light("2026-04-15", project.LightYellow, 0, project.RuleMilestoneDue)
		light("2026-04-26", project.LightRed, 1, project.RuleReportMissing, project.RuleInvestmentTrails, project.RuleMilestoneDue)

		// April reported (yellow: the node is still near) and the node
		// reached: green again.
		f.clock.set("2026-04-27")
		if _, err := f.svc.SubmitReport(f.ctx, pp.ks, p.ID, project.ReportInput{Month: "2026-04", InvestmentMonth: 600, Progress: "签订框架协议"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CompleteMilestone(f.ctx, pp.ks, ms[1].ID, project.MilestoneCompletion{ActualDate: day("2026-04-27")}); err != nil {
			t.Fatal(err)
		}
		got, _ := f.svc.GetProject(f.ctx, pp.city, p.ID)
		if got.Light != project.LightGreen {
			t.Errorf("after April's report: %s %v, want green", got.Light, got.LightReasons)
		}
		history, err := f.svc.LightHistory(f.ctx, pp.ks, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var seq []string
		for _, c := range history {
			seq = append(seq, string(c.Previous)+"→"+string(c.Light))
		}
		if want := "yellow→green red→yellow yellow→red green→yellow none→green"; join(seq) != want {
			t.Errorf("light history = %s, want %s", join(seq), want)
		}
		if r := history[2].Reasons; len(r) != 3 || r[1].Rule != project.RuleInvestmentTrails || r[1].Plan != 1000 || r[1].Actual != 480 || r[1].Trail != 52 {
			t.Errorf("red reasons = %+v; want investment 480 against 1000 (52%% behind) second", r)
		}
	})
}
