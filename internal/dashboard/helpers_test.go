package dashboard_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/dashboard"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// The counties of the fixtures, in the demo's home city 苏州市.
const (
	city     = "320500"
	kunshan  = "320583" // 昆山市
	changshu = "320581" // 常熟市
)

// now is the fixtures' clock: 20 November 2026.
var now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// newService loads the regions, makes 苏州市 the home region and returns
// the dashboard with every provider of the wiring.
func newService(t testing.TB, db *sqldb.DB) *dashboard.Service {
	t.Helper()
	ctx := context.Background()
	regions := region.NewService(db)
	if _, err := regions.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	if err := regions.SetHomeRegion(ctx, audit.System, city); err != nil {
		t.Fatal(err)
	}
	s := dashboard.NewService(db, regions, func() time.Time { return now })
	s.Register(dashboard.MarketFigures(db), dashboard.CultivationFigures(db), dashboard.ProjectFigures(db), dashboard.DirectoryFigures(db))
	return s
}

// rows inserts fixture rows with plain SQL: the dashboard reads the
// modules' tables, and writing them directly lets a test state exactly
// what is there (and lets the benchmark write 100,000 listings quickly).
type rows struct {
	t   testing.TB
	ctx context.Context
	tx  *sqldb.Tx
}

// insert adds one row to table and returns its id.
func (r rows) insert(table string, cols map[string]any) int64 {
	r.t.Helper()
	names := make([]string, 0, len(cols))
	for k := range cols {
		names = append(names, k)
	}
	sort.Strings(names)
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = cols[n]
	}
	q := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + ")"
	if table == "county_targets" || table == "carrier_tenants" || table == "deal_events" || table == "project_events" ||
		table == "investment_interest_events" || table == "project_reports" {
		if _, err := r.tx.ExecContext(r.ctx, q, args...); err != nil {
			r.t.Fatalf("insert into %s: %v", table, err)
		}
		return 0
	}
	id, err := r.tx.InsertID(r.ctx, q, args...)
	if err != nil {
		r.t.Fatalf("insert into %s: %v", table, err)
	}
	return id
}

// fill runs fn with a row writer in one transaction.
func fill(t testing.TB, db *sqldb.DB, fn func(r rows)) {
	t.Helper()
	ctx := context.Background()
	if err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		fn(rows{t: t, ctx: ctx, tx: tx})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// ts is a day (YYYY-MM-DD) as a stored timestamp at midnight UTC.
func ts(day string) string { return day + "T00:00:00.000000Z" }

func (r rows) user(name, display string, role account.Role, regionCode string) int64 {
	return r.insert("users", map[string]any{"username": name, "display_name": display, "role": string(role),
		"region_code": regionCode, "password_hash": "x", "created_at": ts("2026-01-01"), "updated_at": ts("2026-01-01")})
}

func (r rows) listing(owner int64, kind, regionCode, published string, amount any) int64 {
	state, pub := "published", any(ts(published))
	if published == "" {
		state, pub = "draft", nil
	}
	return r.insert("listings", map[string]any{"kind": kind, "state": state, "title": "测试成果" + regionCode + published,
		"region_code": regionCode, "owner_id": owner, "published_at": pub, "amount": amount,
		"created_at": ts("2026-01-01"), "updated_at": ts("2026-01-01")})
}

// deal adds a deal on listing with its steps: state → day, in order.
func (r rows) deal(listing, owner, member int64, broker any, regionCode, created string, steps ...[2]string) int64 {
	state, signed := "intent", any(nil)
	for _, s := range steps {
		state = s[0]
		if s[0] == "signed" {
			signed = ts(s[1])
		}
	}
	id := r.insert("deals", map[string]any{"listing_id": listing, "owner_id": owner, "member_id": member, "broker_id": broker,
		"region_code": regionCode, "state": state, "message": "希望合作", "contact_name": "张三", "signed_at": signed,
		"created_at": ts(created), "updated_at": ts(created)})
	r.insert("deal_events", map[string]any{"deal_id": id, "from_state": "", "to_state": "intent", "action": "create", "at": ts(created)})
	from := "intent"
	for _, s := range steps {
		r.insert("deal_events", map[string]any{"deal_id": id, "from_state": from, "to_state": s[0], "action": s[0], "at": ts(s[1])})
		from = s[0]
	}
	return id
}

func (r rows) contract(number, regionCode, signed string, amount float64) {
	r.insert("contracts", map[string]any{"number": number, "contract_type": "transfer", "title": "专利转让合同" + number,
		"seller": "卖方", "buyer": "买方", "amount": amount, "tech_amount": amount, "signed_on": signed,
		"region_code": regionCode, "registered_at": ts(signed)})
}

func (r rows) enterprise(code, regionCode, certificates string) int64 {
	return r.insert("enterprises", map[string]any{"credit_code": code, "name": "测试企业" + code, "region_code": regionCode,
		"certificates": certificates, "created_at": ts("2026-01-01"), "updated_at": ts("2026-01-01")})
}
