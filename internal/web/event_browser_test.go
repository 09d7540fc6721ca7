package web_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kechuang/internal/account"
	"kechuang/internal/event"
)

// TestEventBrowserRegisterMeetAgenda is the walk in a browser: an
// enterprise registers for a 对接会 on its page, is approved, asks an
// approved institution for a meeting from the participants page; the
// institution accepts on its agenda; both agendas then show the meeting at
// its table, and the enterprise sees the institution's contact.
func TestEventBrowserRegisterMeetAgenda(t *testing.T) {
	e := newEnv(t, dbtestOpenSQLite(t))
	ctx := t.Context()
	city := e.createUser("city", account.RoleStaff, "320500")
	inst := e.createUser("inst", account.RoleInstitution, "320505")
	e.createUser("ent", account.RoleEnterprise, "320505")
	staff := account.Actor{UserID: city.ID, Username: city.Username, Role: city.Role, Region: city.RegionCode}
	instA := account.Actor{UserID: inst.ID, Username: inst.Username, Role: inst.Role, Region: inst.RegionCode}
	day := e.clock.Now().Add(72 * time.Hour).Truncate(time.Hour)
	meet := day.Add(5 * time.Hour)
	ev, err := e.app.Events.CreateEvent(ctx, staff, event.Input{Kind: event.Matchmaking, Title: "集成电路产业链供需对接会",
		StartsAt: day, EndsAt: day.Add(8 * time.Hour), Place: "苏州工业园区会议中心", Organiser: "苏州市科学技术局", Capacity: 20,
		MeetingsAt: &meet, SlotMinutes: 30, Slots: 4, Tables: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Events.PublishEvent(ctx, staff, ev.ID); err != nil {
		t.Fatal(err)
	}
	r, err := e.app.Events.Register(ctx, instA, ev.ID, event.RegistrationInput{Contact: event.Contact{Name: "陈老师", Phone: "0512-65880000"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Events.DecideRegistration(ctx, staff, ev.ID, r.ID, event.Approve, ""); err != nil {
		t.Fatal(err)
	}

	bctx := projectBrowser(t)
	base := e.ts.URL
	page := base + "/events/" + strconv.FormatInt(ev.ID, 10)
	login := func(user string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(sel(`#username`)),
			chromedp.SendKeys(sel(`#username`), user),
			chromedp.SendKeys(sel(`#password`), testPassword),
			chromedp.Submit(sel(`#password`)),
			chromedp.WaitVisible(sel(`.usermenu .me`)),
		)
	}
	logout := chromedp.Steps(chromedp.Click(sel(`form[action="/logout"] button`)), chromedp.WaitVisible(sel(`.usermenu a[href="/login"]`)))
	var state string
	err = chromedp.Do(bctx,
		login("ent"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(sel(`#register-form`)),
		chromedp.SendKeys(sel(`#register-form input[name="contact_name"]`), "张经理"),
		chromedp.SendKeys(sel(`#register-form input[name="contact_phone"]`), "0512-57001234"),
		chromedp.Click(sel(`#register-form button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#my-registration-state`)),
		keep(&state, chromedp.Text(sel(`#my-registration-state`))),
	)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if !strings.Contains(state, "待审核") {
		t.Errorf("after registering the state reads %q, want 待审核", state)
	}
	regs, _, err := e.app.Events.Registrations(ctx, staff, ev.ID, event.RegistrationFilter{State: event.RegPending})
	if err != nil || len(regs) != 1 {
		t.Fatalf("pending = %d, %v", len(regs), err)
	}
	if _, err := e.app.Events.DecideRegistration(ctx, staff, ev.ID, regs[0].ID, event.Approve, ""); err != nil {
		t.Fatal(err)
	}
	participant := `section[data-participant="` + strconv.FormatInt(inst.ID, 10) + `"]`
	var hidden, card string
	err = chromedp.Do(bctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(sel(`#event-participants-link`)),
		chromedp.Click(sel(`#event-participants-link`)),
		chromedp.WaitVisible(sel(participant)),
		keep(&hidden, chromedp.Text(sel(participant+` p.small`))),
		chromedp.SetValue(sel(participant+` select[name="slot"]`), "2"),
		chromedp.SendKeys(sel(participant+` textarea[name="message"]`), "想了解贵校的晶圆缺陷检测成果"),
		chromedp.Click(sel(participant+` button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#agenda-meetings article`)),
		keep(&card, chromedp.Text(sel(`#agenda-meetings article`))),
		logout,
	)
	if err != nil {
		t.Fatalf("request a meeting: %v", err)
	}
	if strings.Contains(hidden, "0512-65880000") || !strings.Contains(card, "待对方确认") {
		t.Errorf("before acceptance: contact line %q, meeting %q", hidden, card)
	}
	var instSlot, entSlot, contact string
	err = chromedp.Do(bctx,
		login("inst"),
		chromedp.Navigate(page+"/agenda"),
		chromedp.WaitVisible(sel(`button[data-action="accept"]`)),
		chromedp.Click(sel(`button[data-action="accept"]`)),
		chromedp.WaitNotPresent(sel(`button[data-action="accept"]`)),
		keep(&instSlot, chromedp.Text(sel(`#agenda-slots tr[data-slot="2"]`))),
		logout,
		login("ent"),
		chromedp.Navigate(page+"/agenda"),
		chromedp.WaitVisible(sel(`#agenda-slots`)),
		keep(&entSlot, chromedp.Text(sel(`#agenda-slots tr[data-slot="2"]`))),
		keep(&contact, chromedp.Text(sel(`#agenda-meetings [data-contact]`))),
	)
	if err != nil {
		t.Fatalf("accept and see the agendas: %v", err)
	}
	if !strings.Contains(instSlot, "1 号桌") || !strings.Contains(entSlot, "inst") || !strings.Contains(entSlot, "1 号桌") {
		t.Errorf("agendas: institution's slot 2 %q, enterprise's slot 2 %q", instSlot, entSlot)
	}
	if !strings.Contains(contact, "0512-65880000") {
		t.Errorf("after acceptance the enterprise sees contact %q", contact)
	}
}
