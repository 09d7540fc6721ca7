package cultivation

import (
	"testing"
)

func assessAll(t *testing.T, in AssessmentInput) []AssessmentResult {
	t.Helper()
	rb := shippedBook(t)
	var out []AssessmentResult
	for _, id := range rb.IDs() {
		rs, err := rb.Select(id, "", in.AsOf.Time)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Assess(rs, in))
	}
	return out
}

func TestProposeTier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		edit         func(*AssessmentInput)
		confirmed    string
		wantCurrent  string
		wantBasis    string
		wantProposed string
		wantNext     string
	}{
		{
			// Scores 100 as 科技型 and 90 as 科技和创新型 (see the tables).
			// Regression (#11): the firm was reported as standing at 创新型
			// with 专精特新 next although nothing verified it; the assessment
			// only proposes 创新型, and the next rung follows from 种子.
			name:        "qualifying innovative SME, nothing verified",
			wantCurrent: TierSeed, wantBasis: "default", wantProposed: TierInnovative, wantNext: TierTechSME,
		},
		{
			name:        "confirmed 创新型: the next rung is measured from it",
			confirmed:   TierInnovative,
			wantCurrent: TierInnovative, wantBasis: "confirmed", wantNext: TierSpecialized,
		},
		{
			// Regression (#11): a 科小 registered in 2025 has lapsed in 2026.
			name: "an expired 科技型中小企业 registration does not place the firm",
			edit: func(in *AssessmentInput) {
				in.Certificates = []Certificate{{Type: "tech-sme", Issued: day("2025-02-08")}}
			},
			wantCurrent: TierSeed, wantBasis: "default", wantProposed: TierInnovative, wantNext: TierTechSME,
		},
		{
			name:      "a valid 高企 certificate outranks a lower confirmed tier",
			confirmed: TierTechSME,
			edit: func(in *AssessmentInput) {
				in.Certificates = []Certificate{{Type: "high-tech", Issued: day("2024-11-20")}}
			},
			wantCurrent: TierHighTech, wantBasis: "certificate:high-tech", wantProposed: TierInnovative, wantNext: TierInnovative,
		},
		{
			// 501 employees and no IP: every rung fails. 创新型 has the fewest
			// gaps (score 55 and 创新能力 0; 科技型 also fails its staff cap),
			// so it is the closest next tier.
			name: "seed firm",
			edit: func(in *AssessmentInput) {
				in.IP = &IPCounts{Class1: ip(0), Class2: ip(0), Class1HighValue: ip(0), Class1Own: ip(0), Class1Applied: ip(0)}
				setYear(in, 2025, func(f *YearFigures) { f.RDExpense = fp(0); f.Employees = fp(501); f.TechStaff = fp(1) })
			},
			wantCurrent: TierSeed, wantBasis: "default", wantNext: TierInnovative,
		},
		{
			name: "a valid 小巨人 certificate places the firm, next is 上市后备",
			edit: func(in *AssessmentInput) {
				in.Certificates = []Certificate{{Type: "little-giant", Issued: day("2024-07-01")}}
			},
			wantCurrent: TierLittleGiant, wantBasis: "certificate:little-giant", wantNext: TierListReserve,
		},
		{
			name:        "listed",
			edit:        func(in *AssessmentInput) { in.Listed = true },
			wantCurrent: TierListed, wantBasis: "listed", wantNext: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := firm("2026-06-30")
			in.Choices = map[string]string{"strategic_emerging": "yes", "rd_institution": "none"}
			if tt.edit != nil {
				tt.edit(&in)
			}
			p := ProposeTier(in, tt.confirmed, assessAll(t, in))
			if p.Current != tt.wantCurrent || p.CurrentBasis != tt.wantBasis || p.Proposed != tt.wantProposed || p.Next != tt.wantNext {
				t.Errorf("ProposeTier() = %q (%s) proposed %q → %q, want %q (%s) proposed %q → %q; gaps %q",
					p.Current, p.CurrentBasis, p.Proposed, p.Next, tt.wantCurrent, tt.wantBasis, tt.wantProposed, tt.wantNext, p.Gaps)
			}
		})
	}
}
