package demo_test

import (
	"context"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/demo"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

func TestLoadMatchAnswers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, accts := loadDemoAccounts(t, db)
		ref, err := market.LoadReference(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.LoadMarket(ctx, db, accts, ref, "First-Pass-2026", time.Now()); err != nil {
			t.Fatal(err)
		}
		svc := market.NewService(db, ref, demo.HomeRegion, nil)
		x, err := market.OpenIndexer(ctx, svc, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := demo.LoadMatchAnswers(ctx, db, accts, svc, x)
		if err != nil || n < 20 {
			t.Fatalf("LoadMatchAnswers() = %d, %v; want at least 20 answers", n, err)
		}
		if again, err := demo.LoadMatchAnswers(ctx, db, accts, svc, x); err != nil || again != 0 {
			t.Errorf("second LoadMatchAnswers() = %d, %v; want 0", again, err)
		}
		u, err := accts.GetUserByName(ctx, account.System, "staff")
		if err != nil {
			t.Fatal(err)
		}
		st, err := svc.MatchStatistics(ctx, account.Actor{UserID: u.ID, Role: account.RoleStaff, Region: demo.HomeRegion}, "")
		if err != nil || st.Accepted == 0 || st.Declined == 0 {
			t.Errorf("statistics after the demo = %+v, %v; want accepts and declines", st, err)
		}
	})
}
