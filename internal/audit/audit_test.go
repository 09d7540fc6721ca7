package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

func init() {
	audit.RegisterActions("test.create", "test.update", "test.login", "test.login_failed", "test.delete")
}

var (
	system  = audit.System
	auditor = audit.Actor{Name: "aud", Role: audit.ReaderRole}
)

// record writes one row per event, each in its own transaction.
func record(t *testing.T, db *sqldb.DB, ctx context.Context, who audit.Actor, events ...audit.Event) {
	t.Helper()
	for _, ev := range events {
		if err := db.InTx(ctx, func(tx *sqldb.Tx) error { return audit.Record(ctx, tx, who, ev) }); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRecordAndFind(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := audit.WithRequest(context.Background(), "192.0.2.7", "req-1")
		admin := audit.Actor{ID: 0, Name: "admin", Role: "admin", Region: "320500"}
		record(t, db, ctx, admin,
			audit.Event{Action: "test.create", ObjectType: "user", ObjectID: "7", ObjectName: "王科长", After: map[string]string{"role": "county"}},
			audit.Event{Action: "test.login_failed", ObjectType: "user", ObjectID: "7"},
			audit.Event{Action: "test.login", ObjectType: "user", ObjectID: "7"})
		// A write that rolls back leaves no audit row either.
		_ = db.InTx(ctx, func(tx *sqldb.Tx) error {
			if err := audit.Record(ctx, tx, admin, audit.Event{Action: "test.delete"}); err != nil {
				t.Fatal(err)
			}
			return apperr.New(apperr.Invalid, "x")
		})
		// An action nobody registered is refused: the auditor could not
		// read it by name.
		err := db.InTx(ctx, func(tx *sqldb.Tx) error { return audit.Record(ctx, tx, admin, audit.Event{Action: "test.unknown"}) })
		if err == nil || !strings.Contains(err.Error(), "not registered") {
			t.Errorf("Record(unregistered action) = %v, want an error", err)
		}

		s := audit.NewService(db)
		tests := []struct {
			name    string
			f       audit.Filter
			want    []string
			wantTot int
		}{
			{name: "all newest first", f: audit.Filter{}, want: []string{"test.login", "test.login_failed", "test.create"}, wantTot: 3},
			{name: "a registered action matches exactly", f: audit.Filter{Action: "test.login"}, want: []string{"test.login"}, wantTot: 1},
			{name: "a prefix with underscore is literal", f: audit.Filter{Action: "test.login_"}, want: []string{"test.login_failed"}, wantTot: 1},
			{name: "a group prefix", f: audit.Filter{Action: "test."}, want: []string{"test.login", "test.login_failed", "test.create"}, wantTot: 3},
			{name: "paging", f: audit.Filter{PerPage: 1, Page: 2}, want: []string{"test.login_failed"}, wantTot: 3},
			{name: "future window empty", f: audit.Filter{From: time.Now().Add(time.Hour)}, want: nil, wantTot: 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, total, err := s.FindEntries(ctx, auditor, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var actions []string
				for _, e := range got {
					actions = append(actions, e.Action)
					if e.ClientAddr != "192.0.2.7" || e.RequestID != "req-1" || e.ActorName != "admin" {
						t.Errorf("entry %+v lacks request or actor details", e)
					}
				}
				if total != tt.wantTot || strings.Join(actions, " ") != strings.Join(tt.want, " ") {
					t.Fatalf("FindEntries(%+v) = %v (total %d), want %v (total %d)", tt.f, actions, total, tt.want, tt.wantTot)
				}
			})
		}
		if got, _, _ := s.FindEntries(ctx, auditor, audit.Filter{Action: "test.create"}); len(got) != 1 || got[0].ObjectName != "王科长" {
			t.Errorf("object name = %+v, want 王科长", got)
		}
		if _, _, err := s.FindEntries(ctx, admin, audit.Filter{}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("FindEntries by admin error = %v, want Forbidden", err)
		}
	})
}

// TestChainUnderConcurrentWriters: writers in parallel transactions, on
// both databases, build one unbroken chain (the head row serialises them).
func TestChainUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		const writers, each = 6, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := db.InTx(ctx, func(tx *sqldb.Tx) error {
						// Two rows in one transaction stay adjacent.
						for k := 0; k < 2; k++ {
							if err := audit.Record(ctx, tx, system, audit.Event{Action: "test.create", ObjectID: fmt.Sprintf("%d-%d-%d", w, i, k)}); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		v, err := audit.NewService(db).Verify(ctx, system)
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK || v.Rows != writers*each*2 || v.Seq != writers*each*2 {
			t.Errorf("Verify() = %+v, want OK over %d rows", v, writers*each*2)
		}
		var lastOK bool
		if err := db.QueryRowContext(ctx, "SELECT ok FROM audit_verifications ORDER BY id DESC LIMIT 1").Scan(&lastOK); err != nil || !lastOK {
			t.Errorf("recorded verification = %v, %v; want ok", lastOK, err)
		}
	})
}

// unprotect drops the append-only triggers, as someone with more power than
// the application could, so that the tests can tamper with rows.
func unprotect(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	if db.Dialect() == sqldb.Postgres {
		stmts = []string{"ALTER TABLE audit_log DISABLE TRIGGER USER"}
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func exec(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func idAt(t *testing.T, db *sqldb.DB, seq int) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRowContext(context.Background(), "SELECT id FROM audit_log WHERE chain_seq = ?", seq).Scan(&id); err != nil {
		t.Fatalf("row at position %d: %v", seq, err)
	}
	return id
}

// TestVerifyFindsTampering changes, removes and inserts rows behind the
// application's back and checks that Verify names the first bad row
// (#18 §6).
func TestVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	forge := `INSERT INTO audit_log (at, actor_name, actor_role, action, chain_seq, mac) VALUES ('2026-01-01T00:00:00.000000Z', 'x', 'admin', 'test.delete', ?, ?)`
	tests := []struct {
		name   string
		tamper func(t *testing.T, db *sqldb.DB) (wantRow int64)
		want   audit.Problem
	}{
		{name: "untouched", tamper: func(*testing.T, *sqldb.DB) int64 { return 0 }},
		{name: "a row changed", want: audit.Changed, tamper: func(t *testing.T, db *sqldb.DB) int64 {
			exec(t, db, "UPDATE audit_log SET summary = '{\"after\":{\"role\":\"admin\"}}' WHERE chain_seq = 3")
			return idAt(t, db, 3)
		}},
		{name: "a row's MAC changed too", want: audit.Changed, tamper: func(t *testing.T, db *sqldb.DB) int64 {
			exec(t, db, "UPDATE audit_log SET actor_name = 'someone', mac = 'deadbeef' WHERE chain_seq = 4")
			return idAt(t, db, 4)
		}},
		{name: "a row removed", want: audit.Removed, tamper: func(t *testing.T, db *sqldb.DB) int64 {
			exec(t, db, "DELETE FROM audit_log WHERE chain_seq = 3")
			return idAt(t, db, 4)
		}},
		{name: "the first row removed", want: audit.Removed, tamper: func(t *testing.T, db *sqldb.DB) int64 {
			exec(t, db, "DELETE FROM audit_log WHERE chain_seq = 1")
			return idAt(t, db, 2)
		}},
		{name: "the last rows removed", want: audit.Removed, tamper: func(t *testing.T, db *sqldb.DB) int64 {
			exec(t, db, "DELETE FROM audit_log WHERE chain_seq > 4")
			return 0
		}},
		{name: "a row inserted without a position", want: audit.Inserted, tamper: func(t *testing.T, db *sqldb.DB) int64 {
			exec(t, db, `INSERT INTO audit_log (at, actor_name, actor_role, action) VALUES ('2026-01-01T00:00:00.000000Z', 'x', 'admin', 'test.delete')`)
			var id int64
			_ = db.QueryRowContext(context.Background(), "SELECT MAX(id) FROM audit_log").Scan(&id)
			return id
		}},
		{name: "a row inserted in the middle, later rows renumbered", want: audit.Inserted, tamper: func(t *testing.T, db *sqldb.DB) int64 {
			exec(t, db, "UPDATE audit_log SET chain_seq = -chain_seq - 1 WHERE chain_seq >= 3")
			exec(t, db, "UPDATE audit_log SET chain_seq = -chain_seq WHERE chain_seq < 0")
			exec(t, db, forge, 3, "00")
			return idAt(t, db, 3)
		}},
		{name: "a row appended past the head", want: audit.Inserted, tamper: func(t *testing.T, db *sqldb.DB) int64 {
			exec(t, db, forge, 7, "00")
			return idAt(t, db, 7)
		}},
		{name: "the head moved back with the tail removed", want: audit.Head, tamper: func(t *testing.T, db *sqldb.DB) int64 {
			var mac string
			_ = db.QueryRowContext(context.Background(), "SELECT mac FROM audit_log WHERE chain_seq = 5").Scan(&mac)
			exec(t, db, "DELETE FROM audit_log WHERE chain_seq = 6")
			exec(t, db, "UPDATE audit_chain SET seq = 5, mac = ? WHERE id = 1", mac)
			return 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				ctx := context.Background()
				for i := 1; i <= 6; i++ {
					record(t, db, ctx, system, audit.Event{Action: "test.update", ObjectID: fmt.Sprint(i), After: map[string]int{"n": i}})
				}
				unprotect(t, db)
				wantRow := tt.tamper(t, db)
				v, err := audit.NewService(db).Verify(ctx, system)
				if err != nil {
					t.Fatal(err)
				}
				if tt.want == "" {
					if !v.OK || v.Rows != 6 {
						t.Errorf("Verify() = %+v, want OK over 6 rows", v)
					}
					return
				}
				if v.OK || v.Problem != tt.want || v.RowID != wantRow {
					t.Errorf("Verify() = %+v, want problem %s at row id %d", v, tt.want, wantRow)
				}
				if !strings.Contains(v.Detail, "position") && !strings.Contains(v.Detail, "row id") {
					t.Errorf("Verify().Detail = %q does not say where", v.Detail)
				}
			})
		})
	}
}

// TestVerifyNoticesARollback: a copy of an older head restored together
// with a shortened log looks consistent on its own, but the last
// verification remembers a row that is gone.
func TestVerifyNoticesARollback(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for i := 1; i <= 3; i++ {
			record(t, db, ctx, system, audit.Event{Action: "test.update", ObjectID: fmt.Sprint(i)})
		}
		var seq int64
		var mac, seal string
		if err := db.QueryRowContext(ctx, "SELECT seq, mac, head_mac FROM audit_chain WHERE id = 1").Scan(&seq, &mac, &seal); err != nil {
			t.Fatal(err)
		}
		record(t, db, ctx, system, audit.Event{Action: "test.update", ObjectID: "4"}, audit.Event{Action: "test.update", ObjectID: "5"})
		s := audit.NewService(db)
		if v, err := s.Verify(ctx, system); err != nil || !v.OK {
			t.Fatalf("Verify() before the rollback = %+v, %v", v, err)
		}
		unprotect(t, db)
		exec(t, db, "DELETE FROM audit_log WHERE chain_seq > ?", seq)
		exec(t, db, "UPDATE audit_chain SET seq = ?, mac = ?, head_mac = ? WHERE id = 1", seq, mac, seal)
		v, err := s.Verify(ctx, system)
		if err != nil {
			t.Fatal(err)
		}
		if v.OK || v.Problem != audit.Removed || !strings.Contains(v.Detail, "rolled back") {
			t.Errorf("Verify() after the rollback = %+v, want Removed (rolled back)", v)
		}
	})
}

// TestRowsBeforeTheChain: rows written before migration 0015 have no
// position; the chain's first MAC covers them, so changing one shows.
func TestRowsBeforeTheChain(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		old := `INSERT INTO audit_log (at, actor_name, actor_role, action, summary) VALUES (?, 'admin', 'admin', 'user.create', ?)`
		exec(t, db, old, "2025-01-01T00:00:00.000000Z", `{"after":{"role":"staff"}}`)
		exec(t, db, old, "2025-01-02T00:00:00.000000Z", `{"after":{"role":"county"}}`)
		record(t, db, ctx, system, audit.Event{Action: "test.update"}, audit.Event{Action: "test.update"})
		s := audit.NewService(db)
		v, err := s.Verify(ctx, system)
		if err != nil || !v.OK || v.Legacy != 2 || v.Rows != 4 {
			t.Fatalf("Verify() = %+v, %v; want OK with 2 legacy rows of 4", v, err)
		}
		unprotect(t, db)
		exec(t, db, `UPDATE audit_log SET summary = '{"after":{"role":"admin"}}' WHERE chain_seq IS NULL AND at = '2025-01-02T00:00:00.000000Z'`)
		v, err = s.Verify(ctx, system)
		if err != nil || v.OK || v.Problem != audit.Changed || !strings.Contains(v.Detail, "before the chain began") {
			t.Errorf("Verify() after changing an old row = %+v, %v; want Changed before the chain", v, err)
		}
	})
}

func TestOpenRefusesAnotherKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		other := []byte(strings.Repeat("k", audit.MinKeyLen))
		if _, err := audit.Open(ctx, db, other); err == nil || !strings.Contains(err.Error(), "not the key") {
			t.Errorf("Open(another key) = %v, want refused", err)
		}
		if _, err := audit.Open(ctx, db, []byte("short")); err == nil {
			t.Error("Open(short key) = nil error")
		}
		if _, err := audit.Open(ctx, db, dbtest.AuditKey); err != nil {
			t.Errorf("Open(the same key) = %v", err)
		}
	})
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	if k, err := audit.ParseKey(" " + audit.GenerateKey() + "\n"); err != nil || len(k) != audit.MinKeyLen {
		t.Errorf("ParseKey(GenerateKey()) = %d bytes, %v", len(k), err)
	}
	for _, bad := range []string{"", "zz", strings.Repeat("ab", 16)} {
		if _, err := audit.ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) = nil error", bad)
		}
	}
}

// TestAuditTablesRefuseChanges: nothing deletes or rewrites audit rows,
// however young (网络安全法: logs kept six months; the platform keeps them
// for good), and PostgreSQL refuses TRUNCATE as well as DELETE.
func TestAuditTablesRefuseChanges(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		record(t, db, ctx, system, audit.Event{Action: "test.create"})
		if err := audit.RecordSecurityEvent(ctx, db, audit.EventForbidden, system, "GET /x"); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.NewService(db).Verify(ctx, system); err != nil {
			t.Fatal(err)
		}
		stmts := []string{
			"DELETE FROM audit_log",
			"UPDATE audit_log SET summary = 'x'",
			"DELETE FROM audit_chain",
			"DELETE FROM audit_verifications",
			"UPDATE audit_verifications SET ok = FALSE",
			"DELETE FROM security_events",
			"UPDATE security_events SET actor_name = 'someone else'",
			"UPDATE security_events SET count = 0",
		}
		if db.Dialect() == sqldb.Postgres {
			stmts = append(stmts, "TRUNCATE audit_log", "TRUNCATE audit_chain", "TRUNCATE audit_verifications", "TRUNCATE security_events")
		}
		for _, q := range stmts {
			if _, err := db.ExecContext(ctx, q); err == nil {
				t.Errorf("%s succeeded, want it refused", q)
			}
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log").Scan(&n); err != nil || n != 2 {
			t.Errorf("audit rows = %d, %v; want 2 (the write and the verification)", n, err)
		}
	})
}

// TestSecurityEventsAggregate: a flood of refusals from one actor and
// address grows the table by one row a minute, not one a request.
func TestSecurityEventsAggregate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := audit.WithRequest(context.Background(), "198.51.100.4", "r")
		mallory := audit.Actor{ID: 9, Name: "mallory", Role: "enterprise"}
		for i := 0; i < 300; i++ {
			if err := audit.RecordSecurityEvent(ctx, db, audit.EventForbidden, mallory, "POST /api/v1/users"); err != nil {
				t.Fatal(err)
			}
		}
		// A name a failed login tried may hold anything; the event is kept.
		if err := audit.RecordSecurityEvent(ctx, db, audit.EventLoginFailed, audit.Actor{Name: "ad\x00min\xff", Role: "anonymous"}, "login"); err != nil {
			t.Errorf("security event with a NUL byte in the name: %v", err)
		}
		other := audit.WithRequest(context.Background(), "198.51.100.5", "r")
		if err := audit.RecordSecurityEvent(other, db, audit.EventCSRF, mallory, "POST /market/listings"); err != nil {
			t.Fatal(err)
		}
		s := audit.NewService(db)
		events, total, err := s.FindSecurityEvents(ctx, auditor, audit.SecurityFilter{Actor: "mallory"})
		if err != nil {
			t.Fatal(err)
		}
		var forbidden int64
		rows := 0
		for _, e := range events {
			if e.Kind == audit.EventForbidden {
				forbidden += e.Count
				rows++
				if e.ClientAddr != "198.51.100.4" || e.ActorID != 9 || e.Detail != "POST /api/v1/users" {
					t.Errorf("event %+v lacks its address, actor or request", e)
				}
			}
		}
		// 300 inserts may straddle one minute boundary.
		if forbidden != 300 || rows > 2 || total > 3 {
			t.Errorf("forbidden events = %d in %d rows (%d rows in all), want 300 in at most 2", forbidden, rows, total)
		}
		if _, _, err := s.FindSecurityEvents(ctx, system, audit.SecurityFilter{}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("FindSecurityEvents by the system = %v, want Forbidden", err)
		}
	})
}

// TestLargeTransactions: a transaction recording more rows than it keeps in
// memory seals them in batches; rolled back, its batches vanish with it.
func TestLargeTransactions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		write := func(n int, fail bool) error {
			return db.InTx(ctx, func(tx *sqldb.Tx) error {
				for i := 0; i < n; i++ {
					if err := audit.Record(ctx, tx, system, audit.Event{Action: "test.create", ObjectID: fmt.Sprint(i)}); err != nil {
						return err
					}
				}
				if fail {
					return apperr.New(apperr.Invalid, "x")
				}
				return nil
			})
		}
		if err := write(1300, false); err != nil {
			t.Fatal(err)
		}
		if err := write(700, true); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("rolled-back write = %v", err)
		}
		if err := write(3, false); err != nil {
			t.Fatal(err)
		}
		v, err := audit.NewService(db).Verify(ctx, system)
		if err != nil || !v.OK || v.Rows != 1303 {
			t.Errorf("Verify() = %+v, %v; want OK over 1303 rows", v, err)
		}
	})
}
