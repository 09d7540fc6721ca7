package project_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/project"
)

// TestEvaluateBoundaries walks every boundary of the light rules with
// N = 15 days, x = 10 %, y = 20 %, on 2026-06-10.
func TestEvaluateBoundaries(t *testing.T) {
	t.Parallel()
	rules := project.LightRules{DueDays: 15, YellowTrail: 10, RedTrail: 20}
	today := day("2026-06-10")
	pending := func(date string) project.Milestone {
		return project.Milestone{Name: "开工", PlannedDate: day(date), State: project.MilestonePending}
	}
	done := func(date string) project.Milestone {
		return project.Milestone{Name: "签约", PlannedDate: day(date), State: project.MilestoneDone}
	}
	type reason struct {
		rule  string
		light project.Light
	}
	tests := []struct {
		name       string
		stage      project.Stage
		milestones []project.Milestone
		missing    string
		plan       float64
		actual     float64
		want       project.Light
		reasons    []reason
	}{
		{name: "nothing due", stage: project.Implementing, want: project.LightGreen},
		{name: "not in the library", stage: project.Planning, milestones: []project.Milestone{pending("2026-01-01")}, want: project.LightNone},
		{name: "completed has no light", stage: project.Completed, missing: "2026-05", want: project.LightNone},
		{name: "stocked project is lit", stage: project.Stocked, milestones: []project.Milestone{pending("2026-06-09")},
			want: project.LightRed, reasons: []reason{{project.RuleMilestoneOverdue, project.LightRed}}},
		// Milestone boundaries: due in N+1 days is green, N days yellow,
		// today yellow, yesterday red.
		{name: "due in 16 days", stage: project.Implementing, milestones: []project.Milestone{pending("2026-06-26")}, want: project.LightGreen},
		{name: "due in 15 days", stage: project.Implementing, milestones: []project.Milestone{pending("2026-06-25")},
			want: project.LightYellow, reasons: []reason{{project.RuleMilestoneDue, project.LightYellow}}},
		{name: "due today", stage: project.Implementing, milestones: []project.Milestone{pending("2026-06-10")},
			want: project.LightYellow, reasons: []reason{{project.RuleMilestoneDue, project.LightYellow}}},
		{name: "due yesterday", stage: project.Implementing, milestones: []project.Milestone{pending("2026-06-09")},
			want: project.LightRed, reasons: []reason{{project.RuleMilestoneOverdue, project.LightRed}}},
		{name: "done milestones do not count", stage: project.Implementing,
			milestones: []project.Milestone{done("2026-01-01"), done("2026-06-11")}, want: project.LightGreen},
		// Report boundary.
		{name: "report missing", stage: project.Implementing, missing: "2026-05",
			want: project.LightRed, reasons: []reason{{project.RuleReportMissing, project.LightRed}}},
		// Investment boundaries: trail exactly x is green, above x yellow,
		// exactly y yellow, above y red.
		{name: "on plan", stage: project.Implementing, plan: 1000, actual: 1000, want: project.LightGreen},
		{name: "ahead of plan", stage: project.Implementing, plan: 1000, actual: 1500, want: project.LightGreen},
		{name: "trails exactly 10%", stage: project.Implementing, plan: 1000, actual: 900, want: project.LightGreen},
		{name: "trails 10.01%", stage: project.Implementing, plan: 1000, actual: 899.9,
			want: project.LightYellow, reasons: []reason{{project.RuleInvestmentTrails, project.LightYellow}}},
		{name: "trails exactly 20%", stage: project.Implementing, plan: 1000, actual: 800,
			want: project.LightYellow, reasons: []reason{{project.RuleInvestmentTrails, project.LightYellow}}},
		{name: "trails 20.01%", stage: project.Implementing, plan: 1000, actual: 799.9,
			want: project.LightRed, reasons: []reason{{project.RuleInvestmentTrails, project.LightRed}}},
		{name: "nothing invested", stage: project.Implementing, plan: 1000, actual: 0,
			want: project.LightRed, reasons: []reason{{project.RuleInvestmentTrails, project.LightRed}}},
		{name: "no plan, no investment rule", stage: project.Implementing, plan: 0, actual: 0, want: project.LightGreen},
		// Several reasons: the light is the worst, reds listed first.
		{name: "yellow and red together", stage: project.Adjusting, milestones: []project.Milestone{pending("2026-06-20")},
			missing: "2026-05", plan: 1000, actual: 850, want: project.LightRed,
			reasons: []reason{{project.RuleReportMissing, project.LightRed}, {project.RuleMilestoneDue, project.LightYellow},
				{project.RuleInvestmentTrails, project.LightYellow}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			light, reasons := project.Evaluate(project.LightInput{Today: today, Stage: tt.stage, Milestones: tt.milestones,
				MissingMonth: tt.missing, AssessedMonth: "2026-05", Plan: tt.plan, Actual: tt.actual}, rules)
			var got []reason
			for _, r := range reasons {
				got = append(got, reason{r.Rule, r.Light})
			}
			if light != tt.want || !cmp.Equal(got, tt.reasons, cmp.AllowUnexported(reason{})) {
				t.Errorf("Evaluate = %s %v, want %s %v", light, got, tt.want, tt.reasons)
			}
		})
	}
}

func TestReasonText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    project.Reason
		want string
	}{
		{project.Reason{Rule: project.RuleMilestoneOverdue, Milestone: "开工", Date: "2026-06-01", Days: 9}, "节点“开工”计划于 2026-06-01 完成，已逾期 9 天"},
		{project.Reason{Rule: project.RuleMilestoneDue, Milestone: "投产", Date: "2026-06-20", Days: 10}, "节点“投产”计划于 2026-06-20 完成，还剩 10 天"},
		{project.Reason{Rule: project.RuleReportMissing, Month: "2026-05"}, "2026-05 月度进展未报送"},
		{project.Reason{Rule: project.RuleInvestmentTrails, Month: "2026-05", Actual: 850, Plan: 1000, Trail: 15},
			"截至 2026-05 年度累计完成投资 850.00 万元，序时计划 1000.00 万元，滞后 15.00%"},
	}
	for _, tt := range tests {
		if got := tt.r.Text("zh-CN"); got != tt.want {
			t.Errorf("Text(%s) = %q, want %q", tt.r.Rule, got, tt.want)
		}
	}
}
