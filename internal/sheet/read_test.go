package sheet_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"kechuang/internal/apperr"
	"kechuang/internal/sheet"
)

// gotRow is one row as Next returned it.
type gotRow struct {
	Num   int
	Cells []string
}

// readAll opens data and returns the header and every row.
func readAll(t *testing.T, data []byte, name string, lim sheet.Limits) ([]string, []gotRow, error) {
	t.Helper()
	r, err := sheet.Open(bytes.NewReader(data), int64(len(data)), name, lim)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var rows []gotRow
	for {
		row, n, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r.Header(), rows, nil
		}
		if err != nil {
			return r.Header(), rows, err
		}
		rows = append(rows, gotRow{n, row})
	}
}

// buildXLSX returns a workbook made by fill on its first sheet "Sheet1".
func buildXLSX(t testing.TB, fill func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	fill(f)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func set(t testing.TB, f *excelize.File, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue("Sheet1", cell, v); err != nil {
		t.Fatal(err)
	}
}

func TestOpenXLSX(t *testing.T) {
	t.Parallel()
	data := buildXLSX(t, func(f *excelize.File) {
		// Row 1 is blank: the header is the first non-blank row.
		set(t, f, "A2", " 企业名称 ")
		set(t, f, "B2", "营业收入（万元）")
		set(t, f, "C2", "成立日期")
		set(t, f, "D2", "统一社会信用代码")
		set(t, f, "A3", "苏州甲科技有限公司")
		set(t, f, "B3", 0.1+0.2) // stored as 0.30000000000000004
		set(t, f, "C3", time.Date(2021, 3, 9, 0, 0, 0, 0, time.UTC))
		set(t, f, "D3", "913205051234567890")
		// Row 4 is blank and skipped; row 5 has a short row.
		set(t, f, "A5", "苏州乙公司")
		set(t, f, "B5", 1.0000000002)
		set(t, f, "A6", "")
		set(t, f, "B7", 12345678)
		dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		if err != nil {
			t.Fatal(err)
		}
		set(t, f, "C7", 45000) // a date serial with the locale's short-date format
		if err := f.SetCellStyle("Sheet1", "C7", "C7", dateStyle); err != nil {
			t.Fatal(err)
		}
	})
	header, rows, err := readAll(t, data, "upload.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	wantHeader := []string{"企业名称", "营业收入（万元）", "成立日期", "统一社会信用代码"}
	if diff := cmp.Diff(wantHeader, header); diff != "" {
		t.Errorf("Header() mismatch (-want +got):\n%s", diff)
	}
	want := []gotRow{
		{3, []string{"苏州甲科技有限公司", "0.3", "2021-03-09", "913205051234567890"}},
		{5, []string{"苏州乙公司", "1.0000000002", "", ""}},
		{7, []string{"", "12345678", "2023-03-15", ""}},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
}

func TestOpenXLSXFormats(t *testing.T) {
	t.Parallel()
	styled := func(f *excelize.File, cell string, v any, st *excelize.Style) {
		t.Helper()
		id, err := f.NewStyle(st)
		if err != nil {
			t.Fatal(err)
		}
		set(t, f, cell, v)
		if err := f.SetCellStyle("Sheet1", cell, cell, id); err != nil {
			t.Fatal(err)
		}
	}
	cn, twoDecimals := `yyyy"年"m"月"d"日"`, "0.00"
	data := buildXLSX(t, func(f *excelize.File) {
		set(t, f, "A1", "h")
		set(t, f, "A2", time.Date(2026, 1, 5, 9, 30, 15, 0, time.UTC)) // style 22, date and time
		styled(f, "A3", 0.5, &excelize.Style{NumFmt: 21})              // h:mm:ss
		styled(f, "A4", 46027, &excelize.Style{CustomNumFmt: &cn})
		styled(f, "A5", "不是日期", &excelize.Style{NumFmt: 14})
		styled(f, "A6", 1234.5, &excelize.Style{CustomNumFmt: &twoDecimals})
		set(t, f, "A7", true)
		set(t, f, "A8", 123456789012)
	})
	_, rows, err := readAll(t, data, "formats.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Cells[0])
	}
	want := []string{"2026-01-05 09:30:15", "12:00:00", "2026-01-05", "不是日期", "1234.50", "TRUE", "123456789012"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cells mismatch (-want +got):\n%s", diff)
	}
}

func TestOpenSheetByName(t *testing.T) {
	t.Parallel()
	data := buildXLSX(t, func(f *excelize.File) {
		set(t, f, "A1", "first")
		if _, err := f.NewSheet("企业"); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellValue("企业", "A1", "second"); err != nil {
			t.Fatal(err)
		}
	})
	r, err := sheet.OpenSheet(bytes.NewReader(data), int64(len(data)), "x.xlsx", "企业", sheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Header(); len(got) != 1 || got[0] != "second" {
		t.Errorf("OpenSheet(企业).Header() = %q, want [second]", got)
	}
	_, err = sheet.OpenSheet(bytes.NewReader(data), int64(len(data)), "x.xlsx", "没有", sheet.Limits{})
	if e := apperr.As(err); e == nil || e.Key != "sheet.no_sheet" {
		t.Errorf("OpenSheet(没有) error = %v, want sheet.no_sheet", err)
	}
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16le(t *testing.T, s string) []byte {
	t.Helper()
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenCSV(t *testing.T) {
	t.Parallel()
	const text = "企业名称,营业收入（万元）,成立日期\r\n苏州甲公司,1234.5,2021/3/9\r\n\r\n\"苏州乙,有限公司\",\"多\n行\",\r\n,,\r\n丙,-1,2021年3月9日\r\n"
	wantHeader := []string{"企业名称", "营业收入（万元）", "成立日期"}
	wantRows := []gotRow{
		{2, []string{"苏州甲公司", "1234.5", "2021-03-09"}},
		{4, []string{"苏州乙,有限公司", "多\n行", ""}},
		{6, []string{"丙", "-1", "2021-03-09"}},
	}
	tests := []struct {
		name string
		data []byte
	}{
		{name: "utf-8", data: []byte(text)},
		{name: "utf-8 with BOM", data: append([]byte{0xEF, 0xBB, 0xBF}, text...)},
		{name: "gbk", data: gbk(t, text)},
		{name: "utf-16 tab separated", data: utf16le(t, strings.ReplaceAll(strings.ReplaceAll(text, ",", "\t"), "\"苏州乙\t有限公司\"", "\"苏州乙,有限公司\""))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, rows, err := readAll(t, tt.data, "导入.CSV", sheet.Limits{})
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if diff := cmp.Diff(wantHeader, header); diff != "" {
				t.Errorf("Header() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantRows, rows); diff != "" {
				t.Errorf("rows mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenRejects(t *testing.T) {
	t.Parallel()
	small := buildXLSX(t, func(f *excelize.File) {
		set(t, f, "A1", "名称")
		set(t, f, "B1", "金额")
		for r := 2; r <= 6; r++ {
			set(t, f, "A"+string(rune('0'+r)), "x")
		}
	})
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	tests := []struct {
		name    string
		data    []byte
		file    string
		lim     sheet.Limits
		wantKey string
	}{
		{name: "too large", data: small, file: "a.xlsx", lim: sheet.Limits{MaxBytes: 100}, wantKey: "sheet.too_large"},
		{name: "empty file", data: nil, file: "a.csv", wantKey: "sheet.empty"},
		{name: "only blank rows", data: []byte("\r\n,,\r\n"), file: "a.csv", wantKey: "sheet.empty"},
		{name: "image", data: png, file: "photo.png", wantKey: "sheet.not_spreadsheet"},
		{name: "binary named csv", data: png, file: "photo.csv", wantKey: "sheet.not_spreadsheet"},
		{name: "word document", data: zipOf(t, map[string]string{"word/document.xml": "<w/>"}), file: "a.docx", wantKey: "sheet.not_spreadsheet"},
		{name: "encrypted or xls", data: append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), file: "a.xlsx", wantKey: "sheet.encrypted"},
		{name: "truncated zip", data: small[:len(small)/2], file: "a.xlsx", wantKey: "sheet.corrupt"},
		{name: "broken workbook", data: zipOf(t, map[string]string{"xl/workbook.xml": "<not xml"}), file: "a.xlsx", wantKey: "sheet.corrupt"},
		{name: "too many rows", data: small, file: "a.xlsx", lim: sheet.Limits{MaxRows: 4}, wantKey: "sheet.too_many_rows"},
		{name: "too many columns", data: []byte("a,b,c\n1,2,3\n"), file: "a.csv", lim: sheet.Limits{MaxCols: 2}, wantKey: "sheet.too_many_columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, tt.data, tt.file, tt.lim)
			e := apperr.As(err)
			if e == nil || e.Kind != apperr.Invalid || e.Key != tt.wantKey {
				t.Errorf("read %s: error = %v, want Invalid %s", tt.name, err, tt.wantKey)
			}
		})
	}
}

// bombXLSX returns a valid-looking workbook whose sheet XML is sheetBytes of
// highly compressible text.
func bombXLSX(t testing.TB, sheetBytes int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	add("xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>`)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("<!-- aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa -->"), 1<<14)
	for written := 0; written < sheetBytes; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenRejectsZipBomb(t *testing.T) {
	t.Parallel()
	const limit = 8 << 20
	data := bombXLSX(t, 2*limit)
	if len(data) > limit/50 {
		t.Fatalf("bomb is %d bytes compressed; the test wants a high ratio", len(data))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := sheet.Open(bytes.NewReader(data), int64(len(data)), "bomb.xlsx", sheet.Limits{MaxUnzipped: limit})
	runtime.ReadMemStats(&after)
	if e := apperr.As(err); e == nil || e.Kind != apperr.Invalid || e.Key != "sheet.too_large_unzipped" {
		t.Fatalf("Open(bomb) error = %v, want Invalid sheet.too_large_unzipped", err)
	}
	// Other parallel tests allocate too, so the bound is loose; inflating
	// the bomb would allocate 16 MiB or more.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("Open(bomb) allocated %d bytes, want well under the unpacked size", alloc)
	}
}

// TestOpenRejectsLyingZip guards against an entry whose header declares a
// small size but inflates to much more: archive/zip stops at the declared
// size, so the file is corrupt rather than a memory hog.
func TestOpenRejectsLyingZip(t *testing.T) {
	t.Parallel()
	honest := bombXLSX(t, 4<<20)
	zr, err := zip.NewReader(bytes.NewReader(honest), int64(len(honest)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		hdr := zf.FileHeader
		if strings.HasSuffix(zf.Name, "sheet1.xml") {
			hdr.UncompressedSize64 = 1000
		}
		w, err := zw.CreateRaw(&hdr)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := zf.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	_, _, err = readAll(t, data, "liar.xlsx", sheet.Limits{MaxUnzipped: 1 << 20})
	if !apperr.Is(err, apperr.Invalid) {
		t.Errorf("read(lying zip) error = %v, want Invalid", err)
	}
}
