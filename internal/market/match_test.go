package market_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// Listings of a small battery-materials market: a demand for a cathode
// coating, and achievements on and off its field.
const (
	cathodeDemandTitle   = "高镍三元正极材料循环寿命提升技术"
	cathodeDemandSummary = "我公司生产动力锂离子电池，高镍三元正极材料在高温循环中容量衰减快，需要正极材料表面包覆改性技术，提高循环寿命和热稳定性。"
	cathodeTitle         = "锂离子电池高镍正极材料原子层沉积包覆技术"
	cathodeSummary       = "采用原子层沉积在高镍三元正极材料表面包覆氧化铝纳米层，抑制界面副反应，动力电池高温循环寿命提升30%以上，已完成中试。"
)

func batteryDemand() market.Input {
	in := demand(cathodeDemandTitle)
	in.Summary, in.Expected = cathodeDemandSummary, "1000次循环容量保持率不低于85%，可在现有产线导入。"
	in.Keywords = []string{"正极材料", "锂离子电池", "循环寿命"}
	in.Domain, in.Industry = "新能源与节能/新型高效能量转换与储存技术", "C38"
	in.Modes, in.Band, in.TRL = []string{"transfer", "license"}, "50-100", 6
	in.RegionCode = "320506"
	return in
}

func batteryAchievement(title, summary, county string, modes []string, price float64, trl int) market.Input {
	in := achievement(title)
	in.Summary, in.Keywords = summary, []string{"正极材料", "原子层沉积", "锂离子电池"}
	in.Domain, in.Industry, in.RegionCode = "新能源与节能/新型高效能量转换与储存技术", "C38", county
	in.Modes, in.Price, in.TRL = modes, amount(price), trl
	return in
}

type matchFixture struct {
	*fixture
	x      *market.Indexer
	staff  account.Actor
	buyer  account.Actor // owns the demand
	demand market.Listing
}

func newMatchFixture(t *testing.T, db *sqldb.DB) *matchFixture {
	t.Helper()
	f := &matchFixture{fixture: newFixture(t, db)}
	f.staff = f.actor("staff", account.RoleStaff, "320500")
	f.buyer = f.actor("buyer", account.RoleEnterprise, "")
	f.demand = f.publish(f.buyer, f.staff, market.Demand, batteryDemand())
	x, err := market.OpenIndexer(context.Background(), f.svc, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	f.x = x
	return f
}

func (f *matchFixture) catchUp() {
	f.t.Helper()
	if _, err := f.x.CatchUp(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *matchFixture) matches(a account.Actor, id int64) market.MatchPage {
	f.t.Helper()
	f.catchUp()
	p, err := f.x.Matches(context.Background(), a, id, 1)
	if err != nil {
		f.t.Fatalf("Matches(%d): %v", id, err)
	}
	p.Localize("zh-CN")
	return p
}

func matchIDs(ms []market.Match) []int64 {
	out := []int64{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func reasonOf(m market.Match, feature string) market.Reason {
	for _, r := range m.Reasons {
		if r.Feature == feature {
			return r
		}
	}
	return market.Reason{}
}

func TestMatchesExplainThemselves(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMatchFixture(t, db)
		uni := f.actor("uni", account.RoleInstitution, "")
		onField := f.publish(uni, f.staff, market.Achievement,
			batteryAchievement(cathodeTitle, cathodeSummary, "320506", []string{"license"}, 80, 7))
		// Shares "电池" and "寿命" but is about farming sensors.
		offIn := achievement("农田土壤墒情监测无线传感节点")
		offIn.Summary = "低功耗无线传感节点监测土壤含水率，纽扣电池供电，电池寿命五年，适用于大田灌溉。"
		offIn.RegionCode = "320583"
		off := f.publish(uni, f.staff, market.Achievement, offIn)

		p := f.matches(f.buyer, f.demand.ID)
		if len(p.Matches) == 0 || p.Matches[0].ID != onField.ID {
			t.Fatalf("matches = %v, want the cathode achievement %d first", matchIDs(p.Matches), onField.ID)
		}
		if !p.CanAnswer {
			t.Error("the demand's owner cannot answer its matches")
		}
		m := p.Matches[0]
		tests := []struct {
			feature, fit, text string
		}{
			{market.FeatureText, "good", "锂离子"},
			{market.FeatureDomain, "good", "申报领域相同"},
			{market.FeatureTRL, "good", "成果 7 级，需求期望不低于 6 级"},
			{market.FeatureRegion, "good", "同在吴中区"},
			{market.FeatureMode, "good", "许可"},
			{market.FeatureBudget, "good", "报价 80 万元，在预算（50–100万元）内"},
			{market.FeatureFresh, "good", "发布于 0 天前"},
		}
		for _, tt := range tests {
			r := reasonOf(m, tt.feature)
			if r.Fit != tt.fit || !strings.Contains(r.Text, tt.text) {
				t.Errorf("reason %s = %q (%s), want %s containing %q", tt.feature, r.Text, r.Fit, tt.fit, tt.text)
			}
		}
		// The classifier may read the two sides as related rather than
		// the same discipline; either way the reason names both.
		if r := reasonOf(m, market.FeatureField); r.Fit == "poor" || !strings.Contains(r.Text, "学科一致概率") ||
			!strings.Contains(r.Text, "预测高新领域：本条") {
			t.Errorf("field reason = %q (%s), want both disciplines and both predicted domains", r.Text, r.Fit)
		}
		// A ✓ on the discipline means an agreement of at least
		// FieldAgreeMin, whatever the top labels say.
		for _, m := range p.Matches {
			r := reasonOf(m, market.FeatureField)
			agree, _ := r.Args[2].(int)
			if good := r.Fit == "good"; good && float64(agree) < 100*market.FieldAgreeMin-0.5 ||
				!good && float64(agree) > 100*market.FieldAgreeMin+0.5 {
				t.Errorf("match %d: field reason %q is %s at agreement %d%%, want good exactly from %.0f%%",
					m.ID, r.Text, r.Fit, agree, 100*market.FieldAgreeMin)
			}
			if r.Fit != "good" && strings.Contains(r.Text, "领域一致：") {
				t.Errorf("match %d: field reason %q says the fields agree without a ✓", m.ID, r.Text)
			}
		}
		if !strings.Contains(string(m.TitleHTML), "<mark>") {
			t.Errorf("title %q marks no shared term", m.TitleHTML)
		}
		for _, m := range p.Matches {
			if m.ID == off.ID && m.Rank == 1 {
				t.Errorf("the off-field sensor ranks first")
			}
		}

		// The achievement's side: the demand is proposed back.
		back := f.matches(uni, onField.ID)
		if len(back.Matches) == 0 || back.Matches[0].ID != f.demand.ID {
			t.Errorf("achievement's matches = %v, want the demand %d", matchIDs(back.Matches), f.demand.ID)
		}
	})
}

func TestMatchesAreSeenByOwnerAndStaffOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMatchFixture(t, db)
		uni := f.actor("uni", account.RoleInstitution, "")
		a := f.publish(uni, f.staff, market.Achievement, batteryAchievement(cathodeTitle, cathodeSummary, "320506", []string{"license"}, 80, 7))
		f.catchUp()
		other := f.actor("other", account.RoleEnterprise, "")
		outside := f.actor("county", account.RoleCounty, "320583")
		for _, tt := range []struct {
			name  string
			actor account.Actor
			want  apperr.Kind
		}{
			// A listing's matches are its owner's: outside the owner, its
			// brokers and staff in scope they are not found (#12).
			{"another enterprise", other, apperr.NotFound},
			{"the public", account.Anonymous, apperr.NotFound},
			{"county staff elsewhere", outside, apperr.NotFound},
		} {
			_, err := f.x.Matches(ctx, tt.actor, f.demand.ID, 1)
			wantKind(t, tt.name, err, tt.want)
		}
		p, err := f.x.Matches(ctx, f.staff, f.demand.ID, 1)
		if err != nil || p.CanAnswer {
			t.Errorf("staff: err %v, can answer %v; want the page, read-only", err, p.CanAnswer)
		}
		ans := market.Answer{CandidateKind: market.CandidateListing, CandidateID: a.ID}
		_, err = f.svc.AcceptMatch(ctx, f.staff, f.demand.ID, ans)
		wantKind(t, "staff accepts", err, apperr.Forbidden)
		_, err = f.svc.AcceptMatch(ctx, other, f.demand.ID, ans)
		wantKind(t, "another enterprise accepts", err, apperr.NotFound)
		ans.CandidateID = f.demand.ID
		_, err = f.svc.AcceptMatch(ctx, f.buyer, f.demand.ID, ans)
		wantKind(t, "a demand as its own match", err, apperr.NotFound)
	})
}

func TestAcceptAndDeclineMatches(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMatchFixture(t, db)
		uni := f.actor("uni", account.RoleInstitution, "")
		a1 := f.publish(uni, f.staff, market.Achievement, batteryAchievement(cathodeTitle, cathodeSummary, "320506", []string{"license"}, 80, 7))
		a2 := f.publish(uni, f.staff, market.Achievement, batteryAchievement("高镍正极材料氧化铝包覆量产工艺",
			"高镍三元正极材料表面氧化铝包覆的连续化量产工艺，锂离子电池循环寿命明显提升。", "320583", []string{"transfer"}, 300, 5))
		p := f.matches(f.buyer, f.demand.ID)
		if diff := cmp.Diff([]int64{a1.ID, a2.ID}, matchIDs(p.Matches)); diff != "" {
			t.Fatalf("matches (-want +got):\n%s", diff)
		}

		// Bad declines change nothing.
		for _, tt := range []struct {
			name  string
			ans   market.Answer
			field string
		}{
			{"no reason", market.Answer{CandidateKind: market.CandidateListing, CandidateID: a2.ID}, "reason"},
			{"unknown reason", market.Answer{CandidateKind: market.CandidateListing, CandidateID: a2.ID, Reason: "price"}, "reason"},
			{"other without a note", market.Answer{CandidateKind: market.CandidateListing, CandidateID: a2.ID, Reason: market.ReasonOther}, "note"},
		} {
			_, err := f.svc.DeclineMatch(ctx, f.buyer, f.demand.ID, tt.ans)
			if _, ok := fieldsOf(err)[tt.field]; !ok {
				t.Errorf("%s: error %v, want a %s field error", tt.name, err, tt.field)
			}
		}

		d, err := f.svc.DeclineMatch(ctx, f.buyer, f.demand.ID, market.Answer{CandidateKind: market.CandidateListing,
			CandidateID: a2.ID, Reason: market.ReasonBudget, Note: "报价超出预算三倍"})
		if err != nil || d.Title != a2.Title {
			t.Fatalf("decline = %+v, %v", d, err)
		}
		_, err = f.svc.DeclineMatch(ctx, f.buyer, f.demand.ID, market.Answer{CandidateKind: market.CandidateListing,
			CandidateID: a2.ID, Reason: market.ReasonField})
		wantKind(t, "declining twice", err, apperr.Conflict)

		acc, err := f.svc.AcceptMatch(ctx, f.buyer, f.demand.ID, market.Answer{CandidateKind: market.CandidateListing, CandidateID: a1.ID})
		if err != nil || acc.DealID == 0 {
			t.Fatalf("accept = %+v, %v; want a deal", acc, err)
		}
		deal, err := f.svc.GetDeal(ctx, uni, acc.DealID)
		if err != nil || deal.ListingID != a1.ID || deal.MemberID != f.buyer.UserID || deal.State != market.DealIntent {
			t.Errorf("deal = %+v, %v; want the buyer's intent on %d", deal, err, a1.ID)
		}
		inbox, err := f.inbox(uni)
		if err != nil || inbox.Total == 0 || !strings.Contains(inbox.Items[0].Title, cathodeTitle) {
			t.Errorf("the achievement's owner was not told: %+v, %v", inbox, err)
		}

		p = f.matches(f.buyer, f.demand.ID)
		if len(p.Matches) != 0 {
			t.Errorf("answered pairs proposed again: %v", matchIDs(p.Matches))
		}
		if len(p.Decisions) != 2 || p.Decisions[0].Decision != market.Accepted || p.Decisions[1].Reason != market.ReasonBudget {
			t.Errorf("decisions = %+v", p.Decisions)
		}
		if p.Boosts[market.FeatureBudget] != 1.5 {
			t.Errorf("budget boost = %v, want 1.5 after one budget decline", p.Boosts)
		}

		st, err := f.svc.MatchStatistics(ctx, f.staff, "")
		if err != nil {
			t.Fatal(err)
		}
		if st.Accepted != 1 || st.Declined != 1 || st.Reasons[2] != (market.ReasonCount{Reason: market.ReasonBudget, Count: 1}) {
			t.Errorf("statistics = %+v", st)
		}
		if _, err := f.svc.MatchStatistics(ctx, f.actor("inv", account.RoleInvestor, ""), ""); apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("investor statistics: %v, want Forbidden", err)
		}
	})
}

// TestDeclineReasonsChangeLaterRankings is the feedback loop: two twins
// differ only in county and transaction mode; the one sharing a mode ranks
// first until the owner has twice declined matches as 地域不合适, after
// which the one in the same county does.
func TestDeclineReasonsChangeLaterRankings(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMatchFixture(t, db)
		uni := f.actor("uni", account.RoleInstitution, "")
		lab := f.actor("lab", account.RoleInstitution, "")
		sameMode := f.publish(uni, f.staff, market.Achievement, batteryAchievement(cathodeTitle, cathodeSummary, "320583", []string{"license"}, 80, 7))
		sameCounty := f.publish(lab, f.staff, market.Achievement, batteryAchievement(cathodeTitle, cathodeSummary, "320506", []string{"development"}, 80, 7))
		var far []market.Listing
		for i, title := range []string{"钠离子电池生物质硬碳负极材料", "锂电池隔膜陶瓷涂覆工艺"} {
			far = append(far, f.publish(uni, f.staff, market.Achievement, batteryAchievement(title,
				fmt.Sprintf("电池材料制备方法%d，成本低。", i), "320585", []string{"license"}, 300, 5)))
		}
		before := f.matches(f.buyer, f.demand.ID)
		if got := matchIDs(before.Matches)[:2]; !cmp.Equal(got, []int64{sameMode.ID, sameCounty.ID}) {
			t.Fatalf("before feedback the first two = %v, want %v", got, []int64{sameMode.ID, sameCounty.ID})
		}
		for _, l := range far {
			if _, err := f.svc.DeclineMatch(ctx, f.buyer, f.demand.ID, market.Answer{CandidateKind: market.CandidateListing,
				CandidateID: l.ID, Reason: market.ReasonRegion}); err != nil {
				t.Fatal(err)
			}
		}
		after := f.matches(f.buyer, f.demand.ID)
		if diff := cmp.Diff([]int64{sameCounty.ID, sameMode.ID}, matchIDs(after.Matches)); diff != "" {
			t.Errorf("after two region declines (-want +got):\n%s", diff)
		}
		if w := reasonOf(after.Matches[0], market.FeatureRegion).Weight; w != 0.3 {
			t.Errorf("region weight = %v, want 0.3 (0.15 × (1 + 2 × 0.5))", w)
		}

		// Another owner in the same domain feels it too, more weakly.
		other := f.actor("buyer2", account.RoleEnterprise, "")
		d2 := f.publish(other, f.staff, market.Demand, batteryDemand())
		p := f.matches(other, d2.ID)
		if p.Boosts[market.FeatureRegion] != 1.3 {
			t.Errorf("domain boost = %v, want region 1.3 (1 + 2 × 0.15)", p.Boosts)
		}
	})
}

func TestMatchesAreTheSameOnBothDatabases(t *testing.T) {
	t.Parallel()
	got := map[sqldb.Dialect][]string{}
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMatchFixture(t, db)
		uni := f.actor("uni", account.RoleInstitution, "")
		for i, c := range searchCorpus {
			in := batteryAchievement(c.title, c.summary, []string{"320506", "320583", "320585"}[i%3], []string{"license"}, float64(20*i+10), 3+i)
			in.Domain, in.Keywords = c.domain, c.keywords
			f.publish(uni, f.staff, market.Achievement, in)
		}
		f.publish(uni, f.staff, market.Achievement, batteryAchievement(cathodeTitle, cathodeSummary, "320506", []string{"transfer"}, 120, 4))
		p := f.matches(f.buyer, f.demand.ID)
		var rows []string
		for _, m := range p.Matches {
			var rs []string
			for _, r := range m.Reasons {
				rs = append(rs, fmt.Sprintf("%s=%s:%.4f×%.2f", r.Feature, r.Fit, r.Value, r.Weight))
			}
			rows = append(rows, fmt.Sprintf("%d %s %.4f %s", m.Rank, m.Title, m.Score, strings.Join(rs, " ")))
		}
		if len(rows) < 3 {
			t.Fatalf("only %d matches", len(rows))
		}
		got[db.Dialect()] = rows
	})
	if a, b := got[sqldb.SQLite], got[sqldb.Postgres]; a != nil && b != nil {
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("SQLite and PostgreSQL rank differently (-sqlite +postgres):\n%s", diff)
		}
	}
}

func TestNewListingsProposeMatchesWithinLimits(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMatchFixture(t, db)
		// The demand was published before the indexer existed: proposing
		// now announces it to nobody, since it has no achievements yet.
		if n, err := f.x.ProposeMatches(ctx); err != nil || n != 1 {
			t.Fatalf("ProposeMatches = %d, %v; want the demand handled", n, err)
		}
		uni := f.actor("uni", account.RoleInstitution, "")
		quiet := f.actor("quiet", account.RoleInstitution, "")
		if err := f.svc.SetMatchNotices(ctx, quiet, false); err != nil {
			t.Fatal(err)
		}
		f.publish(uni, f.staff, market.Achievement, batteryAchievement(cathodeTitle, cathodeSummary, "320506", []string{"license"}, 80, 7))
		f.publish(quiet, f.staff, market.Achievement, batteryAchievement("高镍正极材料氧化铝包覆量产工艺", cathodeSummary, "320506", []string{"license"}, 80, 7))
		f.catchUp()
		if _, err := f.x.ProposeMatches(ctx); err != nil {
			t.Fatal(err)
		}
		// Five more demands from other buyers: the university hears of
		// at most MatchNoticesPerDay in a day, whatever the number.
		for i := range 5 {
			b := f.actor(fmt.Sprintf("buyer%d", i), account.RoleEnterprise, "")
			f.publish(b, f.staff, market.Demand, batteryDemand())
		}
		f.catchUp()
		if n, err := f.x.ProposeMatches(ctx); err != nil || n != 5 {
			t.Fatalf("ProposeMatches = %d, %v; want 5", n, err)
		}
		if n, err := f.x.ProposeMatches(ctx); err != nil || n != 0 {
			t.Errorf("second round = %d, %v; want nothing left", n, err)
		}
		count := func(a account.Actor) int {
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM notices WHERE user_id = ? AND kind = 'match.new'", a.UserID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(uni); n != market.MatchNoticesPerDay {
			t.Errorf("university got %d match notices, want the daily cap %d", n, market.MatchNoticesPerDay)
		}
		if n := count(quiet); n != 0 {
			t.Errorf("opted-out owner got %d match notices", n)
		}
		// A day later the cap is free again.
		f.clock.Add(25 * 3600e9)
		b := f.actor("late", account.RoleEnterprise, "")
		f.publish(b, f.staff, market.Demand, batteryDemand())
		f.catchUp()
		if _, err := f.x.ProposeMatches(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(uni); n != market.MatchNoticesPerDay+1 {
			t.Errorf("after a day the university has %d match notices, want %d", n, market.MatchNoticesPerDay+1)
		}

		list, total, err := f.svc.NewMatches(ctx, f.staff, "320506", 1, 20)
		if err != nil || total == 0 || len(list) == 0 {
			t.Fatalf("NewMatches = %d, %v", total, err)
		}

		if list[0].RegionName != "吴中区" || len(list[0].SharedTerms) == 0 {
			t.Errorf("best new match = %+v", list[0])
		}
		_, _, err = f.svc.NewMatches(ctx, uni, "", 1, 20)
		wantKind(t, "an institution lists new matches", err, apperr.Forbidden)
	})
}

// TestMatchesAreCut is a regression test: rankListings once returned every
// candidate the engine proposed, so a page counted 97 matches and a new
// listing kept them all as proposals instead of the best five.
func TestMatchesAreCut(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMatchFixture(t, db)
		uni := f.actor("uni", account.RoleInstitution, "")
		for i := range market.MatchLimit + 5 {
			f.publish(uni, f.staff, market.Achievement, batteryAchievement(fmt.Sprintf("%s（第%d代）", cathodeTitle, i+1),
				cathodeSummary, "320506", []string{"license"}, float64(10+i), 7))
		}
		p := f.matches(f.buyer, f.demand.ID)
		if p.Total != market.MatchLimit || len(p.Matches) != market.MatchPerPage {
			t.Errorf("matches: total %d, page %d; want %d and %d", p.Total, len(p.Matches), market.MatchLimit, market.MatchPerPage)
		}
		if _, err := f.x.ProposeMatches(ctx); err != nil {
			t.Fatal(err)
		}
		var kept int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM match_proposals WHERE listing_id = ?", f.demand.ID).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != 5 {
			t.Errorf("the new demand kept %d proposals, want 5", kept)
		}
	})
}

// TestMatchesMixedScript: demands that name their technology in Latin
// letters and digits (5G, PEEK, Li-ion, CRISPR) find the achievement that
// names it, and the reason lists the term.
func TestMatchesMixedScript(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMatchFixture(t, db)
		uni := f.actor("uni", account.RoleInstitution, "")
		ids := map[string]int64{}
		for _, c := range searchCorpus {
			in := batteryAchievement(c.title, c.summary, "320506", []string{"license"}, 50, 6)
			in.Domain, in.Keywords = c.domain, c.keywords
			ids[c.title] = f.publish(uni, f.staff, market.Achievement, in).ID
		}
		tests := []struct {
			title, problem, want, term string
		}{
			{"5G小基站射频前端滤波器", "我司研制5G小基站，需要体积更小、插损更低的滤波器。", searchCorpus[0].title, "5g"},
			{"PEEK零件增材制造", "需要用PEEK打印航空结构件的工艺和材料。", searchCorpus[1].title, "peek"},
			{"CRISPR水稻育种合作", "寻求CRISPR基因编辑培育抗病水稻品种的合作。", searchCorpus[2].title, "crispr"},
			{"Li-ion电芯循环寿命", "动力Li-ion电芯高温循环衰减快，寻求正极改性方案。", searchCorpus[3].title, "li-ion"},
		}
		for _, tt := range tests {
			in := batteryDemand()
			in.Title, in.Summary, in.Keywords = tt.title, tt.problem, nil
			d := f.publish(f.buyer, f.staff, market.Demand, in)
			p := f.matches(f.buyer, d.ID)
			if len(p.Matches) == 0 || p.Matches[0].ID != ids[tt.want] {
				t.Errorf("%s: matches %v, want %d (%s) first", tt.title, matchIDs(p.Matches), ids[tt.want], tt.want)
				continue
			}
			var shared []string
			for _, s := range p.Matches[0].SharedTerms {
				shared = append(shared, strings.ToLower(s))
			}
			if !slices.Contains(shared, tt.term) {
				t.Errorf("%s: shared terms %v, want %q", tt.title, p.Matches[0].SharedTerms, tt.term)
			}
		}
	})
}

// TestOwnListingsAreNotProposed: an enterprise that offers achievements
// and posts demands is never matched with itself.
func TestOwnListingsAreNotProposed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMatchFixture(t, db)
		own := f.publish(f.buyer, f.staff, market.Achievement, batteryAchievement(cathodeTitle, cathodeSummary, "320506", []string{"license"}, 80, 7))
		uni := f.actor("uni", account.RoleInstitution, "")
		theirs := f.publish(uni, f.staff, market.Achievement, batteryAchievement("高镍正极材料氧化铝包覆量产工艺", cathodeSummary, "320506", []string{"license"}, 80, 7))
		p := f.matches(f.buyer, f.demand.ID)
		if diff := cmp.Diff([]int64{theirs.ID}, matchIDs(p.Matches)); diff != "" {
			t.Errorf("matches (-want +got), own achievement %d must not appear:\n%s", own.ID, diff)
		}
	})
}
