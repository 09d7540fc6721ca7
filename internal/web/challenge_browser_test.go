package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestChallengeBrowser is the walk: city staff publish a challenge
// from the form; a firm applies; staff close the applications, draw a
// panel of two experts and screen the application; both experts declare
// and score it; staff publish the 公示, which the public page shows; after
// the notice period the firm signs and staff sign the challenge, and its
// project is in the project library with the application's milestones.
func TestChallengeBrowser(t *testing.T) {
	e := newEnv(t, dbtestOpenSQLite(t))
	newChallengeWorld(t, e)
	ctx := projectBrowser(t)
	base := e.ts.URL
	login := func(user string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(sel(`#username`)),
			chromedp.SendKeys(sel(`#username`), user),
			chromedp.SendKeys(sel(`#password`), testPassword),
			chromedp.Submit(sel(`#password`)),
			chromedp.WaitVisible(sel(`.usermenu .me`)),
		)
	}
	logout := chromedp.Steps(chromedp.Click(sel(`form[action="/logout"] button`)), chromedp.WaitVisible(sel(`.usermenu a[href="/login"]`)))
	stepAction := func(action string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.WaitVisible(sel(`#step-`+action)),
			chromedp.Click(sel(`#step-`+action+` button[type="submit"]`)),
			chromedp.WaitNotPresent(sel(`#step-`+action)),
		)
	}

	var challengeURL, stage string
	err := chromedp.Do(ctx,
		login("city"),
		chromedp.Navigate(base+"/challenges"),
		chromedp.WaitVisible(sel(`#new-challenge`)),
		chromedp.Click(sel(`#new-challenge`)),
		chromedp.WaitVisible(sel(`#challenge-form`)),
		chromedp.SetValue(sel(`#challenge-form input[name="title"]`), "高性能碳纤维复合材料低成本制备技术"),
		chromedp.SetValue(sel(`#challenge-form textarea[name="problem"]`), "现有碳纤维复合材料成型周期长、成本高。"),
		chromedp.SetValue(sel(`#challenge-form textarea[name="indicators"]`), "成型周期不超过 5 分钟\n拉伸强度不低于 600 MPa"),
		chromedp.SetValue(sel(`#challenge-form input[name="field"]`), "材料科学与工程"),
		chromedp.SetValue(sel(`#challenge-form input[name="budget"]`), "500"),
		chromedp.SetValue(sel(`#challenge-form input[name="apply_until"]`), "2026-10-09"),
		chromedp.SetValue(sel(`#challenge-form textarea[name="eligibility"]`), "注册在本市的企业、高校或科研院所。"),
		chromedp.SetValue(sel(`#challenge-form textarea[name="ip_terms"]`), "知识产权归揭榜方所有，发榜方享有免费实施许可。"),
		chromedp.SetValue(sel(`#challenge-form textarea[name="payment_terms"]`), "签约后拨付 30%，中期考核后拨付 40%，验收后拨付 30%。"),
		chromedp.Click(sel(`#challenge-form button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#step-submit`)),
		keep(&challengeURL, chromedp.Location()),
		stepAction("submit"),
		stepAction("approve"),
		keep(&stage, chromedp.Text(sel(`#challenge-stage`))),
		logout,
	)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if stage != "揭榜中" {
		t.Fatalf("after approval the stage reads %q", stage)
	}

	var appURL string
	err = chromedp.Do(ctx,
		login("firma"),
		chromedp.Navigate(challengeURL),
		chromedp.WaitVisible(sel(`#apply-challenge`)),
		chromedp.Click(sel(`#apply-challenge`)),
		chromedp.WaitVisible(sel(`#apply-form`)),
		chromedp.SetValue(sel(`#apply-form textarea[name="team"]`), "钱工，项目负责人，昆山甲精密制造有限公司\n孙工，工艺负责人，昆山甲精密制造有限公司"),
		chromedp.SetValue(sel(`#apply-form textarea[name="proposal"]`), "采用快速固化树脂体系与高压树脂传递模塑工艺。"),
		chromedp.SetValue(sel(`#apply-form input[name="budget"]`), "480"),
		chromedp.SetValue(sel(`#apply-form textarea[name="milestones"]`), "工艺验证，2027-03-31\n中试样件，2027-09-30\n批量验证，2027-12-31"),
		chromedp.Click(sel(`#apply-form input[name="accepted_terms"]`)),
		chromedp.Click(sel(`#apply-form button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#application-state`)),
		keep(&appURL, chromedp.Location()),
		logout,
	)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}

	err = chromedp.Do(ctx,
		login("city"),
		chromedp.Navigate(challengeURL),
		stepAction("close"),
		chromedp.WaitVisible(sel(`#draw-panel`)),
		chromedp.SetValue(sel(`#draw-panel input[name="size"]`), "2"),
		chromedp.Click(sel(`#draw-panel button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#reviewers tbody tr:nth-child(2)`)),
		stepAction("screen"),
		chromedp.Navigate(appURL),
		chromedp.WaitVisible(sel(`#check-form`)),
		chromedp.Click(sel(`#check-form button[type="submit"]`)),
		stepAction("review"),
		logout,
	)
	if err != nil {
		t.Fatalf("panel and screening: %v", err)
	}

	for i, user := range []string{"expert1", "expert2"} {
		// 30/30/20/20: 27+24+16+16 = 83 and 24+27+18+18 = 87.
		scores := []string{"90", "80", "80", "80"}
		if i == 1 {
			scores = []string{"80", "90", "90", "90"}
		}
		var total string
		err = chromedp.Do(ctx,
			login(user),
			chromedp.Navigate(challengeURL+"/review"),
			chromedp.WaitVisible(sel(`#declare-form`)),
			chromedp.Click(sel(`#declare-form button[type="submit"]`)),
			chromedp.WaitVisible(sel(`#score-form-1`)),
			chromedp.SetValue(sel(`#score-form-1 input[name="score_0"]`), scores[0]),
			chromedp.SetValue(sel(`#score-form-1 input[name="score_1"]`), scores[1]),
			chromedp.SetValue(sel(`#score-form-1 input[name="score_2"]`), scores[2]),
			chromedp.SetValue(sel(`#score-form-1 input[name="score_3"]`), scores[3]),
			chromedp.Click(sel(`#score-form-1 button[type="submit"]`)),
			chromedp.WaitVisible(sel(`#scorecard-1 .notice`)),
			keep(&total, chromedp.Text(sel(`#scorecard-1 .notice`))),
			logout,
		)
		if err != nil {
			t.Fatalf("%s scores: %v", user, err)
		}
		if want := []string{"83", "87"}[i]; !strings.Contains(total, want) {
			t.Errorf("%s's total reads %q, want %s", user, total, want)
		}
	}

	var ranking, selected string
	err = chromedp.Do(ctx,
		login("city"),
		chromedp.Navigate(challengeURL),
		chromedp.WaitVisible(sel(`#ranking`)),
		keep(&ranking, chromedp.Text(sel(`#ranking tbody`))),
		stepAction("notice"),
		logout,
		chromedp.Navigate(challengeURL+"/notice"),
		chromedp.WaitVisible(sel(`#notice-selected`)),
		keep(&selected, chromedp.Text(sel(`#notice-selected strong`))),
	)
	if err != nil {
		t.Fatalf("notice: %v", err)
	}
	if !strings.Contains(ranking, "85") || selected != "昆山甲精密制造有限公司" {
		t.Errorf("ranking %q, notice names %q", ranking, selected)
	}

	// 中秋 (25 September) is a holiday: the five working days end on Monday 28.
	setDay(e, "2026-09-29")
	var milestones string
	phase := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		pctx, cancel := context.WithTimeout(ctx, 40*time.Second)
		defer cancel()
		if err := chromedp.Do(pctx, actions...); err != nil {
			var html string
			_ = chromedp.Do(ctx, keep(&html, chromedp.OuterHTML(sel(`main`))))
			t.Fatalf("%s: %v\n%s", name, err, html)
		}
	}
	phase("the team signs", login("firma"),
		chromedp.Navigate(appURL),
		chromedp.WaitVisible(sel(`#sign-form`)),
		chromedp.Click(sel(`#sign-form button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#team-signed`)),
		logout)
	phase("staff sign", login("city"),
		chromedp.Navigate(challengeURL),
		stepAction("sign"),
		chromedp.WaitVisible(sel(`#challenge-project`)),
		chromedp.Click(sel(`#challenge-project`)),
		chromedp.WaitVisible(sel(`#milestones`)),
		keep(&milestones, chromedp.Text(sel(`#milestones`))))

	for _, m := range []string{"工艺验证", "2027-03-31", "中试样件", "批量验证", "2027-12-31"} {
		if !strings.Contains(milestones, m) {
			t.Errorf("the project's milestones %q lack %s", milestones, m)
		}
	}
}
