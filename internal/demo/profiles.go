package demo

import (
	"context"
	"fmt"

	"kechuang/internal/account"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

// LoadProfiles fills the demo broker's directory profile and the demo
// investor's preferences, each written by the account itself as a user
// would. It adds nothing when any broker profile exists.
func LoadProfiles(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *directory.Service) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM broker_profiles").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	actor := func(name string) (account.Actor, error) {
		u, err := accounts.GetUserByName(ctx, account.System, name)
		if err != nil {
			return account.Actor{}, fmt.Errorf("demo %s account: %w", name, err)
		}
		return account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Region: u.RegionCode}, nil
	}
	broker, err := actor("broker")
	if err != nil {
		return 0, err
	}
	if _, err := svc.PutBrokerProfile(ctx, broker, broker.UserID, directory.BrokerInput{CertificateNo: "SZJS-2024-0107",
		Grade: "intermediate", Organization: "苏州示例技术转移服务有限公司（演示）",
		Fields:     []string{"先进制造与自动化", "新材料", "电子信息"},
		Summary:    "长期服务高校院所与制造企业的技术许可与转让，擅长精密制造、视觉检测和新材料成果的评估与撮合（演示）。",
		Visibility: directory.VisiblePublic}); err != nil {
		return 0, fmt.Errorf("broker profile: %w", err)
	}
	investor, err := actor("investor")
	if err != nil {
		return 1, err
	}
	lo, hi := 200.0, 3000.0
	if _, err := svc.PutInvestorPreferences(ctx, investor, investor.UserID, directory.InvestorInput{
		Domains: []string{"生物与新医药", "电子信息", "先进制造与自动化"}, Stages: []string{"seed", "startup"},
		TicketMin: &lo, TicketMax: &hi, Regions: []string{HomeRegion},
		Note:       "关注苏州本地早期硬科技与创新药项目，单笔 200–3000 万元（演示）。",
		Visibility: directory.VisibleMembers}); err != nil {
		return 1, fmt.Errorf("investor preferences: %w", err)
	}
	return 2, nil
}
