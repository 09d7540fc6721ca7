package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kechuang/internal/cultivation"
	"kechuang/internal/workday"
)

// TestRoundBrowser is the walk through a round: the firm applies
// on the form, 昆山 checks and recommends it, the city accepts it and
// starts the notice; the public notice lists the firm, a visitor objects,
// the city answers; after the notice period the city closes the round and
// the firm's registry number is issued.
func TestRoundBrowser(t *testing.T) {
	e := newEnv(t, dbtestOpenSQLite(t))
	w := newRoundWorld(t, e)
	round, err := e.app.Cultivation.CreateRound(context.Background(), w.city, cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026,
		Title: "2026年第三批科技型中小企业评价", Opens: workday.MustParseDate("2026-09-01"), Closes: workday.MustParseDate("2026-09-30")})
	if err != nil {
		t.Fatal(err)
	}
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
	roundURL := fmt.Sprintf("%s/cultivation/rounds/%d", base, round.ID)

	var appURL, afterApply string
	err = chromedp.Do(ctx,
		login("firm"),
		chromedp.Navigate(roundURL),
		chromedp.WaitVisible(sel(`#apply-link`)),
		chromedp.Click(sel(`#apply-link`)),
		chromedp.WaitVisible(sel(`#apply-form`)),
		chromedp.SetValue(sel(`#apply-form input[name="evidence_name"]`), "营业执照副本"),
		chromedp.SetValue(sel(`#apply-form textarea[name="statement"]`), "本企业承诺所填信息真实有效。"),
		chromedp.Click(sel(`#apply-form button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#application-state`)),
		keep(&appURL, chromedp.Location()),
		keep(&afterApply, chromedp.Text(sel(`#application-state`))),
		logout,
	)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if !regexp.MustCompile(`/applications/\d+$`).MatchString(appURL) || afterApply != "待区县审查" {
		t.Fatalf("after applying the browser is at %s, state %q", appURL, afterApply)
	}
	var afterRecommend, afterAccept, period string
	err = chromedp.Do(ctx,
		login("ks"),
		chromedp.Navigate(appURL),
		chromedp.WaitVisible(sel(`#recommend-form`)),
		chromedp.Click(sel(`#recommend-form input[name="complete"]`)),
		chromedp.Click(sel(`#recommend-form input[name="consistent"]`)),
		chromedp.Click(sel(`#recommend-form input[name="evidence"]`)),
		chromedp.Click(sel(`#recommend-form button[type="submit"]`)),
		chromedp.WaitNotPresent(sel(`#recommend-form`)),
		keep(&afterRecommend, chromedp.Text(sel(`#application-state`))),
		logout,
		login("city"),
		chromedp.Navigate(appURL),
		chromedp.WaitVisible(sel(`#accept-form`)),
		chromedp.Click(sel(`#accept-form button[type="submit"]`)),
		chromedp.WaitNotPresent(sel(`#accept-form`)),
		keep(&afterAccept, chromedp.Text(sel(`#application-state`))),
		chromedp.Navigate(roundURL),
		chromedp.WaitVisible(sel(`#start-notice-form`)),
		chromedp.Click(sel(`#start-notice-form button`)),
		chromedp.WaitVisible(sel(`#notice-until`)),
		keep(&period, chromedp.Text(sel(`#notice-until`))),
		logout,
	)
	if err != nil {
		t.Fatalf("county check and city review: %v", err)
	}
	if afterRecommend != "区县已推荐" || afterAccept != "市级审核通过" || period != "2026-10-10" {
		t.Errorf("states %q, %q, notice until %q; want 区县已推荐, 市级审核通过, 2026-10-10", afterRecommend, afterAccept, period)
	}

	noticeURL := roundURL + "/notice"
	var firms string
	err = chromedp.Do(ctx,
		chromedp.Navigate(noticeURL),
		chromedp.WaitVisible(sel(`#objection-form`)),
		keep(&firms, chromedp.Text(sel(`#notice-firms`))),
		chromedp.SetValue(sel(`#objection-form select[name="application_id"]`), fmt.Sprint(firstApplicationID(t, e, w, round.ID))),
		chromedp.SetValue(sel(`#objection-form input[name="name"]`), "王五"),
		chromedp.SetValue(sel(`#objection-form input[name="contact"]`), "13900000000"),
		chromedp.SetValue(sel(`#objection-form textarea[name="reason"]`), "研发人员名单与社保缴纳记录不一致"),
		chromedp.Click(sel(`#objection-form button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#objection-sent`)),
	)
	if err != nil {
		t.Fatalf("public notice and objection: %v", err)
	}
	if !strings.Contains(firms, w.firmA.Name) || !strings.Contains(firms, w.firmA.CreditCode) || !strings.Contains(firms, "昆山市") {
		t.Errorf("the notice lists %q, want %s", firms, w.firmA.Name)
	}
	var answer string
	err = chromedp.Do(ctx,
		login("city"),
		chromedp.Navigate(base+"/cultivation/rounds/objections?open=true"),
		chromedp.WaitVisible(sel(`.answer-form`)),
		chromedp.SetValue(sel(`.answer-form textarea[name="answer"]`), "经核查，社保缴纳记录与申报一致，异议不成立。"),
		chromedp.Click(sel(`.answer-form button[type="submit"]`)),
		chromedp.WaitNotPresent(sel(`.answer-form`)),
		chromedp.Navigate(base+"/cultivation/rounds/objections"),
		chromedp.WaitVisible(sel(`.objection .answer`)),
		keep(&answer, chromedp.Text(sel(`.objection .answer`))),
		logout,
	)
	if err != nil {
		t.Fatalf("answer: %v", err)
	}
	if !strings.Contains(answer, "异议不成立") {
		t.Errorf("the answer shows %q", answer)
	}

	setDay(e, "2026-10-12") // the notice ended on Saturday 10 October, a 调休 working day
	var state, number, published string
	err = chromedp.Do(ctx,
		login("city"),
		chromedp.Navigate(roundURL),
		chromedp.WaitVisible(sel(`#close-form`)),
		chromedp.Click(sel(`#close-form button`)),
		chromedp.WaitNotPresent(sel(`#close-form`)),
		keep(&state, chromedp.Text(sel(`#round-state`))),
		chromedp.Navigate(appURL),
		chromedp.WaitVisible(sel(`#registry-number`)),
		keep(&number, chromedp.Text(sel(`#registry-number`))),
		chromedp.Navigate(noticeURL),
		chromedp.WaitVisible(sel(`#notice-firms .registry-number`)),
		keep(&published, chromedp.Text(sel(`#notice-firms .registry-number`))),
	)
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	if state != "已结束" || number != "20263205830001" || published != number {
		t.Errorf("after closing: state %q, number %q, published %q; want 已结束 and 20263205830001", state, number, published)
	}
}

func firstApplicationID(t *testing.T, e *env, w roundWorld, roundID int64) int64 {
	t.Helper()
	list, _, err := e.app.Cultivation.FindApplications(context.Background(), w.city, roundID, cultivation.ApplicationFilter{})
	if err != nil || len(list) == 0 {
		t.Fatalf("applications: %v", err)
	}
	return list[0].ID
}
