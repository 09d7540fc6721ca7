package sheet

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Headers of the columns an error report adds to the file's own. An
// importer ignores them, so that a user can correct the rows in the
// report and import it again.
const (
	ReportReasonHeader = "错误原因"
	ReportRowHeader    = "原行号"
)

// Report is an import's error report: the file's header and, for the rows
// that had problems, their cells as they were read, with the problems.
type Report struct {
	Header    []string       `json:"header,omitempty"`     // the file's header row; nil when the file had none
	HeaderRow int            `json:"header_row,omitempty"` // its row number
	Rows      []ReportRow    `json:"rows,omitempty"`       // rows with problems, in file order
	Problems  []Problem      `json:"-"`                    // the problems listed one by one
	More      []ProblemCount `json:"more,omitempty"`       // problems past those listed, counted
}

// ReportRow is one row of the file as it was read.
type ReportRow struct {
	Row   int      `json:"row"`
	Cells []string `json:"cells"`
}

// ProblemCount counts the problems of one column and reason that a
// bounded report does not list one by one.
type ProblemCount struct {
	Column string `json:"column"`
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// WriteMarkedReport writes r as an .xlsx workbook. Its first sheet, 错误数据,
// holds the rows that had problems with the file's header and cells as
// they were read, each bad cell filled red with its reasons as a comment,
// then a column 错误原因 with every reason of the row and a column 原行号 with
// the row's number in the file; the header row is included, marked, when
// the problems were in it. Its second sheet, 问题列表, lists every problem
// (行号, 列, 原因) and then the counted ones. Without a header only the
// second sheet is written. Text goes through EscapeFormula.
func WriteMarkedReport(w io.Writer, r Report) error {
	f := excelize.NewFile()
	defer f.Close()
	const list = "问题列表"
	first := "Sheet1"
	if len(r.Header) > 0 {
		if err := f.SetSheetName(first, "错误数据"); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		if err := writeMarkedRows(f, "错误数据", r); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		if _, err := f.NewSheet(list); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else if err := f.SetSheetName(first, list); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := writeProblemList(f, list, r); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func writeMarkedRows(f *excelize.File, name string, r Report) error {
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	bad, err := f.NewStyle(&excelize.Style{
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
		Font:      &excelize.Font{Color: "9C0006"},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
	})
	if err != nil {
		return err
	}
	reasonStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "9C0006"}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	width := len(r.Header)
	for _, row := range r.Rows {
		width = max(width, len(row.Cells))
	}
	// Reasons by row, and by row and 0-based cell.
	byRow := map[int][]string{}
	byCell := map[[2]int][]string{}
	for _, p := range r.Problems {
		text := p.Reason
		if p.Column != "" {
			text = p.Column + "：" + p.Reason
		}
		byRow[p.Row] = append(byRow[p.Row], text)
		if p.Cell > 0 && p.Cell <= width {
			byCell[[2]int{p.Row, p.Cell - 1}] = append(byCell[[2]int{p.Row, p.Cell - 1}], p.Reason)
		}
	}
	header := make([]any, 0, width+2)
	for _, h := range r.Header {
		header = append(header, EscapeFormula(h))
	}
	for len(header) < width {
		header = append(header, "")
	}
	header = append(header, ReportReasonHeader, ReportRowHeader)
	if err := f.SetSheetRow(name, "A1", &header); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 1)
	if err := f.SetCellStyle(name, "A1", last, st.header); err != nil {
		return err
	}
	for c := range header {
		w := 14.0
		if c == width {
			w = 60
		}
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(name, col, col, w); err != nil {
			return err
		}
	}
	if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	// The file's header row comes first when it had problems.
	rows := r.Rows
	if r.HeaderRow > 0 && len(byRow[r.HeaderRow]) > 0 {
		rows = append([]ReportRow{{Row: r.HeaderRow, Cells: r.Header}}, rows...)
	}
	for i, row := range rows {
		line := i + 2
		values := make([]any, 0, width+2)
		for _, c := range row.Cells {
			values = append(values, EscapeFormula(c))
		}
		for len(values) < width {
			values = append(values, "")
		}
		values = append(values, EscapeFormula(strings.Join(byRow[row.Row], "；")), row.Row)
		start, _ := excelize.CoordinatesToCellName(1, line)
		if err := f.SetSheetRow(name, start, &values); err != nil {
			return err
		}
		reason, _ := excelize.CoordinatesToCellName(width+1, line)
		if err := f.SetCellStyle(name, reason, reason, reasonStyle); err != nil {
			return err
		}
		for c := 0; c < width; c++ {
			reasons := byCell[[2]int{row.Row, c}]
			if len(reasons) == 0 {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, line)
			if err := f.SetCellStyle(name, cell, cell, bad); err != nil {
				return err
			}
			text := EscapeFormula(strings.Join(reasons, "\n"))
			if err := f.AddComment(name, excelize.Comment{Cell: cell, Author: "kechuang",
				Paragraph: []excelize.RichTextRun{{Text: text}}}); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeProblemList(f *excelize.File, name string, r Report) error {
	rows := make([][]any, 0, len(r.Problems)+len(r.More))
	for _, p := range r.Problems {
		var row any
		if p.Row > 0 {
			row = p.Row
		}
		rows = append(rows, []any{row, p.Column, p.Reason})
	}
	for _, m := range r.More {
		rows = append(rows, []any{nil, m.Column, fmt.Sprintf("%s（另有 %d 处，未逐条列出）", m.Reason, m.Count)})
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	return writeSheet(f, name, Sheet{Header: []string{"行号", "列", "原因"}, Rows: rows, ColWidths: []float64{8, 24, 80}}, st)
}
