package cultivation

import (
	"strings"
)

var ipLabels = map[string]string{
	"class1": "Ⅰ类知识产权数", "class2": "Ⅱ类知识产权数", "class1_high_value": "Ⅰ类高价值知识产权数",
	"class1_own": "自主研发的Ⅰ类知识产权数", "class1_applied": "已应用并产生效益的Ⅰ类知识产权数",
}

// FieldLabel turns a JSON path of the assessment input, as a result's
// missing list names it ("years.2025.rd_expense", "figures.niche_years"),
// into the Chinese words a user knows ("2025年 研发费用"). An unknown path
// is returned as it is.
func FieldLabel(path string) string {
	parts := strings.Split(path, ".")
	switch {
	case len(parts) == 3 && parts[0] == "years":
		if f, ok := yearFieldByName(parts[2]); ok {
			return parts[1] + "年 " + yearFieldInfo[f].label
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
			if l, ok := ipLabels[parts[1]]; ok {
				return l
			}
		}
		for _, k := range keys {
			if k.Key == parts[1] {
				return k.Label
			}
		}
	case len(parts) == 1:
		switch path {
		case "founded":
			return "成立日期"
		case "industry":
			return "行业代码"
		case "as_of":
			return "测评日期"
		}
	}
	return path
}
