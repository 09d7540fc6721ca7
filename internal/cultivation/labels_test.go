package cultivation

import "testing"

func TestFieldLabel(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"years.2025.rd_expense":    "2025年 研发费用",
		"figures.niche_years":      "从事特定细分市场年限",
		"ip.class1_applied":        "已应用并产生效益的Ⅰ类知识产权数",
		"founded":                  "成立日期",
		"years.2025.no_such_field": "years.2025.no_such_field",
	}
	for in, want := range tests {
		if got := FieldLabel(in); got != want {
			t.Errorf("FieldLabel(%q) = %q, want %q", in, got, want)
		}
	}
	// Every key a rule set can name has a label.
	for _, keys := range [][]KeyInfo{FigureKeys, ChoiceKeys, AttestationKeys} {
		for _, k := range keys {
			if k.Label == "" {
				t.Errorf("key %s has no label", k.Key)
			}
		}
	}
}
