package web_test

import (
	"context"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/market"
)

// TestMarketEnglishLabels guards #11: English pages showed contract types
// and budget bands in Chinese and amounts as "615 × 10k yuan".
func TestMarketEnglishLabels(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ks := e.createUser("ks", account.RoleCounty, "320583")
		if _, err := e.market.RegisterContract(context.Background(), actorOf(ks), market.Contract{Type: "transfer", Subtype: "专利权转让",
			Title: "一种滤波器专利转让", Seller: "苏州示例大学", Buyer: "昆山示例公司", Amount: 615, TechAmount: 600,
			SignedOn: e.clock.Now().Format("2006-01-02"), RegionCode: "320583"}); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.loginForm("ks", testPassword)
		zh := text(c.get("/market/contracts").doc(t).Find("#contracts tbody, table tbody").First().Text())
		if !strings.Contains(zh, "615万元") || !strings.Contains(zh, "技术转让") {
			t.Errorf("Chinese contract row = %q, want 615万元 and 技术转让", zh)
		}
		c.get("/lang/en?next=/")
		d := c.get("/market/contracts").doc(t)
		row := text(d.Find("table tbody").First().Text())
		if !strings.Contains(row, "¥6.15M") || !strings.Contains(row, "Technology transfer") || strings.Contains(row, "技术转让") {
			t.Errorf("English contract row = %q, want ¥6.15M and Technology transfer", row)
		}
		bands := text(c.get("/market").doc(t).Find(`select[name="band"]`).Text())
		if strings.Contains(bands, "万元") || !strings.Contains(bands, "¥1M–¥5M") {
			t.Errorf("English band choices = %q", bands)
		}
	})
}
