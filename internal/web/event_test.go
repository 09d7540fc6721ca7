package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/event"
)

// eventJSONInput is a 对接会 two days after now with three 20-minute meeting
// slots at two tables.
func eventJSONInput(now time.Time, title string, places int) map[string]any {
	day := now.Add(48 * time.Hour).UTC().Truncate(time.Hour)
	return map[string]any{"kind": "matchmaking", "title": title, "summary": "面向新一代电子信息产业链的供需对接。",
		"starts_at": day, "ends_at": day.Add(8 * time.Hour), "place": "苏州国际博览中心B馆", "organiser": "苏州市科学技术局",
		"theme": "新一代电子信息产业链", "domain": "电子信息", "places": places, "meetings_at": day.Add(5 * time.Hour),
		"slot_minutes": 20, "slots": 3, "tables": 2,
		"sessions": []map[string]string{{"starts": "09:00", "title": "开幕致辞", "speaker": "王局长"}}}
}

func idOf(t *testing.T, res response) int64 {
	t.Helper()
	var v struct{ ID int64 }
	res.json(t, &v)
	if v.ID == 0 {
		t.Fatalf("no id in %d %s", res.status, res.body)
	}
	return v.ID
}

// ms0 is the user id of the caller c, read from its first meeting.
func ms0(t *testing.T, c *client, base string) int64 {
	t.Helper()
	var ms []event.Meeting
	c.api(http.MethodGet, base+"/meetings", nil).json(t, &ms)
	if len(ms) == 0 {
		t.Fatal("no meeting")
	}
	return ms[0].Requester.UserID
}

func wantStatus(t *testing.T, what string, res response, want int) {
	t.Helper()
	if res.status != want {
		t.Errorf("%s = %d, want %d: %s", what, res.status, want, res.body)
	}
}

// TestEventsAPIAndPages walks an event through the API and its pages:
// create, publish, register, approve (with the waiting list), browse,
// request and accept a meeting, check in by the QR code's URL, record an
// outcome that opens a deal, and read the funnel — and checks that another
// county's staff gets 404 on the organiser's pages and API.
func TestEventsAPIAndPages(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("city", account.RoleStaff, "320500")
		e.createUser("wz", account.RoleCounty, "320506")
		e.createUser("inst", account.RoleInstitution, "320505")
		e.createUser("ent", account.RoleEnterprise, "320505")
		e.createUser("ent2", account.RoleEnterprise, "320505")
		city, wz, inst, ent, ent2, anon := e.client(), e.client(), e.client(), e.client(), e.client(), e.client()
		for c, name := range map[*client]string{city: "city", wz: "wz", inst: "inst", ent: "ent", ent2: "ent2"} {
			c.mustLoginAPI(name)
		}

		// A published achievement of the institution, to meet about.
		res := inst.api(http.MethodPost, "/api/v1/achievements", achievementJSON("精密零件表面缺陷在线检测系统"))
		wantStatus(t, "create achievement", res, http.StatusCreated)
		lid := idOf(t, res)
		wantStatus(t, "submit", inst.api(http.MethodPost, "/api/v1/achievements/"+strconv.FormatInt(lid, 10)+"/submit", nil), http.StatusOK)
		wantStatus(t, "approve", city.api(http.MethodPost, "/api/v1/achievements/"+strconv.FormatInt(lid, 10)+"/approve", nil), http.StatusOK)

		in := eventJSONInput(e.clock.Now(), "2026 电子信息产业链对接会", 2)
		in["pitches"] = []int64{lid}
		bad := eventJSONInput(e.clock.Now(), "坏链接", 2)
		bad["online_url"] = "ftp://example.com/live"
		wantStatus(t, "ftp link", city.api(http.MethodPost, "/api/v1/events", bad), http.StatusUnprocessableEntity)
		wantStatus(t, "enterprise creates", ent.api(http.MethodPost, "/api/v1/events", in), http.StatusForbidden)
		res = city.api(http.MethodPost, "/api/v1/events", in)
		wantStatus(t, "create event", res, http.StatusCreated)
		id := idOf(t, res)
		base := "/api/v1/events/" + strconv.FormatInt(id, 10)
		page := "/events/" + strconv.FormatInt(id, 10)
		wantStatus(t, "draft for another county", wz.api(http.MethodGet, base, nil), http.StatusNotFound)
		wantStatus(t, "draft for the public", anon.api(http.MethodGet, base, nil), http.StatusNotFound)
		wantStatus(t, "publish by another county", wz.api(http.MethodPost, base+"/publish", nil), http.StatusNotFound)
		wantStatus(t, "publish", city.api(http.MethodPost, base+"/publish", nil), http.StatusOK)
		wantStatus(t, "public event", anon.api(http.MethodGet, base, nil), http.StatusOK)
		res = anon.api(http.MethodGet, "/api/v1/events?when=upcoming&kind=matchmaking", nil)
		var list struct{ Total int }
		res.json(t, &list)
		if res.status != http.StatusOK || list.Total != 1 {
			t.Errorf("public list = %d, %d events", res.status, list.Total)
		}
		wantStatus(t, "bad filter", anon.api(http.MethodGet, "/api/v1/events?when=soon", nil), http.StatusUnprocessableEntity)

		// Three register for two places.
		regIDs := map[string]int64{}
		for name, c := range map[string]*client{"inst": inst, "ent": ent, "ent2": ent2} {
			res := c.api(http.MethodPost, base+"/registrations", map[string]any{"contact": map[string]string{"name": name + "联系人", "phone": "0512-68880000"}, "note": "希望对接"})
			wantStatus(t, "register "+name, res, http.StatusCreated)
			regIDs[name] = idOf(t, res)
		}
		wantStatus(t, "staff registers", city.api(http.MethodPost, base+"/registrations", map[string]any{"contact": map[string]string{"name": "x", "phone": "0512-68880000"}}), http.StatusForbidden)
		wantStatus(t, "registrations for another county", wz.api(http.MethodGet, base+"/registrations", nil), http.StatusNotFound)
		wantStatus(t, "registrations for a participant", ent.api(http.MethodGet, base+"/registrations", nil), http.StatusNotFound)
		wantStatus(t, "decide by another county", wz.api(http.MethodPost, base+"/registrations/"+strconv.FormatInt(regIDs["inst"], 10)+"/decision", map[string]string{"decision": "approve"}), http.StatusNotFound)
		// The three wait for the organiser's decision on its workbench, and
		// only there.
		pending := func(c *client) string {
			sel := `#todos a[href="` + strings.TrimPrefix(base, "/api/v1") + `/registrations?state=pending"] .todo-count`
			return strings.TrimSpace(c.get("/").doc(t).Find(sel).Text())
		}
		if got := pending(city); got != "3" {
			t.Errorf("the organiser's workbench shows %q registrations to decide, want 3", got)
		}
		if got := pending(wz); got != "" {
			t.Errorf("another county's workbench shows the registrations: %q", got)
		}
		for _, name := range []string{"inst", "ent", "ent2"} {
			res := city.api(http.MethodPost, base+"/registrations/"+strconv.FormatInt(regIDs[name], 10)+"/decision", map[string]string{"decision": "approve"})
			wantStatus(t, "approve "+name, res, http.StatusOK)
		}
		var regs struct {
			Items []event.Registration
		}
		res = city.api(http.MethodGet, base+"/registrations?state=waitlisted", nil)
		res.json(t, &regs)
		if len(regs.Items) != 1 || regs.Items[0].ID != regIDs["ent2"] || regs.Items[0].Position != 1 {
			t.Errorf("waiting list = %+v", regs.Items)
		}
		wantStatus(t, "waiting registrant browses", ent2.api(http.MethodGet, base+"/participants", nil), http.StatusNotFound)

		// The enterprise browses: the institution's listing shows, its contact not.
		var ps []event.Participant
		res = ent.api(http.MethodGet, base+"/participants", nil)
		res.json(t, &ps)
		if len(ps) != 1 || ps[0].Contact != nil || len(ps[0].Listings) != 1 {
			t.Fatalf("participants = %+v (%s)", ps, res.body)
		}
		instID := ps[0].UserID
		res = ent.api(http.MethodPost, base+"/meetings", map[string]any{"with": instID, "slot": 1, "listing_id": lid, "message": "希望洽谈许可"})
		wantStatus(t, "request meeting", res, http.StatusCreated)
		mid := idOf(t, res)
		mbase := base + "/meetings/" + strconv.FormatInt(mid, 10)
		wantStatus(t, "requester accepts", ent.api(http.MethodPost, mbase+"/response", map[string]bool{"accept": true}), http.StatusForbidden)
		wantStatus(t, "another county answers", wz.api(http.MethodPost, mbase+"/response", map[string]bool{"accept": true}), http.StatusNotFound)

		// The institution accepts on its agenda page.
		doc := inst.get(page + "/agenda").doc(t)
		form := doc.Find(`form[action="` + page + `/meetings/` + strconv.FormatInt(mid, 10) + `/accept"]`)
		if form.Length() != 1 {
			t.Fatalf("no accept form on the agenda")
		}
		tok, _ := form.Find(`input[name="csrf_token"]`).Attr("value")
		wantStatus(t, "accept on the page", inst.postForm(page+"/meetings/"+strconv.FormatInt(mid, 10)+"/accept", url.Values{"csrf_token": {tok}}), http.StatusSeeOther)
		res = inst.api(http.MethodPost, base+"/meetings", map[string]any{"with": ms0(t, ent, base), "slot": 2})
		wantStatus(t, "second request", res, http.StatusCreated)
		res = ent.api(http.MethodPost, base+"/meetings/"+strconv.FormatInt(idOf(t, res), 10)+"/response", map[string]bool{"accept": false})
		var declined event.Meeting
		res.json(t, &declined)
		if res.status != http.StatusOK || declined.State != event.MeetingDeclined || declined.Table != 0 {
			t.Errorf("decline = %d %+v", res.status, declined)
		}
		var ms []event.Meeting
		res = ent.api(http.MethodGet, base+"/meetings?state=accepted", nil)
		res.json(t, &ms)
		if len(ms) != 1 || ms[0].Table != 1 || ms[0].Receiver.Contact == nil {
			t.Fatalf("accepted meetings = %+v", ms)
		}
		if doc := ent.get(page + "/participants").doc(t); doc.Find(`[data-participant] [data-contact]`).Length() != 1 {
			t.Error("the enterprise does not see the institution's contact after acceptance")
		}
		wantStatus(t, "meetings for another county", wz.api(http.MethodGet, base+"/meetings", nil), http.StatusNotFound)

		// The agenda shows the meeting and a QR code of the check-in URL.
		adoc := ent.get(page + "/agenda").doc(t)
		if adoc.Find(`#agenda-slots tr[data-slot="1"]`).Text() == "" || adoc.Find(`#checkin-qr`).Length() != 1 {
			t.Errorf("agenda lacks the slot or the QR code")
		}
		qr := ent.get(page + "/agenda/qr.png")
		if qr.status != http.StatusOK || qr.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.body, "\x89PNG") {
			t.Errorf("qr = %d %s", qr.status, qr.header.Get("Content-Type"))
		}
		reg, err := e.app.Events.MyRegistration(t.Context(), account.Actor{UserID: ms[0].Requester.UserID, Role: account.RoleEnterprise, Region: "320505"}, id)
		if err != nil {
			t.Fatal(err)
		}
		checkin := reg.CheckInPath()
		wantStatus(t, "participant opens the check-in URL", ent.get(checkin), http.StatusNotFound)
		wantStatus(t, "another county opens the check-in URL", wz.get(checkin), http.StatusNotFound)
		cdoc := city.get(checkin).doc(t)
		ctok, _ := cdoc.Find(`#checkin-form input[name="csrf_token"]`).Attr("value")
		if res := city.postForm(checkin, url.Values{"csrf_token": {ctok}}); res.status != http.StatusOK || res.doc(t).Find("#checkin-done").Length() != 1 {
			t.Errorf("check in = %d", res.status)
		}

		// After the slot, interest opens a deal on the listing.
		e.clock.Add(48*time.Hour + 6*time.Hour)
		for c, name := range map[*client]string{city: "city", wz: "wz", inst: "inst", ent: "ent", ent2: "ent2"} {
			c.mustLoginAPI(name) // the sessions timed out
		}
		wantStatus(t, "owner records interest on its own listing", inst.api(http.MethodPost, mbase+"/outcome", map[string]string{"outcome": "interest", "note": "我方有意"}), http.StatusUnprocessableEntity)
		res = ent.api(http.MethodPost, mbase+"/outcome", map[string]string{"outcome": "interest", "note": "希望获得独占许可。"})
		wantStatus(t, "record interest", res, http.StatusOK)
		var m event.Meeting
		res.json(t, &m)
		if m.DealID == 0 {
			t.Fatalf("no deal: %s", res.body)
		}
		wantStatus(t, "the deal", inst.api(http.MethodGet, "/api/v1/deals/"+strconv.FormatInt(m.DealID, 10), nil), http.StatusOK)
		var fu event.Funnel
		res = city.api(http.MethodGet, base+"/funnel", nil)
		res.json(t, &fu)
		if want := (event.Funnel{Registered: 2, Attended: 1, Meetings: 1, Deals: 1}); fu != want {
			t.Errorf("funnel = %+v, want %+v", fu, want)
		}
		wantStatus(t, "funnel for another county", wz.api(http.MethodGet, base+"/funnel", nil), http.StatusNotFound)

		// Pages: public list and event, the organiser's pages, 404 elsewhere.
		for _, tt := range []struct {
			c    *client
			path string
			want int
		}{
			{anon, "/events", http.StatusOK}, {anon, page, http.StatusOK}, {city, page + "/registrations", http.StatusOK},
			{city, page + "/timetable", http.StatusOK}, {city, page + "/edit", http.StatusOK}, {city, "/events/new", http.StatusOK},
			{wz, page + "/registrations", http.StatusNotFound}, {wz, page + "/timetable", http.StatusNotFound},
			{wz, page + "/edit", http.StatusNotFound}, {ent, page + "/registrations", http.StatusNotFound},
			{ent2, page + "/agenda", http.StatusOK}, {ent2, page + "/participants", http.StatusNotFound},
		} {
			if res := tt.c.get(tt.path); res.status != tt.want {
				t.Errorf("GET %s = %d, want %d", tt.path, res.status, tt.want)
			}
		}
		// The audit log names the meeting's states, never their codes.
		e.createUser("aud", account.RoleAuditor, "")
		aud := e.client()
		aud.mustLoginAPI("aud")
		if rows := aud.get("/audit?action=event.meeting_accept").doc(t).Find("table tbody").Text(); !strings.Contains(rows, "待对方确认") ||
			strings.Contains(rows, "requested") {
			t.Errorf("the audit log does not name the meeting states: %q", rows)
		}

		if doc := city.get(page + "/registrations").doc(t); doc.Find(`[data-funnel="deals"]`).Text() != "1" {
			t.Errorf("funnel on the page = %q", doc.Find(`[data-funnel="deals"]`).Text())
		}
	})
}

// TestEventForm creates an event through the page form, with a bad link
// first.
func TestEventForm(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("city", account.RoleStaff, "320500")
		c := e.client()
		c.mustLoginAPI("city")
		tok := c.formToken("/events/new")
		day := e.clock.Now().Add(72 * time.Hour).In(time.FixedZone("CST", 8*3600))
		form := url.Values{"csrf_token": {tok}, "kind": {"roadshow"}, "region_code": {"320500"}, "title": {"生物医药常态化路演（第12期）"},
			"starts_at": {day.Format("2006-01-02T15:04")}, "ends_at": {day.Add(3 * time.Hour).Format("2006-01-02T15:04")},
			"online_url": {"javascript:alert(1)"}, "organiser": {"苏州市科学技术局"}, "places": {"80"},
			"session_starts": {"14:00", ""}, "session_title": {"项目路演", ""}, "session_speaker": {"", ""}}
		res := c.postForm("/events", form)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "http://") {
			t.Fatalf("bad link = %d", res.status)
		}
		form.Set("online_url", "https://live.example.com/roadshow/12")
		res = c.postForm("/events", form)
		if res.status != http.StatusSeeOther {
			t.Fatalf("create = %d %s", res.status, res.body)
		}
		doc := c.get(res.header.Get("Location")).doc(t)
		if got := doc.Find("#event-title").Text(); !strings.Contains(got, "生物医药常态化路演") || doc.Find("#event-agenda tbody tr").Length() != 1 {
			t.Errorf("event page title %q, %d agenda rows", got, doc.Find("#event-agenda tbody tr").Length())
		}
	})
}
