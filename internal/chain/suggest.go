package chain

import (
	"math"
	"slices"
	"sort"
	"strings"
)

// Subject kinds: what can be placed on a link.
const (
	SubjectEnterprise  = "enterprise"
	SubjectAchievement = "achievement"
	SubjectDemand      = "demand"
	SubjectFinancing   = "financing"
	SubjectInstitution = "institution"
	SubjectExpert      = "expert"
	SubjectFund        = "fund"
	SubjectProject     = "project"
)

// SubjectKinds lists the subject kinds in display order.
var SubjectKinds = []string{SubjectEnterprise, SubjectAchievement, SubjectDemand, SubjectFinancing,
	SubjectInstitution, SubjectExpert, SubjectFund, SubjectProject}

// Subject is what the suggestion reads of a thing to place: its name,
// description, products and keywords, industry class and high-tech domain.
type Subject struct {
	Kind        string
	ID          int64
	Name        string
	RegionCode  string
	Industry    string   // GB/T 4754, e.g. "C3985"
	Domain      string   // "新材料" or "新材料/无机非金属材料"
	Products    []string // a firm's products (product library) or an achievement's keywords
	Keywords    []string
	Description string
}

// Reason says why a link was suggested. Key is a catalog key taking Args.
type Reason struct {
	Key  string   `json:"key"`
	Args []string `json:"args"`
}

// Suggestion is one link proposed for a subject with a confidence in
// [0, 1] and its reasons.
type Suggestion struct {
	ChainID    string   `json:"chain"`
	LinkID     string   `json:"link"`
	Score      float64  `json:"score"`
	Confidence float64  `json:"confidence"`
	Reasons    []Reason `json:"reasons"`
}

// Weights of the signals; a keyword in the products weighs more than one in
// the description, a full industry class more than its major group.
const (
	wKeywordProduct = 3.0
	wKeywordName    = 2.5
	wKeywordText    = 1.5
	wLinkName       = 2.0
	wProductTerm    = 1.0
	wClassExact     = 2.5
	wClassGroup     = 1.5
	wClassMajor     = 0.6
	wDomainExact    = 1.2
	wDomainTop      = 0.3
	// minScore is the least score a suggestion needs: codes alone (a
	// class and a domain) do not place a firm.
	minScore = 2.0
)

// Suggest ranks the links of the chains for s, best first, at most limit
// (0: all that pass minScore).
func Suggest(chains []Chain, s Subject, limit int) []Suggestion {
	products := strings.ToLower(strings.Join(append(slices.Clone(s.Products), s.Keywords...), "；"))
	name := strings.ToLower(s.Name)
	text := strings.ToLower(s.Description)
	var out []Suggestion
	for ci := range chains {
		c := &chains[ci]
		for _, l := range c.Links {
			sg := Suggestion{ChainID: c.ID, LinkID: l.ID}
			seen := map[string]bool{}
			hit := func(term string) (float64, string) {
				t := strings.ToLower(term)
				switch {
				case t == "" || seen[t]:
					return 0, ""
				case strings.Contains(products, t):
					return wKeywordProduct, "chain.reason.in_products"
				case strings.Contains(name, t):
					return wKeywordName, "chain.reason.in_name"
				case strings.Contains(text, t):
					return wKeywordText, "chain.reason.in_text"
				}
				return 0, ""
			}
			terms := 0.0
			for _, k := range l.Keywords {
				if w, key := hit(k); w > 0 {
					seen[strings.ToLower(k)] = true
					terms += w
					sg.Reasons = append(sg.Reasons, Reason{Key: key, Args: []string{k}})
				}
			}
			if w, key := hit(l.Name); w > 0 {
				seen[strings.ToLower(l.Name)] = true
				terms += wLinkName
				sg.Reasons = append(sg.Reasons, Reason{Key: key, Args: []string{l.Name}})
			}
			for _, p := range append(slices.Clone(l.Products), l.Technologies...) {
				for _, part := range productTerms(p) {
					if w, key := hit(part); w > 0 {
						seen[strings.ToLower(part)] = true
						terms += wProductTerm
						sg.Reasons = append(sg.Reasons, Reason{Key: key, Args: []string{part}})
					}
				}
			}
			// Many hits on one link are strong evidence, but a long list of
			// keywords must not outweigh everything else: damp the sum.
			sg.Score = terms
			if terms > 6 {
				sg.Score = 6 + math.Sqrt(terms-6)
			}
			if w, code := classScore(s.Industry, l.IndustryClasses); w > 0 {
				sg.Score += w
				sg.Reasons = append(sg.Reasons, Reason{Key: "chain.reason.industry", Args: []string{s.Industry, code}})
			}
			if w, d := domainScore(s.Domain, l.Domains); w > 0 {
				sg.Score += w
				sg.Reasons = append(sg.Reasons, Reason{Key: "chain.reason.domain", Args: []string{d}})
			}
			if terms > 0 && sg.Score >= minScore {
				out = append(out, sg)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		if out[i].ChainID != out[j].ChainID {
			return out[i].ChainID < out[j].ChainID
		}
		return out[i].LinkID < out[j].LinkID
	})
	// Confidence: how high the score is, and how far ahead of the next
	// link it stands.
	for i := range out {
		next := 0.0
		if i+1 < len(out) {
			next = out[i+1].Score
		}
		if i > 0 {
			next = max(next, out[0].Score)
		}
		abs := out[i].Score / (out[i].Score + 4)
		margin := (out[i].Score - next) / out[i].Score
		if margin < 0 {
			margin = 0
		}
		out[i].Confidence = math.Round((0.6*abs+0.4*margin)*100) / 100
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// productTerms splits a link's product or technology name into the terms
// worth looking for: the name without its bracketed part, and each
// bracketed alternative of two or more characters.
func productTerms(p string) []string {
	p = strings.NewReplacer("（", "(", "）", ")").Replace(p)
	var out []string
	head, rest, ok := strings.Cut(p, "(")
	head = strings.TrimSpace(head)
	if len([]rune(head)) >= 2 {
		out = append(out, head)
	}
	if ok {
		inner, _, _ := strings.Cut(rest, ")")
		for _, f := range strings.FieldsFunc(inner, func(r rune) bool { return r == '/' || r == '、' || r == ',' || r == '，' }) {
			if f = strings.TrimSpace(f); len([]rune(f)) >= 2 {
				out = append(out, f)
			}
		}
	}
	return out
}

// classScore compares a subject's industry class with a link's classes by
// their longest shared prefix: the full class, its group (3 digits) or its
// major group (2 digits).
func classScore(industry string, classes []string) (float64, string) {
	industry = strings.ToUpper(strings.TrimSpace(industry))
	if len(industry) < 3 {
		return 0, ""
	}
	best, code := 0.0, ""
	for _, c := range classes {
		n := 0
		for n < len(c) && n < len(industry) && c[n] == industry[n] {
			n++
		}
		w := 0.0
		switch {
		case n == len(c) && n == len(industry):
			w = wClassExact
		case n >= 4 && (n == len(c) || n == len(industry)):
			w = wClassExact
		case n >= 4:
			w = wClassGroup
		case n == 3:
			w = wClassMajor
		}
		if w > best {
			best, code = w, c
		}
	}
	return best, code
}

// domainScore compares a subject's domain with a link's domains.
func domainScore(domain string, domains []string) (float64, string) {
	if domain == "" {
		return 0, ""
	}
	top, _, _ := strings.Cut(domain, "/")
	best, which := 0.0, ""
	for _, d := range domains {
		dt, _, _ := strings.Cut(d, "/")
		switch {
		case d == domain && strings.Contains(d, "/"):
			if wDomainExact > best {
				best, which = wDomainExact, d
			}
		case dt == top:
			if wDomainTop > best {
				best, which = wDomainTop, dt
			}
		}
	}
	return best, which
}
