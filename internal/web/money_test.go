package web

import (
	"testing"

	"kechuang/internal/i18n"
	"kechuang/internal/market"
)

// TestFormatMoney guards #11: English pages wrote amounts as
// "615 × 10k yuan"; Chinese keeps 万元.
func TestFormatMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lang string
		yuan       float64
		want       string
	}{
		{"615万 in English", i18n.English, 6_150_000, "¥6.15M"},
		{"615万 in Chinese", i18n.Chinese, 6_150_000, "615万元"},
		{"12万", i18n.English, 120_000, "¥120K"},
		{"1.5亿", i18n.English, 150_000_000, "¥150M"},
		{"20亿", i18n.English, 2_000_000_000, "¥2B"},
		{"800元", i18n.English, 800, "¥800"},
		{"loss", i18n.English, -2_500_000, "-¥2.5M"},
		{"0.35万", i18n.Chinese, 3_500, "0.35万元"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatMoney(tt.lang, tt.yuan); got != tt.want {
				t.Errorf("formatMoney(%s, %v) = %q, want %q", tt.lang, tt.yuan, got, tt.want)
			}
		})
	}
}

// TestBandLabel guards #11: English pages showed budget bands in Chinese.
func TestBandLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		band market.Band
		want string
	}{
		{market.Band{Code: "lt10", Name: "10万元以下", Max: 10}, "under ¥100K"},
		{market.Band{Code: "100-500", Name: "100–500万元", Min: 100, Max: 500}, "¥1M–¥5M"},
		{market.Band{Code: "gte1000", Name: "1000万元以上", Min: 1000}, "¥10M and above"},
		{market.Band{Code: market.Negotiable, Name: "面议"}, "Negotiable"},
	}
	for _, tt := range tests {
		if got := bandLabel(i18n.English, tt.band); got != tt.want {
			t.Errorf("bandLabel(en, %s) = %q, want %q", tt.band.Code, got, tt.want)
		}
		if got := bandLabel(i18n.Chinese, tt.band); got != tt.band.Name {
			t.Errorf("bandLabel(zh, %s) = %q, want %q", tt.band.Code, got, tt.band.Name)
		}
	}
}
