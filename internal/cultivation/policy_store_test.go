package cultivation_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

func policyStatus(t *testing.T, list []cultivation.EnterprisePolicy, id string) cultivation.EnterprisePolicy {
	t.Helper()
	for _, p := range list {
		if p.Policy == id {
			return p
		}
	}
	t.Fatalf("policy %s not in %+v", id, list)
	return cultivation.EnterprisePolicy{}
}

func TestPolicyClaimsAndUptake(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		pb, err := cultivation.LoadPolicies(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		r.svc.UsePolicies(pb)
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		tc := r.actor(t, "tc", account.RoleCounty, "320585")
		city := r.actor(t, "city", account.RoleStaff, "320500")
		firmUser := r.actor(t, "firm", account.RoleEnterprise, "320583")
		otherFirm := r.actor(t, "firm2", account.RoleEnterprise, "320583")

		// A: 昆山, new little giant, R&D 200万 → 300万: eligible for both with amounts 100万 and 10万.
		a, err := r.svc.CreateEnterprise(ctx, ks, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1PQL001"),
			Name: "昆山政策甲有限公司", RegionCode: "320583", AccountID: firmUser.UserID,
			Certificates: []cultivation.Certificate{{Type: "little-giant", Issued: date("2025-10-01")}}})
		if err != nil {
			t.Fatal(err)
		}
		for y, rd := range map[int]float64{2024: 2e6, 2025: 3e6} {
			if err := r.svc.PutYear(ctx, ks, a.ID, cultivation.YearRecord{Year: y, Figures: cultivation.YearFigures{Revenue: ptr(50e6), RDExpense: ptr(rd)}}); err != nil {
				t.Fatal(err)
			}
		}
		// B: 太仓, new 高企, no 2025 revenue: may meet the 高企 reward, revenue named.
		b, err := r.svc.CreateEnterprise(ctx, tc, cultivation.Enterprise{CreditCode: creditCode(t, "91320585MA1PQL002"),
			Name: "太仓政策乙有限公司", RegionCode: "320585",
			Certificates: []cultivation.Certificate{{Type: "high-tech", Issued: date("2025-12-15")}}})
		if err != nil {
			t.Fatal(err)
		}

		list, err := r.svc.EnterprisePolicies(ctx, firmUser, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		lg := policyStatus(t, list, "suzhou-little-giant")
		if lg.Status != cultivation.MatchEligible || lg.Amount == nil || *lg.Amount != 1e6 || lg.Claim != nil {
			t.Errorf("A little giant = %+v", lg)
		}
		rd := policyStatus(t, list, "jiangsu-rd-increase")
		if rd.Status != cultivation.MatchEligible || rd.Amount == nil || *rd.Amount != 1e5 {
			t.Errorf("A R&D = %s %v, want eligible 100000", rd.Status, rd.Amount)
		}
		if list[0].Status != cultivation.MatchEligible || list[len(list)-1].Status != cultivation.MatchIneligible {
			t.Errorf("order = %v…%v, want eligible first, ineligible last", list[0].Status, list[len(list)-1].Status)
		}
		listB, err := r.svc.EnterprisePolicies(ctx, tc, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		ht := policyStatus(t, listB, "suzhou-high-tech-first")
		if ht.Status != cultivation.MatchPossible || ht.Amount != nil || len(ht.Missing) != 1 || ht.Missing[0] != "years.2025.revenue" {
			t.Errorf("B 高企 = %s %v missing %q, want possible with 2025 revenue missing", ht.Status, ht.Amount, ht.Missing)
		}

		// County isolation: 太仓 staff and another firm's account do not see A.
		if _, err := r.svc.EnterprisePolicies(ctx, tc, a.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other county EnterprisePolicies = %v, want NotFound", err)
		}
		if _, err := r.svc.SetPolicyClaim(ctx, tc, a.ID, "suzhou-little-giant", cultivation.ClaimUpdate{Status: "applied"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other county SetPolicyClaim = %v, want NotFound", err)
		}
		if _, err := r.svc.SetPolicyClaim(ctx, otherFirm, a.ID, "suzhou-little-giant", cultivation.ClaimUpdate{Status: "applied"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other firm SetPolicyClaim = %v, want NotFound", err)
		}
		if _, err := r.svc.PolicyUptake(ctx, ks, "suzhou-little-giant", "320585"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("昆山 staff asking for 太仓 = %v, want NotFound", err)
		}
		if _, err := r.svc.SetPolicyClaim(ctx, ks, a.ID, "no-such-policy", cultivation.ClaimUpdate{Status: "applied"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown policy = %v, want NotFound", err)
		}
		for _, bad := range []cultivation.ClaimUpdate{{Status: "won"}, {Status: "applied", Amount: ptr(5)}, {Status: "received", Amount: ptr(-1)}} {
			if _, err := r.svc.SetPolicyClaim(ctx, ks, a.ID, "suzhou-little-giant", bad); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("SetPolicyClaim(%+v) = %v, want Invalid", bad, err)
			}
		}

		// Before any claim: the city sees A unclaimed in 昆山 (110万) and B possible in 太仓.
		sum, err := r.svc.PolicySummary(ctx, city)
		if err != nil {
			t.Fatal(err)
		}
		var unclaimed float64
		for _, u := range sum {
			unclaimed += u.Total.UnclaimedAmount
		}
		if unclaimed != 1.1e6 {
			t.Errorf("city unclaimed total = %v, want 1100000", unclaimed)
		}

		// The firm marks the little-giant reward applied; staff then received with the amount.
		c, err := r.svc.SetPolicyClaim(ctx, firmUser, a.ID, "suzhou-little-giant", cultivation.ClaimUpdate{Status: "applied", Note: "已提交"})
		if err != nil || c.Status != "applied" {
			t.Fatalf("firm claim = %+v, %v", c, err)
		}
		if _, err := r.svc.SetPolicyClaim(ctx, ks, a.ID, "suzhou-little-giant", cultivation.ClaimUpdate{Status: "received", Amount: ptr(1e6)}); err != nil {
			t.Fatal(err)
		}
		// The firm's account hears of the staff's mark, in its language.
		for lang, want := range map[string]string{i18n.Chinese: "的申报状态已更新为：已兑现", i18n.English: "is now: Received"} {
			box, err := notice.NewService(db, func() time.Time { return r.now }).Inbox(ctx, firmUser, lang, notice.Filter{})
			if err != nil || len(box.Items) != 1 || !strings.Contains(box.Items[0].Title, want) {
				t.Errorf("%s inbox = %+v, %v; want one notice containing %q", lang, box.Items, err, want)
			}
		}
		u, err := r.svc.PolicyUptake(ctx, ks, "suzhou-little-giant", "")
		if err != nil {
			t.Fatal(err)
		}
		if u.Total.Eligible != 1 || u.Total.Received != 1 || u.Total.Unclaimed != 0 || u.Total.UnclaimedAmount != 0 {
			t.Errorf("昆山 uptake after receipt = %+v", u.Total)
		}
		if len(u.Counties) != 1 || u.Counties[0].RegionCode != "320583" {
			t.Errorf("county staff see counties %+v, want 昆山 only", u.Counties)
		}
		list, _ = r.svc.EnterprisePolicies(ctx, firmUser, a.ID)
		if cl := policyStatus(t, list, "suzhou-little-giant").Claim; cl == nil || cl.Status != "received" || cl.Amount == nil || *cl.Amount != 1e6 {
			t.Errorf("claim after receipt = %+v", cl)
		}
		// Clearing the mark puts the firm back among the unclaimed.
		if _, err := r.svc.SetPolicyClaim(ctx, ks, a.ID, "suzhou-little-giant", cultivation.ClaimUpdate{}); err != nil {
			t.Fatal(err)
		}
		u, _ = r.svc.PolicyUptake(ctx, city, "suzhou-little-giant", "320583")
		if u.Total.Unclaimed != 1 || u.Total.UnclaimedAmount != 1e6 || len(u.Firms) != 1 || u.Firms[0].Claim != "" {
			t.Errorf("after clearing = %+v firms %+v", u.Total, u.Firms)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action IN ('policy_claim.set', 'policy_claim.clear')").Scan(&n); err != nil || n != 3 {
			t.Errorf("claim audit rows = %d, %v; want 3", n, err)
		}

		// 免申即享 export: the little-giant list holds A; the 高企 reward is not 免申即享.
		var buf bytes.Buffer
		if err := r.svc.ExportNoApplication(ctx, city, "suzhou-little-giant", "", &buf); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("免申即享")
		found := false
		for _, row := range rows {
			for _, cell := range row {
				if cell == "昆山政策甲有限公司" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("export rows %q lack the eligible firm", rows)
		}
		if err := r.svc.ExportNoApplication(ctx, city, "suzhou-high-tech-first", "", &bytes.Buffer{}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("export of a policy that needs an application = %v, want Invalid", err)
		}
		if _, err := r.svc.PolicySummary(ctx, firmUser); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise PolicySummary = %v, want Forbidden", err)
		}
	})
}

// TestPolicyPredicatesMatchTheRules checks each policy predicate a page
// asks against the method it stands for, role by role.
func TestPolicyPredicatesMatchTheRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC))
		pb, err := cultivation.LoadPolicies(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		r.svc.UsePolicies(pb)
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		for i, role := range account.Roles {
			region := "320583"
			switch role {
			case account.RoleAdmin, account.RoleSecurity, account.RoleAuditor:
				region = ""
			case account.RoleStaff:
				region = "320500"
			}
			a := r.actor(t, "u"+strconv.Itoa(i), role, region)
			e := cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1PQL"+strconv.Itoa(100+i)), Name: "昆山谓词示例有限公司" + strconv.Itoa(i),
				RegionCode: "320583"}
			if role == account.RoleEnterprise {
				e.AccountID = a.UserID
			}
			e, err := r.svc.CreateEnterprise(ctx, ks, e)
			if err != nil {
				t.Fatal(err)
			}
			refused := func(err error) bool { return apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.NotFound) }
			_, err = r.svc.GetPolicy(a, "suzhou-little-giant")
			check(t, role, "CanViewPolicies", r.svc.CanViewPolicies(a), !refused(err))
			_, err = r.svc.PolicySummary(ctx, a)
			check(t, role, "CanViewPolicyUptake", r.svc.CanViewPolicyUptake(a), !refused(err))
			_, err = r.svc.SetPolicyClaim(ctx, a, e.ID, "suzhou-little-giant", cultivation.ClaimUpdate{Status: cultivation.ClaimApplied})
			check(t, role, "CanClaimPolicy", r.svc.CanClaimPolicy(a, e), !refused(err))
		}
	})
}
