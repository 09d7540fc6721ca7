package chain_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/chain"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/project"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *chain.Service
	reg   *cultivation.Service
	proj  *project.Service
	accts *account.Service
	n     int
}

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC) }
	ruleSets, err := cultivation.LoadRuleSets(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	types, err := project.LoadTypes(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := workday.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	accts := account.NewService(db, rs, account.Config{Now: now, Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	reg := cultivation.NewService(db, ruleSets, now)
	proj := project.NewService(project.Deps{DB: db, Accounts: accts, Registry: reg, Regions: rs, Types: types, Calendar: cal, Now: now})
	raw, err := os.ReadFile("testdata/chains/mini-nev.json")
	if err != nil {
		t.Fatal(err)
	}
	book, err := chain.LoadBook(fstest.MapFS{"chains/mini-nev.json": {Data: raw}}, "chains", domains(t))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := chain.LoadRules(data.FS, "chains/strength.json")
	if err != nil {
		t.Fatal(err)
	}
	svc := chain.NewService(chain.Deps{DB: db, Book: book, Rules: rules, Cultivation: reg, Projects: proj, Now: now})
	svc.SetDomains(domains(t))
	return &fixture{t: t, ctx: ctx, svc: svc, reg: reg, proj: proj, accts: accts}
}

func (f *fixture) actor(username string, role account.Role, regionCode string) account.Actor {
	f.t.Helper()
	u, err := f.accts.CreateUser(f.ctx, account.System, account.NewUser{Username: username, DisplayName: username,
		Organization: username + "（测试）", Role: role, RegionCode: regionCode, Password: "Kechuang-2026"})
	if err != nil {
		f.t.Fatalf("create %s: %v", username, err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: role, Region: regionCode}
}

// firm adds a registry enterprise with one product and a year of figures.
func (f *fixture) firm(by account.Actor, name, county, industry, product string, revenue float64, certs ...string) cultivation.Enterprise {
	f.t.Helper()
	f.n++
	first := fmt.Sprintf("91%sMA%07d", county, f.n)
	var code string
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if cultivation.ValidateCreditCode(first+string(c)) == nil {
			code = first + string(c)
			break
		}
	}
	e := cultivation.Enterprise{CreditCode: code, Name: name, RegionCode: county, Industry: industry, Tags: []string{}}
	for _, c := range certs {
		e.Certificates = append(e.Certificates, cultivation.Certificate{Type: c,
			Issued: cultivation.Date{Time: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}})
	}
	e, err := f.reg.CreateEnterprise(f.ctx, by, e)
	if err != nil {
		f.t.Fatalf("create %s: %v", name, err)
	}
	if _, err := f.proj.CreateProduct(f.ctx, by, project.ProductInput{EnterpriseID: e.ID, Name: product}); err != nil {
		f.t.Fatal(err)
	}
	rd, patents := revenue/20, 6
	if err := f.reg.PutYear(f.ctx, by, e.ID, cultivation.YearRecord{Year: 2025, Figures: cultivation.YearFigures{Revenue: &revenue,
		RDExpense: &rd}, IP: cultivation.IPCounts{Class1: &patents}}); err != nil {
		f.t.Fatal(err)
	}
	return e
}

// TestCountyScope: a county user sees its own firms on a link by name and
// the other county's only as counts; it cannot confirm another county's
// placement (404) nor see its 链主's supplier list; bureau staff see all.
func TestCountyScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		staff := f.actor("staff", account.RoleStaff, "320500")
		kunshan := f.actor("kunshan", account.RoleCounty, "320583")
		taicang := f.actor("taicang", account.RoleCounty, "320585")
		firm := f.actor("firm", account.RoleEnterprise, "320583")
		ks := f.firm(staff, "昆山锂源新材料有限公司", "320583", "C3985", "磷酸铁锂正极材料", 3e7, "high-tech")
		tc := f.firm(staff, "太仓正极科技有限公司", "320585", "C3985", "高镍三元正极材料", 1e7)
		cell := f.firm(staff, "昆山电芯能源有限公司", "320583", "C3841", "方形电芯", 5e8)
		res, err := f.svc.RefreshPlacements(f.ctx, staff)
		if err != nil {
			t.Fatal(err)
		}
		if res.Subjects != 3 || res.Suggested != 3 {
			t.Fatalf("RefreshPlacements = %+v, want 3 subjects, 3 suggested", res)
		}
		pic, err := f.svc.Picture(f.ctx, kunshan, "mini-nev", "")
		if err != nil {
			t.Fatal(err)
		}
		cathode, _ := pic.Link("cathode")
		if cathode.Figures.Firms != 2 || len(cathode.Placed) != 1 || cathode.Hidden != 1 || cathode.Placed[0].SubjectID != ks.ID {
			t.Fatalf("kunshan's cathode: %d firms, placed %+v, hidden %d; want 2 firms, its own listed, 1 hidden",
				cathode.Figures.Firms, cathode.Placed, cathode.Hidden)
		}
		if cathode.Figures.HighTech != 1 || cathode.Figures.AboveScale != 1 || cathode.Verdict.Strength != chain.Weak {
			t.Errorf("cathode figures %+v verdict %s, want 1 高企, 1 规上, weak", cathode.Figures, cathode.Verdict.Strength)
		}
		if anode, _ := pic.Link("anode"); anode.Verdict.Strength != chain.Missing || anode.LastChanged.IsZero() == false {
			t.Errorf("anode = %s, last changed %v; want missing, never changed", anode.Verdict.Strength, anode.LastChanged)
		}
		if len(pic.Heat) != 2 {
			t.Errorf("heat = %+v, want two counties", pic.Heat)
		}
		for _, who := range []account.Actor{firm} {
			p, err := f.svc.Picture(f.ctx, who, "mini-nev", "320583")
			if err != nil {
				t.Fatal(err)
			}
			if c, _ := p.Link("cathode"); c.Figures.Firms != 1 || len(c.Placed) != 0 || c.Hidden != 1 {
				t.Errorf("enterprise user's cathode in 昆山: %+v, want a count and no names", c)
			}
		}
		// Placements: kunshan lists its own, and another county's is 404.
		list, total, err := f.svc.FindPlacements(f.ctx, kunshan, chain.PlacementFilter{})
		if err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("kunshan's placements = %d (%v), want its 2", total, err)
		}
		_, all, err := f.svc.FindPlacements(f.ctx, staff, chain.PlacementFilter{Link: "cathode"})
		if err != nil || all != 2 {
			t.Fatalf("staff's cathode placements = %d (%v), want 2", all, err)
		}
		theirs, _, _ := f.svc.FindPlacements(f.ctx, taicang, chain.PlacementFilter{})
		if _, err := f.svc.ConfirmPlacement(f.ctx, kunshan, theirs[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("kunshan confirms taicang's placement: %v, want NotFound", err)
		}
		moved, err := f.svc.MovePlacement(f.ctx, taicang, theirs[0].ID, "anode")
		if err != nil || moved.LinkID != "anode" || moved.State != chain.Confirmed {
			t.Fatalf("MovePlacement = %+v, %v", moved, err)
		}
		if _, err := f.svc.MovePlacement(f.ctx, taicang, theirs[0].ID, "nowhere"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("move to an unknown link: %v, want Invalid", err)
		}
		// A refresh keeps a confirmed placement where staff put it.
		if _, err := f.svc.RefreshPlacements(f.ctx, staff); err != nil {
			t.Fatal(err)
		}
		again, _, _ := f.svc.FindPlacements(f.ctx, taicang, chain.PlacementFilter{})
		if again[0].LinkID != "anode" {
			t.Errorf("after refresh the moved placement is on %s, want anode", again[0].LinkID)
		}
		// 链主 and its supplier list.
		if err := f.svc.SetLeader(f.ctx, kunshan, "mini-nev", tc.ID, true); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("kunshan marks a taicang firm: %v, want NotFound", err)
		}
		if err := f.svc.SetLeader(f.ctx, kunshan, "mini-nev", cell.ID, true); err != nil {
			t.Fatal(err)
		}
		sl, err := f.svc.Suppliers(f.ctx, kunshan, "mini-nev", cell.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sl.Suppliers) != 1 || sl.Suppliers[0].Placement.SubjectID != ks.ID {
			t.Errorf("supplier list = %+v, want kunshan's cathode firm only", sl.Suppliers)
		}
		if _, err := f.svc.Suppliers(f.ctx, taicang, "mini-nev", cell.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("taicang reads kunshan's 链主 list: %v, want NotFound", err)
		}
		tpic, _ := f.svc.Picture(f.ctx, taicang, "mini-nev", "")
		if len(tpic.Leaders) != 1 || tpic.Leaders[0].Name != "" {
			t.Errorf("taicang sees the leaders %+v, want one, unnamed", tpic.Leaders)
		}
		// Candidates for taicang's missing cell link: kunshan's cell firm is
		// counted, not named.
		cands, err := f.svc.Candidates(f.ctx, taicang, "mini-nev", "cell", "")
		if err != nil {
			t.Fatal(err)
		}
		var counted bool
		for _, c := range cands {
			if c.Source == chain.CandOtherCounty {
				counted = c.Name == "" && c.Count == 1 && c.RegionCode == "320583"
			}
			if c.Name == cell.Name {
				t.Errorf("taicang sees kunshan's firm by name: %+v", c)
			}
		}
		if !counted {
			t.Errorf("candidates %+v, want kunshan's cell firm counted", cands)
		}
		// Staff see it by name, as a firm of another county.
		cands, err = f.svc.Candidates(f.ctx, staff, "mini-nev", "cell", "320585")
		if err != nil {
			t.Fatal(err)
		}
		named := false
		for _, c := range cands {
			named = named || (c.Source == chain.CandOtherCounty && c.Name == cell.Name)
		}
		if len(cands) != 2 || cands[0].Source != chain.CandNeighbour || !named {
			t.Errorf("staff's candidates for taicang's cell link = %+v, want taicang's neighbour first and %s named", cands, cell.Name)
		}
	})
}

// TestEditLinkAndLead: staff edit a link (audited overlay) and the edit
// changes suggestions; a 招商 lead becomes a 招商引资项目 with the firm.
func TestEditLinkAndLead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		staff := f.actor("staff", account.RoleStaff, "320500")
		county := f.actor("county", account.RoleCounty, "320583")
		in := chain.LinkEdit{Description: "负极材料，含钠电硬碳。", Keywords: []string{"负极", "石墨", "硅碳", "硬碳"},
			Classes: []string{"c3099"}, Domains: []string{"新材料/无机非金属材料"}}
		if _, err := f.svc.EditLink(f.ctx, county, "mini-nev", "anode", in); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("county edits a link: %v, want Forbidden", err)
		}
		bad := in
		bad.Keywords = []string{"负"}
		if _, err := f.svc.EditLink(f.ctx, staff, "mini-nev", "anode", bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("one short keyword: %v, want Invalid", err)
		}
		l, err := f.svc.EditLink(f.ctx, staff, "mini-nev", "anode", in)
		if err != nil || l.IndustryClasses[0] != "C3099" {
			t.Fatalf("EditLink = %+v, %v", l, err)
		}
		if _, err := f.svc.EditLink(f.ctx, staff, "mini-nev", "anode", in); err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.GetChain(f.ctx, county, "mini-nev")
		if err != nil {
			t.Fatal(err)
		}
		if a, _ := c.Link("anode"); len(a.Keywords) != 4 {
			t.Errorf("anode after the edit = %+v", a)
		}
		var n int
		if err := db.QueryRowContext(f.ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'chain.link_edit'").Scan(&n); err != nil || n != 2 {
			t.Errorf("audit rows = %d (%v), want 2", n, err)
		}
		sg, _ := f.svc.SuggestFor(f.ctx, county, chain.Subject{Name: "昆山钠电材料有限公司", Products: []string{"钠离子电池硬碳"}}, 1)
		if len(sg) != 1 || sg[0].LinkID != "anode" {
			t.Errorf("after the edit 硬碳 goes to %+v, want anode", sg)
		}
		firm := f.firm(staff, "无锡某电芯企业（外地）", "320583", "C3841", "软包电芯", 1e8)
		unit, err := f.proj.CreateUnit(f.ctx, county, project.UnitInput{RegionCode: "320583", Name: "昆山市商务局"})
		if err != nil {
			t.Fatal(err)
		}
		lead, p, err := f.svc.CreateLead(f.ctx, county, "mini-nev", "cell", chain.LeadInput{RegionCode: "320583", UnitID: unit.ID,
			CandidateType: chain.SubjectEnterprise, CandidateID: firm.ID})
		if err != nil {
			t.Fatal(err)
		}
		if p.Type != chain.InvestmentType || len(p.EnterpriseIDs) != 1 || p.EnterpriseIDs[0] != firm.ID || lead.ProjectID != p.ID {
			t.Errorf("lead %+v project %+v", lead, p)
		}
		other := f.actor("other", account.RoleCounty, "320585")
		if _, _, err := f.svc.CreateLead(f.ctx, other, "mini-nev", "cell", chain.LeadInput{RegionCode: "320585", UnitID: unit.ID,
			CandidateType: chain.SubjectEnterprise, CandidateID: firm.ID}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a lead about another county's firm: %v, want Invalid", err)
		}
		leads, _ := f.svc.Leads(f.ctx, other, "mini-nev")
		if len(leads) != 0 {
			t.Errorf("the other county sees leads %+v", leads)
		}
	})
}

// remoteStub is federation's pool of other regions' listings.
type remoteStub []market.RemoteCandidate

func (r remoteStub) RemoteCandidates(_ context.Context, k market.Kind) ([]market.RemoteCandidate, error) {
	var out []market.RemoteCandidate
	for _, c := range r {
		if c.Listing.Kind == k {
			out = append(out, c)
		}
	}
	return out, nil
}

// TestRemoteCandidates: another region's achievement that names the
// link's terms is a candidate, with its origin and the shared terms as the
// reason; one that names none, and a remote demand, are not.
func TestRemoteCandidates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		staff := f.actor("staff", account.RoleStaff, "320500")
		remote := func(id int64, kind market.Kind, title, summary string) market.RemoteCandidate {
			return market.RemoteCandidate{ID: id, URL: "https://kc.wuxi.example.gov.cn/market/listings/" + strconv.FormatInt(id, 10),
				OriginName: "无锡市科创平台", OriginRegion: "320200",
				Listing: market.Listing{Kind: kind, Title: title, Summary: summary, RegionCode: "320214"}}
		}
		f.svc.UseRemote(remoteStub{
			remote(7, market.Achievement, "高安全长寿命电芯制造工艺", "面向动力电池的电芯叠片与化成工艺，循环寿命提升30%。"),
			remote(8, market.Achievement, "茶叶深加工与风味保持技术", "低温萃取保留茶多酚。"),
			remote(9, market.Demand, "寻求电芯制造合作", "我司需要电芯工艺支持。"),
		})
		cands, err := f.svc.Candidates(f.ctx, staff, "mini-nev", "cell", "")
		if err != nil {
			t.Fatal(err)
		}
		var got []chain.Candidate
		for _, c := range cands {
			if c.Source == chain.CandOtherRegion {
				got = append(got, c)
			}
		}
		if len(got) != 1 || got[0].ID != 7 || got[0].RegionCode != "320214" || len(got[0].Reasons) != 1 ||
			got[0].Reasons[0].Key != "chain.cand.other_region" || got[0].Reasons[0].Args[0] != "无锡市科创平台" ||
			!strings.Contains(got[0].Reasons[0].Args[1], "电芯") {
			t.Errorf("other regions' candidates = %+v, want the Wuxi cell achievement only, with its origin and shared terms", got)
		}
	})
}
