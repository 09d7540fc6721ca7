package audit_test

import (
	"context"
	"testing"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

func TestRecordAndFind(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := audit.WithRequest(context.Background(), "192.0.2.7", "req-1")
		admin := audit.Actor{ID: 0, Name: "admin", Role: "admin", Region: "320500"}
		events := []audit.Event{
			{Action: "user.create", ObjectType: "user", ObjectID: "7", After: map[string]string{"role": "county"}},
			{Action: "session.login_failed", ObjectType: "user", ObjectID: "7"},
			{Action: "session.login", ObjectType: "user", ObjectID: "7"},
		}
		for _, ev := range events {
			if err := db.InTx(ctx, func(tx *sqldb.Tx) error { return audit.Record(ctx, tx, admin, ev) }); err != nil {
				t.Fatal(err)
			}
		}
		// A write that rolls back leaves no audit row either.
		_ = db.InTx(ctx, func(tx *sqldb.Tx) error {
			if err := audit.Record(ctx, tx, admin, audit.Event{Action: "user.delete"}); err != nil {
				t.Fatal(err)
			}
			return apperr.New(apperr.Invalid, "x")
		})

		s := audit.NewService(db)
		auditor := audit.Actor{Name: "aud", Role: audit.ReaderRole}
		tests := []struct {
			name    string
			f       audit.Filter
			want    []string
			wantTot int
		}{
			{name: "all newest first", f: audit.Filter{}, want: []string{"session.login", "session.login_failed", "user.create"}, wantTot: 3},
			{name: "prefix with underscore is literal", f: audit.Filter{Action: "session.login_"}, want: []string{"session.login_failed"}, wantTot: 1},
			{name: "paging", f: audit.Filter{PerPage: 1, Page: 2}, want: []string{"session.login_failed"}, wantTot: 3},
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
				if total != tt.wantTot || len(actions) != len(tt.want) {
					t.Fatalf("FindEntries(%+v) = %v (total %d), want %v (total %d)", tt.f, actions, total, tt.want, tt.wantTot)
				}
				for i := range actions {
					if actions[i] != tt.want[i] {
						t.Errorf("FindEntries(%+v) = %v, want %v", tt.f, actions, tt.want)
					}
				}
			})
		}
		if _, _, err := s.FindEntries(ctx, admin, audit.Filter{}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("FindEntries by admin error = %v, want Forbidden", err)
		}
	})
}
