package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
)

// cultivationDay is the fixed "today" of the cultivation page tests.
var cultivationDay = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func fptr(v float64) *float64 { return &v }
func iptr(v int) *int         { return &v }

// strongFirm adds a firm whose last three years meet the 创新型中小企业
// criteria (6% R&D, growing revenue, IP), holding certs, and assesses it.
func (e *env) strongFirm(t *testing.T, staff account.Actor, seq, county string, certs []cultivation.Certificate) cultivation.Enterprise {
	t.Helper()
	ctx := context.Background()
	svc := e.app.Cultivation
	ent, err := svc.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode("91" + county + "MA1TRK" + seq),
		Name: "培育测试" + seq + "科技有限公司", RegionCode: county, Industry: "C39", Founded: cultivation.Date{Time: time.Date(2015, 3, 1, 0, 0, 0, 0, time.UTC)},
		Tags: []string{}, Certificates: certs,
		Extra: cultivation.Extra{Choices: map[string]string{"strategic_emerging": "yes", "rd_institution": "none"}}})
	if err != nil {
		t.Fatal(err)
	}
	y := cultivationDay.Year() - 1
	for i, scale := range []float64{25, 32, 40} {
		f := cultivation.YearFigures{Revenue: fptr(scale * 1e6), MainRevenue: fptr(scale * 0.95e6), HightechRevenue: fptr(scale * 0.75e6),
			CostTotal: fptr(scale * 0.875e6), RDExpense: fptr(scale * 0.06e6), RDExpenseDomestic: fptr(scale * 0.06e6),
			Employees: fptr(80 + 10*float64(i)), TechStaff: fptr(20 + 5*float64(i)), RDStaff: fptr(15 + 2*float64(i)),
			TotalAssets: fptr(scale * 1.25e6), NetAssets: fptr(scale * 0.5e6), Liabilities: fptr(scale * 0.75e6), NetProfit: fptr(scale * 0.1e6),
			EquityFinancing: fptr(0)}
		if err := svc.PutYear(ctx, staff, ent.ID, cultivation.YearRecord{Year: y - 2 + i, Figures: f,
			IP: cultivation.IPCounts{Class1: iptr(1), Class2: iptr(5), Class1HighValue: iptr(0), Class1Own: iptr(1), Class1Applied: iptr(1)}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.AssessEnterprise(ctx, staff, ent.ID, cultivationDay); err != nil {
		t.Fatal(err)
	}
	ent, err = svc.GetEnterprise(ctx, staff, ent.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ent
}

func text(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestCultivationStandingIsOneAnswer guards three defects of #11 seen on
// the demo: the profile's info block said 未入库 while its side panel said
// 创新型中小企业, and listed an expired 科小 as held; the registry list
// proposed "创新型中小企业 → 专精特新中小企业" for firms not in the pool;
// and the pool chart counted no 科小 or 高企 although firms held them.
func TestCultivationStandingIsOneAnswer(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.clock.now = cultivationDay
		city := e.createUser("city", account.RoleStaff, "320500")
		staff := actorOf(city)
		day := func(s string) cultivation.Date {
			d, _ := time.Parse("2006-01-02", s)
			return cultivation.Date{Time: d}
		}
		// Like demo firm 9: a 科小 registration of 2025 and data that meet 创新型.
		lapsed := e.strongFirm(t, staff, "001", "320583", []cultivation.Certificate{{Type: "tech-sme", Issued: day("2025-02-08")}})
		certified := e.strongFirm(t, staff, "002", "320583", []cultivation.Certificate{{Type: "tech-sme", Issued: day("2025-02-08")},
			{Type: "high-tech", Issued: day("2024-10-15")}})
		confirmed := e.strongFirm(t, staff, "003", "320505", nil)
		if err := e.app.Cultivation.ConfirmTier(context.Background(), staff, confirmed.ID, cultivation.TierInnovative, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Cultivation.AssessEnterprise(context.Background(), staff, confirmed.ID, cultivationDay); err != nil {
			t.Fatal(err)
		}

		c := e.client()
		c.loginForm("city", testPassword)
		profile := func(id int64) (standing, current string, certs []string) {
			d := c.get("/cultivation/enterprises/" + strconv.FormatInt(id, 10)).doc(t)
			for i := range d.Find("#certificates li").Nodes {
				certs = append(certs, text(d.Find("#certificates li").Eq(i).Text()))
			}
			return text(d.Find("#standing").Text()), text(d.Find("#current-tier").Text()), certs
		}
		standing, current, certs := profile(lapsed.ID)
		if !strings.HasPrefix(standing, "未入库") || current != "未入库" {
			t.Errorf("lapsed 科小: info block %q, side panel %q; want 未入库 in both", standing, current)
		}
		if len(certs) != 1 || !strings.Contains(certs[0], "2025 年度有效") || !strings.Contains(certs[0], "已过期") {
			t.Errorf("lapsed 科小 certificate = %q, want its year of validity and 已过期", certs)
		}
		standing, current, certs = profile(certified.ID)
		if !strings.HasPrefix(standing, "高新技术企业") || current != "高新技术企业" {
			t.Errorf("valid 高企: info block %q, side panel %q; want 高新技术企业 in both", standing, current)
		}
		if len(certs) != 2 || !strings.Contains(certs[1], "有效期至 2027-10-14") || strings.Contains(certs[1], "已过期") {
			t.Errorf("高企 certificate = %q, want valid until 2027-10-14", certs)
		}

		// The list: the standing, then what the assessment proposes above it.
		rows := map[string][2]string{}
		list := c.get("/cultivation").doc(t)
		for i := range list.Find("#enterprises tbody tr").Nodes {
			row := list.Find("#enterprises tbody tr").Eq(i)
			rows[text(row.Find("td a").First().Text())] = [2]string{text(row.Find("td.standing").Text()), text(row.Find("td.proposal").Text())}
		}
		if got := rows[lapsed.Name]; got[0] != "未入库" || strings.Contains(got[1], "专精特新") || !strings.Contains(got[1], "建议 创新型中小企业（待确认）") {
			t.Errorf("list row of a firm not in the pool = %q, want 未入库 and a proposal measured from it", got)
		}
		if got := rows[certified.Name]; got[0] != "高新技术企业" {
			t.Errorf("list row of a 高企 = %q, want it standing at 高新技术企业", got)
		}
		if got := rows[confirmed.Name]; got[0] != "创新型中小企业" || !strings.Contains(got[1], "下一梯队 专精特新中小企业") {
			t.Errorf("list row of a confirmed 创新型 = %q, want 专精特新 next", got)
		}

		// The pool counts the valid 高企 without a confirmation.
		counts := map[string]string{}
		pool := c.get("/cultivation/pool").doc(t)
		for i := range pool.Find("#pool-counts tbody tr").Nodes {
			row := pool.Find("#pool-counts tbody tr").Eq(i)
			counts[text(row.Find("td").First().Text())] = text(row.Find("td.num").Text())
		}
		if counts["高新技术企业"] != "1" || counts["未入库"] != "1" || counts["创新型中小企业"] != "1" || counts["科技型中小企业"] != "0" {
			t.Errorf("pool counts = %v, want one each of 未入库, 高新技术企业, 创新型中小企业", counts)
		}
	})
}

// TestCultivationPoolBulkDecisions covers the pool page of #11: pending
// proposals page (25 a page) and filter by county, and several are
// confirmed or rejected at once; another county's firm is 404.
func TestCultivationPoolBulkDecisions(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.clock.now = cultivationDay
		ctx := context.Background()
		city := e.createUser("city", account.RoleStaff, "320500")
		e.createUser("ks", account.RoleCounty, "320583")
		var ks []int64
		for i := range 27 {
			county := "320583"
			if i >= 24 {
				county = "320505"
			}
			ent, err := e.app.Cultivation.CreateEnterprise(ctx, actorOf(city), cultivation.Enterprise{
				CreditCode: creditCode("91" + county + "MA1BLK" + strconv.Itoa(100+i)), Name: "批量测试" + strconv.Itoa(100+i) + "有限公司",
				RegionCode: county, Tags: []string{}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.ExecContext(ctx, "UPDATE enterprises SET proposed_tier = ? WHERE id = ?", cultivation.TierTechSME, ent.ID); err != nil {
				t.Fatal(err)
			}
			if county == "320583" {
				ks = append(ks, ent.ID)
			}
		}
		c := e.client()
		c.loginForm("city", testPassword)
		d := c.get("/cultivation/pool").doc(t)
		if n := d.Find(`#pending input[name="ids"]`).Length(); n != 25 {
			t.Errorf("first page = %d rows, want 25", n)
		}
		if n := c.get("/cultivation/pool?page=2").doc(t).Find(`#pending input[name="ids"]`).Length(); n != 2 {
			t.Errorf("second page = %d rows, want 2", n)
		}
		if n := c.get("/cultivation/pool?region=320505").doc(t).Find(`#pending input[name="ids"]`).Length(); n != 3 {
			t.Errorf("姑苏区 = %d rows, want 3", n)
		}
		if res := c.get("/cultivation/pool?region=abc"); res.status != http.StatusUnprocessableEntity {
			t.Errorf("bad region = %d, want 422", res.status)
		}

		k := e.client()
		k.loginForm("ks", testPassword)
		tok := k.formToken("/cultivation/pool")
		other := c.get("/cultivation/pool?region=320505").doc(t).Find(`#pending input[name="ids"]`).First().AttrOr("value", "")
		if res := k.postForm("/cultivation/pool/decide", url.Values{"csrf_token": {tok}, "decision": {"confirm"}, "ids": {other}}); res.status != http.StatusNotFound {
			t.Errorf("another county's firm = %d, want 404", res.status)
		}
		if res := k.postForm("/cultivation/pool/decide", url.Values{"csrf_token": {tok}, "decision": {"confirm"}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("nothing ticked = %d, want 422", res.status)
		}
		res := k.postForm("/cultivation/pool/decide", url.Values{"csrf_token": {tok}, "decision": {"confirm"}, "note": {"批量确认"},
			"ids": {strconv.FormatInt(ks[0], 10), strconv.FormatInt(ks[1], 10)}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("bulk confirm = %d %s", res.status, res.body)
		}
		if got := text(k.get(res.header.Get("Location")).doc(t).Find("p.success").Text()); !strings.Contains(got, "2") {
			t.Errorf("bulk confirm message = %q", got)
		}
		res = k.postForm("/cultivation/pool/decide", url.Values{"csrf_token": {tok}, "decision": {"reject"},
			"ids": {strconv.FormatInt(ks[2], 10)}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("bulk reject = %d", res.status)
		}
		if n := k.get("/cultivation/pool").doc(t).Find(`#pending input[name="ids"]`).Length(); n != 21 {
			t.Errorf("昆山 pending after deciding 3 = %d, want 21", n)
		}
		if e2, _ := e.app.Cultivation.GetEnterprise(ctx, actorOf(city), ks[0]); e2.Tier != cultivation.TierTechSME {
			t.Errorf("confirmed firm tier = %q", e2.Tier)
		}

		// The same through the API.
		api := e.client()
		api.mustLoginAPI("ks")
		otherID, _ := strconv.ParseInt(other, 10, 64)
		if res := api.api(http.MethodPost, "/api/v1/pool/decisions", map[string]any{"ids": []int64{otherID}, "decision": "confirm"}); res.status != http.StatusNotFound {
			t.Errorf("API: another county's firm = %d, want 404", res.status)
		}
		if res := api.api(http.MethodPost, "/api/v1/pool/decisions", map[string]any{"ids": []int64{ks[3]}, "decision": "maybe"}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("API: unknown decision = %d, want 422", res.status)
		}
		res = api.api(http.MethodPost, "/api/v1/pool/decisions", map[string]any{"ids": []int64{ks[3], ks[4], ks[0]}, "decision": "reject", "note": "重复"})
		if res.status != http.StatusOK || !strings.Contains(res.body, `"decided":2`) || !strings.Contains(res.body, `"skipped":1`) {
			t.Errorf("API: reject = %d %s, want 2 decided and 1 skipped", res.status, res.body)
		}
	})
}

// TestCultivationTargetsPage guards the targets page of #11: a city total
// row, an xlsx export, R&D growth explained instead of "— / n", and 督办
// stating its margin.
func TestCultivationTargetsPage(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.clock.now = time.Date(2026, 7, 2, 12, 0, 0, 0, time.UTC)
		city := e.createUser("city", account.RoleStaff, "320500")
		ctx := context.Background()
		for _, code := range []string{"320583", "320585"} {
			if err := e.app.Cultivation.SetTarget(ctx, actorOf(city), code, 2026, "tech_sme_new", 6); err != nil {
				t.Fatal(err)
			}
		}
		c := e.client()
		c.loginForm("city", testPassword)
		d := c.get("/cultivation/targets?year=2026").doc(t)
		total := d.Find("#progress tfoot #total td.num")
		if got := text(total.First().Text()); !strings.HasPrefix(got, "0 / 12") {
			t.Errorf("total row first cell = %q, want 0 / 12", got)
		}
		if got := text(d.Find("#progress tbody tr").First().Find(".rd-note").Text()); got != "暂无连续两年研发费用数据" {
			t.Errorf("R&D growth note = %q", got)
		}
		if got := text(d.Find("#behind .hint").Text()); !strings.Contains(got, "10 个百分点") {
			t.Errorf("督办 rule = %q, want the margin stated", got)
		}
		href, _ := d.Find("#targets-export").Attr("href")
		res := c.get(href)
		if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Type"), "spreadsheetml") || !strings.HasPrefix(res.body, "PK") {
			t.Errorf("export %s = %d %s", href, res.status, res.header.Get("Content-Type"))
		}
		if res := c.get("/cultivation/targets.xlsx?year=abc"); res.status != http.StatusUnprocessableEntity {
			t.Errorf("bad year = %d, want 422", res.status)
		}
	})
}

// TestCultivationRulesPagePlain guards the rules page of #11: rule-set ids
// (above-scale, high-tech) were shown as chips, field names such as
// certificates[].expires sat in user text, and [C]/[S]/[U] went unexplained.
func TestCultivationRulesPagePlain(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		d := e.client().get("/cultivation/rules").doc(t)
		cards := text(d.Find("#rule-sets").Text())
		for _, code := range []string{"above-scale", "high-tech", "innovative-sme", "certificates[].expires", "data_year", "version="} {
			if strings.Contains(cards, code) {
				t.Errorf("rules page shows %q", code)
			}
		}
		if !strings.Contains(cards, "规模以上企业") || !strings.Contains(cards, "证书载明的有效期") {
			t.Errorf("rules page lacks the labels")
		}
		if n := d.Find("#confidence-legend dt").Length(); n != 3 {
			t.Errorf("confidence legend = %d entries, want [C] [S] [U]", n)
		}
	})
}

// TestCultivationEnglish guards #11: English pages left tiers and indicator
// names in Chinese and wrote amounts as "615 × 10k yuan".
func TestCultivationEnglish(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.clock.now = cultivationDay
		city := e.createUser("city", account.RoleStaff, "320500")
		d0, _ := time.Parse("2006-01-02", "2025-11-20")
		ent := e.strongFirm(t, actorOf(city), "011", "320583", []cultivation.Certificate{{Type: "high-tech", Issued: cultivation.Date{Time: d0}}})
		if err := e.app.Cultivation.SetTarget(context.Background(), actorOf(city), "320583", 2026, "high_tech_total", 5); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.loginForm("city", testPassword)
		c.get("/lang/en?next=/")
		d := c.get("/cultivation/enterprises/" + strconv.FormatInt(ent.ID, 10)).doc(t)
		if got := text(d.Find("#current-tier").Text()); got != "High-tech enterprise" {
			t.Errorf("English current tier = %q", got)
		}
		if got := text(d.Find("#years tbody tr").Last().Find("td").Eq(1).Text()); got != "¥40M" {
			t.Errorf("English revenue cell = %q, want ¥40M", got)
		}
		if got := text(d.Find("#certificates").Text()); !strings.Contains(got, "High-tech enterprise (") && !strings.Contains(got, "High-tech enterprise（") {
			t.Errorf("English certificates = %q", got)
		}
		for _, page := range []string{"/cultivation", "/cultivation/pool", "/cultivation/targets?year=2026"} {
			d := c.get(page).doc(t)
			chart, _ := d.Find("#schedule-chart").Attr("data-echarts")
			body := text(d.Find("main").Text()) + chart
			if !strings.Contains(body, "High-tech enterprise") && !strings.Contains(body, "Valid high-tech enterprises") {
				t.Errorf("English %s lacks the English labels: %.200q", page, body)
			}
			for _, zh := range []string{"高新技术企业", "科技型中小企业", "创新型中小企业", "有效高新技术企业", "万元", "10k yuan"} {
				if strings.Contains(body, zh) {
					t.Errorf("English %s shows %q", page, zh)
				}
			}
		}
	})
}
