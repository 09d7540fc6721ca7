package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"kechuang/internal/apperr"
)

// Default limits, used for the zero fields of Limits.
const (
	DefaultMaxBytes     = 20 << 20  // 20 MiB uploaded
	DefaultMaxUnzipped  = 200 << 20 // 200 MiB inside an .xlsx
	DefaultMaxRows      = 200_000   // data rows, not counting the header
	DefaultMaxCols      = 100
	DefaultMaxCellChars = 32_767    // Excel's own limit for one cell
	DefaultMaxRowBytes  = 256 << 10 // the text of one row, in UTF-8
	DefaultMaxText      = 64 << 20  // the text of all rows of one file
)

// Limits bound what Open accepts. A zero field takes its Default value.
// The byte and cell limits are checked while the file streams in, so a
// file that breaks them never costs more memory than the limit.
type Limits struct {
	MaxBytes     int64 // size of the uploaded file
	MaxUnzipped  int64 // total uncompressed size of an .xlsx's parts
	MaxRows      int   // non-blank data rows after the header
	MaxCols      int   // non-blank cells in one row
	MaxCellChars int   // characters in one cell
	MaxRowBytes  int   // bytes of text in one row
	// MaxText bounds the bytes of cell text Next allocates over the whole
	// file, so that what a caller may keep of the rows is bounded. A
	// shared string read from memory is handed out as a substring of the
	// table and costs nothing however often it is used; one read from a
	// large table's temporary file costs its bytes every time.
	MaxText int64
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
	if l.MaxCellChars <= 0 {
		l.MaxCellChars = DefaultMaxCellChars
	}
	if l.MaxRowBytes <= 0 {
		l.MaxRowBytes = DefaultMaxRowBytes
	}
	if l.MaxText <= 0 {
		l.MaxText = DefaultMaxText
	}
	return l
}

// source yields raw rows with their spreadsheet row numbers. A row whose
// cells broke a cell or row limit comes with issues and those cells blank.
type source interface {
	next() (cells []string, rowNum int, issues []Issue, err error)
	// allocated returns the bytes of cell text the source has allocated
	// so far: a cell that is a substring of text held anyway (an .xlsx
	// shared string in memory) costs nothing.
	allocated() int64
	close() error
}

// Issue is a cell, or a whole row, that broke a limit of Limits. Next
// leaves such cells blank and reports them in a *RowError.
type Issue struct {
	Col  int    // 0-based column; -1 for the whole row
	Key  string // message key: sheet.cell_too_long or sheet.row_too_long
	Args []any  // its arguments: the row number, the column name, the limit
}

// RowError is what Next returns for a row some of whose cells broke a
// per-cell or per-row limit. The row is not lost: Cells holds it with the
// offending cells blank, and reading may go on with the next row. A caller
// that stops at any error stops with an apperr.Invalid (Unwrap) that names
// the row and column.
type RowError struct {
	Row    int
	Cells  []string
	Issues []Issue
}

func (e *RowError) Error() string {
	return fmt.Sprintf("row %d: %s %v", e.Row, e.Issues[0].Key, e.Issues[0].Args)
}

// Unwrap returns the first issue as an apperr.Invalid.
func (e *RowError) Unwrap() error {
	return apperr.New(apperr.Invalid, e.Issues[0].Key, e.Issues[0].Args...)
}

// ColumnName returns the spreadsheet name of the 0-based column i: A, B, …
// Z, AA, ….
func ColumnName(i int) string {
	var b []byte
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

// cellTooLong and rowTooLong are the issues for a cell over the character
// limit and a row over the byte limit.
func cellTooLong(row, col int, lim Limits) Issue {
	return Issue{Col: col, Key: "sheet.cell_too_long", Args: []any{row, ColumnName(col), lim.MaxCellChars}}
}

func rowTooLong(row int, lim Limits) Issue {
	return Issue{Col: -1, Key: "sheet.row_too_long", Args: []any{row, lim.MaxRowBytes >> 10}}
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
		src, err = openCSV(r, size, lim)
	default:
		return nil, apperr.New(apperr.Invalid, "sheet.not_spreadsheet")
	}
	if err != nil {
		return nil, err
	}
	rd := &Reader{src: src, lim: lim}
	for {
		cells, rowNum, issues, err := src.next()
		if errors.Is(err, io.EOF) {
			src.close()
			return nil, apperr.New(apperr.Invalid, "sheet.empty")
		}
		if err != nil {
			src.close()
			return nil, err
		}
		cells = clean(cells)
		if len(cells) == 0 && len(issues) == 0 {
			continue
		}
		if len(issues) > 0 {
			// A header that broke a limit cannot be matched to columns.
			src.close()
			return nil, &RowError{Row: rowNum, Cells: cells, Issues: issues}
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
// indexes from MapHeader are always valid.
//
// A row with a cell over MaxCellChars characters, or over MaxRowBytes of
// text, comes back as a *RowError holding the row (those cells blank);
// reading may go on. Every other error ends the file and is an
// apperr.Invalid: sheet.too_many_rows, sheet.too_many_columns,
// sheet.too_much_text, sheet.corrupt, sheet.corrupt_row (an .xlsx whose XML
// is broken at a row, such as an illegal character), sheet.csv_syntax.
// No row is ever dropped silently: a file that cannot be read to its end
// ends in an error, not io.EOF.
func (r *Reader) Next() (row []string, rowNum int, err error) {
	for {
		cells, rowNum, issues, err := r.src.next()
		if err != nil {
			return nil, rowNum, err
		}
		cells = clean(cells)
		if len(cells) == 0 && len(issues) == 0 {
			continue
		}
		if len(cells) > r.lim.MaxCols {
			return nil, rowNum, apperr.New(apperr.Invalid, "sheet.too_many_columns", rowNum, r.lim.MaxCols)
		}
		r.rows++
		if r.rows > r.lim.MaxRows {
			return nil, rowNum, apperr.New(apperr.Invalid, "sheet.too_many_rows", r.lim.MaxRows)
		}
		if r.src.allocated() > r.lim.MaxText {
			return nil, rowNum, apperr.New(apperr.Invalid, "sheet.too_much_text", r.lim.MaxText>>20)
		}
		for len(cells) < len(r.header) {
			cells = append(cells, "")
		}
		if len(issues) > 0 {
			return nil, rowNum, &RowError{Row: rowNum, Cells: cells, Issues: issues}
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
