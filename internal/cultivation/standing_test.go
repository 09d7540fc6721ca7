package cultivation_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

// TestCertificateStates is the regression test for #11: the profile listed
// "科技型中小企业（2025-02-08）" as held in 2026 although a 科小 registration
// lasts its year. Every certificate carries its validity.
func TestCertificateStates(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	certs := []cultivation.Certificate{
		{Type: "tech-sme", Issued: date("2025-02-08")},
		{Type: "tech-sme", Issued: date("2026-03-01")},
		{Type: "high-tech", Issued: date("2023-12-04")},
		{Type: "high-tech", Issued: date("2023-12-03")},
		{Type: "innovative-sme", Issued: date("2025-01-10"), Expires: date("2026-06-30")},
		{Type: "ip-advantage", Issued: date("2020-01-01")},
	}
	got := cultivation.CertificateStates(certs, asOf)
	type row struct {
		Type, Until string
		Valid       bool
	}
	var rows []row
	for _, c := range got {
		u := ""
		if !c.Until.IsZero() {
			u = c.Until.Format("2006-01-02")
		}
		rows = append(rows, row{c.Type, u, c.Valid})
	}
	want := []row{
		{"tech-sme", "2025-12-31", false},
		{"tech-sme", "2026-12-31", true},
		{"high-tech", "2026-12-03", true},  // three years from issue: the last day is the day before
		{"high-tech", "2026-12-02", false}, // lapsed yesterday
		{"innovative-sme", "2026-06-30", false},
		{"ip-advantage", "", true}, // off the ladder, no expiry given: not known to lapse
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("CertificateStates() (-want +got):\n%s", diff)
	}
	if !got[0].Expired(asOf) || got[1].Expired(asOf) || !got[0].CalendarYear {
		t.Errorf("Expired/CalendarYear of the 科小 registrations = %v/%v, %v", got[0].Expired(asOf), got[0].CalendarYear, got[1].Expired(asOf))
	}
}

func TestStanding(t *testing.T) {
	t.Parallel()
	asOf := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		certs     []cultivation.Certificate
		confirmed string
		listed    bool
		wantTier  string
		wantBasis string
	}{
		{name: "nothing: 未入库", wantTier: "", wantBasis: ""},
		{name: "an expired 科小 places nothing", certs: []cultivation.Certificate{{Type: "tech-sme", Issued: date("2025-02-08")}}},
		{name: "a valid 科小", certs: []cultivation.Certificate{{Type: "tech-sme", Issued: date("2026-02-08")}},
			wantTier: cultivation.TierTechSME, wantBasis: "certificate:tech-sme"},
		{name: "a certificate above the confirmed tier wins", certs: []cultivation.Certificate{{Type: "high-tech", Issued: date("2025-11-01")}},
			confirmed: cultivation.TierSeed, wantTier: cultivation.TierHighTech, wantBasis: "certificate:high-tech"},
		{name: "a confirmed tier above the certificates wins", certs: []cultivation.Certificate{{Type: "high-tech", Issued: date("2025-11-01")}},
			confirmed: cultivation.TierSpecialized, wantTier: cultivation.TierSpecialized, wantBasis: "confirmed"},
		{name: "listed", confirmed: cultivation.TierListReserve, listed: true, wantTier: cultivation.TierListed, wantBasis: "listed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cultivation.StandingOf(tt.certs, tt.confirmed, tt.listed, asOf)
			if got.Tier != tt.wantTier || got.Basis != tt.wantBasis {
				t.Errorf("StandingOf() = %q (%s), want %q (%s)", got.Tier, got.Basis, tt.wantTier, tt.wantBasis)
			}
		})
	}
}

// poolFirm adds an enterprise with the given certificates and, when tier is
// set, a confirmed tier.
func poolFirm(t *testing.T, r *registryEnv, a account.Actor, seq, county string, certs []cultivation.Certificate) cultivation.Enterprise {
	t.Helper()
	e, err := r.svc.CreateEnterprise(context.Background(), a, cultivation.Enterprise{CreditCode: creditCode(t, "91"+county+"MA1PQLK"+seq),
		Name: "培育库测试" + seq + "有限公司", RegionCode: county, Tags: []string{}, Certificates: certs})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func setProposal(t *testing.T, db *sqldb.DB, id int64, tier string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), "UPDATE enterprises SET proposed_tier = ? WHERE id = ?", tier, id); err != nil {
		t.Fatal(err)
	}
}

// TestPoolCountsCertifiedFirms is the regression test for #11: the pool
// chart showed 0 科技型中小企业 and 0 高新技术企业 for the whole city
// because it counted confirmed tiers only. A valid certificate counts.
func TestPoolCountsCertifiedFirms(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
		staff := r.actor(t, "szstaff", account.RoleStaff, "320500")
		poolFirm(t, r, staff, "01", "320583", []cultivation.Certificate{{Type: "tech-sme", Issued: date("2026-03-01")}})
		poolFirm(t, r, staff, "02", "320583", []cultivation.Certificate{{Type: "tech-sme", Issued: date("2025-03-01")}})
		poolFirm(t, r, staff, "03", "320505", []cultivation.Certificate{{Type: "high-tech", Issued: date("2024-12-01")}})
		e4 := poolFirm(t, r, staff, "04", "320505", []cultivation.Certificate{{Type: "high-tech", Issued: date("2024-12-01")}})
		if err := r.svc.ConfirmTier(ctx, staff, e4.ID, cultivation.TierSpecialized, ""); err != nil {
			t.Fatal(err)
		}
		count := func(f cultivation.PoolFilter) map[string]int {
			t.Helper()
			b, err := r.svc.PoolBoard(ctx, staff, f)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for _, c := range b.Counts {
				if c.Count > 0 {
					out[c.Tier] = c.Count
				}
			}
			return out
		}
		want := map[string]int{"": 1, cultivation.TierTechSME: 1, cultivation.TierHighTech: 1, cultivation.TierSpecialized: 1}
		if diff := cmp.Diff(want, count(cultivation.PoolFilter{})); diff != "" {
			t.Errorf("city counts (-want +got):\n%s", diff)
		}
		want = map[string]int{"": 1, cultivation.TierTechSME: 1}
		if diff := cmp.Diff(want, count(cultivation.PoolFilter{Region: "320583"})); diff != "" {
			t.Errorf("county counts (-want +got):\n%s", diff)
		}
		// The registry's tier filter is the same standing.
		for tier, wantN := range map[string]int{cultivation.TierHighTech: 1, cultivation.TierTechSME: 1, cultivation.TierSpecialized: 1, cultivation.TierSeed: 0} {
			list, total, err := r.svc.FindEnterprises(ctx, staff, cultivation.EnterpriseFilter{Tier: tier})
			if err != nil || total != wantN || len(list) != wantN {
				t.Errorf("FindEnterprises(tier %s) = %d of %d, %v; want %d", tier, len(list), total, err, wantN)
			}
		}
	})
}

// TestPoolPendingPagesAndBulkDecisions covers #11's pool board: pending
// proposals page and filter by county, a proposal at or below the standing
// is not pending, and a bulk decision writes one audit row per firm and
// refuses another county's firm as NotFound.
func TestPoolPendingPagesAndBulkDecisions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
		staff := r.actor(t, "szstaff", account.RoleStaff, "320500")
		ks := r.actor(t, "ksstaff", account.RoleCounty, "320583")
		var ks3 []int64
		for i, seq := range []string{"11", "12", "13"} {
			e := poolFirm(t, r, staff, seq, "320583", nil)
			setProposal(t, db, e.ID, cultivation.TierInnovative)
			if i < 3 {
				ks3 = append(ks3, e.ID)
			}
		}
		other := poolFirm(t, r, staff, "14", "320505", nil)
		setProposal(t, db, other.ID, cultivation.TierTechSME)
		// Proposes 科小 but holds a valid 高企: nothing to confirm.
		covered := poolFirm(t, r, staff, "15", "320505", []cultivation.Certificate{{Type: "high-tech", Issued: date("2025-01-01")}})
		setProposal(t, db, covered.ID, cultivation.TierTechSME)

		b, err := r.svc.PoolBoard(ctx, staff, cultivation.PoolFilter{PerPage: 2, Page: 2})
		if err != nil {
			t.Fatal(err)
		}
		if b.PendingTotal != 4 || len(b.Pending) != 2 {
			t.Errorf("page 2 of 2 = %d rows of %d, want 2 of 4", len(b.Pending), b.PendingTotal)
		}
		b, _ = r.svc.PoolBoard(ctx, staff, cultivation.PoolFilter{Region: "320583"})
		if b.PendingTotal != 3 {
			t.Errorf("昆山 pending = %d, want 3", b.PendingTotal)
		}

		if _, err := r.svc.DecideProposals(ctx, ks, []int64{ks3[0], other.ID}, true, ""); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another county's firm in the batch = %v, want NotFound", err)
		}
		if _, err := r.svc.DecideProposals(ctx, ks, nil, true, ""); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("empty batch = %v, want Invalid", err)
		}
		res, err := r.svc.DecideProposals(ctx, ks, ks3[:2], true, "批量确认")
		if err != nil || res.Decided != 2 {
			t.Fatalf("confirm = %+v, %v", res, err)
		}
		res, err = r.svc.DecideProposals(ctx, ks, []int64{ks3[1], ks3[2]}, false, "数据待核实")
		if err != nil || res.Decided != 1 || res.Skipped != 1 {
			t.Fatalf("reject = %+v, %v; want 1 decided, 1 skipped", res, err)
		}
		for i, wantTier := range []string{cultivation.TierInnovative, cultivation.TierInnovative, ""} {
			e, _ := r.svc.GetEnterprise(ctx, staff, ks3[i])
			if e.Tier != wantTier || e.PendingProposal(r.now) != "" {
				t.Errorf("firm %d tier = %q pending %q, want %q and none", i, e.Tier, e.PendingProposal(r.now), wantTier)
			}
		}
		for action, want := range map[string]int{"pool.confirm": 2, "pool.reject": 1} {
			entries, _, err := audit.NewService(db).FindEntries(ctx, audit.Actor{Role: audit.ReaderRole}, audit.Filter{Action: action})
			if err != nil || len(entries) != want {
				t.Errorf("audit rows %s = %d, %v; want %d", action, len(entries), err, want)
			}
		}
		b, _ = r.svc.PoolBoard(ctx, staff, cultivation.PoolFilter{})
		if b.PendingTotal != 1 || b.Pending[0].ID != other.ID {
			t.Errorf("pending after deciding = %d, want only the other county's firm", b.PendingTotal)
		}
	})
}
