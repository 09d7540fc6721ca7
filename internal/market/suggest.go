package market

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"kechuang/internal/search"
	"kechuang/internal/search/analysis"
)

// Suggestion is what the listing form proposes while the owner types: a
// high-tech domain, the CSL disciplines the text reads as, and keywords.
// The owner confirms or ignores each; nothing is stored.
type Suggestion struct {
	// Domain is nil when no domain is likely enough.
	Domain      *DomainGuess   `json:"domain"`
	Disciplines []search.Label `json:"disciplines"`
	Keywords    []string       `json:"keywords"`
}

// DomainGuess is a suggested high-tech domain: Name is the top level, Sub a
// second level of it or "", P the probability mass of the disciplines that
// map to Name.
type DomainGuess struct {
	Name string  `json:"name"`
	Sub  string  `json:"sub"`
	P    float64 `json:"p"`
}

// Value is the domain as Input.Domain spells it: "top" or "top/sub".
func (d DomainGuess) Value() string {
	if d.Sub == "" {
		return d.Name
	}
	return d.Name + "/" + d.Sub
}

// Empty reports whether s proposes nothing.
func (s Suggestion) Empty() bool {
	return s.Domain == nil && len(s.Disciplines) == 0 && len(s.Keywords) == 0
}

const (
	// SuggestMinRunes is how many letters and digits the title and text
	// must hold together before anything is suggested: a classifier that
	// guesses from five characters guesses wrong and looks confident.
	SuggestMinRunes = 12
	// suggestMinDomainP is the least mass a domain needs to be proposed.
	suggestMinDomainP = 0.3
	// suggestMinDisciplineP drops disciplines that are noise.
	suggestMinDisciplineP = 0.05
	suggestDisciplines    = 3
	suggestKeywords       = 8
	// suggestMaxBytes bounds the text read per call: the form asks on
	// every pause in typing, and the opening of a text decides its field.
	suggestMaxBytes = 16 << 10
)

// genericWords are generic nouns of abstracts and patent prose that no
// owner would pick as a keyword on their own, though they are not stop
// words (a compound such as 修复工艺 may hold them); stop words
// (analysis.IsStop) are never proposed at all.
var genericWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`一种 本发明 发明 本项目 项目 公开 涉及 实施例 方法 技术 研究 研发 开发 应用 基于 利用 采用
		通过 进行 实现 提高 提升 降低 减少 增加 改善 有效 显著 具有 能够 可以 适用 用于 包括 主要 相关 以及 需要 我们
		提供 支持 解决 问题 目前 现有 要求 效果 产品 企业 领域 方面 使用 系统 装置 设备 高效 优化 成本
		制备 材料 工艺 原料 及其 分析 关系 工作 小时`) {
		genericWords[w] = true
	}
}

// Suggest proposes a domain, disciplines and up to 8 keywords for a
// listing's title and text (their first 16 KiB). Keywords the owner has already typed are left
// out. A text shorter than SuggestMinRunes letters and digits gets an empty
// suggestion. Suggest reads only the classifier and the index's term
// statistics, so it works on an empty index; it is safe for concurrent use.
func (x *Indexer) Suggest(title, text string, typed ...string) Suggestion {
	out := Suggestion{Disciplines: []search.Label{}, Keywords: []string{}}
	full := strings.TrimSpace(title + "\n" + text)
	if len(full) > suggestMaxBytes {
		full = strings.ToValidUTF8(full[:suggestMaxBytes], "")
	}
	if letters(full) < SuggestMinRunes {
		return out
	}
	topic := x.ix.Classify(full)
	for _, l := range topic.Disciplines {
		if len(out.Disciplines) == suggestDisciplines || l.P < suggestMinDisciplineP {
			break
		}
		out.Disciplines = append(out.Disciplines, l)
	}
	out.Domain = guessDomain(x.svc.Reference(), topic.Disciplines)
	out.Keywords = pickKeywords(x.ix.SuggestKeywords(full, 4*suggestKeywords), typed)
	return out
}

// letters counts the letters and digits of s.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// guessDomain sums the probabilities of the disciplines mapped to each
// domain and proposes the heaviest when it reaches suggestMinDomainP. The
// second level is the one carrying more than half of that domain's mass.
func guessDomain(ref *Reference, disciplines []search.Label) *DomainGuess {
	if ref == nil {
		return nil
	}
	mass := map[string]float64{}
	subMass := map[[2]string]float64{}
	var order []string // first-seen order, so ties do not depend on map order
	for _, l := range disciplines {
		d, ok := ref.DisciplineDomain(l.Name)
		if !ok || d.Domain == "" {
			continue
		}
		if _, seen := mass[d.Domain]; !seen {
			order = append(order, d.Domain)
		}
		mass[d.Domain] += l.P
		if d.Sub != "" {
			subMass[[2]string{d.Domain, d.Sub}] += l.P
		}
	}
	best := ""
	for _, d := range order {
		if best == "" || mass[d] > mass[best] {
			best = d
		}
	}
	if best == "" || mass[best] < suggestMinDomainP {
		return nil
	}
	g := &DomainGuess{Name: best, P: mass[best]}
	for k, p := range subMass {
		if k[0] == best && p > mass[best]/2 {
			g.Sub = k[1]
		}
	}
	return g
}

// pickKeywords keeps up to suggestKeywords candidates that are not generic,
// not a number, and not part of a typed keyword or of a better candidate
// (正极 once 正极材料 is there).
func pickKeywords(cands, typed []string) []string {
	var have []string
	for _, t := range typed {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			have = append(have, t)
		}
	}
	out := []string{}
	for _, c := range cands {
		if len(out) == suggestKeywords {
			break
		}
		lc := strings.ToLower(c)
		if genericWords[c] || analysis.IsStop(lc) || utf8.RuneCountInString(c) < 2 || isNumber(c) {
			continue
		}
		inside := func(k string) bool { return strings.Contains(strings.ToLower(k), lc) }
		if slices.ContainsFunc(have, inside) || slices.ContainsFunc(out, inside) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func isNumber(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) && r != '.' && r != '%' {
			return false
		}
	}
	return true
}
