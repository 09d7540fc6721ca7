package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/market"
)

func TestMarketAttachments(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		inst := e.createUser("inst", account.RoleInstitution, "320505")
		owner := account.Actor{UserID: inst.ID, Username: inst.Username, Role: account.RoleInstitution, Region: "320505"}
		l, err := e.market.CreateListing(ctx, owner, market.Achievement, market.Input{Title: "带附件的成果", Summary: "一种新型传感器。",
			Domain: "电子信息", Industry: "C39", TRL: 5, Modes: []string{"license"}, Contact: market.Contact{Name: "陈老师", Phone: "0512-65880000"}})
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.loginForm("inst", testPassword)
		page := fmt.Sprintf("/market/listings/%d", l.ID)
		tok := c.formToken(page)
		upload := func(name string, data []byte) response {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			_ = mw.WriteField("csrf_token", tok)
			fw, _ := mw.CreateFormFile("file", name)
			_, _ = fw.Write(data)
			_ = mw.Close()
			return c.do(http.MethodPost, page+"/attachments", &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
		}
		if res := upload("x.pdf", []byte("<html><script>alert(1)</script>")); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "只接受 PDF") {
			t.Errorf("HTML posing as PDF = %d, want 422 with the reason", res.status)
		}
		pdf := []byte("%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n")
		if res := upload("成果简介.pdf", pdf); res.status != http.StatusSeeOther {
			t.Fatalf("upload = %d %s", res.status, res.body)
		}
		link, ok := c.get(page).doc(t).Find(`#attachments a[href^="/market/attachments/"]`).Attr("href")
		if !ok {
			t.Fatal("attachment not listed on the listing page")
		}
		res := c.get(link)
		if res.status != http.StatusOK || res.body != string(pdf) || res.header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment;") {
			t.Errorf("download = %d %q %q", res.status, res.header.Get("Content-Type"), res.header.Get("Content-Disposition"))
		}
		// The draft's file is not public.
		if res := e.client().get(link); res.status != http.StatusNotFound {
			t.Errorf("anonymous download of a draft's file = %d, want 404", res.status)
		}
	})
}
