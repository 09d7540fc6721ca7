package sheet

import (
	"archive/zip"
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"kechuang/internal/apperr"
)

const (
	// xmlInMemory is the largest worksheet or shared-string part excelize
	// keeps in memory; larger ones go to a temporary file and are streamed.
	xmlInMemory = 16 << 20
	// maxParts bounds the number of entries in an .xlsx archive.
	maxParts = 10_000
)

type xlsxSource struct {
	f        *excelize.File
	rows     *excelize.Rows
	row      int
	date1904 bool
}

// openXLSX checks the archive against the limits before excelize unpacks
// anything, then opens the sheet as a row stream.
func openXLSX(r io.ReaderAt, size int64, sheetName string, lim Limits) (source, error) {
	if err := checkArchive(r, size, lim); err != nil {
		return nil, err
	}
	unzipXML := min(int64(xmlInMemory), lim.MaxUnzipped)
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		UnzipSizeLimit:    lim.MaxUnzipped,
		UnzipXMLSizeLimit: unzipXML,
		// Built-in format 14 is the locale's short date; show it the way
		// Chinese users and our parsers expect.
		ShortDatePattern: "yyyy-mm-dd",
		CultureInfo:      excelize.CultureNameZhCN,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, xlsxError(err)
	}
	if err := fastDates(f); err != nil {
		f.Close()
		return nil, xlsxError(err)
	}
	var date1904 bool
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	sheets := f.GetSheetList()
	name := sheetName
	if name == "" {
		if len(sheets) == 0 {
			f.Close()
			return nil, apperr.New(apperr.Invalid, "sheet.empty")
		}
		name = sheets[0]
	} else if name = findFold(sheets, sheetName); name == "" {
		f.Close()
		return nil, apperr.New(apperr.Invalid, "sheet.no_sheet", sheetName)
	}
	rows, err := f.Rows(name)
	if err != nil {
		f.Close()
		return nil, xlsxError(err)
	}
	return &xlsxSource{f: f, rows: rows, date1904: date1904}, nil
}

// checkArchive refuses archives whose declared uncompressed sizes exceed
// the limits, and archives that are not workbooks. archive/zip stops with
// ErrFormat when an entry inflates beyond its declared size, so declared
// sizes are enforced, not merely trusted.
func checkArchive(r io.ReaderAt, size int64, lim Limits) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "sheet.corrupt")
	}
	if len(zr.File) > maxParts {
		return apperr.New(apperr.Invalid, "sheet.corrupt")
	}
	var total uint64
	workbook := false
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(lim.MaxUnzipped) {
			return apperr.New(apperr.Invalid, "sheet.too_large_unzipped", lim.MaxUnzipped>>20)
		}
		name := strings.ToLower(strings.ReplaceAll(zf.Name, `\`, "/"))
		switch {
		case name == "xl/workbook.xml":
			workbook = true
		case strings.HasPrefix(name, "xl/worksheets/"), name == "xl/sharedstrings.xml", strings.HasPrefix(name, "xl/media/"):
			// streamed from a temporary file when large, or binary
		case zf.UncompressedSize64 > xmlInMemory:
			// excelize reads every other part into memory whole.
			return apperr.New(apperr.Invalid, "sheet.too_large_unzipped", lim.MaxUnzipped>>20)
		}
	}
	if !workbook {
		// A .docx, an .xlsb or some other zip.
		return apperr.New(apperr.Invalid, "sheet.not_spreadsheet")
	}
	return nil
}

// xlsxError maps excelize's open and read errors to apperr kinds.
func xlsxError(err error) error {
	switch {
	case errors.Is(err, excelize.ErrWorkbookPassword), errors.Is(err, excelize.ErrWorkbookFileFormat):
		return apperr.Wrap(apperr.Invalid, err, "sheet.encrypted")
	}
	return apperr.Wrap(apperr.Invalid, err, "sheet.corrupt")
}

func (x *xlsxSource) next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, x.row + 1, xlsxError(err)
		}
		return nil, x.row + 1, io.EOF
	}
	// Rows.Next steps one spreadsheet row at a time, also over rows absent
	// from the XML, so counting calls gives the row number.
	x.row++
	cells, err := x.rows.Columns()
	if err != nil {
		return nil, x.row, xlsxError(err)
	}
	for i, c := range cells {
		if strings.HasPrefix(c, string(markDate)) || strings.HasPrefix(c, string(markTime)) {
			cells[i] = formatDateCell(c, x.date1904)
		}
	}
	return cells, x.row, nil
}

func (x *xlsxSource) close() error {
	err := x.rows.Close()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// findFold returns the element of list equal to s ignoring case, or "".
func findFold(list []string, s string) string {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(s)) {
			return v
		}
	}
	return ""
}
