package directory_test

import (
	"context"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

func TestFundPortfolio(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		city := f.actor("city", account.RoleStaff, "320500")
		ks := f.actor("ks", account.RoleCounty, "320583")
		inv := f.actor("inv", account.RoleInvestor, "320500")
		rival := f.actor("rival", account.RoleInvestor, "320500")
		anon := account.Anonymous

		in := directory.FundInput{Name: "苏州天使投资引导基金（演示）", Type: "guidance", Manager: "苏州创新投资管理有限公司",
			Subscribed: 50000, Paid: 20000, Stages: []string{"seed", "startup"}, Domains: []string{"电子信息", "生物与新医药/医药生物技术"},
			Established: "2020-06-01", RegionCode: "320500", OwnerID: inv.UserID}
		bad := in
		bad.Subscribed, bad.Paid, bad.Stages, bad.RegionCode, bad.Type = 0, 10, []string{"series-z"}, "320000", "hedge"
		_, err := f.svc.CreateFund(ctx, city, bad)
		wantFields(t, "bad fund", err, map[string]string{"subscribed": "directory.amount_positive", "paid": "directory.paid_over_subscribed",
			"stages": "directory.choice_unknown", "region_code": "directory.region_city_county", "type": "directory.choice_unknown"})
		_, err = f.svc.CreateFund(ctx, ks, in)
		wantFields(t, "county staff create a city fund", err, map[string]string{"region_code": "directory.region_outside_scope"})
		fund, err := f.svc.CreateFund(ctx, city, in)
		if err != nil {
			t.Fatalf("create fund: %v", err)
		}

		// The manager's account keeps the portfolio.
		a, err := f.svc.AddInvestment(ctx, inv, fund.ID, directory.InvestmentInput{CreditCode: "91320583MA1MTE8T0X", Round: "a", Amount: 1500,
			InvestedOn: "2024-05-01"})
		if err != nil || a.EnterpriseID != 77 || a.Name != "昆山视觉智能科技有限公司" {
			t.Fatalf("investment linked to the registry = %+v, %v", a, err)
		}
		if _, err := f.svc.AddInvestment(ctx, inv, fund.ID, directory.InvestmentInput{Name: "光子创客团队", Round: "angel", Amount: 300.5,
			InvestedOn: "2021-03-01"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddInvestment(ctx, city, fund.ID, directory.InvestmentInput{Name: "苏州细胞治疗有限公司", Round: "pre-a",
			Amount: 800, InvestedOn: "2025-11-20"}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AddInvestment(ctx, inv, fund.ID, directory.InvestmentInput{Name: "甲", Round: "z", Amount: -5, InvestedOn: "2019-01-01",
			CreditCode: badCheckDigit})
		wantFields(t, "bad investment", err, map[string]string{"round": "directory.choice_unknown", "investment_amount": "directory.amount_positive",
			"invested_on": "directory.investment_before_fund", "credit_code": "directory.credit_code_invalid"})
		_, err = f.svc.AddInvestment(ctx, inv, fund.ID, directory.InvestmentInput{Name: "乙", Round: "a", Amount: 1, InvestedOn: "2026-12-01"})
		wantFields(t, "investment in the future", err, map[string]string{"invested_on": "directory.date_future"})
		for _, who := range []account.Actor{rival, ks} {
			_, err := f.svc.AddInvestment(ctx, who, fund.ID, directory.InvestmentInput{Name: "丙", Round: "a", Amount: 1, InvestedOn: "2025-01-01"})
			wantKind(t, who.Username+" adds to another's portfolio", err, apperr.NotFound)
			wantKind(t, who.Username+" edits a row", func() error {
				_, err := f.svc.UpdateInvestment(ctx, who, a.ID, directory.InvestmentInput{Name: "丙", Round: "a", Amount: 1, InvestedOn: "2025-01-01"})
				return err
			}(), apperr.NotFound)
		}

		// Amounts are commercial data: the fund's editors and staff see
		// them, visitors see the rows without.
		rows, total, err := f.svc.FindInvestments(ctx, anon, fund.ID, directory.InvestmentFilter{})
		if err != nil || total != 3 || rows[0].Name != "苏州细胞治疗有限公司" || rows[0].Amount != nil {
			t.Errorf("anonymous portfolio = %+v (%d), %v; want 3 rows newest first, no amounts", rows, total, err)
		}
		rows, _, _ = f.svc.FindInvestments(ctx, inv, fund.ID, directory.InvestmentFilter{Round: "angel"})
		if len(rows) != 1 || rows[0].Amount == nil || *rows[0].Amount != 300.5 {
			t.Errorf("owner's angel rows = %+v, want the 300.5 row with its amount", rows)
		}
		sum, err := f.svc.Portfolio(ctx, inv, fund.ID)
		if err != nil || sum.Investments != 3 || sum.Enterprises != 3 || sum.Amount == nil || *sum.Amount != 2600.5 ||
			*sum.Deployed != (directory.Ratio{Num: 2600.5, Den: 20000}) || sum.First != "2021-03-01" || sum.Last != "2025-11-20" ||
			len(sum.ByRound) != 3 || sum.ByRound[0].Round != "angel" {
			t.Errorf("owner's summary = %+v, %v", sum, err)
		}
		sum, err = f.svc.Portfolio(ctx, anon, fund.ID)
		if err != nil || sum.Amount != nil || sum.Deployed != nil || sum.Investments != 3 {
			t.Errorf("anonymous summary = %+v, %v; want counts without amounts", sum, err)
		}

		// Filters, and a staff-only fund.
		for _, tt := range []struct {
			name string
			f    directory.FundFilter
			want int
		}{
			{"stage", directory.FundFilter{Stage: "seed"}, 1}, {"other stage", directory.FundFilter{Stage: "mature"}, 0},
			{"second level covered by its top level", directory.FundFilter{Domain: "电子信息/软件"}, 1},
			{"top level covered by a second level", directory.FundFilter{Domain: "生物与新医药"}, 1},
			{"another second level", directory.FundFilter{Domain: "生物与新医药/中药、天然药物"}, 0},
			{"manager", directory.FundFilter{Query: "创新投资"}, 1}, {"region", directory.FundFilter{Region: "320583"}, 0},
		} {
			_, total, err := f.svc.FindFunds(ctx, anon, tt.f)
			if err != nil || total != tt.want {
				t.Errorf("FindFunds(%s) = %d, %v; want %d", tt.name, total, err, tt.want)
			}
		}
		hidden := in
		hidden.Name, hidden.Visibility = "内部产业基金", directory.VisibleStaff
		h, err := f.svc.CreateFund(ctx, city, hidden)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.GetFund(ctx, anon, h.ID)
		wantKind(t, "anonymous reads a staff-only fund", err, apperr.NotFound)
		_, _, err = f.svc.FindInvestments(ctx, rival, h.ID, directory.InvestmentFilter{})
		wantKind(t, "another investor reads a staff-only fund's portfolio", err, apperr.NotFound)
		if _, err := f.svc.GetFund(ctx, inv, h.ID); err != nil {
			t.Errorf("its owner reads the staff-only fund: %v", err)
		}

		// Only staff delete; the portfolio goes with the fund.
		wantKind(t, "owner deletes the fund", f.svc.DeleteFund(ctx, inv, fund.ID), apperr.NotFound)
		if err := f.svc.DeleteFund(ctx, city, fund.ID); err != nil {
			t.Fatalf("delete fund: %v", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM fund_investments WHERE fund_id = ?", fund.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("portfolio rows after deleting the fund = %d, %v", n, err)
		}
		if got := f.auditActions("fund", idText(fund.ID)); len(got) != 5 || got[1] != "investment.create" || got[4] != "fund.delete" {
			t.Errorf("fund audit = %v", got)
		}
	})
}

func TestBrokerProfilesAndInvestorPreferences(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		gusu := f.actor("gusu", account.RoleCounty, "320508")
		ks := f.actor("ks", account.RoleCounty, "320583")
		city := f.actor("city", account.RoleStaff, "320500")
		bk := f.actor("bk", account.RoleBroker, "320508")
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		inv := f.actor("inv", account.RoleInvestor, "320583")
		rival := f.actor("rival", account.RoleInvestor, "320583")
		anon := account.Anonymous
		f.perf.data[bk.UserID] = directory.Performance{Handled: 5, Signed: 2, Registered: 1, TechAmount: 120, MedianDays: fp(41)}

		_, err := f.svc.PutBrokerProfile(ctx, bk, bk.UserID, directory.BrokerInput{Grade: "intermediate"})
		wantFields(t, "grade without certificate", err, map[string]string{"certificate_no": "directory.certificate_for_grade"})
		p, err := f.svc.PutBrokerProfile(ctx, bk, bk.UserID, directory.BrokerInput{CertificateNo: "JSJJ-2024-0031", Grade: "intermediate",
			Organization: "苏州技术转移中心", Fields: []string{"先进制造与自动化"}})
		if err != nil || p.RegionCode != "320508" || p.Name != "bk" || !p.Perms.Edit {
			t.Fatalf("broker writes its profile = %+v, %v", p, err)
		}
		_, err = f.svc.PutBrokerProfile(ctx, ent, bk.UserID, directory.BrokerInput{})
		wantKind(t, "enterprise writes a broker's profile", err, apperr.NotFound)
		_, err = f.svc.PutBrokerProfile(ctx, ent, ent.UserID, directory.BrokerInput{})
		wantKind(t, "enterprise writes a broker profile for itself", err, apperr.NotFound)
		_, err = f.svc.PutBrokerProfile(ctx, ks, bk.UserID, directory.BrokerInput{CertificateNo: "x"})
		wantKind(t, "county staff of another county", err, apperr.NotFound)
		if _, err := f.svc.PutBrokerProfile(ctx, gusu, bk.UserID, directory.BrokerInput{CertificateNo: "JSJJ-2024-0031", Grade: "senior",
			Organization: "苏州技术转移中心", Fields: []string{"先进制造与自动化"}}); err != nil {
			t.Errorf("county staff of its county: %v", err)
		}
		got, err := f.svc.GetBrokerProfile(ctx, anon, bk.UserID)
		if err != nil || got.Grade != "senior" || got.Performance == nil || got.Performance.Signed != 2 || *got.Performance.MedianDays != 41 {
			t.Errorf("anonymous reads the profile = %+v, %v; want it with the market's performance", got, err)
		}
		list, total, err := f.svc.FindBrokerProfiles(ctx, anon, directory.BrokerFilter{Field: "先进制造与自动化/新型机械"})
		if err != nil || total != 1 || list[0].Performance == nil {
			t.Errorf("FindBrokerProfiles(a second level of its field) = %+v, %v", list, err)
		}
		// A disabled broker leaves the public directory; staff still see it.
		if err := f.accts.SetDisabled(ctx, account.System, bk.UserID, true); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.GetBrokerProfile(ctx, anon, bk.UserID)
		wantKind(t, "anonymous reads a disabled broker", err, apperr.NotFound)
		if _, total, _ := f.svc.FindBrokerProfiles(ctx, ent, directory.BrokerFilter{}); total != 0 {
			t.Errorf("member lists %d brokers, want the disabled one left out", total)
		}
		if _, total, _ := f.svc.FindBrokerProfiles(ctx, city, directory.BrokerFilter{}); total != 1 {
			t.Errorf("staff list %d brokers, want 1", total)
		}

		// Investor preferences: members see them, matching filters them.
		_, err = f.svc.PutInvestorPreferences(ctx, inv, inv.UserID, directory.InvestorInput{TicketMin: fp(500), TicketMax: fp(100),
			Regions: []string{"999999"}, Stages: []string{"pre-seed"}})
		wantFields(t, "bad preferences", err, map[string]string{"ticket_max": "directory.ticket_order", "regions": "directory.choice_unknown",
			"stages": "directory.choice_unknown"})
		prefs, err := f.svc.PutInvestorPreferences(ctx, inv, inv.UserID, directory.InvestorInput{Domains: []string{"生物与新医药"},
			Stages: []string{"seed", "startup"}, TicketMin: fp(100), TicketMax: fp(2000), Regions: []string{"320500"}})
		if err != nil || prefs.Visibility != directory.VisibleMembers || prefs.RegionCode != "320583" {
			t.Fatalf("investor writes its preferences = %+v, %v", prefs, err)
		}
		_, err = f.svc.PutInvestorPreferences(ctx, rival, inv.UserID, directory.InvestorInput{})
		wantKind(t, "another investor writes them", err, apperr.NotFound)
		_, err = f.svc.GetInvestorPreferences(ctx, anon, inv.UserID)
		wantKind(t, "anonymous reads members-only preferences", err, apperr.NotFound)
		for _, tt := range []struct {
			name string
			f    directory.InvestorFilter
			want int
		}{
			{"county inside a stated city", directory.InvestorFilter{Region: "320583"}, 1},
			{"another province", directory.InvestorFilter{Region: "310101"}, 0},
			{"ticket inside", directory.InvestorFilter{Ticket: fp(500)}, 1},
			{"ticket above", directory.InvestorFilter{Ticket: fp(5000)}, 0},
			{"second level of a stated domain", directory.InvestorFilter{Domain: "生物与新医药/医药生物技术"}, 1},
			{"stage", directory.InvestorFilter{Stage: "growth"}, 0},
		} {
			_, total, err := f.svc.FindInvestorPreferences(ctx, ent, tt.f)
			if err != nil || total != tt.want {
				t.Errorf("FindInvestorPreferences(%s) = %d, %v; want %d", tt.name, total, err, tt.want)
			}
		}
		if _, total, _ := f.svc.FindInvestorPreferences(ctx, anon, directory.InvestorFilter{}); total != 0 {
			t.Errorf("anonymous lists %d investors, want none (members only)", total)
		}
		ab, err := f.svc.Abilities(ctx, inv)
		if err != nil || !ab.InvestorPreferences || ab.BrokerProfile || ab.Manage {
			t.Errorf("Abilities(investor) = %+v, %v", ab, err)
		}
		if got := f.auditActions("investor_preferences", idText(inv.UserID)); len(got) != 1 || got[0] != "investor_preferences.put" {
			t.Errorf("preferences audit = %v", got)
		}
	})
}

func TestServiceOrgs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		gusu := f.actor("gusu", account.RoleCounty, "320508")
		ks := f.actor("ks", account.RoleCounty, "320583")
		owner := f.actor("ipfirm", account.RoleEnterprise, "320508")
		other := f.actor("other", account.RoleEnterprise, "320508")
		anon := account.Anonymous

		in := directory.ServiceOrgInput{Name: "苏州知识产权代理事务所（演示）", CreditCode: "91320508MA1N00000X", Type: "ip",
			Services: []string{"专利申请代理", "专利导航"}, Fields: []string{"电子信息", "新材料/高分子材料"},
			Qualifications: []string{"专利代理机构执业许可证"}, Contact: directory.Contact{Name: "周律师", Email: "ip@example.com"},
			RegionCode: "320508", OwnerID: owner.UserID}
		bad := in
		bad.Type, bad.Fields, bad.Services, bad.OwnerID = "astrology", []string{"玄学"}, make([]string, 31), gusu.UserID
		for i := range bad.Services {
			bad.Services[i] = "服务" + idText(int64(i))
		}
		_, err := f.svc.CreateServiceOrg(ctx, gusu, bad)
		wantFields(t, "bad service organisation", err, map[string]string{"type": "directory.choice_unknown",
			"fields": "directory.choice_unknown", "services": "directory.too_many", "owner_id": "directory.owner_invalid"})
		_, err = f.svc.CreateServiceOrg(ctx, owner, in)
		wantKind(t, "enterprise creates", err, apperr.Forbidden)
		o, err := f.svc.CreateServiceOrg(ctx, gusu, in)
		if err != nil {
			t.Fatalf("create service organisation: %v", err)
		}
		_, err = f.svc.CreateServiceOrg(ctx, gusu, in)
		wantFields(t, "same credit code again", err, map[string]string{"credit_code": "directory.credit_code_taken"})

		if got, err := f.svc.GetServiceOrg(ctx, anon, o.ID); err != nil || got.Contact != (directory.Contact{}) || got.OwnerID != 0 {
			t.Errorf("anonymous view = %+v, %v; want no contact, no owner", got, err)
		}
		edit := in
		edit.Services, edit.RegionCode, edit.Visibility, edit.OwnerID = []string{"专利申请代理"}, "", directory.VisibleStaff, 0
		got, err := f.svc.UpdateServiceOrg(ctx, owner, o.ID, edit)
		if err != nil || got.RegionCode != "320508" || got.OwnerID != owner.UserID || len(got.Services) != 1 {
			t.Errorf("owner edits = %+v, %v; want region and owner kept", got, err)
		}
		_, err = f.svc.GetServiceOrg(ctx, anon, o.ID)
		wantKind(t, "anonymous reads a staff-only organisation", err, apperr.NotFound)
		_, err = f.svc.GetServiceOrg(ctx, ks, o.ID)
		wantKind(t, "another county reads it", err, apperr.NotFound)
		_, err = f.svc.UpdateServiceOrg(ctx, other, o.ID, edit)
		wantKind(t, "another enterprise edits", err, apperr.NotFound)
		wantKind(t, "owner deletes", f.svc.DeleteServiceOrg(ctx, owner, o.ID), apperr.NotFound)
		for _, tt := range []struct {
			name string
			f    directory.ServiceOrgFilter
			want int
		}{
			{"type", directory.ServiceOrgFilter{Type: "ip"}, 1}, {"another type", directory.ServiceOrgFilter{Type: "legal"}, 0},
			{"field's second level", directory.ServiceOrgFilter{Field: "电子信息/软件"}, 1},
			{"field's top level", directory.ServiceOrgFilter{Field: "新材料"}, 1},
		} {
			_, total, err := f.svc.FindServiceOrgs(ctx, owner, tt.f)
			if err != nil || total != tt.want {
				t.Errorf("owner's FindServiceOrgs(%s) = %d, %v; want %d", tt.name, total, err, tt.want)
			}
		}
		if _, total, _ := f.svc.FindServiceOrgs(ctx, other, directory.ServiceOrgFilter{}); total != 0 {
			t.Errorf("another enterprise lists %d staff-only organisations", total)
		}
		if err := f.svc.DeleteServiceOrg(ctx, gusu, o.ID); err != nil {
			t.Fatalf("staff delete: %v", err)
		}
		if got := f.auditActions("service_org", idText(o.ID)); len(got) != 3 || got[2] != "service_org.delete" {
			t.Errorf("service organisation audit = %v", got)
		}
	})
}
