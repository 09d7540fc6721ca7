package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strconv"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// Start marks interrupted the jobs a stopped process left running (see the
// package comment), then runs workers goroutines (at least one) that claim
// and run queued jobs until ctx ends. On PostgreSQL it also keeps marking
// interrupted the jobs of nodes whose heartbeat stops. Call Start once;
// Wait returns when every goroutine has stopped. Handlers see a ctx that
// ends with ctx: a job cut short that way fails with InterruptedError.
func (s *Service) Start(ctx context.Context, workers int) {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		panic("job: Start called twice")
	}
	s.started = true
	s.mu.Unlock()
	s.reapAndLog(ctx, s.db.Dialect() == sqldb.SQLite)
	for range max(workers, 1) {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.work(ctx)
		}()
	}
	if s.db.Dialect() == sqldb.Postgres {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			t := time.NewTicker(max(s.StaleAfter/2, time.Second))
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					s.reapAndLog(ctx, false)
				}
			}
		}()
	}
}

func (s *Service) reapAndLog(ctx context.Context, all bool) {
	ids, err := s.reap(ctx, all)
	if err != nil {
		if ctx.Err() == nil {
			s.logger.Error("job reap failed", "err", err)
		}
		return
	}
	for _, id := range ids {
		s.logger.Warn("job interrupted", "job_id", id)
	}
}

// Wait blocks until the goroutines of Start have stopped, which they do
// soon after Start's ctx ends (once running handlers return).
func (s *Service) Wait() { s.wg.Wait() }

// RunPending runs queued jobs one after another in the calling goroutine
// until none is left, for tests and the command line. Jobs that fail are
// recorded as failed; RunPending returns an error only when the database
// does. It does not mark other processes' jobs interrupted.
func (s *Service) RunPending(ctx context.Context) error {
	for {
		ran, err := s.runNext(ctx)
		if err != nil {
			return err
		}
		if !ran {
			return nil
		}
	}
}

func (s *Service) work(ctx context.Context) {
	timer := time.NewTimer(s.PollInterval)
	defer timer.Stop()
	for ctx.Err() == nil {
		ran, err := s.runNext(ctx)
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("job claim failed", "err", err)
		}
		if ran {
			continue
		}
		timer.Reset(s.PollInterval)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
	}
}

func (s *Service) kinds() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	kinds := make([]string, 0, len(s.handlers))
	for k := range s.handlers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// runNext claims one queued job and runs it; it reports whether there was
// one.
func (s *Service) runNext(ctx context.Context) (bool, error) {
	id, err := s.claim(ctx, s.kinds())
	if errors.Is(err, errNoJob) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// Another job may be waiting: let an idle worker look at once.
	s.notify()
	j, owner, err := getJob(ctx, s.db, id)
	var payload []byte
	if err == nil {
		payload, err = loadPayload(ctx, s.db, id)
	}
	run := &Run{s: s, job: j, owner: owner, payload: payload,
		log: s.logger.With("job_id", id, "kind", j.Kind)}
	run.job.ID = id
	if err != nil {
		s.finish(ctx, run, fmt.Errorf("load job: %w", err))
		return true, nil
	}
	s.execute(ctx, run)
	return true, nil
}

// execute runs the handler of run's job with live progress and records
// the outcome.
func (s *Service) execute(ctx context.Context, run *Run) {
	h := s.handler(run.job.Kind)
	s.mu.Lock()
	s.live[run.job.ID] = run
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.live, run.job.ID)
		s.mu.Unlock()
	}()
	stop := make(chan struct{})
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		s.flushProgress(ctx, run, stop)
	}()
	run.log.Info("job started")
	start := time.Now()
	// The run's audit rows carry the address of the request that queued
	// the job, and the job's number as the request.
	hctx := audit.WithRequest(ctx, run.job.ClientAddr, "job-"+strconv.FormatInt(run.job.ID, 10))
	err := callHandler(hctx, h, run)
	close(stop)
	<-flushed
	s.finish(hctx, run, err)
	run.log.Info("job finished", "duration_ms", time.Since(start).Milliseconds(), "failed", err != nil)
}

// callHandler runs h, turning a panic into an error.
func callHandler(ctx context.Context, h Handler, run *Run) (err error) {
	defer func() {
		if p := recover(); p != nil {
			run.log.Error("job handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, run)
}

// finish records the outcome of a run whose handler returned err.
func (s *Service) finish(ctx context.Context, run *Run, err error) {
	// The outcome must be written even when ctx has ended.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	run.mu.Lock()
	finished := run.finished
	run.mu.Unlock()
	switch {
	case finished && err != nil:
		run.log.Warn("job handler failed after its work committed; the job stays done", "err", err)
		return
	case finished:
		return
	case err == nil:
		ferr := s.db.InTx(wctx, func(tx *sqldb.Tx) error { return s.markDone(wctx, tx, run) })
		if ferr == nil {
			return
		}
		run.log.Error("job done but its state could not be saved", "err", ferr)
		return
	}
	errText, errKey := err.Error(), ""
	if ctx.Err() != nil {
		errText, errKey = InterruptedError, "job.interrupted"
	} else if e := apperr.As(err); e != nil {
		switch e.Kind {
		case apperr.Invalid, apperr.NotFound, apperr.Conflict, apperr.Forbidden:
			errKey = e.Key
		}
	}
	if len(errText) > 4000 {
		errText = errText[:4000] + "…"
	}
	run.log.LogAttrs(wctx, slog.LevelWarn, "job failed", slog.String("err", err.Error()))
	if ferr := s.markFailed(wctx, run, errText, errKey); ferr != nil {
		run.log.Error("job failed but its state could not be saved", "err", ferr)
	}
}

// flushProgress writes run's progress when it changed, at most once per
// ProgressInterval, and a heartbeat every HeartbeatInterval, until stop is
// closed. A write that fails — on SQLite, one that waits behind the
// handler's transaction — is logged at debug level and retried later.
func (s *Service) flushProgress(ctx context.Context, run *Run, stop <-chan struct{}) {
	t := time.NewTicker(s.ProgressInterval)
	defer t.Stop()
	lastWrite := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		done, total, message, dirty := run.snapshot()
		if !dirty && time.Since(lastWrite) < s.HeartbeatInterval {
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := s.writeProgress(wctx, run, done, total, message)
		cancel()
		if err != nil {
			run.log.Debug("job progress not saved", "err", err)
			run.mu.Lock()
			run.dirty = true
			run.mu.Unlock()
			continue
		}
		lastWrite = time.Now()
	}
}
