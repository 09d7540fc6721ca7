package event_test

import (
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/event"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// checkTimetable fails when an accepted meeting shares a slot with another
// of the same person or at the same table, or sits at no table, and when
// the slot holds do not mirror the accepted meetings.
func checkTimetable(t *testing.T, f *fixture, staff account.Actor, e event.Event) []event.Meeting {
	t.Helper()
	list, err := f.svc.Meetings(ctx, staff, e.ID, event.MeetingFilter{State: event.MeetingAccepted})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int64{}
	for _, m := range list {
		if m.Table < 1 || m.Table > e.Tables {
			t.Errorf("meeting %d at table %d, want 1..%d", m.ID, m.Table, e.Tables)
		}
		for _, k := range []string{fmt.Sprintf("u%d@%d", m.Requester.UserID, m.Slot), fmt.Sprintf("u%d@%d", m.Receiver.UserID, m.Slot),
			fmt.Sprintf("t%d@%d", m.Table, m.Slot)} {
			if other, dup := seen[k]; dup {
				t.Errorf("double booking %s: meetings %d and %d", k, other, m.ID)
			}
			seen[k] = m.ID
		}
	}
	var holds int
	if err := f.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_slot_holds WHERE event_id = ?`, e.ID).Scan(&holds); err != nil {
		t.Fatal(err)
	}
	if holds != 3*len(list) {
		t.Errorf("%d slot holds for %d accepted meetings, want %d", holds, len(list), 3*len(list))
	}
	return list
}

// TestTimetableNeverDoubleBooks is property-style: random sequences of
// requests, acceptances, refusals and cancellations among six participants
// over three slots and two tables. After every step no person and no table
// is booked twice in a slot, and an acceptance succeeds exactly when the
// model says both people and a table are free.
func TestTimetableNeverDoubleBooks(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		city := f.actor("city", account.RoleStaff, "320500")
		for seed := int64(1); seed <= 3; seed++ {
			e := f.published(city, matchmaking(fmt.Sprintf("对接会第%d场", seed), 20, 3, 2))
			var people []account.Actor
			for i := 0; i < 6; i++ {
				a := f.actor(fmt.Sprintf("p%d_%d", seed, i), []account.Role{account.RoleEnterprise, account.RoleInstitution, account.RoleInvestor}[i%3], "320505")
				f.join(city, a, e)
				people = append(people, a)
			}
			byID := map[int64]account.Actor{}
			for _, p := range people {
				byID[p.UserID] = p
			}
			rng := rand.New(rand.NewSource(seed))
			accepted := 0
			for step := 0; step < 120; step++ {
				all, err := f.svc.Meetings(ctx, city, e.ID, event.MeetingFilter{})
				if err != nil {
					t.Fatal(err)
				}
				var open, booked []event.Meeting
				for _, m := range all {
					switch m.State {
					case event.MeetingRequested:
						open = append(open, m)
					case event.MeetingAccepted:
						booked = append(booked, m)
					}
				}
				switch op := rng.Intn(10); {
				case op < 5 || len(open) == 0:
					a, b := people[rng.Intn(6)], people[rng.Intn(6)]
					_, err := f.svc.RequestMeeting(ctx, a, e.ID, event.MeetingInput{With: b.UserID, Slot: 1 + rng.Intn(3), Message: "想了解贵方的技术需求"})
					if err != nil && !apperr.Is(err, apperr.Conflict) && !apperr.Is(err, apperr.Invalid) {
						t.Fatalf("seed %d step %d: request: %v", seed, step, err)
					}
				case op < 9:
					m := open[rng.Intn(len(open))]
					free := func(u int64) bool {
						for _, x := range booked {
							if x.Slot == m.Slot && (x.Requester.UserID == u || x.Receiver.UserID == u) {
								return false
							}
						}
						return true
					}
					tables := 0
					for _, x := range booked {
						if x.Slot == m.Slot {
							tables++
						}
					}
					want := free(m.Requester.UserID) && free(m.Receiver.UserID) && tables < e.Tables
					got, err := f.svc.RespondMeeting(ctx, byID[m.Receiver.UserID], e.ID, m.ID, rng.Intn(5) > 0)
					switch {
					case err == nil && got.State == event.MeetingAccepted:
						accepted++
						if !want {
							t.Errorf("seed %d step %d: meeting %d accepted though the model says it is busy", seed, step, m.ID)
						}
					case err == nil:
					case apperr.Is(err, apperr.Conflict):
						if want {
							t.Errorf("seed %d step %d: meeting %d refused (%v) though the model says it is free", seed, step, m.ID, err)
						}
					default:
						t.Fatalf("seed %d step %d: respond: %v", seed, step, err)
					}
				default:
					if len(booked) > 0 {
						m := booked[rng.Intn(len(booked))]
						if _, err := f.svc.CancelMeeting(ctx, byID[m.Requester.UserID], e.ID, m.ID); err != nil {
							t.Fatalf("seed %d step %d: cancel: %v", seed, step, err)
						}
					}
				}
				checkTimetable(t, f, city, e)
			}
			if accepted < 5 {
				t.Errorf("seed %d: only %d acceptances; the sequence tests too little", seed, accepted)
			}
		}
	})
}

// TestConcurrentAcceptancesBookOnce: eight requests to one person in one
// slot accepted at once: exactly one wins, whichever it is.
func TestConcurrentAcceptancesBookOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		city := f.actor("city", account.RoleStaff, "320500")
		e := f.published(city, matchmaking("热门投资人对接会", 20, 2, 10))
		star := f.actor("star", account.RoleInvestor, "320505")
		f.join(city, star, e)
		var ids []int64
		for i := 0; i < 8; i++ {
			a := f.actor(fmt.Sprintf("firm%d", i), account.RoleEnterprise, "320505")
			f.join(city, a, e)
			m, err := f.svc.RequestMeeting(ctx, a, e.ID, event.MeetingInput{With: star.UserID, Slot: 1})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(ids))
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.svc.RespondMeeting(ctx, star, e.ID, id, true)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case apperr.Is(err, apperr.Conflict), strings.Contains(err.Error(), "database is locked"), strings.Contains(err.Error(), "SQLITE_BUSY"):
			default:
				t.Errorf("accept: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d acceptances won, want exactly 1", won)
		}
		if got := checkTimetable(t, f, city, e); len(got) != 1 {
			t.Errorf("%d accepted meetings, want 1", len(got))
		}
	})
}

func (f *fixture) publishListing(owner, reviewer account.Actor, k market.Kind, in market.Input) market.Listing {
	f.t.Helper()
	l, err := f.market.CreateListing(ctx, owner, k, in)
	if err != nil {
		f.t.Fatalf("create listing: %v", err)
	}
	if _, err := f.market.Submit(ctx, owner, l.ID); err != nil {
		f.t.Fatalf("submit: %v", err)
	}
	if l, err = f.market.Approve(ctx, reviewer, l.ID); err != nil {
		f.t.Fatalf("approve: %v", err)
	}
	return l
}

func amount(v float64) *float64 { return &v }

// TestOutcomesOpenDealsAndTheFunnelCounts: interest after a meeting opens
// the same deal (or investment interest) a normal interest does; contacts
// show only once a meeting is accepted; the funnel matches a hand count
// and keeps counting as the deals move on.
func TestOutcomesOpenDealsAndTheFunnelCounts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		city := f.actor("city", account.RoleStaff, "320500")
		inst := f.actor("inst", account.RoleInstitution, "320505")
		ent := f.actor("ent", account.RoleEnterprise, "320505")
		inv := f.actor("inv", account.RoleInvestor, "320505")
		late := f.actor("late", account.RoleEnterprise, "320505")
		ach := f.publishListing(inst, city, market.Achievement, market.Input{Title: "精密零件表面缺陷在线检测系统",
			Summary: "一种基于机器视觉的精密零件表面缺陷在线检测系统，检测精度达到0.01毫米。", Keywords: []string{"机器视觉"},
			Domain: "先进制造与自动化/高性能、智能化仪器仪表", Industry: "C40", TRL: 6, Team: "张教授团队", Modes: []string{"license"},
			Contact: market.Contact{Name: "陈老师", Phone: "0512-65880000"}})
		fin := f.publishListing(ent, city, market.Financing, market.Input{Title: "高镍正极材料扩产融资",
			Summary: "公司专注动力电池高镍正极材料，已建成百吨级中试线。", Keywords: []string{"正极材料"}, Domain: "新能源与节能",
			Industry: "C38", Amount: amount(3000), Round: "a", UseOfFunds: "扩建千吨级产线。", Valuation: amount(30000),
			Contact: market.Contact{Name: "王总", Phone: "0512-66001234"}})
		in := matchmaking("新材料与智能制造对接会", 10, 3, 2)
		in.Pitches = []int64{ach.ID, fin.ID}
		e := f.published(city, in)
		if len(e.Pitches) != 2 || e.Pitches[0].Title != ach.Title {
			t.Errorf("pitches = %+v", e.Pitches)
		}
		regs := map[string]event.Registration{}
		for _, a := range []account.Actor{inst, ent, inv} {
			regs[a.Username] = f.join(city, a, e)
		}
		if _, err := f.svc.Register(ctx, late, e.ID, contact("迟到")); err != nil {
			t.Fatal(err) // pending: not in the funnel
		}

		// Before any meeting, nobody sees another's contact; the listings show.
		ps, err := f.svc.Participants(ctx, ent, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Contact != nil {
				t.Errorf("enterprise sees %s's contact before a meeting", p.Organisation)
			}
			if p.UserID == inst.UserID && (len(p.Listings) != 1 || p.Listings[0].ID != ach.ID) {
				t.Errorf("institution's listings = %+v", p.Listings)
			}
		}
		_, err = f.svc.Participants(ctx, late, e.ID)
		wantKind(t, "pending registrant browses", err, apperr.NotFound)

		m1, err := f.svc.RequestMeeting(ctx, ent, e.ID, event.MeetingInput{With: inst.UserID, Slot: 1, ListingID: ach.ID, Message: "希望洽谈许可"})
		if err != nil {
			t.Fatal(err)
		}
		if m1.Receiver.Contact != nil {
			t.Error("requester sees the contact before acceptance")
		}
		if m1, err = f.svc.RespondMeeting(ctx, inst, e.ID, m1.ID, true); err != nil || m1.Table != 1 {
			t.Fatalf("accept: %v, table %d", err, m1.Table)
		}
		ps, _ = f.svc.Participants(ctx, ent, e.ID)
		for _, p := range ps {
			if p.UserID == inst.UserID && (p.Contact == nil || p.Contact.Phone != "0512-68880000") {
				t.Errorf("after acceptance the enterprise sees contact %+v", p.Contact)
			}
			if p.UserID == inv.UserID && p.Contact != nil {
				t.Error("the enterprise sees the investor's contact without a meeting")
			}
		}
		m2, err := f.svc.RequestMeeting(ctx, inv, e.ID, event.MeetingInput{With: ent.UserID, Slot: 2, ListingID: fin.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err = f.svc.RespondMeeting(ctx, ent, e.ID, m2.ID, true); err != nil {
			t.Fatal(err)
		}
		m3, err := f.svc.RequestMeeting(ctx, inst, e.ID, event.MeetingInput{With: inv.UserID, Slot: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err = f.svc.RespondMeeting(ctx, inv, e.ID, m3.ID, true); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.RecordOutcome(ctx, ent, e.ID, m1.ID, event.OutcomeInput{Outcome: event.OutcomeInterest, Note: "有意向"})
		wantKind(t, "outcome before the slot", err, apperr.Conflict)

		f.clock.Set(e.MeetingsAt.Add(2 * time.Hour))
		for _, who := range []string{"inst", "ent"} {
			tok := strings.TrimPrefix(regs[who].CheckInPath(), event.Link(e.ID)+"/checkin/")
			_, err := f.svc.CheckIn(ctx, ent, e.ID, tok)
			wantKind(t, "participant uses a check-in URL", err, apperr.NotFound)
			if r, err := f.svc.CheckIn(ctx, city, e.ID, tok); err != nil || r.CheckedInAt == nil {
				t.Fatalf("check in %s: %v", who, err)
			}
		}
		_, err = f.svc.CheckIn(ctx, city, e.ID, "0000")
		wantKind(t, "wrong token", err, apperr.NotFound)

		_, err = f.svc.RecordOutcome(ctx, inst, e.ID, m1.ID, event.OutcomeInput{Outcome: event.OutcomeInterest, Note: "我方有意"})
		if fieldKeys(err)["outcome"] != "event.outcome_own_listing" {
			t.Errorf("owner records interest on its own listing: %v", err)
		}
		m1, err = f.svc.RecordOutcome(ctx, ent, e.ID, m1.ID, event.OutcomeInput{Outcome: event.OutcomeInterest, Note: "希望获得独占许可，下周面谈。"})
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.market.GetDeal(ctx, inst, m1.DealID)
		if err != nil || d.ListingID != ach.ID || d.State != market.DealIntent || d.MemberID != ent.UserID {
			t.Fatalf("deal = %+v, %v", d, err)
		}
		got := f.inbox(inst, i18n.Chinese)
		if len(got) < 2 || !strings.Contains(strings.Join(got, "|"), ach.Title) {
			t.Errorf("institution's inbox = %q, want the market's deal notice", got)
		}
		_, err = f.svc.RecordOutcome(ctx, inst, e.ID, m1.ID, event.OutcomeInput{Outcome: event.OutcomeNone})
		wantKind(t, "second outcome", err, apperr.Conflict)
		m2, err = f.svc.RecordOutcome(ctx, inv, e.ID, m2.ID, event.OutcomeInput{Outcome: event.OutcomeInterest, Note: "拟投 A 轮，启动尽调。"})
		if err != nil || m2.InterestID == 0 {
			t.Fatalf("investment outcome: %v (%+v)", err, m2)
		}
		if _, err := f.svc.RecordOutcome(ctx, inv, e.ID, m3.ID, event.OutcomeInput{Outcome: event.OutcomeFollowUp}); err != nil {
			t.Fatal(err)
		}

		// By hand: 3 approved (late is pending), 2 checked in, 3 accepted
		// meetings, 2 that opened a deal or interest, none signed yet.
		want := event.Funnel{Registered: 3, Attended: 2, Meetings: 3, Deals: 2, Contracts: 0}
		if fu, err := f.svc.Funnel(ctx, city, e.ID); err != nil || fu != want {
			t.Errorf("funnel = %+v (%v), want %+v", fu, err, want)
		}
		if _, err := f.market.StepDeal(ctx, inst, d.ID, market.DealSign, market.DealStep{Amount: amount(120)}); err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			who    account.Actor
			action string
		}{{ent, "accept"}, {inv, "decide"}, {inv, "invest"}} {
			if _, err := f.market.StepInterest(ctx, step.who, m2.InterestID, step.action, ""); err != nil {
				t.Fatalf("interest %s: %v", step.action, err)
			}
		}
		want.Contracts = 2
		if fu, err := f.svc.Funnel(ctx, city, e.ID); err != nil || fu != want {
			t.Errorf("funnel after signing = %+v (%v), want %+v", fu, err, want)
		}
		ag, err := f.svc.MyAgenda(ctx, ent, e.ID)
		if err != nil || len(ag.Slots) != 3 || ag.Slots[0].Meeting == nil || ag.Slots[1].Meeting == nil || ag.Slots[2].Meeting != nil {
			t.Errorf("agenda = %+v, %v", ag.Slots, err)
		}
		if !strings.HasPrefix(ag.Registration.CheckInPath(), "/events/") {
			t.Errorf("check-in path = %q", ag.Registration.CheckInPath())
		}
	})
}

// TestWithdrawalFreesTheTimetable: a participant who withdraws loses its
// meetings, the other side is told and may book the slot again; a
// cancelled event tells everyone registered.
func TestWithdrawalFreesTheTimetable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		city := f.actor("city", account.RoleStaff, "320500")
		e := f.published(city, matchmaking("新能源汽车零部件对接会", 10, 2, 1))
		a := f.actor("qiye", account.RoleEnterprise, "320505")
		b := f.actor("yuansuo", account.RoleInstitution, "320505")
		c := f.actor("touzi", account.RoleInvestor, "320505")
		for _, x := range []account.Actor{a, b, c} {
			f.join(city, x, e)
		}
		m, err := f.svc.RequestMeeting(ctx, a, e.ID, event.MeetingInput{With: b.UserID, Slot: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RespondMeeting(ctx, b, e.ID, m.ID, true); err != nil {
			t.Fatal(err)
		}
		// One table: the slot is full for anyone else.
		m2, err := f.svc.RequestMeeting(ctx, c, e.ID, event.MeetingInput{With: a.UserID, Slot: 1})
		wantKind(t, "request of a busy person", err, apperr.Conflict)
		if m2, err = f.svc.RequestMeeting(ctx, c, e.ID, event.MeetingInput{With: b.UserID, Slot: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.WithdrawRegistration(ctx, b, e.ID); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{m.ID, m2.ID} {
			if got, err := f.svc.GetMeeting(ctx, city, e.ID, id); err != nil || got.State != event.MeetingCancelled {
				t.Errorf("meeting %d after the withdrawal = %s, %v; want cancelled", id, got.State, err)
			}
		}
		if got := f.inbox(a, i18n.English); len(got) == 0 || !strings.Contains(got[0], "cancelled the meeting") {
			t.Errorf("notice to the other side = %q", got)
		}
		m3, err := f.svc.RequestMeeting(ctx, c, e.ID, event.MeetingInput{With: a.UserID, Slot: 1})
		if err != nil {
			t.Fatal(err)
		}
		if m3, err = f.svc.RespondMeeting(ctx, a, e.ID, m3.ID, true); err != nil || m3.Table != 1 {
			t.Errorf("the freed table: %v, table %d", err, m3.Table)
		}
		checkTimetable(t, f, city, e)
		if _, err := f.svc.CancelEvent(ctx, city, e.ID, "场地临时检修"); err != nil {
			t.Fatal(err)
		}
		for _, x := range []account.Actor{a, c} {
			if got := f.inbox(x, i18n.Chinese); len(got) == 0 || !strings.Contains(got[0], "已取消") {
				t.Errorf("%s's notice of the cancellation = %q", x.Username, got)
			}
		}
		_, err = f.svc.RequestMeeting(ctx, a, e.ID, event.MeetingInput{With: c.UserID, Slot: 2})
		wantKind(t, "request at a cancelled event", err, apperr.Conflict)
	})
}
