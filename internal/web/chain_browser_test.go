package web_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestChainBrowser is the walk: 太仓's county staff open the 新能源
// 汽车 chain (the ECharts graph draws), pick a missing link, open its
// candidates with their reasons, and create a 招商 lead for one of them,
// which lands on the new 招商引资项目.
func TestChainBrowser(t *testing.T) {
	e := newEnv(t, dbtestOpenSQLite(t))
	w := newChainWorld(t, e)
	ctx := projectBrowser(t)
	base := e.ts.URL
	var href, missing, drawer, reasons, facts string
	var candidates int
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		start := time.Now()
		defer func() { t.Logf("%s: %v", name, time.Since(start)) }()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// The first action starts the browser on ctx: it must not run on a
	// step's shorter context, whose end would close the browser.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(sel(`#username`)),
		chromedp.SendKeys(sel(`#username`), "taicang"), chromedp.SendKeys(sel(`#password`), testPassword),
		chromedp.Submit(sel(`#password`)), chromedp.WaitVisible(sel(`.usermenu .me`))); err != nil {
		t.Fatalf("log in: %v", err)
	}
	step("open the chain", chromedp.Navigate(base+"/chains"), chromedp.WaitVisible(sel(`#chain-nev`)),
		keep(&href, chromedp.Evaluate[string](`document.querySelector("#chain-nev").href`)))
	step("draw it", chromedp.Navigate(href), chromedp.WaitReady(sel(`#chain-chart[data-drawn="true"]`)),
		keep(&missing, chromedp.TextContent(sel(`#link-battery-cell td:nth-child(3)`))),
		keep(&href, chromedp.Evaluate[string](`document.querySelector("#links tr.strength-missing a[href*='battery-cell']").href`)))
	step("open the missing link's drawer", chromedp.Navigate(href))
	step("read the drawer", chromedp.WaitReady(sel(`#link-drawer`)),
		keep(&drawer, chromedp.TextContent(sel(`#link-drawer h2`))), keep(&facts, chromedp.TextContent(sel(`#verdict-facts`))),
		keep(&href, chromedp.Evaluate[string](`document.querySelector("#link-candidates").href`)))
	step("open its candidates", chromedp.Navigate(href), chromedp.WaitReady(sel(`#candidates`)),
		keep(&reasons, chromedp.TextContent(sel(`#candidates tbody tr:first-child .reasons`))),
		keep(&candidates, chromedp.Evaluate[int](`document.querySelectorAll("#candidates input[name=candidate]").length`)))
	if strings.TrimSpace(missing) != "缺" || !strings.Contains(drawer, "电芯制造") || !strings.Contains(facts, "本地企业数 0") {
		t.Errorf("the link = %q, drawer %q, facts %q; want 电芯制造 missing, no local firm", missing, drawer, facts)
	}
	if candidates == 0 || !strings.Contains(reasons, "相邻环节") {
		t.Fatalf("%d candidates, the first's reasons %q; want a neighbouring firm first", candidates, reasons)
	}
	if dir := os.Getenv("KECHUANG_SCREENSHOTS"); dir != "" {
		var png []byte
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/chains/nev?link=battery-cell"), chromedp.WaitVisible(sel(`#chain-chart[data-drawn="true"]`)),
			keep(&png, chromedp.FullScreenshot(100))); err == nil {
			_ = os.WriteFile(dir+"/chain.png", png, 0o644)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/chains/nev/links/battery-cell"), chromedp.WaitVisible(sel(`#candidates`))); err != nil {
			t.Fatal(err)
		}
	}
	var location, title string
	err := chromedp.Do(ctx,
		chromedp.Click(sel(`#cand-0`)),
		chromedp.SetValue(sel(`#lead-unit`), strconv.FormatInt(w.unit.ID, 10)),
		chromedp.Click(sel(`#lead-submit`)),
		chromedp.WaitVisible(sel(`#project-facts`)),
		keep(&location, chromedp.Location()),
		keep(&title, chromedp.Text(sel(`h1`))),
	)
	if err != nil {
		t.Fatalf("create the lead: %v", err)
	}
	if !strings.Contains(location, "/projects/") || !strings.Contains(title, "补链招商") || !strings.Contains(title, w.tcCathode.Name) {
		t.Errorf("after the lead the browser is at %s, title %q", location, title)
	}
}
