package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDashboardAndScreen opens the dashboard and the big screen of
// the demo at 1920×1080 as city staff: the dashboard shows its figure
// cards and charts, a chart's table toggle shows the table; the big screen
// draws its headlines, map, funnel and ticker from the summary API and
// fits the screen without scrolling.
func TestBrowserDashboardAndScreen(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	var cards int
	var tableShown bool
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1920, 1080),
		srv.login("staff"),
		chromedp.Navigate(srv.url+"/dashboard?period=year"),
		chromedp.WaitVisible(css(`#figures .figure-card`)),
		chromedp.WaitVisible(css(`#trend-chart svg`)),
		into(&cards, chromedp.Evaluate[int](`document.querySelectorAll("#figures .figure-card").length`)),
		viewportShot(t, "dashboard.png"),
		chromedp.Click(css(`#funnel [data-toggle-table]`)),
		into(&tableShown, chromedp.Evaluate[bool](`!document.querySelector("#funnel-table").hidden && document.querySelector("#funnel-chart").hidden`)),
	)
	if err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	if cards < 10 {
		t.Errorf("the dashboard shows %d figure cards, want every module's (at least 10)", cards)
	}
	if !tableShown {
		t.Error("the funnel's table toggle did not show the table instead of the chart")
	}

	var scrollH, innerH, scrollW, innerW, headlines, ticker int
	var scope string
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.url+"/dashboard/screen?period=year&indicator=market.contract_amount"),
		chromedp.WaitVisible(css(`#screen[data-loaded="true"]`)),
		chromedp.WaitVisible(css(`#screen[data-map-drawn="true"]`)),
		chromedp.WaitVisible(css(`#screen-map svg`)),
		chromedp.WaitVisible(css(`#screen-funnel svg`)),
		into(&scope, chromedp.Text(css(`#screen-scope`))),
		into(&headlines, chromedp.Evaluate[int](`document.querySelectorAll("#screen-headlines .screen-card").length`)),
		into(&ticker, chromedp.Evaluate[int](`document.querySelectorAll("#screen-ticker li").length`)),
		into(&scrollH, chromedp.Evaluate[int](`document.documentElement.scrollHeight`)),
		into(&innerH, chromedp.Evaluate[int](`window.innerHeight`)),
		into(&scrollW, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)),
		into(&innerW, chromedp.Evaluate[int](`window.innerWidth`)),
		viewportShot(t, "dashboard-screen.png"),
	)
	if err != nil {
		t.Fatalf("big screen: %v", err)
	}
	if innerW != 1920 || innerH != 1080 {
		t.Errorf("viewport %d×%d, want 1920×1080", innerW, innerH)
	}
	if scrollH > innerH || scrollW > innerW {
		t.Errorf("the big screen scrolls: content %d×%d in a %d×%d window", scrollW, scrollH, innerW, innerH)
	}
	if !strings.Contains(scope, "苏州") {
		t.Errorf("the screen's scope = %q, want 苏州市", scope)
	}
	if headlines != 8 || ticker == 0 {
		t.Errorf("the screen shows %d headline numbers and %d ticker lines, want 8 and some", headlines, ticker)
	}
}
