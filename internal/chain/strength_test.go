package chain_test

import (
	"testing"

	"kechuang/data"
	"kechuang/internal/chain"
)

// TestClassify: the shipped rules, as a table of link figures and the
// verdict and decisive facts they give.
func TestClassify(t *testing.T) {
	rules, err := chain.LoadRules(data.FS, "chains/strength.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		f     chain.Figures
		want  string
		facts []string // the facts listed, in order
	}{
		{"no firm", chain.Figures{Achievements: 3, Institutions: 2}, chain.Missing, []string{"firms"}},
		{"two firms", chain.Figures{Firms: 2, AboveScale: 2, AboveScaleOrHighTech: 2}, chain.Weak, []string{"firms"}},
		{"none above scale or high-tech", chain.Figures{Firms: 5}, chain.Weak, []string{"above_scale_or_high_tech"}},
		{"demands outnumber supply", chain.Figures{Firms: 4, HighTech: 1, AboveScaleOrHighTech: 1, Demands: 3, Achievements: 1},
			chain.Weak, []string{"demands"}},
		{"few and small", chain.Figures{Firms: 1, Demands: 2}, chain.Weak, []string{"firms", "above_scale_or_high_tech", "demands"}},
		{"strong", chain.Figures{Firms: 3, HighTech: 1, AboveScaleOrHighTech: 1, Demands: 1, Achievements: 1}, chain.Strong,
			[]string{"firms", "firms", "above_scale_or_high_tech", "demands"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := rules.Classify(tt.f)
			if v.Strength != tt.want {
				t.Fatalf("Classify(%+v) = %s, want %s (%+v)", tt.f, v.Strength, tt.want, v.Facts)
			}
			var got []string
			for _, f := range v.Facts {
				got = append(got, f.Fact)
				if f.Held != (v.Strength != rules.Otherwise) {
					t.Errorf("fact %s held = %v for verdict %s", f.Fact, f.Held, v.Strength)
				}
			}
			if len(got) != len(tt.facts) {
				t.Fatalf("facts = %v, want %v", got, tt.facts)
			}
			for i := range got {
				if got[i] != tt.facts[i] {
					t.Fatalf("facts = %v, want %v", got, tt.facts)
				}
			}
		})
	}
}

func TestParseRulesRefusesBrokenRules(t *testing.T) {
	for _, raw := range []string{
		`{"version": "2026.1", "above_scale_revenue": 1, "rules": [], "otherwise": "fine"}`,
		`{"version": "2026.1", "above_scale_revenue": 1, "rules": [{"verdict": "weak", "match": "most", "conditions": [{"fact": "firms", "op": "lt", "value": 1}]}], "otherwise": "strong"}`,
		`{"version": "2026.1", "above_scale_revenue": 1, "rules": [{"verdict": "weak", "match": "any", "conditions": [{"fact": "shops", "op": "lt", "value": 1}]}], "otherwise": "strong"}`,
		`{"version": "2026.1", "above_scale_revenue": 1, "rules": [{"verdict": "weak", "match": "any", "conditions": [{"fact": "firms", "op": "<", "value": 1}]}], "otherwise": "strong"}`,
		`{"version": "2026.1", "above_scale_revenue": 0, "rules": [], "otherwise": "strong"}`,
	} {
		if _, err := chain.ParseRules([]byte(raw)); err == nil {
			t.Errorf("ParseRules(%s) = nil, want an error", raw)
		}
	}
}
