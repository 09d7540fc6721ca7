package demo

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// LoadAnonymous publishes two anonymous listings (匿名发布, when the market
// has none yet) through the market service: an achievement of the demo
// institution without a broker, in whose interest the demo enterprise's
// expression is forwarded by the city staff, so that the institution sees
// a normal deal and the enterprise still does not know who it is; and a
// demand of the demo enterprise entrusted to the demo broker, with the
// institution's interest still waiting for the broker to forward it. It
// returns how many listings it published.
func LoadAnonymous(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *market.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM listings WHERE anonymous = ?", true).Scan(&n); err != nil {
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
	var inst, firm, broker, staff account.Actor
	for name, a := range map[string]*account.Actor{"institution": &inst, "enterprise": &firm, "broker": &broker, "staff": &staff} {
		var err error
		if *a, err = actorOf(name); err != nil {
			return 0, err
		}
	}
	publish := func(owner account.Actor, k market.Kind, in market.Input) (market.Listing, error) {
		l, err := svc.CreateListing(ctx, owner, k, in)
		if err != nil {
			return l, fmt.Errorf("demo anonymous %q: %w", in.Title, err)
		}
		if _, err := svc.Submit(ctx, owner, l.ID); err != nil {
			return l, err
		}
		return svc.Approve(ctx, staff, l.ID)
	}
	price := 120.0
	ach, err := publish(inst, market.Achievement, market.Input{Title: "高温合金涡轮叶片激光熔覆修复技术（演示）",
		Summary: "采用同轴送粉激光熔覆对镍基高温合金涡轮叶片叶尖和榫头磨损部位进行修复，修复区组织致密、无裂纹，" +
			"高温持久性能达到基体的90%以上，修复成本约为新件的三成。（演示）",
		Keywords: []string{"激光熔覆", "高温合金", "涡轮叶片"}, Domain: "先进制造与自动化/先进制造工艺与装备", Industry: "C34", TRL: 6,
		Modes: []string{"license", "development"}, Price: &price, RegionCode: "320505", Anonymous: true,
		Contact: market.Contact{Name: "匿名联系人（演示）", Phone: "0512-65880123"}})
	if err != nil {
		return 0, err
	}
	dem, err := publish(firm, market.Demand, market.Input{Title: "精密注塑件翘曲变形控制工艺（演示）",
		Summary:  "公司生产汽车连接器精密注塑件，薄壁件翘曲变形超差，需要模流分析与工艺参数优化方案。（演示）",
		Expected: "翘曲量控制在0.05毫米以内，良率提升到98%以上。（演示）", Keywords: []string{"注塑", "翘曲变形", "模流分析"},
		Domain: "新材料/高分子材料", Industry: "C29", Modes: []string{"development"}, Band: "50-100", RegionCode: "320583",
		Anonymous: true, BrokerID: broker.UserID, Contact: market.Contact{Name: "匿名联系人（演示）", Phone: "0512-57000123"}})
	if err != nil {
		return 1, err
	}
	d, err := svc.CreateDeal(ctx, firm, market.DealInput{ListingID: ach.ID, Message: "我公司有一批涡轮叶片待修复，希望了解修复工艺和许可条件。（演示）",
		Contact: market.Contact{Name: firm.DisplayName, Phone: "0512-57000000"}})
	if err != nil {
		return 2, fmt.Errorf("demo anonymous interest: %w", err)
	}
	if _, err := svc.StepDeal(ctx, staff, d.ID, market.DealForward, market.DealStep{Note: "已核实意向方为本市规上企业（演示）"}); err != nil {
		return 2, fmt.Errorf("demo forward: %w", err)
	}
	if _, err := svc.CreateDeal(ctx, inst, market.DealInput{ListingID: dem.ID, Message: "我中心高分子材料团队可提供模流分析与工艺优化服务。（演示）",
		Contact: market.Contact{Name: inst.DisplayName, Phone: "0512-65880000"}}); err != nil {
		return 2, fmt.Errorf("demo held interest: %w", err)
	}
	return 2, nil
}
