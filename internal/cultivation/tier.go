package cultivation

// Tier names of the cultivation ladder, lowest first.
const (
	TierSeed        = "种子"
	TierTechSME     = "科技型中小企业"
	TierHighTech    = "高新技术企业"
	TierInnovative  = "创新型中小企业"
	TierSpecialized = "专精特新中小企业"
	TierLittleGiant = "专精特新“小巨人”"
	TierListReserve = "上市后备"
	TierListed      = "已上市"
)

// tierValidityYears is how long a 高企 or 梯度培育 title lasts when the
// certificate gives no expiry (3 years for every tier, criteria.md §2, §3).
const tierValidityYears = 3

// ladder is the platform's cultivation path. It orders titles, it sets no
// threshold: what each title requires lives in the rule files. The 2022
// 暂行办法 and the 2026 办法 both put 创新型 (科技和创新型) below 专精特新.
var ladder = []struct {
	tier    string
	ruleSet string
	cert    certRule
}{
	{TierSeed, "", certRule{}},
	{TierTechSME, "tech-sme", certRule{Type: "tech-sme", CalendarYear: true}},
	{TierHighTech, "high-tech", certRule{Type: "high-tech", ValidYears: tierValidityYears}},
	{TierInnovative, "innovative-sme", certRule{Type: "innovative-sme", ValidYears: tierValidityYears}},
	{TierSpecialized, "specialized-sme", certRule{Type: "specialized-sme", ValidYears: tierValidityYears}},
	{TierLittleGiant, "little-giant", certRule{Type: "little-giant", ValidYears: tierValidityYears}},
	{TierListReserve, "", certRule{}},
}

// TierProposal places an enterprise on the ladder 种子 → 科技型中小企业 →
// 高新技术企业 → 创新型中小企业 → 专精特新 → 小巨人 → 上市后备.
type TierProposal struct {
	Current      string   `json:"current"`
	CurrentBasis string   `json:"current_basis"` // "certificate:high-tech" or "assessment:high-tech@2016"
	Next         string   `json:"next"`
	NextRuleSet  string   `json:"next_rule_set,omitempty"`
	NextVersion  string   `json:"next_version,omitempty"`
	NextVerdict  Verdict  `json:"next_verdict,omitempty"`
	Gaps         []string `json:"gaps"`
	Missing      []string `json:"missing"`
}

// ProposeTier takes the results of assessing one enterprise against every
// rule set (one result per rule-set id) and returns its current tier — the
// highest rung it holds a valid certificate for or qualifies for now — and
// the higher rung it is closest to: first by verdict (possible before
// unknown before no), then by the number of gaps, then the lower rung.
// 上市后备 has no official quantitative criteria (criteria.md §7.5), so it is
// proposed only after 小巨人 and never reached from data; a listed enterprise
// is reported as 已上市 with no next tier.
func ProposeTier(in AssessmentInput, results []AssessmentResult) TierProposal {
	p := TierProposal{Current: TierSeed, CurrentBasis: "default", Gaps: []string{}, Missing: []string{}}
	if in.Listed {
		p.Current, p.CurrentBasis = TierListed, "listed"
		return p
	}
	byID := map[string]*AssessmentResult{}
	for i := range results {
		byID[results[i].RuleSet] = &results[i]
	}
	c := evalCtx{in: &in, asOf: in.AsOf.Time}
	cur := 0
	for k, step := range ladder {
		if step.ruleSet == "" {
			continue
		}
		if c.hasCertificate([]certRule{step.cert}) {
			cur, p.Current, p.CurrentBasis = k, step.tier, "certificate:"+step.cert.Type
		}
		if r, ok := byID[step.ruleSet]; ok && r.Verdict == VerdictYes {
			cur, p.Current, p.CurrentBasis = k, step.tier, "assessment:"+r.RuleSet+"@"+r.Version
		}
	}
	best := -1
	bestKey := [2]int{}
	for k := cur + 1; k < len(ladder); k++ {
		r, ok := byID[ladder[k].ruleSet]
		if !ok {
			continue
		}
		key := [2]int{verdictRank(r.Verdict), len(r.Gaps)}
		if best < 0 || key[0] < bestKey[0] || (key[0] == bestKey[0] && key[1] < bestKey[1]) {
			best, bestKey = k, key
		}
	}
	switch {
	case best >= 0:
		r := byID[ladder[best].ruleSet]
		p.Next, p.NextRuleSet, p.NextVersion, p.NextVerdict = ladder[best].tier, r.RuleSet, r.Version, r.Verdict
		p.Gaps, p.Missing = GapTexts(r.Gaps), append([]string{}, r.Missing...)
	case cur+1 < len(ladder):
		p.Next = ladder[cur+1].tier
	}
	return p
}

func verdictRank(v Verdict) int {
	switch v {
	case VerdictYes:
		return 0
	case VerdictPossible:
		return 1
	case VerdictUnknown:
		return 2
	}
	return 3
}
