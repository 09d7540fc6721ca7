package market_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/market"
	"kechuang/internal/search/classify"
	"kechuang/internal/sqldb"
)

// newDirectory opens the directory on the fixture's database and hands
// it to matching, as the wiring does.
func (f *matchFixture) newDirectory() *directory.Service {
	f.t.Helper()
	ref, err := directory.LoadReference(data.FS)
	if err != nil {
		f.t.Fatal(err)
	}
	model, err := classify.Default()
	if err != nil {
		f.t.Fatal(err)
	}
	d := directory.NewService(f.db, ref, directory.Config{Home: func(context.Context) (string, error) { return "320500", nil },
		Now: f.clock.Now, Classifier: model})
	f.svc.UseDirectory(d)
	return d
}

// expertPhone is a phone number no match may show.
const expertPhone = "13912345678"

// addExpert creates an expert consenting to show fields (none: no
// consent recorded).
func (f *matchFixture) addExpert(d *directory.Service, name, research string, keywords []string, fields ...string) directory.Expert {
	f.t.Helper()
	ctx := context.Background()
	e, err := d.CreateExpert(ctx, f.staff, directory.ExpertInput{Name: name, Affiliation: "苏州某研究院（测试）", Title: "研究员",
		Research: research, Keywords: keywords, RegionCode: "320506",
		Contact: &directory.ExpertContact{Phone: expertPhone, Email: "expert@example.com"}})
	if err != nil {
		f.t.Fatalf("create expert %s: %v", name, err)
	}
	if len(fields) > 0 {
		if _, err := d.RecordExpertConsent(ctx, f.staff, e.ID, directory.ConsentInput{Fields: fields,
			NoticeVersion: d.Reference().Notice.Version, GivenOn: "2026-11-01"}); err != nil {
			f.t.Fatalf("consent of %s: %v", name, err)
		}
	}
	return e
}

func TestDemandMatchesExpertsAndInstitutions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMatchFixture(t, db)
		d := f.newDirectory()
		all := []string{"name", "institution", "title", "disciplines", "research", "keywords", "achievements", "region"}
		onField := f.addExpert(d, "李正极", "锂离子电池高镍三元正极材料表面包覆改性，原子层沉积氧化铝包覆层抑制界面副反应，提高动力电池循环寿命和热稳定性。",
			[]string{"正极材料", "原子层沉积", "锂离子电池"}, all...)
		offField := f.addExpert(d, "王视觉", "机器视觉与深度学习，精密零件表面缺陷在线检测，工业相机标定。",
			[]string{"机器视觉", "缺陷检测"}, all...)
		// Same field, but no consent: never proposed, never named.
		hidden := f.addExpert(d, "赵未同意", "高镍三元正极材料包覆改性与锂离子电池循环寿命。", []string{"正极材料"})
		// Consents only to the name: its research must not be matched on.
		nameOnly := f.addExpert(d, "钱仅姓名", "高镍三元正极材料包覆改性与锂离子电池循环寿命，热稳定性。", []string{"正极材料", "包覆"}, "name")

		inst, err := d.CreateInstitution(ctx, f.staff, directory.InstitutionInput{Name: "苏州储能材料研究院（测试）", Type: "institute",
			RegionCode: "320506", Domains: []string{"新能源与节能"},
			Summary: "从事锂离子电池正极材料、固态电解质和储能系统研究，建有正极材料中试线。",
			Contact: directory.Contact{Name: "孙老师", Phone: "0512-65550000"}})
		if err != nil {
			t.Fatal(err)
		}
		uni := f.actor("uni", account.RoleInstitution, "")
		if err := d.LinkInstitutionAccount(ctx, f.staff, inst.ID, uni.UserID); err != nil {
			t.Fatal(err)
		}
		// The institution's published achievement counts as its text.
		ach := f.publish(uni, f.staff, market.Achievement, batteryAchievement(cathodeTitle, cathodeSummary, "320506", []string{"license"}, 80, 7))
		// One deal on it signed: the institution's past deals.
		deal, err := f.svc.CreateDeal(ctx, f.buyer, market.DealInput{ListingID: ach.ID, Message: "希望洽谈许可。",
			Contact: market.Contact{Name: "张经理", Phone: "0512-66000000"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.StepDeal(ctx, f.buyer, deal.ID, market.DealNegotiate, market.DealStep{}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.StepDeal(ctx, f.buyer, deal.ID, market.DealSign, market.DealStep{Amount: amount(60)}); err != nil {
			t.Fatal(err)
		}

		p := f.matches(f.buyer, f.demand.ID)
		ids := matchIDs(p.Experts)
		if len(ids) == 0 || ids[0] != onField.ID {
			t.Fatalf("experts = %v, want %d (on field) first", ids, onField.ID)
		}
		pos := map[int64]int{}
		for i, id := range ids {
			pos[id] = i
		}
		if _, ok := pos[hidden.ID]; ok {
			t.Errorf("an expert without consent is proposed: %v", ids)
		}
		if i, ok := pos[offField.ID]; ok && i < pos[onField.ID] {
			t.Errorf("the off-field expert ranks above the on-field one: %v", ids)
		}
		top := p.Experts[0]
		if top.CandidateKind != market.CandidateExpert || top.Title != "李正极" || !strings.Contains(top.Subtitle, "研究员") {
			t.Errorf("top expert = %+v", top)
		}
		tests := []struct{ feature, fit, text string }{
			{market.FeatureText, "good", "正极、材料"},
			{market.FeatureRegion, "good", "同在吴中区"},
			{market.FeatureDeals, "unknown", "暂无技术交易记录"},
		}
		for _, tt := range tests {
			r := reasonOf(top, tt.feature)
			if r.Fit != tt.fit || !strings.Contains(r.Text, tt.text) {
				t.Errorf("%s reason = %s %q, want %s containing %q", tt.feature, r.Fit, r.Text, tt.fit, tt.text)
			}
		}
		if r := reasonOf(top, market.FeatureField); r.Text == "" {
			t.Errorf("no discipline reason: %+v", top.Reasons)
		}
		for _, m := range p.Experts {
			if m.ID == nameOnly.ID && (len(m.SharedTerms) > 0 || m.Subtitle != "" || m.RegionCode != "") {
				t.Errorf("an expert consenting only to the name shows more: %+v", m)
			}
		}
		if len(p.Institutions) == 0 || p.Institutions[0].ID != inst.ID {
			t.Fatalf("institutions = %v, want %d", matchIDs(p.Institutions), inst.ID)
		}
		if r := reasonOf(p.Institutions[0], market.FeatureDomain); r.Fit != "partial" || !strings.Contains(r.Text, "新能源与节能") {
			t.Errorf("institution domain reason = %s %q", r.Fit, r.Text)
		}
		if r := reasonOf(p.Institutions[0], market.FeatureDeals); r.Fit != "partial" || r.Text != "已有 1 项技术交易签约或登记" {
			t.Errorf("institution deals reason = %s %q", r.Fit, r.Text)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{expertPhone, "expert@example.com", "0512-65550000", "赵未同意"} {
			if strings.Contains(string(b), leak) {
				t.Errorf("the match page shows %q", leak)
			}
		}

		// Answers: the owner declines the expert, accepts the institution,
		// whose linked account is told; neither is proposed again.
		if _, err := f.svc.DeclineMatch(ctx, f.buyer, f.demand.ID, market.Answer{CandidateKind: market.CandidateExpert,
			CandidateID: onField.ID, Reason: market.ReasonRegion}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AcceptMatch(ctx, f.buyer, f.demand.ID, market.Answer{CandidateKind: market.CandidateInstitution,
			CandidateID: inst.ID}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AcceptMatch(ctx, f.buyer, f.demand.ID, market.Answer{CandidateKind: market.CandidateExpert, CandidateID: hidden.ID})
		wantKind(t, "accept an expert without consent", err, apperr.NotFound)
		_, err = f.svc.AcceptMatch(ctx, f.buyer, f.demand.ID, market.Answer{CandidateKind: market.CandidateInvestor, CandidateID: uni.UserID})
		wantKind(t, "accept an investor for a demand", err, apperr.NotFound)
		p = f.matches(f.buyer, f.demand.ID)
		for _, m := range append(p.Experts, p.Institutions...) {
			if (m.CandidateKind == market.CandidateExpert && m.ID == onField.ID) || (m.CandidateKind == market.CandidateInstitution && m.ID == inst.ID) {
				t.Errorf("answered %s %d proposed again", m.CandidateKind, m.ID)
			}
		}
		var titles []string
		for _, dec := range p.Decisions {
			titles = append(titles, dec.CandidateKind+":"+dec.Title)
		}
		if diff := cmp.Diff([]string{"institution:苏州储能材料研究院（测试）", "expert:李正极"}, titles); diff != "" {
			t.Errorf("decisions (-want +got):\n%s", diff)
		}
		if p.Boosts[market.FeatureRegion] != 1.5 {
			t.Errorf("boosts = %v, want region ×1.5 after a region decline", p.Boosts)
		}
		inbox, err := f.inbox(uni)
		if err != nil {
			t.Fatal(err)
		}
		if len(inbox.Items) == 0 || !strings.Contains(inbox.Items[0].Title, cathodeDemandTitle) {
			t.Errorf("the institution's account was not told: %+v", inbox.Items)
		}

		// Another county's staff and another enterprise: 404.
		county := f.actor("county", account.RoleCounty, "320581")
		other := f.actor("other", account.RoleEnterprise, "")
		for _, a := range []account.Actor{county, other} {
			_, err := f.x.Matches(ctx, a, f.demand.ID, 1)
			wantKind(t, a.Username+" opening the matches", err, apperr.NotFound)
			_, err = f.svc.DeclineMatch(ctx, a, f.demand.ID, market.Answer{CandidateKind: market.CandidateExpert,
				CandidateID: offField.ID, Reason: market.ReasonField})
			wantKind(t, a.Username+" answering", err, apperr.NotFound)
		}
		// Staff in scope see, but do not answer.
		if sp := f.matches(f.staff, f.demand.ID); sp.CanAnswer || len(sp.Experts) == 0 {
			t.Errorf("staff's view: can answer %v, %d experts", sp.CanAnswer, len(sp.Experts))
		}
	})
}

// investorFixture is a published financing need and investors around it.
type investorFixture struct {
	*matchFixture
	dir  *directory.Service
	firm account.Actor
	need market.Listing
}

func newInvestorFixture(t *testing.T, db *sqldb.DB) *investorFixture {
	f := &investorFixture{matchFixture: newMatchFixture(t, db)}
	f.dir = f.newDirectory()
	f.firm = f.actor("firm", account.RoleEnterprise, "")
	in := financing("高镍正极材料扩产融资")
	in.Domain, in.RegionCode = "新能源与节能/新型高效能量转换与储存技术", "320506"
	f.need = f.publish(f.firm, f.staff, market.Financing, in)
	return f
}

func wan(v float64) *float64 { return &v }

// investor creates an investor account with preferences (in nil: none).
func (f *investorFixture) investor(name string, in *directory.InvestorInput) account.Actor {
	f.t.Helper()
	a := f.actor(name, account.RoleInvestor, "")
	if in != nil {
		in.RegionCode = "320506"
		if _, err := f.dir.PutInvestorPreferences(context.Background(), f.staff, a.UserID, *in); err != nil {
			f.t.Fatalf("preferences of %s: %v", name, err)
		}
	}
	return a
}

func TestInvestorRanking(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newInvestorFixture(t, db)
		// The need: 新能源与节能/…储存技术, A轮, 3000 万元, 吴中区.
		// Scores by hand: domain ×1, stage ×0.6, ticket ×0.6, region
		// ×0.3, portfolio ×0.5.
		fit := f.investor("fit", &directory.InvestorInput{Domains: []string{"新能源与节能"}, Stages: []string{"growth"},
			TicketMin: wan(1000), TicketMax: wan(5000), Regions: []string{"320500"}}) // 1 + 0.6 + 0.6 + 0.3 = 2.5
		small := f.investor("small", &directory.InvestorInput{Domains: []string{"新能源与节能"}, Stages: []string{"seed"},
			TicketMin: wan(100), TicketMax: wan(500)}) // 1 + 0 + 0 + 0.6×0.3 = 1.18
		otherField := f.investor("otherfield", &directory.InvestorInput{Domains: []string{"电子信息"}, Stages: []string{"startup"},
			Regions: []string{"320000"}}) // 0 + 0.6 + 0.5×0.6 + 0.3 = 1.2
		fundOnly := f.investor("fundonly", nil) // its fund: 1 + 0.6 + 0.5×0.6 + 0.3 (the fund's city) = 2.2
		if _, err := f.dir.CreateFund(ctx, f.staff, directory.FundInput{Name: "苏州储能产业基金（测试）", Type: "industry",
			Subscribed: 50000, Paid: 20000, Stages: []string{"startup"}, Domains: []string{"新能源与节能/新型高效能量转换与储存技术"},
			RegionCode: "320500", OwnerID: fundOnly.UserID, Contact: directory.Contact{Name: "周经理", Phone: "0512-67778888"}}); err != nil {
			t.Fatal(err)
		}
		// Preferences only staff may see are not matched.
		f.investor("private", &directory.InvestorInput{Domains: []string{"新能源与节能"}, Visibility: directory.VisibleStaff})

		p := f.matches(f.firm, f.need.ID)
		type row struct {
			ID    int64
			Score float64
		}
		var got []row
		for _, m := range p.Matches {
			if m.CandidateKind != market.CandidateInvestor {
				t.Errorf("candidate kind = %s", m.CandidateKind)
			}
			got = append(got, row{m.ID, m.Score})
		}
		want := []row{{fit.UserID, 2.5}, {fundOnly.UserID, 2.2}, {otherField.UserID, 1.2}, {small.UserID, 1.18}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("investors (-want +got):\n%s", diff)
		}
		if len(p.Matches) > 0 {
			texts := map[string]string{}
			for _, r := range p.Matches[0].Reasons {
				texts[r.Feature] = r.Text
			}
			wantTexts := map[string]string{
				market.FeatureDomain:    "关注领域包含新能源与节能/新型高效能量转换与储存技术",
				market.FeatureStage:     "A轮属于对方关注的成长期",
				market.FeatureTicket:    "融资 3000 万元，在单笔金额范围（1000–5000 万元）内",
				market.FeatureRegion:    "投资地域包含吴中区",
				market.FeaturePortfolio: "暂无投资案例记录",
			}
			if diff := cmp.Diff(wantTexts, texts); diff != "" {
				t.Errorf("reasons of the best investor (-want +got):\n%s", diff)
			}
			// In English the round and stage are labels too, never codes.
			en := p.Matches[0]
			en.Reasons = append([]market.Reason(nil), en.Reasons...)
			en.Localize("en")
			if got := reasonOf(en, market.FeatureStage).Text; got != "Series A is within the stage it invests in (Growth)" {
				t.Errorf("English stage reason = %q", got)
			}
		}
		b, _ := json.Marshal(p)
		if strings.Contains(string(b), "0512-67778888") || strings.Contains(string(b), "private") {
			t.Errorf("the investor matches show a fund's contact or a staff-only investor: %s", b)
		}

		// The investors' side: the need is proposed with the same reasons.
		mine, err := f.svc.FinancingMatches(ctx, fit, 1)
		if err != nil {
			t.Fatal(err)
		}
		mine.Localize("zh-CN")
		if !mine.Preferences || len(mine.Matches) != 1 || mine.Matches[0].ID != f.need.ID || mine.Matches[0].Score != 2.5 ||
			mine.Matches[0].Round != "a" || mine.Matches[0].Amount != 3000 {
			t.Fatalf("the investor's financing matches = %+v", mine)
		}
		// Declined by the firm: gone from the investor's list and from the
		// firm's; accepted: the investor is told.
		if _, err := f.svc.DeclineMatch(ctx, f.firm, f.need.ID, market.Answer{CandidateKind: market.CandidateInvestor,
			CandidateID: small.UserID, Reason: market.ReasonBudget}); err != nil {
			t.Fatal(err)
		}
		if mine, _ := f.svc.FinancingMatches(ctx, small, 1); len(mine.Matches) != 0 {
			t.Errorf("a declined investor still gets the need: %v", matchIDs(mine.Matches))
		}
		if _, err := f.svc.AcceptMatch(ctx, f.firm, f.need.ID, market.Answer{CandidateKind: market.CandidateInvestor,
			CandidateID: fit.UserID}); err != nil {
			t.Fatal(err)
		}
		inbox, err := f.inbox(fit)
		if err != nil {
			t.Fatal(err)
		}
		if len(inbox.Items) == 0 || !strings.Contains(inbox.Items[0].Title, "高镍正极材料扩产融资") {
			t.Errorf("the accepted investor was not told: %+v", inbox.Items)
		}
		p = f.matches(f.firm, f.need.ID)
		if diff := cmp.Diff([]int64{fundOnly.UserID, otherField.UserID}, matchIDs(p.Matches)); diff != "" {
			t.Errorf("investors after answers (-want +got):\n%s", diff)
		}
		if p.Boosts[market.FeatureTicket] != 1.5 {
			t.Errorf("boosts = %v, want ticket ×1.5 after a budget decline", p.Boosts)
		}

		// Who may look: the owner and staff in scope; another county's
		// staff, another enterprise and the investors get 404.
		county := f.actor("county", account.RoleCounty, "320581")
		for _, a := range []account.Actor{county, f.buyer, fit} {
			_, err := f.x.Matches(ctx, a, f.need.ID, 1)
			wantKind(t, a.Username+" opening the need's matches", err, apperr.NotFound)
		}
		if sp := f.matches(f.staff, f.need.ID); sp.CanAnswer || len(sp.Matches) != 2 {
			t.Errorf("staff's view: can answer %v, %d investors", sp.CanAnswer, len(sp.Matches))
		}
		_, err = f.svc.FinancingMatches(ctx, f.firm, 1)
		wantKind(t, "an enterprise's financing matches", err, apperr.Forbidden)
		// A need not published is not proposed to investors.
		draftIn := financing("未发布的融资需求")
		draftIn.RegionCode = "320506"
		draft, err := f.svc.CreateListing(ctx, f.firm, market.Financing, draftIn)
		if err != nil {
			t.Fatal(err)
		}
		if mine, _ := f.svc.FinancingMatches(ctx, fit, 1); len(mine.Matches) != 1 || mine.Matches[0].ID == draft.ID {
			t.Errorf("investor sees %v, want only the published need %d", matchIDs(mine.Matches), f.need.ID)
		}
	})
}
