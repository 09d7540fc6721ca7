package demo_test

import (
	"context"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/demo"
	"kechuang/internal/sqldb"
)

// TestLoadPolicyClaims: on the demo registry every shipped policy has
// eligible firms, some firm may meet one with its missing data named, and
// claims in both states exist; a second load adds nothing.
func TestLoadPolicyClaims(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, accts := loadDemoAccounts(t, db)
		rules, err := cultivation.LoadRuleSets(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		pb, err := cultivation.LoadPolicies(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		svc := cultivation.NewService(db, rules, func() time.Time { return now })
		svc.UsePolicies(pb)
		if _, err := demo.LoadEnterprises(ctx, db, accts, svc, now); err != nil {
			t.Fatal(err)
		}
		n, err := demo.LoadPolicyClaims(ctx, db, accts, svc, now)
		if err != nil || n < 4 {
			t.Fatalf("LoadPolicyClaims() = %d, %v; want at least 4 claims", n, err)
		}
		if again, err := demo.LoadPolicyClaims(ctx, db, accts, svc, now); err != nil || again != 0 {
			t.Errorf("second LoadPolicyClaims() = %d, %v; want 0", again, err)
		}
		staffU, _ := accts.GetUserByName(ctx, account.System, "staff")
		staff := account.Actor{UserID: staffU.ID, Username: "staff", Role: account.RoleStaff, Region: demo.HomeRegion}
		sum, err := svc.PolicySummary(ctx, staff)
		if err != nil {
			t.Fatal(err)
		}
		possible, received, applied := 0, 0, 0
		for _, u := range sum {
			if u.Total.Eligible == 0 || u.Total.Unclaimed == 0 || u.Total.UnclaimedAmount <= 0 {
				t.Errorf("%s: %+v; want eligible firms not yet claiming", u.Policy, u.Total)
			}
			possible += u.Total.Possible
			received += u.Total.Received
			applied += u.Total.Claimed - u.Total.Received
		}
		if possible == 0 || received == 0 || applied == 0 {
			t.Errorf("possible %d, received %d, applied %d; want some of each", possible, received, applied)
		}
	})
}
