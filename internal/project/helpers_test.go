package project_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/project"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// clock is the services' time; tests move it.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// set moves the clock to 10:00 Beijing time on day.
func (c *clock) set(day string) {
	d := workday.MustParseDate(day)
	c.mu.Lock()
	c.now = d.Start().Add(10 * time.Hour)
	c.mu.Unlock()
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *sqldb.DB
	svc   *project.Service
	reg   *cultivation.Service
	accts *account.Service
	clock *clock
	cal   *workday.Calendar
	n     int // counter for unique names
}

var (
	loadOnce sync.Once
	types    *project.Types
	cal      *workday.Calendar
	rules    *cultivation.RuleBook
	loadErr  error
)

func newFixture(t *testing.T, db *sqldb.DB, cfg project.Config) *fixture {
	t.Helper()
	loadOnce.Do(func() {
		if types, loadErr = project.LoadTypes(data.FS); loadErr != nil {
			return
		}
		if cal, loadErr = workday.Load(data.FS); loadErr != nil {
			return
		}
		rules, loadErr = cultivation.LoadRuleSets(data.FS)
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	ctx := context.Background()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	c := &clock{}
	c.set("2026-03-02")
	accts := account.NewService(db, rs, account.Config{Now: c.Now, Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	reg := cultivation.NewService(db, rules, c.Now)
	svc := project.NewService(project.Deps{DB: db, Accounts: accts, Registry: reg, Regions: rs, Types: types, Calendar: cal,
		Config: cfg, Now: c.Now})
	return &fixture{t: t, ctx: ctx, db: db, svc: svc, reg: reg, accts: accts, clock: c, cal: cal}
}

// actor creates a user and returns it as an actor.
func (f *fixture) actor(username string, role account.Role, regionCode string) account.Actor {
	f.t.Helper()
	u, err := f.accts.CreateUser(f.ctx, account.System, account.NewUser{Username: username, DisplayName: username,
		Organization: username + "（测试）", Role: role, RegionCode: regionCode, Password: "Kechuang-2026"})
	if err != nil {
		f.t.Fatalf("create %s: %v", username, err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: role, Region: regionCode}
}

// unit creates a unit of regionCode as by and names its members.
func (f *fixture) unit(by account.Actor, regionCode, name string, members ...account.Actor) project.Unit {
	f.t.Helper()
	u, err := f.svc.CreateUnit(f.ctx, by, project.UnitInput{RegionCode: regionCode, Name: name})
	if err != nil {
		f.t.Fatalf("create unit %s: %v", name, err)
	}
	for _, m := range members {
		if err := f.svc.AddUnitMember(f.ctx, by, u.ID, m.UserID); err != nil {
			f.t.Fatalf("add %s to %s: %v", m.Username, name, err)
		}
	}
	return u
}

// creditCode completes a valid 统一社会信用代码 for n, trying every check
// character against the registry's own validation.
func (f *fixture) creditCode(regionCode string) string {
	f.t.Helper()
	f.n++
	first := fmt.Sprintf("91%sMA%07d", regionCode, f.n)
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if code := first + string(c); cultivation.ValidateCreditCode(code) == nil {
			return code
		}
	}
	f.t.Fatalf("no check character for %s", first)
	return ""
}

// enterprise adds a registry enterprise, linked to owner's account when
// owner is logged in.
func (f *fixture) enterprise(by account.Actor, name, regionCode string, owner account.Actor) cultivation.Enterprise {
	f.t.Helper()
	e, err := f.reg.CreateEnterprise(f.ctx, by, cultivation.Enterprise{CreditCode: f.creditCode(regionCode), Name: name,
		RegionCode: regionCode, AccountID: owner.UserID, Tags: []string{}})
	if err != nil {
		f.t.Fatalf("create enterprise %s: %v", name, err)
	}
	return e
}

func day(s string) workday.Date { return workday.MustParseDate(s) }

// input is a 招商引资 project of 1.2 亿 in regionCode, planned through 2026.
func input(name, regionCode string, unitID int64) project.ProjectInput {
	return project.ProjectInput{Type: "investment", Name: name, RegionCode: regionCode, UnitID: unitID,
		LeadName: "王副县长", Team: []project.TeamMember{{Name: "李明", Title: "商务局副局长", Phone: "0512-57000001"}},
		TotalInvestment: 12000, AnnualInvestment: 6000, PlannedStart: day("2026-01-01"), PlannedEnd: day("2027-06-30"),
		Description: "新能源汽车零部件生产基地，一期用地120亩。"}
}

// create makes a project and fails the test on error.
func (f *fixture) create(by account.Actor, in project.ProjectInput) project.Project {
	f.t.Helper()
	p, err := f.svc.CreateProject(f.ctx, by, in)
	if err != nil {
		f.t.Fatalf("create project %s: %v", in.Name, err)
	}
	return p
}

// move takes lifecycle actions in turn, as who[i] (the last actor repeats).
func (f *fixture) move(p project.Project, steps []string, who ...account.Actor) project.Project {
	f.t.Helper()
	for i, step := range steps {
		a := who[min(i, len(who)-1)]
		var err error
		note := ""
		if step == project.ActReturn || step == project.ActExit || step == project.ActRejectAdjustment {
			note = "测试原因"
		}
		if p, err = f.svc.Transition(f.ctx, a, p.ID, step, note); err != nil {
			f.t.Fatalf("%s by %s: %v", step, a.Username, err)
		}
	}
	return p
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if got := apperr.KindOf(err); got != kind {
		t.Errorf("%s: error kind %q (%v), want %q", what, got, err, kind)
	}
}

func wantField(t *testing.T, what string, err error, field, key string) {
	t.Helper()
	e := apperr.As(err)
	if e != nil {
		for _, fe := range e.Fields {
			if fe.Field == field && (key == "" || fe.Key == key) {
				return
			}
		}
	}
	t.Errorf("%s: error %v, want field %s (%s)", what, err, field, key)
}
