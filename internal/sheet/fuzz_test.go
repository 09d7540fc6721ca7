package sheet_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

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
