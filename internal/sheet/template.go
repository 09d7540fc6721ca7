package sheet

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Sheet names in an import template.
const (
	TemplateDataSheet    = "数据"
	TemplateHelpSheet    = "填写说明"
	templateOptionsSheet = "选项" // hidden; holds the dropdown lists
)

// RequiredMark prefixes the header of a required column in a template;
// MapHeader ignores it.
const RequiredMark = "*"

// WriteTemplate writes an import template for cols as .xlsx to w. The first
// sheet (数据) has the headers — required ones prefixed with RequiredMark
// and in red — one example row (grey), the header frozen, every column
// formatted as text (so 18-digit codes and dates stay as typed), and a
// dropdown for each column with Allowed values. The second sheet (填写说明)
// lists every column with 是否必填, 可选值, 说明 and 示例. It fails when cols
// is empty or two columns share a header.
func WriteTemplate(w io.Writer, cols []Column) error {
	if len(cols) == 0 {
		return errors.New("write template: no columns")
	}
	seen := map[string]bool{}
	for _, c := range cols {
		n := normHeader(c.Header)
		if n == "" || seen[n] {
			return fmt.Errorf("write template: empty or duplicate header %q", c.Header)
		}
		seen[n] = true
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := writeTemplate(f, cols); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

func writeTemplate(f *excelize.File, cols []Column) error {
	const data = TemplateDataSheet
	if err := f.SetSheetName("Sheet1", data); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	required, err := f.NewStyle(&excelize.Style{
		Font:   &excelize.Font{Bold: true, Color: "C00000"},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		NumFmt: 49,
	})
	if err != nil {
		return err
	}
	optional, err := f.NewStyle(&excelize.Style{
		Font:   &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		NumFmt: 49,
	})
	if err != nil {
		return err
	}
	example, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}, NumFmt: 49})
	if err != nil {
		return err
	}
	// The help sheet is created now so that it comes second, before the
	// hidden options sheet.
	if _, err := f.NewSheet(TemplateHelpSheet); err != nil {
		return err
	}
	lastCol, _ := excelize.ColumnNumberToName(len(cols))
	if err := f.SetColStyle(data, "A:"+lastCol, text); err != nil {
		return err
	}
	optionCol := 0
	for i, c := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		header, style := c.Header, optional
		if c.Required {
			header, style = RequiredMark+c.Header, required
		}
		if err := f.SetCellStr(data, name+"1", EscapeFormula(header)); err != nil {
			return err
		}
		if err := f.SetCellStyle(data, name+"1", name+"1", style); err != nil {
			return err
		}
		if err := f.SetCellStr(data, name+"2", EscapeFormula(c.Example)); err != nil {
			return err
		}
		if err := f.SetCellStyle(data, name+"2", name+"2", example); err != nil {
			return err
		}
		if err := f.SetColWidth(data, name, name, max(headerWidth(header), float64(len([]rune(c.Example)))+2)); err != nil {
			return err
		}
		if len(c.Allowed) == 0 {
			continue
		}
		// The list lives on a hidden sheet: an inline list is limited to
		// 255 characters and cannot hold commas.
		if optionCol == 0 {
			if _, err := f.NewSheet(templateOptionsSheet); err != nil {
				return err
			}
		}
		optionCol++
		optName, _ := excelize.ColumnNumberToName(optionCol)
		for j, v := range c.Allowed {
			if err := f.SetCellStr(templateOptionsSheet, fmt.Sprintf("%s%d", optName, j+1), EscapeFormula(v)); err != nil {
				return err
			}
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", name, name, DefaultMaxRows+1)
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$1:$%s$%d", templateOptionsSheet, optName, optName, len(c.Allowed)))
		dv.SetError(excelize.DataValidationErrorStyleStop, "输入有误", truncate("请从下拉列表中选择："+strings.Join(c.Allowed, "、"), 250))
		if c.Note != "" {
			dv.SetInput(truncate(c.Header, 30), truncate(c.Note, 250))
		}
		if err := f.AddDataValidation(data, dv); err != nil {
			return err
		}
	}
	if err := f.SetPanes(data, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := writeHelp(f, cols, optional); err != nil {
		return err
	}
	if optionCol > 0 {
		if err := f.SetSheetVisible(templateOptionsSheet, false); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	return nil
}

func writeHelp(f *excelize.File, cols []Column, headerStyle int) error {
	const help = TemplateHelpSheet
	rows := [][]string{{"列名", "是否必填", "可选值", "说明", "示例"}}
	for _, c := range cols {
		req := "否"
		if c.Required {
			req = "是"
		}
		rows = append(rows, []string{c.Header, req, strings.Join(c.Allowed, "、"), c.Note, c.Example})
	}
	rows = append(rows, nil,
		[]string{"注意：第 1 行为表头，请勿修改；带 " + RequiredMark + " 的列为必填。"},
		[]string{"第 2 行为示例，导入前请删除或改为真实数据；日期请写成 2026-01-05。"},
	)
	for r, row := range rows {
		for c, v := range row {
			name, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr(help, name, EscapeFormula(v)); err != nil {
				return err
			}
		}
	}
	if err := f.SetCellStyle(help, "A1", "E1", headerStyle); err != nil {
		return err
	}
	for col, width := range map[string]float64{"A": 24, "B": 10, "C": 30, "D": 50, "E": 24} {
		if err := f.SetColWidth(help, col, col, width); err != nil {
			return err
		}
	}
	return nil
}

// truncate cuts s to at most n characters (Excel's limits on prompts).
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
