package event_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/event"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

type fixture struct {
	t       *testing.T
	db      *sqldb.DB
	svc     *event.Service
	market  *market.Service
	notices *notice.Service
	accts   *account.Service
	clock   *clock
}

var ctx = context.Background()

// start is the fixture's first day: events in the tests take place a week
// later.
var start = time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	ref, err := market.LoadReference(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{now: start}
	accts := account.NewService(db, rs, account.Config{Now: c.Now, Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	m := market.NewService(db, ref, "320500", c.Now)
	return &fixture{t: t, db: db, svc: event.NewService(db, m, c.Now), market: m, notices: notice.NewService(db, c.Now),
		accts: accts, clock: c}
}

func (f *fixture) actor(username string, role account.Role, regionCode string) account.Actor {
	f.t.Helper()
	u, err := f.accts.CreateUser(ctx, account.System, account.NewUser{Username: username, DisplayName: username,
		Organization: username + "（测试）", Role: role, RegionCode: regionCode, Password: "Kechuang-2026"})
	if err != nil {
		f.t.Fatalf("create %s: %v", username, err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, Role: role, Region: regionCode}
}

// matchmaking is a 对接会 a week after start, with meetings in slots
// slots of 20 minutes at tables tables.
func matchmaking(title string, capacity, slots, tables int) event.Input {
	day := start.Add(7 * 24 * time.Hour)
	meet := day.Add(5 * time.Hour)
	return event.Input{Kind: event.Matchmaking, Title: title, Summary: "面向新一代电子信息产业链的供需对接。",
		StartsAt: day, EndsAt: day.Add(8 * time.Hour), Place: "苏州国际博览中心B馆", Organiser: "苏州市科学技术局",
		Theme: "新一代电子信息产业链", Domain: "电子信息", Capacity: capacity, MeetingsAt: &meet, SlotMinutes: 20,
		Slots: slots, Tables: tables,
		Sessions: []event.Session{{Starts: "09:00", Title: "开幕致辞", Speaker: "王局长"}, {Starts: "09:30", Title: "成果路演", Speaker: "李教授"}}}
}

func (f *fixture) published(staff account.Actor, in event.Input) event.Event {
	f.t.Helper()
	e, err := f.svc.CreateEvent(ctx, staff, in)
	if err != nil {
		f.t.Fatalf("create event: %v", err)
	}
	if e, err = f.svc.PublishEvent(ctx, staff, e.ID); err != nil {
		f.t.Fatalf("publish: %v", err)
	}
	return e
}

func contact(name string) event.RegistrationInput {
	return event.RegistrationInput{Contact: event.Contact{Name: name, Phone: "0512-68880000", Email: "liaison@example.com"}}
}

// join registers a and has staff approve it.
func (f *fixture) join(staff, a account.Actor, e event.Event) event.Registration {
	f.t.Helper()
	r, err := f.svc.Register(ctx, a, e.ID, contact(a.Username+"联系人"))
	if err != nil {
		f.t.Fatalf("register %s: %v", a.Username, err)
	}
	if r, err = f.svc.DecideRegistration(ctx, staff, e.ID, r.ID, event.Approve, ""); err != nil {
		f.t.Fatalf("approve %s: %v", a.Username, err)
	}
	return r
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != kind {
		t.Errorf("%s: error = %v, want kind %q", what, err, kind)
	}
}

// inbox returns the titles of a's notices in lang, newest first.
func (f *fixture) inbox(a account.Actor, lang string) []string {
	f.t.Helper()
	in, err := f.notices.Inbox(ctx, a, lang, notice.Filter{})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, n := range in.Items {
		out = append(out, n.Title)
	}
	return out
}

var _ = i18n.Chinese
