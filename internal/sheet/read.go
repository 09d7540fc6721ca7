package sheet

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"

	"kechuang/internal/apperr"
)

// Default limits, used for the zero fields of Limits.
const (
	DefaultMaxBytes    = 20 << 20  // 20 MiB uploaded
	DefaultMaxUnzipped = 200 << 20 // 200 MiB inside an .xlsx
	DefaultMaxRows     = 200_000   // data rows, not counting the header
	DefaultMaxCols     = 100
)

// Limits bound what Open accepts. A zero field takes its Default value.
type Limits struct {
	MaxBytes    int64 // size of the uploaded file
	MaxUnzipped int64 // total uncompressed size of an .xlsx's parts
	MaxRows     int   // non-blank data rows after the header
	MaxCols     int   // non-blank cells in one row
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxUnzipped <= 0 {
		l.MaxUnzipped = DefaultMaxUnzipped
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxCols <= 0 {
		l.MaxCols = DefaultMaxCols
	}
	return l
}

// source yields raw rows with their spreadsheet row numbers.
type source interface {
	next() (cells []string, rowNum int, err error)
	close() error
}

// Reader iterates over the data rows of one sheet. It is not safe for
// concurrent use. Close it when done: an .xlsx may hold temporary files.
type Reader struct {
	src       source
	lim       Limits
	header    []string
	headerRow int
	rows      int
}

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts an OLE compound file: an encrypted .xlsx or a legacy .xls.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Open reads the first sheet of an .xlsx, or a .csv file, of size bytes from
// r. The format is recognised by content, with filename's extension telling
// CSV from other text; see OpenSheet for the rules. Open reads up to the
// header (the first non-blank row), so Header is ready when it returns.
//
// Errors are apperr.Invalid with these keys: sheet.too_large (over
// MaxBytes), sheet.too_large_unzipped (an .xlsx that would unpack to more
// than MaxUnzipped — a zip bomb), sheet.encrypted (a password-protected
// workbook or an old .xls), sheet.corrupt, sheet.not_spreadsheet,
// sheet.no_sheet and sheet.empty.
func Open(r io.ReaderAt, size int64, filename string, lim Limits) (*Reader, error) {
	return OpenSheet(r, size, filename, "", lim)
}

// OpenSheet is Open for the .xlsx sheet named sheetName ("" means the first
// sheet in workbook order; CSV files ignore it).
//
// A file that starts like a zip archive is read as .xlsx whatever its name;
// an OLE compound file is refused as encrypted or .xls; any other file is
// read as CSV when its name ends in .csv or .txt and refused otherwise.
func OpenSheet(r io.ReaderAt, size int64, filename, sheetName string, lim Limits) (*Reader, error) {
	lim = lim.withDefaults()
	if size > lim.MaxBytes {
		return nil, apperr.New(apperr.Invalid, "sheet.too_large", lim.MaxBytes>>20)
	}
	if size <= 0 {
		return nil, apperr.New(apperr.Invalid, "sheet.empty")
	}
	head := make([]byte, 8)
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, apperr.Wrap(apperr.Invalid, err, "sheet.corrupt")
	}
	head = head[:n]
	ext := strings.ToLower(filepath.Ext(filename))
	var src source
	switch {
	case bytes.HasPrefix(head, zipMagic):
		src, err = openXLSX(r, size, sheetName, lim)
	case bytes.HasPrefix(head, oleMagic):
		return nil, apperr.New(apperr.Invalid, "sheet.encrypted")
	case ext == ".csv" || ext == ".txt":
		src, err = openCSV(r, size)
	default:
		return nil, apperr.New(apperr.Invalid, "sheet.not_spreadsheet")
	}
	if err != nil {
		return nil, err
	}
	rd := &Reader{src: src, lim: lim}
	for {
		cells, rowNum, err := src.next()
		if errors.Is(err, io.EOF) {
			src.close()
			return nil, apperr.New(apperr.Invalid, "sheet.empty")
		}
		if err != nil {
			src.close()
			return nil, err
		}
		cells = clean(cells)
		if len(cells) == 0 {
			continue
		}
		if len(cells) > lim.MaxCols {
			src.close()
			return nil, apperr.New(apperr.Invalid, "sheet.too_many_columns", rowNum, lim.MaxCols)
		}
		rd.header, rd.headerRow = cells, rowNum
		return rd, nil
	}
}

// Header returns the header: the first non-blank row, each cell trimmed,
// trailing blank cells dropped. The caller must not change it.
func (r *Reader) Header() []string { return r.header }

// HeaderRow returns the spreadsheet row number of the header (usually 1).
func (r *Reader) HeaderRow() int { return r.headerRow }

// Next returns the next non-blank data row and its row number as the
// spreadsheet shows it (1-based, counting the header and blank rows). It
// returns io.EOF after the last row.
//
// Cells are the text the spreadsheet displays, trimmed of spaces (also the
// full-width space): numbers as their number format shows them (General:
// at most 15 significant digits, so 0.1+0.2 reads "0.3"; "#,##0.00" keeps
// its separators, see ParseNumber), TRUE/FALSE for booleans, any date
// format as YYYY-MM-DD — also dates typed as text like 2026/1/5 or
// 2026年1月5日, and in CSV — date-times as YYYY-MM-DD hh:mm[:ss] and
// time formats as hh:mm:ss. The row has at least len(Header()) cells, so
// indexes from MapHeader are always valid. Errors are apperr.Invalid:
// sheet.too_many_rows, sheet.too_many_columns, sheet.corrupt, sheet.csv_syntax.
func (r *Reader) Next() (row []string, rowNum int, err error) {
	for {
		cells, rowNum, err := r.src.next()
		if err != nil {
			return nil, rowNum, err
		}
		cells = clean(cells)
		if len(cells) == 0 {
			continue
		}
		if len(cells) > r.lim.MaxCols {
			return nil, rowNum, apperr.New(apperr.Invalid, "sheet.too_many_columns", rowNum, r.lim.MaxCols)
		}
		r.rows++
		if r.rows > r.lim.MaxRows {
			return nil, rowNum, apperr.New(apperr.Invalid, "sheet.too_many_rows", r.lim.MaxRows)
		}
		for len(cells) < len(r.header) {
			cells = append(cells, "")
		}
		return cells, rowNum, nil
	}
}

// Close releases the file's resources (temporary files of a large .xlsx).
func (r *Reader) Close() error { return r.src.close() }

// clean trims and normalises every cell in place and drops trailing blank
// cells; a blank row comes back empty.
func clean(cells []string) []string {
	last := -1
	for i, c := range cells {
		c = displayText(c)
		cells[i] = c
		if c != "" {
			last = i
		}
	}
	return cells[:last+1]
}
