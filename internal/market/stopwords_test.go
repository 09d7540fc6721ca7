package market_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/search/analysis"
	"kechuang/internal/sqldb"
)

// Issue #19's demand, as a new user typed it: its text is full of
// function words and generic verbs (出现, 低于, 包括, 成本, 只能, 以上).
const (
	bladeDemandTitle = "高温合金涡轮叶片激光增材修复工艺开发"
	bladeDemandText  = "我公司生产的高温合金涡轮叶片在服役后出现前缘磨损和裂纹，单件成本高，只能报废。" +
		"希望开发激光增材修复工艺，包括修复路径规划和热处理，使修复后叶片性能达到新件的90%以上，修复成本低于新件的30%。"
)

// functionWords are words that must never explain a match or be proposed
// as a keyword: those the issue saw, and more of the same sort.
var functionWords = []string{"出现", "低于", "包括", "成本", "只能", "以上", "公司", "大于", "小于", "达到", "希望", "需要",
	"进行", "我们", "具有", "可以", "以及", "由于", "因此", "目前", "通过", "能够", "其中", "已经", "如果", "并且"}

func TestStopWordsNeverExplainOrSuggest(t *testing.T) {
	t.Parallel()
	for _, w := range functionWords {
		if !analysis.IsStop(w) {
			t.Errorf("IsStop(%q) = false: a function word is missing from the stop list", w)
		}
	}
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newMatchFixture(t, db)
		buyer := f.actor("aeroparts", account.RoleEnterprise, "320583")
		uni := f.actor("lab", account.RoleInstitution, "320505")
		in := demand(bladeDemandTitle)
		in.Summary, in.Expected = bladeDemandText, "修复后叶片高温持久性能达到新件的90%以上。"
		in.Domain, in.Industry, in.Keywords = "先进制造与自动化/先进制造工艺与装备", "C34", []string{"激光增材", "涡轮叶片"}
		d := f.publish(buyer, f.staff, market.Demand, in)

		// One achievement on the field, one that shares only the
		// function words, generic verbs and figures of the demand's text.
		on := achievement("镍基高温合金涡轮叶片激光熔覆增材修复技术")
		on.Summary = "采用同轴送粉激光增材修复镍基高温合金涡轮叶片前缘和叶尖磨损，修复区无裂纹，成本低于新件的三成，" +
			"包括路径规划与热处理工艺，性能达到新件90%以上。"
		on.Keywords, on.Domain, on.Industry = []string{"激光熔覆", "涡轮叶片"}, "先进制造与自动化/先进制造工艺与装备", "C34"
		onL := f.publish(uni, f.staff, market.Achievement, on)
		off := achievement("社区养老服务信息平台")
		off.Summary = "平台出现故障时只能人工处理的问题得到解决，包括预约、签到和结算，运营成本低于同类产品，满意度达到90%以上。"
		off.Keywords, off.Domain, off.Industry = []string{"养老服务", "信息平台"}, "电子信息/软件", "I65"
		f.publish(uni, f.staff, market.Achievement, off)

		page := f.matches(buyer, d.ID)
		found := false
		for _, m := range page.Matches {
			found = found || m.ID == onL.ID
			t.Logf("match %q: shared terms %v", m.Title, m.SharedTerms)
			for _, term := range m.SharedTerms {
				if analysis.IsStop(term) || slices.Contains(functionWords, term) {
					t.Errorf("match %q: shared term %q is a stop word (%v)", m.Title, term, m.SharedTerms)
				}
				if strings.Trim(term, "0123456789.%") == "" {
					t.Errorf("match %q: shared term %q is a bare figure (%v)", m.Title, term, m.SharedTerms)
				}
			}
			text := reasonOf(m, market.FeatureText).Text
			for _, w := range functionWords {
				if strings.Contains(text, "、"+w) || strings.Contains(text, "："+w) {
					t.Errorf("match %q: reason %q lists %q", m.Title, text, w)
				}
			}
		}
		if !found {
			t.Fatalf("matches = %v, want the blade repair achievement", matchIDs(page.Matches))
		}

		// The form's suggestions for the same text.
		s := f.x.Suggest(bladeDemandTitle, bladeDemandText)
		for _, k := range s.Keywords {
			if analysis.IsStop(k) || slices.Contains(functionWords, k) {
				t.Errorf("suggested keyword %q is a stop word (%v)", k, s.Keywords)
			}
		}
		t.Logf("suggested keywords %v", s.Keywords)
		for _, frag := range []string{"合金涡轮", "后叶"} { // 修复后叶片 is 修复/后/叶片
			if slices.Contains(s.Keywords, frag) {
				t.Errorf("suggested keywords %v hold the fragment %s", s.Keywords, frag)
			}
		}
		if len(s.Keywords) == 0 {
			t.Errorf("no keyword suggested for the blade demand")
		}

		// Proposals stored before the stop list show no stop word either.
		if _, err := f.x.ProposeMatches(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "UPDATE match_proposals SET shared_terms = ?", "出现,涡轮叶片,低于"); err != nil {
			t.Fatal(err)
		}
		props, _, err := f.svc.NewMatches(ctx, f.staff, "", 1, 50)
		if err != nil || len(props) == 0 {
			t.Fatalf("new matches = %d, %v", len(props), err)
		}
		for _, p := range props {
			if !slices.Equal(p.SharedTerms, []string{"涡轮叶片"}) {
				t.Errorf("stored proposal terms read as %v, want [涡轮叶片]", p.SharedTerms)
			}
		}
	})
}
