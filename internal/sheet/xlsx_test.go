package sheet_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"kechuang/internal/apperr"
	"kechuang/internal/sheet"
)

// TestNumberFormatsMatchExcelize checks the reader's display of numbers
// against excelize's (which the reader replaced) for the number formats
// people put on data columns. Scientific and fraction formats are not
// compared: the reader gives their full number instead.
func TestNumberFormatsMatchExcelize(t *testing.T) {
	t.Parallel()
	formats := []string{"0", "0.00", "#,##0", "#,##0.00", "0%", "0.00%", "0.0", "#,##0.000", `0.00"万元"`, `"¥"#,##0.00`,
		`#,##0;-#,##0`, `#,##0.00;[Red]-#,##0.00`, `0.00_);(0.00)`, `#,##0.00 ;(#,##0.00)`, `000000`, `0.###`, `#,##0,`,
		`[$¥-804]#,##0.00`, `0.0%`, `00.00`}
	values := []float64{0, 1, -1, 0.5, 1234.5, -1234.567, 1234567.891, 0.001, 99.995, 320583, 12.5, -0.25, 1e6, 42}
	f := excelize.NewFile()
	defer f.Close()
	type cell struct{ ref, format string }
	var cells []cell
	for c, code := range formats {
		code := code
		style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			t.Fatal(err)
		}
		for r, v := range values {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+2)
			if err := f.SetCellValue("Sheet1", ref, v); err != nil {
				t.Fatal(err)
			}
			if err := f.SetCellStyle("Sheet1", ref, ref, style); err != nil {
				t.Fatal(err)
			}
			cells = append(cells, cell{ref, code})
		}
		ref, _ := excelize.CoordinatesToCellName(c+1, 1)
		set(t, f, ref, fmt.Sprintf("h%d", c))
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	_, rows, err := readAll(t, data, "formats.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	oracle, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer oracle.Close()
	for _, c := range cells {
		col, row, _ := excelize.CellNameToCoordinates(c.ref)
		want, err := oracle.GetCellValue("Sheet1", c.ref)
		if err != nil {
			t.Fatal(err)
		}
		want = strings.TrimSpace(want)
		got := rows[row-2].Cells[col-1]
		if got != want {
			t.Errorf("value %v in format %q: got %q, excelize shows %q", values[row-2], c.format, got, want)
		}
	}
}

// TestNumberFormatsWhereExcelizeDiffers pins the formats on which the
// reader follows Excel rather than excelize.
func TestNumberFormatsWhereExcelizeDiffers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format string
		value  float64
		want   string
	}{
		{`0.00;-0.00;"-"`, 0, "-"},           // the zero section (excelize: 0.00)
		{`0.00;-0.00;"-"`, -2, "-2.00"},      // the negative section
		{`General"元"`, 12.5, "12.5元"},        // literal after General (excelize drops it)
		{`#,###`, 0, ""},                     // no 0 placeholder: zero shows nothing
		{`#,###`, 1234.5, "1,235"},           // half away from zero
		{`000-0000`, 5551234, "555-1234"},    // literals between placeholders
		{`0.00E+00`, 12345.678, "12345.678"}, // scientific: the full number
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			data := buildXLSX(t, func(f *excelize.File) {
				code := tt.format
				style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
				if err != nil {
					t.Fatal(err)
				}
				set(t, f, "A1", "h")
				set(t, f, "A2", tt.value)
				if err := f.SetCellStyle("Sheet1", "A2", "A2", style); err != nil {
					t.Fatal(err)
				}
			})
			_, rows, err := readAll(t, data, "f.xlsx", sheet.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if len(rows) > 0 {
				got = rows[0].Cells[0]
			}
			if got != tt.want {
				t.Errorf("%v in format %q = %q, want %q", tt.value, tt.format, got, tt.want)
			}
		})
	}
}

// rawXLSX builds a workbook from the XML of its sheet (the <sheetData>
// content) and, optionally, its shared strings (the <si> elements).
func rawXLSX(t testing.TB, sheetData, sharedStrings string) []byte {
	t.Helper()
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"xl/workbook.xml":     `<?xml version="1.0" encoding="UTF-8"?><workbook ` + ns + `><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/></Relationships>`,
		"xl/worksheets/data.xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<worksheet ` + ns + `><sheetData>` + sheetData + `</sheetData></worksheet>`,
	}
	if sharedStrings != "" {
		parts["xl/sharedStrings.xml"] = `<?xml version="1.0" encoding="UTF-8"?><sst ` + ns + `>` + sharedStrings + `</sst>`
	}
	return zipOf(t, parts)
}

func TestReadXLSXMarkup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sheet     string
		sst       string
		wantRows  []gotRow
		wantError string // message key, when reading ends in an error
	}{
		{
			name: "shared, inline, rich and escaped text",
			sst: `<si><t>名称</t></si><si><r><rPr><b/></rPr><t>苏州</t></r><r><t xml:space="preserve"> 甲 </t></r><rPh><t>スズ</t></rPh></si>` +
				`<si><t>a_x000D_b_x005F_x0041_</t></si><si><t><![CDATA[<&>]]></t></si>`,
			sheet: `<row r="1"><c r="A1" t="s"><v>0</v></c></row>` +
				`<row r="2"><c r="A2" t="s"><v>1</v></c></row>` +
				`<row r="3"><c r="A3" t="s"><v>2</v></c></row>` +
				`<row r="4"><c r="A4" t="inlineStr"><is><t>内&amp;联&#x4E00;</t></is></c></row>` +
				`<row r="5"><c r="A5" t="s"><v>3</v></c></row>`,
			wantRows: []gotRow{{2, []string{"苏州 甲"}}, {3, []string{"a\rb_x0041_"}}, {4, []string{"内&联一"}}, {5, []string{"<&>"}}},
		},
		{
			name:     "booleans, errors, formulas and namespaced tags",
			sheet:    `<row><c t="inlineStr"><is><t>h</t></is></c></row><x:row><x:c t="b"><x:v>1</x:v></x:c><c t="e"><v>#N/A</v></c><c><f>1+1</f><v>2</v></c></x:row>`,
			wantRows: []gotRow{{2, []string{"TRUE", "#N/A", "2"}}},
		},
		{
			name:     "cells without references and gaps",
			sheet:    `<row r="1"><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c><c t="inlineStr"><is><t>c</t></is></c></row><row r="7"><c r="C7"><v>3</v></c></row>`,
			wantRows: []gotRow{{7, []string{"", "", "3"}}},
		},
		{
			name:      "illegal character ends the file at its row",
			sheet:     `<row r="1"><c t="inlineStr"><is><t>h</t></is></c></row><row r="2"><c><v>2</v></c></row><row r="3"><c><v>3</v></c></row><row r="4"><c t="inlineStr"><is><t>坏` + "\x01" + `</t></is></c></row><row r="5"><c><v>5</v></c></row>`,
			wantRows:  []gotRow{{2, []string{"2"}}, {3, []string{"3"}}},
			wantError: "sheet.illegal_char",
		},
		{
			name:      "character reference to an illegal character",
			sheet:     `<row r="1"><c t="inlineStr"><is><t>h</t></is></c></row><row r="2"><c t="inlineStr"><is><t>&#1;</t></is></c></row>`,
			wantError: "sheet.illegal_char",
		},
		{
			name:      "illegal character in a shared string",
			sst:       `<si><t>h</t></si><si><t>坏` + "\x02" + `</t></si>`,
			sheet:     `<row r="1"><c t="s"><v>0</v></c></row><row r="2"><c t="s"><v>1</v></c></row>`,
			wantError: "sheet.illegal_char_file",
		},
		{
			name:      "unclosed row",
			sheet:     `<row r="1"><c t="inlineStr"><is><t>h</t></is></c></row><row r="2"><c><v>2</v></c>`,
			wantError: "sheet.corrupt_row",
		},
		{
			name:      "rows out of order",
			sheet:     `<row r="2"><c t="inlineStr"><is><t>h</t></is></c></row><row r="1"><c><v>2</v></c></row>`,
			wantError: "sheet.corrupt_row",
		},
		{
			name:      "shared string out of range",
			sheet:     `<row r="1"><c t="inlineStr"><is><t>h</t></is></c></row><row r="2"><c t="s"><v>7</v></c></row>`,
			wantError: "sheet.corrupt_row",
		},
		{
			name:      "a cell far to the right",
			sheet:     `<row r="1"><c t="inlineStr"><is><t>h</t></is></c></row><row r="2"><c r="XFD2"><v>1</v></c></row>`,
			wantError: "sheet.too_many_columns",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := rawXLSX(t, tt.sheet, tt.sst)
			_, rows, err := readAll(t, data, "raw.xlsx", sheet.Limits{})
			if diff := cmp.Diff(tt.wantRows, rows); diff != "" {
				t.Errorf("rows mismatch (-want +got):\n%s", diff)
			}
			e := apperr.As(err)
			switch {
			case tt.wantError == "" && err != nil:
				t.Errorf("read error = %v, want none", err)
			case tt.wantError != "" && (e == nil || e.Key != tt.wantError):
				t.Errorf("read error = %v, want %s", err, tt.wantError)
			}
		})
	}
}

// TestReadXLSXIllegalCharacterNamesRow guards against the import that
// silently lost rows 5–7 of a file with an illegal character in row 4 and
// said it was done: the reader now stops with an error naming row 4.
func TestReadXLSXIllegalCharacterNamesRow(t *testing.T) {
	t.Parallel()
	var sheetData strings.Builder
	sheetData.WriteString(`<row r="1"><c t="inlineStr"><is><t>名称</t></is></c></row>`)
	for r := 2; r <= 7; r++ {
		text := fmt.Sprintf("第%d行", r)
		if r == 4 {
			text += "\x0B"
		}
		fmt.Fprintf(&sheetData, `<row r="%d"><c t="inlineStr"><is><t>%s</t></is></c></row>`, r, text)
	}
	_, rows, err := readAll(t, rawXLSX(t, sheetData.String(), ""), "bad.xlsx", sheet.Limits{})
	e := apperr.As(err)
	if e == nil || e.Key != "sheet.illegal_char" || len(e.Args) < 2 || e.Args[0] != 4 || e.Args[1] != "U+000B" {
		t.Fatalf("read error = %v, want sheet.illegal_char at row 4, U+000B", err)
	}
	if len(rows) != 2 {
		t.Errorf("rows before the error = %v, want rows 2 and 3", rows)
	}
}

// hugeSST returns a workbook whose header row's shared string A1 is n
// characters long, followed by a normal data row.
func hugeSST(t testing.TB, n int) []byte {
	t.Helper()
	return rawXLSX(t, `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`+
		`<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>0</v></c></row>`,
		`<si><t>`+strings.Repeat("大", n)+`</t></si><si><t>名称</t></si>`)
}

func TestReadXLSXCellLimits(t *testing.T) {
	t.Parallel()
	lim := sheet.Limits{MaxCellChars: 100, MaxRowBytes: 600}
	long := strings.Repeat("长", 101)
	fits := strings.Repeat("长", 100)
	inline := func(ref, s string) string { return `<c r="` + ref + `" t="inlineStr"><is><t>` + s + `</t></is></c>` }
	header := `<row r="1">` + inline("A1", "甲") + inline("B1", "乙") + inline("C1", "丙") + `</row>`
	data := rawXLSX(t, header+
		`<row r="2">`+inline("A2", fits)+inline("B2", "x")+`</row>`+
		`<row r="3">`+inline("A3", "ok")+inline("B3", long)+`</row>`+
		`<row r="4">`+inline("A4", fits)+inline("B4", fits)+inline("C4", "尾")+`</row>`+
		`<row r="5"><c r="A5" t="s"><v>0</v></c></row>`, `<si><t>`+long+`</t></si>`)
	r, err := sheet.Open(bytes.NewReader(data), int64(len(data)), "limits.xlsx", lim)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	type got struct {
		Row    int
		Cells  []string
		Issues []sheet.Issue
	}
	var rows []got
	for {
		cells, n, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *sheet.RowError
		if errors.As(err, &re) {
			rows = append(rows, got{re.Row, re.Cells, re.Issues})
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, got{n, cells, nil})
	}
	want := []got{
		{2, []string{fits, "x", ""}, nil},
		{3, []string{"ok", "", ""}, []sheet.Issue{{Col: 1, Key: "sheet.cell_too_long", Args: []any{3, "B", 100}}}},
		// 长 is 3 bytes: two full cells are 600 bytes, so the third is over.
		{4, []string{fits, fits, ""}, []sheet.Issue{{Col: -1, Key: "sheet.row_too_long", Args: []any{4, 0}}}},
		{5, []string{"", "", ""}, []sheet.Issue{{Col: 0, Key: "sheet.cell_too_long", Args: []any{5, "A", 100}}}},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
}

// TestReadXLSXHugeHeaderCell guards against the 195 KB upload whose header
// held one 190 MB shared string: the reader refuses it naming row 1 and
// column A without ever holding the string.
//
// Not parallel: it measures the process's allocation.
func TestReadXLSXHugeHeaderCell(t *testing.T) {
	const n = 16 << 20 // 48 MB of text in the part
	data := hugeSST(t, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := sheet.Open(bytes.NewReader(data), int64(len(data)), "huge.xlsx", sheet.Limits{})
	runtime.ReadMemStats(&after)
	var re *sheet.RowError
	if !errors.As(err, &re) || re.Row != 1 || re.Issues[0].Key != "sheet.cell_too_long" || re.Issues[0].Args[1] != "A" {
		t.Fatalf("Open(huge header) error = %v, want a RowError for row 1 column A", err)
	}
	if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid {
		t.Errorf("the RowError does not unwrap to an Invalid error: %v", err)
	}
	// The string alone would be 48 MB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("Open(huge header) allocated %d MB, want well under the cell's size", alloc>>20)
	}
}

// TestReadXLSXTextBudget checks that the text budget counts what reading
// allocates: inline text does, one shared string used in every cell does
// not (each cell is a substring of the table).
func TestReadXLSXTextBudget(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("文", 1000)
	for _, tt := range []struct {
		name    string
		cell    string
		wantKey string
	}{
		{"shared", `<c t="s"><v>0</v></c>`, ""},
		{"inline", `<c t="inlineStr"><is><t>` + long + `</t></is></c>`, "sheet.too_much_text"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// 100 rows of two 3,000-byte cells: 600 KB of text.
			var sheetData strings.Builder
			sheetData.WriteString(`<row r="1"><c t="inlineStr"><is><t>甲</t></is></c><c t="inlineStr"><is><t>乙</t></is></c></row>`)
			for r := 2; r <= 101; r++ {
				fmt.Fprintf(&sheetData, `<row r="%d">%s%s</row>`, r, tt.cell, tt.cell)
			}
			data := rawXLSX(t, sheetData.String(), `<si><t>`+long+`</t></si>`)
			_, rows, err := readAll(t, data, "budget.xlsx", sheet.Limits{MaxText: 256 << 10})
			if key := ""; tt.wantKey != "" {
				if e := apperr.As(err); e != nil {
					key = e.Key
				}
				if key != tt.wantKey {
					t.Errorf("read error = %v, want %s", err, tt.wantKey)
				}
			} else if err != nil || len(rows) != 100 {
				t.Errorf("read = %d rows, %v; want 100 rows", len(rows), err)
			}
		})
	}
}

func TestReadCSVCellLimits(t *testing.T) {
	t.Parallel()
	data := []byte("甲,乙\n" + strings.Repeat("x", 11) + ",ok\n")
	r, err := sheet.Open(bytes.NewReader(data), int64(len(data)), "a.csv", sheet.Limits{MaxCellChars: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, _, err = r.Next()
	var re *sheet.RowError
	if !errors.As(err, &re) || re.Row != 2 || re.Issues[0].Col != 0 || re.Cells[1] != "ok" {
		t.Errorf("Next() error = %v, want a RowError for row 2 column A keeping column B", err)
	}
}

func TestColumnName(t *testing.T) {
	t.Parallel()
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := sheet.ColumnName(i); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", i, got, want)
		}
	}
}
