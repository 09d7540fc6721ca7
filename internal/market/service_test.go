package market_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
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
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t       *testing.T
	db      *sqldb.DB
	svc     *market.Service
	notices *notice.Service
	accts   *account.Service
	clock   *clock
}

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	ref, err := market.LoadReference(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	accts := account.NewService(db, rs, account.Config{Now: c.Now, Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	return &fixture{t: t, db: db, svc: market.NewService(db, ref, "320500", c.Now), notices: notice.NewService(db, c.Now),
		accts: accts, clock: c}
}

// inbox returns the first page of a's notices, in Chinese.
func (f *fixture) inbox(a account.Actor) (notice.Inbox, error) {
	return f.notices.Inbox(context.Background(), a, i18n.Chinese, notice.Filter{})
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

func achievement(title string) market.Input {
	return market.Input{Title: title, Summary: "一种基于机器视觉的精密零件表面缺陷在线检测系统，检测精度达到0.01毫米。\n\n已在两家企业产线试用。",
		Keywords: []string{"机器视觉", "缺陷检测"}, Domain: "先进制造与自动化/高性能、智能化仪器仪表", Industry: "C40", TRL: 6,
		IP: []market.IP{{Type: "invention", Number: "ZL202310000000.1", Status: "granted"}}, Team: "张教授团队",
		Modes: []string{"license", "transfer"}, Contact: market.Contact{Name: "陈老师", Phone: "0512-65880000"}}
}

func demand(title string) market.Input {
	return market.Input{Title: title, Summary: "注塑件出现缩痕，良率仅为92%。", Expected: "良率提升到98%以上。",
		Domain: "新材料/高分子材料", Industry: "C29", Modes: []string{"development"}, Band: "50-100", Deadline: "2028-06-30",
		Contact: market.Contact{Name: "张经理", Email: "zhang@example.com"}}
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != kind {
		t.Errorf("%s: error = %v, want kind %q", what, err, kind)
	}
}

func TestListingWorkflow(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inst := f.actor("inst", account.RoleInstitution, "320505")
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		other := f.actor("other", account.RoleEnterprise, "320583")
		broker := f.actor("broker", account.RoleBroker, "320508")
		city := f.actor("city", account.RoleStaff, "320500")
		ks := f.actor("ks", account.RoleCounty, "320583")
		wz := f.actor("wz", account.RoleCounty, "320506")
		admin := f.actor("root", account.RoleAdmin, "")

		// Who may create what, and validation naming every bad field.
		_, err := f.svc.CreateListing(ctx, broker, market.Achievement, achievement("精密零件表面缺陷在线检测系统"))
		wantKind(t, "broker creates", err, apperr.Forbidden)
		_, err = f.svc.CreateListing(ctx, inst, market.Demand, demand("注塑件缩痕问题"))
		wantKind(t, "institution posts a demand", err, apperr.Forbidden)
		bad := achievement("")
		bad.Summary, bad.TRL, bad.Domain = "<b>粗体</b>", 12, "电子信息/高分子材料"
		_, err = f.svc.CreateListing(ctx, inst, market.Achievement, bad)
		fields := map[string]string{}
		if e := apperr.As(err); e != nil {
			for _, fe := range e.Fields {
				fields[fe.Field] = fe.Key
			}
		}
		for field, key := range map[string]string{"title": "error.required", "summary": "market.no_html", "trl": "market.trl_range",
			"domain": "market.domain_unknown"} {
			if fields[field] != key {
				t.Errorf("invalid achievement: field %s = %q, want %q (all: %v)", field, fields[field], key, fields)
			}
		}
		// A county outside the owner's own county is refused.
		out := achievement("精密零件表面缺陷在线检测系统")
		out.RegionCode = "320583"
		_, err = f.svc.CreateListing(ctx, inst, market.Achievement, out)
		if e := apperr.As(err); e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "region_code" {
			t.Errorf("listing outside own county: %v, want a region_code field error", err)
		}

		a, err := f.svc.CreateListing(ctx, inst, market.Achievement, achievement("精密零件表面缺陷在线检测系统"))
		if err != nil {
			t.Fatalf("create achievement: %v", err)
		}
		if a.State != market.Draft || a.RegionCode != "320505" || a.Band != market.Negotiable || a.OwnerName != "inst（测试）" {
			t.Errorf("new achievement = state %s region %s band %s owner %q", a.State, a.RegionCode, a.Band, a.OwnerName)
		}
		// Drafts are private: the public, other members and staff get 404.
		for name, who := range map[string]account.Actor{"public": account.Anonymous, "other": other, "city": city} {
			_, err := f.svc.GetListing(ctx, who, a.ID)
			wantKind(t, name+" reads a draft", err, apperr.NotFound)
		}
		// An enterprise cannot edit another's listing, nor an owner a submitted one.
		_, err = f.svc.UpdateListing(ctx, other, a.ID, achievement("改名"))
		wantKind(t, "other edits a draft", err, apperr.NotFound)
		if _, err := f.svc.Submit(ctx, inst, a.ID); err != nil {
			t.Fatalf("submit: %v", err)
		}
		_, err = f.svc.UpdateListing(ctx, inst, a.ID, achievement("改名后的检测系统"))
		wantKind(t, "owner edits a submitted listing", err, apperr.Conflict)

		// The review queue: the city sees it, 吴中 (another county) does not.
		queue, n, err := f.svc.FindListings(ctx, city, market.Filter{State: market.Submitted})
		if err != nil || n != 1 || queue[0].ID != a.ID {
			t.Fatalf("city queue = %d listings, %v", n, err)
		}
		if counts, _ := f.svc.ReviewCounts(ctx, wz); counts[market.Achievement] != 0 {
			t.Errorf("吴中 counts %v, want none", counts)
		}
		_, err = f.svc.Approve(ctx, wz, a.ID)
		wantKind(t, "another county approves", err, apperr.NotFound)
		_, err = f.svc.Approve(ctx, other, a.ID)
		wantKind(t, "a member approves", err, apperr.NotFound)
		_, err = f.svc.Return(ctx, city, a.ID, "  ")
		wantKind(t, "return without reason", err, apperr.Invalid)
		r, err := f.svc.Return(ctx, city, a.ID, "请补充专利证书号")
		if err != nil || r.State != market.Returned || r.ReviewNote != "请补充专利证书号" {
			t.Fatalf("return = %+v, %v", r, err)
		}
		// Edit the returned listing, submit again, approve.
		if _, err := f.svc.UpdateListing(ctx, inst, a.ID, achievement("精密零件表面缺陷在线检测系统（第二版）")); err != nil {
			t.Fatalf("edit returned: %v", err)
		}
		if _, err := f.svc.Submit(ctx, inst, a.ID); err != nil {
			t.Fatalf("resubmit: %v", err)
		}
		p, err := f.svc.Approve(ctx, city, a.ID)
		if err != nil || p.State != market.Published || !p.ExpiresAt.Equal(f.clock.Now().Add(market.Validity)) {
			t.Fatalf("approve = %+v, %v", p, err)
		}
		_, err = f.svc.Approve(ctx, city, a.ID)
		wantKind(t, "approve twice", err, apperr.Conflict)

		// Contacts: never to the public, always to members.
		pub, err := f.svc.GetListing(ctx, account.Anonymous, a.ID)
		if err != nil || pub.Contact != nil || pub.ReviewNote != "" {
			t.Errorf("public view = contact %v note %q, %v; want neither", pub.Contact, pub.ReviewNote, err)
		}
		mem, _ := f.svc.GetListing(ctx, broker, a.ID)
		if mem.Contact == nil || mem.Contact.Phone == "" {
			t.Errorf("member view has no contact")
		}
		list, _, _ := f.svc.FindListings(ctx, account.Anonymous, market.Filter{})
		if len(list) != 1 || list[0].Contact != nil {
			t.Errorf("public list = %d listings, contact %v", len(list), list)
		}
		for name, fl := range map[string]market.Filter{"trl 4-6": {TRLBand: "4-6"}, "mode": {Mode: "license"},
			"domain": {Domain: "先进制造与自动化"}, "region": {Region: "320505"}, "band": {Band: market.Negotiable}} {
			if _, n, _ := f.svc.FindListings(ctx, account.Anonymous, fl); n != 1 {
				t.Errorf("filter %s = %d, want 1", name, n)
			}
		}
		for name, fl := range map[string]market.Filter{"trl 7-9": {TRLBand: "7-9"}, "mode": {Mode: "equity"},
			"kind": {Kind: market.Demand}, "region": {Region: "320583"}} {
			if _, n, _ := f.svc.FindListings(ctx, account.Anonymous, fl); n != 0 {
				t.Errorf("filter %s = %d, want 0", name, n)
			}
		}
		// The owner has a notice per transition, newest first: approved,
		// submitted again, returned (with the reason), submitted.
		inbox, err := f.inbox(inst)
		if err != nil || inbox.Total != 4 || inbox.Unread != 4 || !strings.Contains(inbox.Items[2].Body, "请补充专利证书号") ||
			inbox.Items[0].Kind != "listing.approve" || inbox.Items[3].Kind != "listing.submit" {
			t.Fatalf("inbox = %+v, %v", inbox, err)
		}
		// The same notices read in English: the kind and the reason's label
		// are codes, the title and the reason are shown as written.
		en, err := f.notices.Inbox(ctx, inst, i18n.English, notice.Filter{})
		if err != nil || en.Items[2].Title != "Your achievement “精密零件表面缺陷在线检测系统” was returned; please revise and resubmit" ||
			en.Items[2].Body != "Reason: 请补充专利证书号" {
			t.Errorf("returned notice in English = %q / %q, %v", en.Items[2].Title, en.Items[2].Body, err)
		}
		_, err = f.notices.MarkRead(ctx, other, inbox.Items[0].ID)
		wantKind(t, "read another's notice", err, apperr.NotFound)
		if _, err := f.notices.MarkRead(ctx, inst, inbox.Items[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.notices.UnreadCount(ctx, inst); n != 3 {
			t.Errorf("unread = %d, want 3", n)
		}

		// Expiry: a year later the listing leaves the public list; renewing
		// brings it back for another year.
		f.clock.Add(market.Validity + time.Hour)
		if _, n, _ := f.svc.FindListings(ctx, account.Anonymous, market.Filter{}); n != 0 {
			t.Errorf("public list after expiry = %d, want 0", n)
		}
		if got, _ := f.svc.GetListing(ctx, inst, a.ID); got.State != market.Expired {
			t.Errorf("state after expiry = %s, want expired", got.State)
		}
		if counts, err := f.svc.StateCounts(ctx, inst); counts[market.Expired] != 1 {
			t.Errorf("owner counts = %v, %v; want 1 expired", counts, err)
		}
		_, err = f.svc.Renew(ctx, other, a.ID)
		wantKind(t, "another renews", err, apperr.Forbidden)
		if _, err := f.svc.Renew(ctx, inst, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := f.svc.FindListings(ctx, account.Anonymous, market.Filter{}); n != 1 {
			t.Errorf("public list after renewal = %d, want 1", n)
		}
		c, err := f.svc.Close(ctx, inst, a.ID)
		if err != nil || c.State != market.Closed {
			t.Fatalf("close = %s, %v", c.State, err)
		}

		// A demand in 昆山: county staff of 昆山 review it, the city too; a
		// near-duplicate submitted later is flagged with its twin.
		d, err := f.svc.CreateListing(ctx, ent, market.Demand, demand("注塑件缩痕导致良率低的问题"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Submit(ctx, ent, d.ID); err != nil {
			t.Fatal(err)
		}
		dup, err := f.svc.CreateListing(ctx, other, market.Demand, demand("注塑件缩痕导致良率低问题"))
		if err != nil {
			t.Fatal(err)
		}
		dup, err = f.svc.Submit(ctx, other, dup.ID)
		if err != nil {
			t.Fatal(err)
		}
		if dup.TwinID != d.ID || dup.TwinScore < 0.7 {
			t.Errorf("twin = %d (%.2f), want %d", dup.TwinID, dup.TwinScore, d.ID)
		}
		if q, _ := f.svc.ReviewCounts(ctx, ks); q[market.Demand] != 2 {
			t.Errorf("昆山 queue = %v, want 2 demands", q)
		}
		_, err = f.svc.GetListing(ctx, wz, d.ID)
		wantKind(t, "吴中 reads a 昆山 submission", err, apperr.NotFound)
		if _, err := f.svc.Approve(ctx, ks, d.ID); err != nil {
			t.Fatal(err)
		}
		if w, err := f.svc.Withdraw(ctx, ent, d.ID); err != nil || w.State != market.Withdrawn {
			t.Errorf("withdraw = %s, %v", w.State, err)
		}
		if got, err := f.svc.GetListing(ctx, admin, dup.ID); err != nil || got.Contact == nil {
			t.Errorf("admin reads = %v", err)
		}
	})
}
