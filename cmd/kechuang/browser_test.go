package main

import (
	"bufio"
	"context"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// server is a running `kechuang serve --demo` on a free port.
type server struct {
	url      string
	password string
}

// startServer runs Main as the binary would run, on 127.0.0.1:0 with a
// fresh data directory, and returns once it listens.
func startServer(t *testing.T) server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited with %d", code)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not shut down within 30 s")
		}
	})
	var s server
	passwordLine := regexp.MustCompile(`password for all\): (\S+)`)
	listenLine := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if m := passwordLine.FindStringSubmatch(line); m != nil {
			s.password = m[1]
		}
		if m := listenLine.FindStringSubmatch(line); m != nil {
			s.url = m[1]
			break
		}
	}
	if s.url == "" || s.password == "" {
		t.Fatalf("server did not start (url %q, password found %v)", s.url, s.password != "")
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return s
}

// login signs user in with the demo password.
func (s server) login(user string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(s.url+"/login"),
		chromedp.WaitVisible(css(`#username`)),
		chromedp.SendKeys(css(`#username`), user),
		chromedp.SendKeys(css(`#password`), s.password),
		chromedp.Submit(css(`#password`)),
		chromedp.WaitVisible(css(`.usermenu .me`)),
	)
}

// logout signs the current user out.
func (s server) logout() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Click(css(`form[action="/logout"] button`)), chromedp.WaitVisible(css(`.usermenu a[href="/login"]`)))
}

// newBrowser starts headless Debian chromium. A missing chromium fails the
// test: the README's test command installs it.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("browser tests need %s (apt-get install chromium; .ci/run does it): %v", chromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// screenshot saves a PNG to docs/screenshots when KECHUANG_SCREENSHOTS=1
// (to refresh the README's pictures) and to the test's temp dir otherwise.
func screenshot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return saveShot(t, name, chromedp.FullScreenshot(100))
}

// viewportShot is screenshot for long pages: only what the window shows.
func viewportShot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return saveShot(t, name, chromedp.CaptureScreenshot())
}

func saveShot(t *testing.T, name string, shot chromedp.Action[[]byte]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		png, err := shot(ctx, tg)
		if err != nil {
			return err
		}
		dir := t.TempDir()
		if os.Getenv("KECHUANG_SCREENSHOTS") == "1" {
			dir = filepath.Join("..", "..", "docs", "screenshots")
		}
		return os.WriteFile(filepath.Join(dir, name), png, 0o644)
	})
}

// into runs a, keeping its value in dst.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := a(ctx, tg)
		*dst = v
		return err
	})
}

// css marks a CSS selector (a plain string is a DOM search, which also
// matches text).
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

func TestBrowserLoginShellEnglishLogout(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	var userMenu, nav, englishNav, chains, afterLogout string
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.url+"/"),
		chromedp.WaitVisible(css(`a[href="/login"].button`)),
		screenshot(t, "home.png"),
		chromedp.Click(css(`.usermenu a[href="/login"]`)),
		chromedp.WaitVisible(css(`#username`)),
		chromedp.SendKeys(css(`#username`), "staff"),
		chromedp.SendKeys(css(`#password`), srv.password),
		chromedp.Submit(css(`#password`)),
		chromedp.WaitVisible(css(`.usermenu .me`)),
		into(&userMenu, chromedp.Text(css(`.usermenu .me`))),
		into(&nav, chromedp.Text(css(`.mainnav`))),
		screenshot(t, "shell.png"),
		chromedp.Click(css(`.mainnav a[href="/chains"]`)),
		chromedp.WaitVisible(css(`#chains`)),
		into(&chains, chromedp.Text(css(`#chains`))),
		chromedp.Click(css(`.usermenu a.lang`)),
		chromedp.WaitVisible(css(`html[lang="en"] #chains`)),
		into(&englishNav, chromedp.Text(css(`.mainnav`))),
		screenshot(t, "shell-en.png"),
		chromedp.Click(css(`form[action="/logout"] button`)),
		chromedp.WaitVisible(css(`.usermenu a[href="/login"]`)),
		into(&afterLogout, chromedp.Text(css(`.usermenu`))),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if !strings.Contains(userMenu, "王科长") || !strings.Contains(userMenu, "科技局工作人员") {
		t.Errorf("user menu = %q, want the demo staff name and role", userMenu)
	}
	for _, want := range []string{"科技大市场", "企业培育", "项目库", "产业链", "资源库", "数据看板"} {
		if !strings.Contains(nav, want) {
			t.Errorf("navigation %q lacks %s", nav, want)
		}
	}
	// Every module is built: the chain map opens on its own page.
	if !strings.Contains(chains, "新能源汽车") {
		t.Errorf("the chain map lists %q, want 新能源汽车 among the chains", chains)
	}
	if !strings.Contains(englishNav, "Technology market") || !strings.Contains(englishNav, "Dashboard") {
		t.Errorf("English navigation = %q", englishNav)
	}
	if !strings.Contains(afterLogout, "Log in") {
		t.Errorf("after logout the user menu = %q, want a Log in link", afterLogout)
	}
}

// TestBrowserPublishApproveSearch walks an achievement from the owner's
// form through review to the search page, as people would.
func TestBrowserPublishApproveSearch(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	const title = "微型光谱仪芯片的低成本晶圆级封装工艺"
	login, logout := srv.login, srv.logout()
	var listingURL string
	err := chromedp.Do(ctx,
		login("institution"),
		chromedp.Navigate(srv.url+"/market/new?kind=achievement"),
		chromedp.WaitVisible(css(`input[name="title"]`)),
		chromedp.SendKeys(css(`input[name="title"]`), title),
		chromedp.SendKeys(css(`textarea[name="summary"]`), "采用晶圆级封装将MEMS光谱仪芯片的封装成本降低60%，适用于手持式成分检测设备。"),
		chromedp.SendKeys(css(`input[name="keywords"]`), "光谱仪、晶圆级封装、MEMS"),
		chromedp.SetValue(css(`select[name="trl"]`), "6"),
		chromedp.SetValue(css(`select[name="domain"]`), "电子信息"),
		chromedp.Click(css(`input[name="modes"]`)),
		chromedp.Clear(css(`input[name="contact_name"]`)),
		chromedp.SendKeys(css(`input[name="contact_name"]`), "陈老师"),
		chromedp.SendKeys(css(`input[name="contact_phone"]`), "0512-65880000"),
		screenshot(t, "market-form.png"),
		chromedp.Click(css(`button[name="then"][value="submit"]`)),
		chromedp.WaitVisible(css(`#listing`)), // the new listing page, not the form
		into(&listingURL, chromedp.Location()),
		logout,
	)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	id := regexp.MustCompile(`/market/listings/(\d+)`).FindStringSubmatch(listingURL)
	if id == nil {
		t.Fatalf("after submitting, the browser is at %s, not a listing page", listingURL)
	}
	var hit string
	err = chromedp.Do(ctx,
		login("staff"),
		chromedp.Navigate(srv.url+"/market/review"),
		chromedp.WaitVisible(css(`form[action="/market/listings/`+id[1]+`/approve"] button`)),
		chromedp.Click(css(`form[action="/market/listings/`+id[1]+`/approve"] button`)),
		chromedp.WaitVisible(css(`footer`)),
		chromedp.Sleep(1500*time.Millisecond), // the index follows the database within half a second
		chromedp.Navigate(srv.url+"/market/search?q="+url.QueryEscape("光谱仪 封装")),
		chromedp.WaitVisible(css(`#results`)),
		screenshot(t, "market-search.png"),
		into(&hit, chromedp.Text(css(`#results .hit h3`))),
	)
	if err != nil {
		t.Fatalf("approve and search: %v", err)
	}
	if !strings.Contains(hit, "晶圆级封装") {
		t.Errorf("first search hit = %q, want the new achievement", hit)
	}
	// An enterprise finds it and expresses interest; a deal opens.
	var state string
	err = chromedp.Do(ctx,
		logout,
		login("enterprise"),
		chromedp.Navigate(srv.url+"/market/search?q="+url.QueryEscape("光谱仪 封装")),
		chromedp.WaitVisible(css(`#results .hit h3 a`)),
		chromedp.Click(css(`#results .hit h3 a`)),
		chromedp.WaitVisible(css(`#express-interest textarea[name="message"]`)),
		chromedp.SendKeys(css(`#express-interest textarea[name="message"]`), "我司手持检测仪需要低成本光谱模组，希望洽谈技术许可。"),
		chromedp.Clear(css(`#express-interest input[name="contact_name"]`)),
		chromedp.SendKeys(css(`#express-interest input[name="contact_name"]`), "张经理"),
		chromedp.SendKeys(css(`#express-interest input[name="contact_phone"]`), "0512-57000000"),
		chromedp.Click(css(`#express-interest button[type="submit"]`)),
		chromedp.WaitVisible(css(`#deal-state`)),
		into(&state, chromedp.Text(css(`#deal-state`))),
		screenshot(t, "market-deal.png"),
	)
	if err != nil {
		t.Fatalf("express interest: %v", err)
	}
	if state != "意向" {
		t.Errorf("new deal state = %q, want 意向", state)
	}
}

// TestBrowserMatchesDecline is the matching issue's walk: an enterprise
// posts a demand, staff publish it, the enterprise opens its matches, reads
// the reasons, declines the first with a reason and sees it leave the list
// for the answered table.
func TestBrowserMatchesDecline(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	var demandURL string
	err := chromedp.Do(ctx,
		srv.login("enterprise"),
		chromedp.Navigate(srv.url+"/market/new?kind=demand"),
		chromedp.WaitVisible(css(`input[name="title"]`)),
		chromedp.SendKeys(css(`input[name="title"]`), "征集土壤重金属污染原位修复技术"),
		chromedp.SendKeys(css(`textarea[name="summary"]`), "园区周边农田土壤镉、铅超标，需要低成本的原位钝化修复材料与施工工艺，修复后农产品达标。"),
		chromedp.SendKeys(css(`textarea[name="expected"]`), "有效态镉降低50%以上，成本低于每亩3000元。"),
		chromedp.SendKeys(css(`input[name="keywords"]`), "重金属、土壤修复、钝化"),
		chromedp.SetValue(css(`select[name="domain"]`), "资源与环境"),
		chromedp.SetValue(css(`select[name="band"]`), "50-100"),
		chromedp.SetValue(css(`select[name="trl"]`), "5"),
		chromedp.Click(css(`input[name="modes"]`)),
		chromedp.Clear(css(`input[name="contact_name"]`)),
		chromedp.SendKeys(css(`input[name="contact_name"]`), "张经理"),
		chromedp.SendKeys(css(`input[name="contact_phone"]`), "0512-57000000"),
		chromedp.Click(css(`button[name="then"][value="submit"]`)),
		chromedp.WaitVisible(css(`#listing`)), // the new listing page, not the form
		into(&demandURL, chromedp.Location()),
		srv.logout(),
	)
	if err != nil {
		t.Fatalf("post a demand: %v", err)
	}
	id := regexp.MustCompile(`/market/listings/(\d+)`).FindStringSubmatch(demandURL)
	if id == nil {
		t.Fatalf("after submitting, the browser is at %s, not a listing page", demandURL)
	}
	approve := css(`form[action="/market/listings/` + id[1] + `/approve"] button`)
	var first chromedp.AttributeResult
	var reasons, answered string
	err = chromedp.Do(ctx,
		srv.login("staff"),
		chromedp.Navigate(srv.url+"/market/review"),
		chromedp.WaitVisible(approve),
		chromedp.Click(approve),
		// The queue reloads without the listing; logging out earlier races
		// the navigation.
		chromedp.WaitNotPresent(approve),
		srv.logout(),
		chromedp.Sleep(1500*time.Millisecond), // the index follows the database within half a second
		srv.login("enterprise"),
		chromedp.Navigate(srv.url+"/market/listings/"+id[1]),
		chromedp.WaitVisible(css(`#matches-link`)),
		chromedp.Click(css(`#matches-link`)),
		chromedp.WaitVisible(css(`#matches li.match`)),
		into(&first, chromedp.AttributeValue(css(`#matches li.match`), "data-match")),
		into(&reasons, chromedp.Text(css(`#matches li.match .reasons`))),
		viewportShot(t, "market-matches.png"),
		chromedp.Click(css(`#matches li.match details.decline summary`)),
		chromedp.WaitVisible(css(`#matches li.match .decline-form input[value="field"]`)),
		chromedp.Click(css(`#matches li.match .decline-form input[value="field"]`)),
		chromedp.Click(css(`#matches li.match .decline-form button[type="submit"]`)),
		chromedp.WaitVisible(css(`#match-done`)),
		into(&answered, chromedp.Text(css(`#match-decisions`))),
	)
	if err != nil {
		t.Fatalf("decline a match: %v", err)
	}
	for _, want := range []string{"共同技术词", "学科一致概率", "技术成熟度", "地域"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("the first match's reasons %q do not mention %q", reasons, want)
		}
	}
	var still bool
	err = chromedp.Do(ctx, into(&still, chromedp.Evaluate[bool](`document.querySelector('#matches li[data-match="`+first.Value+`"]') !== null`)))
	if err != nil {
		t.Fatal(err)
	}
	if still {
		t.Errorf("declined match %s is still proposed", first.Value)
	}
	if !strings.Contains(answered, "领域不符") {
		t.Errorf("answered table = %q, want the decline with its reason", answered)
	}
}

// TestBrowserAuditLog: the auditor of the demo reads the log in Chinese —
// no action code on the page — and verifies the chain from it.
func TestBrowserAuditLog(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	var actions, result string
	err := chromedp.Do(ctx,
		srv.login("auditor"),
		chromedp.Navigate(srv.url+"/audit?action=listing."),
		chromedp.WaitVisible(css(`#audit`)),
		into(&actions, chromedp.Text(css(`#audit`))),
		chromedp.Click(css(`form[action="/audit/verify"] button`)),
		chromedp.WaitVisible(css(`#verification .success`)),
		into(&result, chromedp.Text(css(`#verify-result`))),
		viewportShot(t, "audit.png"),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if !strings.Contains(actions, "审核通过并发布") || regexp.MustCompile(`\blisting\.[a-z]+`).MatchString(actions) {
		t.Errorf("audit table shows %q…, want action names, no codes", actions[:min(len(actions), 300)])
	}
	if result != "校验通过" {
		t.Errorf("verification result = %q, want 校验通过", result)
	}
}
