package web

import (
	"testing"

	"kechuang/internal/i18n"
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
