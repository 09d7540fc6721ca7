package event_test

import (
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/event"
	"kechuang/internal/i18n"
	"kechuang/internal/sqldb"
)

func fieldKeys(err error) map[string]string {
	out := map[string]string{}
	if e := apperr.As(err); e != nil {
		for _, f := range e.Fields {
			out[f.Field] = f.Key
		}
	}
	return out
}

func TestEventValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		city := f.actor("city", account.RoleStaff, "320500")
		ks := f.actor("ks", account.RoleCounty, "320583")
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		good := matchmaking("2026 电子信息产业链对接会", 10, 4, 3)
		tests := []struct {
			name  string
			actor account.Actor
			edit  func(*event.Input)
			field string
			key   string
			kind  apperr.Kind
		}{
			{"ftp link", city, func(in *event.Input) { in.OnlineURL = "ftp://files.example.com/live" }, "online_url", "event.url_scheme", apperr.Invalid},
			{"javascript link", city, func(in *event.Input) { in.OnlineURL = "javascript:alert(1)" }, "online_url", "event.url_scheme", apperr.Invalid},
			{"no place nor link", city, func(in *event.Input) { in.Place = "" }, "place", "event.place_required", apperr.Invalid},
			{"ends before start", city, func(in *event.Input) { in.EndsAt = in.StartsAt.Add(-time.Hour) }, "ends_at", "event.ends_before_start", apperr.Invalid},
			{"unknown domain", city, func(in *event.Input) { in.Domain = "玄学" }, "domain", "event.domain_unknown", apperr.Invalid},
			{"no capacity", city, func(in *event.Input) { in.Capacity = 0 }, "places", "event.range", apperr.Invalid},
			{"bad agenda time", city, func(in *event.Input) { in.Sessions[0].Starts = "9点" }, "session_starts", "event.clock_bad", apperr.Invalid},
			{"county outside its county", ks, func(in *event.Input) { in.RegionCode = "320506" }, "region_code", "event.region_scope", apperr.Invalid},
			{"not a pitch", city, func(in *event.Input) { in.Pitches = []int64{999} }, "pitches", "event.pitch_bad", apperr.Invalid},
			{"enterprise", ent, func(*event.Input) {}, "", "", apperr.Forbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := good
				in.Sessions = append([]event.Session(nil), good.Sessions...)
				tt.edit(&in)
				_, err := f.svc.CreateEvent(ctx, tt.actor, in)
				wantKind(t, tt.name, err, tt.kind)
				if tt.field != "" {
					if got := fieldKeys(err)[tt.field]; got != tt.key {
						t.Errorf("field %s = %q, want %q (%v)", tt.field, got, tt.key, err)
					}
				}
			})
		}
		in := good
		in.OnlineURL = "https://live.example.com/room/1"
		e, err := f.svc.CreateEvent(ctx, city, in)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if e.State != event.Draft || len(e.Sessions) != 2 || e.RegionCode != "320500" || !e.HasMeetings() {
			t.Errorf("created = %+v", e)
		}
	})
}

// TestVisibility: a draft is its organisers' only; a published event is
// public but its management (registrations, funnel) stays the organiser's:
// another county's staff gets NotFound.
func TestVisibility(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ks := f.actor("ks", account.RoleCounty, "320583")
		wz := f.actor("wz", account.RoleCounty, "320506")
		city := f.actor("city", account.RoleStaff, "320500")
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		in := matchmaking("昆山市光电产业对接会", 10, 4, 3)
		in.RegionCode = "320583"
		e, err := f.svc.CreateEvent(ctx, ks, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []account.Actor{wz, ent, account.Anonymous} {
			_, err := f.svc.GetEvent(ctx, a, e.ID)
			wantKind(t, "draft read by "+a.Username, err, apperr.NotFound)
		}
		if _, err := f.svc.GetEvent(ctx, city, e.ID); err != nil {
			t.Errorf("city staff reads a county draft: %v", err)
		}
		list, _, err := f.svc.FindEvents(ctx, wz, event.Filter{})
		if err != nil || len(list) != 0 {
			t.Errorf("other county lists %d events (%v), want none", len(list), err)
		}
		if _, err := f.svc.PublishEvent(ctx, wz, e.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other county publishes: %v, want NotFound", err)
		}
		if _, err := f.svc.PublishEvent(ctx, ks, e.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := f.svc.GetEvent(ctx, account.Anonymous, e.ID); err != nil || got.Can("manage") || got.Can("register") {
			t.Errorf("anonymous reads published: %v, actions %v", err, got.Actions)
		}
		if got, _ := f.svc.GetEvent(ctx, ent, e.ID); !got.Can("register") {
			t.Errorf("enterprise actions = %v, want register", got.Actions)
		}
		_, _, err = f.svc.Registrations(ctx, wz, e.ID, event.RegistrationFilter{})
		wantKind(t, "other county reads registrations", err, apperr.NotFound)
		_, err = f.svc.Funnel(ctx, wz, e.ID)
		wantKind(t, "other county reads the funnel", err, apperr.NotFound)
		_, err = f.svc.UpdateEvent(ctx, wz, e.ID, in)
		wantKind(t, "other county edits", err, apperr.NotFound)
		r, err := f.svc.Register(ctx, ent, e.ID, contact("周经理"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.DecideRegistration(ctx, wz, e.ID, r.ID, event.Approve, "")
		wantKind(t, "other county approves", err, apperr.NotFound)
		_, err = f.svc.CheckInByToken(ctx, wz, e.ID, strings.TrimPrefix(r.CheckInPath(), event.Link(e.ID)+"/checkin/"))
		wantKind(t, "other county opens a check-in URL", err, apperr.NotFound)
	})
}

// TestCapacityAndWaitingList: approvals beyond the capacity wait in order;
// a freed place goes to the first waiting, who is told in both languages.
func TestCapacityAndWaitingList(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		city := f.actor("city", account.RoleStaff, "320500")
		e := f.published(city, matchmaking("生物医药成果对接会", 2, 4, 2))
		var people []account.Actor
		var regs []event.Registration
		for i, role := range []account.Role{account.RoleEnterprise, account.RoleInstitution, account.RoleInvestor, account.RoleEnterprise} {
			a := f.actor([]string{"qiye", "yuansuo", "touzi", "qiye2"}[i], role, "320505")
			people = append(people, a)
			regs = append(regs, f.join(city, a, e))
		}
		want := []event.RegState{event.RegApproved, event.RegApproved, event.RegWaitlisted, event.RegWaitlisted}
		for i, r := range regs {
			if r.State != want[i] {
				t.Errorf("registration %d = %s, want %s", i, r.State, want[i])
			}
		}
		if regs[3].Position != 2 {
			t.Errorf("last waiting position = %d, want 2", regs[3].Position)
		}
		_, err := f.svc.Register(ctx, people[0], e.ID, contact("again"))
		wantKind(t, "second registration", err, apperr.Conflict)
		_, err = f.svc.Register(ctx, city, e.ID, contact("staff"))
		wantKind(t, "staff registers", err, apperr.Forbidden)

		// The institution withdraws: the investor (first waiting) moves up.
		if _, err := f.svc.WithdrawRegistration(ctx, people[1], e.ID); err != nil {
			t.Fatal(err)
		}
		if r, _ := f.svc.MyRegistration(ctx, people[2], e.ID); r.State != event.RegApproved {
			t.Errorf("first waiting after a withdrawal = %s, want approved", r.State)
		}
		if r, _ := f.svc.MyRegistration(ctx, people[3], e.ID); r.State != event.RegWaitlisted || r.Position != 1 {
			t.Errorf("second waiting = %s at %d, want waitlisted at 1", r.State, r.Position)
		}
		for lang, want := range map[string]string{i18n.Chinese: "由候补转为正式参会", i18n.English: "A place freed up at"} {
			if got := f.inbox(people[2], lang); len(got) == 0 || !strings.Contains(got[0], want) {
				t.Errorf("%s notice to the promoted = %q, want %q", lang, got, want)
			}
		}
		// The organiser declines an approved registration: the next moves up.
		if _, err := f.svc.DecideRegistration(ctx, city, e.ID, regs[0].ID, event.Decline, "材料不全"); err != nil {
			t.Fatal(err)
		}
		if r, _ := f.svc.MyRegistration(ctx, people[3], e.ID); r.State != event.RegApproved {
			t.Errorf("after a decline = %s, want approved", r.State)
		}
		// A larger capacity takes in a re-registration at once.
		if _, err := f.svc.Register(ctx, people[1], e.ID, contact("再次报名")); err != nil {
			t.Fatalf("register again after withdrawing: %v", err)
		}
		got, _, _ := f.svc.Registrations(ctx, city, e.ID, event.RegistrationFilter{State: event.RegPending})
		if len(got) != 1 {
			t.Fatalf("pending = %d, want 1", len(got))
		}
		if r, _ := f.svc.DecideRegistration(ctx, city, e.ID, got[0].ID, event.Approve, ""); r.State != event.RegWaitlisted {
			t.Errorf("approved over capacity = %s, want waitlisted", r.State)
		}
		in := matchmaking("生物医药成果对接会", 3, 4, 2)
		if _, err := f.svc.UpdateEvent(ctx, city, e.ID, in); err != nil {
			t.Fatal(err)
		}
		if r, _ := f.svc.MyRegistration(ctx, people[1], e.ID); r.State != event.RegApproved {
			t.Errorf("after raising the capacity = %s, want approved", r.State)
		}
		ev, _ := f.svc.GetEvent(ctx, city, e.ID)
		if ev.Approved != 3 || ev.Waitlisted != 0 {
			t.Errorf("counts = %d approved, %d waiting; want 3, 0", ev.Approved, ev.Waitlisted)
		}
	})
}
