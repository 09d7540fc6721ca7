package sheet

import (
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// excelize formats date cells very slowly (about 50 µs a cell, most of it
// looking up locale data), which made a 100,000-row sheet with four date
// columns take over 30 s. fastDates instead points every date and time
// style at a cheap numeric format that prefixes a private-use marker, and
// xlsxSource turns marked serial numbers into text itself.
const (
	markDate = '\uE000' // a date or date-time serial follows
	markTime = '\uE001' // a time-of-day serial follows
)

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

// fastDates rewrites f's date and time cell styles (in memory only) to
// formats that mark their cells for formatDateCell.
func fastDates(f *excelize.File) error {
	st := f.Styles
	if st == nil || st.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if st.NumFmts != nil {
		for _, nf := range st.NumFmts.NumFmt {
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			custom[nf.NumFmtID] = code
		}
	}
	// Add the marking formats first: NewStyle appends to CellXfs.Xf, which
	// must not move while the loop below holds pointers into it.
	newMarker := func(mark rune) (int, error) {
		code := `"` + string(mark) + `"0.##########`
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return 0, err
		}
		return *st.CellXfs.Xf[id].NumFmtID, nil
	}
	dateID, err := newMarker(markDate)
	if err != nil {
		return err
	}
	timeID, err := newMarker(markTime)
	if err != nil {
		return err
	}
	for i := range st.CellXfs.Xf {
		xf := &st.CellXfs.Xf[i]
		if xf.NumFmtID == nil {
			continue
		}
		id := *xf.NumFmtID
		isDate, isTime := builtinDate[id], builtinTime[id]
		if code, ok := custom[id]; ok {
			isDate, isTime = classifyFormat(code)
		}
		switch {
		case isDate:
			xf.NumFmtID = &dateID
		case isTime:
			xf.NumFmtID = &timeID
		}
	}
	return nil
}

// formatDateCell turns a marked cell into YYYY-MM-DD, YYYY-MM-DD hh:mm:ss
// or hh:mm:ss. A text cell with a date style comes back without its marker.
func formatDateCell(s string, date1904 bool) string {
	r := []rune(s)
	if len(r) == 0 || (r[0] != markDate && r[0] != markTime) {
		return s
	}
	rest := string(r[1:])
	v, err := strconv.ParseFloat(rest, 64)
	if err != nil || v < 0 || v > 2958465 { // 9999-12-31
		return rest
	}
	t, err := excelize.ExcelDateToTime(v, date1904)
	if err != nil {
		return rest
	}
	// Excel stores times as fractions of a day; round to the second.
	t = t.Round(time.Second)
	switch {
	case r[0] == markTime:
		return t.Format("15:04:05")
	case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04:05")
}
