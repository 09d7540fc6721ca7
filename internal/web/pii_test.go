package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/market"
	"kechuang/internal/sheet"
)

// TestContactsMaskedOnPagesAndAPI guards #18 §11: contacts are whole only
// where the viewer is entitled, masked in lists, absent for the public.
func TestContactsMaskedOnPagesAndAPI(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		inst := actorOf(e.createUser("inst", account.RoleInstitution, "320505"))
		e.createUser("firm", account.RoleEnterprise, "320583")
		city := actorOf(e.createUser("city", account.RoleStaff, "320500"))
		e.createUser("wz", account.RoleCounty, "320506")
		l, err := e.market.CreateListing(ctx, inst, market.Achievement, market.Input{Title: "精密零件表面缺陷在线检测系统",
			Summary: "一种基于机器视觉的精密零件表面缺陷在线检测系统。", Domain: "先进制造与自动化/高性能、智能化仪器仪表",
			Industry: "C40", TRL: 6, Modes: []string{"license"},
			Contact: market.Contact{Name: "陈老师", Phone: "13812341234", Email: "chen.laoshi@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.market.Submit(ctx, inst, l.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.market.Approve(ctx, city, l.ID); err != nil {
			t.Fatal(err)
		}
		page := "/market/listings/" + strconv.FormatInt(l.ID, 10)
		api := "/api/v1/achievements/" + strconv.FormatInt(l.ID, 10)

		anon := e.client()
		wz := e.client()
		wz.mustLoginAPI("wz")
		for name, c := range map[string]*client{"anonymous": anon, "other county": wz} {
			for _, path := range []string{page, api, "/api/v1/achievements"} {
				res := c.get(path)
				if res.status != http.StatusOK {
					t.Fatalf("%s GET %s = %d", name, path, res.status)
				}
				if strings.Contains(res.body, "13812341234") || strings.Contains(res.body, "chen.laoshi") {
					t.Errorf("%s GET %s shows the contact whole", name, path)
				}
			}
		}
		firm := e.client()
		firm.mustLoginAPI("firm")
		if res := firm.get(api); !strings.Contains(res.body, `"13812341234"`) || !strings.Contains(res.body, "chen.laoshi@example.com") {
			t.Errorf("member GET %s = %s, want the contact whole", api, res.body)
		}
		if res := firm.get(page); res.doc(t).Find(".phone").Text() != "13812341234" {
			t.Errorf("member listing page phone = %q, want it whole", res.doc(t).Find(".phone").Text())
		}
		res := firm.get("/api/v1/achievements")
		if !strings.Contains(res.body, `"138****1234"`) || !strings.Contains(res.body, `"c***@example.com"`) || strings.Contains(res.body, "13812341234") {
			t.Errorf("member list = %s, want the contact masked", res.body)
		}
	})
}

// TestUnmaskedExportAudited guards #18 §11: the assessment report masks
// contacts; ?contacts=full unmasks them for staff and writes an audit row.
func TestUnmaskedExportAudited(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ks := actorOf(e.createUser("ks", account.RoleCounty, "320583"))
		e.createUser("root", account.RoleAdmin, "")
		code := ""
		for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
			if cultivation.ValidateCreditCode("91320583MA1XYK123"+string(c)) == nil {
				code = "91320583MA1XYK123" + string(c)
			}
		}
		if _, err := e.app.Cultivation.CreateEnterprise(ctx, ks, cultivation.Enterprise{CreditCode: code,
			Name: "昆山示例精密制造有限公司", RegionCode: "320583", ContactName: "王经理", ContactPhone: "13812341234",
			ContactEmail: "wang.jingli@example.com"}); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.mustLoginAPI("ks")
		text := func(res response) string {
			t.Helper()
			if res.status != http.StatusOK {
				t.Fatalf("export = %d %s", res.status, res.body)
			}
			rd, err := sheet.Open(bytes.NewReader([]byte(res.body)), int64(len(res.body)), "report.xlsx", sheet.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			var b strings.Builder
			for {
				row, _, err := rd.Next()
				if err == io.EOF {
					return b.String()
				}
				if err != nil {
					t.Fatal(err)
				}
				b.WriteString(strings.Join(row, "|") + "\n")
			}
		}
		audited := func() int {
			entries, _, err := e.app.Audit.FindEntries(ctx, audit.Actor{Role: audit.ReaderRole}, audit.Filter{Action: "enterprise.export_contacts"})
			if err != nil {
				t.Fatal(err)
			}
			return len(entries)
		}
		if got := text(c.get("/cultivation/export.xlsx")); !strings.Contains(got, "138****1234") || strings.Contains(got, "13812341234") {
			t.Errorf("default export = %q, want the contact masked", got)
		}
		if n := audited(); n != 0 {
			t.Errorf("audit rows after a masked export = %d, want 0", n)
		}
		if !strings.Contains(c.get("/cultivation").body, "/cultivation/export.xlsx?contacts=full") {
			t.Error("the registry page offers no unmasked export to county staff")
		}
		if got := text(c.get("/cultivation/export.xlsx?contacts=full")); !strings.Contains(got, "13812341234") || !strings.Contains(got, "wang.jingli@example.com") {
			t.Errorf("unmasked export = %q, want the contact whole", got)
		}
		if n := audited(); n != 1 {
			t.Errorf("audit rows after an unmasked export = %d, want 1", n)
		}
		if res := c.get("/cultivation/export.xlsx?contacts=all"); res.status != http.StatusUnprocessableEntity {
			t.Errorf("contacts=all = %d, want 422", res.status)
		}
		admin := e.client()
		admin.mustLoginAPI("root")
		if res := admin.get("/cultivation/export.xlsx?contacts=full"); res.status != http.StatusForbidden {
			t.Errorf("administrator's unmasked export = %d, want 403", res.status)
		}
		if n := audited(); n != 1 {
			t.Errorf("audit rows = %d, want still 1", n)
		}
	})
}
