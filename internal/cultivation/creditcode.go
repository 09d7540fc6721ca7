package cultivation

import (
	"fmt"
	"unicode/utf8"
)

// creditCodeChars is the GB 32100-2015 code set: digits and capital letters
// without I, O, S, V and Z. A character's value is its index.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidateCreditCode checks a 统一社会信用代码 (GB 32100-2015): 18 characters
// from the code set, digits in positions 3–8 (登记管理机关行政区划码) and the
// check character in position 18 (modulus 31 with the standard's weights).
// The error, in Chinese, names the first wrong position.
func ValidateCreditCode(code string) error {
	if n := utf8.RuneCountInString(code); n != 18 {
		return fmt.Errorf("统一社会信用代码应为18位，实为%d位", n)
	}
	sum, i := 0, 0
	for _, r := range code {
		v := -1
		if r < 128 {
			v = indexByte(creditCodeChars, byte(r))
		}
		if v < 0 {
			if r >= 'a' && r <= 'z' {
				return fmt.Errorf("第%d位字符%q应为大写", i+1, r)
			}
			return fmt.Errorf("第%d位字符%q不在代码字符集内（0-9 及除 I、O、S、V、Z 外的大写字母）", i+1, r)
		}
		if i >= 2 && i <= 7 && v > 9 {
			return fmt.Errorf("第%d位应为数字（登记管理机关行政区划码），实为%q", i+1, r)
		}
		if i < 17 {
			sum += v * creditCodeWeights[i]
		}
		i++
	}
	want := creditCodeChars[(31-sum%31)%31]
	if code[17] != want {
		return fmt.Errorf("第18位校验码应为%c，实为%c", want, code[17])
	}
	return nil
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
