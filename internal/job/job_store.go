package job

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// jobColumns are the columns scanJob reads, in order; never the payload.
const jobColumns = `id, kind, state, done, total, message, result, error, error_key,
	COALESCE(owner_id, 0), owner_name, owner_role, owner_region, region_code,
	created_at, started_at, finished_at, attempts, client_addr, request_id`

type scanner interface{ Scan(dest ...any) error }

// resultColumn is sealed at rest (package pii): an import's result keeps
// the cells of the rows with problems for the error report, and those
// cells carry the contacts (phone, e-mail) the rows were to store.
var resultColumn = pii.Column{Table: "jobs", Name: "result"}

// SealedColumns are the job tables' columns holding personal data: the
// wiring seals their legacy plain text at start (pii.SealAll).
var SealedColumns = []pii.Column{resultColumn}

// sealResult returns the stored form of a job's result: sealed under the
// database's personal-data key when it has one. (Every server opens its
// database with a key; a bare database, as some tools and tests open, keeps
// plain text, which the server seals at its next start.)
func sealResult(q sqldb.Querier, result []byte) (any, error) {
	if result == nil {
		return nil, nil
	}
	k := pii.From(q)
	if k == nil {
		return string(result), nil
	}
	return k.Seal(resultColumn, string(result))
}

// scanJob reads one row of jobColumns and the owner as an audit.Actor,
// opening the result with k.
func scanJob(row scanner, k *pii.Keyring) (Job, audit.Actor, error) {
	var j Job
	var owner audit.Actor
	var result sql.NullString
	var created, started, finished sqldb.Time
	err := row.Scan(&j.ID, &j.Kind, &j.State, &j.Done, &j.Total, &j.Message, &result, &j.Error, &j.ErrorKey,
		&j.OwnerID, &j.OwnerName, &owner.Role, &owner.Region, &j.RegionCode,
		&created, &started, &finished, &j.Attempts, &j.ClientAddr, &j.RequestID)
	if err != nil {
		return Job{}, owner, err
	}
	if result.Valid {
		plain, err := k.Open(resultColumn, result.String)
		if err != nil {
			return Job{}, owner, fmt.Errorf("job %d result: %w", j.ID, err)
		}
		j.Result = []byte(plain)
	}
	j.CreatedAt, j.StartedAt, j.FinishedAt = created.Time, started.Time, finished.Time
	owner.ID, owner.Name = j.OwnerID, j.OwnerName
	return j, owner, nil
}

func getJob(ctx context.Context, q sqldb.Querier, id int64) (Job, audit.Actor, error) {
	j, owner, err := scanJob(q.QueryRowContext(ctx, "SELECT "+jobColumns+" FROM jobs WHERE id = ?", id), pii.From(q))
	if sqldb.IsNoRows(err) {
		return Job{}, owner, apperr.New(apperr.NotFound, "job.not_found")
	}
	if err != nil {
		return Job{}, owner, fmt.Errorf("get job %d: %w", id, err)
	}
	return j, owner, nil
}

type jobFilter struct {
	kind          string
	ownerID       int64
	all           bool // ignore ownerID
	limit, offset int
}

func findJobs(ctx context.Context, q sqldb.Querier, f jobFilter) ([]Job, int, error) {
	var where []string
	var args []any
	if f.kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.kind)
	}
	if !f.all {
		where, args = append(where, "owner_id = ?"), append(args, f.ownerID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM jobs"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count jobs: %w", err)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+jobColumns+" FROM jobs"+cond+" ORDER BY id DESC LIMIT ? OFFSET ?",
		append(args, f.limit, f.offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, _, err := scanJob(rows, pii.From(q))
		if err != nil {
			return nil, 0, fmt.Errorf("find jobs: %w", err)
		}
		out = append(out, j)
	}
	return out, total, rows.Err()
}

// errNoJob means no queued job could be claimed.
var errNoJob = errors.New("no queued job")

// claim marks the oldest queued job of one of kinds as running by this
// Service and returns its id, or errNoJob.
func (s *Service) claim(ctx context.Context, kinds []string) (int64, error) {
	if len(kinds) == 0 {
		return 0, errNoJob
	}
	in := "?" + strings.Repeat(", ?", len(kinds)-1)
	kindArgs := make([]any, len(kinds))
	for i, k := range kinds {
		kindArgs[i] = k
	}
	// Look before taking the write lock: idle workers poll often, and on
	// SQLite a write transaction would queue behind a running import.
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM jobs WHERE state = 'queued' AND kind IN (`+in+`) LIMIT 1`,
		kindArgs...).Scan(&one)
	if sqldb.IsNoRows(err) {
		return 0, errNoJob
	}
	if err != nil {
		return 0, fmt.Errorf("look for queued jobs: %w", err)
	}
	now := sqldb.At(s.Now())
	var id int64
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if s.db.Dialect() == sqldb.Postgres {
			// SKIP LOCKED lets concurrent workers on several nodes each
			// take a different job without waiting on one another.
			err := tx.QueryRowContext(ctx, `SELECT id FROM jobs WHERE state = 'queued' AND kind IN (`+in+`)
				ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, kindArgs...).Scan(&id)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1, worker = ?,
				started_at = ?, heartbeat_at = ? WHERE id = ?`, s.worker, now, now, id)
			return err
		}
		// SQLite has one writer at a time (BEGIN IMMEDIATE), so this
		// UPDATE is atomic; the state test guards it all the same.
		args := append([]any{s.worker, now, now}, kindArgs...)
		return tx.QueryRowContext(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1, worker = ?,
			started_at = ?, heartbeat_at = ?
			WHERE state = 'queued' AND id = (SELECT id FROM jobs WHERE state = 'queued' AND kind IN (`+in+`) ORDER BY id LIMIT 1)
			RETURNING id`, args...).Scan(&id)
	})
	if sqldb.IsNoRows(err) {
		return 0, errNoJob
	}
	if err != nil {
		return 0, fmt.Errorf("claim job: %w", err)
	}
	return id, nil
}

func loadPayload(ctx context.Context, q sqldb.Querier, id int64) ([]byte, error) {
	var data []byte
	err := q.QueryRowContext(ctx, "SELECT data FROM job_payloads WHERE job_id = ?", id).Scan(&data)
	if sqldb.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load job %d payload: %w", id, err)
	}
	return data, nil
}

// writeProgress persists r's progress and heartbeat.
func (s *Service) writeProgress(ctx context.Context, r *Run, done, total int, message string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE jobs SET done = ?, total = ?, message = ?, heartbeat_at = ?
		WHERE id = ? AND state = 'running' AND worker = ?`,
		done, total, message, sqldb.At(s.Now()), r.job.ID, s.worker)
	return err
}

// errInterrupted means the job is no longer running on this Service:
// another process marked it interrupted.
var errInterrupted = errors.New("the job was marked interrupted while it ran")

// markDone marks r's job done in tx, with its result and final progress,
// drops its payload and records "job.done".
func (s *Service) markDone(ctx context.Context, tx *sqldb.Tx, r *Run) error {
	r.mu.Lock()
	done, total, message, result := r.done, r.total, r.message, r.result
	r.mu.Unlock()
	if total > 0 {
		done = total
	}
	res, err := sealResult(tx, result)
	if err != nil {
		return fmt.Errorf("finish job %d: %w", r.job.ID, err)
	}
	now := sqldb.At(s.Now())
	out, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'done', done = ?, total = ?, message = ?, result = ?,
		finished_at = ?, heartbeat_at = ? WHERE id = ? AND state = 'running' AND worker = ?`,
		done, total, message, res, now, now, r.job.ID, s.worker)
	if err != nil {
		return fmt.Errorf("finish job %d: %w", r.job.ID, err)
	}
	if n, err := out.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("finish job %d: %w", r.job.ID, errInterrupted)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM job_payloads WHERE job_id = ?", r.job.ID); err != nil {
		return fmt.Errorf("finish job %d: %w", r.job.ID, err)
	}
	return audit.Record(ctx, tx, r.owner, audit.Event{
		Action: "job.done", ObjectType: "job", ObjectID: strconv.FormatInt(r.job.ID, 10), RegionCode: r.job.RegionCode,
		After: map[string]any{"kind": r.job.Kind, "done": done, "total": total},
	})
}

// markFailed marks r's job failed with errText in its own transaction,
// keeping the result the handler set, if any (what it found before it
// failed, for the page).
func (s *Service) markFailed(ctx context.Context, r *Run, errText, errKey string) error {
	done, total, message, _ := r.snapshot()
	r.mu.Lock()
	result := r.result
	r.mu.Unlock()
	res, err := sealResult(s.db, result)
	if err != nil {
		return fmt.Errorf("fail job %d: %w", r.job.ID, err)
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := sqldb.At(s.Now())
		out, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'failed', done = ?, total = ?, message = ?, result = ?,
			error = ?, error_key = ?, finished_at = ?, heartbeat_at = ? WHERE id = ? AND state = 'running' AND worker = ?`,
			done, total, message, res, errText, errKey, now, now, r.job.ID, s.worker)
		if err != nil {
			return err
		}
		if n, err := out.RowsAffected(); err != nil || n != 1 {
			return errInterrupted
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM job_payloads WHERE job_id = ?", r.job.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, r.owner, audit.Event{
			Action: "job.fail", ObjectType: "job", ObjectID: strconv.FormatInt(r.job.ID, 10), RegionCode: r.job.RegionCode,
			After: map[string]any{"kind": r.job.Kind, "error": errText},
		})
	})
}

// reap marks interrupted the running jobs of other processes: all of them
// when all is set (SQLite at Start, where one process owns the file), else
// those whose heartbeat is older than StaleAfter. It returns their ids.
func (s *Service) reap(ctx context.Context, all bool) ([]int64, error) {
	now := s.Now()
	cutoff := sqldb.FormatTime(now.Add(-s.StaleAfter))
	if all {
		cutoff = sqldb.FormatTime(now.Add(100 * 365 * 24 * time.Hour))
	}
	var ids []int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE jobs SET state = 'failed', error = ?, error_key = 'job.interrupted',
			finished_at = ? WHERE state = 'running' AND worker <> ? AND (heartbeat_at IS NULL OR heartbeat_at < ?)
			RETURNING id, kind, region_code`, InterruptedError, sqldb.At(now), s.worker, cutoff)
		if err != nil {
			return err
		}
		type reaped struct {
			id           int64
			kind, region string
		}
		var list []reaped
		for rows.Next() {
			var r reaped
			if err := rows.Scan(&r.id, &r.kind, &r.region); err != nil {
				rows.Close()
				return err
			}
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range list {
			if _, err := tx.ExecContext(ctx, "DELETE FROM job_payloads WHERE job_id = ?", r.id); err != nil {
				return err
			}
			err := audit.Record(ctx, tx, audit.System, audit.Event{
				Action: "job.interrupted", ObjectType: "job", ObjectID: strconv.FormatInt(r.id, 10), RegionCode: r.region,
				After: map[string]any{"kind": r.kind},
			})
			if err != nil {
				return err
			}
			ids = append(ids, r.id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark interrupted jobs: %w", err)
	}
	return ids, nil
}
