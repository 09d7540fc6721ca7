package sheet

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"kechuang/internal/apperr"
)

// An .xlsx is read here, not by excelize, which holds every shared string
// and every cell's text whole before anyone can check its length (a 195 KB
// upload with one 190 MB cell took the server from 375 MB to 3 GB) and
// which stops at a malformed XML token as if the sheet had ended (rows
// after an illegal character vanished while the import said "done"). This
// reader streams each part once through xmlScanner, keeps at most a
// cell's limit of text per cell, and turns every malformed construct into
// an error that names the row.

const (
	// maxParts bounds the number of entries in an .xlsx archive.
	maxParts = 10_000
	// maxSmallPart bounds the parts read for their structure only
	// (workbook, relationships, styles).
	maxSmallPart = 16 << 20
	// sstInMemory is the largest shared-string part kept in memory; the
	// strings of a larger one go to a temporary file.
	sstInMemory = 32 << 20
	// maxStyles bounds the cell formats (Excel allows 64,000) and
	// maxNumFmts the custom number formats of a workbook.
	maxStyles  = 65_536
	maxNumFmts = 10_000
	// maxSheetRow is Excel's last row and maxSheetCol its last column.
	maxSheetRow = 1 << 20
	maxSheetCol = 1 << 14
)

type xlsxSource struct {
	lim      Limits
	date1904 bool
	formats  []cellFormat // by cell style index
	sst      *sharedStrings
	part     io.ReadCloser
	sc       *xmlScanner
	row      int // number of the last row read
	ended    bool
	text     []byte // scratch for one cell's text
	alloc    int64  // bytes of cell text allocated
}

func (x *xlsxSource) allocated() int64 { return x.alloc }

// openXLSX checks the archive against the limits before anything is
// unpacked, reads the workbook's structure and opens the sheet as a row
// stream.
func openXLSX(r io.ReaderAt, size int64, sheetName string, lim Limits) (source, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "sheet.corrupt")
	}
	parts, err := checkArchive(zr, lim)
	if err != nil {
		return nil, err
	}
	wb, err := readWorkbook(parts)
	if err != nil {
		return nil, err
	}
	var target *zip.File
	switch {
	case len(wb.sheets) == 0:
		return nil, apperr.New(apperr.Invalid, "sheet.empty")
	case sheetName == "":
		target = wb.sheets[0].part
	default:
		for _, s := range wb.sheets {
			if strings.EqualFold(strings.TrimSpace(s.name), strings.TrimSpace(sheetName)) {
				target = s.part
				break
			}
		}
		if target == nil {
			return nil, apperr.New(apperr.Invalid, "sheet.no_sheet", sheetName)
		}
	}
	if target == nil {
		return nil, apperr.New(apperr.Invalid, "sheet.corrupt")
	}
	formats, err := readStyles(parts["xl/styles.xml"])
	if err != nil {
		return nil, err
	}
	sst, err := readSharedStrings(parts["xl/sharedstrings.xml"], lim)
	if err != nil {
		return nil, err
	}
	rc, err := target.Open()
	if err != nil {
		sst.close()
		return nil, apperr.Wrap(apperr.Invalid, err, "sheet.corrupt")
	}
	x := &xlsxSource{lim: lim, date1904: wb.date1904, formats: formats, sst: sst, part: rc, sc: newXMLScanner(rc)}
	if err := x.findSheetData(); err != nil {
		x.close()
		return nil, err
	}
	return x, nil
}

// checkArchive refuses archives whose declared uncompressed sizes exceed
// the limits, and archives that are not workbooks, and returns the parts
// by lower-case name. archive/zip stops with ErrFormat when an entry
// inflates beyond its declared size, so declared sizes are enforced, not
// merely trusted.
func checkArchive(zr *zip.Reader, lim Limits) (map[string]*zip.File, error) {
	if len(zr.File) > maxParts {
		return nil, apperr.New(apperr.Invalid, "sheet.corrupt")
	}
	parts := make(map[string]*zip.File, len(zr.File))
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(lim.MaxUnzipped) {
			return nil, apperr.New(apperr.Invalid, "sheet.too_large_unzipped", lim.MaxUnzipped>>20)
		}
		name := strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(zf.Name, `\`, "/"), "/"))
		parts[name] = zf
	}
	if parts["xl/workbook.xml"] == nil {
		// A .docx, an .xlsb or some other zip.
		return nil, apperr.New(apperr.Invalid, "sheet.not_spreadsheet")
	}
	return parts, nil
}

// openPart opens a part for a structural read, refusing one over
// maxSmallPart: no workbook has a workbook part, relationships or styles
// that large.
func openPart(zf *zip.File) (io.ReadCloser, error) {
	if zf.UncompressedSize64 > maxSmallPart {
		return nil, apperr.New(apperr.Invalid, "sheet.corrupt")
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "sheet.corrupt")
	}
	return rc, nil
}

// corrupt wraps a read or XML error of a part other than the sheet as
// sheet.corrupt, or, for a character XML does not allow, as
// sheet.illegal_char_file naming it (no row: a shared string belongs to
// no row yet).
func corrupt(err error) error {
	if e := apperr.As(err); e != nil {
		return err
	}
	var ce xmlCharError
	if errors.As(err, &ce) {
		return apperr.Wrap(apperr.Invalid, err, "sheet.illegal_char_file", fmt.Sprintf("U+%04X", ce.r))
	}
	return apperr.Wrap(apperr.Invalid, err, "sheet.corrupt")
}

type workbookSheet struct {
	name string
	part *zip.File
}

type workbook struct {
	sheets   []workbookSheet
	date1904 bool
}

// readWorkbook reads the sheet list of xl/workbook.xml, in workbook order,
// and finds each sheet's part through xl/_rels/workbook.xml.rels (or, in
// a workbook without one, by the conventional name sheetN.xml).
func readWorkbook(parts map[string]*zip.File) (workbook, error) {
	var wb workbook
	targets, err := readRels(parts["xl/_rels/workbook.xml.rels"])
	if err != nil {
		return wb, err
	}
	rc, err := openPart(parts["xl/workbook.xml"])
	if err != nil {
		return wb, err
	}
	defer rc.Close()
	sc := newXMLScanner(rc)
	for {
		err := sc.nextTag()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return wb, corrupt(err)
		}
		switch {
		case sc.is("workbookPr"):
			if v, ok := sc.attr("date1904"); ok {
				wb.date1904 = string(v) == "1" || string(v) == "true"
			}
		case sc.is("sheet"):
			name, _ := sc.attr("name")
			ws := workbookSheet{name: string(name)}
			if id, ok := sc.attr("id"); ok {
				if t, ok := targets[string(id)]; ok {
					ws.part = parts[t]
				}
			}
			if ws.part == nil {
				ws.part = parts["xl/worksheets/sheet"+strconv.Itoa(len(wb.sheets)+1)+".xml"]
			}
			wb.sheets = append(wb.sheets, ws)
			if len(wb.sheets) > maxParts {
				return wb, apperr.New(apperr.Invalid, "sheet.corrupt")
			}
		}
	}
	return wb, nil
}

// readRels maps relationship ids to lower-case part names.
func readRels(zf *zip.File) (map[string]string, error) {
	out := map[string]string{}
	if zf == nil {
		return out, nil
	}
	rc, err := openPart(zf)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	sc := newXMLScanner(rc)
	for {
		err := sc.nextTag()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, corrupt(err)
		}
		if !sc.is("Relationship") {
			continue
		}
		id, _ := sc.attr("Id")
		target, _ := sc.attr("Target")
		t := strings.ReplaceAll(string(target), `\`, "/")
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		out[string(id)] = strings.ToLower(t)
		if len(out) > maxParts {
			return nil, apperr.New(apperr.Invalid, "sheet.corrupt")
		}
	}
}

// readStyles returns how each cell style shows a number.
func readStyles(zf *zip.File) ([]cellFormat, error) {
	if zf == nil {
		return nil, nil
	}
	rc, err := openPart(zf)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	sc := newXMLScanner(rc)
	custom := map[int]string{}
	var ids []int
	inXfs := false
	for {
		err := sc.nextTag()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, corrupt(err)
		}
		switch {
		case sc.is("numFmt"):
			id, _ := sc.attr("numFmtId")
			code, _ := sc.attr("formatCode")
			n, err := strconv.Atoi(string(id))
			if err != nil || len(custom) >= maxNumFmts {
				return nil, apperr.New(apperr.Invalid, "sheet.corrupt")
			}
			custom[n] = string(code)
		case sc.is("cellXfs"):
			inXfs = !sc.empty
		case sc.isEnd("cellXfs"):
			inXfs = false
		case inXfs && sc.is("xf"):
			id := 0
			if v, ok := sc.attr("numFmtId"); ok {
				if id, err = strconv.Atoi(string(v)); err != nil {
					return nil, apperr.New(apperr.Invalid, "sheet.corrupt")
				}
			}
			ids = append(ids, id)
			if len(ids) > maxStyles {
				return nil, apperr.New(apperr.Invalid, "sheet.corrupt")
			}
		}
	}
	formats := make([]cellFormat, len(ids))
	for i, id := range ids {
		formats[i] = formatFor(id, custom)
	}
	return formats, nil
}

// sharedStrings is the workbook's shared-string table: the text of every
// string, in memory or, for a large table, in a temporary file.
type sharedStrings struct {
	// mem holds the strings one after another. Cells are substrings of
	// it, so a string used in every row costs its bytes once.
	mem  string
	ends []uint64 // where string i ends in mem or file
	file *os.File // when the table is large
	// long marks the strings over the cell limit, kept empty.
	long map[int]bool
}

func (t *sharedStrings) close() {
	if t != nil && t.file != nil {
		name := t.file.Name()
		t.file.Close()
		os.Remove(name)
		t.file = nil
	}
}

// get returns string i, and whether it was over the cell limit.
func (t *sharedStrings) get(i int) (string, bool, error) {
	if t == nil || i < 0 || i >= len(t.ends) {
		return "", false, fmt.Errorf("%w: shared string %d out of range", errXML, i)
	}
	if t.long[i] {
		return "", true, nil
	}
	var start uint64
	if i > 0 {
		start = t.ends[i-1]
	}
	end := t.ends[i]
	if t.file == nil {
		return t.mem[start:end], false, nil
	}
	buf := make([]byte, end-start)
	if _, err := t.file.ReadAt(buf, int64(start)); err != nil {
		return "", false, err
	}
	return string(buf), false, nil
}

// maxEscapedBytes is the most bytes the text of a cell within the limit
// can take before _xHHHH_ escapes are resolved: seven per character.
func maxEscapedBytes(lim Limits) int { return 7 * lim.MaxCellChars }

// readSharedStrings reads xl/sharedStrings.xml. A string over the cell
// limit is not kept: it is marked, and a cell that uses it reports it.
func readSharedStrings(zf *zip.File, lim Limits) (*sharedStrings, error) {
	t := &sharedStrings{long: map[int]bool{}}
	if zf == nil {
		return t, nil
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "sheet.corrupt")
	}
	defer rc.Close()
	var w *bufio.Writer
	if zf.UncompressedSize64 > sstInMemory {
		f, err := os.CreateTemp("", "kechuang-sst-")
		if err != nil {
			return nil, fmt.Errorf("shared strings: %w", err)
		}
		t.file = f
		w = bufio.NewWriterSize(f, 64<<10)
	}
	sc := newXMLScanner(rc)
	var size uint64
	var text, mem []byte
	for {
		err := sc.nextTag()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.close()
			return nil, corrupt(err)
		}
		if !sc.is("si") {
			continue
		}
		text = text[:0]
		over := false
		if !sc.empty {
			if text, over, err = readRichText(sc, "si", text, maxEscapedBytes(lim)); err != nil {
				t.close()
				return nil, corrupt(err)
			}
		}
		s, long := cellText(text, over, lim)
		if long {
			t.long[len(t.ends)] = true
			s = ""
		}
		if w != nil {
			if _, err := w.WriteString(s); err != nil {
				t.close()
				return nil, fmt.Errorf("shared strings: %w", err)
			}
		} else {
			mem = append(mem, s...)
		}
		size += uint64(len(s))
		t.ends = append(t.ends, size)
	}
	if w != nil {
		if err := w.Flush(); err != nil {
			t.close()
			return nil, fmt.Errorf("shared strings: %w", err)
		}
	}
	t.mem = string(mem)
	return t, nil
}

// readRichText reads the text of a string item (<si>) or inline string
// (<is>), whose start tag was just read, through its end tag named end:
// the <t> elements directly inside it and inside its runs (<r>), not the
// phonetic guides (<rPh>). It keeps at most max bytes; over says there
// were more.
func readRichText(sc *xmlScanner, end string, dst []byte, max int) ([]byte, bool, error) {
	over := false
	for {
		if err := sc.nextTag(); err != nil {
			if errors.Is(err, io.EOF) {
				return dst, over, io.ErrUnexpectedEOF
			}
			return dst, over, err
		}
		switch {
		case sc.isEnd(end):
			return dst, over, nil
		case sc.is("rPh"), sc.is("rPr"), sc.is("phoneticPr"), sc.is("extLst"):
			if err := sc.skipElement(); err != nil {
				return dst, over, err
			}
		case sc.is("t") && !sc.empty:
			var err error
			var o bool
			dst, o, err = sc.readText(dst, max)
			over = over || o
			if err != nil {
				return dst, over, err
			}
		}
	}
}

// cellText resolves the _xHHHH_ escapes of text read with readText and
// says whether the result is over the cell limit.
func cellText(text []byte, over bool, lim Limits) (string, bool) {
	if over {
		return "", true
	}
	s := unescapeBSTR(text)
	if len(s) > lim.MaxCellChars && utf8.RuneCountInString(s) > lim.MaxCellChars {
		return "", true
	}
	return s, false
}

// unescapeBSTR resolves the _xHHHH_ escapes with which spreadsheets store
// characters XML cannot hold (_x000D_ for a carriage return; _x005F_ is a
// literal underscore).
func unescapeBSTR(b []byte) string {
	i := indexBSTR(b, 0)
	if i < 0 {
		return string(b)
	}
	var out strings.Builder
	out.Grow(len(b))
	last := 0
	for ; i >= 0; i = indexBSTR(b, last) {
		out.Write(b[last:i])
		v, _ := strconv.ParseUint(string(b[i+2:i+6]), 16, 32)
		if v == '_' {
			out.WriteByte('_')
		} else {
			out.WriteRune(rune(v))
		}
		last = i + 7
	}
	out.Write(b[last:])
	return out.String()
}

// indexBSTR returns the position of the next _xHHHH_ escape at or after
// from, or -1.
func indexBSTR(b []byte, from int) int {
	for i := from; i+7 <= len(b); i++ {
		if b[i] != '_' || b[i+1] != 'x' || b[i+6] != '_' {
			continue
		}
		ok := true
		for _, c := range b[i+2 : i+6] {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

// findSheetData advances the sheet stream to <sheetData>.
func (x *xlsxSource) findSheetData() error {
	for {
		err := x.sc.nextTag()
		if errors.Is(err, io.EOF) {
			x.ended = true // a sheet without data
			return nil
		}
		if err != nil {
			return corrupt(err)
		}
		if x.sc.is("sheetData") {
			x.ended = x.sc.empty
			return nil
		}
	}
}

// rowError is a malformed sheet at row: the file ends there, visibly.
func (x *xlsxSource) rowError(row int, err error) error {
	if e := apperr.As(err); e != nil {
		return err
	}
	var ce xmlCharError
	if errors.As(err, &ce) {
		return apperr.Wrap(apperr.Invalid, err, "sheet.illegal_char", row, fmt.Sprintf("U+%04X", ce.r))
	}
	return apperr.Wrap(apperr.Invalid, err, "sheet.corrupt_row", row)
}

func (x *xlsxSource) next() ([]string, int, []Issue, error) {
	if x.ended {
		return nil, x.row + 1, nil, io.EOF
	}
	for {
		err := x.sc.nextTag()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF // the sheet stopped inside <sheetData>
			}
			return nil, x.row + 1, nil, x.rowError(x.row+1, err)
		}
		switch {
		case x.sc.isEnd("sheetData"):
			x.ended = true
			return nil, x.row + 1, nil, io.EOF
		case x.sc.is("row"):
			num := x.row + 1
			if v, ok := x.sc.attr("r"); ok {
				n, err := strconv.Atoi(string(v))
				if err != nil || n <= x.row || n > maxSheetRow {
					return nil, num, nil, apperr.New(apperr.Invalid, "sheet.corrupt_row", num)
				}
				num = n
			}
			x.row = num
			if x.sc.empty {
				continue
			}
			cells, issues, err := x.readRow(num)
			if err != nil {
				return nil, num, nil, x.rowError(num, err)
			}
			return cells, num, issues, nil
		case !x.sc.end:
			// Anything else inside sheetData is not data.
			if err := x.sc.skipElement(); err != nil {
				return nil, x.row + 1, nil, x.rowError(x.row+1, err)
			}
		}
	}
}

// readRow reads the cells of row num, whose <row> tag was just read,
// through </row>.
func (x *xlsxSource) readRow(num int) ([]string, []Issue, error) {
	var cells []string
	var issues []Issue
	col := -1
	rowBytes, rowOver := 0, false
	for {
		if err := x.sc.nextTag(); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, nil, err
		}
		if x.sc.isEnd("row") {
			return cells, issues, nil
		}
		if !x.sc.is("c") {
			if !x.sc.end {
				if err := x.sc.skipElement(); err != nil {
					return nil, nil, err
				}
			}
			continue
		}
		col++
		if v, ok := x.sc.attr("r"); ok {
			c, ok := columnIndex(v)
			if !ok || c < col {
				return nil, nil, fmt.Errorf("%w: cell reference %q", errXML, v)
			}
			col = c
		}
		if col >= maxSheetCol {
			return nil, nil, fmt.Errorf("%w: column past XFD", errXML)
		}
		val, long, err := x.readCell()
		if err != nil {
			return nil, nil, err
		}
		switch {
		case long:
			issues = append(issues, cellTooLong(num, col, x.lim))
			continue
		case val == "":
			continue
		case col >= x.lim.MaxCols:
			return nil, nil, apperr.New(apperr.Invalid, "sheet.too_many_columns", num, x.lim.MaxCols)
		}
		rowBytes += len(val)
		if rowBytes > x.lim.MaxRowBytes {
			if !rowOver {
				issues = append(issues, rowTooLong(num, x.lim))
				rowOver = true
			}
			continue
		}
		for len(cells) < col {
			cells = append(cells, "")
		}
		cells = append(cells, val)
	}
}

// columnIndex reads the 0-based column of a cell reference such as "AB12".
func columnIndex(ref []byte) (int, bool) {
	n, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			break
		}
		n = n*26 + int(c-'A'+1)
		if n > maxSheetCol {
			return 0, false
		}
	}
	if i == 0 {
		return 0, false
	}
	return n - 1, true
}

// readCell reads a cell whose <c> tag was just read and returns its
// display text, or long when it is over the cell limit.
func (x *xlsxSource) readCell() (string, bool, error) {
	typ, _ := x.sc.attr("t")
	cellType := string(typ)
	style := 0
	if v, ok := x.sc.attr("s"); ok {
		n, err := strconv.Atoi(string(v))
		if err != nil || n < 0 {
			return "", false, fmt.Errorf("%w: cell style %q", errXML, v)
		}
		style = n
	}
	if x.sc.empty {
		return "", false, nil
	}
	max := maxEscapedBytes(x.lim)
	var value []byte
	haveValue, over := false, false
	for {
		if err := x.sc.nextTag(); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return "", false, err
		}
		switch {
		case x.sc.isEnd("c"):
			return x.display(cellType, style, value, haveValue, over)
		case x.sc.is("v"):
			haveValue = true
			if x.sc.empty {
				continue
			}
			var err error
			if value, over, err = x.sc.readText(x.text[:0], max); err != nil {
				return "", false, err
			}
			x.text = value
		case x.sc.is("is"):
			haveValue = true
			if x.sc.empty {
				continue
			}
			var err error
			if value, over, err = readRichText(x.sc, "is", x.text[:0], max); err != nil {
				return "", false, err
			}
			x.text = value
		case !x.sc.end:
			// A formula (<f>) or extension: its cached value is in <v>.
			if err := x.sc.skipElement(); err != nil {
				return "", false, err
			}
		}
	}
}

// display turns a cell's stored value into the text the spreadsheet shows.
func (x *xlsxSource) display(cellType string, style int, value []byte, haveValue, over bool) (string, bool, error) {
	if !haveValue {
		return "", false, nil
	}
	switch cellType {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(string(value)))
		if err != nil {
			return "", false, fmt.Errorf("%w: shared string index %q", errXML, value)
		}
		s, long, err := x.sst.get(i)
		if x.sst.file != nil {
			x.alloc += int64(len(s))
		}
		return s, long, err
	case "inlineStr", "str", "e":
		s, long := cellText(value, over, x.lim)
		x.alloc += int64(len(s))
		return s, long, nil
	case "b":
		switch strings.TrimSpace(string(value)) {
		case "1", "true":
			return "TRUE", false, nil
		case "0", "false":
			return "FALSE", false, nil
		}
		return string(value), false, nil
	case "d":
		// An ISO 8601 date-time; displayText writes it as a date.
		return strings.Replace(string(value), "T", " ", 1), false, nil
	}
	if over {
		return "", true, nil
	}
	raw := strings.TrimSpace(string(value))
	if raw == "" {
		return "", false, nil
	}
	f := cellFormat{}
	if style < len(x.formats) {
		f = x.formats[style]
	}
	s := formatNumber(raw, f, x.date1904)
	x.alloc += int64(len(s))
	return s, false, nil
}

func (x *xlsxSource) close() error {
	x.sst.close()
	return x.part.Close()
}
