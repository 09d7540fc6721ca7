package importer

import (
	"context"
	"errors"
	"fmt"
	"io"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// txRunner runs fn in one transaction: sqldb.DB.InTx, or job.Run.InTx,
// which also marks the job done in that transaction.
type txRunner func(ctx context.Context, fn func(tx *sqldb.Tx) error) error

// Run imports f as the actor, in one transaction of its own, and returns
// the result. progress, when not nil, is called with rows done out of rows
// total (0 while unknown; reading counts as the first half).
//
// Rows with problems are listed in the result; in AllOrNothing mode any
// of them keeps every row out, in ValidRows mode only themselves. The
// error is apperr.Forbidden when the actor may not import; an
// apperr.Invalid (sheet.*) when the file cannot be read to its end, with
// the result saying why (Failure) and listing what was found before; or
// the error of a row's Apply, which rolls everything back.
func (im *Importer[O, R, T, PT]) Run(ctx context.Context, a account.Actor, f File, opt O,
	progress func(done, total int)) (T, error) {
	return im.run(ctx, a, f, opt, progress, im.db.InTx, nil)
}

// run is Run with the transaction supplied and a hook that sees the final
// result inside it, before it commits.
func (im *Importer[O, R, T, PT]) run(ctx context.Context, a account.Actor, f File, opt O,
	progress func(done, total int), inTx txRunner, beforeCommit func(*T) error) (T, error) {
	var out T
	res := PT(&out).Base()
	if err := im.spec.Authorize(a); err != nil {
		return out, err
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	res.Mode = normMode(opt.ImportMode())
	res.Problems = []sheet.Problem{}
	rec := newRecorder(res, im.headers)
	rd, err := sheet.Open(f.R, f.Size, f.Name, im.limits)
	if err != nil {
		err = rec.fail(err, 0)
		rec.finish()
		return out, err
	}
	defer rd.Close()
	header := rd.Header()
	res.Report = &sheet.Report{Header: header, HeaderRow: rd.HeaderRow()}
	rec.header = rd.HeaderRow()
	index, headerErrs := sheet.MapHeader(withoutReportColumns(header), im.spec.Columns)
	if len(headerErrs) > 0 {
		im.headerProblems(rec, header, rd.HeaderRow(), headerErrs)
		rec.finish()
		return out, nil
	}
	rec.index = index
	batch, err := im.spec.Begin(ctx, a, opt, Header{Cells: header, Index: index}, PT(&out))
	if err != nil {
		return out, err
	}
	kept, err := im.check(ctx, rd, rec, index, batch, progress)
	if err != nil {
		rec.finish()
		im.collectRows(f, res)
		return out, err
	}
	total := res.Rows
	progress(total/2, total)
	if fin, ok := batch.(Finisher); ok {
		if err := fin.Finish(ctx, rec.add); err != nil {
			return out, err
		}
	}
	rec.finish()
	res.Valid = res.Rows - rec.badData
	im.collectRows(f, res)
	if res.Valid == 0 || (res.Mode == AllOrNothing && res.ProblemRows > 0) {
		return out, nil
	}
	err = inTx(ctx, func(tx *sqldb.Tx) error {
		if s, ok := batch.(Starter); ok {
			if err := s.Start(ctx, tx); err != nil {
				return err
			}
		}
		if err := im.apply(ctx, tx, f, rec, index, batch, kept, func(i int) {
			if i%200 == 0 {
				progress(total/2+i*total/2/res.Valid, total)
			}
		}); err != nil {
			return err
		}
		after := map[string]any{"rows": res.Rows, "skipped_rows": res.ProblemRows, "mode": res.Mode,
			"created": res.Created, "updated": res.Updated}
		if c, ok := any(PT(&out)).(counter); ok {
			for k, v := range c.Counts() {
				after[k] = v
			}
		}
		if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: im.spec.Action, ObjectType: "import",
			ObjectID: f.Name, RegionCode: a.Region, After: after}); err != nil {
			return err
		}
		res.Applied = true
		if beforeCommit != nil {
			return beforeCommit(&out)
		}
		return nil
	})
	if err != nil {
		res.Applied = false
		return out, err
	}
	progress(total, total)
	return out, nil
}

// exampleOf returns the template's example value of the spec's example
// column.
func (im *Importer[O, R, T, PT]) exampleOf() string {
	for _, c := range im.spec.Columns {
		if c.Key == im.spec.ExampleKey {
			return c.Example
		}
	}
	return ""
}

// keptRows is how many parsed rows the first pass keeps for the second
// (Importer.kept): a file of at most that many rows is read and parsed
// once, a larger one read and parsed again while it is applied, so that
// memory does not grow with the rows. (The text the kept rows hold is
// bounded by the reader's text budget.)
const keptRows = 20_000

// parsed is a parsed row and its spreadsheet row number.
type parsed[R any] struct {
	num int
	row R
}

// check is the first pass: it parses and admits every data row, keeping
// the parsed rows only while there are at most keptRows of them (nil
// after). A read error that ends the file is recorded (Failure) and
// returned.
func (im *Importer[O, R, T, PT]) check(ctx context.Context, rd *sheet.Reader, rec *recorder, index map[string]int, batch Batch[R],
	progress func(done, total int)) ([]parsed[R], error) {
	res := rec.res
	example := im.exampleOf()
	kept := []parsed[R]{}
	for {
		cells, num, re, err := nextRow(rd)
		if errors.Is(err, io.EOF) {
			return kept, nil
		}
		if err != nil {
			return nil, rec.fail(err, num)
		}
		row := &Row{Num: num, cells: cells, index: index, rec: rec}
		if example != "" && row.Cell(im.spec.ExampleKey) == example {
			continue // the template's example row, left in by the user
		}
		res.Rows++
		if res.Rows%1000 == 0 {
			progress(res.Rows/2, 0)
		}
		if re != nil {
			rec.issues(num, rd.Header(), re.Issues)
			row.bad = true
		}
		r := batch.Parse(row)
		if err := batch.Admit(ctx, row, r); err != nil {
			return nil, err
		}
		switch {
		case kept == nil:
		case res.Rows > im.kept:
			kept = nil
		case !row.bad:
			kept = append(kept, parsed[R]{num, r})
		}
	}
}

// nextRow reads the next data row. A row that broke a cell or row limit
// comes back with its cells and the *sheet.RowError saying which; err is
// io.EOF after the last row, or the error that ends the file.
func nextRow(rd *sheet.Reader) (cells []string, num int, re *sheet.RowError, err error) {
	cells, num, err = rd.Next()
	if errors.As(err, &re) {
		return re.Cells, re.Row, re, nil
	}
	return cells, num, nil, err
}

// apply is the second pass: it applies, in tx, every row the first pass
// found without problems — the kept rows, or, when the first pass kept
// none, the rows of the file read and parsed again.
func (im *Importer[O, R, T, PT]) apply(ctx context.Context, tx *sqldb.Tx, f File, rec *recorder, index map[string]int,
	batch Batch[R], kept []parsed[R], progress func(applied int)) error {
	applied := 0
	one := func(num int, r R) error {
		if err := batch.Apply(ctx, tx, r); err != nil {
			return fmt.Errorf("row %d: %w", num, err)
		}
		progress(applied)
		applied++
		return nil
	}
	if kept != nil {
		for _, p := range kept {
			if rec.bad[p.num] {
				continue // a problem found after the row was parsed
			}
			if err := one(p.num, p.row); err != nil {
				return err
			}
		}
		return nil
	}
	rd, err := sheet.Open(f.R, f.Size, f.Name, im.limits)
	if err != nil {
		return fmt.Errorf("read the file again: %w", err)
	}
	defer rd.Close()
	example := im.exampleOf()
	for {
		cells, num, re, err := nextRow(rd)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the file again: %w", err)
		}
		if re != nil {
			continue // a bad row
		}
		row := &Row{Num: num, cells: cells, index: index}
		if rec.bad[num] || (example != "" && row.Cell(im.spec.ExampleKey) == example) {
			continue
		}
		r := batch.Parse(row)
		if row.bad {
			return fmt.Errorf("row %d: parsed with a problem the second time only", num)
		}
		if err := one(num, r); err != nil {
			return err
		}
	}
}

// headerProblems records the problems of a header that does not map.
func (im *Importer[O, R, T, PT]) headerProblems(rec *recorder, header []string, headerRow int, errs []apperr.FieldError) {
	for _, fe := range errs {
		p := sheet.Problem{Row: headerRow, Column: fe.Field, Reason: i18n.T(i18n.Chinese, fe.Key, fe.Args...)}
		if fe.Key == "sheet.missing_column" {
			p.Column = im.headers[fe.Field]
		} else {
			for i, h := range header {
				if h == fe.Field {
					p.Cell = i + 1
					break
				}
			}
		}
		rec.markBad(headerRow)
		rec.problem(p)
	}
}

// withoutReportColumns blanks the columns an error report adds to a file,
// so that a corrected report imports like the original.
func withoutReportColumns(header []string) []string {
	var out []string
	for i, h := range header {
		if h != sheet.ReportReasonHeader && h != sheet.ReportRowHeader {
			continue
		}
		if out == nil {
			out = append([]string(nil), header...)
		}
		out[i] = ""
	}
	if out == nil {
		return header
	}
	return out
}
