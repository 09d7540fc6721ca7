package job_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/job"
	"kechuang/internal/sqldb"
)

var (
	alice = audit.Actor{ID: 1, Name: "alice", Role: "enterprise", Region: "320505"}
	bob   = audit.Actor{ID: 2, Name: "bob", Role: "enterprise", Region: "320505"}
	admin = audit.Actor{ID: 3, Name: "root", Role: "admin"}
)

// newService returns a Service with short intervals so tests run fast.
func newService(t *testing.T, db *sqldb.DB) *job.Service {
	t.Helper()
	s := job.NewService(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.PollInterval = 10 * time.Millisecond
	s.ProgressInterval = 10 * time.Millisecond
	return s
}

// startService starts s and stops it when the test ends.
func startService(t *testing.T, s *job.Service, workers int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s.Start(ctx, workers)
	t.Cleanup(func() {
		cancel()
		s.Wait()
	})
}

// waitFor polls cond until it holds or a few seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func count(t *testing.T, db *sqldb.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func auditActions(t *testing.T, db *sqldb.DB, id int64) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(),
		"SELECT action FROM audit_log WHERE object_type = 'job' AND object_id = ? ORDER BY id", fmt.Sprint(id))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func TestEnqueueRunProgressResult(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newService(t, db)
		var live job.Job
		var liveErr error
		s.Register("test.import", func(ctx context.Context, run *job.Run) error {
			rows := strings.Split(string(run.Payload()), "\n")
			return run.InTx(ctx, func(tx *sqldb.Tx) error {
				for i, r := range rows {
					if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)",
						fmt.Sprintf("job%d.%d", run.Job().ID, i), r); err != nil {
						return err
					}
					run.Progress(i+1, len(rows), "导入第 "+fmt.Sprint(i+1)+" 行")
				}
				live, liveErr = s.Get(ctx, run.Owner(), run.Job().ID)
				return run.SetResult(map[string]int{"rows": len(rows)})
			})
		})
		// The job keeps the address of the request that queued it (#18 §6).
		reqCtx := audit.WithRequest(ctx, "203.0.113.8", "req-42")
		id, err := s.EnqueueNow(reqCtx, alice, "test.import", "320505", []byte("a\nb\nc"))
		if err != nil {
			t.Fatalf("EnqueueNow: %v", err)
		}
		queued, err := s.Get(ctx, alice, id)
		if err != nil || queued.State != job.Queued || queued.OwnerName != "alice" || queued.RegionCode != "320505" ||
			queued.ClientAddr != "203.0.113.8" || queued.RequestID != "req-42" {
			t.Fatalf("Get(queued) = %+v, %v", queued, err)
		}
		if err := s.RunPending(ctx); err != nil {
			t.Fatalf("RunPending: %v", err)
		}
		if liveErr != nil || live.State != job.Running || live.Done != 3 || live.Total != 3 {
			t.Errorf("Get during the run = %+v, %v; want running with live progress 3/3", live, liveErr)
		}
		got, err := s.Get(ctx, alice, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != job.Done || got.Done != 3 || got.Total != 3 || got.Attempts != 1 || got.Error != "" ||
			got.StartedAt.IsZero() || got.FinishedAt.IsZero() || got.Message != "导入第 3 行" {
			t.Errorf("Get(done) = %+v", got)
		}
		var result map[string]int
		if err := json.Unmarshal(got.Result, &result); err != nil || result["rows"] != 3 {
			t.Errorf("Result = %s, %v; want {\"rows\":3}", got.Result, err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM settings WHERE key LIKE ?", fmt.Sprintf("job%d.%%", id)); n != 3 {
			t.Errorf("handler rows = %d, want 3", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM job_payloads"); n != 0 {
			t.Errorf("payloads left = %d, want 0 (dropped when the job ends)", n)
		}
		if diff := cmp.Diff([]string{"job.enqueue", "job.done"}, auditActions(t, db, id)); diff != "" {
			t.Errorf("audit actions mismatch (-want +got):\n%s", diff)
		}
		// The run's audit rows, written by a worker with no request, carry
		// the queuing request's address.
		if n := count(t, db, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'job' AND object_id = ? AND client_addr = '203.0.113.8'",
			fmt.Sprint(id)); n != 2 {
			t.Errorf("job audit rows from 203.0.113.8 = %d, want 2 (enqueue and done)", n)
		}
	})
}

func TestProgressIsPersisted(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newService(t, db)
		s.Register("test.slow", func(ctx context.Context, run *job.Run) error {
			for i := 1; i <= 100; i++ {
				run.Progress(i, 100, "step") // far more often than the writes
			}
			waitFor(t, "stored progress", func() bool {
				return count(t, db, "SELECT done FROM jobs WHERE id = ?", run.Job().ID) == 100
			})
			return nil
		})
		if _, err := s.EnqueueNow(ctx, alice, "test.slow", "", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.RunPending(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		handler   job.Handler
		wantError string
		wantKey   string
	}{
		{
			name: "error inside InTx rolls the work back",
			handler: func(ctx context.Context, run *job.Run) error {
				return run.InTx(ctx, func(tx *sqldb.Tx) error {
					if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ('half', 'applied')"); err != nil {
						return err
					}
					return apperr.New(apperr.Invalid, "market.bad_rows", 3)
				})
			},
			wantError: "invalid: market.bad_rows[3]",
			wantKey:   "market.bad_rows",
		},
		{
			name:      "plain error",
			handler:   func(ctx context.Context, run *job.Run) error { return errors.New("disk on fire") },
			wantError: "disk on fire",
		},
		{
			name: "panic",
			handler: func(ctx context.Context, run *job.Run) error {
				panic("disk on fire")
			},
			wantError: "panic: disk on fire",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				ctx := context.Background()
				s := newService(t, db)
				s.Register("test.fail", tt.handler)
				id, err := s.EnqueueNow(ctx, alice, "test.fail", "", []byte("payload"))
				if err != nil {
					t.Fatal(err)
				}
				if err := s.RunPending(ctx); err != nil {
					t.Fatalf("RunPending: %v", err)
				}
				got, err := s.Get(ctx, alice, id)
				if err != nil {
					t.Fatal(err)
				}
				if got.State != job.Failed || got.Error != tt.wantError || got.ErrorKey != tt.wantKey || got.FinishedAt.IsZero() {
					t.Errorf("Get(failed) = state %s, error %q, key %q; want failed, %q, %q",
						got.State, got.Error, got.ErrorKey, tt.wantError, tt.wantKey)
				}
				if n := count(t, db, "SELECT COUNT(*) FROM settings WHERE key = 'half'"); n != 0 {
					t.Errorf("half-applied rows = %d, want 0", n)
				}
				if diff := cmp.Diff([]string{"job.enqueue", "job.fail"}, auditActions(t, db, id)); diff != "" {
					t.Errorf("audit actions mismatch (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestPanicDoesNotStopWorkers guards the server against a handler panic:
// the worker fails that job and goes on with the next.
func TestPanicDoesNotStopWorkers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newService(t, db)
		s.Register("test.panic", func(ctx context.Context, run *job.Run) error { panic("boom") })
		s.Register("test.ok", func(ctx context.Context, run *job.Run) error { return nil })
		startService(t, s, 1)
		bad, err := s.EnqueueNow(ctx, alice, "test.panic", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		good, err := s.EnqueueNow(ctx, alice, "test.ok", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "both jobs to finish", func() bool {
			a, _ := s.Get(ctx, alice, bad)
			b, _ := s.Get(ctx, alice, good)
			return a.Finished() && b.Finished()
		})
		a, _ := s.Get(ctx, alice, bad)
		b, _ := s.Get(ctx, alice, good)
		if a.State != job.Failed || a.Error != "panic: boom" || b.State != job.Done {
			t.Errorf("after a panic: %s %q and %s; want failed \"panic: boom\" and done", a.State, a.Error, b.State)
		}
	})
}

func TestInterruptedJobFailsAtStart(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		crashed := newService(t, db)
		crashed.Register("test.long", func(ctx context.Context, run *job.Run) error { return nil })
		stale, err := crashed.EnqueueNow(ctx, alice, "test.long", "", []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := crashed.EnqueueNow(ctx, alice, "test.long", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		// Simulate a process that claimed both jobs and died; the second
		// one's heartbeat is recent, as a live PostgreSQL node's would be.
		old := sqldb.At(time.Now().Add(-time.Hour))
		recent := sqldb.At(time.Now())
		for _, j := range []struct {
			id int64
			hb sqldb.Time
		}{{stale, old}, {fresh, recent}} {
			if _, err := db.ExecContext(ctx, `UPDATE jobs SET state = 'running', worker = 'dead-node', attempts = 1,
				started_at = ?, heartbeat_at = ? WHERE id = ?`, old, j.hb, j.id); err != nil {
				t.Fatal(err)
			}
		}
		s := newService(t, db)
		s.Register("test.long", func(ctx context.Context, run *job.Run) error {
			t.Error("an interrupted job ran again")
			return nil
		})
		startService(t, s, 1)
		waitFor(t, "the stale job to fail", func() bool {
			j, _ := s.Get(ctx, admin, stale)
			return j.Finished()
		})
		got, _ := s.Get(ctx, alice, stale)
		if got.State != job.Failed || got.Error != job.InterruptedError || got.ErrorKey != "job.interrupted" {
			t.Errorf("stale job = %s, %q, %q; want failed, %q", got.State, got.Error, got.ErrorKey, job.InterruptedError)
		}
		if diff := cmp.Diff([]string{"job.enqueue", "job.interrupted"}, auditActions(t, db, stale)); diff != "" {
			t.Errorf("audit actions mismatch (-want +got):\n%s", diff)
		}
		// On SQLite one process owns the file, so every running job is
		// orphaned; on PostgreSQL a recent heartbeat means a live node.
		want := job.Running
		if db.Dialect() == sqldb.SQLite {
			want = job.Failed
		}
		if j, _ := s.Get(ctx, alice, fresh); j.State != want {
			t.Errorf("job with a recent heartbeat = %s, want %s", j.State, want)
		}
	})
}

func TestShutdownFailsRunningJob(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := newService(t, db)
		started := make(chan struct{})
		s.Register("test.wait", func(ctx context.Context, run *job.Run) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		s.Start(ctx, 2)
		id, err := s.EnqueueNow(context.Background(), alice, "test.wait", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		<-started
		cancel()
		s.Wait()
		got, _ := s.Get(context.Background(), alice, id)
		if got.State != job.Failed || got.Error != job.InterruptedError {
			t.Errorf("job cut short by shutdown = %s, %q; want failed, %q", got.State, got.Error, job.InterruptedError)
		}
	})
}

func TestTwoServicesNeverRunAJobTwice(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		const jobs = 50
		var runs sync.Map // job id → *atomic.Int32
		var total atomic.Int32
		handler := func(ctx context.Context, run *job.Run) error {
			n, _ := runs.LoadOrStore(run.Job().ID, new(atomic.Int32))
			n.(*atomic.Int32).Add(1)
			total.Add(1)
			time.Sleep(2 * time.Millisecond)
			return nil
		}
		var services []*job.Service
		for range 2 {
			s := newService(t, db)
			s.Register("test.count", handler)
			startService(t, s, 2)
			services = append(services, s)
		}
		ids := make([]int64, jobs)
		for i := range ids {
			id, err := services[i%2].EnqueueNow(ctx, alice, "test.count", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = id
		}
		waitFor(t, "every job to finish", func() bool {
			return count(t, db, "SELECT COUNT(*) FROM jobs WHERE state = 'done'") == jobs
		})
		if got := total.Load(); got != jobs {
			t.Errorf("handler ran %d times for %d jobs", got, jobs)
		}
		for _, id := range ids {
			n, ok := runs.Load(id)
			if !ok || n.(*atomic.Int32).Load() != 1 {
				t.Errorf("job %d ran %v times, want once", id, n)
			}
			if j, _ := services[0].Get(ctx, admin, id); j.Attempts != 1 {
				t.Errorf("job %d attempts = %d, want 1", id, j.Attempts)
			}
		}
	})
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newService(t, db)
		s.Register("test.a", func(ctx context.Context, run *job.Run) error { return nil })
		s.Register("test.b", func(ctx context.Context, run *job.Run) error { return nil })
		mine, err := s.EnqueueNow(ctx, alice, "test.a", "320505", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnqueueNow(ctx, alice, "test.b", "320505", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnqueueNow(ctx, bob, "test.a", "320505", nil); err != nil {
			t.Fatal(err)
		}
		getTests := []struct {
			name     string
			who      audit.Actor
			id       int64
			wantKind apperr.Kind
		}{
			{name: "owner", who: alice, id: mine},
			{name: "admin", who: admin, id: mine},
			{name: "system", who: audit.System, id: mine},
			{name: "another user", who: bob, id: mine, wantKind: apperr.NotFound},
			{name: "anonymous", who: audit.Actor{}, id: mine, wantKind: apperr.NotFound},
			{name: "missing job", who: admin, id: 9999, wantKind: apperr.NotFound},
		}
		for _, tt := range getTests {
			t.Run("get "+tt.name, func(t *testing.T) {
				_, err := s.Get(ctx, tt.who, tt.id)
				if got := apperr.KindOf(err); got != tt.wantKind {
					t.Errorf("Get(%s, %d) error = %v, want kind %q", tt.who.Name, tt.id, err, tt.wantKind)
				}
			})
		}
		findTests := []struct {
			name      string
			who       audit.Actor
			kind      string
			wantTotal int
		}{
			{name: "own jobs", who: alice, wantTotal: 2},
			{name: "own jobs of a kind", who: alice, kind: "test.b", wantTotal: 1},
			{name: "bob", who: bob, wantTotal: 1},
			{name: "admin sees all", who: admin, wantTotal: 3},
			{name: "admin by kind", who: admin, kind: "test.a", wantTotal: 2},
			{name: "anonymous sees none", who: audit.Actor{Role: "enterprise"}, wantTotal: 0},
		}
		for _, tt := range findTests {
			t.Run("find "+tt.name, func(t *testing.T) {
				jobs, total, err := s.FindJobs(ctx, tt.who, tt.kind, 1, 20)
				if err != nil || total != tt.wantTotal || len(jobs) != tt.wantTotal {
					t.Errorf("FindJobs(%s, %q) = %d jobs, total %d, %v; want %d", tt.who.Name, tt.kind, len(jobs), total, err, tt.wantTotal)
				}
				for _, j := range jobs {
					if tt.who.Role != "admin" && j.OwnerID != tt.who.ID {
						t.Errorf("FindJobs(%s) returned job %d of owner %d", tt.who.Name, j.ID, j.OwnerID)
					}
				}
			})
		}
		jobs, total, err := s.FindJobs(ctx, admin, "", 2, 2)
		if err != nil || total != 3 || len(jobs) != 1 || jobs[0].ID != mine {
			t.Errorf("FindJobs(page 2 of 2) = %v, %d, %v; want the oldest job alone", jobs, total, err)
		}
	})
}

func TestEnqueueInRolledBackTxLeavesNoJob(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newService(t, db)
		s.Register("test.a", func(ctx context.Context, run *job.Run) error { return nil })
		errAbort := errors.New("abort")
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			if _, err := s.Enqueue(ctx, tx, alice, "test.a", "", []byte("payload")); err != nil {
				return err
			}
			return errAbort
		})
		if !errors.Is(err, errAbort) {
			t.Fatalf("InTx = %v, want errAbort", err)
		}
		for _, q := range []string{
			"SELECT COUNT(*) FROM jobs",
			"SELECT COUNT(*) FROM job_payloads",
			"SELECT COUNT(*) FROM audit_log WHERE action = 'job.enqueue'",
		} {
			if n := count(t, db, q); n != 0 {
				t.Errorf("%s = %d after rollback, want 0", q, n)
			}
		}
	})
}

func TestEnqueueUnknownKind(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newService(t, db)
		_, err := s.EnqueueNow(context.Background(), alice, "test.nobody", "", nil)
		if !apperr.Is(err, apperr.Internal) {
			t.Errorf("EnqueueNow(unknown kind) error = %v, want kind Internal", err)
		}
	})
}

func TestRegisterPanics(t *testing.T) {
	t.Parallel()
	ok := func(ctx context.Context, run *job.Run) error { return nil }
	tests := []struct {
		name string
		do   func(s *job.Service)
	}{
		{name: "duplicate kind", do: func(s *job.Service) { s.Register("a", ok); s.Register("a", ok) }},
		{name: "empty kind", do: func(s *job.Service) { s.Register("", ok) }},
		{name: "nil handler", do: func(s *job.Service) { s.Register("a", nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", tt.name)
				}
			}()
			tt.do(job.NewService(nil, slog.New(slog.NewTextHandler(io.Discard, nil))))
		})
	}
}

// TestResultSealedAtRest checks that a job's result — an import's, which
// keeps the cells of its problem rows, contacts included — is stored sealed
// (#18 §11), for a done and for a failed job, and read back whole.
func TestResultSealedAtRest(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newService(t, db)
		const phone, email = "13812345678", "zhang.san@example.com"
		s.Register("test.contacts", func(ctx context.Context, run *job.Run) error {
			if err := run.SetResult(map[string]string{"phone": phone, "email": email}); err != nil {
				return err
			}
			if string(run.Payload()) == "fail" {
				return errors.New("the file could not be read to its end")
			}
			return nil
		})
		for _, payload := range []string{"ok", "fail"} {
			id, err := s.EnqueueNow(ctx, alice, "test.contacts", "320505", []byte(payload))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RunPending(ctx); err != nil {
				t.Fatalf("RunPending: %v", err)
			}
			var stored string
			if err := db.QueryRowContext(ctx, "SELECT result FROM jobs WHERE id = ?", id).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(stored, phone) || strings.Contains(stored, email) || !strings.HasPrefix(stored, "pii:") {
				t.Errorf("%s job: stored result %q holds the contact in plain text", payload, stored)
			}
			got, err := s.Get(ctx, alice, id)
			if err != nil {
				t.Fatal(err)
			}
			var res map[string]string
			if err := json.Unmarshal(got.Result, &res); err != nil || res["phone"] != phone || res["email"] != email {
				t.Errorf("%s job: Result = %s, %v; want the contact back", payload, got.Result, err)
			}
			list, _, err := s.FindJobs(ctx, alice, "test.contacts", 1, 10)
			if err != nil || len(list) == 0 || !strings.Contains(string(list[0].Result), phone) {
				t.Errorf("%s job: FindJobs = %v, %v; want the result opened", payload, list, err)
			}
		}
	})
}
