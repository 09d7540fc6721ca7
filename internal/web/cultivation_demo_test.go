package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// TestCultivationDemoIsConsistent checks #11's defects where they were
// seen, on the demo: every profile's info block and side panel give the
// same tier, no certificate past its validity is shown as held, and the
// pool counts the certified firms.
func TestCultivationDemoIsConsistent(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		if _, err := e.app.LoadDemo(context.Background(), testPassword); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.mustLoginAPI("staff")
		counts := map[string]int{}
		pool := c.get("/cultivation/pool").doc(t)
		for i := range pool.Find("#pool-counts tbody tr").Nodes {
			row := pool.Find("#pool-counts tbody tr").Eq(i)
			n, _ := strconv.Atoi(text(row.Find("td.num").Text()))
			counts[text(row.Find("td").First().Text())] = n
		}
		t.Logf("demo pool counts: %v", counts)
		if counts["科技型中小企业"] == 0 || counts["高新技术企业"] == 0 {
			t.Errorf("demo pool counts = %v, want the certified firms counted", counts)
		}
		list := c.get("/cultivation?per_page=200").doc(t)
		checked := 0
		for i := range list.Find("#enterprises tbody tr td a").Nodes {
			href, _ := list.Find("#enterprises tbody tr td a").Eq(i).Attr("href")
			if !strings.HasPrefix(href, "/cultivation/enterprises/") || checked >= 20 {
				continue
			}
			checked++
			d := c.get(href).doc(t)
			standing, current := text(d.Find("#standing").Text()), text(d.Find("#current-tier").Text())
			if !strings.HasPrefix(standing, current) {
				t.Errorf("%s: info block %q, side panel %q", href, standing, current)
			}
			for j := range d.Find("#certificates li.cert-invalid").Nodes {
				if li := text(d.Find("#certificates li.cert-invalid").Eq(j).Text()); !strings.Contains(li, "已过期") && !strings.Contains(li, "尚未生效") && !strings.Contains(li, "已撤销") {
					t.Errorf("%s: lapsed certificate %q not marked", href, li)
				}
			}
		}
		if checked == 0 {
			t.Fatal("no demo profile checked")
		}
	})
}
