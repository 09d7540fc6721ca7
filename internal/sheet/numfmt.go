package sheet

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Number formats, enough of ECMA-376 §18.8.31 to show a number cell the way
// a spreadsheet does for the formats people use in data: digit placeholders
// (0 # ?), a decimal point, thousands separators and scaling commas,
// percent, literal text ("元", \x, _x, *x), sections for negative numbers
// and zero, and [colour]/[locale] prefixes (ignored). Dates and times are
// recognised by classifyFormat and written as ISO text. Scientific and
// fraction formats, which an import cannot use as they show, come back as
// General — the full number.

// builtinNumFmt are the built-in codes that are neither dates nor times.
var builtinNumFmt = map[int]string{
	1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
	37: "#,##0 ;(#,##0)", 38: "#,##0 ;[red](#,##0)", 39: "#,##0.00 ;(#,##0.00)", 40: "#,##0.00 ;[red](#,##0.00)",
	41: `_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)`, 42: `_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)`,
	43: `_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)`, 44: `_("$"* #,##0.00_);_("$"* \(#,##0.00\);_("$"* "-"??_);_(@_)`,
	48: "##0.0E+0", 49: "@",
}

// cellFormat is how one cell style shows a number.
type cellFormat struct {
	kind int    // fmtGeneral, fmtDate, fmtTime or fmtCode
	code string // for fmtCode
}

const (
	fmtGeneral = iota
	fmtDate
	fmtTime
	fmtCode
)

// formatFor classifies number format id, whose code is custom[id] when the
// workbook defines it.
func formatFor(id int, custom map[int]string) cellFormat {
	if code, ok := custom[id]; ok {
		isDate, isTime := classifyFormat(code)
		switch {
		case isDate:
			return cellFormat{kind: fmtDate}
		case isTime:
			return cellFormat{kind: fmtTime}
		}
		return codeFormat(code)
	}
	switch {
	case builtinDate[id]:
		return cellFormat{kind: fmtDate}
	case builtinTime[id]:
		return cellFormat{kind: fmtTime}
	}
	return codeFormat(builtinNumFmt[id])
}

func codeFormat(code string) cellFormat {
	if code == "" || strings.EqualFold(code, "general") || code == "@" {
		return cellFormat{kind: fmtGeneral}
	}
	return cellFormat{kind: fmtCode, code: code}
}

// generalNumber writes a number cell's stored text as Excel's General
// format shows it: at most 15 significant digits, no exponent for numbers
// that fit. Text that is not a number comes back unchanged.
func generalNumber(raw string) string {
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || strings.Contains(raw, "_") {
		return raw
	}
	return generalFloat(v, raw)
}

func generalFloat(v float64, raw string) string {
	plain := strconv.FormatFloat(v, 'f', -1, 64)
	digits := len(plain) - strings.Count(plain, ".") - strings.Count(plain, "-")
	if digits > 15 && !wholeWithinPrecision(raw) {
		return strconv.FormatFloat(v, 'G', 15, 64)
	}
	return plain
}

// wholeWithinPrecision reports whether raw is an integer whose digits past
// the fifteenth are all zeros (123456789012345000).
func wholeWithinPrecision(raw string) bool {
	if raw == "" || strings.ContainsAny(raw, ".Ee") {
		return false
	}
	raw = strings.TrimLeft(raw, "+-0")
	return len(strings.TrimRight(raw, "0")) <= 15
}

// formatNumber writes the number cell raw (stored text) in format f.
func formatNumber(raw string, f cellFormat, date1904 bool) string {
	if f.kind == fmtGeneral {
		return generalNumber(raw)
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw
	}
	switch f.kind {
	case fmtDate, fmtTime:
		return formatSerial(v, f.kind == fmtTime, date1904, raw)
	}
	out, ok := applyCode(v, f.code)
	if !ok {
		return generalFloat(v, raw)
	}
	return out
}

// formatSerial writes a date serial as YYYY-MM-DD (midnight), YYYY-MM-DD
// hh:mm:ss, or hh:mm:ss for a time format. A serial outside Excel's dates
// comes back as a number.
func formatSerial(v float64, isTime, date1904 bool, raw string) string {
	if v < 0 || v > 2958465 { // 9999-12-31
		return generalFloat(v, raw)
	}
	t, err := excelize.ExcelDateToTime(v, date1904)
	if err != nil {
		return generalFloat(v, raw)
	}
	// Excel stores times as fractions of a day; round to the second.
	t = t.Round(time.Second)
	switch {
	case isTime:
		return t.Format("15:04:05")
	case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04:05")
}

// roundHalfUp writes v ≥ 0 with frac decimals, rounding half away from
// zero on the shortest decimal form of v, as a spreadsheet does (1234.5
// shows as 1235 in format 0, where strconv would round to even).
func roundHalfUp(v float64, frac int) (intDigits, fracDigits string) {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	i, f, _ := strings.Cut(s, ".")
	if len(f) <= frac {
		return i, f + strings.Repeat("0", frac-len(f))
	}
	up := f[frac] >= '5'
	digits := []byte(i + f[:frac])
	if up {
		k := len(digits) - 1
		for ; k >= 0; k-- {
			if digits[k] == '9' {
				digits[k] = '0'
				continue
			}
			digits[k]++
			break
		}
		if k < 0 {
			digits = append([]byte{'1'}, digits...)
		}
	}
	n := len(digits) - frac
	return string(digits[:n]), string(digits[n:])
}

// fmtToken is one piece of a format section: a literal, or a digit
// placeholder ('0', '#' or '?').
type fmtToken struct {
	lit   string
	digit byte
}

// fmtSection is one parsed section of a format code.
type fmtSection struct {
	intPart  []fmtToken // before the decimal point (literals included)
	fracPart []fmtToken // after it
	suffix   string     // literals after the last placeholder of the fraction
	point    bool
	group    bool // thousands separators
	scale    int  // trailing commas: divide by 1000 each
	percent  int
	general  bool // the section says General
	hasDigit bool
}

// applyCode formats v with a custom or built-in code; ok is false for
// codes it does not render (scientific, fractions, text-only sections of
// numbers), for which the caller shows General.
func applyCode(v float64, code string) (string, bool) {
	sections := splitSections(code)
	idx := 0
	neg := v < 0
	switch {
	case neg && len(sections) >= 2:
		idx = 1
	case v == 0 && len(sections) >= 3:
		idx = 2
	}
	sec, ok := parseSection(sections[idx])
	if !ok {
		return "", false
	}
	if sec.general {
		s := generalFloat(v, "")
		if idx != 0 && neg {
			s = strings.TrimPrefix(s, "-")
		}
		return strings.Join(litOf(sec.intPart), "") + s + sec.suffix, true
	}
	abs := math.Abs(v)
	for range sec.percent {
		abs *= 100
	}
	for range sec.scale {
		abs /= 1000
	}
	maxFrac, minFrac := 0, 0
	for _, t := range sec.fracPart {
		if t.digit != 0 {
			maxFrac++
			if t.digit == '0' || t.digit == '?' {
				minFrac = maxFrac
			}
		}
	}
	intDigits, fracDigits := roundHalfUp(abs, maxFrac)
	// Optional trailing digits (#) drop their zeros.
	for len(fracDigits) > minFrac && fracDigits[len(fracDigits)-1] == '0' {
		fracDigits = fracDigits[:len(fracDigits)-1]
	}
	var b strings.Builder
	if neg && idx == 0 {
		// As Excel does, a negative number that rounds to zero shows "-0".
		b.WriteByte('-')
	}
	b.WriteString(fillInteger(sec, intDigits))
	if sec.point && (len(fracDigits) > 0 || hasLiteral(sec.fracPart)) {
		b.WriteByte('.')
	}
	i := 0
	for _, t := range sec.fracPart {
		if t.digit == 0 {
			b.WriteString(t.lit)
			continue
		}
		if i < len(fracDigits) {
			b.WriteByte(fracDigits[i])
		} else if t.digit == '?' {
			b.WriteByte(' ')
		}
		i++
	}
	b.WriteString(sec.suffix)
	return b.String(), true
}

func hasLiteral(ts []fmtToken) bool {
	for _, t := range ts {
		if t.digit == 0 {
			return true
		}
	}
	return false
}

func litOf(ts []fmtToken) []string {
	var out []string
	for _, t := range ts {
		if t.digit == 0 {
			out = append(out, t.lit)
		}
	}
	return out
}

// fillInteger writes the integer digits into the integer part of sec:
// padded with zeros to the number of 0 placeholders, grouped by thousands
// when the section groups, and — when literals stand between the
// placeholders, as in 000-0000 — placed into them from the right, the
// extra leading digits going to the leftmost one.
func fillInteger(sec fmtSection, digits string) string {
	first, last, minDigits := -1, -1, 0
	for i, t := range sec.intPart {
		if t.digit == 0 {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
		if t.digit == '0' || t.digit == '?' {
			minDigits++
		}
	}
	if first < 0 {
		return strings.Join(litOf(sec.intPart), "")
	}
	if digits == "0" {
		digits = ""
	}
	for len(digits) < minDigits {
		digits = "0" + digits
	}
	var b strings.Builder
	for _, t := range sec.intPart[:first] {
		b.WriteString(t.lit)
	}
	interleaved := false
	for _, t := range sec.intPart[first : last+1] {
		if t.digit == 0 {
			interleaved = true
		}
	}
	if !interleaved {
		if sec.group {
			for i := 0; i < len(digits); i++ {
				if i > 0 && (len(digits)-i)%3 == 0 {
					b.WriteByte(',')
				}
				b.WriteByte(digits[i])
			}
		} else {
			b.WriteString(digits)
		}
	} else {
		out := make([]string, last+1-first)
		pos := len(digits)
		for i := last; i >= first; i-- {
			t := sec.intPart[i]
			switch {
			case t.digit == 0:
				out[i-first] = t.lit
			case pos > 0:
				out[i-first] = digits[pos-1 : pos]
				pos--
			}
		}
		out[0] = digits[:pos] + out[0]
		b.WriteString(strings.Join(out, ""))
	}
	for _, t := range sec.intPart[last+1:] {
		b.WriteString(t.lit)
	}
	return b.String()
}

// splitSections splits a format code at the semicolons outside quotes and
// escapes.
func splitSections(code string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(code); i++ {
		switch c := code[i]; {
		case c == '"':
			quoted = !quoted
		case c == '\\' && !quoted:
			i++
		case c == ';' && !quoted:
			out = append(out, code[start:i])
			start = i + 1
		}
	}
	return append(out, code[start:])
}

// parseSection reads one section of a format code.
func parseSection(code string) (fmtSection, bool) {
	var sec fmtSection
	var lits strings.Builder
	flush := func() {
		if lits.Len() == 0 {
			return
		}
		t := fmtToken{lit: lits.String()}
		if sec.point {
			sec.fracPart = append(sec.fracPart, t)
		} else {
			sec.intPart = append(sec.intPart, t)
		}
		lits.Reset()
	}
	lower := strings.ToLower(code)
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return sec, false
			}
			lits.WriteString(code[i+1 : i+1+j])
			i += j + 1
		case c == '\\':
			if i+1 < len(code) {
				_, size := decodeFirst(code[i+1:])
				lits.WriteString(code[i+1 : i+1+size])
				i += size
			}
		case c == '_':
			if i+1 < len(code) {
				_, size := decodeFirst(code[i+1:])
				i += size
			}
			lits.WriteByte(' ')
		case c == '*':
			if i+1 < len(code) {
				_, size := decodeFirst(code[i+1:])
				i += size
			}
		case c == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return sec, false
			}
			// [$¥-804] is a currency symbol and a locale; [Red], [>100]
			// and the like show nothing.
			if inner := code[i+1 : i+j]; strings.HasPrefix(inner, "$") {
				sym, _, _ := strings.Cut(inner[1:], "-")
				lits.WriteString(sym)
			}
			i += j
		case strings.HasPrefix(lower[i:], "general"):
			sec.general = true
			flush()
			i += len("general") - 1
		case c == '0' || c == '#' || c == '?':
			flush()
			sec.hasDigit = true
			t := fmtToken{digit: c}
			if sec.point {
				sec.fracPart = append(sec.fracPart, t)
			} else {
				sec.intPart = append(sec.intPart, t)
			}
		case c == '.' && !sec.point && !sec.general:
			flush()
			sec.point = true
		case c == ',' && !sec.point:
			// Between placeholders it groups; after the last one it scales.
			rest := code[i+1:]
			if sec.hasDigit && strings.IndexAny(rest, "0#?") >= 0 && !strings.HasPrefix(rest, ".") && !strings.HasPrefix(rest, ",") {
				sec.group = true
			} else if sec.hasDigit {
				sec.scale++
			} else {
				lits.WriteByte(c)
			}
		case c == '%':
			sec.percent++
			lits.WriteByte(c)
		case c == 'E' || c == 'e' || c == '/' || c == '@':
			return sec, false // scientific, fraction, or text placeholder
		default:
			_, size := decodeFirst(code[i:])
			lits.WriteString(code[i : i+size])
			i += size - 1
		}
	}
	if !sec.hasDigit && !sec.general {
		// A section of literals only (a "-" for zero, say) shows them.
		flush()
		sec.suffix = strings.Join(append(litOf(sec.intPart), litOf(sec.fracPart)...), "")
		sec.intPart, sec.fracPart = nil, nil
		return sec, true
	}
	// Literals after the last placeholder are the suffix.
	if lits.Len() > 0 {
		sec.suffix = lits.String()
	}
	return sec, true
}

// decodeFirst returns the first character of s and its length in bytes.
func decodeFirst(s string) (rune, int) { return utf8.DecodeRuneInString(s) }
