package sheet

import (
	"strings"
	"unicode"

	"kechuang/internal/apperr"
)

// Column describes one column of an import template.
type Column struct {
	Key      string   // the importer's field name, e.g. "credit_code"
	Header   string   // the header text, e.g. "统一社会信用代码" or "营业收入（万元）"
	Required bool     // the column must be present (and, by the importer's rules, filled)
	Allowed  []string // the values a cell may take; shown as a dropdown in the template
	Note     string   // how to fill the column, shown on the 填写说明 sheet
	Example  string   // the example row's cell
}

// bracketReplacer folds full-width and square brackets to ASCII parentheses
// and drops the required-column markers WriteTemplate adds.
var bracketReplacer = strings.NewReplacer(
	"（", "(", "）", ")", "【", "(", "】", ")", "［", "(", "］", ")", "[", "(", "]", ")",
	"*", "", "＊", "", "：", "", ":", "",
)

// normHeader is the comparable form of a header: brackets folded, markers
// and all spaces removed, ASCII letters lower-cased.
func normHeader(s string) string {
	s = bracketReplacer.Replace(s)
	return strings.Map(func(r rune) rune {
		if isSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// baseHeader drops a trailing parenthesised unit: "营业收入(万元)" → "营业收入".
func baseHeader(norm string) string {
	if strings.HasSuffix(norm, ")") {
		if i := strings.LastIndex(norm, "("); i > 0 {
			return norm[:i]
		}
	}
	return norm
}

// MapHeader matches the cells of a header row to cols and returns the
// index of each matched column by Key. A header cell matches a column whose
// Header is equal to it after folding full-width brackets, spaces, ASCII
// case and the "*" required marker; failing that, equal once a trailing
// unit in brackets is dropped from both ("营业收入" matches "营业收入（万元）");
// failing that, equal to the column's Key.
//
// It returns a FieldError (Row 1) for every required column that is
// missing (Field = Key, key sheet.missing_column), every header cell that
// matches no column (Field = the cell text, sheet.unknown_column) and
// every column matched twice (sheet.duplicate_column). Blank header cells
// are ignored.
func MapHeader(header []string, cols []Column) (map[string]int, []apperr.FieldError) {
	exact := make(map[string]int, len(cols))
	base := make(map[string]int, len(cols))
	keys := make(map[string]int, len(cols))
	for i, c := range cols {
		n := normHeader(c.Header)
		exact[n] = i
		if b := baseHeader(n); b != "" {
			if _, taken := base[b]; !taken {
				base[b] = i
			}
		}
		keys[strings.ToLower(c.Key)] = i
	}
	idx := make(map[string]int, len(cols))
	var problems []apperr.FieldError
	for pos, h := range header {
		h = strings.TrimFunc(h, isSpace)
		if h == "" {
			continue
		}
		n := normHeader(h)
		ci, ok := exact[n]
		if !ok {
			ci, ok = base[baseHeader(n)]
		}
		if !ok {
			ci, ok = keys[n]
		}
		if !ok {
			problems = append(problems, apperr.FieldError{Row: 1, Field: h, Key: "sheet.unknown_column", Args: []any{h}})
			continue
		}
		key := cols[ci].Key
		if _, dup := idx[key]; dup {
			problems = append(problems, apperr.FieldError{Row: 1, Field: h, Key: "sheet.duplicate_column", Args: []any{h}})
			continue
		}
		idx[key] = pos
	}
	for _, c := range cols {
		if _, ok := idx[c.Key]; c.Required && !ok {
			problems = append(problems, apperr.FieldError{Row: 1, Field: c.Key, Key: "sheet.missing_column", Args: []any{c.Header}})
		}
	}
	return idx, problems
}
