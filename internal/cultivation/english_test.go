package cultivation

import (
	"strings"
	"testing"
	"testing/fstest"
)

// The English gap sentences: the same failures the per-rule-set tables pin
// in Chinese, written out by hand in English. Chinese stays as it was.
func TestGapTextEnglish(t *testing.T) {
	t.Parallel()
	const y = 2025
	techSME := func(in *AssessmentInput) { in.Choices = map[string]string{"rd_institution": "none"} }
	highTech := func(in *AssessmentInput) {
		in.Choices = map[string]string{"hightech_domain": "先进制造与自动化"}
		in.Figures = map[string]float64{"conversions_3y": 15}
	}
	specialized2022 := func(in *AssessmentInput) {
		in.Figures = map[string]float64{"niche_years": 6, "quality_items": 1, "local_feature_score": 10}
		in.Choices = map[string]string{"product_field": "six_basics", "digital_level": "level2", "rd_institution": "municipal"}
	}
	specialized2026 := func(in *AssessmentInput) {
		in.Certificates = []Certificate{{Type: "innovative-sme", Issued: day("2024-09-01")}}
		in.Figures = map[string]float64{"niche_years": 3, "dev_score": 55}
		in.Choices = map[string]string{"rd_institution": "none"}
		in.Attestations = map[string]bool{"market_position": true}
	}
	tests := []struct {
		name, id, version, asOf string
		base, edit              func(*AssessmentInput)
		zh, en                  []string // every gap, in order
	}{
		{name: "compare over a cap", id: "tech-sme", version: "2017", asOf: "2026-06-30", base: techSME,
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.Employees = fp(501); f.TechStaff = fp(151) })
			},
			zh: []string{"职工总数 501人，需 ≤ 500人：超出 1人"},
			en: []string{"Total staff 501 persons, needs ≤ 500 persons: 1 person over"}},
		{name: "compare of an amount, to the 元", id: "tech-sme", version: "2017", asOf: "2026-06-30", base: techSME,
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.Revenue = fp(2e8 + 1); f.RDExpense = fp(12.1e6); f.CostTotal = fp(40e6) })
			},
			zh: []string{"年销售收入 ¥2.00000001亿，需 ≤ ¥2亿：超出 ¥1元"},
			en: []string{"Annual sales revenue ¥200.000001M, needs ≤ ¥200M: ¥1 over"}},
		{name: "ratio within a switch band names the band and the numerator", id: "high-tech", version: "2016", asOf: "2026-06-30", base: highTech,
			edit: func(in *AssessmentInput) { setRD(in, y, [3]float64{30e6, 40e6, 50e6}, [3]float64{1.5e6, 2e6, 2.499e6}) },
			zh:   []string{"研发费用占比 4.999%，需 ≥ 5%（最近一年销售收入 ≤ 5000万元）：还差 ¥1000元 研发投入"},
			en:   []string{"R&D expense share 4.999%, needs ≥ 5% (sales revenue of the last year ≤ ¥50M): ¥1K more R&D investment"}},
		{name: "ratio in persons", id: "high-tech", version: "2016", asOf: "2026-06-30", base: highTech,
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(10); f.Employees = fp(101) })
			},
			zh: []string{"科技人员占比 9.9%，需 ≥ 10%：还差 1人 科技人员"},
			en: []string{"Technical staff share 9.9%, needs ≥ 10%: 1 person more technical staff"}},
		{name: "industry", id: "tech-sme", version: "2017", asOf: "2026-06-30", base: techSME,
			edit: func(in *AssessmentInput) { in.Industry = "F52" },
			zh:   []string{"所属行业不在研发费用加计扣除负面清单：行业 F52，需不属于 C16、F、H、K、L、R90"},
			en:   []string{"Industry not on the negative list of the R&D super-deduction: industry F52, needs not in C16, F, H, K, L, R90"}},
		{name: "score total with the cheapest band steps", id: "tech-sme", version: "2017", asOf: "2026-06-30", base: techSME,
			edit: func(in *AssessmentInput) {
				setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(25); f.RDExpense = fp(1.6e6) })
				in.IP.Class1, in.IP.Class2 = ip(0), ip(2)
			},
			zh: []string{"评价总分 58分，需 ≥ 60分：还差 2分；可提升：科技人员占职工总数比例 ≥ 30%（+4分）、Ⅱ类知识产权 ≥ 3项（+6分）"},
			en: []string{"Total score 58 points, needs ≥ 60 points: 2 points short; could gain: Technical staff share of total staff ≥ 30% (+4 points), Class II IP ≥ 3 items (+6 points)"}},
		{name: "score item that must not be zero", id: "tech-sme", version: "2017", asOf: "2026-06-30", base: techSME,
			edit: func(in *AssessmentInput) { setYear(in, y, func(f *YearFigures) { f.TechStaff = fp(9) }) },
			zh:   []string{"科技人员得分为 0，需 > 0：科技人员占职工总数比例 ≥ 10%"},
			en:   []string{"Technical staff scores 0, needs > 0: Technical staff share of total staff ≥ 10%"}},
		{name: "alternatives", id: "specialized-sme", version: "2022", asOf: "2025-06-30", base: specialized2022,
			edit: func(in *AssessmentInput) {
				setYear(in, 2024, func(f *YearFigures) { f.Revenue, f.MainRevenue, f.RDExpense = fp(8e6), fp(7.6e6), fp(1e6) })
			},
			zh: []string{"营业收入或股权融资（满足其一即可）：上年度营业收入 ¥800万，需 ≥ ¥1000万：还差 ¥200万；或 近两年新增股权融资总额（营业收入不足1000万元时） ¥0元，需 ≥ ¥2000万：还差 ¥2000万"},
			en: []string{"Revenue or equity financing (any one suffices): Revenue last year ¥8M, needs ≥ ¥10M: ¥2M short; or New equity financing over the last two years (when revenue is below ¥10M) ¥0, needs ≥ ¥20M: ¥20M short"}},
		{name: "each year on its own, and a certificate", id: "specialized-sme", version: "2026", asOf: "2026-06-30", base: specialized2026,
			edit: func(in *AssessmentInput) {
				setYear(in, 2024, func(f *YearFigures) { f.RDExpense = fp(0.928e6) })
				in.Certificates = nil
			},
			zh: []string{"已被认定为科技和创新型中小企业（有效期内）：未持有有效的创新型中小企业或科技型中小企业",
				"近两年每年研发费用（2024年） ¥92.8万，需 ≥ ¥100万：还差 ¥7.2万",
				"近两年每年研发费用占营业收入比重（2024年） 2.9%，需 ≥ 3%：还差 ¥3.2万 研发投入"},
			en: []string{"Recognised as a tech and innovative SME (valid): no valid Innovative SME or Tech-based SME status",
				"R&D expense in each of the last two years (2024) ¥928K, needs ≥ ¥1M: ¥72K short",
				"R&D expense share of revenue in each of the last two years (2024) 2.9%, needs ≥ 3%: ¥32K more R&D investment"}},
		{name: "registration age in days", id: "high-tech", version: "2016", asOf: "2026-06-30", base: highTech,
			edit: func(in *AssessmentInput) { in.Founded = day("2025-07-01") },
			zh:   []string{"注册成立一年以上 364天，需 ≥ 365天：还需 1天（2026-07-01 起满足）"},
			en:   []string{"Registered for more than one year 364 days, needs ≥ 365 days: 1 day to go (met from 2026-07-01)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := firm(tt.asOf)
			tt.base(&in)
			tt.edit(&in)
			r := Assess(ruleSet(t, tt.id, tt.version), in)
			zh, en := GapTextsIn(r.Gaps, "zh-CN"), GapTextsIn(r.Gaps, "en")
			if tt.id == "high-tech" && len(zh) > len(tt.zh) {
				// The high-tech base firm also misses the score; keep the
				// gap under test.
				zh, en = zh[:len(tt.zh)], en[:len(tt.en)]
			}
			if got, want := strings.Join(zh, "\n"), strings.Join(tt.zh, "\n"); got != want {
				t.Errorf("Chinese gaps =\n%s\nwant\n%s", got, want)
			}
			if got, want := strings.Join(GapTexts(r.Gaps), "\n"), strings.Join(tt.zh, "\n"); tt.id != "high-tech" && got != want {
				t.Errorf("GapTexts =\n%s\nwant\n%s", got, want)
			}
			if got, want := strings.Join(en, "\n"), strings.Join(tt.en, "\n"); got != want {
				t.Errorf("English gaps =\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// Every text an English page shows of a result — condition names and
// requirements, actual values, item names, gaps, missing fields, items to
// confirm — is free of Chinese for every shipped rule set.
func TestResultEnglishHasNoChinese(t *testing.T) {
	t.Parallel()
	rb := shippedBook(t)
	for _, rs := range rb.List() {
		for _, edit := range []func(*AssessmentInput){
			func(*AssessmentInput) {},
			func(in *AssessmentInput) { *in = AssessmentInput{AsOf: in.AsOf} }, // everything missing
			func(in *AssessmentInput) { // everything failing
				in.Industry = "K7010"
				for y := 2020; y <= 2026; y++ {
					setYear(in, y, func(f *YearFigures) { f.RDExpense = fp(0); f.TechStaff = fp(0); f.Revenue = fp(1) })
				}
				in.Choices = map[string]string{"rd_institution": "none", "hightech_domain": "无", "advancement": "无"}
				in.Attestations = map[string]bool{}
				for _, k := range AttestationKeys {
					in.Attestations[k.Key] = false
				}
			},
		} {
			in := firm("2026-06-30")
			edit(&in)
			r := Assess(rs, in)
			var texts []string
			for _, c := range r.Conditions {
				texts = append(texts, c.NameIn("en"), c.RequiredIn("en"), c.Actual.In("en"))
			}
			for _, it := range r.Items {
				texts = append(texts, it.NameIn("en"), it.PartIn("en"))
			}
			texts = append(texts, GapTextsIn(r.Gaps, "en")...)
			for _, m := range r.Missing {
				texts = append(texts, FieldLabelIn("en", m))
			}
			for _, c := range r.ToConfirm {
				texts = append(texts, ConfirmText("en", c))
			}
			for _, s := range texts {
				if HasHan(s) {
					t.Errorf("%s@%s: English text %q holds Chinese", rs.ID, rs.Version, s)
				}
			}
		}
		texts := append([]string{rs.NameIn("en")}, rs.NotesIn("en")...)
		texts = append(texts, rs.UnconfirmedIn("en")...)
		texts = append(texts, rs.SecondaryIn("en")...)
		for _, d := range rs.Documents {
			texts = append(texts, d.TitleIn("en"), d.NumberIn("en"))
		}
		for _, s := range texts {
			if HasHan(s) || s == "" {
				t.Errorf("%s@%s: rule-set text %q is empty or holds Chinese", rs.ID, rs.Version, s)
			}
		}
		if len(rs.UnconfirmedEN) != len(rs.Unconfirmed) || len(rs.SecondaryEN) != len(rs.Secondary) || len(rs.NotesEN) != len(rs.Notes) {
			t.Errorf("%s@%s: English lists differ in length from the Chinese", rs.ID, rs.Version)
		}
	}
}

func TestLoadRuleSetsRequiresEnglish(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(string) string
		want string
	}{
		{"rule-set name", func(s string) string { return strings.Replace(s, `"name_en": "Demo",`, ``, 1) }, "name_en: required"},
		{"condition name", func(s string) string {
			return strings.Replace(s, `"id": "rd_small", "name": "研发费用占比", "name_en": "R&D share",`, `"id": "rd_small", "name": "研发费用占比",`, 1)
		}, "then(rd_small).name_en"},
		{"condition name left in Chinese", func(s string) string {
			return strings.Replace(s, `"id": "rd_small", "name": "研发费用占比", "name_en": "R&D share",`, `"id": "rd_small", "name": "研发费用占比", "name_en": "研发费用占比",`, 1)
		}, "is not English"},
		{"metric label", func(s string) string { return strings.Replace(s, `, "label_en": "Revenue"`, ``, 1) }, "metrics.revenue: label_en: required"},
		{"metric noun", func(s string) string { return strings.Replace(s, `, "noun_en": "R&D investment"`, ``, 1) }, "noun_en: required"},
		{"switch case label", func(s string) string { return strings.Replace(s, `, "label_en": "revenue > ¥50M"`, ``, 1) }, "cases[1].label_en"},
		{"document title", func(s string) string { return strings.Replace(s, `, "title_en": "Demo measures"`, ``, 1) }, "title_en required"},
		{"a note without its English", func(s string) string {
			return strings.Replace(s, `"confidence": "C",`, `"confidence": "C", "notes": ["说明"],`, 1)
		}, "notes_en"},
		{"an unconfirmed figure's source", func(s string) string {
			return strings.Replace(s, `"metric": "rd_ratio", "op": ">=", "value": "3%"`, `"metric": "rd_ratio", "op": ">=", "value": "3%", "confidence": "U", "source": "某文件"`, 1)
		}, "then(rd_large).source_en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := tt.edit(minimalRule)
			if body == minimalRule {
				t.Fatal("edit changed nothing")
			}
			_, err := LoadRuleSets(fstest.MapFS{"rules/demo-2020.json": {Data: []byte(body)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadRuleSets() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := LoadRuleSets(fstest.MapFS{"rules/demo-2020.json": {Data: []byte(minimalRule)}}); err != nil {
		t.Errorf("LoadRuleSets(minimal) = %v", err)
	}
}

func TestFieldLabelIn(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"years.2025.rd_expense":        "2025 R&D expense",
		"figures.niche_years":          "Years in a specific market niche",
		"choices.rd_institution":       "Level of the R&D institution",
		"attestations.market_position": "The main product's niche market share is near the top and it is fairly well known",
		"ip.class1":                    "Class I IP count",
		"honors[0].rank":               "Rank in honour 1",
		"founded":                      "Date of registration",
		"no.such":                      "no.such",
	} {
		if got := FieldLabelIn("en", path); got != want {
			t.Errorf("FieldLabelIn(en, %q) = %q, want %q", path, got, want)
		}
		if got, zh := FieldLabelIn("zh-CN", path), FieldLabel(path); got != zh {
			t.Errorf("FieldLabelIn(zh-CN, %q) = %q, want FieldLabel's %q", path, got, zh)
		}
	}
	for _, keys := range [][]KeyInfo{FigureKeys, ChoiceKeys, AttestationKeys} {
		for _, k := range keys {
			if k.LabelEN == "" || HasHan(k.LabelEN) {
				t.Errorf("key %s: LabelEN %q", k.Key, k.LabelEN)
			}
		}
	}
	for v := range valueLabels {
		if l := valueLabelIn(v, true); HasHan(l) {
			t.Errorf("value %s: English %q", v, l)
		}
	}
	if got := ConfirmText("en", "主导产品细分市场占有率较为靠前，具有一定知名度（需人工判断）"); got != "The main product's niche market share is near the top and it is fairly well known (needs a person's judgement)" {
		t.Errorf("ConfirmText(en, …) = %q", got)
	}
}

// A compiler that does not require English (other rule data written in the
// rule language, before their files are translated) falls back to the
// Chinese instead of refusing the text or leaving it empty.
func TestCompilerEnglishFallsBackWithoutRequirement(t *testing.T) {
	t.Parallel()
	m, err := compileMetric("rev", fileMetric{Op: "value", Field: "revenue", Label: "营业收入"})
	if err != nil {
		t.Fatal(err)
	}
	c := &compiler{rs: &RuleSet{}, metrics: map[string]*metric{"rev": m}, conf: "C", ids: map[string]bool{}}
	q := Quantity(1e7)
	n, err := c.node("conditions[0]", &fileNode{ID: "r", Name: "营业收入", Metric: "rev", Op: ">=", Value: &q}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if n.nameEN != "营业收入" || n.info.NameIn("en") != "营业收入" || n.requiredEN != "≥ ¥10M" {
		t.Errorf("fallback: nameEN %q, NameIn(en) %q, requiredEN %q", n.nameEN, n.info.NameIn("en"), n.requiredEN)
	}
	c.requireEN = true
	c.ids = map[string]bool{}
	if _, err := c.node("conditions[0]", &fileNode{ID: "r", Name: "营业收入", Metric: "rev", Op: ">=", Value: &q}, "", ""); err == nil {
		t.Errorf("requireEN: a condition without name_en compiled")
	}
}
