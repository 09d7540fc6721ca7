package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/chain"
	"kechuang/internal/cultivation"
	"kechuang/internal/project"
)

// chainFirm adds a registry enterprise with one product and a year of
// figures, as staff.
func chainFirm(t *testing.T, e *env, staff account.Actor, n int, name, county, industry, product string, revenue float64, certs ...string) cultivation.Enterprise {
	t.Helper()
	ctx := context.Background()
	first := fmt.Sprintf("91%sMA%07d", county, n)
	var code string
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if cultivation.ValidateCreditCode(first+string(c)) == nil {
			code = first + string(c)
			break
		}
	}
	ent := cultivation.Enterprise{CreditCode: code, Name: name, RegionCode: county, Industry: industry, Tags: []string{}}
	for _, c := range certs {
		ent.Certificates = append(ent.Certificates, cultivation.Certificate{Type: c, Issued: cultivation.Date{Time: time.Now().AddDate(-1, 0, 0)}})
	}
	ent, err := e.app.Cultivation.CreateEnterprise(ctx, staff, ent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Projects.CreateProduct(ctx, staff, project.ProductInput{EnterpriseID: ent.ID, Name: product}); err != nil {
		t.Fatal(err)
	}
	rd := revenue / 20
	if err := e.app.Cultivation.PutYear(ctx, staff, ent.ID, cultivation.YearRecord{Year: time.Now().Year() - 1,
		Figures: cultivation.YearFigures{Revenue: &revenue, RDExpense: &rd}}); err != nil {
		t.Fatal(err)
	}
	return ent
}

type chainWorld struct {
	staff, kunshan, taicang      account.Actor
	ksCathode, tcCathode, ksCell cultivation.Enterprise
	unit                         project.Unit
}

// newChainWorld places three firms on the 新能源汽车 chain: two cathode
// makers (昆山, 太仓) and a cell maker (昆山), with a 招商 unit in 太仓.
func newChainWorld(t *testing.T, e *env) chainWorld {
	t.Helper()
	w := chainWorld{staff: actorOf(e.createUser("staff1", account.RoleStaff, "320500")),
		kunshan: actorOf(e.createUser("kunshan", account.RoleCounty, "320583")),
		taicang: actorOf(e.createUser("taicang", account.RoleCounty, "320585"))}
	w.ksCathode = chainFirm(t, e, w.staff, 1, "昆山锂源新材料有限公司", "320583", "C3985", "磷酸铁锂正极材料", 3e7, "high-tech")
	w.tcCathode = chainFirm(t, e, w.staff, 2, "太仓正极科技有限公司", "320585", "C3985", "高镍三元正极材料", 1e7)
	w.ksCell = chainFirm(t, e, w.staff, 3, "昆山电芯能源有限公司", "320583", "C3841", "磷酸铁锂电芯、方形动力电芯制造", 5e8)
	if _, err := e.app.Chains.RefreshPlacements(context.Background(), w.staff); err != nil {
		t.Fatal(err)
	}
	var err error
	if w.unit, err = e.app.Projects.CreateUnit(context.Background(), w.taicang, project.UnitInput{RegionCode: "320585", Name: "太仓市商务局"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestChainAPI exercises the chain API: the list, a chain's picture with
// county scope (a county user sees its own firms, other counties only
// counts), candidates, placements and their confirmation and move, 404
// for another county's placement.
func TestChainAPI(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newChainWorld(t, e)
		e.createUser("firm1", account.RoleEnterprise, "320583")
		anon := e.client()
		if res := anon.api(http.MethodGet, "/api/v1/chains", nil); res.status != http.StatusUnauthorized {
			t.Errorf("anonymous chains = %d, want 401", res.status)
		}
		ks := e.client()
		ks.mustLoginAPI("kunshan")
		var list struct{ Items []chain.ChainSummary }
		res := ks.api(http.MethodGet, "/api/v1/chains", nil)
		res.json(t, &list)
		if res.status != http.StatusOK || len(list.Items) != 4 {
			t.Fatalf("chains = %d, %d items", res.status, len(list.Items))
		}
		var pic chain.ChainPicture
		res = ks.api(http.MethodGet, "/api/v1/chains/nev", nil)
		res.json(t, &pic)
		if res.status != http.StatusOK {
			t.Fatalf("chain nev = %d %s", res.status, res.body)
		}
		// County staff see their county's picture by default.
		cathode, _ := pic.Link("cathode")
		if pic.County != "320583" || cathode.Figures.Firms != 1 || len(cathode.Placed) != 1 || cathode.Placed[0].SubjectID != w.ksCathode.ID {
			t.Errorf("kunshan's cathode = %+v in county %q", cathode, pic.County)
		}
		res = ks.api(http.MethodGet, "/api/v1/chains/nev?county=320585", nil)
		res.json(t, &pic)
		if cathode, _ = pic.Link("cathode"); cathode.Figures.Firms != 1 || len(cathode.Placed) != 0 || cathode.Hidden != 1 {
			t.Errorf("kunshan looking at taicang's cathode = %+v, want one firm counted, none listed", cathode)
		}
		for _, bad := range []string{"/api/v1/chains/nowhere", "/api/v1/chains/nev/links/nowhere/candidates"} {
			if res := ks.api(http.MethodGet, bad, nil); res.status != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", bad, res.status)
			}
		}
		if res := ks.api(http.MethodGet, "/api/v1/chains/nev?county=32", nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("a bad county = %d, want 422", res.status)
		}
		tc := e.client()
		tc.mustLoginAPI("taicang")
		var cands struct{ Items []chain.Candidate }
		res = tc.api(http.MethodGet, "/api/v1/chains/nev/links/battery-cell/candidates", nil)
		res.json(t, &cands)
		if res.status != http.StatusOK || len(cands.Items) == 0 {
			t.Fatalf("candidates = %d %s", res.status, res.body)
		}
		for _, c := range cands.Items {
			if c.Name == w.ksCell.Name {
				t.Errorf("taicang sees kunshan's firm by name: %+v", c)
			}
		}
		// Placements.
		var pl struct {
			Total int
			Items []chain.Placement
		}
		res = ks.api(http.MethodGet, "/api/v1/placements?chain=nev", nil)
		res.json(t, &pl)
		if res.status != http.StatusOK || pl.Total != 2 {
			t.Fatalf("kunshan's placements = %d, %d (%s)", res.status, pl.Total, res.body)
		}
		if res := ks.api(http.MethodGet, "/api/v1/placements?state=maybe", nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("a bad state = %d, want 422", res.status)
		}
		firm := e.client()
		firm.mustLoginAPI("firm1")
		if res := firm.api(http.MethodGet, "/api/v1/placements", nil); res.status != http.StatusForbidden {
			t.Errorf("an enterprise lists placements: %d, want 403", res.status)
		}
		res = tc.api(http.MethodGet, "/api/v1/placements", nil)
		var theirs struct{ Items []chain.Placement }
		res.json(t, &theirs)
		if len(theirs.Items) == 0 {
			t.Fatal("taicang has no placement")
		}
		other := theirs.Items[0].ID
		if res := ks.api(http.MethodPost, fmt.Sprintf("/api/v1/placements/%d/confirm", other), nil); res.status != http.StatusNotFound {
			t.Errorf("kunshan confirms taicang's placement: %d, want 404", res.status)
		}
		if res := ks.api(http.MethodPost, fmt.Sprintf("/api/v1/placements/%d/move", other), map[string]string{"link": "anode"}); res.status != http.StatusNotFound {
			t.Errorf("kunshan moves taicang's placement: %d, want 404", res.status)
		}
		var p chain.Placement
		res = tc.api(http.MethodPost, fmt.Sprintf("/api/v1/placements/%d/confirm", other), nil)
		res.json(t, &p)
		if res.status != http.StatusOK || p.State != chain.Confirmed {
			t.Errorf("confirm = %d %+v", res.status, p)
		}
		res = tc.api(http.MethodPost, fmt.Sprintf("/api/v1/placements/%d/move", other), map[string]string{"link": "anode"})
		res.json(t, &p)
		if res.status != http.StatusOK || p.LinkID != "anode" {
			t.Errorf("move = %d %+v", res.status, p)
		}
		if res := tc.api(http.MethodPost, fmt.Sprintf("/api/v1/placements/%d/move", other), map[string]string{"link": "moon"}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("move to an unknown link = %d, want 422", res.status)
		}
	})
}

// TestChainPages: the pages of a chain render for staff and county users,
// the document prints and exports, a staff edit of a link is stored, and
// a 招商 lead form creates a 招商引资项目 with the firm attached.
func TestChainPages(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newChainWorld(t, e)
		st := e.client()
		st.mustLoginAPI("staff1")
		for _, p := range []string{"/chains", "/chains/nev", "/chains/nev?link=cathode", "/chains/nev?county=320585", "/chains/nev/links/battery-cell",
			"/chains/nev/document", "/chains/nev/links/anode/edit", "/chains/placements?chain=nev"} {
			if res := st.get(p); res.status != http.StatusOK {
				t.Errorf("GET %s = %d", p, res.status)
			}
		}
		d := st.get("/chains/nev?link=cathode").doc(t)
		if n := d.Find("#placed tbody tr[id^=placed-]").Length(); n != 2 {
			t.Errorf("staff see %d firms on cathode, want 2", n)
		}
		if d.Find("#chain-chart[data-echarts]").Length() != 1 || d.Find("#verdict-facts li").Length() == 0 {
			t.Error("the chain page lacks its chart or the verdict's facts")
		}
		res := st.get("/chains/nev/document.xlsx")
		if res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") {
			t.Errorf("document.xlsx = %d", res.status)
		}
		tok := st.formToken("/chains/nev/links/anode/edit")
		res = st.postForm("/chains/nev/links/anode", url.Values{"csrf_token": {tok}, "description": {"负极材料与钠电硬碳。"},
			"keywords": {"负极，石墨，硅碳，硬碳"}, "industry_classes": {"C3099"}, "domains": {"新材料/无机非金属材料"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("edit link = %d %s", res.status, res.body)
		}
		if txt := st.get("/chains/nev?link=anode").doc(t).Find("#link-drawer").Text(); !strings.Contains(txt, "硬碳") {
			t.Error("the edit does not show on the link")
		}
		tc := e.client()
		tc.mustLoginAPI("taicang")
		d = tc.get("/chains/nev?link=cathode").doc(t)
		if n := d.Find("#placed tbody tr[id^=placed-]").Length(); n != 1 {
			t.Errorf("taicang sees %d firms on its cathode, want its own", n)
		}
		if res := tc.get("/chains/nev/links/anode/edit"); res.status != http.StatusForbidden {
			t.Errorf("county edit page = %d, want 403", res.status)
		}
		if res := tc.get(fmt.Sprintf("/chains/nev/leaders/%d", w.ksCell.ID)); res.status != http.StatusNotFound {
			t.Errorf("a supplier list that is no 链主 = %d, want 404", res.status)
		}
		page := tc.get("/chains/nev/links/battery-cell")
		tok, _ = page.doc(t).Find(`#lead-form input[name="csrf_token"]`).Attr("value")
		res = tc.postForm("/chains/nev/links/battery-cell/leads", url.Values{"csrf_token": {tok}, "region_code": {"320585"},
			"unit_id": {fmt.Sprint(w.unit.ID)}, "candidate": {fmt.Sprintf("enterprise:%d:x", w.tcCathode.ID)}})
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/projects/") {
			t.Fatalf("create lead = %d %s", res.status, res.header.Get("Location"))
		}
		pv := tc.get(res.header.Get("Location"))
		if pv.status != http.StatusOK || !strings.Contains(pv.body, "补链招商") || !strings.Contains(pv.body, w.tcCathode.Name) {
			t.Errorf("the lead's project page = %d, lacks its name or firm", pv.status)
		}
		// 链主 and the supplier list.
		ks := e.client()
		ks.mustLoginAPI("kunshan")
		tok = ks.formToken("/chains/nev?link=battery-cell")
		if res := ks.postForm("/chains/nev/leaders", url.Values{"csrf_token": {tok}, "enterprise_id": {fmt.Sprint(w.ksCell.ID)}}); res.status != http.StatusSeeOther {
			t.Fatalf("mark leader = %d", res.status)
		}
		sl := ks.get(fmt.Sprintf("/chains/nev/leaders/%d", w.ksCell.ID))
		if sl.status != http.StatusOK || !strings.Contains(sl.doc(t).Find("#suppliers").Text(), w.ksCathode.Name) {
			t.Errorf("supplier list = %d, want %s on it", sl.status, w.ksCathode.Name)
		}
		if x := ks.get(fmt.Sprintf("/chains/nev/leaders/%d/suppliers.xlsx", w.ksCell.ID)); x.status != http.StatusOK || !strings.HasPrefix(x.body, "PK") {
			t.Errorf("suppliers.xlsx = %d", x.status)
		}
		if res := tc.get(fmt.Sprintf("/chains/nev/leaders/%d", w.ksCell.ID)); res.status != http.StatusNotFound {
			t.Errorf("taicang opens kunshan's 链主 list: %d, want 404", res.status)
		}
		// An enterprise drafts a demand for the link: the market's form
		// opens prefilled with the link's need.
		e.createUser("firm1", account.RoleEnterprise, "320585")
		ent := e.client()
		ent.mustLoginAPI("firm1")
		href, ok := ent.get("/chains/nev?link=battery-cell").doc(t).Find("#draft-demand").Attr("href")
		if !ok {
			t.Fatal("no draft-demand link for an enterprise")
		}
		form := ent.get(href).doc(t)
		if v, _ := form.Find(`input[name="title"]`).Attr("value"); !strings.Contains(v, "电芯制造") {
			t.Errorf("the prefilled demand's title = %q", v)
		}
		if st.get("/chains/nev?link=battery-cell").doc(t).Find("#draft-demand").Length() != 0 {
			t.Error("staff, who own no demands, are offered to draft one")
		}
		// Staff draft a 揭榜挂帅 榜单 from the same link: the challenge form
		// opens with the link's need as its title and problem.
		href, ok = st.get("/chains/nev?link=battery-cell").doc(t).Find("#draft-challenge").Attr("href")
		if !ok {
			t.Fatal("no draft-challenge link for staff")
		}
		cf := st.get(href).doc(t)
		if v, _ := cf.Find(`#challenge-form input[name="title"]`).Attr("value"); !strings.Contains(v, "电芯制造") {
			t.Errorf("the prefilled challenge's title = %q", v)
		}
		if p := cf.Find(`#challenge-form textarea[name="problem"]`).Text(); !strings.Contains(p, "新能源汽车") || !strings.Contains(p, "电芯制造") {
			t.Errorf("the prefilled challenge's problem = %q", p)
		}
	})
}
