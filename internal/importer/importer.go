package importer

import (
	"context"
	"io"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/job"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// Import modes.
const (
	AllOrNothing = "all"   // any bad row: nothing is written
	ValidRows    = "valid" // bad rows are reported and skipped
)

// MaxListedProblems bounds the problems a result lists one by one; the
// rest are counted by column and reason (Report.More). ProblemRows is
// always exact.
const MaxListedProblems = 1000

// Result is what every import reports. A module's result type embeds it
// and adds its own counts; the kit fills these fields.
type Result struct {
	Rows        int             `json:"rows"`         // data rows read (the example row not counted)
	Valid       int             `json:"valid"`        // rows without problems, applied or to apply
	Applied     bool            `json:"applied"`      // the valid rows were written
	Mode        string          `json:"mode"`         // AllOrNothing or ValidRows
	Problems    []sheet.Problem `json:"problems"`     // the first MaxListedProblems problems
	ProblemRows int             `json:"problem_rows"` // rows with at least one problem
	// Created and Updated count the records the module's Apply created and
	// changed; a row that changes nothing counts in neither.
	Created int `json:"created"`
	Updated int `json:"updated"`
	// Failure says, in Chinese like the problems, why the file could not
	// be read to its end; the import then wrote nothing and its job failed.
	Failure string `json:"failure,omitempty"`
	// Report holds what the error report needs besides Problems: the
	// file's header, the cells of the rows with listed problems, and the
	// counts of the problems not listed.
	Report *sheet.Report `json:"report,omitempty"`
}

// Base returns r; a module's result type gets it by embedding Result.
func (r *Result) Base() *Result { return r }

// ErrorReport returns the marked error report of the result.
func (r *Result) ErrorReport() sheet.Report {
	var rep sheet.Report
	if r.Report != nil {
		rep = *r.Report
	}
	rep.Problems = r.Problems
	return rep
}

// Outcome constrains a module's result type: a pointer to a struct that
// embeds Result. A result with counts of its own says them by name with a
// method Counts() map[string]int, for the audit row of the import.
type Outcome[T any] interface {
	*T
	Base() *Result
}

// counter is the optional Counts of a module's result.
type counter interface{ Counts() map[string]int }

// Options constrains a module's import options, which travel in the job
// payload as JSON: they say the mode.
type Options interface {
	ImportMode() string
}

// Spec is what a module supplies for one kind of import. O is its options
// type, R its parsed row, T its result type (PT being *T).
type Spec[O Options, R any, T any, PT Outcome[T]] struct {
	// Kind is the job kind of a queued import, e.g. "market.import_listings".
	Kind string
	// Action is the audit action recorded for a whole import, e.g.
	// "listing.import".
	Action string
	// Columns are the import's columns; the header is mapped to them.
	Columns []sheet.Column
	// ExampleKey names the column whose Example marks the template's
	// example row: a row with that value there is skipped, so that a user
	// who leaves the example in imports nothing extra.
	ExampleKey string
	// Authorize returns apperr.Forbidden unless the actor may import at
	// all. It is checked when a job is queued, and again, against the
	// owner's account as it is then, when the job runs.
	Authorize func(a account.Actor) error
	// Begin starts one import by the actor: it loads what the rows are
	// matched against and returns the batch that parses and applies them.
	// res is the result the batch counts into.
	Begin func(ctx context.Context, a account.Actor, opt O, h Header, res PT) (Batch[R], error)
}

// Header is the file's header row, mapped to the spec's columns.
type Header struct {
	Cells []string       // the header cells as read
	Index map[string]int // column key → position in a row
}

// Batch parses and applies the rows of one import, in two passes: first
// the kit checks every row — Parse, then Admit, in file order — and then,
// inside the import's transaction, it calls Apply for each row that had
// no problem. Of a large file (over 20,000 rows) the kit keeps no parsed
// row between the passes (200,000 parsed rows of an Enterprise and a
// YearRecord each took a gigabyte): it reads the file again and calls Parse
// again before Apply.
type Batch[R any] interface {
	// Parse reads one data row, reporting the row's own problems through
	// row.Problem. It must depend on the row alone: it is called again for
	// every row that is applied, and must give the same result.
	Parse(row *Row) R
	// Admit checks, in the first pass, a parsed row against the rows
	// before it and against the database (duplicates in the file, the
	// record the row updates) and keeps what Apply will need to know
	// about it, reporting problems through row.Problem (or, for a row
	// admitted earlier, row.ProblemAt). It is called for every row,
	// row.Bad() telling whether Parse found a problem. An error ends the
	// import.
	Admit(ctx context.Context, row *Row, r R) error
	// Apply writes one row without problems in tx, with its audit rows.
	Apply(ctx context.Context, tx *sqldb.Tx, r R) error
}

// Finisher is implemented by a Batch that checks something once every row
// is admitted, before anything is written (a batch of rows against the
// database, say). A problem it reports through problem makes that row bad.
type Finisher interface {
	Finish(ctx context.Context, problem func(row int, key, reason string)) error
}

// Starter is implemented by a Batch that prepares something inside the
// transaction before the first row is applied.
type Starter interface {
	Start(ctx context.Context, tx *sqldb.Tx) error
}

// File is an uploaded spreadsheet.
type File struct {
	R    io.ReaderAt
	Size int64
	Name string // the file name as uploaded; its extension tells CSV
}

// Importer runs one module's imports. Make it with New in the module's
// service constructor and give it the job service with Configure.
type Importer[O Options, R any, T any, PT Outcome[T]] struct {
	spec    Spec[O, R, T, PT]
	db      *sqldb.DB
	jobs    *job.Service
	limits  sheet.Limits
	kept    int               // keptRows; tests lower it
	headers map[string]string // the header texts of the spec's columns, by key
}

// New returns an Importer for spec on db, with sheet's default limits.
func New[O Options, R any, T any, PT Outcome[T]](db *sqldb.DB, spec Spec[O, R, T, PT]) *Importer[O, R, T, PT] {
	headers := make(map[string]string, len(spec.Columns))
	for _, c := range spec.Columns {
		headers[c.Key] = c.Header
	}
	return &Importer[O, R, T, PT]{spec: spec, db: db, headers: headers, kept: keptRows}
}

// Config is how an installation runs imports.
type Config struct {
	// Jobs runs queued imports; Configure registers the import's handler
	// with it.
	Jobs *job.Service
	// Limits bound every file; zero fields take sheet's defaults (200,000
	// rows, 32,767 characters a cell, …).
	Limits sheet.Limits
	// KeptRows is how many parsed rows one import keeps between checking
	// and applying; a file with more rows is read and parsed again to be
	// applied. 0 means 20,000; a negative number keeps none.
	KeptRows int
}

// Configure sets the job service and limits and registers the import's
// job handler. Call it once, before the job service starts.
func (im *Importer[O, R, T, PT]) Configure(cfg Config) {
	im.limits = cfg.Limits
	im.jobs = cfg.Jobs
	switch {
	case cfg.KeptRows > 0:
		im.kept = cfg.KeptRows
	case cfg.KeptRows < 0:
		im.kept = 0
	}
	if im.jobs != nil {
		im.jobs.Register(im.spec.Kind, im.handle)
	}
}

// Kind returns the job kind of the import.
func (im *Importer[O, R, T, PT]) Kind() string { return im.spec.Kind }

// Authorize returns apperr.Forbidden unless the actor may import.
func (im *Importer[O, R, T, PT]) Authorize(a account.Actor) error { return im.spec.Authorize(a) }

// normMode returns mode, or AllOrNothing for anything but ValidRows.
func normMode(mode string) string {
	if mode == ValidRows {
		return ValidRows
	}
	return AllOrNothing
}

// Row is one data row being parsed.
type Row struct {
	Num   int // spreadsheet row number
	cells []string
	index map[string]int
	rec   *recorder // nil in the second pass, whose problems were recorded
	bad   bool
}

// Cell returns the text of column key, trimmed; "" when the file has no
// such column.
func (r *Row) Cell(key string) string {
	if i, ok := r.index[key]; ok && i < len(r.cells) {
		return strings.TrimSpace(r.cells[i])
	}
	return ""
}

// Problem records a problem of the row in column key (a column's Key, or
// any other name, shown as it is; "" for the whole row). The row will not
// be applied.
func (r *Row) Problem(key, reason string) {
	r.bad = true
	if r.rec != nil {
		r.rec.add(r.Num, key, reason)
	}
}

// ProblemAt records a problem, found only now, of the earlier row num.
func (r *Row) ProblemAt(num int, key, reason string) {
	if r.rec != nil {
		r.rec.add(num, key, reason)
	}
}

// Bad reports whether the row has a problem so far.
func (r *Row) Bad() bool { return r.bad }
