package cultivation

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sampleInput is the example of the assessment contract.
const sampleInput = `{"as_of": "2026-06-30", "founded": "2019-03-01", "listed": false, "industry": "C39",
 "years": {"2025": {"revenue": 40000000, "main_revenue": 38000000, "hightech_revenue": 30000000, "cost_total": 35000000,
   "rd_expense": 2400000, "rd_expense_domestic": 2400000, "employees": 100, "tech_staff": 30, "rd_staff": 20,
   "total_assets": 50000000, "net_assets": 20000000, "liabilities": 30000000},
  "2024": {"revenue": 32000000}, "2023": {"revenue": 25000000}},
 "ip": {"class1": 2, "class2": 5}, "certificates": [{"type": "high-tech", "issued": "2024-12-01"}]}`

func TestParseAssessmentInput(t *testing.T) {
	t.Parallel()
	in, err := ParseAssessmentInput([]byte(sampleInput))
	if err != nil {
		t.Fatalf("ParseAssessmentInput(sample) = %v", err)
	}
	if got := *in.Years[2025].RDExpense; got != 2.4e6 {
		t.Errorf("years.2025.rd_expense = %v, want 2400000", got)
	}
	if in.Years[2024].RDExpense != nil {
		t.Errorf("years.2024.rd_expense = %v, want absent", *in.Years[2024].RDExpense)
	}
	if diff := cmp.Diff([]Certificate{{Type: "high-tech", Issued: day("2024-12-01")}}, in.Certificates); diff != "" {
		t.Errorf("certificates mismatch (-want +got):\n%s", diff)
	}
}

func TestParseAssessmentInputErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want string
	}{
		{name: "empty", json: ``, want: "输入为空"},
		{name: "not an object", json: `[1]`, want: "类型应为 对象"},
		{name: "truncated", json: `{"as_of": "2026-06-30"`, want: "JSON 不完整"},
		{name: "trailing data", json: `{"as_of": "2026-06-30"} {}`, want: "JSON 对象之后还有多余内容"},
		{name: "no as_of", json: `{}`, want: "as_of：必填"},
		{name: "bad date", json: `{"as_of": "2026/06/30"}`, want: `as_of：日期应为 "YYYY-MM-DD"，实为 "2026/06/30"`},
		{name: "founded after as_of", json: `{"as_of": "2026-06-30", "founded": "2027-01-01"}`, want: "founded：成立日期晚于 as_of"},
		{name: "unknown field", json: `{"as_of": "2026-06-30", "revenue": 1}`, want: `未知字段 "revenue"`},
		{name: "misspelt year field", json: `{"as_of": "2026-06-30", "years": {"2025": {"rd_expence": 1}}}`, want: `未知字段 "rd_expence"`},
		{name: "string amount", json: `{"as_of": "2026-06-30", "years": {"2025": {"revenue": "1万"}}}`, want: "years.revenue：类型应为 数字"},
		{name: "negative amount", json: `{"as_of": "2026-06-30", "years": {"2025": {"revenue": -1}}}`, want: "years.2025.revenue：不能为负数"},
		{name: "negative net profit is fine", json: `{"as_of": "2026-06-30", "years": {"2025": {"net_profit": -1}}}`, want: ""},
		{name: "bad year key", json: `{"as_of": "2026-06-30", "years": {"FY25": {}}}`, want: "years"},
		{name: "implausible year", json: `{"as_of": "2026-06-30", "years": {"25": {}}}`, want: "years.25：年份不合理"},
		{name: "bad industry", json: `{"as_of": "2026-06-30", "industry": "制造业"}`, want: "industry："},
		{name: "unknown certificate", json: `{"as_of": "2026-06-30", "certificates": [{"type": "gazelle", "issued": "2025-01-01"}]}`, want: `certificates[0].type：未知类型 "gazelle"`},
		{name: "certificate without date", json: `{"as_of": "2026-06-30", "certificates": [{"type": "high-tech"}]}`, want: "certificates[0].issued：必填"},
		{name: "unknown figure", json: `{"as_of": "2026-06-30", "figures": {"niche": 3}}`, want: "figures.niche：未知指标"},
		{name: "bad choice value", json: `{"as_of": "2026-06-30", "choices": {"rd_institution": "city"}}`, want: `choices.rd_institution："city" 不在可选值`},
		{name: "unknown attestation", json: `{"as_of": "2026-06-30", "attestations": {"honest": true}}`, want: "attestations.honest：未知声明"},
		{name: "bad credit code", json: `{"as_of": "2026-06-30", "credit_code": "914403001922038217"}`, want: "credit_code：第18位校验码应为6，实为7"},
		{name: "honor in the future", json: `{"as_of": "2026-06-30", "honors": [{"type": "sci_award", "level": "national", "rank": 1, "year": 2027}]}`, want: "honors[0].year：2027 不合理"},
		{name: "negative IP", json: `{"as_of": "2026-06-30", "ip": {"class1": -1}}`, want: "ip.class1：不能为负数"},
		{name: "fractional IP", json: `{"as_of": "2026-06-30", "ip": {"class1": 1.5}}`, want: "ip.class1：类型应为 数字"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseAssessmentInput([]byte(tt.json))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("ParseAssessmentInput(%s) = %v, want no error", tt.json, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("ParseAssessmentInput(%s) = %v, want error containing %q", tt.json, err, tt.want)
			}
		})
	}
}

// TestResultJSONContract pins the output field names the lead turns into
// OpenAPI, and the rendering of values in the user's terms.
func TestResultJSONContract(t *testing.T) {
	t.Parallel()
	in, err := ParseAssessmentInput([]byte(sampleInput))
	if err != nil {
		t.Fatal(err)
	}
	r := Assess(ruleSet(t, "tech-sme", "2017"), in)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"rule_set", "version", "verdict", "score", "score_min", "score_max", "items", "conditions", "gaps", "missing", "to_confirm"} {
		if _, ok := got[k]; !ok {
			t.Errorf("result JSON has no %q: %s", k, b)
		}
	}
	// 30% → 20, 6% → 50, Ⅰ类 → 30.
	if got["verdict"] != "yes" || got["score"] != 100.0 {
		t.Errorf("verdict, score = %v, %v; want yes, 100", got["verdict"], got["score"])
	}
	c := got["conditions"].([]any)[1].(map[string]any)
	want := map[string]any{"id": "employees_max", "name": "职工总数", "actual": "100人", "required": "≤ 500人", "pass": true, "status": "pass", "confidence": "C", "source": "115号 第六条(二)"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("conditions[1] mismatch (-want +got):\n%s", diff)
	}
	first := got["conditions"].([]any)[0].(map[string]any)
	if first["status"] != "to_confirm" || first["pass"] != true {
		t.Errorf("conditions[0] = %v, want an attestation taken as met, status to_confirm", first)
	}
}

// A stored result must read back to the same JSON (the service keeps
// results as JSON).
func TestResultJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := firm("2026-06-30")
	setYear(&in, 2025, func(f *YearFigures) { f.TechStaff = fp(5); f.RDExpense = nil })
	for _, rs := range shippedBook(t).List() {
		b1, err := json.Marshal(Assess(rs, in))
		if err != nil {
			t.Fatal(err)
		}
		var back AssessmentResult
		if err := json.Unmarshal(b1, &back); err != nil {
			t.Fatalf("%s: json.Unmarshal(result) = %v", rs.ID, err)
		}
		b2, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(b1), string(b2)); diff != "" {
			t.Errorf("%s@%s: round trip mismatch (-first +second):\n%s", rs.ID, rs.Version, diff)
		}
	}
}

// TestAppendJSONMatchesEncodingJSON checks the hand-written encoder against
// encoding/json on a copy of the type without the MarshalJSON method.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	type plain AssessmentResult
	firms := syntheticFirms(64)
	firms[0].ID = "a\"b\\c\n\u2028\x01"
	for i, in := range firms {
		for _, rs := range shippedBook(t).List() {
			r := Assess(rs, in)
			want, err := json.Marshal((*plain)(&r))
			if err != nil {
				t.Fatal(err)
			}
			got := r.AppendJSON(nil)
			if !json.Valid(got) {
				t.Fatalf("AppendJSON(%d, %s) is not valid JSON: %s", i, rs.ID, got)
			}
			var a, b any
			_ = json.Unmarshal(want, &a)
			_ = json.Unmarshal(got, &b)
			if diff := cmp.Diff(a, b); diff != "" {
				t.Fatalf("AppendJSON(%d, %s) mismatch (-encoding/json +AppendJSON):\n%s", i, rs.ID, diff)
			}
		}
	}
}

func TestAppendJSONText(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "研发费用占比 3.2%", `"q" \ /`, "tab\tnl\ncr\r\x00\x1f", "\u2028\u2029", "bad \xff utf8", "“小巨人”"} {
		want, _ := json.Marshal(s)
		if got := appendJSONText(nil, s); string(got) != string(want) {
			t.Errorf("appendJSONText(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzParseAssessmentInput(f *testing.F) {
	f.Add([]byte(sampleInput))
	f.Add([]byte(`{"as_of": "2026-06-30"}`))
	f.Add([]byte(`{"as_of": "2026-06-30", "years": {"2025": {"revenue": 0, "employees": 0}}, "industry": "K70"}`))
	f.Add([]byte(`{"as_of": "2026-06-30", "founded": "2026-06-30", "honors": [{"type": "chuangke", "level": "national", "rank": 0, "year": 2026}]}`))
	f.Add([]byte(`{"as_of": "2026-06-30", "figures": {"niche_years": 1e308}, "years": {"2025": {"revenue": 1e308, "rd_expense": 1e308}}}`))
	rb := shippedBook(f)
	sets := rb.List()
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ParseAssessmentInput(data)
		if err != nil {
			if err.Error() == "" {
				t.Errorf("ParseAssessmentInput(%q) returned an empty error", data)
			}
			return
		}
		// A parsed input must survive a round trip and every rule set.
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("json.Marshal(parsed input) = %v", err)
		}
		if _, err := ParseAssessmentInput(b); err != nil {
			t.Fatalf("ParseAssessmentInput(round trip %s) = %v", b, err)
		}
		for _, rs := range sets {
			r := Assess(rs, in)
			if _, err := json.Marshal(r); err != nil {
				t.Fatalf("json.Marshal(Assess(%s)) = %v", rs.ID, err)
			}
			switch r.Verdict {
			case VerdictYes, VerdictNo, VerdictPossible, VerdictUnknown:
			default:
				t.Fatalf("Assess(%s).Verdict = %q", rs.ID, r.Verdict)
			}
		}
	})
}
