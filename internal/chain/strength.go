package chain

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Verdicts of the strength classification.
const (
	Strong  = "strong"
	Weak    = "weak"
	Missing = "missing"
)

// Verdicts lists the verdicts, strongest first.
var Verdicts = []string{Strong, Weak, Missing}

// Facts are the figures of one link (or one link in one county) the
// strength rules read, by name.
var factNames = []string{"firms", "above_scale", "high_tech", "above_scale_or_high_tech", "specialized", "little_giant",
	"demands", "achievements", "financing", "institutions", "experts", "projects", "funds", "patents"}

// Condition compares one fact with a value or with another fact.
type Condition struct {
	Fact  string  `json:"fact"`
	Op    string  `json:"op"` // eq, ne, lt, le, gt, ge
	Value float64 `json:"value,omitempty"`
	Than  string  `json:"than,omitempty"` // another fact, instead of Value
}

// Rule gives Verdict when its conditions hold: all of them ("all") or at
// least one ("any").
type Rule struct {
	Verdict    string      `json:"verdict"`
	Match      string      `json:"match"`
	Conditions []Condition `json:"conditions"`
}

// Rules are the strength rules of data/chains/strength.json: the first rule
// that holds gives the verdict, Otherwise when none does.
type Rules struct {
	Version string `json:"version"`
	Note    string `json:"note,omitempty"`
	// AboveScaleRevenue is the yearly revenue in 元 from which a firm
	// counts as 规上 (besides a 规上 tag).
	AboveScaleRevenue float64 `json:"above_scale_revenue"`
	Rules             []Rule  `json:"rules"`
	Otherwise         string  `json:"otherwise"`
}

// Fact is one condition as evaluated for a verdict: the fact, its value,
// the comparison and whether it held.
type Fact struct {
	Fact      string  `json:"fact"`
	Value     float64 `json:"value"`
	Op        string  `json:"op"`
	Threshold float64 `json:"threshold"`
	Than      string  `json:"than,omitempty"`
	Held      bool    `json:"held"`
}

// Verdict is a link's strength with the facts that decided it: the
// conditions of the rule that held, or, for Otherwise, the conditions of
// every earlier rule, none of which held.
type Verdict struct {
	Strength string `json:"strength"`
	Facts    []Fact `json:"facts"`
}

var ops = []string{"eq", "ne", "lt", "le", "gt", "ge"}

// LoadRules reads and checks the strength rules at name in fsys.
func LoadRules(fsys fs.FS, name string) (Rules, error) {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return Rules{}, fmt.Errorf("strength rules: %w", err)
	}
	return ParseRules(raw)
}

// ParseRules decodes strength rules strictly and checks them: known
// verdicts, facts and operators, match "all" or "any".
func ParseRules(raw []byte) (Rules, error) {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var r Rules
	if err := dec.Decode(&r); err != nil {
		return Rules{}, fmt.Errorf("strength rules: %w", err)
	}
	var problems []string
	if !versionPattern.MatchString(r.Version) {
		problems = append(problems, fmt.Sprintf("version %q: want YEAR.N", r.Version))
	}
	if !slices.Contains(Verdicts, r.Otherwise) {
		problems = append(problems, fmt.Sprintf("otherwise %q: not a verdict", r.Otherwise))
	}
	if r.AboveScaleRevenue <= 0 {
		problems = append(problems, "above_scale_revenue must be positive")
	}
	for i, rule := range r.Rules {
		if !slices.Contains(Verdicts, rule.Verdict) {
			problems = append(problems, fmt.Sprintf("rules[%d]: verdict %q unknown", i, rule.Verdict))
		}
		if rule.Match != "all" && rule.Match != "any" {
			problems = append(problems, fmt.Sprintf("rules[%d]: match %q: want all or any", i, rule.Match))
		}
		if len(rule.Conditions) == 0 {
			problems = append(problems, fmt.Sprintf("rules[%d]: no conditions", i))
		}
		for j, c := range rule.Conditions {
			if !slices.Contains(factNames, c.Fact) || (c.Than != "" && !slices.Contains(factNames, c.Than)) {
				problems = append(problems, fmt.Sprintf("rules[%d].conditions[%d]: unknown fact", i, j))
			}
			if !slices.Contains(ops, c.Op) {
				problems = append(problems, fmt.Sprintf("rules[%d].conditions[%d]: op %q unknown", i, j, c.Op))
			}
		}
	}
	if len(problems) > 0 {
		return Rules{}, fmt.Errorf("strength rules: %s", strings.Join(problems, "; "))
	}
	return r, nil
}

func compare(op string, a, b float64) bool {
	switch op {
	case "eq":
		return a == b
	case "ne":
		return a != b
	case "lt":
		return a < b
	case "le":
		return a <= b
	case "gt":
		return a > b
	case "ge":
		return a >= b
	}
	return false
}

// Classify applies the rules to a link's figures.
func (r Rules) Classify(f Figures) Verdict {
	values := f.values()
	var passed []Fact
	for _, rule := range r.Rules {
		var held []Fact
		var all []Fact
		for _, c := range rule.Conditions {
			threshold := c.Value
			if c.Than != "" {
				threshold = values[c.Than]
			}
			fact := Fact{Fact: c.Fact, Value: values[c.Fact], Op: c.Op, Threshold: threshold, Than: c.Than}
			fact.Held = compare(c.Op, fact.Value, threshold)
			all = append(all, fact)
			if fact.Held {
				held = append(held, fact)
			}
		}
		if (rule.Match == "all" && len(held) == len(all)) || (rule.Match == "any" && len(held) > 0) {
			if rule.Match == "all" {
				return Verdict{Strength: rule.Verdict, Facts: all}
			}
			return Verdict{Strength: rule.Verdict, Facts: held}
		}
		for _, x := range all {
			if !x.Held {
				passed = append(passed, x)
			}
		}
	}
	return Verdict{Strength: r.Otherwise, Facts: passed}
}

// Figures are the counts and sums of one link (in one county or the whole
// region).
type Figures struct {
	Firms        int     `json:"firms"`
	AboveScale   int     `json:"above_scale"`
	HighTech     int     `json:"high_tech"`
	Specialized  int     `json:"specialized"`
	LittleGiant  int     `json:"little_giant"`
	Revenue      float64 `json:"revenue"`    // 元, latest year
	RDExpense    float64 `json:"rd_expense"` // 元, latest year
	Patents      int     `json:"patents"`
	Achievements int     `json:"achievements"`
	Demands      int     `json:"demands"`
	Financing    int     `json:"financing"`
	Institutions int     `json:"institutions"`
	Experts      int     `json:"experts"`
	Projects     int     `json:"projects"`
	Funds        int     `json:"funds"`
	// AboveScaleOrHighTech counts the firms that are 规上 or 高企 or both.
	AboveScaleOrHighTech int `json:"above_scale_or_high_tech"`
}

func (f Figures) values() map[string]float64 {
	return map[string]float64{
		"firms": float64(f.Firms), "above_scale": float64(f.AboveScale), "high_tech": float64(f.HighTech),
		"above_scale_or_high_tech": float64(f.AboveScaleOrHighTech), "specialized": float64(f.Specialized),
		"little_giant": float64(f.LittleGiant), "demands": float64(f.Demands), "achievements": float64(f.Achievements),
		"financing": float64(f.Financing), "institutions": float64(f.Institutions), "experts": float64(f.Experts),
		"projects": float64(f.Projects), "funds": float64(f.Funds), "patents": float64(f.Patents),
	}
}
