package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
)

// TestPasswordExpiryPrompts: under the default (dengbao) policy the shell
// reminds a user whose password expires within 14 days, and a password
// older than 90 days must be changed before anything else (#18 §4).
func TestPasswordExpiryPrompts(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("inv1", account.RoleInvestor, "320500")
		e.clock.Add(80 * 24 * time.Hour)
		c := e.client()
		if res := c.loginForm("inv1", testPassword); res.header.Get("Location") != "/" {
			t.Fatalf("login on day 80 = %d to %q, want /", res.status, res.header.Get("Location"))
		}
		banner := c.get("/market").doc(t).Find("#password-expiry")
		if !strings.Contains(banner.Text(), "10 天后过期") || banner.Find(`a[href="/account"]`).Length() != 1 {
			t.Errorf("shell reminder = %q, want 10 days and a link to /account", banner.Text())
		}

		e.clock.Add(11 * 24 * time.Hour)
		c = e.client()
		if res := c.loginForm("inv1", testPassword); res.header.Get("Location") != "/account?must_change=1" {
			t.Fatalf("login on day 91 = %d to %q, want the password page", res.status, res.header.Get("Location"))
		}
		if res := c.get("/market"); res.header.Get("Location") != "/account?must_change=1" {
			t.Errorf("/market with an expired password = %d to %q, want the password page", res.status, res.header.Get("Location"))
		}
		api := e.client()
		api.mustLoginAPI("inv1")
		if res := api.get("/api/v1/deals"); res.status != http.StatusForbidden || !strings.Contains(res.body, "口令已过期") {
			t.Errorf("API with an expired password = %d %s, want 403 saying it expired", res.status, res.body)
		}
		page := c.get("/account?must_change=1").doc(t)
		if got := page.Find("#password-expired").Text(); !strings.Contains(got, "90 天") {
			t.Errorf("account page = %q, want the 90-day expiry explained", got)
		}
		tok, _ := page.Find(`form[action="/account/password"] input[name="csrf_token"]`).Attr("value")
		// The new password is checked against the policy, with the reason
		// beside the field.
		res := c.postForm("/account/password", url.Values{"csrf_token": {tok}, "current_password": {testPassword},
			"new_password": {"Passw0rd!!"}, "confirm_password": {"Passw0rd!!"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find(".form").Text(), "口令过于常见") {
			t.Errorf("common new password = %d, want 422 naming the reason", res.status)
		}
		res = c.postForm("/account/password", url.Values{"csrf_token": {tok}, "current_password": {testPassword},
			"new_password": {"Hbq-736190a"}, "confirm_password": {"Hbq-736190a"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("change password = %d %s", res.status, res.body)
		}
		if res := c.get("/market"); res.status != http.StatusOK {
			t.Errorf("/market after the change = %d, want 200", res.status)
		}
	})
}
