package i18n

import (
	"math"
	"strconv"
)

// AppendYuanEN appends an amount in 元 the way an English reader counts
// money: a currency sign and a thousand, million or billion suffix
// ("¥6.15M", "¥120K", "¥800"). Rounded, it keeps two decimals of M and B,
// one of K and none below, as pages show amounts; exact keeps every 元
// ("¥199.999999M"), for a figure that must not print as the threshold it
// missed. The web pages and the rule engine's English sentences share it.
func AppendYuanEN(b []byte, yuan float64, exact bool) []byte {
	if yuan < 0 {
		b = append(b, '-')
		yuan = -yuan
	}
	b = append(b, "¥"...)
	var scale float64
	var suffix string
	prec := 0
	switch {
	case yuan >= 1e9:
		scale, suffix, prec = 1e9, "B", 2
	case yuan >= 1e6:
		scale, suffix, prec = 1e6, "M", 2
	case yuan >= 1e3:
		scale, suffix, prec = 1e3, "K", 1
	default:
		scale = 1
	}
	if exact {
		// Down to the 元, and to the fen below a thousand.
		prec = int(math.Round(math.Log10(scale)))
		if scale == 1 {
			prec = 2
		}
	}
	p := math.Pow(10, float64(prec))
	b = strconv.AppendFloat(b, math.Round(yuan/scale*p)/p, 'f', -1, 64)
	return append(b, suffix...)
}
