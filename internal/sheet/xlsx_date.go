package sheet

import "strings"

// Built-in number formats that show dates or times (ECMA-376 18.8.30, and
// the CJK formats 27–36 and 50–58 of the zh-CN locale).
var (
	builtinTime = map[int]bool{18: true, 19: true, 20: true, 21: true, 32: true, 33: true, 34: true, 35: true,
		45: true, 46: true, 47: true, 55: true, 56: true}
	builtinDate = map[int]bool{14: true, 15: true, 16: true, 17: true, 22: true, 27: true, 28: true, 29: true,
		30: true, 31: true, 36: true, 50: true, 51: true, 52: true, 53: true, 54: true, 57: true, 58: true}
)

// classifyFormat reports whether a custom format code shows a date
// (isDate) or only a time of day (isTime).
func classifyFormat(code string) (isDate, isTime bool) {
	if strings.EqualFold(code, "general") || code == "@" {
		return false, false
	}
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"': // quoted literal
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				i = len(code)
			} else {
				i += j + 1
			}
		case '\\', '_', '*': // escaped or padding character
			i++
		case '[': // colour, condition or locale; [h] [mm] [ss] are elapsed time
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				i = len(code)
				break
			}
			inner := strings.ToLower(code[i+1 : i+j])
			if strings.Trim(inner, "hms") == "" && inner != "" {
				b.WriteByte('h')
			}
			i += j
		case ';': // only the first (positive) section matters
			i = len(code)
		default:
			b.WriteByte(c | 0x20) // ASCII lower case; other bytes do not matter
		}
	}
	s := b.String()
	if strings.ContainsAny(s, "yd") {
		return true, false
	}
	if strings.ContainsAny(s, "hs") {
		return false, true
	}
	if strings.Contains(s, "m") {
		// A lone m is a month.
		return true, false
	}
	return false, false
}
