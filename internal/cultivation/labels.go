package cultivation

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

var ipLabels = map[string]string{
	"class1": "Ⅰ类知识产权数", "class2": "Ⅱ类知识产权数", "class1_high_value": "Ⅰ类高价值知识产权数",
	"class1_own": "自主研发的Ⅰ类知识产权数", "class1_applied": "已应用并产生效益的Ⅰ类知识产权数",
}

var ipLabelsEN = map[string]string{
	"class1": "Class I IP count", "class2": "Class II IP count", "class1_high_value": "High-value Class I IP count",
	"class1_own": "Self-developed Class I IP count", "class1_applied": "Class I IP applied and yielding benefits",
}

var honorRank = regexp.MustCompile(`^honors\[(\d+)\]\.rank$`)

// FieldLabelIn is FieldLabel in lang: in Chinese exactly FieldLabel, in
// English the English names ("2025 R&D expense"). An unknown path is
// returned as it is.
func FieldLabelIn(lang, path string) string { return fieldLabel(path, isEN(lang)) }

// confirmEN maps the to-confirm entries the engine writes (an attestation's
// label, or the label with "（需人工判断）") to their English.
var confirmEN = func() map[string]string {
	m := map[string]string{}
	for _, k := range AttestationKeys {
		m[k.Label] = k.LabelEN
		m[k.Label+reviewSuffix] = k.LabelEN + reviewSuffixEN
	}
	return m
}()

const (
	reviewSuffix   = "（需人工判断）"
	reviewSuffixEN = " (needs a person's judgement)"
)

// ConfirmText renders one entry of AssessmentResult.ToConfirm in lang; the
// entries are stored in Chinese. An entry it does not know is returned as
// it is.
func ConfirmText(lang, s string) string {
	if isEN(lang) {
		if e, ok := confirmEN[s]; ok {
			return e
		}
	}
	return s
}

// FieldLabel turns a JSON path of the assessment input, as a result's
// missing list names it ("years.2025.rd_expense", "figures.niche_years"),
// into the Chinese words a user knows ("2025年 研发费用"). An unknown path
// is returned as it is.
func FieldLabel(path string) string { return fieldLabel(path, false) }

// fieldLabel is FieldLabel in Chinese or, with en, in English.
func fieldLabel(path string, en bool) string {
	pick := func(zh, english string) string {
		if en {
			return english
		}
		return zh
	}
	parts := strings.Split(path, ".")
	switch {
	case len(parts) == 3 && parts[0] == "years":
		if f, ok := yearFieldByName(parts[2]); ok {
			return parts[1] + pick("年 "+yearFieldInfo[f].label, " "+yearFieldInfo[f].labelEN)
		}
	case len(parts) == 2:
		var keys []KeyInfo
		switch parts[0] {
		case "figures":
			keys = FigureKeys
		case "choices":
			keys = ChoiceKeys
		case "attestations":
			keys = AttestationKeys
		case "ip":
			labels := ipLabels
			if en {
				labels = ipLabelsEN
			}
			if l, ok := labels[parts[1]]; ok {
				return l
			}
		}
		for _, k := range keys {
			if k.Key == parts[1] {
				return pick(k.Label, k.LabelEN)
			}
		}
		if m := honorRank.FindStringSubmatch(path); m != nil && en {
			n, _ := strconv.Atoi(m[1])
			return "Rank in honour " + strconv.Itoa(n+1)
		}
	case len(parts) == 1:
		switch path {
		case "founded":
			return pick("成立日期", "Date of registration")
		case "industry":
			return pick("行业代码", "Industry code")
		case "as_of":
			return pick("测评日期", "Assessment date")
		}
	}
	return path
}

// plainWords are the engine's words that rule-file notes use, in the
// user's terms.
var plainWords = map[string]string{
	"certificates[].expires": "证书载明的有效期", "certificates[].issued": "证书发证日期", "certificates": "已获资质",
	"data_year": "数据年度", "as_of": "测评日期", "attestations": "声明项", "figures": "补充数据", "choices": "选项",
	"score_min/score_max": "最低分/最高分", "score_min": "最低分", "score_max": "最高分",
	"revenue": "营业收入", "yes": "符合", "possible": "可能符合", "no": "不符合", "unknown": "数据不足",
}

var identifier = regexp.MustCompile(`[a-z][a-z0-9_]*(?:\[\])?(?:[./=][a-z0-9_]+(?:\[\])?)*`)

// PlainText replaces the engine's identifiers in a rule file's note —
// JSON paths such as certificates[].expires or figures.dev_score, field
// names, "version=2022", verdict codes — with the words a user knows
// (FieldLabel's and plainWords), so that no internal name reaches a page.
// Identifiers it does not know are left as written.
func PlainText(s string) string {
	return identifier.ReplaceAllStringFunc(s, func(id string) string {
		if l, ok := plainWords[id]; ok {
			return l
		}
		if v, ok := strings.CutPrefix(id, "version="); ok {
			return v + "年版本"
		}
		if l := FieldLabel(id); l != id {
			return l
		}
		for _, keys := range [][]KeyInfo{AttestationKeys, FigureKeys, ChoiceKeys} {
			for _, k := range keys {
				if k.Key == id {
					return k.Label
				}
			}
		}
		if l, ok := ipLabels[strings.TrimPrefix(id, "ip.")]; ok {
			return l
		}
		return id
	})
}

// documentNumber matches an official document number (发文字号) such as
// 国科发火〔2016〕32号 or 工信部企业〔2026〕2号: a proper name that English
// texts quote as written.
var documentNumber = regexp.MustCompile(`\p{Han}+〔\d{4}〕\d+号`)

// HasHan reports whether s holds Chinese characters outside document
// numbers: a text meant for English pages that still needs translating.
func HasHan(s string) bool {
	s = documentNumber.ReplaceAllString(s, "")
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
