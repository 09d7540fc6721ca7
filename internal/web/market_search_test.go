package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/market"
)

func TestMarketSearch(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		inst := e.createUser("inst", account.RoleInstitution, "320505")
		staff := e.createUser("city", account.RoleStaff, "320500")
		owner := account.Actor{UserID: inst.ID, Username: inst.Username, Role: account.RoleInstitution, Region: "320505"}
		reviewer := account.Actor{UserID: staff.ID, Username: staff.Username, Role: account.RoleStaff, Region: "320500"}
		in := market.Input{Title: "一种5G基站用小型化腔体滤波器", Summary: "面向5G基站射频前端的小型化腔体滤波器，插入损耗低于0.5dB。",
			Keywords: []string{"5G", "基站", "滤波器"}, Domain: "电子信息/通信技术", Industry: "C39", TRL: 6,
			Modes: []string{"license"}, Contact: market.Contact{Name: "陈老师", Phone: "0512-65880000"}}
		l, err := e.market.CreateListing(ctx, owner, market.Achievement, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.market.Submit(ctx, owner, l.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.market.Approve(ctx, reviewer, l.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.index.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		c := e.client() // anonymous: search is public
		var res struct {
			Total int `json:"total"`
			Hits  []struct {
				ID      int64   `json:"id"`
				Kind    string  `json:"kind"`
				Title   string  `json:"title"`
				Snippet string  `json:"snippet"`
				Score   float64 `json:"score"`
			} `json:"hits"`
			Facets map[string][]struct {
				Value string `json:"value"`
				Count int    `json:"count"`
			} `json:"facets"`
		}
		c.get("/api/v1/search?q="+url.QueryEscape("5G 基站 滤波器")+"&kind=achievement").json(t, &res)
		if res.Total != 1 || res.Hits[0].ID != l.ID || res.Hits[0].Kind != "achievement" || res.Hits[0].Score <= 0 || res.Hits[0].Snippet == "" {
			t.Fatalf("search = %+v", res)
		}
		if len(res.Facets["industry"]) != 1 || res.Facets["industry"][0].Value != "C" {
			t.Errorf("industry facet = %+v, want section C", res.Facets["industry"])
		}
		if len(res.Facets["domain"]) != 1 || res.Facets["domain"][0].Value != "电子信息" || res.Facets["domain"][0].Count != 1 {
			t.Errorf("domain facet = %+v", res.Facets["domain"])
		}
		if strings.Contains(c.get("/api/v1/search?q=5G").body, "0512-65880000") {
			t.Errorf("search results carry the contact")
		}
		page := c.get("/market/search?q=" + url.QueryEscape("滤波器"))
		if page.status != http.StatusOK {
			t.Fatalf("search page = %d", page.status)
		}
		d := page.doc(t)
		if d.Find("#results .hit mark").Length() == 0 {
			t.Errorf("no highlighted terms on the results page")
		}
		if d.Find("#facets .facet a").Length() == 0 {
			t.Errorf("no facets on the results page")
		}
		if d := c.get("/market/search?q=" + url.QueryEscape("量子计算")).doc(t); d.Find("#no-results").Length() != 1 {
			t.Errorf("no-results message missing")
		}
	})
}
