package cultivation

import (
	"testing"
)

// The tech-sme cases follow 国科发政〔2017〕115号 and its 评价指标: 科技人员
// 20 + 研发投入 50 (the better of two ratios) + 科技成果 30; pass at 60 with a
// non-zero 科技人员 score, or any direct route; E2–E4 caps always apply.
// Data year 2025 (as_of 2026-06-30).
func TestAssessTechSME(t *testing.T) {
	t.Parallel()
	rs := ruleSet(t, "tech-sme", "2017")
	const y = 2025
	tests := []struct {
		name string
		edit func(*AssessmentInput)
		want wantCase
	}{
		{
			// 30/100 = 30% → 20; 240万/4000万 = 6% → 50; 1 Ⅰ类 → 30; total 100.
			name: "base firm scores 100",
			want: wantCase{verdict: VerdictYes, scoreMin: fp(100), scoreMax: fp(100),
				points: map[string]float64{"tech_staff": 20, "rd_input": 50, "ip": 30}, gaps: []string{}, missing: []string{},
				confirmCount: np(4)},
		},
		{
			// 10/100 = 10% exactly → 4 (lower bound inclusive); 4 + 50 + 30 = 84.
			name: "tech staff exactly 10% scores 4",
			edit: func(in *AssessmentInput) { setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(10) }) },
			want: wantCase{verdict: VerdictYes, scoreMin: fp(84), scoreMax: fp(84), points: map[string]float64{"tech_staff": 4}},
		},
		{
			// 9/100 = 9% → 0: total 80 ≥ 60 but 科技人员 must score > 0.
			// Gap: (10%×100 − 9)/(1 − 10%) = 1.11 → 2 more 科技人员 would do; the
			// band text names the 10% line.
			name: "tech staff 9% scores 0 and fails the non-zero rule",
			edit: func(in *AssessmentInput) { setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(9) }) },
			want: wantCase{verdict: VerdictNo, scoreMin: fp(80), scoreMax: fp(80), points: map[string]float64{"tech_staff": 0},
				gaps: []string{"科技人员得分为 0，需 > 0：科技人员占职工总数比例 ≥ 10%"}},
		},
		{
			// 30% → 20; 80万/4000万 = 2% → 10 (cost ratio 80万/3500万 = 2.3% → 0);
			// 1 Ⅰ类 → 30: exactly the pass line 60.
			name: "score exactly 60 passes",
			edit: func(in *AssessmentInput) { setYear(in, y, func(f *YearFigures) { f.RDExpense = fp(0.8e6) }) },
			want: wantCase{verdict: VerdictYes, scoreMin: fp(60), scoreMax: fp(60), points: map[string]float64{"rd_input": 10}},
		},
		{
			// 25/100 → 16; 160万/4000万 = 4% → 30 (cost 4.6% → 0); no Ⅰ类,
			// 2 Ⅱ类 → 12: total 58. Next bands: 科技人员 30% (+4), 研发 5% (+10),
			// 科技成果 3 Ⅱ类 (+6).
			name: "score 58 fails with the cheapest band steps",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(25); f.RDExpense = fp(1.6e6) })
				in.IP.Class1, in.IP.Class2 = ip(0), ip(2)
			},
			want: wantCase{verdict: VerdictNo, scoreMin: fp(58), scoreMax: fp(58),
				gaps: []string{"评价总分 58分，需 ≥ 60分：还差 2分；可提升：科技人员占职工总数比例 ≥ 30%（+4分）、Ⅱ类知识产权 ≥ 3项（+6分）"}},
		},
		{
			// Enterprise picks the better ratio: 105万/4000万 = 2.6% → 10, but
			// 105万/700万 = 15% of 成本费用 → 20. 20 + 20 + 30 = 70.
			name: "R&D score takes the better of the two ratios",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.RDExpense = fp(1.05e6); f.CostTotal = fp(7e6) })
			},
			want: wantCase{verdict: VerdictYes, scoreMin: fp(70), scoreMax: fp(70), points: map[string]float64{"rd_input": 20}},
		},
		{
			name: "employees exactly 500 pass E2",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.Employees = fp(500); f.TechStaff = fp(150) })
			},
			want: wantCase{verdict: VerdictYes, pass: map[string]Tri{"employees_max": TriTrue}},
		},
		{
			name: "501 employees fail E2",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.Employees = fp(501); f.TechStaff = fp(151) })
			},
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"employees_max": TriFalse},
				gaps: []string{"职工总数 501人，需 ≤ 500人：超出 1人"}},
		},
		{
			// 2亿 exactly is "不超过2亿元": passes. R&D 240万/2亿 = 1.2% → 0,
			// cost ratio 240万/3500万 = 6.9% → 0; total 20 + 0 + 30 = 50.
			name: "revenue exactly 2亿 passes E3 (score then fails)",
			edit: func(in *AssessmentInput) { setYear(in, y, func(f *YearFigures) { f.Revenue = fp(2e8) }) },
			want: wantCase{verdict: VerdictNo, scoreMin: fp(50), scoreMax: fp(50), pass: map[string]Tri{"revenue_max": TriTrue}},
		},
		{
			name: "revenue 1 元 over 2亿 fails E3",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.Revenue = fp(2e8 + 1); f.RDExpense = fp(12.1e6); f.CostTotal = fp(40e6) })
			},
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"revenue_max": TriFalse},
				gaps: []string{"年销售收入 ¥2.00000001亿，需 ≤ ¥2亿：超出 ¥1元"}},
		},
		{
			name: "assets exactly 2亿 pass E4",
			edit: func(in *AssessmentInput) { setYear(in, y, func(f *YearFigures) { f.TotalAssets = fp(2e8) }) },
			want: wantCase{verdict: VerdictYes, pass: map[string]Tri{"assets_max": TriTrue}},
		},
		{
			name: "retail industry is excluded",
			edit: func(in *AssessmentInput) { in.Industry = "F52" },
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"industry_allowed": TriFalse},
				gaps: []string{"所属行业不在研发费用加计扣除负面清单：行业 F52，需不属于 C16、F、H、K、L、R90"}},
		},
		{
			name: "missing industry is named, verdict unknown",
			edit: func(in *AssessmentInput) { in.Industry = "" },
			want: wantCase{verdict: VerdictUnknown, missing: []string{"industry"}},
		},
		{
			// Both R&D alternatives need rd_expense: the item spans 0–50, the
			// total 20 + [0,50] + 30 = [50,100] straddles 60.
			name: "missing R&D expense leaves the score open",
			edit: func(in *AssessmentInput) { setYear(in, y, func(f *YearFigures) { f.RDExpense = nil }) },
			want: wantCase{verdict: VerdictUnknown, scoreMin: fp(50), scoreMax: fp(100), missing: []string{"years.2025.rd_expense"}},
		},
		{
			name: "a failed cap gives no even with data missing",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.RDExpense = nil; f.Employees = fp(600); f.TechStaff = fp(180) })
			},
			want: wantCase{verdict: VerdictNo, missing: []string{"years.2025.rd_expense"}},
		},
		{
			// IP missing: 20 + 50 + [0,30] = [70,100] ≥ 60 either way.
			name: "missing IP does not matter when the score passes anyway",
			edit: func(in *AssessmentInput) { in.IP = nil },
			want: wantCase{verdict: VerdictYes, scoreMin: fp(70), scoreMax: fp(100), missing: []string{}},
		},
		{
			name: "attestations given clear to_confirm",
			edit: func(in *AssessmentInput) {
				in.Attestations = map[string]bool{"tax_on_actual_profit": true, "product_allowed": true, "no_major_incident": true, "not_on_credit_lists": true}
			},
			want: wantCase{verdict: VerdictYes, confirmCount: np(0), pass: map[string]Tri{"resident": TriTrue}},
		},
		{
			name: "a negative attestation fails",
			edit: func(in *AssessmentInput) { in.Attestations = map[string]bool{"tax_on_actual_profit": false} },
			want: wantCase{verdict: VerdictNo, confirmCount: np(3), pass: map[string]Tri{"resident": TriFalse},
				gaps: []string{"居民企业、查账征收：不满足（居民企业，查账征收，会计核算健全、能准确归集研发费用）"}},
		},
		{
			// 科技人员 5% → 0 fails the score, but a valid 高企 certificate
			// (issued 2024-12-01, valid 3 years) qualifies directly.
			name: "direct route: valid high-tech certificate",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(5) })
				in.Certificates = []Certificate{{Type: "high-tech", Issued: day("2024-12-01")}}
			},
			want: wantCase{verdict: VerdictYes, gaps: []string{}, pass: map[string]Tri{"d1_high_tech": TriTrue}},
		},
		{
			// Issued 2023-06-30 → valid until 2026-06-29; as_of 2026-06-30 is out.
			name: "direct route: expired high-tech certificate",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(5) })
				in.Certificates = []Certificate{{Type: "high-tech", Issued: day("2023-06-30")}}
			},
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"d1_high_tech": TriFalse}},
		},
		{
			name: "direct route does not lift a failed cap",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.TotalAssets = fp(3e8) })
				in.Certificates = []Certificate{{Type: "high-tech", Issued: day("2024-12-01")}}
			},
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"assets_max": TriFalse}},
		},
		{
			// 近五年 at as_of 2026: award years 2021–2026; rank 3 counts.
			name: "direct route: national award ranked 3rd in 2021",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(5) })
				in.Honors = []Honor{{Type: "sci_award", Level: "national", Rank: 3, Year: 2021}}
			},
			want: wantCase{verdict: VerdictYes, pass: map[string]Tri{"d2_award": TriTrue}},
		},
		{
			name: "direct route: award ranked 4th or too old does not count",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(5) })
				in.Honors = []Honor{{Type: "sci_award", Level: "national", Rank: 4, Year: 2024}, {Type: "sci_award", Level: "national", Rank: 1, Year: 2020}}
			},
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"d2_award": TriFalse}},
		},
		{
			// Score fails for sure (科技人员 0) and the only open route lacks
			// data: the answer waits for choices.rd_institution.
			name: "direct route with missing data keeps the verdict unknown",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(5) })
				in.Honors = []Honor{{Type: "standard", Level: "national", Rank: 0, Year: 2024}}
				delete(in.Choices, "rd_institution")
			},
			want: wantCase{verdict: VerdictUnknown, missing: []string{"choices.rd_institution", "honors[0].rank"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := firm("2026-06-30")
			in.Choices = map[string]string{"rd_institution": "none"}
			if tt.edit != nil {
				tt.edit(&in)
			}
			checkResult(t, Assess(rs, in), tt.want)
		})
	}
}
