package demo

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/challenge"
	"kechuang/internal/directory"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// ChallengeDeps are the services the challenge demo writes through.
type ChallengeDeps struct {
	DB        *sqldb.DB
	Accounts  *account.Service
	Directory *directory.Service
	Projects  *project.Service
	Calendar  *workday.Calendar
	// Challenges is the app's service; the demo builds others on the same
	// database with earlier clocks, so that stages that wait for dates
	// (the 公示) lie in the past.
	Challenges *challenge.Service
}

// LoadChallenges adds the 揭榜挂帅 demo through the service, when there is
// none yet: two 评审专家 of the directory with accounts (reviewer1,
// reviewer2, created with password) and four challenges — a 企业榜 awaiting
// the staff's review, a 政府榜 open for applications, one in its 公示 with
// an objection, and one signed with its project in the project library.
// It returns how many challenges it added.
func LoadChallenges(ctx context.Context, d ChallengeDeps, password string, now time.Time) (int, error) {
	var n int
	if err := d.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM challenges").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	actor := func(username string) (account.Actor, error) {
		u, err := d.Accounts.GetUserByName(ctx, account.System, username)
		if err != nil {
			return account.Actor{}, fmt.Errorf("demo account %s: %w", username, err)
		}
		return account.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Region: u.RegionCode}, nil
	}
	staff, err := actor("staff")
	if err != nil {
		return 0, err
	}
	firm, err := actor("enterprise")
	if err != nil {
		return 0, err
	}
	other, err := demoUser(ctx, d.Accounts, "enterprise-320505", "苏州示例新材料有限公司（演示）", account.RoleEnterprise, "320505", password)
	if err != nil {
		return 0, err
	}
	var reviewers []account.Actor
	for i, r := range []struct{ name, org, region string }{
		{"高文（演示）", "苏州示例大学（演示）", "320505"}, {"蒋华（演示）", "苏州示例先进材料研究院（演示）", "320506"},
	} {
		a, err := demoUser(ctx, d.Accounts, fmt.Sprintf("reviewer%d", i+1), r.org, account.RoleInstitution, r.region, password)
		if err != nil {
			return 0, err
		}
		e, err := d.Directory.CreateExpert(ctx, staff, directory.ExpertInput{Name: r.name, Affiliation: r.org, Title: "教授",
			Disciplines: []string{"材料科学与工程"}, Research: "先进复合材料与储能材料", Roles: []string{challenge.ReviewerRole},
			RegionCode: r.region})
		if err != nil {
			return 0, fmt.Errorf("demo reviewer %s: %w", r.name, err)
		}
		if err := d.Directory.LinkExpertAccount(ctx, staff, e.ID, a.UserID); err != nil {
			return 0, fmt.Errorf("link demo reviewer %s: %w", r.name, err)
		}
		reviewers = append(reviewers, a)
	}
	at := func(days int) *challenge.Service {
		return challenge.NewService(challenge.Deps{DB: d.DB, Accounts: d.Accounts, Directory: d.Directory, Projects: d.Projects,
			Calendar: d.Calendar, Now: func() time.Time { return now.AddDate(0, 0, -days) }})
	}
	today := workday.DateOf(now)
	input := func(title, problem string, applyUntil workday.Date) challenge.Input {
		return challenge.Input{Title: title, Problem: problem, Field: "材料科学与工程", Budget: 800, PeriodMonths: 24,
			Indicators:   []string{"关键性能指标达到国际同类产品水平", "完成中试验证并形成不少于 3 项发明专利申请", "在本市企业实现示范应用"},
			Eligibility:  "在本市注册的企业、高校或科研院所，可牵头联合申报；近三年无严重失信记录。",
			IPTerms:      "攻关形成的知识产权归揭榜方所有，发榜方在本市范围内享有免费实施许可；向第三方转让须经发榜方同意。",
			PaymentTerms: "签约后拨付 30%，中期考核通过后拨付 40%，验收通过后拨付 30%；未通过验收的收回未拨付部分。",
			Criteria:     []challenge.Criterion{{Name: "技术先进性", Weight: 30}, {Name: "方案可行性", Weight: 30}, {Name: "团队能力", Weight: 20}, {Name: "经费合理性", Weight: 20}},
			ApplyUntil:   applyUntil}
	}
	app := func(org, lead string, from workday.Date) challenge.ApplicationInput {
		return challenge.ApplicationInput{OrgName: org, Proposal: "（演示）采用自主研发的工艺路线，分三阶段完成实验室验证、中试放大和示范应用，配套建立在线质量监测体系。",
			Team:   []challenge.Member{{Name: lead, Role: "项目负责人", Affiliation: org}, {Name: "示例工程师（演示）", Role: "工艺负责人", Affiliation: org}},
			Budget: 760, AcceptedTerms: true, Milestones: []challenge.Milestone{{Name: "实验室验证", Due: from.AddDays(120)},
				{Name: "中试放大", Due: from.AddDays(300)}, {Name: "示范应用与验收准备", Due: from.AddDays(600)}}}
	}
	steps := func(svc *challenge.Service, id int64, acts ...string) error {
		for _, act := range acts {
			if _, err := svc.Step(ctx, staff, id, act, challenge.StepInput{}); err != nil {
				return fmt.Errorf("demo challenge %d %s: %w", id, act, err)
			}
		}
		return nil
	}
	// review takes a challenge from its publication to the end of its
	// expert review on svc's clock, with two applications scored.
	review := func(svc *challenge.Service, title, problem string, start workday.Date) (challenge.Challenge, []challenge.Application, error) {
		c, err := svc.CreateChallenge(ctx, staff, input(title, problem, start.AddDays(20)))
		if err != nil {
			return c, nil, fmt.Errorf("demo challenge %s: %w", title, err)
		}
		if err := steps(svc, c.ID, challenge.ActSubmit, challenge.ActApprove); err != nil {
			return c, nil, err
		}
		var apps []challenge.Application
		for _, ap := range []struct {
			who       account.Actor
			org, lead string
		}{{firm, "昆山示例精密制造有限公司（演示）", "张示例（演示）"}, {other, "苏州示例新材料有限公司（演示）", "刘示例（演示）"}} {
			a, err := svc.CreateApplication(ctx, ap.who, c.ID, app(ap.org, ap.lead, today))
			if err != nil {
				return c, nil, fmt.Errorf("demo application to %s: %w", title, err)
			}
			apps = append(apps, a)
		}
		if err := steps(svc, c.ID, challenge.ActClose, challenge.ActScreen); err != nil {
			return c, nil, err
		}
		if _, err := svc.DrawPanel(ctx, staff, c.ID, 2); err != nil {
			return c, nil, fmt.Errorf("demo panel: %w", err)
		}
		for _, a := range apps {
			if _, err := svc.CheckApplication(ctx, staff, c.ID, a.ID, true, ""); err != nil {
				return c, nil, err
			}
		}
		if err := steps(svc, c.ID, challenge.ActReview); err != nil {
			return c, nil, err
		}
		for i, r := range reviewers {
			if _, err := svc.Declare(ctx, r, c.ID, false, ""); err != nil {
				return c, nil, fmt.Errorf("demo declaration: %w", err)
			}
			for j, a := range apps {
				s := float64(88 - 6*j - 2*i)
				if _, err := svc.SubmitScore(ctx, r, c.ID, challenge.ScoreInput{ApplicationID: a.ID, Scores: []float64{s, s + 2, s - 3, s},
					Comment: "（演示）方案完整，指标可达。"}); err != nil {
					return c, nil, fmt.Errorf("demo score: %w", err)
				}
			}
		}
		return c, apps, nil
	}

	added := 0
	// A 企业榜 awaiting the staff's review.
	ent, err := d.Challenges.CreateChallenge(ctx, firm, challenge.Input{Title: "精密主轴轴承寿命提升技术（演示）",
		Problem: "（演示）数控机床精密主轴轴承在高速工况下寿命不足 8000 小时，需提升至 15000 小时以上。", Field: "机械工程",
		Indicators: []string{"高速工况寿命不低于 15000 小时", "温升不超过 25℃"}, Budget: 200, PeriodMonths: 18,
		Eligibility: "具备轴承材料或热处理研发能力的高校、院所或企业。", IPTerms: "成果知识产权双方共有，发榜方享有优先实施权。",
		PaymentTerms: "签约后支付 50%，验收后支付 50%。", Criteria: []challenge.Criterion{{Name: "技术先进性", Weight: 40},
			{Name: "方案可行性", Weight: 40}, {Name: "经费合理性", Weight: 20}}, ApplyUntil: today.AddDays(45)})
	if err != nil {
		return added, fmt.Errorf("demo 企业榜: %w", err)
	}
	if _, err := d.Challenges.Step(ctx, firm, ent.ID, challenge.ActSubmit, challenge.StepInput{}); err != nil {
		return added, err
	}
	added++

	// A 政府榜 open for applications, with one application.
	open, err := d.Challenges.CreateChallenge(ctx, staff, input("新能源汽车动力电池热失控早期预警技术（演示）",
		"（演示）动力电池热失控从诱发到蔓延时间短，现有监测手段预警滞后，亟需在热失控发生前 10 分钟以上给出可靠预警。", today.AddDays(30)))
	if err != nil {
		return added, err
	}
	if err := steps(d.Challenges, open.ID, challenge.ActSubmit, challenge.ActApprove); err != nil {
		return added, err
	}
	if _, err := d.Challenges.CreateApplication(ctx, other, open.ID, app("苏州示例新材料有限公司（演示）", "刘示例（演示）", today)); err != nil {
		return added, err
	}
	added++

	// One in its 公示, opened today, with an objection.
	past := at(20)
	inNotice, apps, err := review(past, "高性能碳纤维复合材料快速成型技术（演示）",
		"（演示）汽车轻量化部件用碳纤维复合材料成型周期长、成本高，需将成型周期缩短至 5 分钟以内。", today.AddDays(-20))
	if err != nil {
		return added, err
	}
	if _, err := d.Challenges.Step(ctx, staff, inNotice.ID, challenge.ActNotice, challenge.StepInput{ApplicationID: apps[0].ID}); err != nil {
		return added, err
	}
	if err := d.Challenges.SubmitObjection(ctx, inNotice.ID, challenge.ObjectionInput{Name: "吴示例（演示）", Contact: "13800000011",
		Reason: "（演示）拟揭榜方的中试产线尚未建成，请核实其中试条件。"}, "demo"); err != nil {
		return added, fmt.Errorf("demo objection: %w", err)
	}
	added++

	// One signed after its 公示, with its project in the library.
	earlier := at(60)
	signed, apps, err := review(earlier, "固态电解质界面稳定性提升技术（演示）",
		"（演示）固态电池电解质与电极界面阻抗高、循环稳定性差，需在 1000 次循环后容量保持率不低于 85%。", today.AddDays(-60))
	if err != nil {
		return added, err
	}
	if _, err := at(40).Step(ctx, staff, signed.ID, challenge.ActNotice, challenge.StepInput{ApplicationID: apps[0].ID}); err != nil {
		return added, err
	}
	if _, err := d.Challenges.SignApplication(ctx, firm, signed.ID, apps[0].ID); err != nil {
		return added, fmt.Errorf("demo team signature: %w", err)
	}
	units, _, err := d.Projects.FindUnits(ctx, staff, project.UnitFilter{ForRegion: "320500", ActiveOnly: true, PerPage: 10})
	if err != nil || len(units) == 0 {
		return added, fmt.Errorf("demo unit for the signed challenge: %w (%d units)", err, len(units))
	}
	if _, err := d.Challenges.Step(ctx, staff, signed.ID, challenge.ActSign, challenge.StepInput{UnitID: units[0].ID}); err != nil {
		return added, fmt.Errorf("demo signing: %w", err)
	}
	return added + 1, nil
}

// demoUser returns the account named username, creating it with password
// when it does not exist.
func demoUser(ctx context.Context, accounts *account.Service, username, org string, role account.Role, region, password string) (account.Actor, error) {
	u, err := accounts.GetUserByName(ctx, account.System, username)
	if apperr.Is(err, apperr.NotFound) {
		u, err = accounts.CreateUser(ctx, account.System, account.NewUser{Username: username, DisplayName: org, Organization: org,
			Role: role, RegionCode: region, Password: password})
	}
	if err != nil {
		return account.Actor{}, fmt.Errorf("demo account %s: %w", username, err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Region: u.RegionCode}, nil
}
