package directory_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/directory"
	"kechuang/internal/region"
	"kechuang/internal/search/classify"
	"kechuang/internal/sqldb"
)

var (
	refOnce sync.Once
	ref     *directory.Reference
	refErr  error
)

// shippedReference loads data/directory once for all tests.
func shippedReference(t testing.TB) *directory.Reference {
	t.Helper()
	refOnce.Do(func() { ref, refErr = directory.LoadReference(data.FS) })
	if refErr != nil {
		t.Fatalf("LoadReference(data.FS) = %v", refErr)
	}
	return ref
}

// registry is a hand-made enterprise registry: codes it knows, and one code
// whose check digit it calls wrong.
type registry map[string]directory.EnterpriseRef

const badCheckDigit = "91320583MA1XXXXXX0"

func (r registry) LookupEnterprise(_ context.Context, code string) (directory.EnterpriseRef, error) {
	if code == badCheckDigit {
		return directory.EnterpriseRef{}, apperr.New(apperr.Invalid, "cultivation.credit_code_invalid")
	}
	if e, ok := r[code]; ok {
		return e, nil
	}
	return directory.EnterpriseRef{}, apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
}

// performance is a fixed broker performance provider that records the ids
// it was asked for.
type performance struct {
	mu    sync.Mutex
	asked []int64
	data  map[int64]directory.Performance
}

func (p *performance) BrokerPerformance(_ context.Context, ids []int64) (map[int64]directory.Performance, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, ids...)
	return p.data, nil
}

type fixture struct {
	t     testing.TB
	db    *sqldb.DB
	svc   *directory.Service
	accts *account.Service
	perf  *performance
	now   time.Time
}

// newFixture opens the directory on db with the regions loaded, 苏州市 as
// the home region, the shipped classifier, a registry that knows one
// enterprise and a broker performance provider.
func newFixture(t testing.TB, db *sqldb.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	model, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	accts := account.NewService(db, rs, account.Config{Now: clock, Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	perf := &performance{data: map[int64]directory.Performance{}}
	svc := directory.NewService(db, shippedReference(t), directory.Config{
		Home:       func(context.Context) (string, error) { return "320500", nil },
		Now:        clock,
		Classifier: model,
		Registry: registry{"91320583MA1MTE8T0X": {ID: 77, CreditCode: "91320583MA1MTE8T0X", Name: "昆山视觉智能科技有限公司",
			RegionCode: "320583"}},
		Performance: perf,
	})
	return &fixture{t: t, db: db, svc: svc, accts: accts, perf: perf, now: now}
}

// actor creates a user and returns it as an actor.
func (f *fixture) actor(username string, role account.Role, regionCode string) account.Actor {
	f.t.Helper()
	u, err := f.accts.CreateUser(context.Background(), account.System, account.NewUser{Username: username, DisplayName: username,
		Organization: username + "（测试）", Role: role, RegionCode: regionCode, Password: "Kechuang-2026"})
	if err != nil {
		f.t.Fatalf("create %s: %v", username, err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, Role: role, Region: regionCode}
}

// auditActions returns the actions of the audit rows about an object, in
// order.
func (f *fixture) auditActions(objectType, objectID string) []string {
	f.t.Helper()
	rows, err := f.db.QueryContext(context.Background(), "SELECT action FROM audit_log WHERE object_type = ? AND object_id = ? ORDER BY id",
		objectType, objectID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != kind {
		t.Errorf("%s: error = %v, want kind %q", what, err, kind)
	}
}

// fieldKeys returns the field errors of err as field → message key.
func fieldKeys(err error) map[string]string {
	out := map[string]string{}
	if e := apperr.As(err); e != nil {
		for _, fe := range e.Fields {
			out[fe.Field] = fe.Key
		}
	}
	return out
}

// wantFields checks that err is Invalid with exactly the given field
// errors.
func wantFields(t *testing.T, what string, err error, want map[string]string) {
	t.Helper()
	got := fieldKeys(err)
	if apperr.KindOf(err) != apperr.Invalid || len(got) != len(want) {
		t.Errorf("%s: error = %v (fields %v), want Invalid with %v", what, err, got, want)
		return
	}
	for field, key := range want {
		if got[field] != key {
			t.Errorf("%s: field %s = %q, want %q (all: %v)", what, field, got[field], key, got)
		}
	}
}

func fp(v float64) *float64 { return &v }
