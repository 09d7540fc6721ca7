package demo

import (
	"context"
	"fmt"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
)

// HomeRegion is the demo city: 苏州市.
const HomeRegion = "320500"

// Account is one demo account.
type Account struct {
	Username     string
	DisplayName  string
	Organization string
	Role         account.Role
	Region       string
}

// Accounts are the demo accounts, one per role. The organizations are
// invented and marked as demonstrations.
var Accounts = []Account{
	{"admin", "系统管理员", "苏州市科技局信息中心（演示）", account.RoleAdmin, ""},
	{"security", "安全管理员", "苏州市科技局信息中心（演示）", account.RoleSecurity, ""},
	{"auditor", "审计管理员", "苏州市科技局信息中心（演示）", account.RoleAuditor, ""},
	{"staff", "王科长", "苏州市科学技术局（演示）", account.RoleStaff, "320500"},
	{"county", "李专员", "昆山市科学技术局（演示）", account.RoleCounty, "320583"},
	{"enterprise", "张经理", "昆山示例精密制造有限公司（演示）", account.RoleEnterprise, "320583"},
	{"institution", "陈老师", "苏州示例大学技术转移中心（演示）", account.RoleInstitution, "320505"},
	{"broker", "周经纪", "苏州示例技术转移服务有限公司（演示）", account.RoleBroker, "320508"},
	{"investor", "吴总", "苏州示例创业投资有限公司（演示）", account.RoleInvestor, "320506"},
}

// Load creates the demo accounts (or resets their password when they exist)
// with password, and returns them. The home region is not demo's to set: the
// app stores HomeRegion through region.Service, as --home-region does.
func Load(ctx context.Context, accounts *account.Service, password string) ([]Account, error) {
	for _, a := range Accounts {
		u, err := accounts.GetUserByName(ctx, account.System, a.Username)
		switch {
		case apperr.Is(err, apperr.NotFound):
			_, err = accounts.CreateUser(ctx, account.System, account.NewUser{Username: a.Username, DisplayName: a.DisplayName,
				Organization: a.Organization, Role: a.Role, RegionCode: a.Region, Password: password})
		case err == nil:
			err = accounts.SetPassword(ctx, account.System, u.ID, password, false)
		}
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", a.Username, err)
		}
	}
	return Accounts, nil
}
