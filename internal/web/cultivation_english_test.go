package web_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
)

// docNumber is an official document number (发文字号), a proper name that
// English pages quote as written.
var docNumber = regexp.MustCompile(`\p{Han}+〔\d{4}〕\d+号`)

var han = regexp.MustCompile(`\p{Han}`)

// chineseIn returns the Chinese left in s once document numbers are set
// aside, or "".
func chineseIn(s string) string {
	s = docNumber.ReplaceAllString(s, "")
	if loc := han.FindStringIndex(s); loc != nil {
		lo, hi := max(0, loc[0]-60), min(len(s), loc[1]+60)
		return s[lo:hi]
	}
	return ""
}

// TestCultivationRuleTextsEnglish guards the last part of the English
// defect of #11: the rule engine's texts — gap sentences, condition names
// and requirements, missing-data fields, items to confirm, and on the rules
// page the names, documents, notes and unconfirmed lists — stayed in
// Chinese on English pages. Chinese pages keep the Chinese sentences.
func TestCultivationRuleTextsEnglish(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.clock.now = cultivationDay
		city := e.createUser("city", account.RoleStaff, "320500")
		d0, _ := time.Parse("2006-01-02", "2025-11-20")
		strong := e.strongFirm(t, actorOf(city), "021", "320583", []cultivation.Certificate{{Type: "high-tech", Issued: cultivation.Date{Time: d0}}})
		// A firm with no figures: every rule set names the missing data.
		bare, err := e.app.Cultivation.CreateEnterprise(context.Background(), actorOf(city), cultivation.Enterprise{CreditCode: creditCode("91320583MA1TRK022"),
			Name: "培育测试022科技有限公司", RegionCode: "320583", Industry: "C39", Tags: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.loginForm("city", testPassword)

		zh := map[int64][]string{}
		for _, id := range []int64{strong.ID, bare.ID} {
			d := c.get("/cultivation/enterprises/" + strconv.FormatInt(id, 10)).doc(t)
			zh[id] = strings.Fields(text(d.Find("#rule-cards .gaps").Text()))
		}
		if got := text(c.get("/cultivation/enterprises/" + strconv.FormatInt(strong.ID, 10)).doc(t).Find("#rule-cards").Text()); !strings.Contains(got, "，需 ") || !strings.Contains(got, "满足") {
			t.Errorf("Chinese rule cards lack the Chinese gap sentences and statuses: %.300q", got)
		}

		c.get("/lang/en?next=/")
		for _, id := range []int64{strong.ID, bare.ID} {
			d := c.get("/cultivation/enterprises/" + strconv.FormatInt(id, 10)).doc(t)
			cards := d.Find("#rule-cards")
			if cards.Find(".rulecard").Length() == 0 {
				t.Fatalf("enterprise %d: no rule cards", id)
			}
			body := text(cards.Text()) + " " + text(d.Find("#next-gaps").Text())
			if s := chineseIn(body); s != "" {
				t.Errorf("English enterprise %d: rule cards hold Chinese: …%s…", id, s)
			}
			for _, code := range []string{"to_confirm", ">pass<", "years.20", "figures.", "choices.", "attestations."} {
				if strings.Contains(body, code) {
					t.Errorf("English enterprise %d shows the code %q", id, code)
				}
			}
			if id == strong.ID {
				if n := cards.Find(".gaps li").Length(); n == 0 {
					t.Errorf("English enterprise %d: no gaps shown (the Chinese page shows %d words of them)", id, len(zh[id]))
				}
				if !strings.Contains(body, ", needs ") || !strings.Contains(body, "Not met") {
					t.Errorf("English gaps and statuses missing: %.300q", body)
				}
			} else if n := cards.Find(".missing li").Length(); n == 0 {
				t.Errorf("English enterprise %d: no missing data named", id)
			}
		}

		d := c.get("/cultivation/rules").doc(t)
		sets := text(d.Find("#rule-sets").Text())
		if s := chineseIn(sets); s != "" {
			t.Errorf("English rules page holds Chinese: …%s…", s)
		}
		for _, want := range []string{"High and New Technology Enterprise (high-tech enterprise) recognition", "Administrative Measures for the Recognition of High and New Technology Enterprises", "国科发火〔2016〕32号"} {
			if !strings.Contains(sets, want) {
				t.Errorf("English rules page lacks %q", want)
			}
		}
		if d.Find("#rule-sets .warnlist li").Length() == 0 {
			t.Errorf("English rules page lists no unconfirmed figures")
		}
	})
}
