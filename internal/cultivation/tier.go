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
//
// Current is the enterprise's verified standing (see Standing): the highest
// tier a valid certificate proves or staff confirmed, 种子 when neither.
// Proposed is the highest rung above it that the assessment finds met
// ("yes"), which staff may confirm; "" when there is none. Next is the rung
// above the standing the firm is closest to, and Gaps what it lacks there.
type TierProposal struct {
	Current      string   `json:"current"`
	CurrentBasis string   `json:"current_basis"` // "certificate:high-tech", "confirmed", "listed" or "default"
	Proposed     string   `json:"proposed,omitempty"`
	ProposedRule string   `json:"proposed_basis,omitempty"` // "assessment:innovative-sme@2026"
	Next         string   `json:"next"`
	NextRuleSet  string   `json:"next_rule_set,omitempty"`
	NextVersion  string   `json:"next_version,omitempty"`
	NextVerdict  Verdict  `json:"next_verdict,omitempty"`
	Gaps         []string `json:"gaps"`
	Missing      []string `json:"missing"`

	gaps []Gap // Gaps before rendering, for GapsIn
}

// GapsIn returns Gaps in lang (see Gap.Text); Gaps itself is Chinese.
func (p TierProposal) GapsIn(lang string) []string {
	if p.gaps == nil || !isEN(lang) {
		return p.Gaps
	}
	return GapTextsIn(p.gaps, lang)
}

// ProposeTier takes the results of assessing one enterprise against every
// rule set (one result per rule-set id) and the tier staff confirmed ("" for
// none) and returns its standing, the rung above it the assessment finds
// met, and the higher rung it is closest to: first by verdict (possible
// before unknown before no), then by the number of gaps, then the lower
// rung. Every rung is measured from the verified standing, never from
// another proposal. 上市后备 has no official quantitative criteria
// (criteria.md §7.5), so it is proposed only after 小巨人 and never reached
// from data; a listed enterprise is reported as 已上市 with no next tier.
func ProposeTier(in AssessmentInput, confirmed string, results []AssessmentResult) TierProposal {
	p := TierProposal{Current: TierSeed, CurrentBasis: "default", Gaps: []string{}, Missing: []string{}}
	st := StandingOf(in.Certificates, confirmed, in.Listed, in.AsOf.Time)
	if st.Tier == TierListed {
		p.Current, p.CurrentBasis = TierListed, "listed"
		return p
	}
	if st.Tier != "" {
		p.Current, p.CurrentBasis = st.Tier, st.Basis
	}
	byID := map[string]*AssessmentResult{}
	for i := range results {
		byID[results[i].RuleSet] = &results[i]
	}
	cur := 0
	for k, step := range ladder {
		if step.tier == p.Current {
			cur = k
		}
	}
	best := -1
	bestKey := [2]int{}
	for k := cur + 1; k < len(ladder); k++ {
		r, ok := byID[ladder[k].ruleSet]
		if !ok {
			continue
		}
		if r.Verdict == VerdictYes {
			p.Proposed, p.ProposedRule = ladder[k].tier, "assessment:"+r.RuleSet+"@"+r.Version
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
		p.gaps = r.Gaps
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

var tierCodes = map[string]string{
	TierSeed: "seed", TierTechSME: "tech-sme", TierHighTech: "high-tech", TierInnovative: "innovative-sme",
	TierSpecialized: "specialized-sme", TierLittleGiant: "little-giant", TierListReserve: "list-reserve", TierListed: "listed",
}

// TierCode returns the stable code of a tier ("high-tech" for 高新技术企业),
// by which pages look up its label in the catalogs; "" for an unknown tier.
func TierCode(tier string) string { return tierCodes[tier] }
