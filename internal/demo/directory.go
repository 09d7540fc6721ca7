package demo

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

// The directory's demo. The universities and institutes are real public
// institutions of 苏州 with their public facts (name, kind, county, fields);
// their platforms are described only by kind and field, and everything
// about people and money — experts, carriers, tenants, service
// organisations, funds and portfolios — is invented and marked （演示）.

type demoInstitution struct {
	in        directory.InstitutionInput
	platforms []directory.PlatformInput
}

var demoInstitutions = []demoInstitution{
	{in: directory.InstitutionInput{Name: "苏州大学", Type: "university", Level: "provincial", RegionCode: "320508",
		Disciplines: []string{"材料科学与工程", "化学/化学工程与技术", "基础医学/临床医学", "纺织科学与工程"},
		Domains:     []string{"新材料", "生物与新医药", "电子信息"}, Website: "https://www.suda.edu.cn",
		TTO: "苏州大学技术转移中心", Summary: "江苏省属重点综合性大学，国家“双一流”建设高校。"},
		platforms: []directory.PlatformInput{
			{Name: "功能纳米与软物质研究平台（演示）", Kind: "key-lab", Level: "national", Domain: "新材料", Services: []string{"材料表征", "联合研发"}},
			{Name: "纺织新材料工程技术研究中心（演示）", Kind: "engineering-center", Level: "provincial", Domain: "新材料", Services: []string{"中试验证"}},
		}},
	{in: directory.InstitutionInput{Name: "中国科学院苏州纳米技术与纳米仿生研究所", Type: "institute", Level: "central", RegionCode: "320576",
		Disciplines: []string{"材料科学与工程", "电子科学与技术"}, Domains: []string{"新材料", "电子信息"},
		Website: "http://www.sinano.ac.cn", Summary: "中国科学院直属研究所，聚焦纳米科学与技术。"},
		platforms: []directory.PlatformInput{
			{Name: "纳米加工公共平台（演示）", Kind: "testing", Level: "provincial", Domain: "电子信息", Services: []string{"微纳加工", "测试分析"}},
		}},
	{in: directory.InstitutionInput{Name: "西交利物浦大学", Type: "university", Level: "private", RegionCode: "320576",
		Disciplines: []string{"控制科学与工程", "土木工程"}, Domains: []string{"电子信息", "高技术服务"},
		Website: "https://www.xjtlu.edu.cn", Summary: "西安交通大学与英国利物浦大学合作创办的国际大学。"}},
	{in: directory.InstitutionInput{Name: "苏州科技大学", Type: "university", Level: "provincial", RegionCode: "320505",
		Disciplines: []string{"土木工程", "环境科学与工程", "建筑学"}, Domains: []string{"资源与环境"},
		Website: "https://www.usts.edu.cn", Summary: "江苏省属高校，以城市建设与环境学科见长。"},
		platforms: []directory.PlatformInput{
			{Name: "城市水环境治理工程技术研究中心（演示）", Kind: "engineering-center", Level: "municipal", Domain: "资源与环境", Services: []string{"水质检测"}},
		}},
	{in: directory.InstitutionInput{Name: "常熟理工学院", Type: "university", Level: "provincial", RegionCode: "320581",
		Disciplines: []string{"机械工程", "电气工程"}, Domains: []string{"先进制造与自动化"},
		Website: "https://www.cslg.edu.cn", Summary: "江苏省属应用型本科高校。"}},
	{in: directory.InstitutionInput{Name: "中国科学院苏州生物医学工程技术研究所", Type: "institute", Level: "central", RegionCode: "320505",
		Disciplines: []string{"基础医学/临床医学", "光学工程"}, Domains: []string{"生物与新医药"},
		Website: "http://www.sibet.ac.cn", Summary: "中国科学院直属研究所，从事生物医学仪器与技术研究。"}},
	// The demo institution account (陈老师) acts for this invented one.
	{in: directory.InstitutionInput{Name: "苏州示例大学（演示）", Type: "university", Level: "municipal", RegionCode: "320505",
		Disciplines: []string{"计算机科学与技术", "机械工程"}, Domains: []string{"电子信息", "先进制造与自动化"},
		TTO: "苏州示例大学技术转移中心（演示）", Summary: "演示用的虚构高校。",
		Contact: directory.Contact{Name: "陈老师（演示）", Phone: "0512-00000000", Email: "tto@example.edu.cn"}},
		platforms: []directory.PlatformInput{
			{Name: "智能装备中试基地（演示）", Kind: "pilot-base", Level: "municipal", Domain: "先进制造与自动化", Services: []string{"样机试制", "可靠性测试"}},
		}},
}

type demoExpert struct {
	institution string // name of a demo institution
	in          directory.ExpertInput
	// consent is the fields the expert consented to show; nil records
	// none, so that the profile stays private.
	consent []string
}

var allPublic = []string{directory.FieldName, directory.FieldInstitution, directory.FieldTitle, directory.FieldDisciplines,
	directory.FieldResearch, directory.FieldKeywords, directory.FieldAchievements, directory.FieldPatents,
	directory.FieldRoles, directory.FieldRegion}

var demoExperts = []demoExpert{
	{"苏州大学", directory.ExpertInput{Name: "林晓岚（演示）", Title: "教授", Disciplines: []string{"材料科学与工程"},
		Research: "柔性电子材料与可穿戴传感器的制备与应用。", Keywords: []string{"柔性电子", "传感器"},
		Achievements: []string{"柔性压力传感器制备方法（演示）"}, Roles: []string{"reviewer", "mentor"},
		Contact: &directory.ExpertContact{Phone: "13800000001", Email: "lin.demo@example.edu.cn"}}, allPublic},
	{"苏州大学", directory.ExpertInput{Name: "周立恒（演示）", Title: "研究员", Disciplines: []string{"基础医学/临床医学"},
		Research: "肿瘤早筛的分子诊断技术。", Keywords: []string{"分子诊断"}, Roles: []string{"reviewer"},
		Contact: &directory.ExpertContact{Phone: "13800000002"}},
		[]string{directory.FieldName, directory.FieldInstitution, directory.FieldTitle, directory.FieldRoles}},
	{"中国科学院苏州纳米技术与纳米仿生研究所", directory.ExpertInput{Name: "顾明哲（演示）", Title: "研究员",
		Disciplines: []string{"电子科学与技术"}, Research: "氮化镓功率器件与微纳加工工艺。", Keywords: []string{"氮化镓", "功率器件"},
		Patents: []string{"一种氮化镓器件的制备方法（演示）"}, Roles: []string{"reviewer", "commissioner"},
		Contact: &directory.ExpertContact{Phone: "13800000003", Email: "gu.demo@example.ac.cn"}}, allPublic},
	{"西交利物浦大学", directory.ExpertInput{Name: "沈佳怡（演示）", Title: "副教授", Disciplines: []string{"控制科学与工程"},
		Research: "工业机器人视觉引导与智能控制。", Keywords: []string{"机器视觉", "机器人"}, Roles: []string{"mentor"},
		Contact: &directory.ExpertContact{Email: "shen.demo@example.edu.cn"}}, allPublic},
	{"苏州科技大学", directory.ExpertInput{Name: "钱志远（演示）", Title: "教授", Disciplines: []string{"环境科学与工程"},
		Research: "城市污水深度处理与资源化。", Keywords: []string{"污水处理"}, Roles: []string{"commissioner"},
		Contact: &directory.ExpertContact{Phone: "13800000005"}}, allPublic},
	{"常熟理工学院", directory.ExpertInput{Name: "陆文涛（演示）", Title: "副教授", Disciplines: []string{"机械工程"},
		Research: "汽车零部件精密成形。", Keywords: []string{"精密成形"}, Roles: []string{"commissioner", "reviewer"},
		Contact: &directory.ExpertContact{Phone: "13800000006"}}, allPublic},
	{"苏州示例大学（演示）", directory.ExpertInput{Name: "吴思远（演示）", Title: "讲师", Disciplines: []string{"计算机科学与技术"},
		Research: "工业互联网平台的数据治理。", Keywords: []string{"工业互联网"}, Roles: []string{"mentor"},
		Contact: &directory.ExpertContact{Phone: "13800000007"}}, allPublic},
	// No consent recorded: only staff and the institution see this one.
	{"苏州示例大学（演示）", directory.ExpertInput{Name: "郑可欣（演示）", Title: "副研究员", Disciplines: []string{"机械工程"},
		Research: "增材制造工艺优化。", Roles: []string{"reviewer"},
		Contact: &directory.ExpertContact{Phone: "13800000008"}}, nil},
}

var demoServiceOrgs = []directory.ServiceOrgInput{
	{Name: "苏州示例技术转移服务有限公司（演示）", Type: "tech-transfer", RegionCode: "320508",
		Services: []string{"技术评估", "成果对接", "技术合同登记辅导"}, Fields: []string{"电子信息", "新材料"},
		Qualifications: []string{"技术转移示范机构（演示）"}, Summary: "演示用的虚构技术转移机构。"},
	{Name: "昆山示例知识产权代理事务所（演示）", Type: "ip", RegionCode: "320583",
		Services: []string{"专利申请", "专利导航"}, Fields: []string{"先进制造与自动化"}},
	{Name: "苏州示例检测认证中心（演示）", Type: "testing", RegionCode: "320576",
		Services: []string{"材料检测", "电磁兼容测试"}, Fields: []string{"新材料", "电子信息"},
		Qualifications: []string{"CMA（演示）", "CNAS（演示）"}},
	{Name: "吴江示例科技咨询有限公司（演示）", Type: "consulting", RegionCode: "320509",
		Services: []string{"高企申报辅导", "研发费用归集"}},
}

type demoTenant struct {
	name     string
	code     string // 17 characters; the check character is added
	entered  int    // months before now
	exited   int    // months before now, 0 for a current tenant
	reason   string
	nextKind string
	space    directory.Space
}

type demoCarrier struct {
	in      directory.CarrierInput
	tenants []demoTenant
}

var demoCarriers = []demoCarrier{
	{in: directory.CarrierInput{Name: "昆山示例众创空间（演示）", Kind: "maker-space", Level: "provincial", Operator: "昆山示例创业服务有限公司（演示）",
		Capacity: directory.Space{Stations: 120, Area: 1500}, RegionCode: "320583", Summary: "演示用的虚构众创空间。"},
		tenants: []demoTenant{
			{"昆山示例智能硬件团队（演示）", "", 10, 0, "", "", directory.Space{Stations: 12}},
			{"昆山示例医疗器械有限公司（演示）", "91320583DEMO00101", 20, 0, "", "", directory.Space{Stations: 20}},
			{"昆山示例软件有限公司（演示）", "91320583DEMO00102", 30, 4, "graduated", "incubator", directory.Space{Stations: 15}},
			{"昆山示例新材料团队（演示）", "", 16, 2, "closed", "", directory.Space{Stations: 6}},
		}},
	{in: directory.CarrierInput{Name: "苏州示例科技企业孵化器（演示）", Kind: "incubator", Level: "national", Operator: "苏州示例孵化管理有限公司（演示）",
		Capacity: directory.Space{Rooms: 60, Area: 20000}, RegionCode: "320505", Summary: "演示用的虚构孵化器。"},
		tenants: []demoTenant{
			{"苏州示例光电科技有限公司（演示）", "91320505DEMO00201", 26, 0, "", "", directory.Space{Rooms: 4, Area: 800}},
			{"苏州示例生物科技有限公司（演示）", "91320505DEMO00202", 18, 0, "", "", directory.Space{Rooms: 3, Area: 600}},
			{"苏州示例机器人有限公司（演示）", "91320505DEMO00203", 40, 3, "graduated", "accelerator", directory.Space{Rooms: 6, Area: 1500}},
		}},
	{in: directory.CarrierInput{Name: "苏州工业园区示例加速器（演示）", Kind: "accelerator", Level: "provincial", Operator: "苏州示例园区运营有限公司（演示）",
		Capacity: directory.Space{Area: 50000}, RegionCode: "320576"},
		tenants: []demoTenant{
			{"苏州示例半导体有限公司（演示）", "91320576DEMO00301", 14, 0, "", "", directory.Space{Area: 6000}},
		}},
	{in: directory.CarrierInput{Name: "吴中示例大学科技园（演示）", Kind: "university-park", Level: "municipal",
		Capacity: directory.Space{Area: 30000}, RegionCode: "320506", Visibility: directory.VisibleMembers}},
}

type demoInvestment struct {
	name, code, round string
	amount            float64
	months            int // before now
}

type demoFund struct {
	in        directory.FundInput
	portfolio []demoInvestment
}

var demoFunds = []demoFund{
	{in: directory.FundInput{Name: "苏州示例天使投资引导基金（演示）", Type: "guidance", Manager: "苏州示例创新投资管理有限公司（演示）",
		Subscribed: 100000, Paid: 60000, Stages: []string{"seed", "startup"}, Domains: []string{"电子信息", "生物与新医药"},
		RegionCode: "320500", Summary: "演示用的虚构政府引导基金。"},
		portfolio: []demoInvestment{
			{"苏州示例光电科技有限公司（演示）", "91320505DEMO00201", "angel", 500, 20},
			{"苏州示例生物科技有限公司（演示）", "91320505DEMO00202", "pre-a", 800, 12},
			{"昆山示例医疗器械有限公司（演示）", "91320583DEMO00101", "angel", 300, 6},
		}},
	{in: directory.FundInput{Name: "昆山示例产业投资基金（演示）", Type: "industry", Manager: "昆山示例资本管理有限公司（演示）",
		Subscribed: 200000, Paid: 120000, Stages: []string{"growth", "mature"}, Domains: []string{"先进制造与自动化", "新材料"},
		RegionCode: "320583"},
		portfolio: []demoInvestment{
			{"苏州示例半导体有限公司（演示）", "91320576DEMO00301", "b", 5000, 10},
		}},
	{in: directory.FundInput{Name: "苏州示例创业投资基金（演示）", Type: "venture", Manager: "苏州示例创业投资有限公司（演示）",
		Subscribed: 50000, Paid: 50000, Stages: []string{"startup", "growth"}, Domains: []string{"电子信息"}, RegionCode: "320506"},
		portfolio: []demoInvestment{
			{"苏州示例机器人有限公司（演示）", "91320505DEMO00203", "a", 2000, 15},
		}},
}

// LoadDirectory fills the directory (when it has no institutions yet)
// through the service as the demo staff account: real institutions of
// 苏州 with invented platforms, experts (with consents recorded in writing),
// service organisations, carriers with tenants and funds with portfolios.
// The demo institution account is linked to the invented 苏州示例大学, the
// demo investor owns the venture fund. It returns how many records it
// added.
func LoadDirectory(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *directory.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM institutions").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	staffUser, err := accounts.GetUserByName(ctx, account.System, "staff")
	if err != nil {
		return 0, fmt.Errorf("demo staff account: %w", err)
	}
	staff := account.Actor{UserID: staffUser.ID, Username: staffUser.Username, Role: account.RoleStaff, Region: HomeRegion}
	added := 0
	ids := map[string]int64{}
	for _, d := range demoInstitutions {
		inst, err := svc.CreateInstitution(ctx, staff, d.in)
		if err != nil {
			return added, fmt.Errorf("institution %s: %w", d.in.Name, err)
		}
		ids[inst.Name] = inst.ID
		added++
		for _, p := range d.platforms {
			if _, err := svc.CreatePlatform(ctx, staff, inst.ID, p); err != nil {
				return added, fmt.Errorf("platform %s: %w", p.Name, err)
			}
			added++
		}
	}
	instUser, instErr := accounts.GetUserByName(ctx, account.System, "institution")
	if instErr == nil {
		if err := svc.LinkInstitutionAccount(ctx, staff, ids["苏州示例大学（演示）"], instUser.ID); err != nil {
			return added, fmt.Errorf("link institution account: %w", err)
		}
	}
	given := now.AddDate(0, -1, 0).Format("2006-01-02")
	for _, d := range demoExperts {
		in := d.in
		in.InstitutionID = ids[d.institution]
		e, err := svc.CreateExpert(ctx, staff, in)
		if err != nil {
			return added, fmt.Errorf("expert %s: %w", in.Name, err)
		}
		added++
		if d.consent != nil {
			_, err := svc.RecordExpertConsent(ctx, staff, e.ID, directory.ConsentInput{Fields: d.consent,
				NoticeVersion: svc.Reference().Notice.Version, GivenOn: given})
			if err != nil {
				return added, fmt.Errorf("consent of %s: %w", in.Name, err)
			}
		}
	}
	if instErr == nil {
		n, err := loadOwnExpert(ctx, svc, staff, instUser, ids["苏州示例大学（演示）"], given)
		added += n
		if err != nil {
			return added, err
		}
	}
	for _, in := range demoServiceOrgs {
		if _, err := svc.CreateServiceOrg(ctx, staff, in); err != nil {
			return added, fmt.Errorf("service organisation %s: %w", in.Name, err)
		}
		added++
	}
	for _, d := range demoCarriers {
		in := d.in
		in.Opened = now.AddDate(-5, 0, 0).Format("2006-01-02")
		c, err := svc.CreateCarrier(ctx, staff, in)
		if err != nil {
			return added, fmt.Errorf("carrier %s: %w", in.Name, err)
		}
		added++
		for _, t := range d.tenants {
			ti := directory.TenantInput{Name: t.name, Entered: now.AddDate(0, -t.entered, 0).Format("2006-01-02"),
				ExitReason: t.reason, NextKind: t.nextKind, Space: t.space}
			if t.code != "" {
				ti.CreditCode = demoCode(t.code)
			}
			if t.exited > 0 {
				ti.Exited = now.AddDate(0, -t.exited, 0).Format("2006-01-02")
			}
			if _, err := svc.AddTenant(ctx, staff, c.ID, ti); err != nil {
				return added, fmt.Errorf("tenant %s: %w", t.name, err)
			}
			added++
		}
	}
	investor, investorErr := accounts.GetUserByName(ctx, account.System, "investor")
	for _, d := range demoFunds {
		in := d.in
		in.Established = now.AddDate(-3, 0, 0).Format("2006-01-02")
		if in.Type == "venture" && investorErr == nil {
			in.OwnerID = investor.ID
		}
		f, err := svc.CreateFund(ctx, staff, in)
		if err != nil {
			return added, fmt.Errorf("fund %s: %w", in.Name, err)
		}
		added++
		for _, p := range d.portfolio {
			_, err := svc.AddInvestment(ctx, staff, f.ID, directory.InvestmentInput{Name: p.name, CreditCode: demoCode(p.code),
				Round: p.round, Amount: p.amount, InvestedOn: now.AddDate(0, -p.months, 0).Format("2006-01-02")})
			if err != nil {
				return added, fmt.Errorf("investment in %s: %w", p.name, err)
			}
			added++
		}
	}
	return added, nil
}

// demoCode turns a 17-character demo code into a well-formed credit code.
// The letters of "DEMO" that the code alphabet lacks (O) are mapped so
// that the code stays valid.
func demoCode(first17 string) string {
	b := []rune(first17)
	for i, r := range b {
		if r == 'O' {
			b[i] = '0'
		}
	}
	return creditCode(string(b))
}

// loadOwnExpert adds the expert record of the demo institution account's
// own person (陈老师 of 苏州示例大学's technology-transfer centre, also a
// 科技特派员), links it to the account so that it reads, exports and may
// ask to delete it, and leaves one deletion request pending for staff to
// decide.
func loadOwnExpert(ctx context.Context, svc *directory.Service, staff account.Actor, u account.User, institution int64, given string) (int, error) {
	e, err := svc.CreateExpert(ctx, staff, directory.ExpertInput{Name: "陈立（演示）", InstitutionID: institution,
		Title: "高级工程师", Disciplines: []string{"材料科学与工程"}, Research: "高校科技成果转化与技术转移服务，新材料领域的校企合作",
		Keywords: []string{"技术转移", "成果转化"}, Roles: []string{"commissioner"},
		Contact: &directory.ExpertContact{Phone: "13800000009", Email: "chen.demo@example.edu.cn"}})
	if err != nil {
		return 0, fmt.Errorf("own expert: %w", err)
	}
	if _, err := svc.RecordExpertConsent(ctx, staff, e.ID, directory.ConsentInput{Fields: []string{directory.FieldName,
		directory.FieldInstitution, directory.FieldTitle, directory.FieldRoles}, NoticeVersion: svc.Reference().Notice.Version,
		GivenOn: given}); err != nil {
		return 1, fmt.Errorf("consent of own expert: %w", err)
	}
	if err := svc.LinkExpertAccount(ctx, staff, e.ID, u.ID); err != nil {
		return 1, fmt.Errorf("link own expert: %w", err)
	}
	self := account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Region: u.RegionCode}
	if _, err := svc.RequestExpertDeletion(ctx, self, e.ID, "（演示）已调离技术转移中心，不再担任科技特派员，请删除我的专家档案。"); err != nil {
		return 1, fmt.Errorf("deletion request of own expert: %w", err)
	}
	return 2, nil
}
