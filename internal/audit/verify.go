package audit

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/sqldb"
)

// Problem names what a verification found wrong.
type Problem string

// The problems. The first one found ends the walk: after it nothing can be
// trusted to the same degree.
const (
	Changed  Problem = "changed"  // a row's content or MAC no longer matches
	Removed  Problem = "removed"  // rows are missing (a gap, or a shorter tail than the head records)
	Inserted Problem = "inserted" // a row the chain never sealed
	Head     Problem = "head"     // the chain head itself was changed
)

// Verification is the outcome of one walk of the chain.
type Verification struct {
	ID      int64     `json:"id,omitempty"`
	At      time.Time `json:"at"`
	OK      bool      `json:"ok"`
	Rows    int64     `json:"rows"`        // rows checked, those before the chain began included
	Legacy  int64     `json:"legacy_rows"` // rows written before the chain began (covered by its first MAC)
	Seq     int64     `json:"seq"`         // the last chain position verified
	MAC     string    `json:"-"`           // that position's MAC
	Problem Problem   `json:"problem,omitempty"`
	RowID   int64     `json:"row_id,omitempty"` // the first bad row (the row after a gap for Removed)
	Detail  string    `json:"detail,omitempty"` // one sentence for the operator
	By      string    `json:"by,omitempty"`     // who ran it
}

// Error describes a failed verification in one line, naming the row.
func (v Verification) Error() string {
	if v.OK {
		return ""
	}
	return fmt.Sprintf("audit log %s: %s", v.Problem, v.Detail)
}

// Verify walks the whole chain and returns what it found; a broken chain is
// a Verification with OK false, not an error (errors are for a database
// that could not be read). It records the outcome (audit_verifications and
// an "audit.verify" row), so the auditor's page can show the last one. Only
// the auditor and the system may verify.
func (s *Service) Verify(ctx context.Context, who Actor) (Verification, error) {
	if who.Role != ReaderRole && who.Role != System.Role {
		return Verification{}, apperr.New(apperr.Forbidden, "audit.only_auditor")
	}
	c, err := chainOf(s.db)
	if err != nil {
		return Verification{}, err
	}
	var v Verification
	err = s.db.InReadTx(ctx, func(tx *sqldb.Tx) error {
		v, err = c.verify(ctx, tx)
		return err
	})
	if err != nil {
		return Verification{}, err
	}
	v.At, v.By = Now().UTC(), who.Name
	save := func(withRow bool) error {
		return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			var rowID any
			if v.RowID != 0 {
				rowID = v.RowID
			}
			id, err := tx.InsertID(ctx, `INSERT INTO audit_verifications (at, ok, row_count, seq, mac, problem, row_id, detail, actor_name)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, sqldb.At(v.At), v.OK, v.Rows, v.Seq, v.MAC, string(v.Problem), rowID, v.Detail, who.Name)
			if err != nil {
				return fmt.Errorf("record verification: %w", err)
			}
			v.ID = id
			if !withRow {
				return nil
			}
			return Record(ctx, tx, who, Event{Action: "audit.verify", ObjectType: "audit_verification", ObjectID: fmt.Sprint(id),
				After: map[string]any{"ok": v.OK, "rows": v.Rows, "problem": v.Problem, "row_id": v.RowID}})
		})
	}
	if err := save(true); err != nil {
		// A chain broken badly enough (a forged row where the next one
		// belongs) refuses new rows; the outcome must still be kept.
		if v.OK {
			return v, err
		}
		if err := save(false); err != nil {
			return v, err
		}
	}
	return v, nil
}

// LastVerification returns the newest recorded verification, or NotFound
// when the chain was never verified. Only the auditor may read it.
func (s *Service) LastVerification(ctx context.Context, reader Actor) (Verification, error) {
	if reader.Role != ReaderRole {
		return Verification{}, apperr.New(apperr.Forbidden, "audit.only_auditor")
	}
	return lastVerification(ctx, s.db)
}

func lastVerification(ctx context.Context, q sqldb.Querier) (Verification, error) {
	var v Verification
	var at sqldb.Time
	var rowID sql.NullInt64
	var problem string
	err := q.QueryRowContext(ctx, `SELECT id, at, ok, row_count, seq, mac, problem, row_id, detail, actor_name
		FROM audit_verifications ORDER BY id DESC LIMIT 1`).Scan(&v.ID, &at, &v.OK, &v.Rows, &v.Seq, &v.MAC, &problem, &rowID, &v.Detail, &v.By)
	if sqldb.IsNoRows(err) {
		return Verification{}, apperr.New(apperr.NotFound, "audit.never_verified")
	}
	if err != nil {
		return Verification{}, fmt.Errorf("last verification: %w", err)
	}
	v.At, v.Problem, v.RowID = at.Time, Problem(problem), rowID.Int64
	return v, nil
}

// verify walks the chain in one snapshot of the database (db is a read
// transaction), so rows appended meanwhile are not seen at all.
func (c *chain) verify(ctx context.Context, db sqldb.Querier) (Verification, error) {
	var v Verification
	var headSeq int64
	var headMAC, headSeal string
	if err := db.QueryRowContext(ctx, "SELECT seq, mac, head_mac FROM audit_chain WHERE id = 1").Scan(&headSeq, &headMAC, &headSeal); err != nil {
		return v, fmt.Errorf("read audit chain head: %w", err)
	}
	fail := func(p Problem, rowID int64, format string, args ...any) (Verification, error) {
		v.OK, v.Problem, v.RowID, v.Detail = false, p, rowID, fmt.Sprintf(format, args...)
		return v, nil
	}
	if headSeq > 0 && c.headMAC(headSeq, headMAC) != headSeal {
		return fail(Head, 0, "the chain head (position %d) does not match its MAC: it was changed outside the application", headSeq)
	}
	// The first sealed row divides rows written before the chain began from
	// rows inserted around it.
	var firstSealed sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT MIN(id) FROM audit_log WHERE chain_seq IS NOT NULL").Scan(&firstSealed); err != nil {
		return v, err
	}
	genesis, legacy, err := c.legacy(ctx, db, firstSealed.Int64)
	if err != nil {
		return v, err
	}
	v.Rows, v.Legacy = legacy, legacy
	if headSeq == 0 {
		if firstSealed.Valid {
			return fail(Inserted, firstSealed.Int64, "row id %d carries a chain position, but the chain head records none", firstSealed.Int64)
		}
		v.OK = true
		v.Detail = fmt.Sprintf("the chain has not begun; %d rows were written before it", legacy)
		return v, nil
	}
	// A row without a position after the chain began was inserted behind
	// the application's back; so was a row beyond the head.
	var stray sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT MIN(id) FROM audit_log WHERE chain_seq IS NULL AND id > ?",
		firstSealed.Int64).Scan(&stray); err != nil {
		return v, err
	}
	rows, err := db.QueryContext(ctx, "SELECT "+rowColumns+" FROM audit_log WHERE chain_seq IS NOT NULL ORDER BY chain_seq")
	if err != nil {
		return v, fmt.Errorf("read audit rows: %w", err)
	}
	defer rows.Close()
	prev, want := genesis, int64(1)
	var cur *row
	next := func() (*row, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		r, err := scanRow(rows)
		return &r, err
	}
	if cur, err = next(); err != nil {
		return v, err
	}
	for cur != nil {
		r := *cur
		if stray.Valid && stray.Int64 < r.id {
			return fail(Inserted, stray.Int64, "row id %d has no chain position: it was inserted outside the application", stray.Int64)
		}
		if r.seq > headSeq {
			return fail(Inserted, r.id, "row id %d (position %d) lies beyond the chain head (position %d): it was inserted outside the application",
				r.id, r.seq, headSeq)
		}
		if r.seq != want {
			if want == 1 {
				return fail(Removed, r.id, "the chain starts at position %d: positions 1–%d were removed before row id %d", r.seq, r.seq-1, r.id)
			}
			return fail(Removed, r.id, "positions %d–%d were removed before row id %d", want, r.seq-1, r.id)
		}
		after, err := next()
		if err != nil {
			return v, err
		}
		if c.macOf(r, prev) != r.mac {
			switch {
			case want == 1 && legacy > 0 && after != nil && c.macOf(*after, r.mac) == after.mac:
				// The first row is intact but its predecessor, the rows
				// before the chain, is not.
				return fail(Changed, 0, "the rows written before the chain began (%d) were changed, removed or added to", legacy)
			case after != nil && c.macOf(*after, r.mac) == after.mac:
				return fail(Changed, r.id, "row id %d (position %d) was changed: its content does not match its MAC", r.id, r.seq)
			case after != nil && c.macOf(renumbered(*after, r.seq), prev) == after.mac:
				return fail(Inserted, r.id, "row id %d (position %d) was inserted: the row after it was sealed without it", r.id, r.seq)
			default:
				return fail(Changed, r.id, "row id %d (position %d) was changed: its content does not match its MAC", r.id, r.seq)
			}
		}
		prev, want = r.mac, want+1
		v.Rows++
		v.Seq, v.MAC = r.seq, r.mac
		cur = after
	}
	if stray.Valid {
		return fail(Inserted, stray.Int64, "row id %d has no chain position: it was inserted outside the application", stray.Int64)
	}
	if v.Seq != headSeq {
		return fail(Removed, 0, "the chain head records position %d, but the log ends at position %d: the last %d rows were removed",
			headSeq, v.Seq, headSeq-v.Seq)
	}
	if prev != headMAC {
		return fail(Head, 0, "the last row's MAC differs from the chain head's")
	}
	// The head can be rolled back together with its tail only with a copy
	// of an older head; the last verification remembers what it saw.
	if last, err := lastVerification(ctx, db); err == nil && last.OK && last.Seq > 0 {
		var mac string
		err := db.QueryRowContext(ctx, "SELECT mac FROM audit_log WHERE chain_seq = ?", last.Seq).Scan(&mac)
		if sqldb.IsNoRows(err) || (err == nil && mac != last.MAC) {
			return fail(Removed, 0, "position %d, verified on %s, is no longer in the log: the log was rolled back",
				last.Seq, last.At.Format(time.RFC3339))
		}
		if err != nil {
			return v, err
		}
	}
	v.OK = true
	v.Detail = fmt.Sprintf("%d rows verified up to position %d", v.Rows, v.Seq)
	return v, nil
}

// renumbered is r as it would have been sealed at position seq.
func renumbered(r row, seq int64) row {
	r.seq = seq
	return r
}
