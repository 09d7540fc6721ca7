package demo

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// LoadRounds adds two application rounds (申报批次) through the service: a
// 高新技术企业 round open for applications, with applicants at every stage
// of the county check and the city review, and a 科技型中小企业 round on
// public notice (公示) with one objection answered and one waiting. It
// adds nothing when rounds exist, and returns the applications added.
func LoadRounds(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *cultivation.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM rounds").Scan(&n); err != nil {
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
	staff, err := actorOf("staff")
	if err != nil {
		return 0, err
	}
	county, err := actorOf("county")
	if err != nil {
		return 0, err
	}
	firm, err := actorOf("enterprise")
	if err != nil {
		return 0, err
	}
	ks, _, err := svc.FindEnterprises(ctx, county, cultivation.EnterpriseFilter{PerPage: 200})
	if err != nil {
		return 0, err
	}
	all, _, err := svc.FindEnterprises(ctx, staff, cultivation.EnterpriseFilter{PerPage: 200})
	if err != nil {
		return 0, err
	}
	var others []cultivation.Enterprise
	for _, e := range all {
		if e.RegionCode != county.Region {
			others = append(others, e)
		}
	}
	today := workday.DateOf(now)
	added := 0
	// apply files an application; a firm the bar refuses (it holds the
	// certificate already) is skipped.
	apply := func(who account.Actor, roundID int64, e cultivation.Enterprise) (cultivation.Application, bool, error) {
		in := cultivation.ApplicationInput{EnterpriseID: e.ID, Statement: "企业承诺所填信息真实有效（演示）。",
			Evidence: []cultivation.Evidence{{Name: "营业执照副本", Ref: "档案 KS-2026-" + fmt.Sprint(e.ID)}}}
		if who.Role == account.RoleEnterprise {
			in.EnterpriseID = 0
		}
		app, err := svc.CreateApplication(ctx, who, roundID, in)
		if apperr.Is(err, apperr.Conflict) {
			return app, false, nil
		}
		if err != nil {
			return app, false, fmt.Errorf("demo application of %s: %w", e.Name, err)
		}
		added++
		return app, true, nil
	}
	full := cultivation.StepInput{Checklist: cultivation.Checklist{Complete: true, Consistent: true, Evidence: true}}
	type move struct {
		who  account.Actor
		step string
		in   cultivation.StepInput
	}
	walk := func(roundID, appID int64, moves ...move) error {
		for _, m := range moves {
			if _, err := svc.StepApplication(ctx, m.who, roundID, appID, m.step, m.in); err != nil {
				return fmt.Errorf("demo step %s: %w", m.step, err)
			}
		}
		return nil
	}
	recommend := move{county, cultivation.StepRecommend, full}
	accept := move{staff, cultivation.StepAccept, cultivation.StepInput{}}

	open, err := svc.CreateRound(ctx, staff, cultivation.RoundInput{RuleSet: "high-tech", Year: today.Year(),
		Title: fmt.Sprintf("%d年度高新技术企业认定（第二批）（演示）", today.Year()), Opens: today.AddDays(-20), Closes: today.AddDays(25),
		Levels: cultivation.LevelsCountyCityProvince})
	if err != nil {
		return 0, fmt.Errorf("demo round: %w", err)
	}
	// The 昆山 firms at every stage: the account's own firm applies itself
	// and waits for the county; the others the county enters.
	paths := [][]move{
		{},
		{recommend},
		{{county, cultivation.StepReturn, cultivation.StepInput{Reason: "缺少近三年研发费用专项审计报告（演示）"}}},
		{recommend, {staff, cultivation.StepSendBack, cultivation.StepInput{Reason: "高新技术产品收入占比口径与审计报告不一致，请区县复核（演示）"}}},
		{recommend, accept},
		{recommend, {staff, cultivation.StepReject, cultivation.StepInput{Reason: "知识产权与主要产品核心技术关联性不足（演示）"}}},
	}
	next := 0
	for _, e := range ks {
		if next >= len(paths) {
			break
		}
		who := county
		if e.AccountID == firm.UserID {
			who = firm
		}
		app, ok, err := apply(who, open.ID, e)
		if err != nil {
			return added, err
		}
		if !ok {
			continue
		}
		if err := walk(open.ID, app.ID, paths[next]...); err != nil {
			return added, err
		}
		next++
	}
	for _, e := range others[:min(3, len(others))] {
		if _, _, err := apply(staff, open.ID, e); err != nil {
			return added, err
		}
	}

	notice, err := svc.CreateRound(ctx, staff, cultivation.RoundInput{RuleSet: "tech-sme", Year: today.Year(),
		Title: fmt.Sprintf("%d年第四批科技型中小企业评价（演示）", today.Year()), Opens: today.AddDays(-40), Closes: today})
	if err != nil {
		return added, fmt.Errorf("demo round: %w", err)
	}
	var accepted []cultivation.Application
	for i, e := range ks {
		if len(accepted) == 3 {
			break
		}
		if e.AccountID == firm.UserID {
			continue
		}
		app, ok, err := apply(county, notice.ID, e)
		if err != nil {
			return added, err
		}
		if !ok {
			continue
		}
		if i%4 == 3 {
			if err := walk(notice.ID, app.ID, move{county, cultivation.StepReturn, cultivation.StepInput{Reason: "企业职工总数与社保缴纳人数不符（演示）"}}); err != nil {
				return added, err
			}
			continue
		}
		if err := walk(notice.ID, app.ID, recommend, accept); err != nil {
			return added, err
		}
		accepted = append(accepted, app)
	}
	if _, err := svc.StartNotice(ctx, staff, notice.ID); err != nil {
		return added, fmt.Errorf("demo notice: %w", err)
	}
	if len(accepted) > 0 {
		first, err := svc.SubmitObjection(ctx, cultivation.ObjectionInput{RoundID: notice.ID, ApplicationID: accepted[0].ID, Name: "刘先生（演示）",
			Contact: "0512-00000000", Reason: "该企业申报的研发人员中有两人同时在另一家企业缴纳社保。", Evidence: "社保缴纳记录截图两份"}, "demo")
		if err != nil {
			return added, fmt.Errorf("demo objection: %w", err)
		}
		if _, err := svc.AnswerObjection(ctx, staff, first.ID, "经区县核查，两人已于申报前办理社保转移，异议不成立（演示）。", false); err != nil {
			return added, fmt.Errorf("demo answer: %w", err)
		}
	}
	if _, err := svc.SubmitObjection(ctx, cultivation.ObjectionInput{RoundID: notice.ID, Name: "匿名群众（演示）", Contact: "demo@example.com",
		Reason: "希望公开各企业的研发投入占比，便于社会监督。"}, "demo"); err != nil {
		return added, fmt.Errorf("demo objection: %w", err)
	}
	return added, nil
}
