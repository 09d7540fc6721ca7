package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// Roles that see every job; anyone else sees only their own.
const (
	roleAdmin  = "admin"
	roleSystem = "system"
)

// Service queues, runs and reports jobs. Set its exported fields, if at
// all, and Register every handler before Start or RunPending.
type Service struct {
	// Now is the clock.
	Now func() time.Time
	// PollInterval is how often an idle worker looks for queued jobs
	// (default 200 ms). EnqueueNow wakes a worker of the same Service at
	// once; jobs from Enqueue start within PollInterval of their commit.
	PollInterval time.Duration
	// ProgressInterval is the least time between two progress writes of
	// one job (default 250 ms, so at most four writes a second).
	ProgressInterval time.Duration
	// HeartbeatInterval is how often a running job's heartbeat is written
	// when its progress does not change (default 15 s).
	HeartbeatInterval time.Duration
	// StaleAfter is how old a running job's heartbeat must be for another
	// PostgreSQL node to mark it interrupted (default 2 min).
	StaleAfter time.Duration

	db     *sqldb.DB
	logger *slog.Logger
	worker string // identifies this process in jobs.worker
	wake   chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex // guards the fields below
	handlers map[string]Handler
	started  bool
	live     map[int64]*Run // jobs this Service is running
}

// NewService returns a Service on db that logs to logger.
func NewService(db *sqldb.DB, logger *slog.Logger) *Service {
	var b [4]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	return &Service{
		Now:               time.Now,
		PollInterval:      200 * time.Millisecond,
		ProgressInterval:  250 * time.Millisecond,
		HeartbeatInterval: 15 * time.Second,
		StaleAfter:        2 * time.Minute,
		db:                db,
		logger:            logger,
		worker:            fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:])),
		wake:              make(chan struct{}, 1),
		handlers:          map[string]Handler{},
		live:              map[int64]*Run{},
	}
}

// Register sets the handler for kind. It panics when kind is empty or
// already registered, or when the Service has started: these are
// programmer errors found at start-up.
func (s *Service) Register(kind string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case kind == "" || h == nil:
		panic("job: Register needs a kind and a handler")
	case s.started:
		panic("job: Register(" + kind + ") after Start")
	case s.handlers[kind] != nil:
		panic("job: handler for " + kind + " registered twice")
	}
	s.handlers[kind] = h
}

func (s *Service) handler(kind string) Handler {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handlers[kind]
}

// Enqueue inserts a queued job of kind for owner inside tx, with payload
// (which may be nil; up to tens of megabytes is fine), and records the
// audit row "job.enqueue" in tx. The job keeps the client address and
// request id that ctx carries (audit.WithRequest). The job exists only if tx commits. The
// kind must be registered on this Service: an unknown kind is a programmer
// error and returns an Internal error.
func (s *Service) Enqueue(ctx context.Context, tx *sqldb.Tx, owner audit.Actor, kind, regionCode string, payload []byte) (int64, error) {
	if s.handler(kind) == nil {
		return 0, apperr.New(apperr.Internal, "job.unknown_kind", kind)
	}
	var ownerID any
	if owner.ID != 0 {
		ownerID = owner.ID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO jobs
		(kind, state, owner_id, owner_name, owner_role, owner_region, region_code, created_at, client_addr, request_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		kind, Queued, ownerID, owner.Name, owner.Role, owner.Region, regionCode, sqldb.At(s.Now()),
		audit.ClientAddr(ctx), audit.RequestID(ctx))
	if err != nil {
		return 0, fmt.Errorf("enqueue job %s: %w", kind, err)
	}
	if len(payload) > 0 {
		if _, err := tx.ExecContext(ctx, "INSERT INTO job_payloads (job_id, data) VALUES (?, ?)", id, payload); err != nil {
			return 0, fmt.Errorf("enqueue job %s payload: %w", kind, err)
		}
	}
	err = audit.Record(ctx, tx, owner, audit.Event{
		Action: "job.enqueue", ObjectType: "job", ObjectID: strconv.FormatInt(id, 10), RegionCode: regionCode,
		After: map[string]any{"kind": kind, "payload_bytes": len(payload)},
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// EnqueueNow is Enqueue in its own transaction; it wakes an idle worker of
// this Service so that the job starts at once.
func (s *Service) EnqueueNow(ctx context.Context, owner audit.Actor, kind, regionCode string, payload []byte) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		id, err = s.Enqueue(ctx, tx, owner, kind, regionCode, payload)
		return err
	})
	if err != nil {
		return 0, err
	}
	s.notify()
	return id, nil
}

// notify wakes one idle worker, if any; it never blocks.
func (s *Service) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// seesAll reports whether who may see every job.
func seesAll(who audit.Actor) bool { return who.Role == roleAdmin || who.Role == roleSystem }

// Get returns job id to its owner, or to an admin or the system. Anyone
// else, and a missing job, get apperr.NotFound (key job.not_found), so ids
// leak nothing. A job this Service is running shows its latest progress.
func (s *Service) Get(ctx context.Context, who audit.Actor, id int64) (Job, error) {
	j, _, err := getJob(ctx, s.db, id)
	if err != nil {
		return Job{}, err
	}
	if !seesAll(who) && (who.ID == 0 || who.ID != j.OwnerID) {
		return Job{}, apperr.New(apperr.NotFound, "job.not_found")
	}
	return s.overlay(j), nil
}

// FindJobs returns one page (1-based; perPage defaults to 20, at most 100)
// of the jobs who may see — their own, or all for an admin and the system
// — newest first, optionally only those of kind, and the total count.
func (s *Service) FindJobs(ctx context.Context, who audit.Actor, kind string, page, perPage int) ([]Job, int, error) {
	if page < 1 {
		page = 1
	}
	if perPage <= 0 {
		perPage = 20
	}
	perPage = min(perPage, 100)
	if !seesAll(who) && who.ID == 0 {
		return nil, 0, nil
	}
	jobs, total, err := findJobs(ctx, s.db, jobFilter{kind: kind, ownerID: who.ID, all: seesAll(who), limit: perPage, offset: (page - 1) * perPage})
	if err != nil {
		return nil, 0, err
	}
	for i := range jobs {
		jobs[i] = s.overlay(jobs[i])
	}
	return jobs, total, nil
}

// overlay replaces a running job's stored progress with the live one when
// this Service runs it: on SQLite the handler's transaction holds the write
// lock, so stored progress lags until it commits.
func (s *Service) overlay(j Job) Job {
	if j.State != Running {
		return j
	}
	s.mu.Lock()
	r := s.live[j.ID]
	s.mu.Unlock()
	if r == nil {
		return j
	}
	r.mu.Lock()
	j.Done, j.Total, j.Message = r.done, r.total, r.message
	r.mu.Unlock()
	return j
}
