package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserDirectoryCarrierTenant is the directory's walk: county staff
// add a 众创空间 of their county, register a tenant on its page and read
// the occupancy the tenant brings; a visitor sees the carrier without the
// tenant's space.
func TestBrowserDirectoryCarrierTenant(t *testing.T) {
	srv := startServer(t)
	ctx := newBrowser(t)
	const name = "昆山浏览器测试众创空间"
	var heading, occupancy, tenants, current string
	entered := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
	// The forms are set, not typed into: typed keys raced with the freshly
	// loaded page now and then (a tenant of 0 stations, or a node gone
	// before the keys reached it).
	err := chromedp.Do(ctx,
		srv.login("county"),
		chromedp.Navigate(srv.url+"/directory"),
		chromedp.WaitVisible(css(`#directory-counts`)),
		chromedp.Click(css(`#directory-nav a[href="/directory/carriers"]`)),
		chromedp.WaitVisible(css(`#new-carrier`)),
		chromedp.Click(css(`#new-carrier`)),
		chromedp.WaitVisible(css(`#directory-form input[name="name"]`)),
		chromedp.SetValue(css(`#directory-form input[name="name"]`), name),
		chromedp.SetValue(css(`#directory-form select[name="kind"]`), "maker-space"),
		chromedp.SetValue(css(`#directory-form input[name="operator"]`), "昆山示例运营公司"),
		chromedp.SetValue(css(`#directory-form input[name="stations"]`), "80"),
		screenshot(t, "directory-carrier-form.png"),
		chromedp.Submit(css(`#directory-form input[name="name"]`)),
		chromedp.WaitVisible(css(`#rates`)),
		into(&heading, chromedp.Text(css(`h1`))),
		chromedp.SetValue(css(`#directory-form input[name="name"]`), "昆山示例传感科技有限公司"),
		chromedp.SetValue(css(`#directory-form input[name="entered"]`), entered),
		chromedp.SetValue(css(`#directory-form input[name="stations"]`), "20"),
		chromedp.Submit(css(`#directory-form input[name="name"]`)),
		chromedp.WaitVisible(css(`#done`)),
		into(&occupancy, chromedp.Text(css(`#occupancy`))),
		into(&current, chromedp.Text(css(`#current-tenants`))),
		into(&tenants, chromedp.Text(css(`#tenants table`))),
		screenshot(t, "directory-carrier.png"),
	)
	if err != nil {
		t.Fatalf("county staff add a carrier and a tenant: %v", err)
	}
	if heading != name {
		t.Errorf("carrier page heading = %q, want %q", heading, name)
	}
	if occupancy != "25%" || current != "1" {
		t.Errorf("occupancy = %q with %q tenants, want 25%% (20 of 80 stations) and 1", occupancy, current)
	}
	if !strings.Contains(tenants, "昆山示例传感科技有限公司") || !strings.Contains(tenants, "20 个工位") {
		t.Errorf("tenants table = %q", tenants)
	}
	var visitorTenants string
	var edits int
	err = chromedp.Do(ctx,
		srv.logout(),
		chromedp.Navigate(srv.url+"/directory/carriers?q="+name),
		chromedp.WaitVisible(css(`#carriers tbody a`)),
		chromedp.Click(css(`#carriers tbody a`)),
		chromedp.WaitVisible(css(`#tenants`)),
		into(&visitorTenants, chromedp.Text(css(`#tenants table`))),
		into(&edits, chromedp.Evaluate[int](`document.querySelectorAll("#edit, #directory-form").length`)),
	)
	if err != nil {
		t.Fatalf("visitor opens the carrier: %v", err)
	}
	if !strings.Contains(visitorTenants, "昆山示例传感科技有限公司") || strings.Contains(visitorTenants, "工位") || edits != 0 {
		t.Errorf("visitor sees tenants %q and %d edit controls; want the name without space and none", visitorTenants, edits)
	}
}
