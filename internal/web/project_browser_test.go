package web_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kechuang/internal/project"
	"kechuang/internal/workday"
)

// projectBrowser starts headless Debian chromium (as cmd/kechuang's
// browser tests do) for a test that drives the web test server, whose
// clock the test moves.
func projectBrowser(t *testing.T) context.Context {
	t.Helper()
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("browser tests need %s (apt-get install chromium; .ci/run does it): %v", chromium, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 860))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func sel(s string) chromedp.CSS { return chromedp.CSS(s) }

// keep runs a, keeping its value in dst.
func keep[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := a(ctx, tg)
		*dst = v
		return err
	})
}

// TestProjectBrowserLightsAndSupervision is the walk: 昆山's staff
// create a 招商 project in the form, start it and report the month; as the
// days pass (the server's clock moves and the scheduled sweep runs) its
// light goes from green to yellow to red; city staff open a 督办 order,
// the county replies, and city staff close it.
func TestProjectBrowserLightsAndSupervision(t *testing.T) {
	e := newEnv(t, dbtestOpenSQLite(t))
	w := newProjectWorld(t, e)
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
	// The plan starts on the first of the month after next, so that its
	// first node (洽谈, at the start) is more than N = 15 days away.
	today := w.today()
	start := workday.NewDate(today.Year(), today.Month(), 1).AddMonths(2)
	const name = "昆山智能网联汽车零部件招商项目"
	var projectURL, light string
	err := chromedp.Do(ctx,
		login("ks"),
		chromedp.Navigate(base+"/projects/new?type=investment"),
		chromedp.WaitVisible(sel(`#project-form`)),
		chromedp.SendKeys(sel(`#project-form input[name="name"]`), name),
		chromedp.SetValue(sel(`#project-form select[name="unit_id"]`), jsonID(float64(w.unit.ID))),
		chromedp.SendKeys(sel(`#project-form input[name="total_investment"]`), "12000"),
		chromedp.SendKeys(sel(`#project-form input[name="annual_investment"]`), "6000"),
		chromedp.SetValue(sel(`#project-form input[name="planned_start"]`), start.String()),
		chromedp.SetValue(sel(`#project-form input[name="planned_end"]`), start.AddDays(720).String()),
		chromedp.SendKeys(sel(`#project-form input[name="lead_name"]`), "王副市长"),
		chromedp.Click(sel(`#project-form button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#project-facts`)),
		keep(&projectURL, chromedp.Location()),
		chromedp.Click(sel(`button[data-action="submit"]`)),
		chromedp.WaitNotPresent(sel(`button[data-action="submit"]`)),
	)
	if err != nil {
		t.Fatalf("create and submit: %v", err)
	}
	m := regexp.MustCompile(`/projects/(\d+)$`).FindStringSubmatch(projectURL)
	if m == nil {
		t.Fatalf("after the form the browser is at %s", projectURL)
	}
	var id int64
	for _, c := range m[1] {
		id = id*10 + int64(c-'0')
	}
	// 预审 needs a second person: the city's staff approve.
	if _, err := e.app.Projects.Transition(context.Background(), w.cityA, id, project.ActApprove, ""); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(projectURL),
		chromedp.WaitVisible(sel(`button[data-action="start"]`)),
		chromedp.Click(sel(`button[data-action="start"]`)),
		chromedp.WaitNotPresent(sel(`button[data-action="start"]`)),
		chromedp.Click(sel(`#report-link`)),
		chromedp.WaitVisible(sel(`#report-form`)),
		chromedp.SendKeys(sel(`#report-form input[name="investment_month"]`), "500"),
		chromedp.SendKeys(sel(`#report-form textarea[name="progress"]`), "完成项目注册，正在办理用地手续"),
		chromedp.SendKeys(sel(`#report-form input[name="problem_text_0"]`), "用地指标待落实"),
		chromedp.Click(sel(`#report-form button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#project-facts`)),
		keep(&light, chromedp.Text(sel(`#project-name .tag`))),
	)
	if err != nil {
		t.Fatalf("start and report: %v", err)
	}
	if light != "绿灯" {
		t.Errorf("after the report the light is %q, want 绿灯", light)
	}
	var reports string
	if err := chromedp.Do(ctx, keep(&reports, chromedp.Text(sel(`#reports`)))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reports, today.String()[:7]) || !strings.Contains(reports, "用地指标待落实") {
		t.Errorf("the reports table = %q, want this month's report", reports)
	}

	// Days pass: the scheduled sweep recomputes the lights.
	moveTo := func(d workday.Date) {
		t.Helper()
		e.clock.mu.Lock()
		e.clock.now = d.Start().Add(10 * time.Hour)
		e.clock.mu.Unlock()
		if _, err := e.app.Projects.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	lightNow := func(user string) (string, string) {
		t.Helper()
		var l, reasons string
		if err := chromedp.Do(ctx, login(user), chromedp.Navigate(projectURL), chromedp.WaitVisible(sel(`#project-facts`)),
			keep(&l, chromedp.Text(sel(`#project-name .tag`))), keep(&reasons, chromedp.Text(sel(`#light`)))); err != nil {
			t.Fatal(err)
		}
		return l, reasons
	}
	moveTo(start.AddDays(-10))
	if l, reasons := lightNow("ks"); l != "黄灯" || !strings.Contains(reasons, "洽谈") {
		t.Errorf("ten days before 洽谈: light %q (%q), want 黄灯 for 洽谈", l, reasons)
	}
	moveTo(start.AddDays(5))
	l, reasons := lightNow("ks")
	if l != "红灯" || !strings.Contains(reasons, "洽谈") {
		t.Errorf("five days after 洽谈: light %q (%q), want 红灯 for 洽谈", l, reasons)
	}
	if !strings.Contains(reasons, "黄灯 → 红灯") {
		t.Errorf("the light history %q lacks the change to red", reasons)
	}

	// 督办: the city opens, the county replies, the city closes.
	deadline := workday.DateOf(e.clock.Now()).AddDays(5).String()
	var supervisionURL, stateAfterReply, stateAfterAccept string
	err = chromedp.Do(ctx,
		logout,
		login("city"),
		chromedp.Navigate(projectURL),
		chromedp.WaitVisible(sel(`#open-supervision summary`)),
		chromedp.Click(sel(`#open-supervision summary`)),
		chromedp.WaitVisible(sel(`#open-supervision textarea[name="problem"]`)),
		chromedp.SendKeys(sel(`#open-supervision textarea[name="problem"]`), "洽谈节点逾期，项目亮红灯"),
		chromedp.SendKeys(sel(`#open-supervision textarea[name="action_required"]`), "五个工作日内报送推进方案"),
		chromedp.SetValue(sel(`#open-supervision input[name="deadline"]`), deadline),
		chromedp.SetValue(sel(`#open-supervision select[name="level"]`), "listed"),
		chromedp.Click(sel(`#open-supervision button[type="submit"]`)),
		chromedp.WaitVisible(sel(`#supervision-state`)),
		keep(&supervisionURL, chromedp.Location()),
	)
	if err != nil {
		t.Fatalf("open 督办: %v", err)
	}
	// The next steps navigate to the order's address, known only now.
	err = chromedp.Do(ctx,
		logout,
		login("ks"),
		chromedp.Navigate(supervisionURL),
		chromedp.WaitVisible(sel(`#reply-form`)),
		chromedp.SendKeys(sel(`#reply-form textarea[name="progress"]`), "已与客商完成洽谈，框架协议本月签署"),
		chromedp.Click(sel(`#reply-form button[type="submit"]`)),
		chromedp.WaitNotPresent(sel(`#reply-form`)),
		keep(&stateAfterReply, chromedp.Text(sel(`#supervision-state`))),
		logout,
		login("city"),
		chromedp.Navigate(supervisionURL),
		chromedp.WaitVisible(sel(`#accept-form`)),
		chromedp.SendKeys(sel(`#accept-form input[name="note"]`), "推进方案可行，予以办结"),
		chromedp.Click(sel(`#accept-form button[type="submit"]`)),
		chromedp.WaitNotPresent(sel(`#accept-form`)),
		keep(&stateAfterAccept, chromedp.Text(sel(`#supervision-state`))),
	)
	if err != nil {
		t.Fatalf("督办: %v", err)
	}
	if stateAfterReply != "已回复" || stateAfterAccept != "已办结" {
		t.Errorf("督办 states %q then %q, want 已回复 then 已办结", stateAfterReply, stateAfterAccept)
	}
}
