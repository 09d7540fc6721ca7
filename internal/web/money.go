package web

import (
	"math"
	"strconv"

	"kechuang/internal/i18n"
)

// formatMoney writes an amount in 元 the way a reader of lang counts money:
// Chinese in 万元 ("615万元", two decimals at most), English with a
// currency sign and a thousand, million or billion suffix ("¥6.15M",
// "¥120K", "¥800"). Every page that shows an amount uses it, so that no
// page writes "615 × 10k yuan".
func formatMoney(lang string, yuan float64) string {
	if lang != i18n.English {
		return trimFloat(yuan/1e4, 2) + "万元"
	}
	return string(i18n.AppendYuanEN(nil, yuan, false))
}

// formatWan is formatMoney for an amount given in 万元.
func formatWan(lang string, wan float64) string { return formatMoney(lang, wan*1e4) }

// trimFloat rounds v to prec decimals and drops trailing zeros.
func trimFloat(v float64, prec int) string {
	p := math.Pow(10, float64(prec))
	return strconv.FormatFloat(math.Round(v*p)/p, 'f', -1, 64)
}
