package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"kechuang/internal/apperr"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// csvSource reads a whole CSV file (at most Limits.MaxBytes, so holding it
// in memory is fine) and keeps row numbers as Excel would show them.
type csvSource struct {
	r       *csv.Reader
	lim     Limits
	row     int // row number of the last record
	endLine int // line on which the last record ended
	text    int64
}

func (c *csvSource) allocated() int64 { return c.text }

func openCSV(r io.ReaderAt, size int64, lim Limits) (source, error) {
	data, err := io.ReadAll(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "sheet.corrupt")
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(text[:min(len(text), 8192)], 0) >= 0 {
		// A NUL in text means a binary file with a .csv name.
		return nil, apperr.New(apperr.Invalid, "sheet.not_spreadsheet")
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = sniffDelimiter(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return &csvSource{r: cr, lim: lim}, nil
}

// decodeText returns data as UTF-8 without a byte-order mark. Text that is
// not valid UTF-8 is taken as GB18030, the superset of the GBK that Chinese
// Excel and WPS write when saving as CSV.
func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return data[len(bomUTF8):], nil
	case bytes.HasPrefix(data, bomUTF16LE), bytes.HasPrefix(data, bomUTF16BE):
		// Excel's "Unicode text" export.
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, apperr.Wrap(apperr.Invalid, err, "sheet.not_spreadsheet")
		}
		return out, nil
	case utf8.Valid(data):
		return data, nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "sheet.not_spreadsheet")
	}
	return out, nil
}

// sniffDelimiter picks a tab when the first line has more tabs than commas
// (Excel's "Unicode text" and copy-paste exports), a comma otherwise.
func sniffDelimiter(text []byte) rune {
	line := text
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if bytes.Count(line, []byte{'\t'}) > bytes.Count(line, []byte{','}) {
		return '\t'
	}
	return ','
}

func (c *csvSource) next() ([]string, int, []Issue, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, c.row + 1, nil, io.EOF
	}
	if err != nil {
		line := c.endLine + 1
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line = pe.Line
		}
		return nil, c.row + 1, nil, apperr.Wrap(apperr.Invalid, err, "sheet.csv_syntax", line)
	}
	// encoding/csv skips empty lines, which Excel shows as blank rows; count
	// them from the line numbers so row numbers match what the user sees.
	start, _ := c.r.FieldPos(0)
	c.row += 1 + max(0, start-c.endLine-1)
	last := len(rec) - 1
	endStart, _ := c.r.FieldPos(last)
	c.endLine = endStart + strings.Count(rec[last], "\n")
	for _, v := range rec {
		c.text += int64(len(v))
	}
	return rec, c.row, c.limit(rec), nil
}

// limit blanks the cells of rec that break the cell limit, and those past
// the row limit, and says which. The file is in memory already (it is at
// most MaxBytes), so the check comes after reading.
func (c *csvSource) limit(rec []string) []Issue {
	var issues []Issue
	total, over := 0, false
	for i, v := range rec {
		if len(v) > c.lim.MaxCellChars && utf8.RuneCountInString(v) > c.lim.MaxCellChars {
			rec[i] = ""
			issues = append(issues, cellTooLong(c.row, i, c.lim))
			continue
		}
		total += len(v)
		if total > c.lim.MaxRowBytes {
			if !over {
				issues = append(issues, rowTooLong(c.row, c.lim))
				over = true
			}
			rec[i] = ""
		}
	}
	return issues
}

func (c *csvSource) close() error { return nil }
