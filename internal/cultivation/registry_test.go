package cultivation_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// creditCode completes 17 characters with the GB 32100-2015 check character.
func creditCode(t *testing.T, first17 string) string {
	t.Helper()
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, c := range first17 {
		sum += strings.IndexRune(chars, c) * weights[i]
	}
	code := first17 + string(chars[(31-sum%31)%31])
	if err := cultivation.ValidateCreditCode(code); err != nil {
		t.Fatalf("test credit code %s: %v", code, err)
	}
	return code
}

type registryEnv struct {
	db       *sqldb.DB
	svc      *cultivation.Service
	accounts *account.Service
	now      time.Time
}

func newRegistry(t testing.TB, db *sqldb.DB, now time.Time) *registryEnv {
	t.Helper()
	ctx := context.Background()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	if err := rs.SetHomeRegion(ctx, audit.System, "320500"); err != nil {
		t.Fatal(err)
	}
	rules, err := cultivation.LoadRuleSets(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	accts := account.NewService(db, rs, account.Config{Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	return &registryEnv{db: db, svc: cultivation.NewService(db, rules, func() time.Time { return now }), accounts: accts, now: now}
}

func (r *registryEnv) actor(t testing.TB, username string, role account.Role, regionCode string) account.Actor {
	t.Helper()
	u, err := r.accounts.CreateUser(context.Background(), account.System, account.NewUser{Username: username, Role: role,
		RegionCode: regionCode, Password: "Kechuang-2026"})
	if err != nil {
		t.Fatal(err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, Role: role, Region: regionCode}
}

func date(s string) cultivation.Date {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return cultivation.Date{Time: t}
}

func TestEnterpriseValidation(t *testing.T) {
	t.Parallel()
	good := creditCode(t, "91320583MA1XYK123")
	bad := good[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", good[17])+1)%31])
	tests := []struct {
		name      string
		e         cultivation.Enterprise
		wantField string
	}{
		{name: "valid", e: cultivation.Enterprise{CreditCode: good, Name: "昆山示例科技有限公司", RegionCode: "320583", Industry: "C39"}},
		{name: "wrong check character", e: cultivation.Enterprise{CreditCode: bad, Name: "x", RegionCode: "320583"}, wantField: "credit_code"},
		{name: "city is not a county", e: cultivation.Enterprise{CreditCode: good, Name: "x", RegionCode: "320500"}, wantField: "region_code"},
		{name: "bad industry code", e: cultivation.Enterprise{CreditCode: good, Name: "x", RegionCode: "320583", Industry: "39"}, wantField: "industry"},
		{name: "no name", e: cultivation.Enterprise{CreditCode: good, RegionCode: "320583"}, wantField: "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.Validate()
			got := ""
			if e := apperr.As(err); e != nil {
				got = e.Fields[0].Field
			}
			if got != tt.wantField {
				t.Errorf("Validate() = %v, want field %q", err, tt.wantField)
			}
		})
	}
}

func TestRegistryRegionIsolation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		kunshan := r.actor(t, "ks", account.RoleCounty, "320583")
		taicang := r.actor(t, "tc", account.RoleCounty, "320585")
		city := r.actor(t, "city", account.RoleStaff, "320500")
		firmUser := r.actor(t, "firm", account.RoleEnterprise, "320583")
		broker := r.actor(t, "brk", account.RoleBroker, "320583")
		e, err := r.svc.CreateEnterprise(ctx, kunshan, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1XYK123"),
			Name: "昆山示例精密制造有限公司", RegionCode: "320583", Industry: "C34", AccountID: firmUser.UserID, Tags: []string{"链主"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.CreateEnterprise(ctx, kunshan, cultivation.Enterprise{CreditCode: creditCode(t, "91320585MA1XYK456"),
			Name: "太仓企业", RegionCode: "320585"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("county creating in another county = %v, want Invalid on region_code", err)
		}
		if _, err := r.svc.CreateEnterprise(ctx, kunshan, cultivation.Enterprise{CreditCode: e.CreditCode, Name: "重复", RegionCode: "320583"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("duplicate credit code = %v, want Invalid", err)
		}
		tests := []struct {
			name  string
			actor account.Actor
			want  apperr.Kind
		}{
			{name: "own county", actor: kunshan, want: ""},
			{name: "other county gets not found", actor: taicang, want: apperr.NotFound},
			{name: "city staff", actor: city, want: ""},
			{name: "linked enterprise account", actor: firmUser, want: ""},
			{name: "broker gets not found", actor: broker, want: apperr.NotFound},
			{name: "anonymous gets not found", actor: account.Anonymous, want: apperr.NotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := r.svc.GetEnterprise(ctx, tt.actor, e.ID)
				if got := apperr.KindOf(err); got != tt.want {
					t.Errorf("GetEnterprise as %s = %v, want kind %q", tt.actor.Username, err, tt.want)
				}
			})
		}
		if list, total, err := r.svc.FindEnterprises(ctx, taicang, cultivation.EnterpriseFilter{}); err != nil || total != 0 || len(list) != 0 {
			t.Errorf("other county's list = %d, %v; want empty", total, err)
		}
		if _, total, _ := r.svc.FindEnterprises(ctx, city, cultivation.EnterpriseFilter{Query: "精密"}); total != 1 {
			t.Errorf("city staff search = %d, want 1", total)
		}
		if _, err := r.svc.UpdateEnterprise(ctx, taicang, e.ID, e); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other county updating = %v, want NotFound", err)
		}
		y := cultivation.YearRecord{Year: 2025}
		if err := r.svc.PutYear(ctx, taicang, e.ID, y); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other county writing a year = %v, want NotFound", err)
		}
		if err := r.svc.PutYear(ctx, firmUser, e.ID, y); err != nil {
			t.Errorf("enterprise writing its own year = %v", err)
		}
	})
}

func ptr(v float64) *float64 { return &v }
func iptr(v int) *int        { return &v }

func TestYearCorrectionIsAudited(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		e, err := r.svc.CreateEnterprise(ctx, ks, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1XYK123"), Name: "甲", RegionCode: "320583"})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.svc.PutYear(ctx, ks, e.ID, cultivation.YearRecord{Year: 2025, Figures: cultivation.YearFigures{RDExpense: ptr(1_000_000)}}); err != nil {
			t.Fatal(err)
		}
		if err := r.svc.PutYear(ctx, ks, e.ID, cultivation.YearRecord{Year: 2025, Figures: cultivation.YearFigures{RDExpense: ptr(1_200_000)}}); err != nil {
			t.Fatal(err)
		}
		if err := r.svc.PutYear(ctx, ks, e.ID, cultivation.YearRecord{Year: 2025, Figures: cultivation.YearFigures{RDExpense: ptr(-5)}}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("negative R&D expense = %v, want Invalid", err)
		}
		years, err := r.svc.Years(ctx, ks, e.ID)
		if err != nil || len(years) != 1 || *years[0].Figures.RDExpense != 1_200_000 {
			t.Fatalf("Years() = %+v, %v", years, err)
		}
		entries, _, err := audit.NewService(db).FindEntries(ctx, audit.Actor{Role: audit.ReaderRole}, audit.Filter{Action: "enterprise_year.update"})
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit rows = %d, %v", len(entries), err)
		}
		if !strings.Contains(entries[0].Summary, `"rd_expense":1000000`) || !strings.Contains(entries[0].Summary, `"rd_expense":1200000`) {
			t.Errorf("audit summary %s lacks the old and new values", entries[0].Summary)
		}
	})
}

func TestAssessConfirmAndPool(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		e, err := r.svc.CreateEnterprise(ctx, ks, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1XYK123"),
			Name: "昆山示例智能装备有限公司", RegionCode: "320583", Industry: "C34", Founded: date("2018-03-01")})
		if err != nil {
			t.Fatal(err)
		}
		fig := cultivation.YearFigures{Revenue: ptr(80_000_000), MainRevenue: ptr(76_000_000), HightechRevenue: ptr(60_000_000),
			CostTotal: ptr(70_000_000), RDExpense: ptr(5_000_000), RDExpenseDomestic: ptr(5_000_000), Employees: ptr(150),
			TechStaff: ptr(40), RDStaff: ptr(30), TotalAssets: ptr(90_000_000), NetAssets: ptr(50_000_000), Liabilities: ptr(40_000_000)}
		for _, y := range []int{2023, 2024, 2025} {
			if err := r.svc.PutYear(ctx, ks, e.ID, cultivation.YearRecord{Year: y, Figures: fig, IP: cultivation.IPCounts{Class1: iptr(3), Class2: iptr(8)}}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := r.svc.AssessEnterprise(ctx, ks, e.ID, r.now)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Results) < 5 {
			t.Fatalf("assessed against %d rule sets, want every rule set in force", len(got.Results))
		}
		if got.Proposal.Current == "" || got.Proposal.Current == cultivation.TierSeed && got.Proposal.Next == "" {
			t.Errorf("proposal = %+v", got.Proposal)
		}
		stored, err := r.svc.StoredAssessments(ctx, ks, e.ID)
		if err != nil || len(stored) != len(got.Results) {
			t.Fatalf("StoredAssessments = %d rows, %v; want %d", len(stored), err, len(got.Results))
		}
		for i, row := range stored {
			if row.RuleSet != got.Results[i].RuleSet || row.Verdict != got.Results[i].Verdict || row.GapCount != len(got.Results[i].Gaps) {
				t.Errorf("stored row %s = %s/%d gaps, want %s/%d", row.RuleSet, row.Verdict, row.GapCount, got.Results[i].Verdict, len(got.Results[i].Gaps))
			}
		}
		ent, _ := r.svc.GetEnterprise(ctx, ks, e.ID)
		if ent.ProposedTier != got.Proposal.Proposed || ent.ProposedNext != got.Proposal.Next {
			t.Errorf("enterprise proposal = %q → %q, want %q → %q", ent.ProposedTier, ent.ProposedNext, got.Proposal.Proposed, got.Proposal.Next)
		}
		board, err := r.svc.PoolBoard(ctx, ks, cultivation.PoolFilter{})
		if err != nil || len(board.Pending) != 1 {
			t.Fatalf("pending before confirming = %d, %v", len(board.Pending), err)
		}
		if err := r.svc.ConfirmTier(ctx, ks, e.ID, got.Proposal.Proposed, "按测评结果确认"); err != nil {
			t.Fatal(err)
		}
		if err := r.svc.ConfirmTier(ctx, ks, e.ID, "不存在的梯队", ""); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown tier = %v, want Invalid", err)
		}
		board, _ = r.svc.PoolBoard(ctx, ks, cultivation.PoolFilter{})
		if len(board.Pending) != 0 {
			t.Errorf("pending after confirming = %d, want 0", len(board.Pending))
		}
		hist, err := r.svc.PoolHistory(ctx, ks, e.ID)
		if err != nil || len(hist) != 1 || hist[0].Basis != "assessment" || hist[0].ConfirmedBy != "ks" {
			t.Errorf("PoolHistory = %+v, %v", hist, err)
		}
	})
}

func TestTargetProgress(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		// Mid-year: half the year has passed, so the schedule expects 50 %.
		r := newRegistry(t, db, time.Date(2026, 7, 2, 12, 0, 0, 0, time.UTC))
		city := r.actor(t, "city", account.RoleStaff, "320500")
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		if err := r.svc.SetTarget(ctx, ks, "320583", 2026, "tech_sme_new", 10); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("county setting its own target = %v, want Forbidden", err)
		}
		for _, tgt := range []struct {
			code string
			v    float64
		}{{"320583", 4}, {"320585", 4}} {
			if err := r.svc.SetTarget(ctx, city, tgt.code, 2026, "tech_sme_new", tgt.v); err != nil {
				t.Fatal(err)
			}
		}
		// 昆山: 3 new 科技型中小企业 by June (75 %); 太仓: 1 (25 %, behind).
		issued := map[string][]string{"320583": {"2026-02-10", "2026-04-01", "2026-06-20"}, "320585": {"2026-05-05"}}
		n := 0
		for code, dates := range issued {
			for _, d := range dates {
				n++
				_, err := r.svc.CreateEnterprise(ctx, city, cultivation.Enterprise{
					CreditCode: creditCode(t, "91"+code+"MA1XY"+string(rune('A'+n))+"123"), Name: "企业" + string(rune('A'+n)), RegionCode: code,
					Certificates: []cultivation.Certificate{{Type: "tech-sme", Issued: date(d)}}})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		progress, err := r.svc.TargetProgress(ctx, city, 2026)
		if err != nil {
			t.Fatal(err)
		}
		byCode := map[string]cultivation.CountyProgress{}
		for _, p := range progress {
			byCode[p.RegionCode] = p
		}
		ksp, tcp := byCode["320583"].Indicators[0], byCode["320585"].Indicators[0]
		if *ksp.Actual != 3 || *ksp.Completion != 75 || ksp.Behind {
			t.Errorf("昆山 = actual %v, completion %v, behind %v; want 3, 75, false", *ksp.Actual, *ksp.Completion, ksp.Behind)
		}
		if *tcp.Actual != 1 || *tcp.Completion != 25 || !tcp.Behind {
			t.Errorf("太仓 = actual %v, completion %v, behind %v; want 1, 25, true", *tcp.Actual, *tcp.Completion, tcp.Behind)
		}
		if want := []float64{0, 1, 1, 2, 2, 3, 3}; len(ksp.ByMonth) != 7 || ksp.ByMonth[5] != want[5] || ksp.ByMonth[1] != want[1] {
			t.Errorf("昆山 monthly = %v, want %v", ksp.ByMonth, want)
		}
		if progress[0].RegionCode != "320583" || progress[0].Rank != 1 {
			t.Errorf("first ranked = %s, want 昆山", progress[0].RegionName)
		}
		if len(progress) != 10 {
			t.Errorf("counties = %d, want the 10 of 苏州市", len(progress))
		}
		own, err := r.svc.TargetProgress(ctx, ks, 2026)
		if err != nil || len(own) != 1 || own[0].RegionCode != "320583" {
			t.Errorf("county user's progress = %d counties, %v; want only its own", len(own), err)
		}
	})
}

// TestPagePredicatesMatchTheRules checks, role by role, that every
// predicate pages use to offer a link answers as the method it stands for:
// a link is offered exactly when the method does not answer Forbidden.
func TestPagePredicatesMatchTheRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := newRegistry(t, db, time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC)).svc
		code := creditCode(t, "91320583MA1XYK123")
		for _, role := range account.Roles {
			a := account.Actor{UserID: 100, Username: "u", Role: role, Region: "320583"}
			switch role {
			case account.RoleAdmin, account.RoleSecurity, account.RoleAuditor:
				a.Region = ""
			case account.RoleStaff:
				a.Region = "320500"
			}
			forbidden := func(err error) bool { return apperr.Is(err, apperr.Forbidden) }
			_, _, err := svc.FindEnterprises(ctx, a, cultivation.EnterpriseFilter{})
			check(t, role, "CanViewRegistry", svc.CanViewRegistry(a), !forbidden(err))
			_, err = svc.PoolBoard(ctx, a, cultivation.PoolFilter{})
			check(t, role, "CanViewPool", svc.CanViewPool(a), !forbidden(err))
			_, err = svc.TargetProgress(ctx, a, 2026)
			check(t, role, "CanViewTargets", svc.CanViewTargets(a), !forbidden(err))
			err = svc.SetTarget(ctx, a, "320583", 2026, cultivation.Indicators[0].Key, 3)
			check(t, role, "CanSetTargets", svc.CanSetTargets(a), !forbidden(err))
			err = svc.ExportAssessmentReport(ctx, a, "", io.Discard)
			check(t, role, "CanExportReport", svc.CanExportReport(a), !forbidden(err))
			check(t, role, "CanImport", svc.CanImport(a), cultivation.AuthorizeImport(a) == nil)
			_, err = svc.CreateEnterprise(ctx, a, cultivation.Enterprise{CreditCode: code, Name: "昆山示例科技有限公司", RegionCode: "320583"})
			check(t, role, "CanManageEnterprises", svc.CanManageEnterprises(a), !forbidden(err))
		}
	})
}

func check(t *testing.T, role account.Role, predicate string, got, want bool) {
	t.Helper()
	if got != want {
		t.Errorf("%s: %s = %v, but the method it stands for allows: %v", role, predicate, got, want)
	}
}

// TestEnterpriseTags: other modules keep lists as registry tags (the
// 重点企业库); a tag filter matches whole tags only.
func TestEnterpriseTags(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		kunshan := r.actor(t, "ks", account.RoleCounty, "320583")
		taicang := r.actor(t, "tc", account.RoleCounty, "320585")
		firmUser := r.actor(t, "firm", account.RoleEnterprise, "320583")
		e, err := r.svc.CreateEnterprise(ctx, kunshan, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1XYK123"),
			Name: "昆山示例精密制造有限公司", RegionCode: "320583", AccountID: firmUser.UserID, Tags: []string{"链主", "重点企业（旧）"}})
		if err != nil {
			t.Fatal(err)
		}
		tagged := func(tag string) int {
			t.Helper()
			_, n, err := r.svc.FindEnterprises(ctx, kunshan, cultivation.EnterpriseFilter{Tag: tag})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if tagged("重点企业") != 0 || tagged("链主") != 1 {
			t.Errorf("before tagging: 重点企业 %d, 链主 %d; want 0, 1", tagged("重点企业"), tagged("链主"))
		}
		got, err := r.svc.SetEnterpriseTag(ctx, kunshan, e.ID, "重点企业", true)
		if err != nil || strings.Join(got.Tags, ",") != "链主,重点企业（旧）,重点企业" {
			t.Errorf("tag on = %v, %v", got.Tags, err)
		}
		if got, _ = r.svc.SetEnterpriseTag(ctx, kunshan, e.ID, "重点企业", true); len(got.Tags) != 3 {
			t.Errorf("tagging twice = %v", got.Tags)
		}
		if tagged("重点企业") != 1 || tagged("重点") != 0 {
			t.Errorf("after tagging: 重点企业 %d, 重点 %d; want 1, 0", tagged("重点企业"), tagged("重点"))
		}
		if _, err := r.svc.SetEnterpriseTag(ctx, taicang, e.ID, "重点企业", false); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another county untags: %v, want NotFound", err)
		}
		if _, err := r.svc.SetEnterpriseTag(ctx, firmUser, e.ID, "重点企业", false); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("the enterprise untags itself: %v, want Forbidden", err)
		}
		if _, err := r.svc.SetEnterpriseTag(ctx, kunshan, e.ID, "a,b", true); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a tag with a comma: %v, want Invalid", err)
		}
		if got, err = r.svc.SetEnterpriseTag(ctx, kunshan, e.ID, "重点企业", false); err != nil || strings.Join(got.Tags, ",") != "链主,重点企业（旧）" {
			t.Errorf("tag off = %v, %v", got.Tags, err)
		}
	})
}
