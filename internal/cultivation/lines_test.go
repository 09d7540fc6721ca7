package cultivation

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRunAssessLines(t *testing.T) {
	t.Parallel()
	rb := shippedBook(t)
	oneLine := strings.ReplaceAll(sampleInput, "\n", "")
	older := strings.Replace(oneLine, `"as_of": "2026-06-30"`, `"as_of": "2025-06-30"`, 1)
	tests := []struct {
		name         string
		rule         string
		input        string
		wantVersions []string
		wantErr      string
	}{
		{name: "two lines and a blank one", rule: "innovative-sme", input: oneLine + "\n\n" + older + "\n", wantVersions: []string{"2026", "2022"}},
		{name: "bad line names its number", rule: "tech-sme", input: oneLine + "\n" + oneLine + "\n{\"as_of\": 1}\n" + oneLine,
			wantVersions: []string{"2017", "2017"}, wantErr: `第3行：as_of：日期应为 "YYYY-MM-DD"，实为 1`},
		{name: "no version in force", rule: "little-giant", input: strings.Replace(oneLine, `"2026-06-30"`, `"2021-06-30"`, 1),
			wantErr: "第1行：rule set \"little-giant\" in force on 2021-06-30"},
		{name: "unknown rule set", rule: "gazelle", input: oneLine, wantErr: `rule set "gazelle"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := RunAssessLines(rb, tt.rule, strings.NewReader(tt.input), &out)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("RunAssessLines() = %v, want error %q", err, tt.wantErr)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				if line == "" {
					continue
				}
				var r AssessmentResult
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					t.Fatalf("output line %q: %v", line, err)
				}
				got = append(got, r.Version)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantVersions, ",") {
				t.Errorf("versions = %q, want %q", got, tt.wantVersions)
			}
		})
	}
}
