package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"kechuang/internal/account"
)

const (
	batteryTitle = "高镍三元锂离子电池正极材料"
	batteryText  = "本项目研发一种高镍三元锂离子电池正极材料，通过表面包覆提高循环寿命和热稳定性，适用于电动汽车动力电池和储能系统。"
)

// TestMarketSuggestForm checks the listing form's suggestion box: the
// fields ask for suggestions as the owner types, and the fragment proposes a
// domain and keywords with "采用" buttons that fill nothing by themselves.
func TestMarketSuggestForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtestOpenSQLite(t))
	e.createUser("inst", account.RoleInstitution, "320505")
	e.createUser("ent", account.RoleEnterprise, "320583")
	inst, ent, anon := e.client(), e.client(), e.client()
	inst.loginForm("inst", testPassword)
	ent.loginForm("ent", testPassword)

	form := inst.get("/market/new?kind=achievement").doc(t)
	for _, name := range []string{"title", "summary"} {
		f := form.Find(fmt.Sprintf(`#listing-form [name=%q]`, name))
		if got := f.AttrOr("hx-post", ""); got != "/market/suggest" {
			t.Errorf("%s hx-post = %q, want /market/suggest", name, got)
		}
		if got := f.AttrOr("hx-trigger", ""); !strings.Contains(got, "delay:600ms") {
			t.Errorf("%s hx-trigger = %q, want a 600 ms delay", name, got)
		}
		if got := f.AttrOr("hx-target", ""); got != "#suggest-box" {
			t.Errorf("%s hx-target = %q, want #suggest-box", name, got)
		}
	}
	box := form.Find(`#listing-form #suggest-box`)
	if box.Find("#suggest-hint").Length() != 1 || box.Find("button").Length() != 0 {
		t.Errorf("empty form's suggestion box = %q, want the hint and no buttons", box.Text())
	}
	if _, ok := box.Attr("hx-trigger"); ok {
		t.Errorf("empty form's suggestion box asks on load; want nothing to ask")
	}
	demandForm := ent.get("/market/new?kind=demand").doc(t)
	if got := demandForm.Find(`#listing-form [name=expected]`).AttrOr("hx-post", ""); got != "/market/suggest" {
		t.Errorf("demand expected hx-post = %q, want /market/suggest", got)
	}

	instTok := inst.formToken("/market/new?kind=achievement")
	anonTok := anon.formToken("/login")
	entTok := ent.formToken("/market/new?kind=demand")
	tests := []struct {
		name         string
		c            *client
		form         url.Values
		wantStatus   int
		wantDomain   string // data-value of the domain button; "" means no button
		wantDisc     string
		wantHint     bool
		notKeywords  []string
		wantKeywords bool
	}{
		{
			name:       "battery text suggests 新能源与节能",
			c:          inst,
			form:       url.Values{"csrf_token": {instTok}, "title": {batteryTitle}, "summary": {batteryText}, "keywords": {"动力电池，储能"}},
			wantStatus: http.StatusOK, wantDomain: "新能源与节能", wantDisc: "电气工程",
			notKeywords: []string{"动力电池", "储能"}, wantKeywords: true,
		},
		{
			name: "demand reads the expected results too",
			c:    ent,
			form: url.Values{"csrf_token": {entTok}, "title": {"缓释制剂"}, "summary": {"现有片剂释放太快。"},
				"expected": {"开发一种口服缓释片剂，采用羟丙甲纤维素骨架材料，实现药物12小时平稳释放，提高患者用药依从性。"}},
			wantStatus: http.StatusOK, wantDomain: "生物与新医药", wantDisc: "药学", wantKeywords: true,
		},
		{
			name:       "five characters suggest nothing",
			c:          inst,
			form:       url.Values{"csrf_token": {instTok}, "title": {"锂电池材料"}},
			wantStatus: http.StatusOK, wantHint: true,
		},
		{
			name:       "philosophy gets disciplines but no domain",
			c:          inst,
			form:       url.Values{"csrf_token": {instTok}, "title": {"康德实践理性批判中的自由与道德律"}, "summary": {"本文讨论康德伦理学中道德法则与意志自由的关系，分析自律概念在德国古典哲学中的地位。"}},
			wantStatus: http.StatusOK, wantDisc: "哲学", wantKeywords: true,
		},
		{
			name:       "no CSRF token is refused",
			c:          inst,
			form:       url.Values{"title": {batteryTitle}, "summary": {batteryText}},
			wantStatus: http.StatusForbidden,
		},
		{
			name:       "another session's token is refused",
			c:          anon,
			form:       url.Values{"csrf_token": {instTok}, "title": {batteryTitle}, "summary": {batteryText}},
			wantStatus: http.StatusForbidden,
		},
		{
			name:       "anonymous is refused",
			c:          anon,
			form:       url.Values{"csrf_token": {anonTok}, "title": {batteryTitle}, "summary": {batteryText}},
			wantStatus: http.StatusUnauthorized,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.c.do(http.MethodPost, "/market/suggest", strings.NewReader(tt.form.Encode()),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"})
			if res.status != tt.wantStatus {
				t.Fatalf("POST /market/suggest = %d, want %d: %s", res.status, tt.wantStatus, res.body)
			}
			if tt.wantStatus != http.StatusOK {
				return
			}
			doc := res.doc(t)
			if doc.Find("html > head > title, nav").Length() != 0 {
				t.Errorf("fragment has the page layout: %s", res.body)
			}
			if got := doc.Find("#suggest-hint").Length() == 1; got != tt.wantHint {
				t.Errorf("hint shown = %v, want %v", got, tt.wantHint)
			}
			btn := doc.Find(`#suggest-domain button[data-fill-select="domain"]`)
			switch {
			case tt.wantDomain == "" && btn.Length() != 0:
				t.Errorf("domain button = %q, want none", btn.AttrOr("data-value", ""))
			case tt.wantDomain != "" && btn.AttrOr("data-value", "") != tt.wantDomain:
				t.Errorf("domain button value = %q, want %q (%s)", btn.AttrOr("data-value", ""), tt.wantDomain, doc.Find("#suggest-domain").Text())
			case tt.wantDomain != "" && strings.TrimSpace(btn.Text()) != "采用":
				t.Errorf("domain button text = %q, want 采用", btn.Text())
			case tt.wantDomain != "" && !strings.Contains(doc.Find("#suggest-domain").Text(), "置信度"):
				t.Errorf("domain line = %q, want a 置信度", doc.Find("#suggest-domain").Text())
			}
			if tt.wantDisc != "" && !strings.Contains(doc.Find("#suggest-disciplines").Text(), tt.wantDisc) {
				t.Errorf("disciplines = %q, want %s", doc.Find("#suggest-disciplines").Text(), tt.wantDisc)
			}
			var kws []string
			doc.Find("#suggest-keywords li.chip button[data-append-keyword]").Each(func(_ int, b *goquery.Selection) {
				kws = append(kws, b.AttrOr("data-append-keyword", ""))
			})
			if tt.wantKeywords && (len(kws) == 0 || len(kws) > 8) {
				t.Errorf("keyword chips = %v, want 1 to 8", kws)
			}
			if !tt.wantKeywords && len(kws) != 0 {
				t.Errorf("keyword chips = %v, want none", kws)
			}
			for _, k := range tt.notKeywords {
				if slices.Contains(kws, k) {
					t.Errorf("keyword chips = %v, want no %s (already typed)", kws, k)
				}
			}
		})
	}

	// A returned or draft listing's form asks once on load, so the owner
	// sees suggestions for the text already there.
	owner := e.client()
	owner.mustLoginAPI("inst")
	res := owner.api(http.MethodPost, "/api/v1/achievements", achievementJSON("精密零件表面缺陷在线检测系统"))
	if res.status != http.StatusCreated {
		t.Fatalf("create = %d %s", res.status, res.body)
	}
	var a struct {
		ID int64 `json:"id"`
	}
	res.json(t, &a)
	edit := inst.get(fmt.Sprintf("/market/listings/%d/edit", a.ID)).doc(t)
	if got := edit.Find("#suggest-box").AttrOr("hx-trigger", ""); got != "load" {
		t.Errorf("edit form's suggestion box hx-trigger = %q, want load", got)
	}
}

// TestMarketSuggestAPI runs POST /api/v1/suggest as scenarios.
func TestMarketSuggestAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtestOpenSQLite(t))
	e.createUser("inst", account.RoleInstitution, "320505")
	inst, anon, noToken := e.client(), e.client(), e.client()
	inst.mustLoginAPI("inst")
	noToken.mustLoginAPI("inst")
	noToken.csrf = ""
	scenarios := []struct {
		name       string
		c          *client
		body       any
		wantStatus int
		wantDomain string // "" with status 200 means "domain": null
		wantSub    string
		wantDisc   string
	}{
		{"battery", inst, map[string]any{"title": batteryTitle, "text": batteryText}, 200, "新能源与节能", "", "电气工程"},
		{"traditional medicine with a second level", inst, map[string]any{"title": "清热解毒中药复方颗粒剂",
			"text": "本品由金银花、连翘、板蓝根等中药组成，具有清热解毒、疏风解表功效，用于治疗风热感冒，采用中药提取浓缩制粒工艺。"},
			200, "生物与新医药", "中药、天然药物", "中医学/中药学"},
		{"software", inst, map[string]any{"title": "企业资源计划管理软件", "text": "基于微服务架构的云原生软件平台，支持多租户、容器化部署和数据库分库分表，提供可视化报表、工作流引擎和移动端应用。",
			"keywords": []string{"微服务"}}, 200, "电子信息", "", "计算机科学与技术"},
		{"too short", inst, map[string]any{"title": "锂电池", "text": ""}, 200, "", "", ""},
		{"unknown field", inst, map[string]any{"title": batteryTitle, "body": batteryText}, 422, "", "", ""},
		{"anonymous", anon, map[string]any{"title": batteryTitle, "text": batteryText}, 401, "", "", ""},
		{"session without CSRF header", noToken, map[string]any{"title": batteryTitle, "text": batteryText}, 403, "", "", ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			res := sc.c.api(http.MethodPost, "/api/v1/suggest", sc.body)
			if res.status != sc.wantStatus {
				t.Fatalf("POST /api/v1/suggest = %d, want %d: %s", res.status, sc.wantStatus, res.body)
			}
			if sc.wantStatus != http.StatusOK {
				return
			}
			// The field names are the contract: decode loosely and look.
			var raw map[string]json.RawMessage
			res.json(t, &raw)
			for _, k := range []string{"domain", "disciplines", "keywords"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("response %s lacks %q", res.body, k)
				}
			}
			var got struct {
				Domain *struct {
					Name string  `json:"name"`
					Sub  string  `json:"sub"`
					P    float64 `json:"p"`
				} `json:"domain"`
				Disciplines []struct {
					Name string  `json:"name"`
					P    float64 `json:"p"`
				} `json:"disciplines"`
				Keywords []string `json:"keywords"`
			}
			res.json(t, &got)
			if sc.wantDomain == "" {
				if got.Domain != nil || string(raw["disciplines"]) != "[]" || string(raw["keywords"]) != "[]" {
					t.Errorf("response = %s, want domain null and empty lists", res.body)
				}
				return
			}
			if got.Domain == nil || got.Domain.Name != sc.wantDomain || got.Domain.Sub != sc.wantSub || got.Domain.P < 0.3 || got.Domain.P > 1.0000001 {
				t.Errorf("domain = %s, want %s/%s with p in [0.3, 1]", raw["domain"], sc.wantDomain, sc.wantSub)
			}
			if len(got.Disciplines) == 0 || got.Disciplines[0].Name != sc.wantDisc || got.Disciplines[0].P <= 0 {
				t.Errorf("disciplines = %s, want %s first", raw["disciplines"], sc.wantDisc)
			}
			if len(got.Keywords) == 0 || len(got.Keywords) > 8 || slices.Contains(got.Keywords, "微服务") {
				t.Errorf("keywords = %v, want 1 to 8, none already typed", got.Keywords)
			}
		})
	}
}
