package cultivation_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

func calendar(t testing.TB) *workday.Calendar {
	t.Helper()
	c, err := workday.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNoticeUntilAcrossNationalDay counts 公示 periods over the 2026
// 中秋 and 国庆 holidays and their 调休 days by hand: from Monday 21
// September, 21–24 Sept are four days, 25–27 中秋, 28–30 three more, 1–7
// October 国庆, Thursday 8 and Friday 9, and Saturday 10 October is a
// 调休 working day, the tenth.
func TestNoticeUntilAcrossNationalDay(t *testing.T) {
	t.Parallel()
	cal := calendar(t)
	tests := []struct {
		name, from string
		days       int
		want       string
	}{
		{"ten days over 中秋 and 国庆, ending on a 调休 Saturday", "2026-09-21", 10, "2026-10-10"},
		{"one day starting on a working day ends that day", "2026-09-21", 1, "2026-09-21"},
		{"starting inside 国庆 counts from the 8th", "2026-10-02", 3, "2026-10-10"},
		{"starting on the 调休 Sunday 20 September counts it", "2026-09-20", 2, "2026-09-21"},
		{"an ordinary fortnight", "2026-11-02", 10, "2026-11-13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, official := cultivation.NoticeUntil(cal, workday.MustParseDate(tt.from), tt.days)
			if got.String() != tt.want || !official {
				t.Errorf("NoticeUntil(%s, %d) = %s, %v, want %s, true", tt.from, tt.days, got, official, tt.want)
			}
		})
	}
}

func TestFormatRegistryNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, format, region string
		seq                  int
		want                 string
	}{
		{"national default", cultivation.DefaultNumberFormat, "320583", 7, "20263205830007"},
		{"wider sequence", "{year}{region}{seq:6}", "320509", 12, "2026320509000012"},
		{"literal parts", "KX-{year}-{region}-{seq:3}", "320583", 1, "KX-2026-320583-001"},
		{"sequence longer than its width", "{year}{seq:2}", "320583", 123, "2026123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cultivation.FormatRegistryNumber(tt.format, 2026, tt.region, tt.seq); got != tt.want {
				t.Errorf("FormatRegistryNumber(%q, 2026, %s, %d) = %s, want %s", tt.format, tt.region, tt.seq, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"{year}{region}", "{seq}{seq}", "{year}/{seq}", "{seq:0}", "{yr}{seq}"} {
		in := cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026, Title: "t", Opens: workday.MustParseDate("2026-03-01"),
			Closes: workday.MustParseDate("2026-04-01"), NumberFormat: bad}
		err := in.Validate(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		if fe := apperr.As(err); fe == nil || len(fe.Fields) != 1 || fe.Fields[0].Field != "number_format" {
			t.Errorf("Validate(number_format %q) = %v, want an error on number_format alone", bad, err)
		}
	}
}

type moving struct {
	mu  sync.Mutex
	now time.Time
}

func (m *moving) Now() time.Time { m.mu.Lock(); defer m.mu.Unlock(); return m.now }
func (m *moving) Set(day string) { m.mu.Lock(); defer m.mu.Unlock(); m.now = at(day) }
func at(day string) time.Time    { return workday.MustParseDate(day).Start().Add(10 * time.Hour) }
func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != kind {
		t.Fatalf("%s = %v, want %s", what, err, kind)
	}
}

// TestRoundWorkflow walks a 科技型中小企业 round end to end: a firm applies
// itself and a county enters another; each county sees only its own
// applicants (another's is NotFound), the city reviews all; the notice
// runs ten working days over 国庆; an objection must be answered before
// the round closes; closing issues the registry number and writes the
// certificate, so that the firm stands at 科技型中小企业.
func TestRoundWorkflow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := &moving{now: at("2026-09-21")}
		rs := region.NewService(db)
		if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
			t.Fatal(err)
		}
		if err := rs.SetHomeRegion(ctx, audit.System, "320500"); err != nil {
			t.Fatal(err)
		}
		rules, err := cultivation.LoadRuleSets(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		svc := cultivation.NewService(db, rules, clock.Now)
		svc.UseCalendar(calendar(t))
		reg := &registryEnv{db: db, svc: svc, accounts: account.NewService(db, rs, account.Config{Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})}
		staff := reg.actor(t, "city", account.RoleStaff, "320500")
		ks := reg.actor(t, "ks", account.RoleCounty, "320583")
		wj := reg.actor(t, "wj", account.RoleCounty, "320509")
		owner := reg.actor(t, "firm-a", account.RoleEnterprise, "320583")
		firmA, err := svc.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1RND001"),
			Name: "昆山甲科技有限公司", RegionCode: "320583", Domain: "电子信息", AccountID: owner.UserID})
		if err != nil {
			t.Fatal(err)
		}
		firmB, err := svc.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode(t, "91320509MA1RND002"),
			Name: "吴江乙材料有限公司", RegionCode: "320509", Domain: "新材料"})
		if err != nil {
			t.Fatal(err)
		}

		_, err = svc.CreateRound(ctx, ks, cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026, Title: "x",
			Opens: workday.MustParseDate("2026-09-01"), Closes: workday.MustParseDate("2026-09-30")})
		wantKind(t, "CreateRound(county)", err, apperr.Forbidden)
		round, err := svc.CreateRound(ctx, staff, cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026, Title: "2026年第三批科技型中小企业评价",
			Opens: workday.MustParseDate("2026-09-01"), Closes: workday.MustParseDate("2026-09-30")})
		if err != nil {
			t.Fatal(err)
		}
		if round.NoticeDays != 10 || round.NumberFormat != cultivation.DefaultNumberFormat || round.State != cultivation.RoundOpen {
			t.Fatalf("CreateRound defaults = %d days, %q, %s", round.NoticeDays, round.NumberFormat, round.State)
		}

		appA, err := svc.CreateApplication(ctx, owner, round.ID, cultivation.ApplicationInput{
			Evidence: []cultivation.Evidence{{Name: "营业执照", Ref: "附件1"}}})
		if err != nil {
			t.Fatal(err)
		}
		if appA.EnterpriseID != firmA.ID || appA.State != cultivation.AppSubmitted || appA.RuleVersion == "" || len(appA.Assessment) == 0 {
			t.Fatalf("CreateApplication(firm) = %+v", appA)
		}
		_, err = svc.CreateApplication(ctx, owner, round.ID, cultivation.ApplicationInput{})
		wantKind(t, "CreateApplication twice", err, apperr.Conflict)
		_, err = svc.CreateApplication(ctx, owner, round.ID, cultivation.ApplicationInput{
			Evidence: []cultivation.Evidence{{Condition: "no-such-condition", Name: "x"}}})
		wantKind(t, "CreateApplication(unknown condition)", err, apperr.Invalid)
		_, err = svc.CreateApplication(ctx, ks, round.ID, cultivation.ApplicationInput{EnterpriseID: firmB.ID})
		wantKind(t, "CreateApplication(ks for a 吴江 firm)", err, apperr.Invalid)
		appB, err := svc.CreateApplication(ctx, wj, round.ID, cultivation.ApplicationInput{EnterpriseID: firmB.ID})
		if err != nil {
			t.Fatal(err)
		}

		for _, c := range []struct {
			who  account.Actor
			want int
		}{{ks, 1}, {wj, 1}, {staff, 2}, {owner, 1}} {
			list, total, err := svc.FindApplications(ctx, c.who, round.ID, cultivation.ApplicationFilter{})
			if err != nil || total != c.want || len(list) != c.want {
				t.Errorf("FindApplications(%s) = %d, %d, %v, want %d", c.who.Username, len(list), total, err, c.want)
			}
		}
		_, err = svc.GetApplication(ctx, ks, round.ID, appB.ID)
		wantKind(t, "GetApplication(ks, 吴江's)", err, apperr.NotFound)
		_, err = svc.StepApplication(ctx, ks, round.ID, appB.ID, cultivation.StepReturn, cultivation.StepInput{Reason: "x"})
		wantKind(t, "StepApplication(ks returns 吴江's)", err, apperr.NotFound)
		_, err = svc.StepApplication(ctx, staff, round.ID, appA.ID, cultivation.StepAccept, cultivation.StepInput{})
		wantKind(t, "accept before the county", err, apperr.Conflict)
		_, err = svc.StepApplication(ctx, ks, round.ID, appA.ID, cultivation.StepRecommend, cultivation.StepInput{
			Checklist: cultivation.Checklist{Complete: true, Consistent: true}})
		if fe := apperr.As(err); fe == nil || len(fe.Fields) != 1 || fe.Fields[0].Field != "checklist.evidence" {
			t.Fatalf("recommend with evidence unchecked = %v, want an error on checklist.evidence", err)
		}
		full := cultivation.Checklist{Complete: true, Consistent: true, Evidence: true}
		if _, err := svc.StepApplication(ctx, ks, round.ID, appA.ID, cultivation.StepRecommend, cultivation.StepInput{Checklist: full}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.StepApplication(ctx, wj, round.ID, appB.ID, cultivation.StepReturn, cultivation.StepInput{})
		wantKind(t, "return without a reason", err, apperr.Invalid)
		if _, err := svc.StepApplication(ctx, wj, round.ID, appB.ID, cultivation.StepRecommend, cultivation.StepInput{Checklist: full}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.StepApplication(ctx, ks, round.ID, appA.ID, cultivation.StepAccept, cultivation.StepInput{})
		wantKind(t, "accept by a county", err, apperr.Forbidden)
		if _, err := svc.StepApplication(ctx, staff, round.ID, appB.ID, cultivation.StepSendBack, cultivation.StepInput{Reason: "研发费用口径需核实"}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.StartNotice(ctx, staff, round.ID)
		wantKind(t, "StartNotice with applications pending", err, apperr.Conflict)
		if _, err := svc.StepApplication(ctx, wj, round.ID, appB.ID, cultivation.StepReturn, cultivation.StepInput{Reason: "材料不全"}); err != nil {
			t.Fatal(err)
		}
		accepted, err := svc.StepApplication(ctx, staff, round.ID, appA.ID, cultivation.StepAccept, cultivation.StepInput{})
		if err != nil || accepted.State != cultivation.AppAccepted {
			t.Fatalf("accept = %v, %v", accepted.State, err)
		}
		counts, err := svc.StageCounts(ctx, staff, round.ID)
		if err != nil || len(counts) != 2 || counts[0].RegionCode != "320509" || counts[0].States[cultivation.AppReturned] != 1 ||
			counts[1].States[cultivation.AppAccepted] != 1 {
			t.Errorf("StageCounts(city) = %+v, %v", counts, err)
		}

		_, err = svc.PublicNotice(ctx, round.ID)
		wantKind(t, "PublicNotice before the notice", err, apperr.NotFound)
		round, err = svc.StartNotice(ctx, staff, round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if round.NoticeFrom.String() != "2026-09-21" || round.NoticeUntil.String() != "2026-10-10" {
			t.Fatalf("StartNotice period = %s – %s, want 2026-09-21 – 2026-10-10", round.NoticeFrom, round.NoticeUntil)
		}
		pub, err := svc.PublicNotice(ctx, round.ID)
		if err != nil || len(pub.Firms) != 1 || pub.Firms[0].Name != firmA.Name || pub.Firms[0].County != "昆山市" || !pub.Open {
			t.Fatalf("PublicNotice = %+v, %v", pub, err)
		}

		_, err = svc.SubmitObjection(ctx, cultivation.ObjectionInput{RoundID: round.ID, ApplicationID: appB.ID, Name: "张三", Contact: "13800000000", Reason: "r"}, "c1")
		wantKind(t, "objection to a firm not on the notice", err, apperr.Invalid)
		obj, err := svc.SubmitObjection(ctx, cultivation.ObjectionInput{RoundID: round.ID, ApplicationID: appA.ID, Name: "张三",
			Contact: "13800000000", Reason: "研发人员人数与社保缴纳人数不符"}, "c1")
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if _, err := svc.SubmitObjection(ctx, cultivation.ObjectionInput{RoundID: round.ID, Name: "李四", Contact: "x", Reason: "重复"}, "c2"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.SubmitObjection(ctx, cultivation.ObjectionInput{RoundID: round.ID, Name: "李四", Contact: "x", Reason: "又一次"}, "c2"); err != nil {
			t.Fatalf("the third objection from one address in an hour = %v", err)
		}
		_, err = svc.SubmitObjection(ctx, cultivation.ObjectionInput{RoundID: round.ID, Name: "李四", Contact: "x", Reason: "第四次"}, "c2")
		wantKind(t, "the fourth objection from one address in an hour", err, apperr.TooMany)

		list, total, err := svc.FindObjections(ctx, ks, cultivation.ObjectionFilter{RoundID: round.ID})
		if err != nil || total != 1 || list[0].ID != obj.ID || list[0].Contact != "13800000000" {
			t.Fatalf("FindObjections(ks) = %+v, %d, %v, want the one about its firm", list, total, err)
		}
		_, _, err = svc.FindObjections(ctx, owner, cultivation.ObjectionFilter{})
		wantKind(t, "FindObjections(enterprise)", err, apperr.Forbidden)
		_, err = svc.AnswerObjection(ctx, wj, obj.ID, "x", false)
		wantKind(t, "AnswerObjection(吴江, about a 昆山 firm)", err, apperr.NotFound)

		clock.Set("2026-10-10")
		_, err = svc.CloseRound(ctx, staff, round.ID)
		wantKind(t, "CloseRound on the notice's last day", err, apperr.Conflict)
		clock.Set("2026-10-12")
		_, err = svc.CloseRound(ctx, staff, round.ID)
		if e := apperr.As(err); e == nil || e.Key != "round.objections_open" {
			t.Fatalf("CloseRound with objections open = %v, want round.objections_open", err)
		}
		all, _, err := svc.FindObjections(ctx, staff, cultivation.ObjectionFilter{RoundID: round.ID, Open: true})
		if err != nil || len(all) != 4 {
			t.Fatalf("FindObjections(open) = %d, %v, want 4", len(all), err)
		}
		for _, o := range all {
			if !o.CanAnswer {
				t.Fatalf("objection %d: CanAnswer false for the city", o.ID)
			}
			if _, err := svc.AnswerObjection(ctx, staff, o.ID, "经核查，社保缴纳人数与申报一致，异议不成立。", false); err != nil {
				t.Fatal(err)
			}
		}
		_, err = svc.AnswerObjection(ctx, staff, obj.ID, "again", false)
		wantKind(t, "answering twice", err, apperr.Conflict)
		round, err = svc.CloseRound(ctx, staff, round.ID)
		if err != nil || round.State != cultivation.RoundClosed {
			t.Fatalf("CloseRound = %s, %v", round.State, err)
		}
		got, err := svc.GetApplication(ctx, owner, round.ID, appA.ID)
		if err != nil || got.State != cultivation.AppRegistered || got.RegistryNumber != "20263205830001" {
			t.Fatalf("registered application = %s %q, %v, want registered 20263205830001", got.State, got.RegistryNumber, err)
		}
		e, err := svc.GetEnterprise(ctx, staff, firmA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(e.Certificates); n != 1 || e.Certificates[0].Number != "20263205830001" || e.Certificates[0].Type != "tech-sme" {
			t.Fatalf("certificates after closing = %+v", e.Certificates)
		}
		if tier := e.Standing(clock.Now()).Tier; tier != cultivation.TierTechSME {
			t.Errorf("standing after closing = %q, want %q", tier, cultivation.TierTechSME)
		}
		_, err = svc.CreateApplication(ctx, owner, round.ID, cultivation.ApplicationInput{})
		wantKind(t, "applying to a closed round", err, apperr.Conflict)

		inbox, err := notice.NewService(db, clock.Now).Inbox(ctx, owner, i18n.English, notice.Filter{PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(inbox.Items) != 5 { // applied, recommended, accepted, on notice, registered
			t.Errorf("firm's notices = %d, want 5: %+v", len(inbox.Items), inbox.Items)
		}
		var audits int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'round%'").Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if audits < 14 {
			t.Errorf("round audit rows = %d, want every step recorded", audits)
		}
		var buf bytes.Buffer
		if err := svc.ExportApplications(ctx, ks, round.ID, "", &buf); err != nil || buf.Len() == 0 {
			t.Errorf("ExportApplications = %d bytes, %v", buf.Len(), err)
		}
	})
}

// TestRoundPredicatesMatchTheRules checks, role by role, that each page
// predicate of the rounds is the rule its method enforces.
func TestRoundPredicatesMatchTheRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 9, 21, 9, 0, 0, 0, time.UTC))
		for i, role := range account.Roles {
			region := "320583"
			switch role {
			case account.RoleAdmin, account.RoleSecurity, account.RoleAuditor:
				region = ""
			case account.RoleStaff:
				region = "320500"
			}
			a := r.actor(t, fmt.Sprintf("u%d", i), role, region)
			forbidden := func(err error) bool { return apperr.Is(err, apperr.Forbidden) }
			_, _, err := r.svc.FindRounds(ctx, a, cultivation.RoundFilter{})
			check(t, role, "CanViewRounds", r.svc.CanViewRounds(a), !forbidden(err))
			_, err = r.svc.CreateRound(ctx, a, cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026, Title: "t",
				Opens: workday.MustParseDate("2026-09-01"), Closes: workday.MustParseDate("2026-09-30")})
			check(t, role, "CanCreateRound", r.svc.CanCreateRound(a), !forbidden(err))
			_, _, err = r.svc.FindObjections(ctx, a, cultivation.ObjectionFilter{})
			check(t, role, "CanViewObjections", r.svc.CanViewObjections(a), !forbidden(err))
		}
	})
}

// TestUpheldObjectionRejects: an objection staff uphold takes the firm off
// the notice (its application is rejected, with the answer as the reason)
// and closing the round registers nobody.
func TestUpheldObjectionRejects(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := &moving{now: at("2026-11-02")}
		r := newRegistry(t, db, clock.now)
		svc := cultivation.NewService(db, r.svc.Rules(), clock.Now)
		svc.UseCalendar(calendar(t))
		staff := r.actor(t, "city", account.RoleStaff, "320500")
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		firm, err := svc.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1RND003"),
			Name: "昆山丙电子有限公司", RegionCode: "320583"})
		if err != nil {
			t.Fatal(err)
		}
		round, err := svc.CreateRound(ctx, staff, cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026, Title: "第五批",
			Opens: workday.MustParseDate("2026-11-01"), Closes: workday.MustParseDate("2026-11-30"), NoticeDays: 5})
		if err != nil {
			t.Fatal(err)
		}
		app, err := svc.CreateApplication(ctx, ks, round.ID, cultivation.ApplicationInput{EnterpriseID: firm.ID})
		if err != nil {
			t.Fatal(err)
		}
		full := cultivation.StepInput{Checklist: cultivation.Checklist{Complete: true, Consistent: true, Evidence: true}}
		if _, err := svc.StepApplication(ctx, ks, round.ID, app.ID, cultivation.StepRecommend, full); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.StepApplication(ctx, staff, round.ID, app.ID, cultivation.StepAccept, cultivation.StepInput{}); err != nil {
			t.Fatal(err)
		}
		round, err = svc.StartNotice(ctx, staff, round.ID)
		if err != nil || round.NoticeUntil.String() != "2026-11-06" {
			t.Fatalf("StartNotice = %s, %v, want five working days to 2026-11-06", round.NoticeUntil, err)
		}
		o, err := svc.SubmitObjection(ctx, cultivation.ObjectionInput{RoundID: round.ID, ApplicationID: app.ID, Name: "张三", Contact: "x",
			Reason: "知识产权系申报前突击购买"}, "c")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AnswerObjection(ctx, staff, o.ID, "经核查属实，异议成立。", true); err != nil {
			t.Fatal(err)
		}
		got, err := svc.GetApplication(ctx, staff, round.ID, app.ID)
		if err != nil || got.State != cultivation.AppRejected || got.Reason != "经核查属实，异议成立。" {
			t.Fatalf("application after an upheld objection = %s %q, %v", got.State, got.Reason, err)
		}
		if n, err := svc.PublicNotice(ctx, round.ID); err != nil || len(n.Firms) != 0 {
			t.Fatalf("notice after an upheld objection = %+v, %v", n.Firms, err)
		}
		clock.Set("2026-11-09")
		if _, err := svc.CloseRound(ctx, staff, round.ID); err != nil {
			t.Fatal(err)
		}
		e, err := svc.GetEnterprise(ctx, staff, firm.ID)
		if err != nil || len(e.Certificates) != 0 {
			t.Fatalf("certificates of the rejected firm = %+v, %v", e.Certificates, err)
		}
	})
}

// TestSanctionsBarRounds: a blacklisted firm cannot apply, and a firm
// listed after it applied is stopped at the county's recommendation; the
// reason names the listing in the reader's language.
func TestSanctionsBarRounds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := &moving{now: at("2026-11-02")}
		r := newRegistry(t, db, clock.now)
		svc := cultivation.NewService(db, r.svc.Rules(), clock.Now)
		svc.UseCalendar(calendar(t))
		staff := r.actor(t, "city", account.RoleStaff, "320500")
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		listed, err := svc.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1RND004"),
			Name: "昆山丁电子有限公司", RegionCode: "320583"})
		if err != nil {
			t.Fatal(err)
		}
		later, err := svc.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1RND005"),
			Name: "昆山戊电子有限公司", RegionCode: "320583"})
		if err != nil {
			t.Fatal(err)
		}
		round, err := svc.CreateRound(ctx, staff, cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026, Title: "第六批",
			Opens: workday.MustParseDate("2026-11-01"), Closes: workday.MustParseDate("2026-11-30"), NoticeDays: 5})
		if err != nil {
			t.Fatal(err)
		}
		day := func(s string) cultivation.Date { return cultivation.Date{Time: workday.MustParseDate(s).Start()} }
		blacklist := func(id int64) {
			t.Helper()
			if _, err := svc.AddToBlacklist(ctx, staff, cultivation.BlacklistInput{EnterpriseID: id, Kind: "fraud", Reason: "伪造研发费用凭证",
				Document: "苏科高〔2026〕1号", StartsOn: day("2026-11-01"), EndsOn: day("2029-10-31")}); err != nil {
				t.Fatal(err)
			}
		}
		blacklist(listed.ID)
		_, err = svc.CreateApplication(ctx, ks, round.ID, cultivation.ApplicationInput{EnterpriseID: listed.ID})
		wantKind(t, "a blacklisted firm applies", err, apperr.Conflict)
		var ae *apperr.Error
		if !errors.As(err, &ae) || !strings.Contains(i18n.T(i18n.Chinese, ae.Key, ae.Args...), "弄虚作假") ||
			!strings.Contains(i18n.T(i18n.English, ae.Key, ae.Args...), "2029-10-31") || strings.Contains(i18n.T(i18n.English, ae.Key, ae.Args...), "弄虚作假") {
			t.Errorf("bar reason: %v", err)
		}
		app, err := svc.CreateApplication(ctx, ks, round.ID, cultivation.ApplicationInput{EnterpriseID: later.ID})
		if err != nil {
			t.Fatal(err)
		}
		blacklist(later.ID)
		full := cultivation.StepInput{Checklist: cultivation.Checklist{Complete: true, Consistent: true, Evidence: true}}
		_, err = svc.StepApplication(ctx, ks, round.ID, app.ID, cultivation.StepRecommend, full)
		wantKind(t, "recommending a firm listed after it applied", err, apperr.Conflict)
		if got, err := svc.GetApplication(ctx, ks, round.ID, app.ID); err != nil || got.State != cultivation.AppSubmitted {
			t.Errorf("application after the refused recommendation: %s, %v", got.State, err)
		}
	})
}

// TestSpotCheckFromRound: a spot check may draw from the firms a round
// accepted; a round of another rule set, or a round and a list at once,
// is refused on round_id.
func TestSpotCheckFromRound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := &moving{now: at("2026-11-02")}
		r := newRegistry(t, db, clock.now)
		svc := cultivation.NewService(db, r.svc.Rules(), clock.Now)
		svc.UseCalendar(calendar(t))
		staff := r.actor(t, "city", account.RoleStaff, "320500")
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		round, err := svc.CreateRound(ctx, staff, cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026, Title: "第七批",
			Opens: workday.MustParseDate("2026-11-01"), Closes: workday.MustParseDate("2026-11-30"), NoticeDays: 5})
		if err != nil {
			t.Fatal(err)
		}
		full := cultivation.StepInput{Checklist: cultivation.Checklist{Complete: true, Consistent: true, Evidence: true}}
		var accepted []int64
		for i, code := range []string{"91320583MA1RND006", "91320583MA1RND007", "91320583MA1RND008"} {
			e, err := svc.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode(t, code),
				Name: fmt.Sprintf("昆山抽查%d号有限公司", i), RegionCode: "320583"})
			if err != nil {
				t.Fatal(err)
			}
			app, err := svc.CreateApplication(ctx, ks, round.ID, cultivation.ApplicationInput{EnterpriseID: e.ID})
			if err != nil {
				t.Fatal(err)
			}
			if i == 2 {
				continue // left waiting for the county: not in the population
			}
			if _, err := svc.StepApplication(ctx, ks, round.ID, app.ID, cultivation.StepRecommend, full); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.StepApplication(ctx, staff, round.ID, app.ID, cultivation.StepAccept, cultivation.StepInput{}); err != nil {
				t.Fatal(err)
			}
			accepted = append(accepted, e.ID)
		}
		seed := int64(7)
		c, err := svc.CreateSpotCheck(ctx, staff, cultivation.SpotCheckInput{Title: "第七批抽查", RuleSet: "tech-sme", ShareBP: 10000,
			Seed: &seed, RoundID: round.ID})
		if err != nil {
			t.Fatal(err)
		}
		if c.Source != cultivation.SourceRound || len(c.Firms) != 2 {
			t.Fatalf("draw from the round: source %s, %d firms; want round, 2", c.Source, len(c.Firms))
		}
		for _, f := range c.Firms {
			if !slices.Contains(accepted, f.EnterpriseID) {
				t.Errorf("drawn firm %d was not accepted in the round", f.EnterpriseID)
			}
		}
		for name, in := range map[string]cultivation.SpotCheckInput{
			"another rule set": {Title: "错类别", RuleSet: "high-tech", ShareBP: 500, RoundID: round.ID},
			"round and list":   {Title: "两种范围", RuleSet: "tech-sme", ShareBP: 500, RoundID: round.ID, EnterpriseIDs: accepted},
			"unknown round":    {Title: "无此批次", RuleSet: "tech-sme", ShareBP: 500, RoundID: round.ID + 100},
		} {
			_, err := svc.CreateSpotCheck(ctx, staff, in)
			var ae *apperr.Error
			if !errors.As(err, &ae) || len(ae.Fields) != 1 || ae.Fields[0].Field != "round_id" {
				t.Errorf("%s: %v, want an error on round_id", name, err)
			}
		}
	})
}
