package cultivation

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// minimalRule is a valid rule file; the broken-file cases edit it.
const minimalRule = `{
  "id": "demo", "name_en": "Demo",
  "version": "2020",
  "name": "演示",
  "documents": [{"number": "演示〔2020〕1号", "title": "演示办法", "title_en": "Demo measures"}],
  "effective_from": "2020-01-01",
  "confidence": "C",
  "metrics": {
    "revenue": {"op": "value", "field": "revenue", "label": "营业收入", "label_en": "Revenue"},
    "rd_ratio": {"op": "ratio", "field": "rd_expense", "den": "revenue", "label": "研发费用占比", "noun": "研发投入", "label_en": "R&D share", "noun_en": "R&D investment"}
  },
  "conditions": [
    {"id": "rd", "name_en": "R&D share", "name": "研发费用占比", "switch": {"metric": "revenue", "cases": [
      {"max": "5000万", "label": "收入 ≤ 5000万元", "label_en": "revenue ≤ ¥50M", "then": {"id": "rd_small", "name": "研发费用占比", "name_en": "R&D share", "metric": "rd_ratio", "op": ">=", "value": "5%"}},
      {"label": "收入 > 5000万元", "label_en": "revenue > ¥50M", "then": {"id": "rd_large", "name": "研发费用占比", "name_en": "R&D share", "metric": "rd_ratio", "op": ">=", "value": "3%"}}
    ]}}
  ]
}`

func TestLoadRuleSetsShipped(t *testing.T) {
	t.Parallel()
	var got []string
	for _, rs := range shippedBook(t).List() {
		got = append(got, rs.ID+"@"+rs.Version)
	}
	want := []string{
		"above-scale@2021", "high-tech@2016", "innovative-sme@2022", "innovative-sme@2026", "little-giant@2022",
		"little-giant@2026", "specialized-sme@2022", "specialized-sme@2026", "tech-sme@2017",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
}

// TestUnconfirmedFlagged guards the rule-set page's promise: every figure
// criteria.md marks [U] is listed as unconfirmed.
func TestUnconfirmedFlagged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id, version string
		want        []string // substrings that must appear in Unconfirmed
	}{
		{"specialized-sme", "2022", []string{"研发费用 ≥ ¥400万 或 研发费用占营业收入比例 ≥ 8% → 8分", "研发人员占职工总数比例 ≥ 20% → 5分", "建立研发机构级别"}},
		{"little-giant", "2026", []string{"近两年营业收入复合增长率 ≥ 5%"}},
		{"above-scale", "2021", []string{"有开发经营活动"}},
		{"innovative-sme", "2022", []string{"知识产权示范企业"}},
	}
	for _, tt := range tests {
		t.Run(tt.id+"@"+tt.version, func(t *testing.T) {
			t.Parallel()
			got := strings.Join(ruleSet(t, tt.id, tt.version).Unconfirmed, "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Unconfirmed = %q, want an entry containing %q", got, w)
				}
			}
		})
	}
	if s := ruleSet(t, "specialized-sme", "2026").Secondary; len(s) == 0 {
		t.Errorf("specialized-sme@2026 Secondary is empty, want its [S] conditions listed")
	}
}

func TestSelectVersionByDate(t *testing.T) {
	t.Parallel()
	rb := shippedBook(t)
	tests := []struct {
		name, id, version, asOf string
		want                    string // version, or "" for ErrNoRuleSet
	}{
		{name: "innovative 2022 on its last day", id: "innovative-sme", asOf: "2026-03-31", want: "2022"},
		{name: "innovative 2026 from its first day", id: "innovative-sme", asOf: "2026-04-01", want: "2026"},
		// 小巨人 2022 stays in force for reviews: both overlap after 2026-04-01.
		{name: "little giant before 2026 rules", id: "little-giant", asOf: "2026-03-31", want: "2022"},
		{name: "overlap picks the newer by date", id: "little-giant", asOf: "2026-06-30", want: "2026"},
		{name: "overlap: named older version for a review", id: "little-giant", version: "2022", asOf: "2026-06-30", want: "2022"},
		{name: "before any version", id: "little-giant", asOf: "2022-07-31", want: ""},
		{name: "tech-sme before 2017", id: "tech-sme", asOf: "2017-05-02", want: ""},
		{name: "unknown version", id: "high-tech", version: "2008", asOf: "2026-06-30", want: ""},
		{name: "unknown id", id: "nope", asOf: "2026-06-30", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rs, err := rb.Select(tt.id, tt.version, day(tt.asOf).Time)
			if tt.want == "" {
				if !errors.Is(err, ErrNoRuleSet) {
					t.Errorf("Select(%q, %q, %s) = %v, %v; want ErrNoRuleSet", tt.id, tt.version, tt.asOf, rs, err)
				}
				return
			}
			if err != nil || rs.Version != tt.want {
				t.Errorf("Select(%q, %q, %s) = %v, %v; want version %s", tt.id, tt.version, tt.asOf, rs, err, tt.want)
			}
		})
	}
}

func TestSelectOverlappingSynthetic(t *testing.T) {
	t.Parallel()
	v2 := strings.Replace(strings.Replace(minimalRule, `"version": "2020"`, `"version": "2024"`, 1), `"2020-01-01"`, `"2024-07-01"`, 1)
	v1 := strings.Replace(minimalRule, `"effective_from": "2020-01-01",`, `"effective_from": "2020-01-01", "expires": "2024-12-31",`, 1)
	rb, err := LoadRuleSets(fstest.MapFS{
		"rules/demo-2020.json": {Data: []byte(v1)},
		"rules/demo-2024.json": {Data: []byte(v2)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for asOf, want := range map[string]string{"2024-06-30": "2020", "2024-07-01": "2024", "2024-12-31": "2024", "2025-01-01": "2024"} {
		rs, err := rb.Select("demo", "", day(asOf).Time)
		if err != nil || rs.Version != want {
			t.Errorf("Select(demo, %s) = %v, %v; want %s", asOf, rs, err, want)
		}
	}
}

func TestLoadRuleSetsRejectsBrokenFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		edit func(string) string
		want []string // substrings of the error
	}{
		{name: "JSON syntax error names the line", edit: func(s string) string { return strings.Replace(s, `"name": "演示",`, `"name": "演示"`, 1) },
			want: []string{"rules/demo-2020.json", "line 5"}},
		{name: "unknown field", edit: func(s string) string { return strings.Replace(s, `"confidence": "C"`, `"confidense": "C"`, 1) },
			want: []string{"rules/demo-2020.json", `unknown field "confidense"`}},
		{name: "unknown metric", edit: func(s string) string {
			return strings.Replace(s, `"metric": "rd_ratio", "op": ">=", "value": "3%"`, `"metric": "rd", "op": ">=", "value": "3%"`, 1)
		},
			want: []string{"rules/demo-2020.json", "conditions[0](rd).switch.cases[1].then(rd_large).metric", `unknown metric "rd"`}},
		{name: "bad operator", edit: func(s string) string {
			return strings.Replace(s, `"op": ">=", "value": "5%"`, `"op": "=>", "value": "5%"`, 1)
		},
			want: []string{"cases[0].then(rd_small).op", `"=>"`}},
		{name: "bad quantity", edit: func(s string) string { return strings.Replace(s, `"value": "5%"`, `"value": "5 percent"`, 1) },
			want: []string{"rules/demo-2020.json", "quantity"}},
		{name: "bad year field", edit: func(s string) string { return strings.Replace(s, `"field": "rd_expense"`, `"field": "rd"`, 1) },
			want: []string{"metrics.rd_ratio", `unknown year field "rd"`}},
		{name: "file name does not match id and version", file: "rules/demo-2021.json",
			want: []string{"rules/demo-2021.json", "demo-2020.json"}},
		{name: "bad date", edit: func(s string) string { return strings.Replace(s, `"2020-01-01"`, `"2020-13-01"`, 1) },
			want: []string{"effective_from", "2020-13-01"}},
		{name: "catch-all case not last", edit: func(s string) string { return strings.Replace(s, `{"max": "5000万", `, `{`, 1) },
			want: []string{"switch.cases[0]", "catch-all"}},
		{name: "missing documents", edit: func(s string) string {
			return strings.Replace(s, `"documents": [{"number": "演示〔2020〕1号", "title": "演示办法", "title_en": "Demo measures"}],`, ``, 1)
		}, want: []string{"documents"}},
		{name: "unknown attestation key", edit: func(s string) string {
			return strings.Replace(s, `"conditions": [`, `"conditions": [{"id": "x", "name": "x", "name_en": "x", "attest": "no_such"},`, 1)
		}, want: []string{"conditions[0](x)", `"no_such"`}},
		{name: "two kinds in one condition", edit: func(s string) string {
			return strings.Replace(s, `"id": "rd_small", "name": "研发费用占比",`, `"id": "rd_small", "name": "研发费用占比", "attest": "is_sme",`, 1)
		}, want: []string{"rd_small", "exactly one of"}},
		{name: "band points above item max", edit: func(s string) string {
			return strings.Replace(s, `"conditions": [`, `"score": {"max": 10, "min_total": 5, "items": [{"id": "i", "name": "i", "name_en": "i", "max": 10, "metric": "rd_ratio", "bands": [{"min": "5%", "points": 12}, {"points": 0}]}]}, "conditions": [`, 1)
		}, want: []string{"score.items[0](i).bands[0].points", "exceeds"}},
		{name: "score max not the sum of items", edit: func(s string) string {
			return strings.Replace(s, `"conditions": [`, `"score": {"max": 20, "min_total": 5, "items": [{"id": "i", "name": "i", "name_en": "i", "max": 10, "metric": "rd_ratio", "bands": [{"min": "5%", "points": 10}, {"points": 0}]}]}, "conditions": [`, 1)
		}, want: []string{"score.max", "add up to 10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := "rules/demo-2020.json"
			if tt.file != "" {
				name = tt.file
			}
			body := minimalRule
			if tt.edit != nil {
				body = tt.edit(body)
			}
			_, err := LoadRuleSets(fstest.MapFS{name: {Data: []byte(body)}, "rules/README.md": {Data: []byte("not a rule")}})
			if err == nil {
				t.Fatalf("LoadRuleSets() = nil error, want one containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("LoadRuleSets() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
	if _, err := LoadRuleSets(fstest.MapFS{}); err == nil {
		t.Errorf("LoadRuleSets(empty) = nil, want an error")
	}
}

// Only rules/*.json are rule files: READMEs, backups and subdirectories are
// not read. (Two files cannot hold the same id and version, because the
// file name must be <id>-<version>.json.)
func TestLoadRuleSetsReadsOnlyRuleFiles(t *testing.T) {
	t.Parallel()
	rb, err := LoadRuleSets(fstest.MapFS{
		"rules/demo-2020.json":     {Data: []byte(minimalRule)},
		"rules/README.md":          {Data: []byte("# rules")},
		"rules/x/demo-2020.json":   {Data: []byte("{")},
		"rules/demo-2020.json.bak": {Data: []byte("{")},
	})
	if err != nil {
		t.Fatalf("LoadRuleSets() = %v, want only rules/*.json read", err)
	}
	if got := len(rb.List()); got != 1 {
		t.Errorf("len(List()) = %d, want 1", got)
	}
}

// TestSwitchBandUnknown checks the banded threshold when the band itself is
// unknown: a ratio that fails every band fails; one that passes every band
// passes; otherwise the missing field is named.
func TestSwitchBandUnknown(t *testing.T) {
	t.Parallel()
	// Band by employees, ratio over revenue, so the band can be missing
	// while the ratio is known.
	body := strings.Replace(minimalRule, `"switch": {"metric": "revenue"`, `"switch": {"metric": "employees"`, 1)
	body = strings.Replace(body, `"metrics": {`, `"metrics": {"employees": {"op": "value", "field": "employees", "label": "职工总数", "label_en": "Total staff"},`, 1)
	body = strings.Replace(body, `"max": "5000万"`, `"max": 100`, 1)
	rb, err := LoadRuleSets(fstest.MapFS{"rules/demo-2020.json": {Data: []byte(body)}})
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := rb.Select("demo", "", day("2021-06-30").Time)
	tests := []struct {
		name        string
		rd          float64
		want        Verdict
		wantMissing []string
	}{
		{name: "2% fails both bands", rd: 2, want: VerdictNo, wantMissing: []string{}},
		{name: "6% passes both bands", rd: 6, want: VerdictYes, wantMissing: []string{}},
		{name: "4% depends on the band", rd: 4, want: VerdictUnknown, wantMissing: []string{"years.2020.employees"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := AssessmentInput{AsOf: day("2021-06-30"), Years: map[int]YearFigures{2020: {Revenue: fp(100), RDExpense: fp(tt.rd)}}}
			r := Assess(rs, in)
			if r.Verdict != tt.want || !cmp.Equal(r.Missing, tt.wantMissing) {
				t.Errorf("Assess() = %s missing %q, want %s missing %q", r.Verdict, r.Missing, tt.want, tt.wantMissing)
			}
		})
	}
}

func TestRuleSetInForce(t *testing.T) {
	t.Parallel()
	rs := ruleSet(t, "innovative-sme", "2022")
	for d, want := range map[string]bool{"2022-07-31": false, "2022-08-01": true, "2026-03-31": true, "2026-04-01": false} {
		if got := rs.InForce(day(d).Time); got != want {
			t.Errorf("InForce(%s) = %v, want %v", d, got, want)
		}
	}
}
