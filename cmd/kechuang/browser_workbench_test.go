package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserWorkbenchAndReports: city staff land on the workbench (to-dos
// and key figures), open the monthly report and the 高企 report, whose
// charts draw; printed, a report hides the site's header and keeps the
// signature line.
func TestBrowserWorkbenchAndReports(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	var todos, figures, title, charts, headerDisplay, signatures, sentence string
	err := chromedp.Do(ctx,
		srv.login("staff"),
		chromedp.WaitVisible(css(`#todos`)),
		into(&todos, chromedp.Text(css(`#todos`))),
		into(&figures, chromedp.Text(css(`#key-figures`))),
		screenshot(t, "workbench.png"),
		chromedp.Click(css(`#todos a[href^="/indicators/entries"]`)),
		chromedp.WaitVisible(css(`#status`)),
		screenshot(t, "indicator-entries.png"),
		chromedp.Navigate(srv.url+"/indicators/reports/monthly"),
		chromedp.WaitVisible(css(`#report .report-table`)),
		into(&title, chromedp.Text(css(`#report .report-title`))),
		viewportShot(t, "indicator-report.png"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}),
		into(&headerDisplay, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".topbar")).display`)),
		into(&signatures, chromedp.Text(css(`#report .report-signatures`))),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
			return err
		}),
		chromedp.Navigate(srv.url+"/indicators/hightech-report"),
		chromedp.WaitVisible(css(`#by-county .chart svg`)),
		into(&charts, chromedp.Evaluate[string](`String(document.querySelectorAll(".chart svg").length)`)),
		into(&sentence, chromedp.Text(css(`#summary .sentence`))),
		viewportShot(t, "hightech-report.png"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	for _, want := range []string{"待审核", "一表通指标"} {
		if !strings.Contains(todos, want) {
			t.Errorf("to-dos %q lack %q", todos, want)
		}
	}
	if !strings.Contains(figures, "有效高新技术企业数") || !strings.Contains(figures, "同比") {
		t.Errorf("key figures = %q", figures)
	}
	if !strings.Contains(title, "科技创新主要指标月报") {
		t.Errorf("report title = %q", title)
	}
	if headerDisplay != "none" || !strings.Contains(signatures, "统计负责人") {
		t.Errorf("printed: header display %q, signatures %q", headerDisplay, signatures)
	}
	if charts != "3" || !strings.Contains(sentence, "有效高新技术企业") {
		t.Errorf("high-tech report: %s charts, first sentence %q", charts, sentence)
	}
}
