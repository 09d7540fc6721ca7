package job

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// State is where a job is in its life.
type State string

// The states. A job moves queued → running → done or failed, and never back.
const (
	Queued  State = "queued"
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
)

// InterruptedError is the Error of a job whose process stopped while the
// job ran.
const InterruptedError = "interrupted: the server stopped while this job ran"

// Job is one unit of long work and its progress.
type Job struct {
	ID      int64
	Kind    string // what the job does, e.g. "market.import_listings"; selects the Handler
	State   State
	Done    int    // units of work done so far
	Total   int    // units of work in all; 0 while unknown
	Message string // what the job is doing now, for the page
	// Result is the JSON the handler set with Run.SetResult; nil until the
	// job is done, and nil for a failed job unless its handler set one
	// before it failed (to say what it found).
	Result json.RawMessage
	// Error says why a failed job failed, for operators and logs; show
	// users ErrorKey (when set) rather than this text.
	Error string
	// ErrorKey is the i18n key of the apperr.Error that failed the job,
	// when the error was one of kind Invalid, NotFound, Conflict or
	// Forbidden; "" otherwise.
	ErrorKey   string
	OwnerID    int64 // the user who asked for the job; 0 for the system
	OwnerName  string
	RegionCode string // the region the job's data belongs to
	// ClientAddr and RequestID are those of the request that queued the
	// job; the audit rows the run writes carry the address.
	ClientAddr string
	RequestID  string
	CreatedAt  time.Time
	StartedAt  time.Time // zero while queued
	FinishedAt time.Time // zero until done or failed
	Attempts   int       // times a worker claimed the job (0 or 1: jobs are not retried)
}

// Finished reports whether the job is done or failed.
func (j Job) Finished() bool { return j.State == Done || j.State == Failed }

// Handler does the work of one kind of job. It should do all of its writes
// through run.InTx (see the package comment) and return an error, which
// fails the job, when it cannot. It should stop early when ctx ends.
type Handler func(ctx context.Context, run *Run) error

// Run is one job being run: its data, payload and progress. A Run is
// valid only during its Handler call; Progress and SetResult may be called
// from any goroutine.
type Run struct {
	s       *Service
	job     Job
	owner   audit.Actor
	payload []byte
	log     *slog.Logger

	mu       sync.Mutex // guards the fields below
	done     int
	total    int
	message  string
	dirty    bool // progress changed since it was last written
	result   json.RawMessage
	finished bool // InTx committed the job as done
}

// Job returns the job as claimed, with the latest progress.
func (r *Run) Job() Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	j := r.job
	j.Done, j.Total, j.Message = r.done, r.total, r.message
	return j
}

// Owner returns who enqueued the job, for the handler's permission checks
// and audit rows.
func (r *Run) Owner() audit.Actor { return r.owner }

// Payload returns the bytes given at Enqueue (nil if none). The caller must
// not modify them.
func (r *Run) Payload() []byte { return r.payload }

// Progress records that done of total units are done, with a message for
// the page. It only updates memory: a background writer persists the latest
// values at most four times a second (Service.ProgressInterval), and Get
// and FindJobs in the same process see them at once. It never fails the
// job; a write that fails is logged and retried with the next value.
func (r *Run) Progress(done, total int, message string) {
	r.mu.Lock()
	r.done, r.total, r.message, r.dirty = done, total, message, true
	r.mu.Unlock()
}

// SetResult stores v, marshalled as JSON, as the job's result. Call it
// before InTx commits to store the result with the work; a handler that
// then returns an error keeps it as the failed job's result.
//
// SetResult(nil) clears the result.
func (r *Run) SetResult(v any) error {
	if v == nil {
		r.mu.Lock()
		r.result = nil
		r.mu.Unlock()
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("job %d result: %w", r.job.ID, err)
	}
	r.mu.Lock()
	r.result = b
	r.mu.Unlock()
	return nil
}

// InTx runs fn in a transaction and, when fn returns nil, marks the job
// done (with its result and an audit row "job.done") in that same
// transaction before committing. So the work and the job's "done" commit
// together or not at all: a job that another process has meanwhile marked
// interrupted makes InTx fail and roll fn's writes back. Call InTx at most
// once per run; a second call fails.
func (r *Run) InTx(ctx context.Context, fn func(tx *sqldb.Tx) error) error {
	r.mu.Lock()
	finished := r.finished
	r.mu.Unlock()
	if finished {
		return fmt.Errorf("job %d: InTx called after the job was marked done", r.job.ID)
	}
	err := r.s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return r.s.markDone(ctx, tx, r)
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.finished = true
	r.mu.Unlock()
	return nil
}

// snapshot returns the progress and clears the dirty flag.
func (r *Run) snapshot() (done, total int, message string, dirty bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	done, total, message, dirty = r.done, r.total, r.message, r.dirty
	r.dirty = false
	return
}
