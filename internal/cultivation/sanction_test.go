package cultivation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

// sanctionFirms creates four 高企 in 昆山 and two in 太仓, the first of
// each linked to an enterprise account, and returns their ids.
func sanctionFirms(t *testing.T, r *registryEnv, ks, tc account.Actor, firmUser account.Actor) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for i, f := range []struct{ code, county string }{
		{"91320583MA1KC0001", "320583"}, {"91320583MA1KC0002", "320583"}, {"91320583MA1KC0003", "320583"},
		{"91320583MA1KC0004", "320583"}, {"91320585MA1KC0005", "320585"}, {"91320585MA1KC0006", "320585"},
	} {
		actor := ks
		if f.county == "320585" {
			actor = tc
		}
		e := cultivation.Enterprise{CreditCode: creditCode(t, f.code), Name: "抽查测试企业" + string(rune('A'+i)), RegionCode: f.county,
			Certificates: []cultivation.Certificate{{Type: "high-tech", Issued: date("2025-06-01")}}}
		if i == 0 {
			e.AccountID = firmUser.UserID
		}
		out, err := r.svc.CreateEnterprise(ctx, actor, e)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.ID)
	}
	return ids
}

func TestSpotCheckRevocationAndBars(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		tc := r.actor(t, "tc", account.RoleCounty, "320585")
		wj := r.actor(t, "wj", account.RoleCounty, "320509")
		city := r.actor(t, "city", account.RoleStaff, "320500")
		firmUser := r.actor(t, "firm", account.RoleEnterprise, "320583")
		ids := sanctionFirms(t, r, ks, tc, firmUser)

		// Only bureau staff draw.
		seed := int64(7)
		in := cultivation.SpotCheckInput{Title: "2026年高企抽查", RuleSet: "high-tech", ShareBP: 10000, Seed: &seed}
		if _, err := r.svc.CreateSpotCheck(ctx, ks, in); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("county CreateSpotCheck = %v, want Forbidden", err)
		}
		bad := in
		bad.RuleSet, bad.ShareBP = "above-scale", 0
		if _, err := r.svc.CreateSpotCheck(ctx, city, bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad CreateSpotCheck = %v, want Invalid", err)
		}
		c, err := r.svc.CreateSpotCheck(ctx, city, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.PopulationSize != 6 || c.Drawn != 6 || c.Seed != 7 || c.State != cultivation.SpotCheckOpen || len(c.Conditions) == 0 {
			t.Fatalf("CreateSpotCheck = %+v", c)
		}
		// The same seed over the same population draws the same order.
		again, err := r.svc.CreateSpotCheck(ctx, city, in)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.Firms {
			if c.Firms[i].EnterpriseID != again.Firms[i].EnterpriseID {
				t.Fatalf("second draw with seed 7 differs at %d: %d vs %d", i, c.Firms[i].EnterpriseID, again.Firms[i].EnterpriseID)
			}
		}
		// An explicit population: a 5% share of two firms draws one of them.
		list, err := r.svc.CreateSpotCheck(ctx, city, cultivation.SpotCheckInput{Title: "批次抽查", RuleSet: "high-tech", ShareBP: 500,
			EnterpriseIDs: []int64{ids[1], ids[4], ids[1]}})
		if err != nil || list.PopulationSize != 2 || list.Drawn != 1 || list.Source != cultivation.SourceList {
			t.Fatalf("list CreateSpotCheck = %+v, %v", list, err)
		}

		// County isolation: 太仓 sees its two firms, 吴江 (none drawn) nothing.
		tcView, err := r.svc.GetSpotCheck(ctx, tc, c.ID)
		if err != nil || len(tcView.Firms) != 2 || tcView.Population != nil {
			t.Fatalf("太仓 GetSpotCheck = %d firms, population %v, %v", len(tcView.Firms), tcView.Population, err)
		}
		if _, err := r.svc.GetSpotCheck(ctx, wj, c.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("吴江 GetSpotCheck = %v, want NotFound", err)
		}
		if list, _, err := r.svc.FindSpotChecks(ctx, wj, 1, 25); err != nil || len(list) != 0 {
			t.Errorf("吴江 FindSpotChecks = %d, %v; want none", len(list), err)
		}
		if _, err := r.svc.RecordFindings(ctx, tc, c.ID, ids[0], cultivation.FindingsInput{}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("太仓 RecordFindings on a 昆山 firm = %v, want NotFound", err)
		}
		if _, err := r.svc.GetSpotCheck(ctx, firmUser, c.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("enterprise GetSpotCheck = %v, want NotFound", err)
		}

		// Findings: every condition, one failing; completing revokes.
		findings := func(fail string) []cultivation.Finding {
			var out []cultivation.Finding
			for _, p := range c.Conditions {
				f := cultivation.Finding{Condition: p.ID, Result: cultivation.FindingPass}
				if p.ID == fail {
					f.Result, f.Note = cultivation.FindingFail, "研发费用凭证与账簿不符"
				}
				out = append(out, f)
			}
			return out
		}
		failing := c.Conditions[0].ID
		if _, err := r.svc.RecordFindings(ctx, ks, c.ID, ids[0], cultivation.FindingsInput{Findings: findings(failing)[:1], Complete: true,
			Reason: "x"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("incomplete findings = %v, want Invalid", err)
		}
		if _, err := r.svc.RecordFindings(ctx, ks, c.ID, ids[0], cultivation.FindingsInput{Findings: findings(failing), Complete: true}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("failing without a reason = %v, want Invalid", err)
		}
		before, _ := r.svc.GetEnterprise(ctx, ks, ids[0])
		if before.Standing(r.now).Tier != cultivation.TierHighTech {
			t.Fatalf("standing before = %q", before.Standing(r.now).Tier)
		}
		f, err := r.svc.RecordFindings(ctx, ks, c.ID, ids[0], cultivation.FindingsInput{Findings: findings(failing), Complete: true,
			Reason: "研发费用归集弄虚作假", RevokedOn: date("2026-06-15")})
		if err != nil || f.Outcome != cultivation.OutcomeFail || f.Revocation == nil || f.Revocation.BarYear != 2026 {
			t.Fatalf("RecordFindings = %+v, %v", f, err)
		}
		if _, err := r.svc.RecordFindings(ctx, ks, c.ID, ids[0], cultivation.FindingsInput{Findings: findings(""), Complete: true}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("recording a finished firm again = %v, want Conflict", err)
		}
		after, _ := r.svc.GetEnterprise(ctx, ks, ids[0])
		if st := after.Standing(r.now); st.Tier != "" || st.Certificates[0].Revoked.IsZero() || st.Certificates[0].Valid {
			t.Errorf("standing after revocation = %+v, want none and the certificate revoked", st)
		}
		// Editing the profile neither clears nor sets a revocation.
		after.Certificates[0].Revoked = cultivation.Date{}
		edited, err := r.svc.UpdateEnterprise(ctx, ks, after.ID, after)
		if err != nil || edited.Certificates[0].Revoked.IsZero() {
			t.Errorf("UpdateEnterprise cleared the revocation: %+v, %v", edited.Certificates, err)
		}

		// The bar: 高企 revoked in 2026 bars the 2026 round only; another rule set is free.
		bars := []struct {
			name    string
			id      int64
			ruleSet string
			year    int
			on      string
			want    bool
		}{
			{"revoked 高企, 2026 round", ids[0], "high-tech", 2026, "2026-07-01", true},
			{"revoked 高企, 2027 round", ids[0], "high-tech", 2027, "2027-03-01", false},
			{"revoked 高企, 科小 2026", ids[0], "tech-sme", 2026, "2026-07-01", false},
			{"untouched firm", ids[1], "high-tech", 2026, "2026-07-01", false},
		}
		for _, b := range bars {
			reason, barred, err := r.svc.ApplicationBar(ctx, db, b.id, b.ruleSet, b.year, date(b.on).Time)
			if err != nil || barred != b.want || barred != (reason != "") {
				t.Errorf("%s: ApplicationBar = %q, %v, %v; want barred %v", b.name, reason, barred, err, b.want)
			}
		}

		// Finish the rest: the check closes.
		for _, fm := range c.Firms {
			if fm.EnterpriseID == ids[0] {
				continue
			}
			actor := city
			if _, err := r.svc.RecordFindings(ctx, actor, c.ID, fm.EnterpriseID, cultivation.FindingsInput{Findings: findings(""), Complete: true}); err != nil {
				t.Fatal(err)
			}
		}
		done, err := r.svc.GetSpotCheck(ctx, city, c.ID)
		if err != nil || done.State != cultivation.SpotCheckClosed || done.Done != 6 || done.Failed != 1 {
			t.Errorf("after all findings = %s %d done %d failed, %v", done.State, done.Done, done.Failed, err)
		}
		revs, total, err := r.svc.FindRevocations(ctx, 1, 25)
		if err != nil || total != 1 || revs[0].Reason != "研发费用归集弄虚作假" || revs[0].RevokedOn.Format("2006-01-02") != "2026-06-15" {
			t.Errorf("FindRevocations = %+v, %d, %v", revs, total, err)
		}

		// Blacklist: bars every rule set until its end; removal lifts it.
		if _, err := r.svc.AddToBlacklist(ctx, ks, cultivation.BlacklistInput{EnterpriseID: ids[1]}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("county AddToBlacklist = %v, want Forbidden", err)
		}
		if _, err := r.svc.AddToBlacklist(ctx, city, cultivation.BlacklistInput{EnterpriseID: ids[1], Kind: "fraud"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("AddToBlacklist without reason = %v, want Invalid", err)
		}
		b, err := r.svc.AddToBlacklist(ctx, city, cultivation.BlacklistInput{EnterpriseID: ids[0], Kind: cultivation.BlacklistFraud,
			Reason: "伪造研发费用凭证", Document: "苏科发〔2026〕99号", EndsOn: date("2027-06-30")})
		if err != nil || !b.InForce(r.now) {
			t.Fatalf("AddToBlacklist = %+v, %v", b, err)
		}
		if _, err := r.svc.AddToBlacklist(ctx, city, cultivation.BlacklistInput{EnterpriseID: ids[0], Kind: cultivation.BlacklistFraud,
			Reason: "重复", Document: "x", EndsOn: date("2026-12-31")}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("listing twice = %v, want Invalid", err)
		}
		for _, bt := range []struct {
			on   string
			want bool
		}{{"2026-07-01", true}, {"2027-06-30", true}, {"2027-07-01", false}} {
			reason, barred, err := r.svc.ApplicationBar(ctx, db, ids[0], "tech-sme", 2027, date(bt.on).Time)
			if err != nil || barred != bt.want || (barred && !strings.Contains(reason, "弄虚作假")) {
				t.Errorf("blacklist bar on %s = %q, %v, %v; want %v", bt.on, reason, barred, err, bt.want)
			}
		}
		pub, total, err := r.svc.FindBlacklist(ctx, account.Actor{}, cultivation.BlacklistFilter{})
		if err != nil || total != 1 || pub[0].CreditCode == "" {
			t.Errorf("public FindBlacklist = %+v, %d, %v", pub, total, err)
		}
		if _, _, err := r.svc.FindBlacklist(ctx, ks, cultivation.BlacklistFilter{All: true}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("county full blacklist = %v, want Forbidden", err)
		}
		if _, err := r.svc.RemoveFromBlacklist(ctx, city, b.ID, ""); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("removal without reason = %v, want Invalid", err)
		}
		if _, err := r.svc.RemoveFromBlacklist(ctx, city, b.ID, "行政复议撤销原决定"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.RemoveFromBlacklist(ctx, city, b.ID, "again"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("removing twice = %v, want Conflict", err)
		}
		if _, barred, _ := r.svc.ApplicationBar(ctx, db, ids[0], "tech-sme", 2026, date("2026-07-01").Time); barred {
			t.Errorf("still barred after removal")
		}

		// The profile's list: the firm's revocation and its removed listing; another county NotFound.
		if got, err := r.svc.Sanctions(ctx, ks, ids[0]); err != nil || len(got.Revocations) != 1 || len(got.Blacklist) != 1 || !got.Blacklist[0].Removed {
			t.Errorf("Sanctions = %+v, %v", got, err)
		}
		if _, err := r.svc.Sanctions(ctx, tc, ids[0]); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other county Sanctions = %v, want NotFound", err)
		}

		// Every step is audited; the firm got its notices in both languages.
		for action, want := range map[string]int{"spot_check.create": 3, "spot_check.findings": 6, "certificate.revoke": 1,
			"spot_check.close": 1, "blacklist.add": 1, "blacklist.remove": 1} {
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = ?", action).Scan(&n); err != nil || n != want {
				t.Errorf("audit %s = %d, %v; want %d", action, n, err, want)
			}
		}
		inbox := notice.NewService(db, func() time.Time { return r.now })
		for _, lang := range []string{i18n.Chinese, i18n.English} {
			got, err := inbox.Inbox(ctx, firmUser, lang, notice.Filter{})
			if err != nil || len(got.Items) != 5 {
				t.Fatalf("%s inbox = %+v, %v; want draw ×2, revocation, listing, removal", lang, got.Items, err)
			}
			want := map[string]string{i18n.Chinese: "撤销", i18n.English: "revoked"}[lang]
			found := false
			for _, n := range got.Items {
				found = found || strings.Contains(n.Title, want)
			}
			if !found {
				t.Errorf("%s inbox has no notice containing %q: %+v", lang, want, got.Items)
			}
		}
	})
}

// TestYearsBarAfterRevocation: a 小巨人 revoked on 2026-06-15 bars the
// firm from 小巨人 to 2029-06-14 inclusive (3 years, sanctions.json), in
// any round year, and from no other rule set.
func TestYearsBarAfterRevocation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		city := r.actor(t, "city", account.RoleStaff, "320500")
		e, err := r.svc.CreateEnterprise(ctx, ks, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1KCL001"), Name: "小巨人测试企业",
			RegionCode: "320583", Tier: cultivation.TierLittleGiant,
			Certificates: []cultivation.Certificate{{Type: "little-giant", Issued: date("2025-07-01")}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "UPDATE enterprises SET tier = ? WHERE id = ?", cultivation.TierLittleGiant, e.ID); err != nil {
			t.Fatal(err)
		}
		c, err := r.svc.CreateSpotCheck(ctx, city, cultivation.SpotCheckInput{Title: "小巨人抽查", RuleSet: "little-giant", ShareBP: 500,
			EnterpriseIDs: []int64{e.ID}})
		if err != nil || len(c.Firms) != 1 {
			t.Fatalf("CreateSpotCheck = %+v, %v", c, err)
		}
		var findings []cultivation.Finding
		for i, p := range c.Conditions {
			f := cultivation.Finding{Condition: p.ID, Result: cultivation.FindingPass}
			if i == 0 {
				f.Result, f.Note = cultivation.FindingFail, "数据造假"
			}
			findings = append(findings, f)
		}
		f, err := r.svc.RecordFindings(ctx, ks, c.ID, e.ID, cultivation.FindingsInput{Findings: findings, Complete: true,
			Reason: "申报数据造假", RevokedOn: date("2026-06-15")})
		if err != nil || f.Revocation == nil || f.Revocation.BarYear != 0 || f.Revocation.BarUntil.Format("2006-01-02") != "2029-06-14" {
			t.Fatalf("RecordFindings = %+v, %v", f.Revocation, err)
		}
		// The confirmed tier rested on the revoked title: it goes with it.
		got, _ := r.svc.GetEnterprise(ctx, ks, e.ID)
		if got.Tier != "" || got.Standing(r.now).Tier != "" {
			t.Errorf("after revocation: confirmed %q, standing %q; want none", got.Tier, got.Standing(r.now).Tier)
		}
		tests := []struct {
			name    string
			ruleSet string
			year    int
			on      string
			want    bool
		}{
			{"the day of revocation", "little-giant", 2026, "2026-06-15", true},
			{"a later round year", "little-giant", 2028, "2028-05-01", true},
			{"the last barred day", "little-giant", 2029, "2029-06-14", true},
			{"the day after", "little-giant", 2029, "2029-06-15", false},
			{"another rule set", "specialized-sme", 2026, "2026-07-01", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				reason, barred, err := r.svc.ApplicationBar(ctx, db, e.ID, tt.ruleSet, tt.year, date(tt.on).Time)
				if err != nil || barred != tt.want || (barred && !strings.Contains(reason, "2029-06-14")) {
					t.Errorf("ApplicationBar(%s, %d, %s) = %q, %v, %v; want barred %v", tt.ruleSet, tt.year, tt.on, reason, barred, err, tt.want)
				}
			})
		}
	})
}

// TestSpotCheckWeightsOpenFlags: with a flag weight, a firm's weight in
// the recorded population is 1 plus the weight for each open plausibility
// flag; once the flag is checked, the next draw weighs it 1 again.
func TestSpotCheckWeightsOpenFlags(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		city := r.actor(t, "city", account.RoleStaff, "320500")
		var flagged, plain int64
		for i, code := range []string{"91320583MA1KCF001", "91320583MA1KCF002"} {
			e, err := r.svc.CreateEnterprise(ctx, ks, cultivation.Enterprise{CreditCode: creditCode(t, code), Name: "加权测试企业" + code[len(code)-1:],
				RegionCode: "320583", Certificates: []cultivation.Certificate{{Type: "high-tech", Issued: date("2025-06-01")}}})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				flagged = e.ID
				for y, rd := range map[int]float64{2024: 2e6, 2025: 6e6} { // 2% → 6%: one open flag
					if err := r.svc.PutYear(ctx, ks, e.ID, cultivation.YearRecord{Year: y,
						Figures: cultivation.YearFigures{Revenue: ptr(100e6), RDExpense: ptr(rd)}}); err != nil {
						t.Fatal(err)
					}
				}
			} else {
				plain = e.ID
			}
		}
		weights := func() map[int64]int {
			t.Helper()
			c, err := r.svc.CreateSpotCheck(ctx, city, cultivation.SpotCheckInput{Title: "加权抽查", RuleSet: "high-tech", ShareBP: 5000, FlagWeight: 4})
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]int{}
			for _, p := range c.Population {
				out[p.EnterpriseID] = p.Weight
			}
			return out
		}
		if w := weights(); w[flagged] != 5 || w[plain] != 1 {
			t.Errorf("weights = %v, want %d: 5 (one open flag × 4 + 1), %d: 1", w, flagged, plain)
		}
		if _, err := r.svc.CheckFlag(ctx, ks, flagged, cultivation.FlagRDRatioJump, []int{2024, 2025}, "已核实"); err != nil {
			t.Fatal(err)
		}
		if w := weights(); w[flagged] != 1 {
			t.Errorf("weight after the check = %d, want 1", w[flagged])
		}
	})
}
