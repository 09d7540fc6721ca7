package demo

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/event"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// LoadEvents adds two invented events (when there are none yet), written
// through the events service on a clock of its own so that the past one
// happened: a 路演 a month ago by the city bureau, with pitches, approved
// participants who checked in, meetings and their outcomes — one of which
// opened a deal the parties then signed, one an investment interest — and
// a 对接会 in ten days by the 昆山 bureau, with registrations (one on the
// waiting list, one to decide), an accepted meeting and one waiting for an
// answer. It returns how many events it added.
func LoadEvents(ctx context.Context, db *sqldb.DB, accounts *account.Service, m *market.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM events").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	actorOf := func(username string) (account.Actor, error) {
		u, err := accounts.GetUserByName(ctx, account.System, username)
		if err != nil {
			return account.Actor{}, fmt.Errorf("demo account %s: %w", username, err)
		}
		return account.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Region: u.RegionCode}, nil
	}
	var people = map[string]account.Actor{}
	for _, name := range []string{"staff", "county", "enterprise", "institution", "investor"} {
		a, err := actorOf(name)
		if err != nil {
			return 0, err
		}
		people[name] = a
	}
	// Other members of the demo market fill the rooms.
	var others []account.Actor
	rows, err := db.QueryContext(ctx, `SELECT id, username, display_name, role, region_code FROM users
		WHERE role IN ('enterprise', 'institution', 'investor') AND username NOT IN ('enterprise', 'institution', 'investor')
		AND disabled = ? ORDER BY id LIMIT 4`, false)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var a account.Actor
		if err := rows.Scan(&a.UserID, &a.Username, &a.DisplayName, &a.Role, &a.Region); err != nil {
			rows.Close()
			return 0, err
		}
		others = append(others, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// The pitches: a published achievement of the demo institution on which
	// the demo enterprise has no open deal, and a financing need (the
	// newest, leaving the older ones to the investor's own first steps) of the
	// demo enterprise the demo investor does not follow yet.
	pick := func(query string, args ...any) (int64, error) {
		var id int64
		err := db.QueryRowContext(ctx, query, args...).Scan(&id)
		if sqldb.IsNoRows(err) {
			return 0, nil
		}
		return id, err
	}
	ach, err := pick(`SELECT l.id FROM listings l WHERE l.owner_id = ? AND l.kind = 'achievement' AND l.state = 'published'
		AND l.expires_at > ? AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.listing_id = l.id AND d.member_id = ?
		AND d.state NOT IN ('registered', 'terminated')) ORDER BY l.id LIMIT 1`,
		people["institution"].UserID, sqldb.FormatTime(now), people["enterprise"].UserID)
	if err != nil {
		return 0, err
	}
	fin, err := pick(`SELECT l.id FROM listings l WHERE l.owner_id = ? AND l.kind = 'financing' AND l.state = 'published'
		AND l.expires_at > ? AND NOT EXISTS (SELECT 1 FROM investment_interests i WHERE i.listing_id = l.id AND i.investor_id = ?
		AND i.stage <> 'terminated') ORDER BY l.id DESC LIMIT 1`,
		people["enterprise"].UserID, sqldb.FormatTime(now), people["investor"].UserID)
	if err != nil {
		return 0, err
	}

	cst := time.FixedZone("CST", 8*3600)
	clock := now
	svc := event.NewService(db, m, func() time.Time { return clock })
	contact := func(a account.Actor) event.RegistrationInput {
		return event.RegistrationInput{Contact: event.Contact{Name: a.DisplayName, Phone: "0512-6688" + fmt.Sprintf("%04d", a.UserID%10000)}}
	}
	join := func(organiser account.Actor, e event.Event, a account.Actor, approve bool) (event.Registration, error) {
		r, err := svc.Register(ctx, a, e.ID, contact(a))
		if err != nil || !approve {
			return r, err
		}
		return svc.DecideRegistration(ctx, organiser, e.ID, r.ID, event.Approve, "")
	}

	// The past 路演, a month ago: registrations before it, the day itself
	// after.
	y, mo, d := now.In(cst).AddDate(0, 0, -30).Date()
	day := time.Date(y, mo, d, 14, 0, 0, 0, cst)
	meet := day.Add(2 * time.Hour)
	clock = day.AddDate(0, 0, -14)
	in := event.Input{Kind: event.Roadshow, Title: "苏州市科技成果常态化路演·智能制造专场（演示）",
		Summary: "每月一期的科技成果路演，本期聚焦智能制造与工业视觉；路演后安排一对一洽谈。", StartsAt: day, EndsAt: day.Add(4 * time.Hour),
		Place: "苏州市科技成果转化中心路演厅（演示）", OnlineURL: "https://live.example.com/roadshow/suzhou-2026-11",
		Organiser: "苏州市科学技术局（演示）", Theme: "智能制造产业链", Domain: "先进制造与自动化", RegionCode: "320500", Capacity: 30,
		MeetingsAt: &meet, SlotMinutes: 20, Slots: 4, Tables: 3,
		Sessions: []event.Session{{Starts: "14:00", Title: "开场致辞", Speaker: "王科长"},
			{Starts: "14:15", Title: "成果路演（每项 10 分钟）", Speaker: "项目团队"}, {Starts: "16:00", Title: "一对一洽谈", Speaker: ""}}}
	for _, id := range []int64{ach, fin} {
		if id != 0 {
			in.Pitches = append(in.Pitches, id)
		}
	}
	past, err := svc.CreateEvent(ctx, people["staff"], in)
	if err != nil {
		return 0, fmt.Errorf("demo roadshow: %w", err)
	}
	if past, err = svc.PublishEvent(ctx, people["staff"], past.ID); err != nil {
		return 0, err
	}
	var regs []event.Registration
	for _, a := range append([]account.Actor{people["enterprise"], people["institution"], people["investor"]}, others...) {
		r, err := join(people["staff"], past, a, true)
		if err != nil {
			return 0, fmt.Errorf("demo roadshow registration of %s: %w", a.Username, err)
		}
		regs = append(regs, r)
	}
	m1, err := svc.RequestMeeting(ctx, people["enterprise"], past.ID, event.MeetingInput{With: people["institution"].UserID, Slot: 1,
		ListingID: ach, Message: "希望进一步了解检测精度与许可方式。"})
	if err != nil {
		return 0, fmt.Errorf("demo meeting: %w", err)
	}
	m2, err := svc.RequestMeeting(ctx, people["investor"], past.ID, event.MeetingInput{With: people["enterprise"].UserID, Slot: 2,
		ListingID: fin, Message: "关注贵司本轮融资，想了解产线规划。"})
	if err != nil {
		return 0, fmt.Errorf("demo meeting: %w", err)
	}
	var m3 event.Meeting
	if len(others) > 0 {
		if m3, err = svc.RequestMeeting(ctx, others[0], past.ID, event.MeetingInput{With: people["institution"].UserID, Slot: 2}); err != nil {
			return 0, fmt.Errorf("demo meeting: %w", err)
		}
	}
	for _, x := range []struct {
		who account.Actor
		id  int64
	}{{people["institution"], m1.ID}, {people["enterprise"], m2.ID}, {people["institution"], m3.ID}} {
		if x.id == 0 {
			continue
		}
		if _, err := svc.RespondMeeting(ctx, x.who, past.ID, x.id, true); err != nil {
			return 0, fmt.Errorf("demo acceptance: %w", err)
		}
	}
	clock = day.Add(time.Hour)
	for _, r := range regs[:len(regs)-1] { // one registrant did not come
		if _, err := svc.CheckIn(ctx, people["staff"], past.ID, tokenOf(r)); err != nil {
			return 0, fmt.Errorf("demo check-in: %w", err)
		}
	}
	clock = day.Add(4 * time.Hour)
	if ach != 0 {
		out, err := svc.RecordOutcome(ctx, people["enterprise"], past.ID, m1.ID, event.OutcomeInput{Outcome: event.OutcomeInterest,
			Note: "有意获得该检测系统的普通许可，拟在两条产线试用（演示）。"})
		if err != nil {
			return 0, fmt.Errorf("demo outcome: %w", err)
		}
		amount := 120.0
		if _, err := m.StepDeal(ctx, people["institution"], out.DealID, market.DealSign, market.DealStep{Amount: &amount,
			Note: "路演洽谈后签订许可合同（演示）"}); err != nil {
			return 0, fmt.Errorf("demo deal: %w", err)
		}
	}
	if fin != 0 {
		if _, err := svc.RecordOutcome(ctx, people["investor"], past.ID, m2.ID, event.OutcomeInput{Outcome: event.OutcomeInterest,
			Note: "拟参与本轮融资，请提供商业计划书（演示）。"}); err != nil {
			return 0, fmt.Errorf("demo outcome: %w", err)
		}
	}
	if m3.ID != 0 {
		if _, err := svc.RecordOutcome(ctx, people["institution"], past.ID, m3.ID, event.OutcomeInput{Outcome: event.OutcomeFollowUp,
			Note: "约定下月实验室参观。"}); err != nil {
			return 0, fmt.Errorf("demo outcome: %w", err)
		}
	}

	// The coming 对接会, in ten days, by the 昆山 bureau.
	clock = now
	y, mo, d = now.In(cst).AddDate(0, 0, 10).Date()
	day = time.Date(y, mo, d, 9, 0, 0, 0, cst)
	meet = day.Add(4*time.Hour + 30*time.Minute)
	capacity := 3
	if len(others) < 2 {
		capacity = 2
	}
	next, err := svc.CreateEvent(ctx, people["county"], event.Input{Kind: event.Matchmaking, Title: "昆山光电与精密制造产业链供需对接会（演示）",
		Summary: "围绕光电显示与精密制造产业链，组织企业技术需求与高校院所成果、投资机构面对面洽谈。", StartsAt: day, EndsAt: day.Add(8 * time.Hour),
		Place: "昆山市科技创业园会议中心（演示）", Organiser: "昆山市科学技术局（演示）", Theme: "光电显示与精密制造产业链",
		Domain: "电子信息", RegionCode: "320583", Capacity: capacity, MeetingsAt: &meet, SlotMinutes: 30, Slots: 6, Tables: 4,
		Sessions: []event.Session{{Starts: "09:00", Title: "产业链需求发布", Speaker: "李专员"},
			{Starts: "10:00", Title: "高校院所成果推介", Speaker: "陈老师"}, {Starts: "13:30", Title: "一对一洽谈", Speaker: ""}}})
	if err != nil {
		return 0, fmt.Errorf("demo matchmaking: %w", err)
	}
	if next, err = svc.PublishEvent(ctx, people["county"], next.ID); err != nil {
		return 0, err
	}
	for i, a := range append([]account.Actor{people["enterprise"], people["institution"], people["investor"]}, others...) {
		// The last registration waits for the organiser's decision.
		if _, err := join(people["county"], next, a, i < 3+len(others)-1 || len(others) == 0); err != nil {
			return 0, fmt.Errorf("demo matchmaking registration of %s: %w", a.Username, err)
		}
	}
	mt, err := svc.RequestMeeting(ctx, people["enterprise"], next.ID, event.MeetingInput{With: people["institution"].UserID, Slot: 1,
		ListingID: ach, Message: "想了解成果在光学镜片检测上的适用性。"})
	if err != nil {
		return 0, fmt.Errorf("demo meeting: %w", err)
	}
	if _, err := svc.RespondMeeting(ctx, people["institution"], next.ID, mt.ID, true); err != nil {
		return 0, err
	}
	if _, err := svc.RequestMeeting(ctx, people["institution"], next.ID, event.MeetingInput{With: people["investor"].UserID, Slot: 2,
		Message: "介绍团队的下一代检测设备，寻求早期投资。"}); err != nil {
		return 0, fmt.Errorf("demo meeting: %w", err)
	}
	return 2, nil
}

// tokenOf is the check-in token of r, as the organiser's scan reads it off
// the QR code.
func tokenOf(r event.Registration) string {
	p := r.CheckInPath()
	return p[len(event.Link(r.EventID)+"/checkin/"):]
}
