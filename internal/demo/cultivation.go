package demo

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/sqldb"
)

// Demo enterprises are invented: their names end in （演示） and their
// credit codes, while well-formed, belong to nobody.
var (
	nameHeads = []string{"瑞芯", "启明", "华拓", "恒锐", "睿智", "宏远", "中科", "博创", "新源", "天衡", "汇能", "智联", "精工", "海纳", "光启", "领航"}
	nameTails = []struct{ words, industry, domain string }{
		{"微电子科技", "C39", "电子信息"},
		{"精密机械", "C34", "先进制造与自动化"},
		{"生物医药", "C27", "生物与新医药"},
		{"新材料科技", "C26", "新材料"},
		{"智能装备", "C35", "先进制造与自动化"},
		{"软件技术", "I65", "电子信息"},
		{"环保科技", "N77", "资源与环境"},
		{"新能源科技", "C38", "新能源与节能"},
	}
	demoTags = []string{"链主", "种子企业", "瞪羚企业", "雏鹰企业"}
)

// creditCode completes 17 code characters with the GB 32100-2015 check
// character.
func creditCode(first17 string) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, c := range first17 {
		sum += strings.IndexRune(chars, c) * weights[i]
	}
	return first17 + string(chars[(31-sum%31)%31])
}

// LoadEnterprises adds demo enterprises to every county of the home region
// (when the registry is empty), with three years of indicators, the titles
// some of them hold, this year's county targets, and a stored assessment
// each; about half get their proposed tier confirmed. It returns how many
// enterprises it added.
func LoadEnterprises(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *cultivation.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM enterprises").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	staffUser, err := accounts.GetUserByName(ctx, account.System, "staff")
	if err != nil {
		return 0, fmt.Errorf("demo staff account: %w", err)
	}
	firmUser, err := accounts.GetUserByName(ctx, account.System, "enterprise")
	if err != nil {
		return 0, fmt.Errorf("demo enterprise account: %w", err)
	}
	staff := account.Actor{UserID: staffUser.ID, Username: staffUser.Username, Role: account.RoleStaff, Region: HomeRegion}
	counties, err := countiesOf(ctx, db, HomeRegion)
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	const codeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	added := 0
	for ci, county := range counties {
		perCounty := 5 + rng.IntN(4)
		for k := 0; k < perCounty; k++ {
			head := nameHeads[rng.IntN(len(nameHeads))]
			tail := nameTails[rng.IntN(len(nameTails))]
			var serial strings.Builder
			for i := 0; i < 9; i++ {
				serial.WriteByte(codeChars[rng.IntN(len(codeChars))])
			}
			founded := time.Date(2008+rng.IntN(16), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
			e := cultivation.Enterprise{
				CreditCode: creditCode("91" + county + serial.String()),
				Name:       fmt.Sprintf("%s%s%s有限公司（演示）", strings.TrimSuffix(strings.TrimSuffix(countyName(ctx, db, county), "市"), "区"), head, tail.words),
				RegionCode: county, Industry: tail.industry, Domain: tail.domain, Founded: cultivation.Date{Time: founded},
				Tags: []string{}, ContactName: "联系人", ContactPhone: "0512-0000" + fmt.Sprintf("%04d", ci*100+k),
			}
			if rng.IntN(4) == 0 {
				e.Tags = append(e.Tags, demoTags[rng.IntN(len(demoTags))])
			}
			if county == "320583" && k == 0 {
				e.AccountID = firmUser.ID // the demo enterprise account owns one firm
			}
			e.Certificates = demoCertificates(rng, now)
			created, err := svc.CreateEnterprise(ctx, staff, e)
			if err != nil {
				return added, fmt.Errorf("demo enterprise %s: %w", e.Name, err)
			}
			years, err := demoYears(ctx, svc, staff, created.ID, rng, now)
			if err != nil {
				return added, err
			}
			if k == 1 && ci < 3 { // three firms for the 合理性提示 panel
				if err := implausible(ctx, svc, staff, created.ID, ci, years); err != nil {
					return added, err
				}
			}
			result, err := svc.AssessEnterprise(ctx, staff, created.ID, now)
			if err != nil {
				return added, err
			}
			if rng.IntN(2) == 0 {
				if err := svc.ConfirmTier(ctx, staff, created.ID, cmp.Or(result.Proposal.Proposed, result.Proposal.Current), "演示数据"); err != nil {
					return added, err
				}
			}
			added++
		}
		for _, ind := range cultivation.Indicators {
			target := float64(3 + rng.IntN(8))
			if ind.Key == "high_tech_total" {
				target = float64(8 + rng.IntN(10))
			}
			if ind.Key == "rd_expense_growth" {
				target = float64(8 + rng.IntN(8))
			}
			if err := svc.SetTarget(ctx, staff, county, now.Year(), ind.Key, target); err != nil {
				return added, err
			}
		}
	}
	return added, nil
}

func demoCertificates(rng *rand.Rand, now time.Time) []cultivation.Certificate {
	var out []cultivation.Certificate
	day := func(yearsBack int) cultivation.Date {
		y := now.Year() - yearsBack
		m := 1 + rng.IntN(12)
		if y == now.Year() && m > int(now.Month()) {
			m = 1 + rng.IntN(int(now.Month()))
		}
		d := time.Date(y, time.Month(m), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		if d.After(now) {
			d = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC) // no certificate from the future
		}
		return cultivation.Date{Time: d}
	}
	if rng.IntN(3) > 0 {
		out = append(out, cultivation.Certificate{Type: "tech-sme", Issued: day(rng.IntN(2))})
	}
	if rng.IntN(3) == 0 {
		out = append(out, cultivation.Certificate{Type: "high-tech", Issued: day(rng.IntN(3))})
	}
	return out
}

// demoYears writes three years of plausible, growing figures and returns
// them, oldest first.
func demoYears(ctx context.Context, svc *cultivation.Service, staff account.Actor, id int64, rng *rand.Rand, now time.Time) ([]cultivation.YearRecord, error) {
	revenue := float64(800+rng.IntN(30000)) * 10000
	rdRatio := 0.015 + rng.Float64()*0.07
	employees := float64(20 + rng.IntN(400))
	// The first year's draws set the firm's technical staff share, high-tech
	// revenue share and IP stock; later years move them a little, so that
	// only the firms made implausible on purpose raise plausibility flags.
	var techShare, htShare float64
	var c1, c2 int
	var out []cultivation.YearRecord
	for y := now.Year() - 3; y < now.Year(); y++ {
		first := y == now.Year()-3
		growth := 1 + (rng.Float64()*0.3 - 0.05)
		revenue *= growth
		rd := revenue * rdRatio * (0.9 + rng.Float64()*0.2)
		round := func(v float64) *float64 { r := math.Round(v/1000) * 1000; return &r }
		count := func(v float64) *float64 { r := math.Round(v); return &r }
		if d := rng.Float64(); first {
			techShare = 0.08 + d*0.25
		} else {
			techShare *= 0.95 + d*0.1
		}
		tech := employees * techShare
		d1, d2 := rng.IntN(8), rng.IntN(20)
		if first {
			c1, c2 = d1, d2
		} else {
			c1, c2 = c1+d1%2, c2+d2%4
		}
		if d := rng.Float64(); first {
			htShare = 0.4 + d*0.5
		} else {
			htShare = min(0.95, htShare+(d-0.5)*0.1)
		}
		ip1, ip2 := c1, c2
		rec := cultivation.YearRecord{Year: y, Figures: cultivation.YearFigures{
			Revenue: round(revenue), MainRevenue: round(revenue * 0.95), HightechRevenue: round(revenue * htShare),
			CostTotal: round(revenue * 0.85), RDExpense: round(rd), RDExpenseDomestic: round(rd),
			Employees: count(employees), TechStaff: count(tech), RDStaff: count(tech * 0.8),
			TotalAssets: round(revenue * 1.2), NetAssets: round(revenue * 0.6), Liabilities: round(revenue * 0.6),
			NetProfit: round(revenue * 0.08)}, IP: cultivation.IPCounts{Class1: &ip1, Class2: &ip2}}
		if err := svc.PutYear(ctx, staff, id, rec); err != nil {
			return nil, fmt.Errorf("demo year %d: %w", y, err)
		}
		out = append(out, rec)
		employees = math.Round(employees * (1 + rng.Float64()*0.1))
	}
	return out, nil
}

// implausible rewrites the years of a few demo firms so that the
// 合理性提示 panel has something to show on first start: kind 0 doubles the
// staff and lifts the R&D ratio by 4 points in the last year (as an
// intermediary's package would), kind 1 keeps the R&D ratio just above
// 3%/4% three years running, kind 2 lifts the high-tech revenue share by
// 35 points and piles up software copyrights in the last year.
func implausible(ctx context.Context, svc *cultivation.Service, staff account.Actor, id int64, kind int, years []cultivation.YearRecord) error {
	n := len(years)
	for i := range years {
		y := &years[i]
		f := &y.Figures
		rev := *f.Revenue
		set := func(p **float64, v float64) { r := math.Round(v/1000) * 1000; *p = &r }
		last := i == n-1
		switch kind {
		case 0:
			set(&f.RDExpense, rev*0.021)
			if last {
				set(&f.RDExpense, rev*0.061)
				emp, tech := math.Round(*f.Employees*2.1), math.Round(*f.TechStaff*2.6)
				f.Employees, f.TechStaff = &emp, &tech
			}
		case 1:
			set(&f.Revenue, 2.5e8*(1+0.05*float64(i))) // above 2亿: the line is 3%
			set(&f.RDExpense, *f.Revenue*[]float64{0.0305, 0.0312, 0.0321}[min(i, 2)])
		case 2:
			set(&f.HightechRevenue, rev*0.32)
			if last {
				set(&f.HightechRevenue, rev*0.67)
				// Twice the IP stock plus five: software copyrights bought in bulk.
				c2 := *y.IP.Class2 + *y.IP.Class1 + *y.IP.Class2 + 5
				y.IP.Class2 = &c2
			}
		}
		f.RDExpenseDomestic = f.RDExpense
		if err := svc.PutYear(ctx, staff, id, *y); err != nil {
			return fmt.Errorf("demo year %d: %w", y.Year, err)
		}
	}
	return nil
}

func countiesOf(ctx context.Context, db *sqldb.DB, city string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT code FROM regions WHERE parent_code = ? ORDER BY code", city)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func countyName(ctx context.Context, db *sqldb.DB, code string) string {
	var name string
	_ = db.QueryRowContext(ctx, "SELECT name FROM regions WHERE code = ?", code).Scan(&name)
	return name
}
