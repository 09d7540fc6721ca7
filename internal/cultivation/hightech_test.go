package cultivation

import (
	"testing"
)

// setRD writes revenue and R&D (all of it domestic) for y-2, y-1, y.
func setRD(in *AssessmentInput, y int, revenue, rd [3]float64) {
	for k := 0; k < 3; k++ {
		setYear(in, y-2+k, func(f *YearFigures) {
			f.Revenue, f.RDExpense, f.RDExpenseDomestic = fp(revenue[k]), fp(rd[k]), fp(rd[k])
			f.HightechRevenue = fp(revenue[k] * 0.75)
			f.MainRevenue = fp(revenue[k] * 0.95)
		})
	}
}

func expertTop(in *AssessmentInput) {
	in.Choices["advancement"], in.Choices["core_support"] = "高", "强"
	in.Choices["ip_acquisition"], in.Choices["standards_drafting"] = "own_rd", "yes"
	in.Figures["rd_management_rules"], in.Figures["rd_institution_cooperation"] = 6, 6
	in.Figures["conversion_incentives"], in.Figures["talent_rewards"] = 4, 4
}

// The high-tech cases follow 国科发火〔2016〕32号 第十一条 and the 195号
// 指引 scoring. Data years 2023–2025 (as_of 2026-06-30). The base firm's
// three-year R&D is 150+192+240 = 582万 on sales 2500+3200+4000 = 9700万,
// exactly 6%; latest sales 4000万 ≤ 5000万 so the line is 5%.
//
// Its score without expert input: 知识产权 = 先进程度 0–8 + 核心支持 0–8 +
// 数量 (1 Ⅰ类) 7–8 + 获得方式 1–6 + 标准加分 0–2 = 8–32, capped 30;
// 转化 15 in 3 years → 5 a year → 25–30; 管理 0–20; 成长性: 净资产
// ½(1600/1250 + 2000/1600) − 1 = ½(1.28 + 1.25) − 1 = 26.5% → 7–8 and
// 销售 ½(3200/2500 + 4000/3200) − 1 = 26.5% → 7–8. Total 47–96.
func TestAssessHighTech(t *testing.T) {
	t.Parallel()
	rs := ruleSet(t, "high-tech", "2016")
	const y = 2025
	tests := []struct {
		name string
		edit func(*AssessmentInput)
		want wantCase
	}{
		{
			name: "experts undecided: may qualify",
			want: wantCase{verdict: VerdictPossible, scoreMin: fp(47), scoreMax: fp(96), missing: []string{}, confirmCount: np(1),
				pass: map[string]Tri{"registered_1y": TriTrue, "rd_ratio": TriTrue, "rd_ratio_le_50m": TriTrue, "tech_staff_ratio": TriTrue,
					"domestic_rd_share": TriTrue, "hightech_income": TriTrue, "core_ip": TriTrue, "domain": TriTrue}},
		},
		{
			// 知识产权 7+7+7+1+1 = 23 to 8+8+8+6+2 = 32 → 30; 管理 20;
			// total 23+25+20+14 = 82 to 30+30+20+16 = 96.
			name: "experts at the top: qualifies",
			edit: expertTop,
			want: wantCase{verdict: VerdictYes, scoreMin: fp(82), scoreMax: fp(96)},
		},
		{
			// 知识产权 22–30 (no standards bonus), 转化 25–30, 管理 6+4 = 10,
			// 成长 14–16: lowest total 22+25+10+14 = 71 = the pass line.
			name: "lowest possible total exactly 71 qualifies",
			edit: func(in *AssessmentInput) {
				expertTop(in)
				in.Choices["standards_drafting"] = "no"
				in.Figures["rd_institution_cooperation"], in.Figures["conversion_incentives"], in.Figures["talent_rewards"] = 4, 0, 0
			},
			want: wantCase{verdict: VerdictYes, scoreMin: fp(71), scoreMax: fp(86)},
		},
		{
			name: "lowest possible total 70 only may qualify",
			edit: func(in *AssessmentInput) {
				expertTop(in)
				in.Choices["standards_drafting"] = "no"
				in.Figures["rd_institution_cooperation"], in.Figures["conversion_incentives"], in.Figures["talent_rewards"] = 3, 0, 0
			},
			want: wantCase{verdict: VerdictPossible, scoreMin: fp(70), scoreMax: fp(85)},
		},
		{
			// 知识产权 0+0+(7–8)+(1–3)+0 = 8–11; 转化 12/3 = 4 → 19–24; 管理 20;
			// 成长 14–16: 61–71. The top reaches 71: may qualify.
			name: "highest possible total exactly 71 may qualify",
			edit: func(in *AssessmentInput) {
				expertTop(in)
				in.Choices["advancement"], in.Choices["core_support"] = "无", "无"
				in.Choices["ip_acquisition"], in.Choices["standards_drafting"] = "transfer_only", "no"
				in.Figures["conversions_3y"] = 12
			},
			want: wantCase{verdict: VerdictPossible, scoreMin: fp(61), scoreMax: fp(71)},
		},
		{
			name: "highest possible total 70 cannot qualify",
			edit: func(in *AssessmentInput) {
				expertTop(in)
				in.Choices["advancement"], in.Choices["core_support"] = "无", "无"
				in.Choices["ip_acquisition"], in.Choices["standards_drafting"] = "transfer_only", "no"
				in.Figures["conversions_3y"] = 12
				in.Figures["talent_rewards"] = 3
			},
			want: wantCase{verdict: VerdictNo, scoreMin: fp(60), scoreMax: fp(70),
				gapContains: []string{"评价总分最高 70分，需 ≥ 71分：还差 1分；可提升：近三年年均科技成果转化数 ≥ 5项（+6分）"}},
		},
		{
			// Sales 3000+4000+5000 = 1.2亿, latest exactly 5000万 → 5% band;
			// R&D 150+200+250 = 600万 = 5% exactly.
			name: "sales exactly 5000万, R&D exactly 5%",
			edit: func(in *AssessmentInput) { setRD(in, y, [3]float64{30e6, 40e6, 50e6}, [3]float64{1.5e6, 2e6, 2.5e6}) },
			want: wantCase{verdict: VerdictPossible, pass: map[string]Tri{"rd_ratio_le_50m": TriTrue}},
		},
		{
			// 599.9万/1.2亿 = 4.99917% < 5%, shown with the decimals that tell it
			// from 5%: short by 1000 元.
			name: "sales exactly 5000万, R&D 1000元 short of 5%",
			edit: func(in *AssessmentInput) { setRD(in, y, [3]float64{30e6, 40e6, 50e6}, [3]float64{1.5e6, 2e6, 2.499e6}) },
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"rd_ratio_le_50m": TriFalse},
				gaps: []string{"研发费用占比 4.999%，需 ≥ 5%（最近一年销售收入 ≤ 5000万元）：还差 ¥1000元 研发投入"}},
		},
		{
			// One 元 more sales moves the firm into the 4% band.
			name: "sales 5000万 + 1元: 4% band",
			edit: func(in *AssessmentInput) {
				setRD(in, y, [3]float64{30e6, 40e6, 50e6 + 1}, [3]float64{1.5e6, 2e6, 2.499e6})
			},
			want: wantCase{verdict: VerdictPossible, pass: map[string]Tri{"rd_ratio_le_200m": TriTrue}},
		},
		{
			// 1.5亿+1.8亿+2亿 = 5.3亿, latest exactly 2亿 → 4% band;
			// 600+720+800 = 2120万 = 4% exactly.
			name: "sales exactly 2亿, R&D exactly 4%",
			edit: func(in *AssessmentInput) {
				setRD(in, y, [3]float64{150e6, 180e6, 200e6}, [3]float64{6e6, 7.2e6, 8e6})
			},
			want: wantCase{verdict: VerdictPossible, pass: map[string]Tri{"rd_ratio_le_200m": TriTrue}},
		},
		{
			// 2119.9万/5.3亿 = 3.9998% < 4%: 1000 元 short.
			name: "sales exactly 2亿, R&D just under 4%",
			edit: func(in *AssessmentInput) {
				setRD(in, y, [3]float64{150e6, 180e6, 200e6}, [3]float64{6e6, 7.2e6, 7.999e6})
			},
			want: wantCase{verdict: VerdictNo, gaps: []string{"研发费用占比 3.9998%，需 ≥ 4%（最近一年销售收入 5000万元–2亿元）：还差 ¥1000元 研发投入"}},
		},
		{
			// Over 2亿 the line is 3%: 1590万/5.3亿 = 3% exactly.
			name: "sales over 2亿, R&D exactly 3%",
			edit: func(in *AssessmentInput) {
				setRD(in, y, [3]float64{150e6, 180e6, 200e6 + 1}, [3]float64{4.5e6, 5.4e6, 6e6})
			},
			want: wantCase{verdict: VerdictPossible, pass: map[string]Tri{"rd_ratio_gt_200m": TriTrue}},
		},
		{
			name: "sales over 2亿, R&D 2.9% fails",
			edit: func(in *AssessmentInput) {
				setRD(in, y, [3]float64{150e6, 180e6, 210e6}, [3]float64{4.5e6, 5.4e6, 5.76e6})
			},
			// 1566万/5.4亿 = 2.9%; 3% needs 1620万: 54万 short.
			want: wantCase{verdict: VerdictNo, gaps: []string{"研发费用占比 2.9%，需 ≥ 3%（最近一年销售收入 > 2亿元）：还差 ¥54万 研发投入"}},
		},
		{
			name: "tech staff exactly 10%",
			edit: func(in *AssessmentInput) { setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(10) }) },
			want: wantCase{verdict: VerdictPossible, pass: map[string]Tri{"tech_staff_ratio": TriTrue}},
		},
		{
			// 10/101 = 9.9%: one more 科技人员 gives 11/102 = 10.8%.
			name: "tech staff 9.9% fails by one person",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(10); f.Employees = fp(101) })
			},
			want: wantCase{verdict: VerdictNo, gaps: []string{"科技人员占比 9.9%，需 ≥ 10%：还差 1人 科技人员"}},
		},
		{
			// 2025-07-01 → 2026-06-30 is 364 days.
			name: "registered 364 days before as_of",
			edit: func(in *AssessmentInput) { in.Founded = day("2025-07-01") },
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"registered_1y": TriFalse},
				gapContains: []string{"注册成立一年以上 364天，需 ≥ 365天：还需 1天（2026-07-01 起满足）"}},
		},
		{
			name: "registered 365 days before as_of",
			edit: func(in *AssessmentInput) { in.Founded = day("2025-06-30") },
			want: wantCase{verdict: VerdictPossible, pass: map[string]Tri{"registered_1y": TriTrue}},
		},
		{
			// Founded 2024: 2023 is no year of operation, so the R&D ratio is
			// (192+240)/(3200+4000) = 6% and growth uses two years:
			// 2000/1600 − 1 = 25% and 4000/3200 − 1 = 25% → 7–8 each.
			name: "firm under three years uses its actual years",
			edit: func(in *AssessmentInput) {
				in.Founded = day("2024-05-01")
				delete(in.Years, 2023)
			},
			want: wantCase{verdict: VerdictPossible, missing: []string{}, pass: map[string]Tri{"rd_ratio_le_50m": TriTrue}},
		},
		{
			name: "older firm without its third year is missing data",
			edit: func(in *AssessmentInput) { delete(in.Years, 2023) },
			want: wantCase{verdict: VerdictUnknown, missing: []string{
				"years.2023.rd_expense", "years.2023.revenue", "years.2023.rd_expense_domestic", "years.2023.net_assets"}},
		},
		{
			name: "domestic R&D exactly 60%",
			edit: func(in *AssessmentInput) {
				for k, v := range map[int]float64{2023: 0.9e6, 2024: 1.152e6, 2025: 1.44e6} {
					setYear(in, k, func(f *YearFigures) { f.RDExpenseDomestic = fp(v) })
				}
			},
			want: wantCase{verdict: VerdictPossible, pass: map[string]Tri{"domestic_rd_share": TriTrue}},
		},
		{
			// 59% of 582万 = 343.38万; (60% × 582万 − 343.38万)/(1 − 60%) =
			// 14.55万 more spent in China closes it.
			name: "domestic R&D 59%",
			edit: func(in *AssessmentInput) {
				for k, v := range map[int]float64{2023: 0.885e6, 2024: 1.1328e6, 2025: 1.416e6} {
					setYear(in, k, func(f *YearFigures) { f.RDExpenseDomestic = fp(v) })
				}
			},
			want: wantCase{verdict: VerdictNo, gaps: []string{"境内研发费用占比 59%，需 ≥ 60%：还差 ¥14.55万 境内研发投入"}},
		},
		{
			name: "high-tech income exactly 60%",
			edit: func(in *AssessmentInput) { setYear(in, y, func(f *YearFigures) { f.HightechRevenue = fp(24e6) }) },
			want: wantCase{verdict: VerdictPossible, pass: map[string]Tri{"hightech_income": TriTrue}},
		},
		{
			name: "no IP fails the core-IP condition",
			edit: func(in *AssessmentInput) { in.IP.Class1, in.IP.Class2 = ip(0), ip(0) },
			want: wantCase{verdict: VerdictNo, gaps: []string{"拥有对主要产品（服务）发挥核心支持作用的知识产权 0项，需 ≥ 1项：还差 1项"}},
		},
		{
			name: "domain not given is missing",
			edit: func(in *AssessmentInput) { delete(in.Choices, "hightech_domain") },
			want: wantCase{verdict: VerdictUnknown, missing: []string{"choices.hightech_domain"}},
		},
		{
			// Sales 2500 → 0 → 4000: the second year is zero, so the 指引
			// scores the item 0.
			name: "growth with a zero middle year scores 0",
			edit: func(in *AssessmentInput) { setYear(in, 2024, func(f *YearFigures) { f.Revenue = fp(0) }) },
			want: wantCase{verdict: VerdictPossible, points: map[string]float64{"sales_growth": 0}},
		},
		{
			// First-year sales zero: rate over the last two years,
			// 4000/3200 − 1 = 25% → 7–8.
			name: "growth with a zero first year uses the last two",
			edit: func(in *AssessmentInput) { setYear(in, 2023, func(f *YearFigures) { f.Revenue = fp(0) }) },
			want: wantCase{verdict: VerdictPossible},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := firm("2026-06-30")
			in.Choices = map[string]string{"hightech_domain": "先进制造与自动化"}
			in.Figures = map[string]float64{"conversions_3y": 15}
			if tt.edit != nil {
				tt.edit(&in)
			}
			checkResult(t, Assess(rs, in), tt.want)
		})
	}
}

func TestHighTechGrowthBands(t *testing.T) {
	t.Parallel()
	rs := ruleSet(t, "high-tech", "2016")
	tests := []struct {
		name           string
		sales          [3]float64
		wantLo, wantHi float64
	}{
		// ½(1.35 + 1.35) − 1 = 35% exactly → top band.
		{name: "35% exactly", sales: [3]float64{100e6, 135e6, 182.25e6}, wantLo: 9, wantHi: 10},
		// ½(1.05 + 1.05) − 1 = 5% exactly → 3–4.
		{name: "5% exactly", sales: [3]float64{100e6, 105e6, 110.25e6}, wantLo: 3, wantHi: 4},
		// No growth is not "> 0": 0.
		{name: "flat", sales: [3]float64{100e6, 100e6, 100e6}, wantLo: 0, wantHi: 0},
		// ½(0.8 + 1.25) − 1 = 2.5% → 1–2.
		{name: "down then up", sales: [3]float64{100e6, 80e6, 100e6}, wantLo: 1, wantHi: 2},
		// First year 0: 4000/3200 − 1 = 25% → 7–8.
		{name: "first year zero", sales: [3]float64{0, 32e6, 40e6}, wantLo: 7, wantHi: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := firm("2026-06-30")
			for k := 0; k < 3; k++ {
				setYear(&in, 2023+k, func(f *YearFigures) { f.Revenue = fp(tt.sales[k]) })
			}
			it := itemOf(t, Assess(rs, in), "sales_growth")
			if it.PointsMin != tt.wantLo || it.PointsMax != tt.wantHi {
				t.Errorf("sales_growth = [%v,%v] (actual %s), want [%v,%v]", it.PointsMin, it.PointsMax, it.Actual, tt.wantLo, tt.wantHi)
			}
		})
	}
}
