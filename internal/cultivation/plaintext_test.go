package cultivation

import (
	"regexp"
	"testing"
)

// TestPlainText is the regression test for #11: the rules page showed
// field names such as certificates[].expires in text meant for users.
func TestPlainText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"荣誉有效期按3年计未见原文，可在 certificates[].expires 中给出", "荣誉有效期按3年计未见原文，可在 证书载明的有效期 中给出"},
		{"复核请指定 version=2022。", "复核请指定 2022年版本。"},
		{"近三个会计年度为 data_year 及其前两年", "近三个会计年度为 数据年度 及其前两年"},
		{"Ⅱ类知识产权在高企申请中仅限使用一次；ip.class2 请只填未使用过的数量。", "Ⅱ类知识产权在高企申请中仅限使用一次；Ⅱ类知识产权数 请只填未使用过的数量。"},
		{"GB/T 4754-2017 行业代码，K70", "GB/T 4754-2017 行业代码，K70"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// No note, threshold or source text of a shipped rule set keeps a
	// lower-case identifier after PlainText.
	code := regexp.MustCompile(`[a-z]+[._\[=][a-z0-9_\]]+|\b[a-z]{3,}\b`)
	host := regexp.MustCompile(`[a-z0-9.]+\.(?:gov\.cn|com|org|cn)\b`) // a source's address stays
	for _, rs := range shippedBook(t).List() {
		for _, list := range [][]string{rs.Notes, rs.Unconfirmed, rs.Secondary} {
			for _, s := range list {
				if m := code.FindString(host.ReplaceAllString(PlainText(s), "")); m != "" {
					t.Errorf("%s %s: %q keeps %q", rs.ID, rs.Version, PlainText(s), m)
				}
			}
		}
	}
}
