package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
)

// TestCultivationPoliciesAndSpotChecksEnglish guards the English of the
// 惠企政策 pages and the spot-check findings form: policy names, issuers,
// documents, conditions, amount formulas, unconfirmed notes, the gaps and
// items to confirm on a firm's panel, and the condition names and the score
// row of a findings form were Chinese on English pages. Document numbers
// stay as written; firm names and region names are proper names, left
// outside the checked parts. The Chinese pages keep their Chinese.
func TestCultivationPoliciesAndSpotChecksEnglish(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		city := e.createUser("city", account.RoleStaff, "320500")
		staff := actorOf(city)
		now := e.clock.Now()
		dataYear := now.Year() - 1
		// A 小巨人 with growing R&D: eligible for two policies.
		lg, err := e.app.Cultivation.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode("91320583MA1PEN001"),
			Name: "英文政策示例有限公司", RegionCode: "320583", Tags: []string{},
			Certificates: []cultivation.Certificate{{Type: "little-giant", Issued: cultivation.Date{Time: now.AddDate(0, -2, 0)}}}})
		if err != nil {
			t.Fatal(err)
		}
		for y, rd := range map[int]float64{dataYear - 1: 2e6, dataYear: 3e6} {
			if err := e.app.Cultivation.PutYear(ctx, staff, lg.ID, cultivation.YearRecord{Year: y,
				Figures: cultivation.YearFigures{RDExpense: &rd}}); err != nil {
				t.Fatal(err)
			}
		}
		// A new 高企 with no figures: it may meet the 高企 reward, its revenue
		// missing and its first recognition to confirm.
		ht, err := e.app.Cultivation.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode("91320583MA1PEN002"),
			Name: "英文高企示例有限公司", RegionCode: "320583", Tags: []string{},
			Certificates: []cultivation.Certificate{{Type: "high-tech", Issued: cultivation.Date{Time: now.AddDate(0, -1, 0)}}}})
		if err != nil {
			t.Fatal(err)
		}
		// A spot check of 科技型中小企业, passed on a score.
		tsme, err := e.app.Cultivation.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode("91320583MA1PEN003"),
			Name: "英文抽查示例有限公司", RegionCode: "320583", Tags: []string{},
			Certificates: []cultivation.Certificate{{Type: "tech-sme", Issued: cultivation.Date{Time: now.AddDate(0, -3, 0)}}}})
		if err != nil {
			t.Fatal(err)
		}
		check, err := e.app.Cultivation.CreateSpotCheck(ctx, staff, cultivation.SpotCheckInput{Title: "Tech SME check", RuleSet: "tech-sme",
			ShareBP: 10000, EnterpriseIDs: []int64{tsme.ID}})
		if err != nil {
			t.Fatal(err)
		}
		lgPage := "/cultivation/enterprises/" + strconv.FormatInt(lg.ID, 10)
		htPage := "/cultivation/enterprises/" + strconv.FormatInt(ht.ID, 10)
		findings := "/cultivation/spot-checks/" + strconv.FormatInt(check.ID, 10) + "/firms/" + strconv.FormatInt(tsme.ID, 10)

		c := e.client()
		c.loginForm("city", testPassword)
		// Chinese as before.
		zhList := text(c.get("/cultivation/policies").doc(t).Find("#policy-list").Text())
		for _, want := range []string{"首次认定国家高新技术企业奖励", "苏州市人民政府", "苏府规字〔2025〕19号"} {
			if !strings.Contains(zhList, want) {
				t.Errorf("Chinese policy list lacks %q", want)
			}
		}
		zhPolicy := c.get("/cultivation/policies/jiangsu-rd-increase").doc(t)
		if got := text(zhPolicy.Find("#policy-conditions").Text()); !strings.Contains(got, "上年度研发费用比前一年度增长") {
			t.Errorf("Chinese conditions = %.200q", got)
		}
		if got := text(zhPolicy.Find("#policy-unconfirmed").Text()); !strings.Contains(got, "文号凭记忆填写") || !strings.Contains(got, "金额 （上年度研发费用 − 前一年度研发费用） × 10%") {
			t.Errorf("Chinese unconfirmed = %.300q", got)
		}
		if got := text(c.get(htPage).doc(t).Find("#policies").Text()); !strings.Contains(got, "首次认定国家高新技术企业奖励") || !strings.Contains(got, "待核实（按已满足计）：首次认定为高新技术企业") {
			t.Errorf("Chinese panel = %.300q", got)
		}
		if got := text(c.get(findings).doc(t).Find("#findings").Text()); !strings.Contains(got, "评价得分") {
			t.Errorf("Chinese findings form lacks the score row: %.300q", got)
		}

		c.get("/lang/en?next=/")
		list := c.get("/cultivation/policies").doc(t)
		if s := chineseIn(text(list.Find("#policy-list").Text())); s != "" {
			t.Errorf("English policy list holds Chinese: …%s…", s)
		}
		for _, want := range []string{"Reward for first recognition as a national high-tech enterprise", "Suzhou Municipal People's Government",
			"苏府规字〔2025〕19号", "Revenue last year ≥ ¥500M: ¥1M"} {
			if !strings.Contains(text(list.Find("#policy-list").Text()), want) {
				t.Errorf("English policy list lacks %q", want)
			}
		}
		for _, id := range []string{"jiangsu-rd-increase", "suzhou-high-tech-first", "suzhou-little-giant"} {
			d := c.get("/cultivation/policies/" + id).doc(t)
			d.Find("#policy-facts dd").Eq(2).Remove() // the region's name
			body := text(d.Find("h1").Text() + " " + d.Find("#policy-facts").Text() + " " + d.Find("#policy-unconfirmed").Text() + " " +
				d.Find("#policy-conditions").Text() + " " + d.Find("h1").Next().Text())
			if s := chineseIn(body); s != "" {
				t.Errorf("English policy %s holds Chinese: …%s…", id, s)
			}
			if d.Find("#policy-unconfirmed li").Length() == 0 {
				t.Errorf("English policy %s lists nothing unconfirmed", id)
			}
			if id == "jiangsu-rd-increase" {
				for _, want := range []string{"R&D expenses last year grew over the year before", "(R&D expenses last year − R&D expenses the year before)",
					"The document number is written from memory", "Jiangsu Provincial People's Government", "苏政发〔2016〕107号"} {
					if !strings.Contains(body, want) {
						t.Errorf("English policy %s lacks %q", id, want)
					}
				}
			}
		}
		for _, p := range []string{lgPage, htPage} {
			panel := c.get(p).doc(t).Find("#policy-matches")
			if panel.Find("tr[data-policy]").Length() == 0 {
				t.Fatalf("%s: no policies on the panel", p)
			}
			if s := chineseIn(text(panel.Text())); s != "" {
				t.Errorf("English policy panel of %s holds Chinese: …%s…", p, s)
			}
		}
		htRow := text(c.get(htPage).doc(t).Find(`#policy-matches tr[data-policy="suzhou-high-tech-first"]`).Text())
		if !strings.Contains(htRow, "Reward for first recognition") || !strings.Contains(htRow, "To confirm (taken as met): First recognition as a High and New Technology Enterprise (not a re-recognition)") {
			t.Errorf("English 高企 row = %q", htRow)
		}
		form := c.get(findings).doc(t)
		rows := text(form.Find("#findings").Text())
		if s := chineseIn(rows); s != "" {
			t.Errorf("English findings form holds Chinese: …%s…", s)
		}
		if !strings.Contains(rows, "Assessment score") {
			t.Errorf("English findings form lacks the score row: %.300q", rows)
		}
		for _, sel := range []string{"select[name=result_score]", "select[name^=result_]"} {
			if label, _ := form.Find(sel).First().Attr("aria-label"); label == "" || chineseIn(label) != "" {
				t.Errorf("English %s label = %q", sel, label)
			}
		}
	})
}
