package demo

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// cslDomains maps a CSL discipline to a high-tech domain and a GB/T 4754
// division. Disciplines without a technology market (philosophy, law …) are
// left out.
var cslDomains = map[string][2]string{
	"食品科学与工程":     {"生物与新医药/轻工和化工生物技术", "C14"},
	"中医学/中药学":     {"生物与新医药/中药、天然药物", "C27"},
	"园艺学":         {"生物与新医药/农业生物技术", "A01"},
	"基础医学/临床医学":   {"生物与新医药/医药生物技术", "C27"},
	"化学/化学工程与技术":  {"新材料/精细和专用化学品", "C26"},
	"材料科学与工程":     {"新材料", "C30"},
	"交通运输工程":      {"电子信息/智能交通和轨道交通技术", "G54"},
	"农业工程":        {"先进制造与自动化/新型机械", "C35"},
	"药学":          {"生物与新医药/化学药研发技术", "C27"},
	"信息与通信工程":     {"电子信息/通信技术", "I63"},
	"纺织科学与工程":     {"新材料/高分子材料", "C17"},
	"矿业工程":        {"资源与环境/资源勘查、高效开采与综合利用技术", "B09"},
	"水产":          {"生物与新医药/农业生物技术", "A04"},
	"计算机科学与技术":    {"电子信息/软件", "I65"},
	"机械工程":        {"先进制造与自动化/先进制造工艺与装备", "C34"},
	"环境科学与工程":     {"资源与环境/水污染控制与水资源利用技术", "N77"},
	"力学":          {"先进制造与自动化", "M73"},
	"土木工程":        {"高技术服务/研发与设计服务", "E48"},
	"石油与天然气工程":    {"资源与环境/资源勘查、高效开采与综合利用技术", "B07"},
	"冶金工程":        {"新材料/金属材料", "C32"},
	"电子科学与技术":     {"电子信息/微电子技术", "C39"},
	"电气工程":        {"先进制造与自动化/电力系统与设备", "C38"},
	"动力工程及工程热物理":  {"新能源与节能/高效节能技术", "D44"},
	"作物学":         {"生物与新医药/农业生物技术", "A01"},
	"水利工程":        {"资源与环境/水污染控制与水资源利用技术", "N76"},
	"林学/林业工程":     {"资源与环境/生态环境建设与保护技术", "A02"},
	"畜牧学/兽医学":     {"生物与新医药/农业生物技术", "A03"},
	"光学工程":        {"先进制造与自动化/高性能、智能化仪器仪表", "C40"},
	"船舶与海洋工程":     {"先进制造与自动化/高技术船舶与海洋工程装备设计制造技术", "C37"},
	"测绘科学与技术":     {"高技术服务/信息技术服务", "M74"},
	"控制科学与工程":     {"先进制造与自动化/工业生产过程控制系统", "C40"},
	"核科学与技术":      {"新能源与节能/核能及氢能", "D44"},
	"口腔医学":        {"生物与新医药/医疗仪器、设备与医学专用软件", "C35"},
	"生物学/生物科学与工程": {"生物与新医药/医药生物技术", "M73"},
	"农业资源利用":      {"资源与环境/固体废弃物处置与综合利用技术", "A05"},
	"公共卫生与预防医学":   {"生物与新医药/医药生物技术", "Q84"},
	"航空宇航科学与技术":   {"航空航天/航空技术", "C37"},
	"建筑学":         {"高技术服务/研发与设计服务", "M74"},
	"植物保护":        {"生物与新医药/农业生物技术", "A05"},
	"图书馆、情报与档案管理": {"高技术服务/信息技术服务", "I65"},
}

type cslRecord struct {
	Title      string   `json:"title"`
	Abstract   string   `json:"abstract"`
	Keywords   []string `json:"keywords"`
	Discipline string   `json:"discipline"`
}

var demoContacts = []string{"陈老师", "王老师", "李老师", "刘工", "赵经理", "孙老师", "周工", "吴经理"}

// LoadMarket fills the technology market (when it has no listings) with
// about 200 published achievements built from real paper records of
// data/csl (title, abstract, keywords; discipline → domain), owned by demo
// institution and enterprise accounts in every county of the home region,
// and about 30 enterprise demands written from a subset of them. A few
// listings stay submitted for the review queue. Owner accounts beyond the
// demo ones are created with password. It returns how many listings it
// added.
func LoadMarket(ctx context.Context, db *sqldb.DB, accounts *account.Service, ref *market.Reference, password string, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM listings").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	recs, err := cslRecords(230)
	if err != nil {
		return 0, err
	}
	counties, err := countiesOf(ctx, db, HomeRegion)
	if err != nil {
		return 0, err
	}
	if len(counties) == 0 {
		return 0, nil
	}
	staffUser, err := accounts.GetUserByName(ctx, account.System, "staff")
	if err != nil {
		return 0, fmt.Errorf("demo staff account: %w", err)
	}
	staff := account.Actor{UserID: staffUser.ID, Username: staffUser.Username, Role: account.RoleStaff, Region: HomeRegion}
	type owners struct{ inst, firm account.Actor }
	byCounty := make([]owners, len(counties))
	for i, c := range counties {
		var o owners
		if o.inst, err = countyOwner(ctx, db, accounts, account.RoleInstitution, c, password); err != nil {
			return 0, err
		}
		if o.firm, err = countyOwner(ctx, db, accounts, account.RoleEnterprise, c, password); err != nil {
			return 0, err
		}
		byCounty[i] = o
	}
	// The clock runs forward over the last ten months, so that listings
	// have spread publication dates and none has expired.
	at := now.Add(-300 * 24 * time.Hour)
	step := 300 * 24 * time.Hour / time.Duration(len(recs)+1)
	svc := market.NewService(db, ref, HomeRegion, func() time.Time { return at })
	rng := rand.New(rand.NewPCG(2026, 5))
	added := 0
	for i, rec := range recs {
		at = at.Add(step)
		dom := cslDomains[rec.Discipline]
		o := byCounty[rng.IntN(len(byCounty))]
		kind, owner := market.Achievement, o.inst
		if i%4 == 3 {
			owner = o.firm
		}
		in := market.Input{Title: clip(rec.Title, 100), Summary: clip(rec.Abstract, 5000), Keywords: clipAll(rec.Keywords, 8),
			Domain: dom[0], Industry: dom[1], Contact: market.Contact{Name: demoContacts[rng.IntN(len(demoContacts))],
				Phone: fmt.Sprintf("0512-6%07d", rng.IntN(10000000))}}
		if i%8 == 5 && added > 0 {
			kind, owner = market.Demand, o.firm
			kw := "相关"
			if len(rec.Keywords) > 0 {
				kw = rec.Keywords[0]
			}
			in.Title = clip("征集"+kw+"技术解决方案", 100)
			in.Summary = "我单位在生产中遇到与" + kw + "有关的技术问题，参考研究：" + firstSentence(rec.Abstract)
			in.Expected = "希望合作方围绕" + strings.Join(in.Keywords, "、") + "提出可落地的技术方案，完成中试验证并形成可量化的指标。"
			in.Band = ref.Bands[rng.IntN(len(ref.Bands)-1)].Code
			in.Deadline = now.AddDate(0, 3+rng.IntN(9), 0).Format("2006-01-02")
			in.Modes = []string{[]string{"development", "consulting", "service"}[rng.IntN(3)]}
		} else {
			in.TRL = 3 + rng.IntN(6)
			in.Modes = pickModes(rng)
			if rng.IntN(3) > 0 {
				p := float64(5 * (1 + rng.IntN(200)))
				in.Price = &p
			}
			if rng.IntN(2) == 0 {
				in.IP = []market.IP{{Type: "invention", Status: []string{"applied", "granted"}[rng.IntN(2)]}}
			}
			in.Team = owner.DisplayName + "课题组"
		}
		l, err := svc.CreateListing(ctx, owner, kind, in)
		if apperr.Is(err, apperr.Invalid) {
			continue // a record that does not make a valid listing is skipped
		}
		if err != nil {
			return added, fmt.Errorf("demo listing %q: %w", in.Title, err)
		}
		added++
		if _, err := svc.Submit(ctx, owner, l.ID); err != nil {
			return added, err
		}
		if i >= len(recs)-8 {
			continue // the last few wait in the review queue
		}
		if _, err := svc.Approve(ctx, staff, l.ID); err != nil {
			return added, err
		}
		if i == 0 {
			// A near copy from another county waits in the queue, so the
			// reviewer sees a duplicate flagged with its twin.
			twin := in
			twin.Title = strings.TrimSuffix(in.Title, "研究") + "的研究"
			o2 := byCounty[(rng.IntN(len(byCounty)-1)+1+indexOf(byCounty, o))%len(byCounty)]
			tw, err := svc.CreateListing(ctx, o2.inst, market.Achievement, twin)
			if err == nil {
				_, err = svc.Submit(ctx, o2.inst, tw.ID)
			}
			if err != nil {
				return added, fmt.Errorf("demo twin: %w", err)
			}
			added++
		}
		for v := rng.IntN(40); v > 0; v-- {
			if err := svc.RecordView(ctx, account.Anonymous, market.Listing{ID: l.ID, State: market.Published}); err != nil {
				return added, err
			}
		}
	}
	if _, err := svc.FlushViews(ctx); err != nil {
		return added, err
	}
	return added, nil
}

// countyOwner returns the demo owner of role in county: the demo account
// itself where it lives there, otherwise an account made for the county.
func countyOwner(ctx context.Context, db *sqldb.DB, accounts *account.Service, role account.Role, county, password string) (account.Actor, error) {
	name := string(role) + "-" + county
	for _, a := range Accounts {
		if a.Role == role && a.Region == county {
			name = a.Username
		}
	}
	u, err := accounts.GetUserByName(ctx, account.System, name)
	if apperr.Is(err, apperr.NotFound) {
		org := countyName(ctx, db, county) + "示例研究院（演示）"
		display := "成果转化办公室"
		if role == account.RoleEnterprise {
			org, display = countyName(ctx, db, county)+"示例科技有限公司（演示）", "技术部"
		}
		u, err = accounts.CreateUser(ctx, account.System, account.NewUser{Username: name, DisplayName: display,
			Organization: org, Role: role, RegionCode: county, Password: password})
	}
	if err != nil {
		return account.Actor{}, fmt.Errorf("demo owner %s: %w", name, err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: role, Region: county}, nil
}

func indexOf[T comparable](list []T, x T) int {
	for i, v := range list {
		if v == x {
			return i
		}
	}
	return 0
}

func pickModes(rng *rand.Rand) []string {
	all := []string{"transfer", "license", "development", "equity", "service"}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:1+rng.IntN(3)]
}

// cslRecords reads up to n records of data/csl/csl_dev.jsonl whose
// discipline maps to a domain, in file order.
func cslRecords(n int) ([]cslRecord, error) {
	f, err := data.FS.Open("csl/csl_dev.jsonl")
	if err != nil {
		return nil, fmt.Errorf("demo corpus: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var out []cslRecord
	for sc.Scan() && len(out) < n {
		var r cslRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("demo corpus: %w", err)
		}
		if _, ok := cslDomains[r.Discipline]; ok && r.Title != "" && r.Abstract != "" {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}

func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max])
}

func clipAll(list []string, max int) []string {
	var out []string
	for _, s := range list {
		if len(out) < max && utf8.RuneCountInString(s) <= 20 {
			out = append(out, s)
		}
	}
	return out
}

func firstSentence(s string) string {
	for _, sep := range []string{"。", ".", "；"} {
		if i := strings.Index(s, sep); i > 0 {
			return s[:i] + "。"
		}
	}
	return clip(s, 120)
}
