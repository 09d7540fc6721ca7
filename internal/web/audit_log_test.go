package web_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/sheet"

	// Modules web does not serve yet still register their audit actions;
	// TestEveryActionHasAName must see those registrations too.
	_ "kechuang/internal/directory"
	_ "kechuang/internal/project"
)

// TestAuditLogReadsInChinese is #10 item 9: the auditor reads actions by
// their names, objects named and linked, before/after as labelled fields,
// filters by a dropdown of actions, pages and exports to Excel.
func TestAuditLogReadsInChinese(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("inst", account.RoleInstitution, "320505")
		e.createUser("gs", account.RoleCounty, "320505")
		e.createUser("aud", account.RoleAuditor, "")
		inst, gs, aud := e.client(), e.client(), e.client()
		inst.mustLoginAPI("inst")
		gs.mustLoginAPI("gs")
		aud.mustLoginAPI("aud")

		const title = "=1+2 精密零件表面缺陷在线检测系统"
		res := inst.api(http.MethodPost, "/api/v1/achievements", achievementJSON(title))
		if res.status != http.StatusCreated {
			t.Fatalf("create = %d %s", res.status, res.body)
		}
		var l struct{ ID int64 }
		res.json(t, &l)
		path := fmt.Sprintf("/api/v1/achievements/%d", l.ID)
		if res := inst.api(http.MethodPost, path+"/submit", nil); res.status != http.StatusOK {
			t.Fatalf("submit = %d %s", res.status, res.body)
		}
		if res := gs.api(http.MethodPost, path+"/approve", nil); res.status != http.StatusOK {
			t.Fatalf("approve = %d %s", res.status, res.body)
		}
		res = inst.api(http.MethodPost, "/api/v1/achievements", achievementJSON("一项仍是草稿的成果"))
		var draft struct{ ID int64 }
		res.json(t, &draft)

		doc := aud.get("/audit").doc(t)
		rows := doc.Find("#audit > tbody > tr")
		code := regexp.MustCompile(`^[a-z_]+(\.[a-z_-]+)+$`)
		rows.Each(func(_ int, r *goquery.Selection) {
			if a := strings.TrimSpace(r.Find("td.action").Text()); a == "" || code.MatchString(a) {
				t.Errorf("action cell %q is empty or a code", a)
			}
			r.Find(".changes th[scope=row]").Each(func(_ int, th *goquery.Selection) {
				if l := th.Text(); regexp.MustCompile(`^[a-z_.]+$`).MatchString(l) {
					t.Errorf("field label %q is a code", l)
				}
			})
		})
		approve := rows.FilterFunction(func(_ int, r *goquery.Selection) bool {
			return strings.TrimSpace(r.Find("td.action").Text()) == "审核通过并发布"
		})
		if approve.Length() != 1 {
			t.Fatalf("rows named 审核通过并发布 = %d, want 1", approve.Length())
		}
		link := approve.Find("td.object a")
		if href, _ := link.Attr("href"); href != fmt.Sprintf("/market/listings/%d", l.ID) || link.Text() != title {
			t.Errorf("approved listing link = %q %q, want its page and title", href, link.Text())
		}
		changes := map[string][2]string{}
		approve.Find(".changes tbody tr").Each(func(_ int, r *goquery.Selection) {
			changes[r.Find("th").Text()] = [2]string{r.Find("td").Eq(0).Text(), r.Find("td").Eq(1).Text()}
		})
		if got := changes["状态"]; got != [2]string{"待审核", "已发布"} {
			t.Errorf("state change = %q, want 待审核 → 已发布 (all fields: %v)", got, changes)
		}
		if _, ok := changes["标题"]; ok {
			t.Errorf("approval shows the unchanged title: %v", changes)
		}
		// A creation shows every field, codes by their names.
		create := rows.FilterFunction(func(_ int, r *goquery.Selection) bool {
			return strings.TrimSpace(r.Find("td.action").Text()) == "新建成果/需求" && r.Find("td.object a").Length() == 1
		})
		created := map[string]string{}
		create.Find(".changes tbody tr").Each(func(_ int, r *goquery.Selection) {
			created[r.Find("th").Text()] = r.Find("td").Eq(1).Text()
		})
		if created["所属区域"] != "江苏省 苏州市 虎丘区" || created["标题"] != title || created["类型"] != "科技成果" {
			t.Errorf("created fields = %v, want region, title and kind by name", created)
		}
		// The draft is named but not linked: its page would not open for
		// the auditor.
		draftRow := rows.FilterFunction(func(_ int, r *goquery.Selection) bool {
			return strings.Contains(r.Find("td.object").Text(), "一项仍是草稿的成果")
		})
		if draftRow.Length() != 1 || draftRow.Find("td.object a").Length() != 0 {
			t.Errorf("draft rows = %d with %d links, want 1 unlinked", draftRow.Length(), draftRow.Find("td.object a").Length())
		}
		// The action filter is a dropdown of catalogued actions.
		opt := doc.Find(`select[name="action"] option[value="listing.approve"]`)
		if opt.Text() != "审核通过并发布" {
			t.Errorf("action option = %q, want its name", opt.Text())
		}
		filtered := aud.get("/audit?action=listing.approve").doc(t)
		if n := filtered.Find("#audit > tbody > tr").Length(); n != 1 {
			t.Errorf("rows for listing.approve = %d, want 1", n)
		}
		if sel, _ := filtered.Find(`select[name="action"] option[selected]`).Attr("value"); sel != "listing.approve" {
			t.Errorf("selected action = %q", sel)
		}
		paged := aud.get("/audit?action=listing.&per_page=1").doc(t)
		if paged.Find("#audit > tbody > tr").Length() != 1 || paged.Find(".pager").Length() != 1 {
			t.Errorf("paging lost: %d rows, %d pagers", paged.Find("#audit > tbody > tr").Length(), paged.Find(".pager").Length())
		}

		// The export holds the filtered rows, formula-safe.
		href, _ := paged.Find("#audit-export").Attr("href")
		if u, err := url.Parse(href); err != nil || u.Query().Get("action") != "listing." || u.Query().Has("page") {
			t.Errorf("export link = %q, want the filters without the page", href)
		}
		xl := aud.get(href)
		if xl.status != http.StatusOK || !strings.Contains(xl.header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("export = %d %v", xl.status, xl.header)
		}
		rd, err := sheet.Open(bytes.NewReader([]byte(xl.body)), int64(len(xl.body)), "audit.xlsx", sheet.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		if h := strings.Join(rd.Header(), ","); !strings.HasPrefix(h, "时间,操作人,角色,操作,对象类型,对象") {
			t.Errorf("export header = %q", h)
		}
		var exported [][]string
		for {
			row, _, err := rd.Next()
			if err != nil {
				break
			}
			exported = append(exported, row)
		}
		found := false
		for _, row := range exported {
			if row[3] == "审核通过并发布" {
				found = true
				if row[5] != "'"+title {
					t.Errorf("exported object = %q, want the title escaped against formulas", row[5])
				}
				if !strings.Contains(row[7], "状态：待审核 → 已发布") {
					t.Errorf("exported changes = %q", row[7])
				}
			}
			if code.MatchString(row[3]) {
				t.Errorf("exported action %q is a code", row[3])
			}
		}
		if !found || len(exported) != 4 { // create ×2, submit, approve
			t.Errorf("exported %d rows (approve found %v), want the 4 listing rows", len(exported), found)
		}
		var list struct{ Total int }
		aud.get("/api/v1/audit?action=audit.export").json(t, &list)
		if list.Total != 1 {
			t.Errorf("audit.export rows = %d, want the export recorded", list.Total)
		}
	})
}

// TestAuditVerificationAndSecurityEvents: the auditor verifies the chain
// from the page and sees the outcome; refused requests (403, CSRF) are
// counted as security events the auditor reads; nobody else reads either.
func TestAuditVerificationAndSecurityEvents(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("admin1", account.RoleAdmin, "")
		e.createUser("aud", account.RoleAuditor, "")
		e.createUser("ent", account.RoleEnterprise, "320583")
		adm, aud, ent := e.client(), e.client(), e.client()
		adm.mustLoginAPI("admin1")
		ent.mustLoginAPI("ent")

		// Refused: the administrator reads the audit log; the enterprise
		// creates an account, three times; a form without its token.
		for _, p := range []string{"/api/v1/audit", "/api/v1/security-events", "/api/v1/audit/verification"} {
			if res := adm.get(p); res.status != http.StatusForbidden {
				t.Errorf("admin GET %s = %d, want 403", p, res.status)
			}
		}
		for i := 0; i < 3; i++ {
			res := ent.api(http.MethodPost, "/api/v1/users", map[string]string{"username": "x" + strconv.Itoa(i), "role": "admin", "password": testPassword})
			if res.status != http.StatusForbidden {
				t.Fatalf("enterprise creating a user = %d, want 403", res.status)
			}
		}
		if res := ent.postForm("/account/password", url.Values{"current_password": {testPassword}}); res.status != http.StatusForbidden {
			t.Fatalf("form without token = %d, want 403", res.status)
		}

		if res := aud.loginForm("aud", testPassword); res.status != http.StatusSeeOther {
			t.Fatalf("auditor login = %d", res.status)
		}
		page := aud.get("/audit").doc(t)
		if got := page.Find("#verify-result").Text(); !strings.Contains(got, "尚未校验") {
			t.Errorf("verification before any = %q", got)
		}
		tok, _ := page.Find(`form[action="/audit/verify"] input[name="csrf_token"]`).Attr("value")
		res := aud.postForm("/audit/verify", url.Values{"csrf_token": {tok}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/audit?verified=1" {
			t.Fatalf("verify = %d %q", res.status, res.header.Get("Location"))
		}
		v := aud.get("/audit?verified=1").doc(t).Find("#verification")
		if !strings.Contains(v.Find("#verify-result").Text(), "校验通过") || !regexp.MustCompile(`共 \d+ 条记录`).MatchString(v.Text()) {
			t.Errorf("verification panel = %q, want passed with a row count", v.Text())
		}
		var last audit.Verification
		aud.get("/api/v1/audit/verification").json(t, &last)
		if !last.OK || last.Rows < 3 || last.By != "aud" {
			t.Errorf("API last verification = %+v", last)
		}

		sec := aud.get("/audit/security").doc(t)
		counts := map[string]int{}
		sec.Find("#security-events tbody tr").Each(func(_ int, r *goquery.Selection) {
			n, _ := strconv.Atoi(r.Find("td.count").Text())
			actor := strings.TrimSpace(r.Find("td").Eq(2).Contents().First().Text())
			counts[strings.TrimSpace(r.Find("td.kind").Text())+"/"+actor] += n
		})
		for k, want := range map[string]int{"越权访问被拒绝/admin1": 3, "越权访问被拒绝/ent": 3, "防跨站令牌校验失败/ent": 1} {
			if counts[k] != want {
				t.Errorf("security events %s = %d, want %d (all: %v)", k, counts[k], want, counts)
			}
		}
		var events struct {
			Total int
			Items []audit.SecurityEvent
		}
		aud.get("/api/v1/security-events?kind=csrf").json(t, &events)
		if events.Total != 1 || events.Items[0].ClientAddr != "127.0.0.1" || events.Items[0].Detail != "POST /account/password" {
			t.Errorf("API csrf events = %+v", events)
		}
		if res := ent.get("/audit/security"); res.status != http.StatusForbidden {
			t.Errorf("enterprise reading security events = %d, want 403", res.status)
		}
		if res := ent.get("/audit/export.xlsx"); res.status != http.StatusForbidden {
			t.Errorf("enterprise exporting the audit log = %d, want 403", res.status)
		}
	})
}

// TestEveryActionHasAName: every action the code records is registered and
// named in both catalogs, so the auditor never reads a code such as
// "match.declined". Registered actions are checked against the catalogs;
// the source is parsed for audit.Event literals whose Action is a string
// constant (or a variable given only string constants), which must be
// registered — Record refuses unregistered ones at run time too.
func TestEveryActionHasAName(t *testing.T) {
	t.Parallel()
	actions := audit.Actions()
	if len(actions) < 40 {
		t.Fatalf("only %d registered actions; are the modules' registrations linked in?", len(actions))
	}
	for _, a := range actions {
		// The catalogs' own test keeps zh-CN and en with the same keys.
		if !i18n.Has("audit.action." + a) {
			t.Errorf("action %s has no name (audit.action.%s)", a, a)
		}
		prefix, _, _ := strings.Cut(a, ".")
		if !i18n.Has("audit.group." + prefix) {
			t.Errorf("action group %s has no name (audit.group.%s)", prefix, prefix)
		}
	}
	found := 0
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			fn, ok := n.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				return true
			}
			for _, lit := range recordedActions(fn) {
				found++
				if !audit.Registered(lit) {
					t.Errorf("%s: action %q is recorded but not registered (audit.RegisterActions)", fset.Position(fn.Pos()), lit)
				}
			}
			return false
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 30 {
		t.Errorf("found only %d literal actions in audit.Event literals; the parser no longer matches the code", found)
	}
}

// recordedActions returns the string constants fn gives the Action field of
// audit.Event literals, directly or through a local variable.
func recordedActions(fn *ast.FuncDecl) []string {
	assigned := map[string][]string{} // variable → string constants assigned to it
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			for i, lhs := range as.Lhs {
				id, ok := lhs.(*ast.Ident)
				if !ok || i >= len(as.Rhs) {
					continue
				}
				if s, ok := stringLit(as.Rhs[i]); ok {
					assigned[id.Name] = append(assigned[id.Name], s)
				}
			}
		}
		return true
	})
	var out []string
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		cl, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		sel, ok := cl.Type.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Event" {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "audit" {
			return true
		}
		for _, el := range cl.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			if k, ok := kv.Key.(*ast.Ident); !ok || k.Name != "Action" {
				continue
			}
			if s, ok := stringLit(kv.Value); ok {
				out = append(out, s)
			} else if id, ok := kv.Value.(*ast.Ident); ok {
				out = append(out, assigned[id.Name]...)
			}
		}
		return true
	})
	return out
}

func stringLit(e ast.Expr) (string, bool) {
	bl, ok := e.(*ast.BasicLit)
	if !ok || bl.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(bl.Value)
	return s, err == nil
}
