package cultivation

import (
	"testing"
)

// 创新型中小企业 (工信部企业〔2022〕63号 附件1), assessed on 2025-06-30 so the
// 2022 version is in force and the data year is 2024. Base firm:
// 知识产权 1 自主研发Ⅰ类 → 15; 研发 240万/4000万 = 6% → 20 (创新能力 35);
// 主营增长 3800/3000 − 1 = 26.7% → 20; 负债率 3000/5000 = 60% → 5 (成长性 25);
// 战略性新兴产业 → 10; 主营占比 3800/4000 = 95% → 20 (专业化 30). Total 90.
func TestAssessInnovativeSME(t *testing.T) {
	t.Parallel()
	const y = 2024
	tests := []struct {
		name    string
		asOf    string
		version string
		edit    func(*AssessmentInput)
		want    wantCase
	}{
		{
			name: "base firm scores 90",
			want: wantCase{verdict: VerdictYes, scoreMin: fp(90), scoreMax: fp(90), confirmCount: np(5),
				points: map[string]float64{"ip": 15, "rd_ratio": 20, "main_growth": 20, "debt_ratio": 5, "strategic_emerging": 10, "main_share": 20}},
		},
		{
			// 2750/5000 = 55% exactly: the ≤55% band (10), shared boundaries go up.
			name: "debt ratio exactly 55% scores 10",
			edit: func(in *AssessmentInput) { setYear(in, y, func(f *YearFigures) { f.Liabilities = fp(27.5e6) }) },
			want: wantCase{verdict: VerdictYes, scoreMin: fp(95), scoreMax: fp(95), points: map[string]float64{"debt_ratio": 10}},
		},
		{
			// No IP → 0; 研发 60万/4000万 = 1.5% → 5: 创新能力 5 < 20 although
			// the total 5 + 25 + 30 = 60 reaches the line.
			name: "total 60 but innovation part below 20",
			edit: func(in *AssessmentInput) {
				in.IP = &IPCounts{Class1: ip(0), Class2: ip(0), Class1HighValue: ip(0), Class1Own: ip(0)}
				setYear(in, y, func(f *YearFigures) { f.RDExpense = fp(0.6e6) })
			},
			want: wantCase{verdict: VerdictNo, scoreMin: fp(60), scoreMax: fp(60), gaps: []string{"创新能力得分 5分，需 ≥ 20分"}},
		},
		{
			// Same firm with 300万 + 200万 = 500万 equity in the last three
			// years qualifies directly.
			name: "equity financing exactly 500万 qualifies directly",
			edit: func(in *AssessmentInput) {
				in.IP = &IPCounts{Class1: ip(0), Class2: ip(0), Class1HighValue: ip(0), Class1Own: ip(0)}
				setYear(in, y, func(f *YearFigures) { f.RDExpense = fp(0.6e6); f.EquityFinancing = fp(3e6) })
				setYear(in, y-1, func(f *YearFigures) { f.EquityFinancing = fp(2e6) })
			},
			want: wantCase{verdict: VerdictYes, gaps: []string{}, pass: map[string]Tri{"d_equity": TriTrue}},
		},
		{
			// Strategic-emerging not stated: 5 or 10, total 85–90, passes anyway.
			name: "a missing choice that cannot change the outcome",
			edit: func(in *AssessmentInput) { delete(in.Choices, "strategic_emerging") },
			want: wantCase{verdict: VerdictYes, scoreMin: fp(85), scoreMax: fp(90), missing: []string{}},
		},
		{
			// 2026 version: a 科技型中小企业 number issued in 2026 makes the
			// firm 科技和创新型 whatever its score.
			name:    "2026: valid tech-sme registration qualifies directly",
			asOf:    "2026-06-30",
			version: "2026",
			edit: func(in *AssessmentInput) {
				in.IP = &IPCounts{Class1: ip(0), Class2: ip(0), Class1HighValue: ip(0), Class1Own: ip(0)}
				setYear(in, 2025, func(f *YearFigures) { f.RDExpense = fp(0) })
				in.Certificates = []Certificate{{Type: "tech-sme", Issued: day("2026-05-10")}}
			},
			want: wantCase{verdict: VerdictYes, pass: map[string]Tri{"d_tech_sme": TriTrue}},
		},
		{
			// The registration is valid only in its calendar year.
			name:    "2026: last year's tech-sme registration has lapsed",
			asOf:    "2026-06-30",
			version: "2026",
			edit: func(in *AssessmentInput) {
				in.IP = &IPCounts{Class1: ip(0), Class2: ip(0), Class1HighValue: ip(0), Class1Own: ip(0)}
				setYear(in, 2025, func(f *YearFigures) { f.RDExpense = fp(0) })
				in.Certificates = []Certificate{{Type: "tech-sme", Issued: day("2025-05-10")}}
			},
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"d_tech_sme": TriFalse}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			asOf := tt.asOf
			if asOf == "" {
				asOf = "2025-06-30"
			}
			in := firm(asOf)
			in.Choices = map[string]string{"strategic_emerging": "yes", "rd_institution": "none"}
			if tt.edit != nil {
				tt.edit(&in)
			}
			rs, err := shippedBook(t).Select("innovative-sme", tt.version, in.AsOf.Time)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, Assess(rs, in), tt.want)
		})
	}
}

// 专精特新 2022 (63号 附件2) on 2025-06-30, data year 2024. With the inputs
// below the 13 indicators score:
// 专业化: 主营占比 95% → 5; 近2年主营平均增长 ½(3000/2400 + 3800/3000) − 1
// = ½(1.25 + 1.2667) − 1 = 25.8% → 10; 细分市场 6年 → 3; 领域 六基 → 3 (21).
// 精细化: 数字化 二级 → 3; 质量 1项 → 3; 净利率 400万/4000万 = 10% → 10;
// 负债率 60% → 3 (19). 特色化: 10. 创新能力: 自主Ⅰ类 → 8; 研发 240万 < 300万
// but 6% → 6; 研发人员 20% → 5; 市级机构 → 4 (23). Total 73.
func TestAssessSpecializedSME2022(t *testing.T) {
	t.Parallel()
	rs := ruleSet(t, "specialized-sme", "2022")
	const y = 2024
	tests := []struct {
		name string
		edit func(*AssessmentInput)
		want wantCase
	}{
		{
			name: "full data scores 73",
			want: wantCase{verdict: VerdictYes, scoreMin: fp(73), scoreMax: fp(73), missing: []string{},
				points: map[string]float64{"main_share": 5, "main_growth": 10, "niche_years": 3, "product_field": 3, "digital_level": 3,
					"quality": 3, "net_margin": 10, "debt_ratio": 3, "local_feature": 10, "ip": 8, "rd_input": 6, "rd_staff": 5, "rd_institution": 4}},
		},
		{
			// 特色化 left to the province: 0–15, total 63–78 ≥ 60 either way.
			name: "provincial feature score open but total passes anyway",
			edit: func(in *AssessmentInput) { delete(in.Figures, "local_feature_score") },
			want: wantCase{verdict: VerdictYes, scoreMin: fp(63), scoreMax: fp(78)},
		},
		{
			// 细分市场 2年 → 1 (−2), 领域 none (−3), 数字化 一级 (−3), 质量 0 (−3):
			// 62 with 特色化 10; open 特色化 gives 52–67: experts decide.
			name: "provincial feature score decides",
			edit: func(in *AssessmentInput) {
				delete(in.Figures, "local_feature_score")
				in.Figures["niche_years"], in.Figures["quality_items"] = 2, 0
				in.Choices["product_field"], in.Choices["digital_level"] = "none", "level1"
			},
			want: wantCase{verdict: VerdictPossible, scoreMin: fp(52), scoreMax: fp(67)},
		},
		{
			name: "R&D exactly 100万 and 3% pass the basic conditions",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) {
					f.Revenue, f.MainRevenue, f.RDExpense = fp(1e6/0.03), fp(1e6/0.03*0.95), fp(1e6)
				})
			},
			// Revenue 3333.33万, R&D 100万 = 3%: both lines met exactly. Score:
			// 研发投入 drops to the 100万/3% band (4, −2); 净利率 400万/3333万
			// = 12% → 10 still; 主营增长 ½(1.25 + 3166.7/3000) − 1 = 15.3% → 10.
			// 73 − 2 = 71.
			want: wantCase{pass: map[string]Tri{"rd_expense": TriTrue, "rd_ratio": TriTrue}, verdict: VerdictYes,
				scoreMin: fp(71), scoreMax: fp(71), points: map[string]float64{"rd_input": 4}},
		},
		{
			// Revenue 800万 < 1000万 and no equity financing: the either-or fails.
			name: "small revenue without equity fails the scale condition",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.Revenue, f.MainRevenue, f.RDExpense = fp(8e6), fp(7.6e6), fp(1e6) })
			},
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"scale": TriFalse, "revenue_min": TriFalse, "equity_2y": TriFalse},
				gapContains: []string{"营业收入或股权融资（满足其一即可）：上年度营业收入 ¥800万，需 ≥ ¥1000万：还差 ¥200万；或 近两年新增股权融资总额（营业收入不足1000万元时） ¥0元，需 ≥ ¥2000万：还差 ¥2000万"}},
		},
		{
			name: "equity financing replaces revenue",
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) {
					f.Revenue, f.MainRevenue, f.RDExpense, f.EquityFinancing = fp(8e6), fp(7.6e6), fp(1e6), fp(20e6)
				})
			},
			want: wantCase{pass: map[string]Tri{"scale": TriTrue, "revenue_min": TriFalse, "equity_2y": TriTrue}, verdict: VerdictYes},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := firm("2025-06-30")
			in.Figures = map[string]float64{"niche_years": 6, "quality_items": 1, "local_feature_score": 10}
			in.Choices = map[string]string{"product_field": "six_basics", "digital_level": "level2", "rd_institution": "municipal"}
			if tt.edit != nil {
				tt.edit(&in)
			}
			checkResult(t, Assess(rs, in), tt.want)
		})
	}
}

// 专精特新 2026 on 2026-06-30 (data years 2024, 2025): every condition holds
// for the base firm given a 创新型 title, 3 years in its niche, a platform
// score of 50 and the market-position judgement.
func TestAssessSpecializedSME2026(t *testing.T) {
	t.Parallel()
	rs := ruleSet(t, "specialized-sme", "2026")
	tests := []struct {
		name string
		edit func(*AssessmentInput)
		want wantCase
	}{
		{name: "all conditions met", want: wantCase{verdict: VerdictYes, missing: []string{}, gaps: []string{}}},
		{
			// 主营 3200/4000 = 80%, 负债 4000/5000 = 80%, 研发 2024 = 100万 —
			// all exactly at their lines, which are inclusive.
			name: "every line met exactly",
			edit: func(in *AssessmentInput) {
				setYear(in, 2025, func(f *YearFigures) { f.MainRevenue = fp(32e6); f.Liabilities = fp(40e6) })
				setYear(in, 2024, func(f *YearFigures) { f.RDExpense = fp(1e6); f.Revenue = fp(1e6 / 0.03) })
				in.Figures["dev_score"] = 50
			},
			want: wantCase{verdict: VerdictYes, pass: map[string]Tri{"main_share": TriTrue, "debt_ratio": TriTrue, "rd_expense_each_year": TriTrue, "rd_ratio_each_year": TriTrue}},
		},
		{
			// 2024: 93万/3200万 = 2.9%: the earlier year fails on its own.
			name: "one year below 3% fails",
			edit: func(in *AssessmentInput) { setYear(in, 2024, func(f *YearFigures) { f.RDExpense = fp(0.928e6) }) },
			want: wantCase{verdict: VerdictNo, gaps: []string{
				"近两年每年研发费用（2024年） ¥92.8万，需 ≥ ¥100万：还差 ¥7.2万",
				"近两年每年研发费用占营业收入比重（2024年） 2.9%，需 ≥ 3%：还差 ¥3.2万 研发投入"}},
		},
		{
			name: "platform score missing",
			edit: func(in *AssessmentInput) { delete(in.Figures, "dev_score") },
			want: wantCase{verdict: VerdictUnknown, missing: []string{"figures.dev_score"}},
		},
		{
			name: "market position not judged: possible, listed to confirm",
			edit: func(in *AssessmentInput) { delete(in.Attestations, "market_position") },
			want: wantCase{verdict: VerdictPossible, confirmContain: "主导产品细分市场占有率较为靠前，具有一定知名度（需人工判断）"},
		},
		{
			name: "no title fails",
			edit: func(in *AssessmentInput) { in.Certificates = nil },
			want: wantCase{verdict: VerdictNo, gaps: []string{"已被认定为科技和创新型中小企业（有效期内）：未持有有效的创新型中小企业或科技型中小企业"}},
		},
		{
			// No Ⅰ类 applied, but a 省部级 institution exempts the firm.
			name: "research institution replaces the IP requirement",
			edit: func(in *AssessmentInput) { in.IP.Class1Applied = ip(0); in.Choices["rd_institution"] = "provincial" },
			want: wantCase{verdict: VerdictYes, pass: map[string]Tri{"ip_or_exempt": TriTrue, "ip_class1_applied": TriFalse, "institution": TriTrue}, gaps: []string{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := firm("2026-06-30")
			in.Certificates = []Certificate{{Type: "innovative-sme", Issued: day("2024-09-01")}}
			in.Figures = map[string]float64{"niche_years": 3, "dev_score": 55}
			in.Choices = map[string]string{"rd_institution": "none"}
			in.Attestations = map[string]bool{"market_position": true}
			if tt.edit != nil {
				tt.edit(&in)
			}
			checkResult(t, Assess(rs, in), tt.want)
		})
	}
}

// 小巨人 2026 on 2026-06-30. The firm: revenue 2023 5000万, 2024 5500万,
// 2025 6000万; 主营 5400万 (90%); 负债 3750万/5000万 (75%); 研发 600万 in
// each of 2024 and 2025 (1200万 together; 10.9% and 10%); CAGR
// √(6000/5000) − 1 = 9.5%; 4 Ⅰ类 applied; share 10%; score 60.
func TestAssessLittleGiant2026(t *testing.T) {
	t.Parallel()
	rs := ruleSet(t, "little-giant", "2026")
	base := func() AssessmentInput {
		in := firm("2026-06-30")
		setYear(&in, 2023, func(f *YearFigures) { f.Revenue = fp(50e6) })
		setYear(&in, 2024, func(f *YearFigures) { f.Revenue = fp(55e6); f.RDExpense = fp(6e6) })
		setYear(&in, 2025, func(f *YearFigures) {
			f.Revenue, f.MainRevenue, f.RDExpense, f.Liabilities = fp(60e6), fp(54e6), fp(6e6), fp(37.5e6)
		})
		in.IP.Class1Applied = ip(4)
		in.Certificates = []Certificate{{Type: "specialized-sme", Issued: day("2024-07-01")}}
		in.Figures = map[string]float64{"niche_years": 3, "market_share": 0.10, "dev_score": 60}
		in.Attestations = map[string]bool{"key_chain_link": true}
		return in
	}
	tests := []struct {
		name string
		edit func(*AssessmentInput)
		want wantCase
	}{
		{name: "every line met exactly", want: wantCase{verdict: VerdictYes, gaps: []string{}, missing: []string{}}},
		{
			// 8000万 → 8820万 is 1.05² exactly: CAGR 5% on the line.
			name: "revenue CAGR exactly 5%",
			edit: func(in *AssessmentInput) {
				setYear(in, 2023, func(f *YearFigures) { f.Revenue = fp(80e6) })
				setYear(in, 2025, func(f *YearFigures) { f.Revenue, f.MainRevenue = fp(88.2e6), fp(79.38e6) })
			},
			want: wantCase{verdict: VerdictYes, pass: map[string]Tri{"revenue_cagr": TriTrue, "main_share": TriTrue}},
		},
		{
			name: "revenue 1元 under 5000万",
			edit: func(in *AssessmentInput) {
				setYear(in, 2025, func(f *YearFigures) { f.Revenue, f.MainRevenue = fp(50e6-1), fp(45e6) })
				setYear(in, 2023, func(f *YearFigures) { f.Revenue = fp(40e6) })
			},
			want: wantCase{verdict: VerdictNo, gaps: []string{"上年度营业收入 ¥4999.9999万，需 ≥ ¥5000万：还差 ¥1元"}},
		},
		{
			// Rank 2 in China replaces the 10% share.
			name: "top-3 rank replaces market share",
			edit: func(in *AssessmentInput) { in.Figures["market_share"] = 0.05; in.Figures["market_rank"] = 2 },
			want: wantCase{verdict: VerdictYes, pass: map[string]Tri{"market": TriTrue, "market_share": TriFalse, "market_rank": TriTrue}},
		},
		{
			// Share 5% and rank not given: the alternative may still hold.
			name: "share short and rank missing",
			edit: func(in *AssessmentInput) { in.Figures["market_share"] = 0.05 },
			want: wantCase{verdict: VerdictUnknown, missing: []string{"figures.market_rank"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := base()
			if tt.edit != nil {
				tt.edit(&in)
			}
			checkResult(t, Assess(rs, in), tt.want)
		})
	}
}

// 小巨人 2022 (63号 附件3) on 2025-06-30, data year 2024. R&D line by
// revenue: ≥ 1亿 → 3% in each of 2 years; 5000万–1亿 → 6%; below 5000万 →
// equity ≥ 8000万, R&D ≥ 3000万 and R&D staff ≥ 50%.
func TestAssessLittleGiant2022(t *testing.T) {
	t.Parallel()
	rs := ruleSet(t, "little-giant", "2022")
	base := func() AssessmentInput {
		in := firm("2025-06-30")
		in.Figures = map[string]float64{"niche_years": 5, "market_share": 0.2}
		in.Choices = map[string]string{"rd_institution": "municipal"}
		in.IP.Class1Applied = ip(2)
		in.Attestations = map[string]bool{"info_system": true, "mgmt_certification": true, "own_brand": true, "key_chain_link": true}
		return in
	}
	// revenue (2023, 2024) and R&D (2023, 2024).
	setRevRD := func(in *AssessmentInput, rev, rd [2]float64) {
		for k, yr := range []int{2023, 2024} {
			setYear(in, yr, func(f *YearFigures) {
				f.Revenue, f.MainRevenue, f.RDExpense = fp(rev[k]), fp(rev[k]*0.9), fp(rd[k])
			})
		}
		setYear(in, 2022, func(f *YearFigures) { f.MainRevenue = fp(rev[0] * 0.9 * 0.9) })
	}
	tests := []struct {
		name string
		edit func(*AssessmentInput)
		want wantCase
	}{
		{
			// Revenue exactly 1亿 → 3% band; 300万/1亿 and 270万/9000万 = 3%.
			name: "revenue exactly 1亿, R&D 3% each year",
			edit: func(in *AssessmentInput) { setRevRD(in, [2]float64{90e6, 100e6}, [2]float64{2.7e6, 3e6}) },
			want: wantCase{verdict: VerdictYes, pass: map[string]Tri{"rd_by_revenue": TriTrue, "rd_ratio_ge_100m": TriTrue}},
		},
		{
			// 1元 less revenue: the 6% band applies and 3% fails it; no
			// award route, so 创新能力 fails.
			name: "revenue 1元 under 1亿 needs 6%",
			edit: func(in *AssessmentInput) { setRevRD(in, [2]float64{90e6, 100e6 - 1}, [2]float64{2.7e6, 3e6}) },
			want: wantCase{verdict: VerdictNo, pass: map[string]Tri{"rd_by_revenue": TriFalse, "rd_ratio_ge_50m": TriFalse, "innovation": TriFalse}},
		},
		{
			name: "national award top 3 replaces the general conditions",
			edit: func(in *AssessmentInput) {
				setRevRD(in, [2]float64{90e6, 100e6 - 1}, [2]float64{2.7e6, 3e6})
				in.Honors = []Honor{{Type: "sci_award", Level: "national", Rank: 2, Year: 2023}}
			},
			want: wantCase{verdict: VerdictYes, pass: map[string]Tri{"innovation": TriTrue, "award_top3": TriTrue}, gaps: []string{}},
		},
		{
			name: "judgements not given leave it possible",
			edit: func(in *AssessmentInput) {
				setRevRD(in, [2]float64{90e6, 100e6}, [2]float64{2.7e6, 3e6})
				in.Attestations = nil
			},
			want: wantCase{verdict: VerdictPossible, confirmContain: "拥有直面市场的自主品牌（需人工判断）"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := base()
			if tt.edit != nil {
				tt.edit(&in)
			}
			checkResult(t, Assess(rs, in), tt.want)
		})
	}
}

// 规上 thresholds by GB/T 4754 industry of the main activity.
func TestAssessAboveScale(t *testing.T) {
	t.Parallel()
	rs := ruleSet(t, "above-scale", "2021")
	tests := []struct {
		name        string
		industry    string
		revenue     float64 // 营业收入
		main        float64 // 主营业务收入
		certificate bool
		want        wantCase
	}{
		{name: "manufacturing at 2000万 main revenue", industry: "C39", revenue: 25e6, main: 20e6, want: wantCase{verdict: VerdictYes}},
		{name: "manufacturing 1元 short", industry: "C39", revenue: 25e6, main: 20e6 - 1,
			want: wantCase{verdict: VerdictNo, gaps: []string{"年主营业务收入 ¥1999.9999万，需 ≥ ¥2000万（规模以上工业（采矿业、制造业、电力热力燃气及水））：还差 ¥1元"}}},
		{name: "mining uses the industrial line", industry: "B06", revenue: 20e6, main: 20e6, want: wantCase{verdict: VerdictYes}},
		{name: "wholesale 2000万", industry: "F51", revenue: 20e6, main: 19.9e6, want: wantCase{verdict: VerdictNo}},
		{name: "retail 500万", industry: "F5261", revenue: 6e6, main: 5e6, want: wantCase{verdict: VerdictYes}},
		{name: "catering 200万", industry: "H62", revenue: 2e6, main: 2e6, want: wantCase{verdict: VerdictYes}},
		{name: "software 2000万 of 营业收入", industry: "I65", revenue: 20e6, main: 1e6, want: wantCase{verdict: VerdictYes}},
		{name: "health 2000万", industry: "Q84", revenue: 19e6, main: 19e6, want: wantCase{verdict: VerdictNo}},
		{name: "R&D services 1000万", industry: "M73", revenue: 10e6, main: 1e6, want: wantCase{verdict: VerdictYes}},
		{name: "property management 1000万", industry: "K7020", revenue: 10e6, main: 10e6, want: wantCase{verdict: VerdictYes}},
		{name: "culture 500万", industry: "R86", revenue: 5e6, main: 5e6, want: wantCase{verdict: VerdictYes}},
		{name: "social work 500万", industry: "Q85", revenue: 4.99e6, main: 5e6, want: wantCase{verdict: VerdictNo}},
		{name: "construction with qualification", industry: "E48", certificate: true, want: wantCase{verdict: VerdictYes}},
		{name: "construction without qualification", industry: "E48", want: wantCase{verdict: VerdictNo}},
		{name: "real-estate development is counted, to confirm", industry: "K7010",
			want: wantCase{verdict: VerdictYes, confirmCount: np(1)}},
		{name: "real estate without the class is ambiguous", industry: "K70", revenue: 50e6, main: 50e6,
			want: wantCase{verdict: VerdictUnknown, missing: []string{"industry"}}},
		{name: "agriculture has no threshold", industry: "A01", revenue: 1e9, main: 1e9,
			want: wantCase{verdict: VerdictNo, gaps: []string{"所属行业无规上（限上）标准：该行业（如农林牧渔业、金融业、公共管理）不在“四上”统计范围"}}},
		{name: "industry missing", industry: "", revenue: 50e6, main: 50e6, want: wantCase{verdict: VerdictUnknown, missing: []string{"industry"}}},
		{name: "industry missing but below every line", industry: "", revenue: 1e6, main: 1e6,
			want: wantCase{verdict: VerdictUnknown, missing: []string{"industry"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := AssessmentInput{AsOf: day("2026-06-30"), Industry: tt.industry,
				Years: map[int]YearFigures{2025: {Revenue: fp(tt.revenue), MainRevenue: fp(tt.main)}}}
			if tt.certificate {
				in.Certificates = []Certificate{{Type: "construction-qualification", Issued: day("2010-01-01")}}
			}
			checkResult(t, Assess(rs, in), tt.want)
		})
	}
}
