package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// demoProject is one invented project of the demo: where it stands and
// how its milestones lie around today, which decide its light.
type demoProject struct {
	typ, name, county string
	total, annual     float64
	// done milestones lie in the past; the next one is due in nextDue days
	// (negative: overdue); the rest follow two months apart.
	done, nextDue int
	// stage is how far the project goes: planning, review, stocked,
	// implementing or exited.
	stage project.Stage
	// report files this month's report at this share of the plan to date
	// (0: none).
	report float64
}

var demoProjects = []demoProject{
	{"investment", "昆山新能源汽车电驱系统生产基地（演示）", "320583", 32000, 12000, 2, 45, project.Implementing, 1.05},
	{"major-construction", "昆山高端装备产业园标准厂房（演示）", "320583", 58000, 20000, 3, 7, project.Implementing, 1.0},
	{"central-local", "昆山央地共建工业软件创新中心（演示）", "320583", 15000, 5000, 1, -20, project.Stocked, 0},
	{"sci-tech-plan", "昆山第三代半导体关键材料攻关（演示）", "320583", 3000, 1200, 1, 60, project.Stocked, 0},
	{"investment", "昆山光伏组件智能工厂（演示）", "320583", 26000, 9000, 3, 40, project.Implementing, 0.5},
	{"investment", "昆山跨境电商物流枢纽（演示）", "320583", 8000, 3000, 0, 30, project.Exited, 0},
	{"major-construction", "吴江汾湖高新区综合管廊（演示）", "320509", 45000, 15000, 0, 30, project.Review, 0},
	{"investment", "张家港氢能装备制造项目（演示）", "320582", 20000, 8000, 0, 20, project.Planning, 0},
	{"challenge", "常熟高性能碳纤维复合材料揭榜项目（演示）", "320581", 2000, 800, 0, 30, project.Planning, 0},
	{"sci-tech-plan", "太仓航空零部件精密加工技术研究（演示）", "320585", 1500, 600, 0, 45, project.Review, 0},
	{"central-local", "苏州工业园区央企研发总部合作（演示）", "320576", 30000, 10000, 0, 90, project.Review, 0},
}

// LoadProjects adds the demo's project library when it is empty: units of
// the city and some counties, projects of every type marked （演示） in
// several stages, milestones around today, this month's reports, lights of
// all three colours (after a sweep), 督办 orders at each step, service
// requests from the demo enterprise and some products. Everything goes
// through the service, as the demo's staff, county and enterprise accounts.
// It returns how many projects it added.
func LoadProjects(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *project.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM projects").Scan(&n); err != nil {
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
	// One unit per county the demo uses, the city's commerce bureau, and
	// the demo county user acting for 昆山's.
	units := map[string]project.Unit{}
	for _, c := range []struct{ code, name string }{
		{"320500", "苏州市商务局（演示）"}, {"320583", "昆山市发展和改革委员会（演示）"}, {"320509", "吴江区发展和改革委员会（演示）"},
		{"320582", "张家港市商务局（演示）"}, {"320581", "常熟市科学技术局（演示）"}, {"320585", "太仓市科学技术局（演示）"},
		{"320576", "苏州工业园区经济发展委员会（演示）"},
	} {
		u, err := svc.CreateUnit(ctx, staff, project.UnitInput{RegionCode: c.code, Name: c.name})
		if err != nil {
			return 0, fmt.Errorf("demo unit %s: %w", c.name, err)
		}
		units[c.code] = u
	}
	if err := svc.AddUnitMember(ctx, staff, units["320583"].ID, county.UserID); err != nil {
		return 0, fmt.Errorf("demo unit member: %w", err)
	}

	today := workday.DateOf(now)
	added := 0
	var red, yellow project.Project
	for _, d := range demoProjects {
		ty, ok := svc.Types().Get(d.typ)
		if !ok {
			return added, fmt.Errorf("demo project type %s not shipped", d.typ)
		}
		var ms []project.MilestoneInput
		for i, node := range ty.Nodes {
			var at workday.Date
			switch {
			case i < d.done:
				at = today.AddDays(-30 * (d.done - i))
			default:
				at = today.AddDays(d.nextDue + 60*(i-d.done))
			}
			ms = append(ms, project.MilestoneInput{Name: node.Name, PlannedDate: at, Owner: units[d.county].Name})
		}
		start, end := ms[0].PlannedDate, ms[len(ms)-1].PlannedDate
		if d.done == 0 && d.nextDue > 0 {
			start = today
		}
		// The plan starts on the first of a month, so that the plan to date
		// is whole months.
		start = workday.NewDate(start.Year(), start.Month(), 1)
		in := project.ProjectInput{Type: d.typ, Name: d.name, RegionCode: d.county, UnitID: units[d.county].ID,
			LeadName: "分管副市长（演示）", Team: []project.TeamMember{{Name: "项目专员（演示）", Title: "专班联络员", Phone: "0512-12345678"}},
			TotalInvestment: d.total, AnnualInvestment: d.annual, PlannedStart: start, PlannedEnd: end,
			Description: "演示项目：" + ty.Name + "，数据为虚构。", Milestones: ms}
		p, err := svc.CreateProject(ctx, staff, in)
		if err != nil {
			return added, fmt.Errorf("demo project %s: %w", d.name, err)
		}
		added++
		saved, err := svc.Milestones(ctx, staff, p.ID)
		if err != nil {
			return added, err
		}
		for _, m := range saved[:d.done] {
			if _, err := svc.CompleteMilestone(ctx, staff, m.ID, project.MilestoneCompletion{ActualDate: m.PlannedDate,
				Evidence: []project.Evidence{}, Note: "按期完成（演示）"}); err != nil {
				return added, fmt.Errorf("demo milestone %s: %w", m.Name, err)
			}
		}
		// 昆山's county user asks and the city's staff decides; elsewhere the
		// city's staff asks, and the county has not decided yet.
		var steps []struct {
			who account.Actor
			act string
		}
		asker, decider := staff, staff
		if d.county == "320583" {
			asker = county
		}
		switch d.stage {
		case project.Review:
			steps = append(steps, struct {
				who account.Actor
				act string
			}{asker, project.ActSubmit})
		case project.Stocked, project.Implementing, project.Exited:
			for _, st := range []struct {
				who account.Actor
				act string
			}{{asker, project.ActSubmit}, {decider, project.ActApprove}} {
				steps = append(steps, st)
			}
			if d.stage == project.Implementing {
				steps = append(steps, struct {
					who account.Actor
					act string
				}{asker, project.ActStart})
			}
			if d.stage == project.Exited {
				steps = append(steps, struct {
					who account.Actor
					act string
				}{asker, project.ActExit})
			}
		}
		for _, st := range steps {
			note := ""
			if st.act == project.ActExit {
				note = "企业投资意向调整，项目退出（演示）"
			}
			if p, err = svc.Transition(ctx, st.who, p.ID, st.act, note); err != nil {
				return added, fmt.Errorf("demo project %s %s: %w", d.name, st.act, err)
			}
		}
		if d.report > 0 {
			month := monthOf(today)
			inv := math.Round(planToDate(p, today)*d.report*100) / 100
			total := inv * 1.5
			if _, err := svc.SubmitReport(ctx, county, p.ID, project.ReportInput{Month: month, InvestmentMonth: inv,
				InvestmentTotal: &total, Progress: "主体工程按计划推进（演示）", NextPlan: "完成设备招标（演示）",
				Problems: []project.Problem{{Category: project.CatLand, Text: "二期用地指标待落实（演示）"}}}); err != nil {
				return added, fmt.Errorf("demo report %s: %w", d.name, err)
			}
		}
		switch {
		case d.nextDue < 0 && red.ID == 0:
			red = p
		case d.nextDue > 0 && d.nextDue <= 15 && yellow.ID == 0:
			yellow = p
		}
	}
	if _, err := svc.Sweep(ctx); err != nil {
		return added, fmt.Errorf("demo light sweep: %w", err)
	}

	// 督办: one open at the top level, one replied, one closed.
	deadline := today.AddDays(10)
	open := func(p project.Project, level project.Level, problem string) (project.Supervision, error) {
		return svc.OpenSupervision(ctx, staff, project.SupervisionInput{Target: project.TargetProject, ProjectID: p.ID,
			Problem: problem, ActionRequired: "十日内报送整改措施和完成时限（演示）", Deadline: deadline, Level: level})
	}
	if red.ID != 0 {
		if _, err := open(red, project.LevelListed, "节点严重滞后，挂牌督办（演示）"); err != nil {
			return added, fmt.Errorf("demo supervision: %w", err)
		}
		v, err := open(red, project.LevelKey, "协议签署延期，需说明原因（演示）")
		if err != nil {
			return added, fmt.Errorf("demo supervision: %w", err)
		}
		if _, err := svc.ReplySupervision(ctx, county, v.ID, project.SupervisionReply{Progress: "已召开专班会议，协议文本已定稿（演示）",
			Evidence: []project.Evidence{}}); err != nil {
			return added, fmt.Errorf("demo supervision reply: %w", err)
		}
	}
	if yellow.ID != 0 {
		v, err := open(yellow, project.LevelGeneral, "施工许可节点临近，请提前协调（演示）")
		if err != nil {
			return added, fmt.Errorf("demo supervision: %w", err)
		}
		if _, err := svc.ReplySupervision(ctx, county, v.ID, project.SupervisionReply{Progress: "材料已报审批局（演示）",
			Evidence: []project.Evidence{}}); err != nil {
			return added, fmt.Errorf("demo supervision reply: %w", err)
		}
		if _, err := svc.AcceptSupervision(ctx, staff, v.ID, "整改到位，予以办结（演示）"); err != nil {
			return added, fmt.Errorf("demo supervision accept: %w", err)
		}
	}

	// 一企一策: the demo enterprise's requests at each step, and products.
	var firmID int64
	err = db.QueryRowContext(ctx, "SELECT id FROM enterprises WHERE account_id = ? ORDER BY id LIMIT 1", firm.UserID).Scan(&firmID)
	if sqldb.IsNoRows(err) {
		return added, nil // no demo registry: nothing to ask for
	}
	if err != nil {
		return added, err
	}
	reqs := []project.RequestInput{
		{EnterpriseID: firmID, Category: project.CatPower, Title: "新厂房双回路供电接入（演示）", Description: "新建厂房需双回路供电，请协调供电公司加快接入。"},
		{EnterpriseID: firmID, Category: project.CatTalent, Title: "高层次人才子女入学（演示）", Description: "引进的两名研发骨干子女需就近入学。"},
		{EnterpriseID: firmID, Category: project.CatPolicy, Title: "研发费用加计扣除政策咨询（演示）", Description: "希望了解今年研发费用加计扣除的申报口径。"},
	}
	for i, in := range reqs {
		r, err := svc.SubmitRequest(ctx, firm, in)
		if err != nil {
			return added, fmt.Errorf("demo request %s: %w", in.Title, err)
		}
		if i == 0 {
			continue // waits for assignment
		}
		if r, err = svc.AssignRequest(ctx, staff, r.ID, units["320583"].ID, "请昆山市发改委牵头办理（演示）"); err != nil {
			return added, fmt.Errorf("demo request assign: %w", err)
		}
		if i == 1 {
			continue
		}
		if _, err = svc.RespondRequest(ctx, county, r.ID, "已受理，正在对接税务部门（演示）"); err != nil {
			return added, fmt.Errorf("demo request respond: %w", err)
		}
		if _, err = svc.ResolveRequest(ctx, county, r.ID, "已组织政策辅导并提供申报指引（演示）"); err != nil {
			return added, fmt.Errorf("demo request resolve: %w", err)
		}
		if _, err = svc.ConfirmRequest(ctx, firm, r.ID, 5, "响应及时，解答清楚（演示）"); err != nil {
			return added, fmt.Errorf("demo request confirm: %w", err)
		}
	}
	share := 12.5
	for _, pi := range []project.ProductInput{
		{EnterpriseID: firmID, Name: "精密减速器（演示）", Category: "核心零部件", Specification: "RV-40E", Capacity: "年产5万台", MarketShare: &share},
		{EnterpriseID: firmID, Name: "伺服电机（演示）", Category: "核心零部件", Specification: "1.5kW", Capacity: "年产8万台"},
	} {
		if _, err := svc.CreateProduct(ctx, staff, pi); err != nil {
			return added, fmt.Errorf("demo product %s: %w", pi.Name, err)
		}
	}
	if err := loadKeyLibrary(ctx, db, svc, staff, firmID); err != nil {
		return added, err
	}
	return added, nil
}

// loadKeyLibrary marks the demo enterprise and the first registry firm of
// each demo county as key by hand, and saves two filters: the city's
// firms close to 高企 and 昆山's innovative SMEs.
func loadKeyLibrary(ctx context.Context, db *sqldb.DB, svc *project.Service, staff account.Actor, firmID int64) error {
	ids := []int64{firmID}
	rows, err := db.QueryContext(ctx, `SELECT MIN(id) FROM enterprises WHERE region_code LIKE '3205%' GROUP BY region_code ORDER BY region_code`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		if id != firmID {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := svc.SetKeyEnterprise(ctx, staff, id, true); err != nil {
			return fmt.Errorf("demo key enterprise %d: %w", id, err)
		}
	}
	for _, in := range []project.KeyFilterInput{
		{RegionCode: "320500", Name: "高企培育后备（演示）", Criteria: project.KeyCriteria{NearRuleSet: "high-tech", NearGaps: 2}},
		{RegionCode: "320500", Name: "昆山创新型中小企业（演示）", Criteria: project.KeyCriteria{Region: "320583", Tier: cultivation.TierInnovative}},
	} {
		if _, err := svc.SaveKeyFilter(ctx, staff, 0, in); err != nil {
			return fmt.Errorf("demo key filter %s: %w", in.Name, err)
		}
	}
	return nil
}

func monthOf(d workday.Date) string { return d.String()[:7] }

// planToDate is the share of p's annual plan due by the end of today's
// month, as the light rules measure it (spread evenly over the plan's
// months of the year).
func planToDate(p project.Project, today workday.Date) float64 {
	y := today.Year()
	startM, endM := 1, 12
	if p.PlannedStart.Year() == y {
		startM = int(p.PlannedStart.Month())
	}
	if p.PlannedEnd.Year() == y {
		endM = int(p.PlannedEnd.Month())
	}
	if endM < startM {
		return 0
	}
	k := min(int(today.Month()), endM) - startM + 1
	return p.AnnualInvestment * float64(k) / float64(endM-startM+1)
}
