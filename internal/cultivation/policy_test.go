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
	base := `{"id":"x","name":"n","issuer":"i","region":"320500","documents":[{"number":"1","title":"t"}],
		"effective_from":"2026-01-01","confidence":"U","metrics":{"rd":{"op":"value","field":"rd_expense","label":"研发"},
		"staff":{"op":"value","field":"employees","label":"职工"}},
		"conditions":[{"id":"c","name":"c","metric":"rd","op":">","value":0}],`
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
