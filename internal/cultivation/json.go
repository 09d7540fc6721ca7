package cultivation

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends r as a JSON object to b, with the same fields and
// values encoding/json produces for it, without reflection: writing a
// result costs about as much as computing it, which matters when
// `kechuang assess` streams a million lines.
func (r *AssessmentResult) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	if r.ID != "" {
		b = append(b, `"id":`...)
		b = appendJSONText(b, r.ID)
		b = append(b, ',')
	}
	b = append(b, `"rule_set":`...)
	b = appendJSONText(b, r.RuleSet)
	b = append(b, `,"version":`...)
	b = appendJSONText(b, r.Version)
	b = append(b, `,"name":`...)
	b = appendJSONText(b, r.Name)
	b = append(b, `,"as_of":`...)
	b = appendDate(b, r.AsOf)
	b = append(b, `,"data_year":`...)
	b = strconv.AppendInt(b, int64(r.DataYear), 10)
	b = append(b, `,"verdict":`...)
	b = appendJSONText(b, string(r.Verdict))
	b = append(b, `,"score":`...)
	b = appendNum(b, r.Score)
	b = append(b, `,"score_min":`...)
	b = appendNum(b, r.ScoreMin)
	b = append(b, `,"score_max":`...)
	b = appendNum(b, r.ScoreMax)
	b = append(b, `,"pass_score":`...)
	b = appendNum(b, r.PassScore)
	b = append(b, `,"items":[`...)
	for i := range r.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.Items[i].appendJSON(b)
	}
	b = append(b, `],"conditions":[`...)
	for i := range r.Conditions {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.Conditions[i].appendJSON(b)
	}
	b = append(b, `],"gaps":[`...)
	for i := range r.Gaps {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.Gaps[i].appendJSON(b)
	}
	b = append(b, `],"missing":`...)
	b = appendStrings(b, r.Missing)
	b = append(b, `,"to_confirm":`...)
	b = appendStrings(b, r.ToConfirm)
	return append(b, '}')
}

func (c *ConditionResult) appendJSON(b []byte) []byte {
	if c.Condition != nil && c.Condition.prefix != nil {
		b = append(b, c.Condition.prefix...)
	} else {
		b = c.Condition.appendStatic(b)
	}
	b = append(b, `,"actual":`...)
	b = c.Actual.appendJSON(b)
	b = append(b, `,"pass":`...)
	switch c.Pass {
	case TriTrue:
		b = append(b, "true"...)
	case TriFalse:
		b = append(b, "false"...)
	default:
		b = append(b, "null"...)
	}
	b = append(b, `,"status":"`...)
	b = append(b, c.Status.String()...)
	return append(b, `"}`...)
}

// appendStatic writes the fields fixed by the rule file; the compiler keeps
// them pre-encoded in prefix, as they are most of a result's bytes.
func (info *Condition) appendStatic(b []byte) []byte {
	if info == nil {
		info = &Condition{}
	}
	b = append(b, `{"id":`...)
	b = appendJSONText(b, info.ID)
	b = append(b, `,"name":`...)
	b = appendJSONText(b, info.Name)
	if info.Group != "" {
		b = append(b, `,"group":`...)
		b = appendJSONText(b, info.Group)
	}
	b = append(b, `,"required":`...)
	b = appendJSONText(b, info.Required)
	if info.Confidence != "" {
		b = append(b, `,"confidence":`...)
		b = appendJSONText(b, info.Confidence)
	}
	if info.Source != "" {
		b = append(b, `,"source":`...)
		b = appendJSONText(b, info.Source)
	}
	return b
}

func (it *ItemResult) appendJSON(b []byte) []byte {
	if it.Item != nil && it.Item.prefix != nil {
		b = append(b, it.Item.prefix...)
	} else {
		b = it.Item.appendStatic(b)
	}
	b = append(b, `,"points":`...)
	b = appendNum(b, it.Points)
	b = append(b, `,"points_min":`...)
	b = appendFloat(b, it.PointsMin)
	b = append(b, `,"points_max":`...)
	b = appendFloat(b, it.PointsMax)
	b = append(b, `,"actual":`...)
	b = it.Actual.appendJSON(b)
	if it.Band != "" {
		b = append(b, `,"band":`...)
		b = appendJSONText(b, it.Band)
	}
	return append(b, '}')
}

func (info *Item) appendStatic(b []byte) []byte {
	if info == nil {
		info = &Item{}
	}
	b = append(b, `{"id":`...)
	b = appendJSONText(b, info.ID)
	b = append(b, `,"name":`...)
	b = appendJSONText(b, info.Name)
	if info.Part != "" {
		b = append(b, `,"part":`...)
		b = appendJSONText(b, info.Part)
	}
	b = append(b, `,"max":`...)
	b = appendFloat(b, info.Max)
	if info.Expert {
		b = append(b, `,"expert":true`...)
	}
	if info.Confidence != "" {
		b = append(b, `,"confidence":`...)
		b = appendJSONText(b, info.Confidence)
	}
	return b
}

func (v *Value) appendJSON(b []byte) []byte {
	switch {
	case v.Text != "":
		return appendJSONText(b, v.Text)
	case !v.Known:
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = appendValue(b, v.V, v.Unit)
	return append(b, '"')
}

// appendJSON renders the gap straight into b and escapes it only in the rare
// case that the text needs it.
func (g *Gap) appendJSON(b []byte) []byte {
	start := len(b)
	b = append(b, '"')
	b = g.append(b)
	if needsEscape(b[start+1:]) {
		text := string(b[start+1:])
		return appendJSONText(b[:start], text)
	}
	return append(b, '"')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONText(b, s)
	}
	return append(b, ']')
}

func appendDate(b []byte, d Date) []byte {
	if d.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = d.AppendFormat(b, dateLayout)
	return append(b, '"')
}

func appendNum(b []byte, n Num) []byte {
	if !n.Valid {
		return append(b, "null"...)
	}
	return appendFloat(b, n.V)
}

// appendFloat formats like encoding/json: shortest decimal, exponent only
// for very large or small magnitudes.
func appendFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		q, _ := json.Marshal(f)
		return append(b, q...)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// appendJSONText appends s as a JSON string. Rule-file and input texts are
// valid UTF-8 without control characters, so the common path copies bytes.
func appendJSONText(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		q, _ := json.Marshal(s)
		return append(b, q...)
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var esc string
		switch {
		case c == '"':
			esc = `\"`
		case c == '\\':
			esc = `\\`
		case c == '\n':
			esc = `\n`
		case c == '\r':
			esc = `\r`
		case c == '\t':
			esc = `\t`
		case c < 0x20:
			esc = `\u00` + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&0xF])
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			// U+2028 and U+2029, escaped as encoding/json does.
			esc = `\u2028`
			if s[i+2] == 0xA9 {
				esc = `\u2029`
			}
			b = append(b, s[start:i]...)
			b = append(b, esc...)
			i += 2
			start = i + 1
			continue
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func needsEscape(t []byte) bool {
	for i, c := range t {
		if c < 0x20 || c == '"' || c == '\\' || (c == 0xE2 && i+2 < len(t) && t[i+1] == 0x80 && (t[i+2] == 0xA8 || t[i+2] == 0xA9)) {
			return true
		}
	}
	return !utf8.Valid(t)
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (r AssessmentResult) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(make([]byte, 0, 4096)), nil
}
