package demo

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// demoFinancing are the invented financing needs (融资需求) of the demo
// enterprises, marked （演示）.
var demoFinancing = []struct {
	title, summary, use, domain, industry, round string
	amount, valuation                            float64
	keywords                                     []string
}{
	{"精密数控刀具涂层产线扩产A轮融资（演示）", "公司为汽车与3C行业提供硬质合金精密刀具及PVD涂层服务，已服务客户120余家，2025 年营收约 8600 万元。",
		"新建两条 PVD 涂层产线；扩充研发团队；补充流动资金。", "先进制造与自动化/先进制造工艺与装备", "C34", "a", 5000, 45000,
		[]string{"精密刀具", "PVD涂层"}},
	{"工业视觉缺陷检测平台Pre-A轮融资（演示）", "公司研发面向电子制造的深度学习视觉检测平台，已在三家头部代工厂部署，检出率达 99.5%。",
		"算法研发与算力平台建设；华东区域销售与交付团队。", "电子信息/软件", "I65", "pre-a", 1500, 12000,
		[]string{"机器视觉", "缺陷检测"}},
	{"新型储能热管理材料天使轮融资（演示）", "团队来自本地高校，研发相变储热复合材料，用于储能电站电池热管理，已完成中试。",
		"中试线改造；样品验证与认证；核心团队扩充。", "新能源与节能/新型高效能量转换与储存技术", "C38", "angel", 800, 0,
		[]string{"相变材料", "储能热管理"}},
}

// LoadFinancing publishes the demo financing needs of the demo enterprise
// (when the market has none yet) through the market service, and has the
// demo investor express interest in the first, which the enterprise
// accepts, so that the pipeline shows a need in 尽调. It returns how many
// needs it published.
func LoadFinancing(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *market.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM listings WHERE kind = 'financing'").Scan(&n); err != nil {
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
	firm, err := actorOf("enterprise")
	if err != nil {
		return 0, err
	}
	staff, err := actorOf("staff")
	if err != nil {
		return 0, err
	}
	investor, err := actorOf("investor")
	if err != nil {
		return 0, err
	}
	var first int64
	for i, d := range demoFinancing {
		in := market.Input{Title: d.title, Summary: d.summary, UseOfFunds: d.use, Domain: d.domain, Industry: d.industry,
			Round: d.round, Keywords: d.keywords, Contact: market.Contact{Name: firm.DisplayName, Phone: "0512-57000000"}}
		amount := d.amount
		in.Amount = &amount
		if d.valuation > 0 {
			v := d.valuation
			in.Valuation = &v
		}
		l, err := svc.CreateListing(ctx, firm, market.Financing, in)
		if err != nil {
			return i, fmt.Errorf("demo financing %q: %w", d.title, err)
		}
		if _, err := svc.Submit(ctx, firm, l.ID); err != nil {
			return i, err
		}
		if _, err := svc.Approve(ctx, staff, l.ID); err != nil {
			return i, err
		}
		if i == 0 {
			first = l.ID
		}
	}
	x, err := svc.ExpressInterest(ctx, investor, first, "我们重点关注高端装备与新材料赛道，希望了解贵公司扩产计划与客户结构。（演示）")
	if err != nil {
		return len(demoFinancing), fmt.Errorf("demo investment interest: %w", err)
	}
	if _, err := svc.StepInterest(ctx, firm, x.ID, "accept", ""); err != nil {
		return len(demoFinancing), fmt.Errorf("demo investment interest: %w", err)
	}
	return len(demoFinancing), nil
}
