package sheet

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Sheet is one sheet of an export.
type Sheet struct {
	Name   string // at most 31 characters, none of : \ / ? * [ ]; "" means "Sheet<n>"
	Header []string
	// Rows holds the cells: string (and string kinds), integers, floats,
	// bool, time.Time, nil. A time with no clock part is written as a date
	// (yyyy-mm-dd), any other as yyyy-mm-dd hh:mm:ss, in the time's own
	// location: convert to local time before.
	Rows [][]any
	// ColWidths are column widths in characters; a missing or zero entry
	// is derived from the header.
	ColWidths []float64
	// Title, when set, is a first row in large bold type merged across the
	// header's columns, as reports handed to a bureau begin.
	Title string
	// Preface rows come after the title and before the header (填报单位,
	// 填报日期 …); their cells are written like those of Rows.
	Preface [][]any
}

// Problem is one line of an import error report.
type Problem struct {
	Row    int    // spreadsheet row number; 0 for the whole file
	Column string // the column's header text; "" for the whole row
	Reason string // the localized reason
	// Cell is the 1-based position of the problem's column in the file
	// (0 when the problem is not about one cell), so that the report can
	// mark the cell itself.
	Cell int `json:",omitempty"`
}

// EscapeFormula neutralises formula injection (CSV/formula injection, CWE-1236):
// text starting with = + - @ or a tab or carriage return gets a leading
// apostrophe, so that a spreadsheet shows it as text instead of running it.
// Other text, including "", comes back unchanged. Only strings are escaped:
// write numbers as numbers, and a negative number stays a number.
func EscapeFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// styles are the cell styles WriteXLSX uses.
type styles struct{ header, date, dateTime, title int }

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	}); err != nil {
		return s, err
	}
	if s.title, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	}); err != nil {
		return s, err
	}
	dateFmt, dateTimeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return s, err
	}
	s.dateTime, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateTimeFmt})
	return s, err
}

// WriteXLSX writes sheets as one .xlsx workbook to w. Rows go through
// excelize's StreamWriter, which spills to a temporary file beyond 16 MiB,
// so 100,000-row exports stay within modest memory. The header row is bold
// and frozen; every string cell (header included) goes through
// EscapeFormula. It fails when sheets is empty or a name is invalid.
func WriteXLSX(w io.Writer, sheets ...Sheet) error {
	if len(sheets) == 0 {
		return errors.New("write xlsx: no sheets")
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	for i, sh := range sheets {
		name := sh.Name
		if name == "" {
			name = fmt.Sprintf("Sheet%d", i+1)
		}
		if i == 0 {
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("write xlsx: sheet %q: %w", name, err)
		}
		if err := writeSheet(f, name, sh, st); err != nil {
			return fmt.Errorf("write xlsx: sheet %q: %w", name, err)
		}
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

func writeSheet(f *excelize.File, name string, sh Sheet, st styles) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	// Widths and panes must precede the first row in a stream.
	for c, h := range sh.Header {
		width := 0.0
		if c < len(sh.ColWidths) {
			width = sh.ColWidths[c]
		}
		if width <= 0 {
			width = headerWidth(h)
		}
		if err := sw.SetColWidth(c+1, c+1, width); err != nil {
			return err
		}
	}
	// The header row follows the title and the preface; the panes freeze
	// everything down to it.
	headerRow := 1 + len(sh.Preface)
	if sh.Title != "" {
		headerRow++
	}
	if len(sh.Header) > 0 {
		top, err := excelize.CoordinatesToCellName(1, headerRow+1)
		if err != nil {
			return err
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	next := 1
	if sh.Title != "" {
		if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: EscapeFormula(sh.Title)}},
			excelize.RowOpts{Height: 28}); err != nil {
			return err
		}
		if len(sh.Header) > 1 {
			last, err := excelize.CoordinatesToCellName(len(sh.Header), 1)
			if err != nil {
				return err
			}
			if err := sw.MergeCell("A1", last); err != nil {
				return err
			}
		}
		next++
	}
	if next, err = writeRows(sw, sh.Preface, next, st); err != nil {
		return err
	}
	if len(sh.Header) > 0 {
		cells := make([]any, len(sh.Header))
		for c, h := range sh.Header {
			cells[c] = excelize.Cell{StyleID: st.header, Value: EscapeFormula(h)}
		}
		cell, err := excelize.CoordinatesToCellName(1, next)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
		next++
	}
	if _, err := writeRows(sw, sh.Rows, next, st); err != nil {
		return err
	}
	return sw.Flush()
}

// writeRows writes rows from row number next on and returns the number of
// the row after them.
func writeRows(sw *excelize.StreamWriter, rows [][]any, next int, st styles) (int, error) {
	var buf []any
	for _, row := range rows {
		buf = buf[:0]
		for _, v := range row {
			buf = append(buf, exportCell(v, st))
		}
		cell, err := excelize.CoordinatesToCellName(1, next)
		if err != nil {
			return next, err
		}
		if err := sw.SetRow(cell, buf); err != nil {
			return next, err
		}
		next++
	}
	return next, nil
}

// exportCell turns one value into what the stream writer takes.
func exportCell(v any, st styles) any {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return EscapeFormula(v)
	case time.Time:
		if v.IsZero() {
			return nil
		}
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return excelize.Cell{StyleID: st.date, Value: v}
		}
		return excelize.Cell{StyleID: st.dateTime, Value: v}
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, bool:
		return v
	case fmt.Stringer:
		return EscapeFormula(v.String())
	}
	// Named types (type Role string, type Level int) keep their kind: a
	// string is escaped, a number stays a number.
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.String:
		return EscapeFormula(rv.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return rv.Uint()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.Bool:
		return rv.Bool()
	}
	return EscapeFormula(fmt.Sprint(v))
}

// headerWidth estimates a column width from its header: CJK characters
// take two columns.
func headerWidth(h string) float64 {
	w := 0
	for _, r := range h {
		if utf8.RuneLen(r) > 1 {
			w += 2
		} else {
			w++
		}
	}
	return float64(min(max(w+4, 10), 60))
}

// WriteErrorReport writes an import's problems as an .xlsx with the columns
// 行号 (row), 列 (column) and 原因 (reason), in the order given: the
// problems sheet of WriteMarkedReport alone.
func WriteErrorReport(w io.Writer, problems []Problem) error {
	return WriteMarkedReport(w, Report{Problems: problems})
}
