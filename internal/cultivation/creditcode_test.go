package cultivation

import (
	"testing"
)

func TestValidateCreditCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		code string
		want string // error text; "" for valid
	}{
		// Check characters by hand: for 91110000802100433?, Σ cᵢwᵢ =
		// 9·1 + 1·3 + 1·9 + 1·27 + 8·20 + 2·25 + 1·13 + 4·10 + 3·30 + 3·28
		// = 485 ≡ 20 (mod 31); 31 − 20 = 11 → "B".
		{name: "valid, letter check character", code: "91110000802100433B"},
		{name: "valid, digit check character", code: "914403001922038216"},
		{name: "valid, Q", code: "91110108551385082Q"},
		{name: "valid, letters in the body", code: "91330100MA27XE7L6F"},
		{name: "wrong check character", code: "91330100MA27XE7L6N", want: "第18位校验码应为F，实为N"},
		{name: "wrong check digit", code: "914403001922038217", want: "第18位校验码应为6，实为7"},
		{name: "too short", code: "9144030019220382", want: "统一社会信用代码应为18位，实为16位"},
		{name: "too long", code: "9144030019220382160", want: "统一社会信用代码应为18位，实为19位"},
		{name: "letter I not in the code set", code: "91440300192203821I", want: `第18位字符'I'不在代码字符集内（0-9 及除 I、O、S、V、Z 外的大写字母）`},
		{name: "O in the body", code: "9144030019220O8216", want: `第14位字符'O'不在代码字符集内（0-9 及除 I、O、S、V、Z 外的大写字母）`},
		{name: "lower case", code: "91110000802100433b", want: `第18位字符'b'应为大写`},
		{name: "letter in the region code", code: "9144A3001922038216", want: `第5位应为数字（登记管理机关行政区划码），实为'A'`},
		{name: "chinese character", code: "九1110000802100433B", want: `第1位字符'九'不在代码字符集内（0-9 及除 I、O、S、V、Z 外的大写字母）`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateCreditCode(tt.code)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("ValidateCreditCode(%q) = %q, want %q", tt.code, got, tt.want)
			}
		})
	}
}
