package i18n

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff(Keys(Chinese), Keys(English)); diff != "" {
		t.Errorf("catalog keys differ (-zh-CN +en):\n%s", diff)
	}
}

func TestT(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lang, key string
		args            []any
		want            string
	}{
		{name: "chinese", lang: Chinese, key: "nav.market", want: "科技大市场"},
		{name: "english", lang: English, key: "nav.market", want: "Technology market"},
		{name: "args", lang: Chinese, key: "account.locked", args: []any{15}, want: "登录失败次数过多，账户已锁定，请 15 分钟后再试"},
		{name: "key argument in chinese", lang: Chinese, key: "sanction.bar.year", args: []any{Key("ruleset.tech-sme"), "2026-03-01", "抽查不合格", "2026"},
			want: "该企业的科技型中小企业资格已于 2026-03-01 撤销（抽查不合格），2026 年度不得再次申报"},
		{name: "key argument in english", lang: English, key: "sanction.bar.year", args: []any{Key("ruleset.tech-sme"), "2026-03-01", "failed check", "2026"},
			want: "The firm's Tech-based SME title was revoked on 2026-03-01 (failed check): it may not apply again in 2026"},
		{name: "pair argument in chinese", lang: Chinese, key: "sanction.findings_incomplete", args: []any{Pair{Chinese: "职工总数", English: "Total staff"}},
			want: "核查完毕前每项条件都须有结果，缺：职工总数"},
		{name: "pair argument in english", lang: English, key: "sanction.findings_incomplete", args: []any{Pair{Chinese: "职工总数", English: "Total staff"}},
			want: "Every condition needs a result before finishing; missing: Total staff"},
		{name: "pair without english", lang: English, key: "sanction.findings_incomplete", args: []any{Pair{Chinese: "职工总数"}},
			want: "Every condition needs a result before finishing; missing: 职工总数"},
		{name: "unknown key is shown", lang: English, key: "no.such.key", want: "no.such.key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
				t.Errorf("T(%q, %q) = %q, want %q", tt.lang, tt.key, got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": Chinese, "en": English, "en-US,en;q=0.9": English, "zh-CN": Chinese, "fr": Chinese} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
