package main

import (
	"bufio"
	"context"
	"io"
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
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
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
	var userMenu, nav, englishNav, notAvailable, afterLogout string
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
		chromedp.Click(css(`.mainnav a[href="/projects"]`)),
		chromedp.WaitVisible(css(`#not-available`)),
		into(&notAvailable, chromedp.Text(css(`#not-available`))),
		chromedp.Click(css(`.usermenu a.lang`)),
		chromedp.WaitVisible(css(`html[lang="en"] #not-available`)),
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
	if notAvailable != "该模块尚未开放。" {
		t.Errorf("placeholder = %q", notAvailable)
	}
	if !strings.Contains(englishNav, "Technology market") || !strings.Contains(englishNav, "Dashboard") {
		t.Errorf("English navigation = %q", englishNav)
	}
	if !strings.Contains(afterLogout, "Log in") {
		t.Errorf("after logout the user menu = %q, want a Log in link", afterLogout)
	}
}
