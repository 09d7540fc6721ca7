package importer

import (
	"errors"

	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/sheet"
)

const (
	// maxMoreGroups bounds the (column, reason) groups counted past the
	// listed problems; further reasons are counted per column as one.
	maxMoreGroups = 100
	// maxReportText bounds the cell text of the rows a result keeps for
	// the error report, so that a stored job result stays small.
	maxReportText = 8 << 20
)

type moreKey struct{ column, reason string }

// recorder collects an import's problems into its result, listing the
// first MaxListedProblems and counting the rest.
type recorder struct {
	res     *Result
	headers map[string]string // column key → header text
	index   map[string]int    // column key → position in the file
	bad     map[int]bool      // rows with problems
	badData int               // data rows with problems (not the header)
	header  int               // the header's row number
	more    map[moreKey]int
	order   []moreKey
}

func newRecorder(res *Result, headers map[string]string) *recorder {
	return &recorder{res: res, headers: headers, bad: map[int]bool{}, more: map[moreKey]int{}}
}

// markBad notes that row has a problem.
func (rc *recorder) markBad(row int) {
	if !rc.bad[row] {
		rc.bad[row] = true
		if row > rc.header {
			rc.badData++
		}
	}
}

// add records a problem of row in column key.
func (rc *recorder) add(row int, key, reason string) {
	rc.markBad(row)
	col := rc.headers[key]
	if col == "" {
		col = key
	}
	cell := 0
	if i, ok := rc.index[key]; ok {
		cell = i + 1
	}
	rc.problem(sheet.Problem{Row: row, Column: col, Reason: reason, Cell: cell})
}

// problem lists p, or counts it once MaxListedProblems are listed.
func (rc *recorder) problem(p sheet.Problem) {
	if len(rc.res.Problems) < MaxListedProblems {
		rc.res.Problems = append(rc.res.Problems, p)
		return
	}
	k := moreKey{p.Column, p.Reason}
	if _, ok := rc.more[k]; !ok && len(rc.more) >= maxMoreGroups {
		k = moreKey{p.Column, i18n.T(i18n.Chinese, "import.other_reasons")}
	}
	if _, ok := rc.more[k]; !ok {
		rc.order = append(rc.order, k)
	}
	rc.more[k]++
}

// issues records the cells a row's reading left blank for breaking a
// limit.
func (rc *recorder) issues(row int, header []string, issues []sheet.Issue) {
	for _, is := range issues {
		p := sheet.Problem{Row: row, Reason: i18n.T(i18n.Chinese, is.Key, is.Args...)}
		if is.Col >= 0 {
			p.Cell = is.Col + 1
			p.Column = sheet.ColumnName(is.Col)
			if is.Col < len(header) && header[is.Col] != "" {
				p.Column = header[is.Col]
			}
		}
		rc.markBad(row)
		rc.problem(p)
	}
}

// fail records why the file could not be read to its end, at row, and
// returns err for the caller to return.
func (rc *recorder) fail(err error, row int) error {
	var re *sheet.RowError
	if errors.As(err, &re) {
		rc.issues(re.Row, re.Cells, re.Issues)
		is := re.Issues[0]
		rc.res.Failure = i18n.T(i18n.Chinese, is.Key, is.Args...)
		return err
	}
	reason := i18n.T(i18n.Chinese, "import.read_failed")
	if e := apperr.As(err); e != nil {
		reason = i18n.T(i18n.Chinese, e.Key, e.Args...)
	}
	rc.res.Failure = reason
	rc.problem(sheet.Problem{Row: row, Reason: reason})
	return err
}

// finish writes the counted problems into the result.
func (rc *recorder) finish() {
	rc.res.ProblemRows = len(rc.bad)
	if len(rc.order) == 0 {
		return
	}
	if rc.res.Report == nil {
		rc.res.Report = &sheet.Report{}
	}
	rc.res.Report.More = rc.res.Report.More[:0]
	for _, k := range rc.order {
		rc.res.Report.More = append(rc.res.Report.More, sheet.ProblemCount{Column: k.column, Reason: k.reason, Count: rc.more[k]})
	}
}

// collectRows reads the file again for the cells of the data rows that
// listed problems name, for the error report, keeping at most
// maxReportText of text. It is best effort: the problems stand without
// the cells when the file cannot be read again.
func (im *Importer[O, R, T, PT]) collectRows(f File, res *Result) {
	if res.Report == nil || len(res.Report.Header) == 0 {
		return
	}
	want := map[int]bool{}
	last := 0
	for _, p := range res.Problems {
		if p.Row > res.Report.HeaderRow {
			want[p.Row] = true
			last = max(last, p.Row)
		}
	}
	if len(want) == 0 {
		return
	}
	rd, err := sheet.Open(f.R, f.Size, f.Name, im.limits)
	if err != nil {
		return
	}
	defer rd.Close()
	budget := maxReportText
	for {
		cells, num, _, err := nextRow(rd)
		if err != nil || num > last {
			return
		}
		if !want[num] {
			continue
		}
		size := 0
		for _, c := range cells {
			size += len(c)
		}
		if size > budget {
			continue
		}
		budget -= size
		res.Report.Rows = append(res.Report.Rows, sheet.ReportRow{Row: num, Cells: trimBlank(cells)})
	}
}

// trimBlank drops trailing blank cells.
func trimBlank(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return cells[:n]
}
