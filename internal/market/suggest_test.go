package market_test

import (
	"context"
	"slices"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// TestSuggest runs Suggest on real Chinese listing texts. The index holds
// the small searchCorpus, so known keywords come first as in production;
// the domain and disciplines come from the classifier alone. Suggest reads
// no table, so one dialect is enough.
func TestSuggest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, dbtest.Open(t, sqldb.SQLite))
	owner := f.actor("inst", account.RoleInstitution, "320505")
	staff := f.actor("city", account.RoleStaff, "320500")
	for _, c := range searchCorpus {
		publish(t, f, owner, staff, c.title, c.summary, c.domain, c.keywords)
	}
	x, err := market.OpenIndexer(ctx, f.svc, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		title, text  string
		typed        []string
		wantDomain   string // "" means no domain proposed
		wantSub      string
		wantDisc     string // the first discipline
		wantKeywords []string
		dropKeywords []string
		wantEmpty    bool
	}{
		{
			name:         "lithium battery",
			title:        "高镍三元锂离子电池正极材料",
			text:         "本项目研发一种高镍三元锂离子电池正极材料，通过表面包覆提高循环寿命和热稳定性，适用于电动汽车动力电池和储能系统。",
			wantDomain:   "新能源与节能",
			wantDisc:     "电气工程",
			wantKeywords: []string{"正极材料"},
		},
		{
			name:  "drug formulation",
			title: "口服缓释片剂的制备方法",
			text: "本发明涉及一种药物缓释制剂，采用羟丙甲纤维素为骨架材料，实现药物12小时平稳释放，" +
				"提高患者用药依从性和生物利用度，适合高血压等慢性病长期用药。",
			wantDomain:   "生物与新医药",
			wantDisc:     "药学",
			dropKeywords: []string{"12", "本发明", "提高"},
		},
		{
			name:  "software",
			title: "企业资源计划管理软件",
			text: "基于微服务架构的云原生软件平台，支持多租户、容器化部署和数据库分库分表，" +
				"提供可视化报表、工作流引擎和移动端应用，已在多家制造企业上线运行。",
			wantDomain: "电子信息",
			wantDisc:   "计算机科学与技术",
		},
		{
			name:       "traditional medicine with a second level",
			title:      "清热解毒中药复方颗粒剂",
			text:       "本品由金银花、连翘、板蓝根等中药组成，具有清热解毒、疏风解表功效，用于治疗风热感冒，采用中药提取浓缩制粒工艺。",
			wantDomain: "生物与新医药",
			wantSub:    "中药、天然药物",
			wantDisc:   "中医学/中药学",
		},
		{
			name:       "machine tool with a second level",
			title:      "高速精密数控机床电主轴",
			text:       "针对高速精密数控机床电主轴的热变形，建立热误差模型并实时补偿，提高零件加工精度。",
			wantDomain: "先进制造与自动化",
			wantSub:    "先进制造工艺与装备",
			wantDisc:   "机械工程",
		},
		{
			name:         "typed keywords and their parts are not proposed again",
			title:        "高镍三元锂离子电池正极材料",
			text:         "本项目研发一种高镍三元锂离子电池正极材料，通过表面包覆提高循环寿命和热稳定性，适用于电动汽车动力电池和储能系统。",
			typed:        []string{"正极材料", " 锂离子电池 "},
			wantDomain:   "新能源与节能",
			dropKeywords: []string{"正极材料", "锂离子电池", "正极", "锂离子"},
		},
		{
			name:     "philosophy has no domain",
			title:    "康德实践理性批判中的自由与道德律",
			text:     "本文讨论康德伦理学中道德法则与意志自由的关系，分析自律概念在德国古典哲学中的地位及其对后世伦理学的影响。",
			wantDisc: "哲学",
		},
		{name: "five characters", title: "锂电池材料", wantEmpty: true},
		{name: "empty", wantEmpty: true},
		{name: "punctuation and spaces only", title: "……  ！！", text: "、、、 。。。 —— ", wantEmpty: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := x.Suggest(tt.title, tt.text, tt.typed...)
			if got.Empty() != tt.wantEmpty {
				t.Fatalf("Suggest(%q).Empty() = %v, want %v (%+v)", tt.title, got.Empty(), tt.wantEmpty, got)
			}
			if tt.wantEmpty {
				return
			}
			switch {
			case tt.wantDomain == "" && got.Domain != nil:
				t.Errorf("Suggest(%q).Domain = %+v, want none", tt.title, *got.Domain)
			case tt.wantDomain != "" && got.Domain == nil:
				t.Errorf("Suggest(%q).Domain = none, want %s (disciplines %+v)", tt.title, tt.wantDomain, got.Disciplines)
			case tt.wantDomain != "" && (got.Domain.Name != tt.wantDomain || got.Domain.Sub != tt.wantSub):
				t.Errorf("Suggest(%q).Domain = %s, want %s/%s (disciplines %+v)", tt.title, got.Domain.Value(), tt.wantDomain, tt.wantSub, got.Disciplines)
			}
			if got.Domain != nil && (got.Domain.P < 0.3 || got.Domain.P > 1.0000001) {
				t.Errorf("Suggest(%q).Domain.P = %v, want in [0.3, 1]", tt.title, got.Domain.P)
			}
			if tt.wantDisc != "" && (len(got.Disciplines) == 0 || got.Disciplines[0].Name != tt.wantDisc) {
				t.Errorf("Suggest(%q).Disciplines = %+v, want %s first", tt.title, got.Disciplines, tt.wantDisc)
			}
			if len(got.Disciplines) > 3 {
				t.Errorf("Suggest(%q) has %d disciplines, want at most 3", tt.title, len(got.Disciplines))
			}
			if len(got.Keywords) == 0 || len(got.Keywords) > 8 {
				t.Errorf("Suggest(%q).Keywords = %v, want 1 to 8", tt.title, got.Keywords)
			}
			for _, k := range tt.wantKeywords {
				if !slices.Contains(got.Keywords, k) {
					t.Errorf("Suggest(%q).Keywords = %v, want it to contain %s", tt.title, got.Keywords, k)
				}
			}
			for _, k := range tt.dropKeywords {
				if slices.Contains(got.Keywords, k) {
					t.Errorf("Suggest(%q).Keywords = %v, want no %s", tt.title, got.Keywords, k)
				}
			}
			t.Logf("%s: domain %+v disciplines %+v keywords %v", tt.name, got.Domain, got.Disciplines, got.Keywords)
		})
	}
}
