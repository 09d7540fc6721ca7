package challenge_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/app"
	"kechuang/internal/apperr"
	"kechuang/internal/challenge"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/project"
	"kechuang/internal/secret"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// set moves the clock to 10:00 Beijing time on day.
func (c *clock) set(day string) {
	c.mu.Lock()
	c.now = workday.MustParseDate(day).Start().Add(10 * time.Hour)
	c.mu.Unlock()
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	a     *app.App
	svc   *challenge.Service
	clock *clock
	n     int
}

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	c := &clock{}
	c.set("2026-03-02")
	a, err := app.New(context.Background(), app.Config{DB: db, Now: c.Now, Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1},
		HomeRegion: "320500", SecretKey: secret.NewKey(), MFARoles: []account.Role{}, NoIndex: true})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: context.Background(), a: a, svc: a.Challenges, clock: c}
}

// user creates an account and returns it as an actor.
func (f *fixture) user(name string, role account.Role, regionCode, org string) account.Actor {
	f.t.Helper()
	u, err := f.a.Accounts.CreateUser(f.ctx, account.System, account.NewUser{Username: name, DisplayName: name, Organization: org,
		Role: role, RegionCode: regionCode, Password: "correct horse battery staple 1"})
	if err != nil {
		f.t.Fatalf("create %s: %v", name, err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, DisplayName: name, Role: role, Region: regionCode}
}

// reviewer adds a 评审专家 of the directory linked to a new account.
func (f *fixture) reviewer(staff account.Actor, name, affiliation, regionCode string) account.Actor {
	f.t.Helper()
	f.n++
	a := f.user(fmt.Sprintf("reviewer%d", f.n), account.RoleInstitution, regionCode, affiliation)
	e, err := f.a.Directory.CreateExpert(f.ctx, staff, directory.ExpertInput{Name: name, Affiliation: affiliation, Title: "教授",
		Disciplines: []string{"材料科学与工程"}, Roles: []string{challenge.ReviewerRole}, RegionCode: regionCode})
	if err != nil {
		f.t.Fatalf("expert %s: %v", name, err)
	}
	if err := f.a.Directory.LinkExpertAccount(f.ctx, staff, e.ID, a.UserID); err != nil {
		f.t.Fatalf("link %s: %v", name, err)
	}
	return a
}

func validInput() challenge.Input {
	return challenge.Input{Kind: challenge.KindGov, Title: "高性能碳纤维复合材料低成本制备技术", Problem: "现有碳纤维复合材料成型周期长、成本高，难以在汽车轻量化部件中批量应用。",
		Indicators: []string{"成型周期不超过 5 分钟", "拉伸强度不低于 600 MPa", "单件成本下降 30%"}, Field: "材料科学与工程", Budget: 500,
		PeriodMonths: 24, Eligibility: "注册在本市的企业、高校或科研院所，可联合申报。", IPTerms: "攻关形成的知识产权归揭榜方所有，发榜方享有免费实施许可。",
		PaymentTerms: "签约后拨付 30%，中期考核通过后拨付 40%，验收通过后拨付 30%。",
		Criteria:     []challenge.Criterion{{"技术先进性", 30}, {"方案可行性", 30}, {"团队能力", 20}, {"经费合理性", 20}},
		ApplyUntil:   workday.MustParseDate("2026-03-31")}
}

func application(org string, team ...challenge.Member) challenge.ApplicationInput {
	if team == nil {
		team = []challenge.Member{{Name: "钱工", Role: "项目负责人", Affiliation: org}}
	}
	return challenge.ApplicationInput{OrgName: org, Team: team, Proposal: "采用快速固化树脂体系与高压树脂传递模塑工艺，配套在线监测。",
		Budget: 480, Milestones: []challenge.Milestone{{Name: "工艺验证", Due: workday.MustParseDate("2026-09-30")},
			{Name: "中试样件", Due: workday.MustParseDate("2027-03-31")}, {Name: "批量验证", Due: workday.MustParseDate("2027-12-31")}},
		AcceptedTerms: true}
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if !apperr.Is(err, kind) {
		t.Errorf("%s: error %v, want %s", what, err, kind)
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// TestChallengeFlow runs a 政府榜 from draft to 验收: the terms lock at
// submission, applications stay private, the panel's conflicts are
// flagged, the ranking follows the scorecards, signing waits for the 公示
// and creates the project with the application's milestones, and 验收
// completes it.
func TestChallengeFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		staff := f.user("staff1", account.RoleStaff, "320500", "苏州市科学技术局")
		staff2 := f.user("staff2", account.RoleStaff, "320500", "苏州市科学技术局")
		otherCounty := f.user("county-wj", account.RoleCounty, "320509", "吴江区科技局")
		entA := f.user("ent-a", account.RoleEnterprise, "320583", "昆山甲精密制造有限公司")
		entB := f.user("ent-b", account.RoleEnterprise, "320505", "苏州乙新材料有限公司")
		entC := f.user("ent-c", account.RoleEnterprise, "320506", "苏州丙科技有限公司")
		rev1 := f.reviewer(staff, "赵教授", "苏州丁大学", "320505")
		rev2 := f.reviewer(staff, "孙研究员", "苏州戊研究院", "320506")
		// Works for the second applicant: flagged with it.
		rev3 := f.reviewer(staff, "李高工", "苏州乙新材料有限公司", "320508")

		c := must[challenge.Challenge](t, "create")(f.svc.CreateChallenge(ctx, staff, validInput()))
		if c.Kind != challenge.KindGov || c.Stage != challenge.Draft || c.RegionCode != "320500" {
			t.Fatalf("created %s %s in %s", c.Kind, c.Stage, c.RegionCode)
		}
		wantKind(t, "a draft is not public", func() error { _, err := f.svc.GetChallenge(ctx, account.Anonymous, c.ID); return err }(), apperr.NotFound)
		must[challenge.Challenge](t, "submit")(f.svc.Step(ctx, staff, c.ID, challenge.ActSubmit, challenge.StepInput{}))
		_, err := f.svc.UpdateChallenge(ctx, staff, c.ID, validInput())
		wantKind(t, "terms after submission", err, apperr.Conflict)
		c = must[challenge.Challenge](t, "approve")(f.svc.Step(ctx, staff2, c.ID, challenge.ActApprove, challenge.StepInput{}))
		if c.Stage != challenge.Published {
			t.Fatalf("approved into %s", c.Stage)
		}
		if _, err := f.svc.GetChallenge(ctx, account.Anonymous, c.ID); err != nil {
			t.Fatalf("published challenge not public: %v", err)
		}

		appA := must[challenge.Application](t, "apply A")(f.svc.CreateApplication(ctx, entA, c.ID, application("昆山甲精密制造有限公司")))
		appB := must[challenge.Application](t, "apply B")(f.svc.CreateApplication(ctx, entB, c.ID, application("苏州乙新材料有限公司",
			challenge.Member{Name: "周博士", Role: "负责人", Affiliation: "苏州乙新材料有限公司"})))
		_, err = f.svc.CreateApplication(ctx, entA, c.ID, application("昆山甲精密制造有限公司"))
		wantKind(t, "applying twice", err, apperr.Conflict)
		noTerms := application("苏州丙科技有限公司")
		noTerms.AcceptedTerms = false
		_, err = f.svc.CreateApplication(ctx, entC, c.ID, noTerms)
		wantKind(t, "without accepting the terms", err, apperr.Invalid)

		// Privacy: another applicant, another county's staff, a visitor
		// and a reviewer before the review get 404.
		for _, who := range []struct {
			name  string
			actor account.Actor
		}{{"another applicant", entB}, {"another county", otherCounty}, {"anonymous", account.Anonymous}, {"a non-applicant", entC}, {"a reviewer before the review", rev1}} {
			_, err := f.svc.GetApplication(ctx, who.actor, c.ID, appA.ID)
			wantKind(t, who.name+" reads an application", err, apperr.NotFound)
		}
		if list := must[[]challenge.Application](t, "list as B")(f.svc.FindApplications(ctx, entB, c.ID)); len(list) != 1 || list[0].ID != appB.ID {
			t.Errorf("B lists %d applications, want its own", len(list))
		}
		if list := must[[]challenge.Application](t, "list as staff")(f.svc.FindApplications(ctx, staff, c.ID)); len(list) != 2 {
			t.Errorf("staff list %d applications, want 2", len(list))
		}

		must[challenge.Challenge](t, "close")(f.svc.Step(ctx, staff, c.ID, challenge.ActClose, challenge.StepInput{}))
		panel := must[[]challenge.Reviewer](t, "draw")(f.svc.DrawPanel(ctx, staff, c.ID, 3))
		if len(panel) != 3 {
			t.Fatalf("panel of %d, want 3", len(panel))
		}
		flags := map[string]map[int64][]string{}
		for _, r := range panel {
			flags[r.Name] = r.Flags
		}
		if got := flags["李高工"][appB.ID]; !slices.Equal(got, []string{challenge.ConflictInstitution}) {
			t.Errorf("李高工's flags with B = %v, want institution", got)
		}
		if len(flags["赵教授"]) != 0 || len(flags["孙研究员"]) != 0 {
			t.Errorf("unrelated reviewers flagged: %v", flags)
		}
		must[challenge.Challenge](t, "screen")(f.svc.Step(ctx, staff, c.ID, challenge.ActScreen, challenge.StepInput{}))
		_, err = f.svc.Step(ctx, staff, c.ID, challenge.ActReview, challenge.StepInput{})
		wantKind(t, "review before screening every application", err, apperr.Conflict)
		must[challenge.Application](t, "check A")(f.svc.CheckApplication(ctx, staff, c.ID, appA.ID, true, ""))
		must[challenge.Application](t, "check B")(f.svc.CheckApplication(ctx, staff, c.ID, appB.ID, true, ""))
		must[challenge.Challenge](t, "review")(f.svc.Step(ctx, staff, c.ID, challenge.ActReview, challenge.StepInput{}))

		score := func(who account.Actor, app int64, s ...float64) error {
			_, err := f.svc.SubmitScore(ctx, who, c.ID, challenge.ScoreInput{ApplicationID: app, Scores: s})
			return err
		}
		wantKind(t, "scoring before the declaration", score(rev1, appA.ID, 80, 80, 80, 80), apperr.Conflict)
		must[challenge.Reviewer](t, "declare 1")(f.svc.Declare(ctx, rev1, c.ID, false, ""))
		must[challenge.Reviewer](t, "declare 2")(f.svc.Declare(ctx, rev2, c.ID, false, ""))
		must[challenge.Reviewer](t, "declare 3")(f.svc.Declare(ctx, rev3, c.ID, false, ""))
		wantKind(t, "a flagged reviewer scores", score(rev3, appB.ID, 90, 90, 90, 90), apperr.Invalid)
		_, err = f.svc.GetApplication(ctx, rev3, c.ID, appB.ID)
		wantKind(t, "a flagged reviewer reads the application", err, apperr.NotFound)
		if _, err := f.svc.GetApplication(ctx, rev1, c.ID, appA.ID); err != nil {
			t.Errorf("reviewer reads an application: %v", err)
		}
		for _, s := range []struct {
			who    account.Actor
			app    int64
			scores []float64
		}{{rev1, appA.ID, []float64{90, 85, 80, 80}}, {rev2, appA.ID, []float64{80, 80, 90, 70}}, {rev3, appA.ID, []float64{70, 70, 70, 70}},
			{rev1, appB.ID, []float64{80, 80, 80, 80}}, {rev2, appB.ID, []float64{85, 85, 85, 85}}} {
			if err := score(s.who, s.app, s.scores...); err != nil {
				t.Fatalf("score: %v", err)
			}
		}
		rv := must[challenge.Review](t, "review as staff")(f.svc.GetReview(ctx, staff, c.ID))
		// A: 84.5 (27+25.5+16+16), 80 (24+24+18+14), 70 → 78.17; B: 80, 85 → 82.5.
		if len(rv.Ranking) != 2 || rv.Ranking[0].ApplicationID != appB.ID || rv.Ranking[0].Score != 82.5 || rv.Ranking[1].Score != 78.17 {
			t.Fatalf("ranking = %+v", rv.Ranking)
		}
		_, err = f.svc.GetReview(ctx, entA, c.ID)
		wantKind(t, "an applicant reads the review", err, apperr.NotFound)

		c = must[challenge.Challenge](t, "notice")(f.svc.Step(ctx, staff, c.ID, challenge.ActNotice, challenge.StepInput{ApplicationID: appB.ID}))
		// 2026-03-02 is a Monday: five working days end on Friday.
		if c.NoticeUntil.String() != "2026-03-06" {
			t.Errorf("notice until %s, want 2026-03-06", c.NoticeUntil)
		}
		if err := f.svc.SubmitObjection(ctx, c.ID, challenge.ObjectionInput{Name: "吴先生", Contact: "13800000000",
			Reason: "拟揭榜方团队负责人同时承担其他重大专项，精力难以保证。"}, "client-1"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SignApplication(ctx, entB, c.ID, appB.ID)
		wantKind(t, "signing during the notice", err, apperr.Conflict)
		f.clock.set("2026-03-09")
		wantKind(t, "an objection after the notice", f.svc.SubmitObjection(ctx, c.ID, challenge.ObjectionInput{Name: "吴", Contact: "1",
			Reason: "逾期"}, "client-1"), apperr.Conflict)
		must[challenge.Application](t, "team signs")(f.svc.SignApplication(ctx, entB, c.ID, appB.ID))
		unit := must[project.Unit](t, "unit")(f.a.Projects.CreateUnit(ctx, staff, project.UnitInput{RegionCode: "320500", Name: "市科技局重大专项处"}))
		_, err = f.svc.Step(ctx, staff, c.ID, challenge.ActSign, challenge.StepInput{UnitID: unit.ID})
		wantKind(t, "signing with an open objection", err, apperr.Conflict)
		objs := must[[]challenge.Objection](t, "objections")(f.svc.FindObjections(ctx, staff, c.ID))
		if len(objs) != 1 || objs[0].Contact != "13800000000" {
			t.Fatalf("objections = %+v", objs)
		}
		_, err = f.svc.FindObjections(ctx, otherCounty, c.ID)
		wantKind(t, "another county reads objections", err, apperr.NotFound)
		if err := f.svc.AnswerObjection(ctx, staff, c.ID, objs[0].ID, "经核实，该负责人已完成原专项验收，异议不成立。", false); err != nil {
			t.Fatal(err)
		}
		c = must[challenge.Challenge](t, "sign")(f.svc.Step(ctx, staff, c.ID, challenge.ActSign, challenge.StepInput{UnitID: unit.ID}))
		if c.ProjectID == 0 || c.Stage != challenge.Signed {
			t.Fatalf("signed into %s with project %d", c.Stage, c.ProjectID)
		}
		p := must[project.Project](t, "project")(f.a.Projects.GetProject(ctx, staff, c.ProjectID))
		var names []string
		for _, m := range p.Milestones {
			names = append(names, m.Name+" "+m.PlannedDate.String())
		}
		if p.Type != challenge.ProjectType || p.Stage != project.Stocked ||
			!slices.Equal(names, []string{"工艺验证 2026-09-30", "中试样件 2027-03-31", "批量验证 2027-12-31"}) {
			t.Errorf("project %s %s with milestones %v", p.Type, p.Stage, names)
		}
		must[challenge.Challenge](t, "implement")(f.svc.Step(ctx, staff, c.ID, challenge.ActImplement, challenge.StepInput{}))
		if p = must[project.Project](t, "project")(f.a.Projects.GetProject(ctx, staff, c.ProjectID)); p.Stage != project.Implementing {
			t.Errorf("project stage after 实施 = %s", p.Stage)
		}
		c = must[challenge.Challenge](t, "accept")(f.svc.Step(ctx, staff, c.ID, challenge.ActAccept, challenge.StepInput{Note: "各项考核指标均已达到"}))
		if p = must[project.Project](t, "project")(f.a.Projects.GetProject(ctx, staff, c.ProjectID)); c.Stage != challenge.Accepted || p.Stage != project.Completed {
			t.Errorf("after 验收: challenge %s, project %s", c.Stage, p.Stage)
		}
		if len(c.Steps) != 9 { // submit, approve, close, screen, review, notice, sign, implement, accept
			t.Errorf("%d steps recorded, want 9", len(c.Steps))
		}

		inbox := must[notice.Inbox](t, "inbox")(notice.NewService(db, f.clock.Now).Inbox(ctx, entB, i18n.English, notice.Filter{}))
		var titles []string
		for _, n := range inbox.Items {
			titles = append(titles, n.Title)
		}
		if !slices.ContainsFunc(titles, func(s string) bool {
			return s == "You are the selected applicant of the challenge “高性能碳纤维复合材料低成本制备技术”; the notice is published"
		}) {
			t.Errorf("B's inbox = %q", titles)
		}
	})
}

// TestBlindReview: in a blind review a reviewer sees neither the
// applicant's name nor its team's names; staff see both.
func TestBlindReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		staff := f.user("staff1", account.RoleStaff, "320500", "苏州市科学技术局")
		ent := f.user("ent-a", account.RoleEnterprise, "320583", "昆山甲精密制造有限公司")
		rev := f.reviewer(staff, "赵教授", "苏州丁大学", "320505")
		in := validInput()
		in.Blind = true
		c := must[challenge.Challenge](t, "create")(f.svc.CreateChallenge(ctx, staff, in))
		for _, act := range []string{challenge.ActSubmit, challenge.ActApprove} {
			must[challenge.Challenge](t, act)(f.svc.Step(ctx, staff, c.ID, act, challenge.StepInput{}))
		}
		app := must[challenge.Application](t, "apply")(f.svc.CreateApplication(ctx, ent, c.ID, application("昆山甲精密制造有限公司")))
		must[challenge.Challenge](t, "close")(f.svc.Step(ctx, staff, c.ID, challenge.ActClose, challenge.StepInput{}))
		must[challenge.Challenge](t, "screen")(f.svc.Step(ctx, staff, c.ID, challenge.ActScreen, challenge.StepInput{}))
		must[[]challenge.Reviewer](t, "draw")(f.svc.DrawPanel(ctx, staff, c.ID, 1))
		must[challenge.Application](t, "check")(f.svc.CheckApplication(ctx, staff, c.ID, app.ID, true, ""))
		must[challenge.Challenge](t, "review")(f.svc.Step(ctx, staff, c.ID, challenge.ActReview, challenge.StepInput{}))
		must[challenge.Reviewer](t, "declare")(f.svc.Declare(ctx, rev, c.ID, false, ""))
		seen := must[challenge.Application](t, "reviewer reads")(f.svc.GetApplication(ctx, rev, c.ID, app.ID))
		if !seen.Blind || seen.OrgName != "" || seen.Team[0].Name != "" {
			t.Errorf("reviewer sees %q with team %+v", seen.OrgName, seen.Team)
		}
		if st := must[challenge.Application](t, "staff reads")(f.svc.GetApplication(ctx, staff, c.ID, app.ID)); st.OrgName == "" || st.Blind {
			t.Errorf("staff see a blind application")
		}
		// The reviewer sees its own seat.
		rv := must[challenge.Review](t, "reviewer")(f.svc.GetReview(ctx, rev, c.ID)).Me
		if rv == nil || !rv.Declared {
			t.Fatalf("reviewer's seat = %+v", rv)
		}
	})
}

// TestEnterpriseChallenge: an enterprise drafts a 企业榜 of its county;
// another county's staff cannot see or approve it, its own county's staff
// return it with a reason and approve it after the fix, and the author is
// told both times.
func TestEnterpriseChallenge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := f.ctx
		firm := f.user("firm", account.RoleEnterprise, "320583", "昆山甲精密制造有限公司")
		ks := f.user("ks", account.RoleCounty, "320583", "昆山市科学技术局")
		wj := f.user("wj", account.RoleCounty, "320509", "吴江区科技局")
		in := validInput()
		in.Kind = challenge.KindGov // the kind follows the author, not the input
		c := must[challenge.Challenge](t, "create")(f.svc.CreateChallenge(ctx, firm, in))
		if c.Kind != challenge.KindEnterprise || c.RegionCode != "320583" || c.PublisherName != "昆山甲精密制造有限公司" {
			t.Fatalf("created %s in %s by %q", c.Kind, c.RegionCode, c.PublisherName)
		}
		must[challenge.Challenge](t, "submit")(f.svc.Step(ctx, firm, c.ID, challenge.ActSubmit, challenge.StepInput{}))
		_, err := f.svc.Step(ctx, firm, c.ID, challenge.ActApprove, challenge.StepInput{})
		wantKind(t, "the author approves", err, apperr.Forbidden)
		_, err = f.svc.Step(ctx, wj, c.ID, challenge.ActApprove, challenge.StepInput{})
		wantKind(t, "another county approves", err, apperr.NotFound)
		_, err = f.svc.Step(ctx, ks, c.ID, challenge.ActReturn, challenge.StepInput{})
		wantKind(t, "a return without a reason", err, apperr.Invalid)
		c = must[challenge.Challenge](t, "return")(f.svc.Step(ctx, ks, c.ID, challenge.ActReturn,
			challenge.StepInput{Note: "请补充考核指标的测试方法"}))
		if c.Stage != challenge.Draft || c.ReturnNote != "请补充考核指标的测试方法" {
			t.Fatalf("returned into %s with %q", c.Stage, c.ReturnNote)
		}
		in.Indicators = append(in.Indicators, "按 GB/T 3354 测试拉伸强度")
		must[challenge.Challenge](t, "update")(f.svc.UpdateChallenge(ctx, firm, c.ID, in))
		must[challenge.Challenge](t, "submit again")(f.svc.Step(ctx, firm, c.ID, challenge.ActSubmit, challenge.StepInput{}))
		c = must[challenge.Challenge](t, "approve")(f.svc.Step(ctx, ks, c.ID, challenge.ActApprove, challenge.StepInput{}))
		if c.Stage != challenge.Published || len(c.Indicators) != 4 {
			t.Fatalf("approved into %s with %d indicators", c.Stage, len(c.Indicators))
		}
		inbox := must[notice.Inbox](t, "inbox")(notice.NewService(db, f.clock.Now).Inbox(ctx, firm, i18n.Chinese, notice.Filter{}))
		if len(inbox.Items) != 2 {
			t.Errorf("the author got %d notices, want 2 (returned, approved)", len(inbox.Items))
		}
	})
}
