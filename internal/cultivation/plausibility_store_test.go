package cultivation_test

import (
	"context"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

func TestFlagChecks(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		ks.DisplayName = "昆山科技局张三"
		tc := r.actor(t, "tc", account.RoleCounty, "320585")
		city := r.actor(t, "city", account.RoleStaff, "320500")
		firmUser := r.actor(t, "firm", account.RoleEnterprise, "320583")
		e, err := r.svc.CreateEnterprise(ctx, ks, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1XYK123"),
			Name: "昆山示例精密制造有限公司", RegionCode: "320583", AccountID: firmUser.UserID})
		if err != nil {
			t.Fatal(err)
		}
		put := func(year int, rd float64) {
			t.Helper()
			if err := r.svc.PutYear(ctx, ks, e.ID, cultivation.YearRecord{Year: year,
				Figures: cultivation.YearFigures{Revenue: ptr(100e6), RDExpense: ptr(rd)}}); err != nil {
				t.Fatal(err)
			}
		}
		put(2024, 2e6)
		put(2025, 6e6) // 2% → 6%: +4 pp
		flags, err := r.svc.Flags(ctx, ks, e.ID)
		if err != nil || len(flags) != 1 || flags[0].Code != cultivation.FlagRDRatioJump || flags[0].Check != nil {
			t.Fatalf("Flags = %+v, %v", flags, err)
		}
		// Another county: not found; the firm itself: forbidden (it sees its profile, not the flags).
		if _, err := r.svc.Flags(ctx, tc, e.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other county Flags = %v, want NotFound", err)
		}
		if _, err := r.svc.CheckFlag(ctx, tc, e.ID, cultivation.FlagRDRatioJump, []int{2024, 2025}, "看过"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other county CheckFlag = %v, want NotFound", err)
		}
		if _, err := r.svc.Flags(ctx, firmUser, e.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise Flags = %v, want Forbidden", err)
		}
		if _, err := r.svc.CheckFlag(ctx, firmUser, e.ID, cultivation.FlagRDRatioJump, []int{2024, 2025}, "看过"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("enterprise CheckFlag = %v, want Forbidden", err)
		}
		if _, err := r.svc.CheckFlag(ctx, ks, e.ID, cultivation.FlagRDRatioJump, []int{2024, 2025}, "  "); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("empty note = %v, want Invalid", err)
		}
		if _, err := r.svc.CheckFlag(ctx, ks, e.ID, cultivation.FlagEmployeesJump, []int{2024, 2025}, "x"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("flag not raised = %v, want NotFound", err)
		}
		f, err := r.svc.CheckFlag(ctx, ks, e.ID, cultivation.FlagRDRatioJump, []int{2024, 2025}, "已查研发辅助账，属实")
		if err != nil || f.Check == nil || f.Check.By != "昆山科技局张三" {
			t.Fatalf("CheckFlag = %+v, %v", f, err)
		}
		// The city bureau sees the check; checking again replaces the note.
		flags, err = r.svc.Flags(ctx, city, e.ID)
		if err != nil || len(flags) != 1 || flags[0].Check == nil || flags[0].Check.Note != "已查研发辅助账，属实" ||
			!flags[0].Check.At.Equal(r.now) {
			t.Fatalf("Flags after check = %+v, %v", flags, err)
		}
		if _, err := r.svc.CheckFlag(ctx, city, e.ID, cultivation.FlagRDRatioJump, []int{2024, 2025}, "复核无误"); err != nil {
			t.Fatal(err)
		}
		flags, _ = r.svc.Flags(ctx, ks, e.ID)
		if flags[0].Check == nil || flags[0].Check.Note != "复核无误" {
			t.Errorf("after second check = %+v", flags[0].Check)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'enterprise_flag.check'").Scan(&n); err != nil || n != 2 {
			t.Errorf("audit rows = %d, %v; want 2", n, err)
		}
		// Changing the data under the flag: the check no longer applies.
		put(2025, 6.5e6)
		flags, _ = r.svc.Flags(ctx, ks, e.ID)
		if len(flags) != 1 || flags[0].Check != nil {
			t.Errorf("after the data changed = %+v, want the flag unchecked", flags)
		}
		// Restoring the old value brings the old check back: it is keyed by the values.
		put(2025, 6e6)
		flags, _ = r.svc.Flags(ctx, ks, e.ID)
		if len(flags) != 1 || flags[0].Check == nil {
			t.Errorf("after restoring = %+v, want the check", flags)
		}
	})
}
