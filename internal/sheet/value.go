package sheet

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// dateText matches the ways a date shows in Chinese spreadsheets and CSV
// files: 2026-01-05, 2026/1/5, 2026年1月5日, 2026.1.5 (as WPS users type
// it), optionally with a time.
var dateText = regexp.MustCompile(`^(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$`)

// isSpace is unicode.IsSpace plus the zero-width no-break space (a stray
// BOM), which Excel users paste without knowing.
func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B' }

// displayText trims a cell and writes dates as YYYY-MM-DD [hh:mm[:ss]],
// dropping a midnight time.
func displayText(s string) string {
	s = strings.TrimFunc(s, isSpace)
	if len(s) < 8 || len(s) > 40 || s[0] < '0' || s[0] > '9' {
		return s
	}
	m := dateText.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	month, _ := strconv.Atoi(m[2])
	day, _ := strconv.Atoi(m[3])
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return s
	}
	out := fmt.Sprintf("%s-%02d-%02d", m[1], month, day)
	if m[4] == "" {
		return out
	}
	hour, _ := strconv.Atoi(m[4])
	minute, _ := strconv.Atoi(m[5])
	sec := 0
	if m[6] != "" {
		sec, _ = strconv.Atoi(m[6])
	}
	if hour > 23 || minute > 59 || sec > 59 {
		return s
	}
	if hour == 0 && minute == 0 && sec == 0 {
		return out
	}
	if m[6] == "" {
		return fmt.Sprintf("%s %02d:%02d", out, hour, minute)
	}
	return fmt.Sprintf("%s %02d:%02d:%02d", out, hour, minute, sec)
}

// ParseDate reads the cell of a date column: YYYY-MM-DD as Next writes
// every date it recognises (2026/1/5, 2026年1月5日 and 2026.1.5 included),
// and eight digits YYYYMMDD as WPS users type a date into a plain cell
// (20190301). A time after the date is ignored. It returns false for
// anything else, and for dates that do not exist (2026-02-30).
func ParseDate(s string) (time.Time, bool) {
	s = displayText(s)
	if d, _, ok := strings.Cut(s, " "); ok {
		s = d
	}
	layout := "2006-01-02"
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		layout = "20060102"
	}
	t, err := time.Parse(layout, s)
	if err != nil || t.Year() < 1000 {
		return time.Time{}, false
	}
	return t, true
}

// ParseNumber reads a number as people type it into spreadsheets:
// thousands separators ("1,234.5"), full-width digits and signs
// ("１２３"), a trailing percent sign (divided by 100) and surrounding
// spaces are accepted. It returns false for anything else, including "".
func ParseNumber(s string) (float64, bool) {
	s = strings.TrimFunc(s, isSpace)
	if s == "" {
		return 0, false
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			b.WriteRune(r - '０' + '0')
		case r == '，' || r == ',':
			// thousands separator: dropped
		case r == '．':
			b.WriteByte('.')
		case r == '－':
			b.WriteByte('-')
		case r == '＋':
			b.WriteByte('+')
		case r == '％':
			b.WriteByte('%')
		default:
			b.WriteRune(r)
		}
	}
	t := b.String()
	percent := strings.HasSuffix(t, "%")
	t = strings.TrimSuffix(t, "%")
	if t == "" || strings.ContainsAny(t, "xXpP_") || strings.EqualFold(t, "inf") ||
		strings.EqualFold(t, "+inf") || strings.EqualFold(t, "-inf") || strings.EqualFold(t, "nan") ||
		strings.EqualFold(t, "infinity") || strings.EqualFold(t, "+infinity") || strings.EqualFold(t, "-infinity") {
		return 0, false
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, false
	}
	if percent {
		// Division, not multiplication by 0.01, keeps 12.5% exactly 0.125.
		v /= 100
	}
	return v, true
}
