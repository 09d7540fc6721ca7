package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"kechuang/internal/account"
	"kechuang/internal/directory"
)

// mapWorld adds an institution with a platform in 虎丘区 and a public and a
// staff-only carrier in 昆山市.
func mapWorld(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	u := e.createUser("city", account.RoleStaff, "320500")
	staff := account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Region: u.RegionCode}
	inst, err := e.app.Directory.CreateInstitution(ctx, staff, directory.InstitutionInput{Name: "虎丘大学", Type: "university", RegionCode: "320505"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Directory.CreatePlatform(ctx, staff, inst.ID, directory.PlatformInput{Name: "虎丘实验室", Kind: "key-lab", Level: "national"}); err != nil {
		t.Fatal(err)
	}
	for _, vis := range []directory.Visibility{directory.VisiblePublic, directory.VisibleStaff} {
		if _, err := e.app.Directory.CreateCarrier(ctx, staff, directory.CarrierInput{Name: "昆山孵化器" + string(vis), Kind: "incubator",
			Capacity: directory.Space{Area: 100}, RegionCode: "320583", Visibility: vis}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDirectoryCountyMap: the directory home counts institutions,
// platforms and carriers per county of the home city, as the viewer may see
// them, in the table and in the map's option, whose counties link to the
// filtered search.
func TestDirectoryCountyMap(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		mapWorld(t, e)
		staff := e.client()
		staff.mustLoginAPI("city")
		for _, tt := range []struct {
			name    string
			c       *client
			carrier string
		}{{"anonymous", e.client(), "1"}, {"staff", staff, "2"}} {
			doc := tt.c.get("/directory").doc(t)
			row := doc.Find(`#county-table tr[data-region="320505"] td`)
			if got := strings.Join(row.Map(func(_ int, s *goquery.Selection) string { return s.Text() }), ","); got != "1,1,0" {
				t.Errorf("%s: 虎丘区 row = %q, want 1,1,0", tt.name, got)
			}
			if got := doc.Find(`#county-table tr[data-region="320583"] td`).Last().Text(); got != tt.carrier {
				t.Errorf("%s: 昆山市 carriers = %q, want %s", tt.name, got, tt.carrier)
			}
			if doc.Find(`#county-table tr[data-region="320576"]`).Length() != 1 {
				t.Errorf("%s: the table lacks 苏州工业园区, which the map has no outline for", tt.name)
			}
			chart := doc.Find("#county-chart")
			src, _ := chart.Attr("data-map-src")
			if !strings.Contains(src, "/static/vendor/maps/320500") {
				t.Fatalf("%s: map source = %q", tt.name, src)
			}
			var opt struct {
				Series []struct {
					Data []struct {
						Name  string `json:"name"`
						Value int    `json:"value"`
						Link  string `json:"link"`
					} `json:"data"`
				} `json:"series"`
			}
			raw, _ := chart.Attr("data-map-option")
			if err := json.Unmarshal([]byte(raw), &opt); err != nil || len(opt.Series) != 1 {
				t.Fatalf("%s: map option %q: %v", tt.name, raw, err)
			}
			for _, d := range opt.Series[0].Data {
				if d.Name == "虎丘区" && (d.Value != 2 || d.Link != "/directory/search?region=320505") {
					t.Errorf("%s: 虎丘区 on the map = %+v", tt.name, d)
				}
			}
			if res := tt.c.get(src); res.status != 200 || !strings.Contains(res.body, "虎丘区") {
				t.Errorf("%s: outlines = %d", tt.name, res.status)
			}
		}
	})
}

// TestDirectoryMapBrowser: the browser draws the county map (an SVG with
// the counties' names) from the vendored outlines.
func TestDirectoryMapBrowser(t *testing.T) {
	e := newEnv(t, dbtestOpenSQLite(t))
	mapWorld(t, e)
	ctx := projectBrowser(t)
	var text string
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/directory"),
		chromedp.WaitVisible(sel(`#county-chart[data-drawn="true"] svg path`)),
		keep(&text, chromedp.Text(sel(`#county-chart`))),
	); err != nil {
		t.Fatal(err)
	}
	for _, county := range []string{"虎丘区", "昆山市"} {
		if !strings.Contains(text, county) {
			t.Errorf("the map's labels = %q, want %s", text, county)
		}
	}
}
