package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFinancingInterest is the investment pipeline's walk: the demo
// investor finds a financing need on the market, expresses interest with a
// note, and the enterprise accepts it from its incoming interests, which
// moves the pipeline to 尽调.
func TestBrowserFinancingInterest(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	const title = "工业视觉缺陷检测平台Pre-A轮融资（演示）"
	var round, stage string
	err := chromedp.Do(ctx,
		srv.login("investor"),
		chromedp.Navigate(srv.url+"/market?kind=financing"),
		chromedp.WaitVisible(css(`#market-filters`)),
		chromedp.Click(`//a[contains(text(), "`+title+`")]`),
		chromedp.WaitVisible(css(`#express-interest-button`)),
		into(&round, chromedp.Text(css(`#round`))),
		chromedp.SendKeys(css(`#interest-form textarea[name="note"]`), "我们关注工业软件与机器视觉赛道，希望了解客户结构与订单情况。"),
		screenshot(t, "market-financing.png"),
		chromedp.Click(css(`#express-interest-button`)),
		chromedp.WaitVisible(css(`#interest-stage`)),
		into(&stage, chromedp.Text(css(`#interest-stage`))),
	)
	if err != nil {
		t.Fatalf("investor expresses interest: %v", err)
	}
	if round != "Pre-A轮" || stage != "意向" {
		t.Errorf("round %q and stage %q, want Pre-A轮 and 意向", round, stage)
	}
	var list string
	err = chromedp.Do(ctx,
		srv.logout(),
		srv.login("enterprise"),
		chromedp.Navigate(srv.url+"/market/interests?stage=intent"),
		chromedp.WaitVisible(css(`#interests`)),
		into(&list, chromedp.Text(css(`#interests tbody`))),
		chromedp.Click(`//table[@id="interests"]//a[contains(text(), "`+title+`")]`),
		chromedp.WaitVisible(css(`#interest-accept`)),
		chromedp.Click(css(`#interest-accept`)),
		chromedp.WaitVisible(css(`#interest-history`)),
		chromedp.WaitNotPresent(css(`#interest-accept`)),
		into(&stage, chromedp.Text(css(`#interest-stage`))),
		screenshot(t, "market-interest.png"),
	)
	if err != nil {
		t.Fatalf("enterprise accepts: %v", err)
	}
	if !strings.Contains(list, title) || !strings.Contains(list, "苏州示例创业投资有限公司") {
		t.Errorf("incoming interests = %q", list)
	}
	if stage != "尽调" {
		t.Errorf("stage after accepting = %q, want 尽调", stage)
	}
}
