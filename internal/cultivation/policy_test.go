package cultivation

import (
	"strings"
	"testing"

	"kechuang/data"
)

func shippedPolicies(t testing.TB) *PolicyBook {
	t.Helper()
	pb, err := LoadPolicies(data.FS)
	if err != nil {
		t.Fatalf("LoadPolicies(data.FS) = %v", err)
	}
	return pb
}

func shippedPolicy(t testing.TB, id string) *Policy {
	t.Helper()
	p := shippedPolicies(t).Get(id)
	if p == nil {
		t.Fatalf("no shipped policy %q", id)
	}
	return p
}

func TestLoadPoliciesShipsThreeSourcedPolicies(t *testing.T) {
	t.Parallel()
	pb := shippedPolicies(t)
	if got := len(pb.List()); got != 3 {
		t.Fatalf("policies = %d, want 3", got)
	}
	for _, p := range pb.List() {
		if len(p.Documents) == 0 || p.Documents[0].Number == "" {
			t.Errorf("%s: no document number", p.ID)
		}
		// Every shipped policy says which of its figures are unconfirmed.
		if _, ok := p.Unconfirmed["amount"]; !ok {
			t.Errorf("%s: amount not marked unconfirmed, though no shipped amount was read in the original text", p.ID)
		}
		if p.AmountText() == "" || len(p.Conditions()) == 0 {
			t.Errorf("%s: amount text %q, %d conditions", p.ID, p.AmountText(), len(p.Conditions()))
		}
	}
}

// rdFirm is a 苏州 firm assessed on 2026-06-01 (data year 2025) with the
// R&D expense of 2024 and 2025 given, in 元; nil leaves the year out.
func rdFirm(prev, cur *float64) AssessmentInput {
	in := AssessmentInput{AsOf: day("2026-06-01"), Founded: day("2015-03-01"), Industry: "C39", Years: map[int]YearFigures{}}
	if prev != nil {
		in.Years[2024] = YearFigures{RDExpense: prev, Revenue: fp(50e6)}
	}
	if cur != nil {
		in.Years[2025] = YearFigures{RDExpense: cur, Revenue: fp(60e6)}
	}
	return in
}

func TestPolicyRDIncreaseAmounts(t *testing.T) {
	t.Parallel()
	p := shippedPolicy(t, "jiangsu-rd-increase")
	// amount = (R&D 2025 − R&D 2024) × 10%, at most 100万, floored to whole 元.
	tests := []struct {
		name      string
		prev, cur *float64
		attest    *bool
		status    MatchStatus
		amount    *float64
		capped    bool
		missing   []string
	}{
		{name: "increase of 50万 gives 5万", prev: fp(1e6), cur: fp(1.5e6), status: MatchEligible, amount: fp(50000)},
		{name: "increase of 1元 gives 0.1 元, floored to 0", prev: fp(1e6), cur: fp(1e6 + 1), status: MatchEligible, amount: fp(0)},
		{name: "increase of 15元 gives 1元", prev: fp(1e6), cur: fp(1e6 + 15), status: MatchEligible, amount: fp(1)},
		{name: "just under the cap", prev: fp(10e6), cur: fp(19999900), status: MatchEligible, amount: fp(999990)},
		{name: "exactly the cap", prev: fp(10e6), cur: fp(20e6), status: MatchEligible, amount: fp(1e6), capped: true},
		{name: "over the cap", prev: fp(10e6), cur: fp(21e6), status: MatchEligible, amount: fp(1e6), capped: true},
		{name: "no growth is no reward", prev: fp(1e6), cur: fp(1e6), status: MatchIneligible},
		{name: "a fall is no reward", prev: fp(1e6), cur: fp(0.9e6), status: MatchIneligible},
		{name: "this year's R&D missing", prev: fp(1e6), status: MatchPossible, missing: []string{"years.2025.rd_expense"}},
		{name: "last year's R&D missing", cur: fp(1e6), status: MatchPossible, missing: []string{"years.2024.rd_expense"}},
		{name: "not 查账征收", prev: fp(1e6), cur: fp(2e6), attest: new(bool), status: MatchIneligible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := rdFirm(tt.prev, tt.cur)
			if tt.attest != nil {
				in.Attestations = map[string]bool{"tax_on_actual_profit": *tt.attest}
			}
			m := p.Evaluate(in)
			if m.Status != tt.status {
				t.Fatalf("status = %s, want %s (gaps %q, missing %q)", m.Status, tt.status, m.Gaps, m.Missing)
			}
			if (m.Amount == nil) != (tt.amount == nil) || (m.Amount != nil && *m.Amount != *tt.amount) {
				t.Errorf("amount = %v, want %v", deref(m.Amount), deref(tt.amount))
			}
			if m.Capped != tt.capped {
				t.Errorf("capped = %v, want %v", m.Capped, tt.capped)
			}
			if tt.missing != nil && strings.Join(m.Missing, ",") != strings.Join(tt.missing, ",") {
				t.Errorf("missing = %q, want %q", m.Missing, tt.missing)
			}
		})
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestPolicyHighTechTiers(t *testing.T) {
	t.Parallel()
	p := shippedPolicy(t, "suzhou-high-tech-first")
	// Tiers by 2025 revenue: ≥ 5亿 → 100万; ≥ 1亿 → 50万; else 30万. The
	// certificate must be issued within a year of as_of (2026-06-01).
	tests := []struct {
		name    string
		issued  string
		revenue *float64
		first   *bool
		status  MatchStatus
		amount  *float64
		missing []string
	}{
		{name: "6亿 revenue", issued: "2025-12-01", revenue: fp(6e8), status: MatchEligible, amount: fp(1e6)},
		{name: "exactly 5亿", issued: "2025-12-01", revenue: fp(5e8), status: MatchEligible, amount: fp(1e6)},
		{name: "just under 5亿", issued: "2025-12-01", revenue: fp(5e8 - 1), status: MatchEligible, amount: fp(5e5)},
		{name: "exactly 1亿", issued: "2025-12-01", revenue: fp(1e8), status: MatchEligible, amount: fp(5e5)},
		{name: "just under 1亿", issued: "2025-12-01", revenue: fp(1e8 - 1), status: MatchEligible, amount: fp(3e5)},
		{name: "revenue missing: may meet, revenue named", issued: "2025-12-01", status: MatchPossible,
			missing: []string{"years.2025.revenue"}},
		{name: "issued a year and a day before", issued: "2025-05-31", revenue: fp(6e8), status: MatchIneligible},
		{name: "issued exactly a year before (last valid day is as_of − 1)", issued: "2025-06-01", revenue: fp(6e8), status: MatchIneligible},
		{name: "issued the day after a year before", issued: "2025-06-02", revenue: fp(6e8), status: MatchEligible, amount: fp(1e6)},
		{name: "re-certified, not first", issued: "2025-12-01", revenue: fp(6e8), first: new(bool), status: MatchIneligible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := AssessmentInput{AsOf: day("2026-06-01"), Years: map[int]YearFigures{2025: {Revenue: tt.revenue}},
				Certificates: []Certificate{{Type: "high-tech", Issued: day(tt.issued)}}}
			if tt.first != nil {
				in.Attestations = map[string]bool{"first_high_tech": *tt.first}
			}
			m := p.Evaluate(in)
			if m.Status != tt.status {
				t.Fatalf("status = %s, want %s (gaps %q, missing %q)", m.Status, tt.status, m.Gaps, m.Missing)
			}
			if (m.Amount == nil) != (tt.amount == nil) || (m.Amount != nil && *m.Amount != *tt.amount) {
				t.Errorf("amount = %v, want %v", deref(m.Amount), deref(tt.amount))
			}
			if tt.missing != nil && strings.Join(m.Missing, ",") != strings.Join(tt.missing, ",") {
				t.Errorf("missing = %q, want %q", m.Missing, tt.missing)
			}
		})
	}
}

func TestPolicyLittleGiantFixed(t *testing.T) {
	t.Parallel()
	p := shippedPolicy(t, "suzhou-little-giant")
	if !p.NoApplication {
		t.Error("小巨人 reward is shipped as 免申即享")
	}
	with := AssessmentInput{AsOf: day("2026-06-01"), Certificates: []Certificate{{Type: "little-giant", Issued: day("2025-09-01")}}}
	if m := p.Evaluate(with); m.Status != MatchEligible || m.Amount == nil || *m.Amount != 1e6 {
		t.Errorf("with a new title: %s %v, want eligible 1000000", m.Status, deref(m.Amount))
	}
	without := AssessmentInput{AsOf: day("2026-06-01"), Certificates: []Certificate{{Type: "specialized-sme", Issued: day("2025-09-01")}}}
	if m := p.Evaluate(without); m.Status != MatchIneligible || m.Amount != nil {
		t.Errorf("without the title: %s %v, want ineligible, no amount", m.Status, deref(m.Amount))
	}
}

func TestPolicyInForceAndCovers(t *testing.T) {
	t.Parallel()
	p := shippedPolicy(t, "suzhou-high-tech-first")
	for _, tt := range []struct {
		date string
		want bool
	}{{"2025-12-31", false}, {"2026-01-01", true}, {"2028-12-31", true}, {"2029-01-01", false}} {
		if got := p.InForce(day(tt.date).Time); got != tt.want {
			t.Errorf("InForce(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
	for code, want := range map[string]bool{"320583": true, "320505": true, "320100": false, "330106": false, "": false} {
		if got := p.Covers(code); got != want {
			t.Errorf("Covers(%q) = %v, want %v", code, got, want)
		}
	}
	if js := shippedPolicy(t, "jiangsu-rd-increase"); !js.Covers("320106") || js.Covers("330106") {
		t.Error("the 江苏 policy covers 南京 and not 杭州")
	}
}

func TestCompilePolicyRejectsBrokenFiles(t *testing.T) {
	t.Parallel()
	base := `{"id":"x","name":"n","name_en":"n","issuer":"i","issuer_en":"i","region":"320500","documents":[{"number":"1","title":"t","title_en":"t"}],
		"effective_from":"2026-01-01","confidence":"U","metrics":{"rd":{"op":"value","field":"rd_expense","label":"研发","label_en":"R&D"},
		"staff":{"op":"value","field":"employees","label":"职工","label_en":"Staff"}},
		"conditions":[{"id":"c","name":"c","name_en":"c","metric":"rd","op":">","value":0,"source":"某文件","source_en":"s"}],`
	tests := []struct {
		name, amount, extra, want string
	}{
		{"no amount", ``, ``, "amount: required"},
		{"two kinds", `"amount":{"fixed":"1万","rate":"5%","metric":"rd"}`, ``, "exactly one of fixed, rate, tiers"},
		{"rate over 100%", `"amount":{"rate":"150%","metric":"rd"}`, ``, "amount.rate"},
		{"rate of a headcount", `"amount":{"rate":"5%","metric":"staff"}`, ``, "not an amount in 元"},
		{"unknown metric", `"amount":{"rate":"5%","metric":"nope"}`, ``, "unknown metric"},
		{"catch-all not last", `"amount":{"tiers":{"metric":"rd","bands":[{"amount":{"fixed":"1万"}},{"min":"1万","amount":{"fixed":"2万"}}]}}`, ``, "catch-all"},
		{"unknown unconfirmed field", `"amount":{"fixed":"1万"}`, `,"unconfirmed":{"colour":"?"}`, "unconfirmed.colour"},
		{"bad region", `"amount":{"fixed":"1万"}`, `,"region":"32"`, "region"},
		// A policy file carries its English, as a rule file does.
		{"no English name", `"amount":{"fixed":"1万"}`, `,"name_en":""`, "name_en"},
		{"Chinese as the English issuer", `"amount":{"fixed":"1万"}`, `,"issuer_en":"苏州市人民政府"`, "issuer_en"},
		{"summary without English", `"amount":{"fixed":"1万"}`, `,"summary":"奖励"`, "summary_en"},
		{"notes not all translated", `"amount":{"fixed":"1万"}`, `,"notes":["一","二"],"notes_en":["one"]`, "notes_en"},
		{"unconfirmed without English", `"amount":{"fixed":"1万"}`, `,"unconfirmed":{"issuer":"未见原文"}`, "unconfirmed_en.issuer"},
		{"English for no unconfirmed field", `"amount":{"fixed":"1万"}`, `,"unconfirmed_en":{"issuer":"not seen"}`, "unconfirmed_en.issuer"},
		{"amount source in Chinese only", `"amount":{"fixed":"1万","source":"转载标题"}`, ``, "amount.source_en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := base + tt.amount
			body = strings.TrimSuffix(body, ",")
			if tt.extra != "" {
				body = strings.Replace(body, `"region":"320500",`, "", 1) + tt.extra
				if !strings.Contains(tt.extra, "region") {
					body += `,"region":"320500"`
				}
			}
			_, err := compilePolicy("policies/x.json", []byte(body+"}"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("compilePolicy = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	ok := base + `"amount":{"fixed":"1万"}}`
	for _, tt := range []struct{ drop, want string }{
		{`,"title_en":"t"`, "title_en"},
		{`"label_en":"R&D"`, "metrics.rd: label_en"},
		{`"name_en":"c",`, "name_en"},
		{`,"source_en":"s"`, "source_en"},
	} {
		body := strings.Replace(ok, tt.drop, "", 1)
		if body == ok {
			t.Fatalf("%q is not in the test file", tt.drop)
		}
		if _, err := compilePolicy("policies/x.json", []byte(strings.Replace(body, `"label":"研发",}`, `"label":"研发"}`, 1))); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("without %s: compilePolicy = %v, want an error containing %q", tt.drop, err, tt.want)
		}
	}
	if _, err := compilePolicy("policies/x.json", []byte(ok)); err != nil {
		t.Errorf("compilePolicy(valid) = %v", err)
	}
	if _, err := compilePolicy("policies/y.json", []byte(ok)); err == nil {
		t.Error("compilePolicy accepted a file named after another id")
	}
}

func TestPolicyAmountTextAndRule(t *testing.T) {
	t.Parallel()
	p := shippedPolicy(t, "jiangsu-rd-increase")
	if got, want := p.AmountText(), "（上年度研发费用 − 前一年度研发费用） × 10%，最高 ¥100万"; got != want {
		t.Errorf("AmountText = %q, want %q", got, want)
	}
	r := p.Rule()
	if r.Kind != "rate" || r.Rate != 0.1 || r.Cap != 1e6 {
		t.Errorf("Rule = %+v", r)
	}
}

// The policy texts in English: every shipped policy carries them, the
// unconfirmed figures are listed entry for entry, and a firm's gaps read
// in English while the Chinese stay as they were.
func TestPolicyEnglish(t *testing.T) {
	t.Parallel()
	for _, p := range shippedPolicies(t).List() {
		texts := []string{p.NameIn("en"), p.IssuerIn("en"), p.SummaryIn("en")}
		texts = append(texts, p.NotesIn("en")...)
		texts = append(texts, p.UnconfirmedConditionsIn("en")...)
		for _, v := range p.UnconfirmedIn("en") {
			texts = append(texts, v)
		}
		for _, d := range p.Documents {
			texts = append(texts, d.TitleIn("en"), d.NumberIn("en"))
		}
		for _, c := range p.Conditions() {
			texts = append(texts, c.NameIn("en"), c.RequiredIn("en"))
		}
		for _, s := range texts {
			if s == "" || HasHan(s) {
				t.Errorf("%s: English text %q empty or Chinese", p.ID, s)
			}
		}
		if len(p.UnconfirmedIn("en")) != len(p.Unconfirmed) || len(p.UnconfirmedConditionsIn("en")) != len(p.UnconfirmedConditions) {
			t.Errorf("%s: unconfirmed lists differ in length between the languages", p.ID)
		}
		if p.NameIn("zh-CN") != p.Name || p.Name == p.NameEN {
			t.Errorf("%s: NameIn(zh-CN) = %q, Name %q, NameEN %q", p.ID, p.NameIn("zh-CN"), p.Name, p.NameEN)
		}
	}
	js := shippedPolicy(t, "jiangsu-rd-increase")
	r := js.Rule()
	if r.MetricIn("en") != "R&D expenses last year" || r.LessIn("en") != "R&D expenses the year before" || r.MetricIn("zh-CN") != "上年度研发费用" {
		t.Errorf("Rule metrics in English = %q, %q", r.MetricIn("en"), r.LessIn("en"))
	}
	if got, want := strings.Join(js.UnconfirmedConditionsIn("en"), " | "), "Amount: (R&D expenses last year − R&D expenses the year before) × 10%, at most ¥1M (苏政发〔2016〕107号)"; !strings.Contains(got, want) {
		t.Errorf("unconfirmed figures in English = %q, want one %q", got, want)
	}
	ht := shippedPolicy(t, "suzhou-high-tech-first")
	if got, want := strings.Join(ht.UnconfirmedConditionsIn("en"), " | "), "Amount tiers: Revenue last year ≥ ¥500M: ¥1M; Revenue last year ≥ ¥100M: ¥500K; otherwise: ¥300K"; !strings.Contains(got, want) {
		t.Errorf("unconfirmed tiers in English = %q, want one %q", got, want)
	}
	if got := ht.Rule().Tiers[0].MetricIn("en"); got != "Revenue last year" {
		t.Errorf("tier metric in English = %q", got)
	}
	// A firm whose R&D expenses fell: one gap, in each language.
	in := AssessmentInput{AsOf: day("2026-06-01"), DataYear: 2025, Years: map[int]YearFigures{}, Attestations: map[string]bool{"tax_on_actual_profit": true}}
	setYear(&in, 2025, func(f *YearFigures) { f.RDExpense = fp(1e6) })
	setYear(&in, 2024, func(f *YearFigures) { f.RDExpense = fp(2e6) })
	m := js.Evaluate(in)
	if m.Status != MatchIneligible || len(m.Gaps) != 1 {
		t.Fatalf("falling R&D: %s, gaps %q", m.Status, m.Gaps)
	}
	if en := m.GapsIn("en"); len(en) != 1 || HasHan(en[0]) || en[0] != "R&D expenses last year grew over the year before -50%, needs > 0%: 50 percentage points short" {
		t.Errorf("GapsIn(en) = %q", en)
	}
	if zh := m.GapsIn("zh-CN"); zh[0] != m.Gaps[0] || !strings.Contains(zh[0], "需 > 0%") {
		t.Errorf("GapsIn(zh-CN) = %q, Gaps %q", zh, m.Gaps)
	}
}
