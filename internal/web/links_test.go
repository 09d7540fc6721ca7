package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestNoLinkLeadsToForbidden is issue #10's "no page offers a link its
// viewer cannot open": on the demo installation, anonymously and as every
// demo account, it follows every <a href> and every GET form (submitted
// with its defaults) on every page it reaches, two levels deep from the
// home page, downloads included, and fails on any 403 or 5xx.
func TestNoLinkLeadsToForbidden(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		sum, err := e.app.LoadDemo(context.Background(), testPassword)
		if err != nil {
			t.Fatal(err)
		}
		users := []string{""}
		for _, a := range sum.Accounts {
			users = append(users, a.Username)
		}
		for _, u := range users {
			c := e.client()
			name := "anonymous"
			if u != "" {
				c.mustLoginAPI(u)
				name = u
			}
			bad, pages := crawl(t, c, 2)
			for _, b := range bad {
				t.Errorf("%s: %s", name, b)
			}
			if pages < 5 {
				t.Errorf("%s: reached only %d pages; the crawler is broken", name, pages)
			}
		}
	})
}

// TestCrawlerFindsForbiddenLinks guards the crawler: it reads links and
// GET forms as a browser would, and reports a 403 behind a redirect.
func TestCrawlerFindsForbiddenLinks(t *testing.T) {
	t.Parallel()
	page := response{status: http.StatusOK, body: `<a href="/x?a=1#top">x</a> <a href="https://elsewhere.example/">e</a> <a href="#here">h</a>
		<form method="get" action="/s"><input name="q" value="z"><input type="checkbox" name="c"><input type="checkbox" name="d" value="1" checked>
		<select name="k"><option value="a">A</option><option value="b" selected>B</option></select><button type="submit">go</button></form>
		<form action=""><select name="y"><option value="2026">2026</option></select></form>
		<form method="post" action="/p"><input name="csrf_token" value="t"></form>`}
	got := pageTargets(t, "/here?page=2", page)
	want := []string{"/x?a=1", "/s?d=1&k=b&q=z", "/here?y=2026"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("pageTargets() = %q, want %q", got, want)
	}

	e := newEnv(t, dbtestOpenSQLite(t))
	e.createUser("investor1", "investor", "320506")
	c := e.client()
	c.mustLoginAPI("investor1")
	// A signed-in visitor of the login page goes on to next=, here a page an
	// investor may not open.
	start := "/login?next=" + url.QueryEscape("/cultivation/pool")
	if bad := crawlFrom(t, c, start, 0); len(bad) != 1 || !strings.HasPrefix(bad[0], "403 "+start) {
		t.Errorf("crawl from %s = %q, want its 403", start, bad)
	}
}

// digits turns a path into its pattern, so that the crawler follows only a
// few links of each kind (two listings, not all of them).
var digits = regexp.MustCompile(`[0-9]+`)

// crawl follows links from "/" depth levels deep and returns the failing
// ones and how many pages it fetched.
func crawl(t *testing.T, c *client, depth int) (bad []string, pages int) {
	t.Helper()
	return crawlCount(t, c, "/", depth)
}

// crawlFrom is crawl from start, returning the failing links only.
func crawlFrom(t *testing.T, c *client, start string, depth int) []string {
	t.Helper()
	b, _ := crawlCount(t, c, start, depth)
	return b
}

func crawlCount(t *testing.T, c *client, start string, depth int) (bad []string, pages int) {
	t.Helper()
	type link struct{ url, from string }
	seen := map[string]bool{start: true}
	frontier := []link{{start, "start"}}
	for level := 0; level <= depth && len(frontier) > 0; level++ {
		var next []link
		for _, l := range frontier {
			res, final := c.follow(l.url)
			pages++
			if res.status == http.StatusForbidden || res.status >= 500 {
				bad = append(bad, fmt.Sprintf("%d %s (from %s)", res.status, l.url, l.from))
				continue
			}
			if level == depth || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
				continue
			}
			perPattern := map[string]int{}
			for _, target := range pageTargets(t, final, res) {
				if seen[target] || skipLink(target) {
					continue
				}
				pattern := digits.ReplaceAllString(strings.SplitN(target, "?", 2)[0], "9")
				if perPattern[pattern] >= 2 {
					continue
				}
				perPattern[pattern]++
				seen[target] = true
				next = append(next, link{target, final})
			}
		}
		frontier = next
	}
	sort.Strings(bad)
	return bad, pages
}

// follow GETs path and the redirects it answers with (same site only), and
// returns the last response and its path.
func (c *client) follow(path string) (response, string) {
	c.t.Helper()
	for i := 0; ; i++ {
		res := c.get(path)
		loc := res.header.Get("Location")
		if res.status < 300 || res.status >= 400 || loc == "" || i == 5 {
			return res, path
		}
		u, err := url.Parse(loc)
		from, ferr := url.Parse(path)
		if err != nil || ferr != nil || u.Host != "" {
			return res, path
		}
		path = from.ResolveReference(u).RequestURI()
	}
}

// skipLink leaves out what is not a page to open: logging out, switching
// the language (it only sets a cookie and goes back) and static assets.
func skipLink(target string) bool {
	return target == "/logout" || strings.HasPrefix(target, "/lang/") || strings.HasPrefix(target, "/static/")
}

// pageTargets lists the same-site link and GET form targets of a page at
// path, as local request URIs without fragments.
func pageTargets(t *testing.T, path string, res response) []string {
	t.Helper()
	doc := res.doc(t)
	base := mustURL(t, path)
	var out []string
	add := func(ref string) {
		u, err := url.Parse(strings.TrimSpace(ref))
		if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(ref, "#") {
			return
		}
		abs := base.ResolveReference(u)
		abs.Fragment = ""
		out = append(out, abs.RequestURI())
	}
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		add(href)
	})
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		if m, _ := f.Attr("method"); m != "" && !strings.EqualFold(m, "get") {
			return
		}
		action, _ := f.Attr("action")
		add(action + "?" + formDefaults(f).Encode())
	})
	return out
}

// formDefaults is what a GET form submits untouched: its inputs' values,
// checked boxes and the selected (or first) option of each select.
func formDefaults(f *goquery.Selection) url.Values {
	v := url.Values{}
	f.Find("input[name]").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		typ, _ := in.Attr("type")
		val, _ := in.Attr("value")
		switch typ {
		case "checkbox", "radio":
			if _, on := in.Attr("checked"); !on {
				return
			}
			if val == "" {
				val = "on"
			}
		case "submit", "button", "file":
			return
		}
		v.Add(name, val)
	})
	f.Find("select[name]").Each(func(_ int, sel *goquery.Selection) {
		name, _ := sel.Attr("name")
		opt := sel.Find("option[selected]").First()
		if opt.Length() == 0 {
			opt = sel.Find("option").First()
		}
		if opt.Length() == 0 {
			return
		}
		val, ok := opt.Attr("value")
		if !ok {
			val = strings.TrimSpace(opt.Text())
		}
		v.Add(name, val)
	})
	return v
}
