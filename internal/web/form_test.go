package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"kechuang/internal/account"
	"kechuang/internal/i18n"
)

// formCase is one form of the site with a valid filling: posting it with
// one text field replaced must be refused naming that field and showing
// the form again with the rest of what was typed.
type formCase struct {
	name string
	user string // who fills it
	page string // the page the form is on (for the CSRF token)
	post string // where it is posted
	base url.Values
	// fields are the text fields to probe; witness is a field whose typed
	// value must be on the page shown again ("" for forms that show no
	// values back, such as passwords).
	fields  []string
	witness string
}

// formCases are the create and update forms of the site, filled for the
// users formFixtures makes.
func formCases(listingID int64) []formCase {
	return []formCase{
		{name: "new demand", user: "firm", page: "/market/new?kind=demand", post: "/market/listings",
			base: url.Values{"kind": {"demand"}, "title": {"高镍正极材料循环寿命提升"}, "summary": {"需要正极材料表面包覆改性技术，提高循环寿命。"},
				"expected": {"1000次循环容量保持率不低于85%。"}, "keywords": {"正极材料，包覆"}, "domain": {"新能源与节能"}, "industry": {"C38"},
				"band": {"50-100"}, "region_code": {"320506"}, "contact_name": {"张经理"}, "contact_phone": {"0512-66000000"},
				"contact_email": {"zhang@example.com"}, "modes": {"license"}},
			fields:  []string{"title", "summary", "expected", "keywords", "domain", "industry", "contact_name", "contact_phone", "contact_email"},
			witness: "contact_name"},
		{name: "new achievement", user: "uni", page: "/market/new?kind=achievement", post: "/market/listings",
			base: url.Values{"kind": {"achievement"}, "title": {"原子层沉积包覆技术"}, "summary": {"在正极材料表面原子层沉积氧化铝包覆层。"},
				"team": {"材料学院团队"}, "trl": {"6"}, "price": {"80"}, "domain": {"新能源与节能"}, "region_code": {"320506"},
				"contact_name": {"陈老师"}, "contact_phone": {"0512-65880000"}, "modes": {"license"},
				"ip_type": {"invention"}, "ip_number": {"ZL202310000001.1"}, "ip_status": {"granted"}},
			fields:  []string{"title", "summary", "team", "ip_number"},
			witness: "contact_name"},
		{name: "new enterprise", user: "city", page: "/cultivation/enterprises/new", post: "/cultivation/enterprises",
			base: url.Values{"credit_code": {"91110108551385082Q"}, "name": {"苏州锂能新材料有限公司"}, "region_code": {"320506"},
				"address": {"苏州市吴中区"}, "industry": {"C38"}, "domain": {"新能源与节能"}, "tags": {"链主"}, "contact_name": {"王经理"},
				"contact_phone": {"0512-66001234"}, "contact_email": {"wang@example.com"}},
			fields:  []string{"name", "address", "domain", "tags", "contact_name", "contact_phone", "contact_email", "credit_code", "industry"},
			witness: "contact_name"},
		{name: "contract", user: "ks", page: "/market/contracts/new", post: "/market/contracts",
			base: url.Values{"contract_type": {"transfer"}, "title": {"一种滤波器专利转让"}, "seller": {"苏州示例大学"}, "buyer": {"昆山示例公司"},
				"amount": {"120"}, "tech_amount": {"100"}, "signed_on": {"2026-03-02"}, "domain": {"电子信息"}, "region_code": {"320583"}},
			fields:  []string{"title", "seller", "buyer", "seller_code", "buyer_code", "domain"},
			witness: "seller"},
		{name: "new account", user: "admin1", page: "/admin/users", post: "/admin/users",
			base: url.Values{"username": {"newuser"}, "display_name": {"新用户"}, "organization": {"苏州示例大学"}, "role": {"institution"},
				"password": {"Kechuang-2026-x"}},
			fields:  []string{"username", "display_name", "organization", "password"},
			witness: "organization"},
		{name: "interest in a listing", user: "firm", page: fmt.Sprintf("/market/listings/%d", listingID), post: "/market/deals",
			base: url.Values{"listing_id": {fmt.Sprint(listingID)}, "message": {"希望洽谈实施许可。"}, "contact_name": {"李经理"},
				"contact_phone": {"0512-66000000"}, "contact_email": {"li@example.com"}},
			fields:  []string{"message", "contact_name", "contact_phone", "contact_email"},
			witness: "contact_name"},
		{name: "new application round", user: "city", page: "/cultivation/rounds", post: "/cultivation/rounds",
			base: url.Values{"title": {"2026年第三批科技型中小企业评价"}, "rule_set": {"tech-sme"}, "year": {"2026"}, "opens": {"2026-09-01"},
				"closes": {"2026-09-30"}, "levels": {"county_city"}, "notice_days": {"10"}, "number_format": {"{year}{region}{seq:4}"}},
			fields:  []string{"title", "number_format"},
			witness: "title"},
		{name: "password", user: "firm", page: "/account", post: "/account/password",
			base:   url.Values{"current_password": {testPassword}, "new_password": {"Kechuang-2027"}, "confirm_password": {"Kechuang-2027"}},
			fields: []string{"new_password", "confirm_password"}},
	}
}

// formFixtures creates the users of formCases and a published listing.
func formFixtures(e *env) int64 {
	e.createUser("firm", account.RoleEnterprise, "320506")
	uni := e.createUser("uni", account.RoleInstitution, "320506")
	city := e.createUser("city", account.RoleStaff, "320500")
	e.createUser("ks", account.RoleCounty, "320583")
	e.createUser("admin1", account.RoleAdmin, "")
	return e.publishListing(uni, city, "精密零件表面缺陷在线检测系统").ID
}

// browsers returns the client of a user, logged in through the login
// form on first use.
func browsers(e *env) func(user string) *client {
	clients := map[string]*client{}
	return func(user string) *client {
		if clients[user] == nil {
			clients[user] = e.client()
			clients[user].loginForm(user, testPassword)
		}
		return clients[user]
	}
}

// fieldRefused reports whether the page shows an error for field: beside
// its input (inside its label or right after it), or in a message that
// names the field.
func fieldRefused(doc *goquery.Document, field string) (string, bool) {
	input := doc.Find(fmt.Sprintf(`[name=%q]`, field)).First()
	if msg := input.Closest("label").Find(".field-error").Text(); msg != "" {
		return msg, true
	}
	if msg := input.NextUntil("label, input, select, textarea").Filter(".field-error").Text(); msg != "" {
		return msg, true
	}
	if field == "ip_number" {
		field = "ip" // the IP rows are one field of the listing
	}
	label := i18n.T(i18n.Chinese, "field."+field)
	var found string
	doc.Find(".error, .field-error, [role=alert]").Each(func(_ int, s *goquery.Selection) {
		if t := s.Text(); strings.Contains(t, label) {
			found = t
		}
	})
	return found, found != ""
}

// shown returns what the page shows back in field.
func shown(doc *goquery.Document, field string) string {
	s := doc.Find(fmt.Sprintf(`[name=%q]`, field)).First()
	if goquery.NodeName(s) == "textarea" {
		return s.Text()
	}
	v, _ := s.Attr("value")
	return v
}

// TestFormFieldTooLong is the regression test of a 2 MB title posted to
// /market/listings, which answered "表单已失效（缺少或错误的防跨站令牌）":
// the body limit was hit while parsing the form, before the CSRF token
// was read. Every text field of every form, given more than it may hold
// (2 MB for the first field of each form), is now refused
// with 422 naming the field, and the form comes back with what was typed.
func TestFormFieldTooLong(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		listingID := formFixtures(e)
		huge := strings.Repeat("长", 700_000) // 2.1 MB in UTF-8
		long := strings.Repeat("长", 34_000)  // 102 KB, over a field's 64 KiB
		browser := browsers(e)
		for _, fc := range formCases(listingID) {
			c := browser(fc.user)
			for i, field := range fc.fields {
				form := url.Values{}
				for k, v := range fc.base {
					form[k] = v
				}
				form.Set("csrf_token", c.formToken(fc.page))
				// The first field gets 2 MB, over the whole body's old
				// limit; the others 100 KB, over the field's cap, which
				// takes the same path at a twentieth of the cost.
				if i == 0 {
					form.Set(field, huge)
				} else {
					form.Set(field, long)
				}
				res := c.postForm(fc.post, form)
				if res.status != http.StatusUnprocessableEntity {
					t.Errorf("%s: %s too long = %d, want 422", fc.name, field, res.status)
					continue
				}
				doc := res.doc(t)
				msg, ok := fieldRefused(doc, field)
				if !ok {
					t.Errorf("%s: %s too long: the page names no error for the field: %q", fc.name, field,
						strings.TrimSpace(doc.Find("main").Text())[:min(300, len(strings.TrimSpace(doc.Find("main").Text())))])
					continue
				}
				if strings.Contains(msg, "防跨站") {
					t.Errorf("%s: %s too long: %q", fc.name, field, msg)
				}
				if fc.witness != "" && field != fc.witness {
					if got := shown(doc, fc.witness); got != fc.base.Get(fc.witness) {
						t.Errorf("%s: %s too long: %s shown again as %q, want %q", fc.name, field, fc.witness, got, fc.base.Get(fc.witness))
					}
				}
			}
		}

		// The API names the field too: over the body limit (the field the
		// body was cut in) and under it (the domain's limit).
		api := e.client()
		api.mustLoginAPI("firm")
		for _, size := range []int{700_000, 200_000} {
			res := api.api(http.MethodPost, "/api/v1/demands", map[string]any{"title": strings.Repeat("长", size),
				"summary": "需要包覆改性技术。", "domain": "新能源与节能", "modes": []string{"license"}, "band": "50-100",
				"contact": map[string]string{"name": "张经理", "phone": "0512-66000000"}})
			var p struct {
				Errors []struct{ Field, Message string }
			}
			res.json(t, &p)
			if res.status != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != "title" {
				t.Errorf("API title of %d characters = %d %+v, want 422 naming title", size, res.status, p.Errors)
			}
		}
	})
}
