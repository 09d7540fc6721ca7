package demo

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/sqldb"
)

// LoadPolicyClaims gives the 惠企政策 pages content on top of the demo
// registry (LoadEnterprises first): a new 小巨人 firm with two years of
// figures (it meets the 小巨人 and R&D rewards), a new 高企 firm whose
// figures are not entered yet (it may meet the 高企 and R&D rewards, the
// missing figures named), and claims: the demo enterprise account marks
// its first eligible policy applied, county staff mark a 昆山 firm's
// reward received, bureau staff another firm's applied (leaving one
// eligible firm of each policy unclaimed). It writes through
// the service, so the audit rows are the real ones, and adds nothing when
// claims exist. It returns the number of claims marked.
func LoadPolicyClaims(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *cultivation.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM policy_claims").Scan(&n); err != nil {
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
		return account.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Region: u.RegionCode}, nil
	}
	staff, err := actor("staff")
	if err != nil {
		return 0, err
	}
	county, err := actor("county")
	if err != nil {
		return 0, err
	}
	firmUser, err := actor("enterprise")
	if err != nil {
		return 0, err
	}
	day := func(monthsBack int) cultivation.Date {
		d := now.AddDate(0, -monthsBack, 0)
		return cultivation.Date{Time: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)}
	}
	giant, err := svc.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode("91320505MA1PQLG1A"),
		Name: "苏州高新区精工示例装备有限公司（演示）", RegionCode: "320505", Industry: "C34", Domain: "先进制造与自动化",
		Founded: cultivation.Date{Time: time.Date(2012, 5, 8, 0, 0, 0, 0, time.UTC)}, Tags: []string{},
		Certificates: []cultivation.Certificate{{Type: "high-tech", Issued: day(20)}, {Type: "little-giant", Issued: day(4)}}})
	if err != nil {
		return 0, fmt.Errorf("demo 小巨人 firm: %w", err)
	}
	base := now.Year() - 1
	for i, rd := range []float64{18e6, 26e6} {
		revenue, cost, staffN := 3.2e8+float64(i)*0.6e8, 2.6e8+float64(i)*0.4e8, 420.0+float64(i)*40
		tech := staffN * 0.3
		if err := svc.PutYear(ctx, staff, giant.ID, cultivation.YearRecord{Year: base - 1 + i, Figures: cultivation.YearFigures{
			Revenue: &revenue, MainRevenue: &revenue, CostTotal: &cost, RDExpense: &rd, Employees: &staffN, TechStaff: &tech}}); err != nil {
			return 0, err
		}
	}
	if _, err := svc.CreateEnterprise(ctx, county, cultivation.Enterprise{CreditCode: creditCode("91320583MA1PQLH2B"),
		Name: "昆山新认定示例电子有限公司（演示）", RegionCode: "320583", Industry: "C39", Domain: "电子信息",
		Founded: cultivation.Date{Time: time.Date(2019, 9, 16, 0, 0, 0, 0, time.UTC)}, Tags: []string{},
		Certificates: []cultivation.Certificate{{Type: "high-tech", Issued: day(2)}}}); err != nil {
		return 0, fmt.Errorf("demo 高企 firm: %w", err)
	}

	claims := 0
	mark := func(a account.Actor, id int64, policy string, u cultivation.ClaimUpdate) error {
		if _, err := svc.SetPolicyClaim(ctx, a, id, policy, u); err != nil {
			return fmt.Errorf("demo claim %s: %w", policy, err)
		}
		claims++
		return nil
	}
	// The demo enterprise account's own firm marks its first eligible policy applied.
	own, _, err := svc.FindEnterprises(ctx, firmUser, cultivation.EnterpriseFilter{PerPage: 1})
	if err != nil {
		return 0, err
	}
	if len(own) == 1 {
		list, err := svc.EnterprisePolicies(ctx, firmUser, own[0].ID)
		if err != nil {
			return 0, err
		}
		for _, p := range list {
			if p.Status == cultivation.MatchEligible {
				if err := mark(firmUser, own[0].ID, p.Policy, cultivation.ClaimUpdate{Status: cultivation.ClaimApplied, Note: "已在线提交（演示）"}); err != nil {
					return claims, err
				}
				break
			}
		}
	}
	// Staff: the first eligible 昆山 firm of each policy received, the first
	// elsewhere applied, so that the take-up tables show every state.
	for _, p := range svc.Policies().List() {
		if !p.InForce(now) {
			continue
		}
		u, err := svc.PolicyUptake(ctx, staff, p.ID, "")
		if err != nil {
			return claims, err
		}
		doneKS, doneOther := false, false
		// Leave at least one eligible firm unclaimed, for the 督办 view.
		left := u.Total.Unclaimed
		for _, f := range u.Firms {
			if f.Status != cultivation.MatchEligible || f.Claim != "" || left < 2 {
				continue
			}
			switch {
			case !doneKS && f.RegionCode == county.Region:
				doneKS, left = true, left-1
				if err := mark(county, f.ID, p.ID, cultivation.ClaimUpdate{Status: cultivation.ClaimReceived, Amount: f.Amount,
					Note: "资金已拨付（演示）"}); err != nil {
					return claims, err
				}
			case !doneOther && f.RegionCode != county.Region:
				doneOther, left = true, left-1
				if err := mark(staff, f.ID, p.ID, cultivation.ClaimUpdate{Status: cultivation.ClaimApplied, Note: "已受理（演示）"}); err != nil {
					return claims, err
				}
			}
		}
	}
	return claims, nil
}
