package market_test

import (
	"context"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// TestBrokerPerformanceArithmetic checks the directory's broker figures
// against deals worked out by hand: b1 handles four deals signed after 3,
// 1, 6 and 4 days (median 3.5), two of them registered, one with a
// contract of 80 万元 technology amount; b2 one deal, terminated unsigned;
// b3 none.
func TestBrokerPerformanceArithmetic(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inst := f.actor("inst", account.RoleInstitution, "320505")
		city := f.actor("city", account.RoleStaff, "320500")
		gx := f.actor("gx", account.RoleCounty, "320505")
		b1 := f.actor("b1", account.RoleBroker, "320508")
		b2 := f.actor("b2", account.RoleBroker, "320583")
		b3 := f.actor("b3", account.RoleBroker, "320583")
		l := f.publish(inst, city, market.Achievement, achievement("精密零件表面缺陷在线检测系统"))
		members := map[string]account.Actor{}
		deals := map[string]market.Deal{}
		open := func(name string, broker account.Actor) {
			t.Helper()
			m := f.actor("m"+name, account.RoleEnterprise, "320583")
			d, err := f.svc.CreateDeal(ctx, m, interest(l.ID))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.StepDeal(ctx, city, d.ID, market.DealAssignBroker, market.DealStep{BrokerID: broker.UserID}); err != nil {
				t.Fatal(err)
			}
			members[name], deals[name] = m, d
		}
		step := func(name, action string, s market.DealStep) {
			t.Helper()
			if _, err := f.svc.StepDeal(ctx, members[name], deals[name].ID, action, s); err != nil {
				t.Fatalf("%s %s: %v", name, action, err)
			}
		}
		day := 24 * time.Hour
		open("a", b1)
		open("b", b1)
		open("c", b1)
		open("d", b2)
		f.clock.Add(day)
		step("b", market.DealSign, market.DealStep{Amount: amount(30)}) // 1 day
		f.clock.Add(2 * day)
		step("a", market.DealSign, market.DealStep{Amount: amount(100)}) // 3 days
		c, err := f.svc.RegisterContract(ctx, gx, contract("license", "2026-11-20", "320505", 100, 80))
		if err != nil {
			t.Fatal(err)
		}
		step("a", market.DealRegister, market.DealStep{ContractID: c.ID})
		f.clock.Add(3 * day)
		step("c", market.DealSign, market.DealStep{Amount: amount(50)}) // 6 days
		step("c", market.DealRegister, market.DealStep{})               // no contract: no technology amount
		step("d", market.DealTerminate, market.DealStep{Reason: "需求变化"})
		open("e", b1)
		f.clock.Add(4 * day)
		step("e", market.DealSign, market.DealStep{Amount: amount(10)}) // 4 days

		got, err := f.svc.BrokerPerformance(ctx, []int64{b1.UserID, b2.UserID, b3.UserID})
		if err != nil {
			t.Fatal(err)
		}
		p := got[b1.UserID]
		if p.Handled != 4 || p.Signed != 4 || p.Registered != 2 || p.TechAmount != 80 || p.MedianDays == nil || *p.MedianDays != 3.5 {
			t.Errorf("b1 = %+v (median %v), want 4 handled, 4 signed, 2 registered, 80 万元, median 3.5 days", p, p.MedianDays)
		}
		p = got[b2.UserID]
		if p.Handled != 1 || p.Signed != 0 || p.Registered != 0 || p.TechAmount != 0 || p.MedianDays != nil {
			t.Errorf("b2 = %+v, want 1 handled and nothing else", p)
		}
		if _, ok := got[b3.UserID]; ok {
			t.Errorf("b3 without deals = %+v, want absent", got[b3.UserID])
		}
	})
}
