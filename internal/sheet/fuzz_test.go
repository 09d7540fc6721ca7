package sheet_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"kechuang/internal/apperr"
	"kechuang/internal/sheet"
)

// FuzzOpen checks that no input makes Open or Next panic, and that every
// failure is an apperr.Invalid (never an internal error) for the user to see.
// Run longer with: go test -run '^$' -fuzz FuzzOpen -fuzztime 60s ./internal/sheet
func FuzzOpen(f *testing.F) {
	f.Add([]byte("名称,金额\n甲,1\n\n乙,\"2\n3\"\n"), true)
	f.Add([]byte("\xef\xbb\xbf名称\t金额\r\n甲\t1\r\n"), true)
	f.Add([]byte("\xc3\xfb\xb3\xc6,\xbd\xf0\xb6\xee\n\xbc\xd7,1\n"), true) // GBK "名称,金额\n甲,1"
	f.Add([]byte("a,\"b\nc"), true)
	small := buildXLSX(f, func(x *excelize.File) {
		set(f, x, "A1", "名称")
		set(f, x, "B1", 1.5)
		set(f, x, "A3", "甲")
	})
	f.Add(small, false)
	f.Add(small[:len(small)-10], false)
	var tpl bytes.Buffer
	if err := sheet.WriteTemplate(&tpl, templateCols); err != nil {
		f.Fatal(err)
	}
	f.Add(tpl.Bytes(), false)
	f.Fuzz(func(t *testing.T, data []byte, csv bool) {
		name := "upload.xlsx"
		if csv {
			name = "upload.csv"
		}
		lim := sheet.Limits{MaxBytes: 1 << 20, MaxUnzipped: 4 << 20, MaxRows: 1000}
		r, err := sheet.Open(bytes.NewReader(data), int64(len(data)), name, lim)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("Open error = %v, want kind Invalid", err)
			}
			return
		}
		defer r.Close()
		width := len(r.Header())
		for {
			row, n, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				if !apperr.Is(err, apperr.Invalid) {
					t.Fatalf("Next error = %v, want kind Invalid", err)
				}
				return
			}
			if len(row) < width || n <= r.HeaderRow() {
				t.Fatalf("Next() = %d cells at row %d; header has %d cells at row %d", len(row), n, width, r.HeaderRow())
			}
		}
	})
}

// FuzzXLSXSheetXML feeds arbitrary sheet XML (the content of <sheetData>)
// and shared strings to the streaming .xlsx reader: it must never panic,
// every failure must be an apperr.Invalid, row numbers must rise, and no
// cell may exceed the cell limit.
// Run longer with: go test -run '^$' -fuzz FuzzXLSXSheetXML -fuzztime 60s ./internal/sheet
func FuzzXLSXSheetXML(f *testing.F) {
	f.Add(`<row r="1"><c t="inlineStr"><is><t>名称</t></is></c></row><row r="2"><c><v>1.5</v></c></row>`, `<si><t>a</t></si>`)
	f.Add(`<row><c t="s"><v>0</v></c><c s="1"><v>45000</v></c></row><row><c t="b"><v>1</v></c></row>`, `<si><r><t>苏</t></r><rPh><t>x</t></rPh></si>`)
	f.Add(`<row r="1"><c r="B1" t="inlineStr"><is><t><![CDATA[<&>]]></t></is></c></row><row r="3"><c t="e"><v>#N/A</v></c></row>`, ``)
	f.Add(`<row r="1"><c t="inlineStr"><is><t>a_x000D_b&#x4E00;&amp;</t></is></c></row><!-- c --><?pi x?>`, `<si><t>`+strings.Repeat("长", 40)+`</t></si>`)
	f.Add(`<row r="1"><c t="inlineStr"><is><t>坏`+"\x01"+`</t></is></c></row>`, ``)
	f.Add(`<row r="2"><c r="A2"><f>SUM(A1)</f><v>3</v></c></row><row r="1">`, `<si><t>x`)
	f.Fuzz(func(t *testing.T, sheetData, sst string) {
		data := rawXLSX(t, sheetData, sst)
		lim := sheet.Limits{MaxCellChars: 30, MaxRowBytes: 200, MaxRows: 1000}
		r, err := sheet.Open(bytes.NewReader(data), int64(len(data)), "fuzz.xlsx", lim)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("Open error = %v, want kind Invalid", err)
			}
			return
		}
		defer r.Close()
		last := r.HeaderRow()
		for {
			row, n, err := r.Next()
			var re *sheet.RowError
			switch {
			case errors.Is(err, io.EOF):
				return
			case errors.As(err, &re):
				row, n = re.Cells, re.Row
			case err != nil:
				if !apperr.Is(err, apperr.Invalid) {
					t.Fatalf("Next error = %v, want kind Invalid", err)
				}
				return
			}
			if n <= last {
				t.Fatalf("row %d after row %d", n, last)
			}
			last = n
			for _, c := range row {
				if utf8.RuneCountInString(c) > lim.MaxCellChars {
					t.Fatalf("row %d has a cell of %d characters", n, utf8.RuneCountInString(c))
				}
			}
		}
	})
}
