package account_test

// Tests of what several serve nodes on one database share (issue #18 §12).

import (
	"context"
	"errors"
	"sync"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/secret"
	"kechuang/internal/sqldb"
)

// TestCheckSecretKey guards issue #18 §12: a second node started without
// the installation's secret key made one of its own and, behind a load
// balancer, failed every second-factor login it served. It is now refused
// at start.
func TestCheckSecretKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		key, other := secret.NewKey(), secret.NewKey()
		// A database with a second factor made before the check existed.
		s, c := newServiceWith(t, db, account.Config{SecretKey: key})
		u := mustCreate(t, s, account.NewUser{Username: "ent", Role: account.RoleEnterprise, RegionCode: "320583"})
		enrol(t, s, account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Region: u.RegionCode}, c.Now())

		tests := []struct {
			name string
			key  secret.Key
			want error
		}{
			{name: "another key before the check is stored", key: other, want: account.ErrSecretKey},
			{name: "the installation's key stores the check", key: key},
			{name: "the installation's key again", key: key},
			{name: "another key", key: other, want: account.ErrSecretKey},
		}
		for _, tt := range tests {
			node, _ := newServiceWith(t, db, account.Config{SecretKey: tt.key})
			if err := node.CheckSecretKey(ctx); !errors.Is(err, tt.want) {
				t.Errorf("%s: CheckSecretKey = %v, want %v", tt.name, err, tt.want)
			}
		}
	})
}

// TestCheckSecretKeyFirstStart: on a database without second factors the
// first key stored is the installation's.
func TestCheckSecretKeyFirstStart(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		first, _ := newServiceWith(t, db, account.Config{SecretKey: secret.NewKey()})
		if err := first.CheckSecretKey(ctx); err != nil {
			t.Fatalf("first start: CheckSecretKey = %v", err)
		}
		second, _ := newServiceWith(t, db, account.Config{SecretKey: secret.NewKey()})
		if err := second.CheckSecretKey(ctx); !errors.Is(err, account.ErrSecretKey) {
			t.Errorf("a node with its own key: CheckSecretKey = %v, want ErrSecretKey", err)
		}
	})
}

// TestSessionLimitHoldsAcrossNodes guards issue #18 §12: two nodes (two
// Services on one database) logging the same administrator in at once
// both saw the old session, both ended it and both opened one, leaving two
// sessions under a limit of one.
func TestSessionLimitHoldsAcrossNodes(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, sqldb.Postgres)
	ctx := context.Background()
	cfg := account.Config{MaxSessions: map[account.Role]int{account.RoleAdmin: 1}, HashConcurrency: 4}
	a, _ := newServiceWith(t, db, cfg)
	b, _ := newServiceWith(t, db, cfg)
	u := mustCreate(t, a, account.NewUser{Username: "adm", Role: account.RoleAdmin})
	for round := range 10 {
		var wg sync.WaitGroup
		for i := range 4 {
			node := a
			if i%2 == 1 {
				node = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := node.Login(ctx, "adm", "Kechuang-2026", "127.0.0.1", ""); err != nil {
					t.Errorf("round %d: login = %v", round, err)
				}
			}()
		}
		wg.Wait()
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", u.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("round %d: %d sessions after four logins at once on two nodes, want 1 (the limit)", round, n)
		}
	}
}
