package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
)

// stringLeaf is one string property of a request body, with a body that
// holds only it.
type stringLeaf struct {
	path string // as problems name it: contact.name, ip[0].number
	body any    // the body, the leaf holding leafMark
}

const leafMark = "leaf-mark-7f3a"

// stringLeaves lists every string property reachable in the schema at
// sch of the document (following $ref, properties, items and maps).
func stringLeaves(doc map[string]any, sch map[string]any) []stringLeaf {
	var out []stringLeaf
	var walk func(s map[string]any, path string, wrap func(any) any, depth int)
	walk = func(s map[string]any, path string, wrap func(any) any, depth int) {
		if depth > 8 {
			return
		}
		if ref, ok := s["$ref"].(string); ok {
			var cur any = doc
			for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
				cur = cur.(map[string]any)[p]
			}
			s = cur.(map[string]any)
		}
		if s["readOnly"] == true {
			return
		}
		for _, alt := range append(anySlice(s["oneOf"]), anySlice(s["anyOf"])...) {
			walk(alt.(map[string]any), path, wrap, depth+1)
		}
		types := map[string]bool{}
		switch t := s["type"].(type) {
		case string:
			types[t] = true
		case []any:
			for _, x := range t {
				types[x.(string)] = true
			}
		}
		switch {
		case types["string"]:
			out = append(out, stringLeaf{path: path, body: wrap(leafMark)})
		case types["array"]:
			if items, ok := s["items"].(map[string]any); ok {
				walk(items, path+"[0]", func(v any) any { return wrap([]any{v}) }, depth+1)
			}
		case types["object"]:
			props, _ := s["properties"].(map[string]any)
			names := make([]string, 0, len(props))
			for n := range props {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				child := n
				if path != "" {
					child = path + "." + n
				}
				walk(props[n].(map[string]any), child, func(v any) any { return wrap(map[string]any{n: v}) }, depth+1)
			}
			if ap, ok := s["additionalProperties"].(map[string]any); ok {
				child := "k"
				if path != "" {
					child = path + ".k"
				}
				walk(ap, child, func(v any) any { return wrap(map[string]any{"k": v}) }, depth+1)
			}
		}
	}
	walk(sch, "", func(v any) any { return v }, 0)
	return out
}

func anySlice(v any) []any { s, _ := v.([]any); return s }

// badText are the values every text field must refuse, as raw JSON string
// literals (invalid UTF-8 cannot be written by json.Marshal).
var badText = []struct {
	name, literal, key string
}{
	{"NUL", `"标题\u0000"`, "error.text_nul"},
	{"escape character", `"a\u001b[31m"`, "error.text_control"},
	{"invalid UTF-8", "\"ab\xff\xfe\"", "error.text_encoding"},
}

// TestTextHygieneAPI posts, to every operation of the OpenAPI document
// that takes a JSON body, a body whose one string property holds a NUL, a
// control character or invalid UTF-8, for every string property of every
// request body, and wants 422 naming that property, on both databases
// (PostgreSQL refuses NUL and invalid UTF-8, so before this SQLite stored
// them and PostgreSQL answered 500).
func TestTextHygieneAPI(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ids := hygieneFixtures(t, e)
		city := e.client()
		city.mustLoginAPI("city")
		anon := e.client()
		ct := apiContract(t)
		probes := 0
		for p, item := range ct.doc["paths"].(map[string]any) {
			for method, v := range item.(map[string]any) {
				op := v.(map[string]any)
				rb, ok := op["requestBody"].(map[string]any)
				if !ok {
					continue
				}
				sch := rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
				path := "/api/v1" + p
				for param, val := range ids(p) {
					path = strings.ReplaceAll(path, "{"+param+"}", val)
				}
				if strings.Contains(path, "{") {
					t.Fatalf("no fixture for a parameter of %s", path)
				}
				c := city
				if isPublic(ct.doc, op) {
					c = anon
				}
				leaves := stringLeaves(ct.doc, sch)
				if len(leaves) == 0 {
					continue
				}
				for _, leaf := range leaves {
					b, err := json.Marshal(leaf.body)
					if err != nil {
						t.Fatal(err)
					}
					for _, bad := range badText {
						body := bytes.Replace(b, []byte(strconv.Quote(leafMark)), []byte(bad.literal), 1)
						h := map[string]string{"Content-Type": "application/json"}
						if c.csrf != "" {
							h["X-CSRF-Token"] = c.csrf
						}
						res := c.do(strings.ToUpper(method), path, bytes.NewReader(body), h)
						probes++
						var prob struct {
							Errors []struct{ Field, Message string }
						}
						_ = json.Unmarshal([]byte(res.body), &prob)
						if res.status != http.StatusUnprocessableEntity || len(prob.Errors) != 1 || prob.Errors[0].Field != leaf.path {
							t.Errorf("%s %s with %s in %s = %d %.300s, want 422 naming %s", strings.ToUpper(method), p, bad.name,
								leaf.path, res.status, res.body, leaf.path)
						}
					}
				}
			}
		}
		if probes < 300 {
			t.Errorf("only %d probes: the request bodies of the document were not walked", probes)
		}
	})
}

// hygieneFixtures makes the records the API paths name, and returns the
// values of the path parameters of a path of the document.
func hygieneFixtures(t *testing.T, e *env) func(path string) map[string]string {
	t.Helper()
	ctx := t.Context()
	uni := e.createUser("uni", account.RoleInstitution, "320506")
	firm := e.createUser("firm", account.RoleEnterprise, "320506")
	city := e.createUser("city", account.RoleStaff, "320500")
	a := e.publishAs(uni, city, market.Achievement, matchAchievement("锂离子电池高镍正极材料原子层沉积包覆技术",
		"在高镍三元正极材料表面原子层沉积氧化铝包覆层，动力电池高温循环寿命提升30%。", 80))
	d := e.publishAs(firm, city, market.Demand, matchDemand())
	ent, err := e.app.Cultivation.CreateEnterprise(ctx, actorOf(city), cultivation.Enterprise{CreditCode: "91110108551385082Q",
		Name: "苏州锂能新材料有限公司", RegionCode: "320506", Industry: "C38"})
	if err != nil {
		t.Fatal(err)
	}
	deal, err := e.market.CreateDeal(ctx, actorOf(firm), market.DealInput{ListingID: a.ID, Message: "希望洽谈。",
		Contact: market.Contact{Name: "李经理", Phone: "0512-66000000"}})
	if err != nil {
		t.Fatal(err)
	}
	need := e.publishAs(firm, city, market.Financing, financingNeed())
	inv := e.createUser("inv", account.RoleInvestor, "320506")
	return func(p string) map[string]string {
		out := map[string]string{"id": "1", "year": "2025", "kind": "listing", "code": "rd_ratio_jump", "policyId": "suzhou-little-giant", "appId": "1", "enterpriseId": "1",
			"rid": "1", "mid": "1"}
		switch {
		case strings.HasPrefix(p, "/achievements/"):
			out["id"], out["candidate"] = fmt.Sprint(a.ID), fmt.Sprint(d.ID)
		case strings.HasPrefix(p, "/demands/"):
			out["id"], out["candidate"] = fmt.Sprint(d.ID), fmt.Sprint(a.ID)
		case strings.HasPrefix(p, "/financing/"):
			out["id"], out["candidate"], out["kind"] = fmt.Sprint(need.ID), fmt.Sprint(inv.ID), "investor"
		case strings.HasPrefix(p, "/enterprises/"):
			out["id"] = fmt.Sprint(ent.ID)
		case strings.HasPrefix(p, "/deals/"):
			out["id"] = fmt.Sprint(deal.ID)
		}
		return out
	}
}

// TestTextHygieneForms posts a NUL into every field of every form of the
// site and wants 422 naming the field (by its label), on both databases;
// a control character and invalid UTF-8 are tried on the first field.
func TestTextHygieneForms(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		listingID := formFixtures(e)
		browser := browsers(e)
		for _, fc := range formCases(listingID) {
			c := browser(fc.user)
			var fields []string
			for k := range fc.base {
				fields = append(fields, k)
			}
			sort.Strings(fields)
			for i, field := range fields {
				bads := []struct{ value, want string }{{fc.base.Get(field) + "\x00", "空字符"}}
				if field == "title" || field == "contact_name" {
					// One-line fields take no line breaks or tabs.
					bads = append(bads, struct{ value, want string }{"第一行\t第二行", "换行或制表符"})
				}
				if i == 0 {
					bads = append(bads, struct{ value, want string }{"a\x1bb", "控制字符"}, struct{ value, want string }{"a\xffb", "UTF-8"})
				}
				for _, bad := range bads {
					form := url.Values{}
					for k, v := range fc.base {
						form[k] = v
					}
					form.Set("csrf_token", c.formToken(fc.page))
					form.Set(field, bad.value)
					res := c.postForm(fc.post, form)
					msg := res.doc(t).Find("main .error").Text()
					label := i18n.T(i18n.Chinese, "field."+field)
					if res.status != http.StatusUnprocessableEntity || !strings.Contains(msg, label+": ") || !strings.Contains(msg, bad.want) {
						t.Errorf("%s: %s = %q: %d %q, want 422 naming %s (%s)", fc.name, field, bad.value, res.status, msg, label, bad.want)
					}
				}
			}
		}
	})
}
