package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// LoadContracts registers about 80 invented technology contracts over the
// last 18 months in the counties of the home region (when none is
// registered yet): sellers are the demo institutions, buyers the demo
// enterprises of the registry. It returns how many it registered.
func LoadContracts(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *market.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM contracts").Scan(&n); err != nil {
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
	type firm struct{ name, region, domain string }
	var buyers []firm
	rows, err := db.QueryContext(ctx, "SELECT name, region_code, domain FROM enterprises ORDER BY id")
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var f firm
		if err := rows.Scan(&f.name, &f.region, &f.domain); err != nil {
			rows.Close()
			return 0, err
		}
		buyers = append(buyers, f)
	}
	rows.Close()
	if len(buyers) == 0 {
		return 0, nil
	}
	sellers := []string{"苏州示例大学（演示）", "苏州示例理工学院（演示）", "昆山示例研究院（演示）", "苏州示例材料研究所（演示）", "张家港示例技术研究院（演示）"}
	titles := map[string][]string{
		"development": {"%s智能检测系统委托开发", "%s关键工艺合作开发", "%s新产品联合研发"},
		"transfer":    {"%s相关发明专利转让", "%s技术秘密转让"},
		"license":     {"%s专利实施许可", "%s技术秘密使用许可"},
		"consulting":  {"%s技术路线可行性论证", "%s产业技术分析评价"},
		"service":     {"%s工艺优化技术服务", "%s检测与技术培训服务"},
	}
	subtypes := map[string][]string{
		"development": {"委托开发", "合作开发"}, "transfer": {"专利权转让", "技术秘密转让"}, "license": {"专利实施许可"},
		"consulting": {"可行性论证", "分析评价报告"}, "service": {"技术服务", "技术培训"},
	}
	types := []string{"development", "development", "development", "service", "service", "transfer", "license", "consulting"}
	rng := rand.New(rand.NewPCG(2026, 7))
	start := now.AddDate(0, -18, 0)
	days := int(now.Sub(start).Hours() / 24)
	added := 0
	for i := 0; i < 80; i++ {
		b := buyers[rng.IntN(len(buyers))]
		typ := types[rng.IntN(len(types))]
		amount := math.Round((5+rng.ExpFloat64()*80)*100) / 100
		tech := math.Round(amount*(0.6+rng.Float64()*0.4)*100) / 100
		domain := b.domain
		title := fmt.Sprintf(titles[typ][rng.IntN(len(titles[typ]))], domain)
		c := market.Contract{Type: typ, Subtype: subtypes[typ][rng.IntN(len(subtypes[typ]))], Title: title,
			Seller: sellers[rng.IntN(len(sellers))], Buyer: b.name, Amount: amount, TechAmount: tech,
			SignedOn: start.AddDate(0, 0, rng.IntN(days)).Format("2006-01-02"), Domain: domain, RegionCode: b.region}
		if _, err := svc.RegisterContract(ctx, staff, c); err != nil {
			return added, fmt.Errorf("demo contract %d: %w", i, err)
		}
		added++
	}
	return added, nil
}
