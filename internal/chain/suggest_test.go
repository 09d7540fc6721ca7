package chain_test

import (
	"strings"
	"testing"

	"kechuang/internal/chain"
)

// TestSuggest places hand-made firms: the link expected first, and the
// reason that must be among its reasons.
func TestSuggest(t *testing.T) {
	chains := fixtureChains(t)
	tests := []struct {
		name   string
		s      chain.Subject
		link   string
		reason string
	}{
		{"cathode by product", chain.Subject{Name: "常州锂源新材料有限公司", Industry: "C3985", Domain: "新材料/无机非金属材料",
			Products: []string{"磷酸铁锂正极材料"}}, "cathode", "chain.reason.in_products"},
		{"separator by text", chain.Subject{Name: "苏州恒膜科技有限公司", Industry: "C2922",
			Description: "专业生产锂电池湿法隔膜及陶瓷涂覆隔膜。"}, "separator", "chain.reason.in_text"},
		{"charging despite a generic code", chain.Subject{Name: "昆山快充能源科技有限公司", Industry: "C38",
			Products: []string{"直流充电桩", "换电站"}}, "charging", "chain.reason.in_products"},
		{"lidar", chain.Subject{Name: "太仓视界智能科技有限公司", Industry: "C3990", Domain: "电子信息/智能交通和轨道交通技术",
			Products: []string{"车规级激光雷达"}}, "adas", "chain.reason.domain"},
		{"recycling", chain.Subject{Name: "张家港绿循环保科技有限公司", Industry: "N7724",
			Description: "退役动力电池的拆解、梯次利用与材料回收。"}, "recycling", "chain.reason.industry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := chain.Suggest(chains, tt.s, 3)
			if len(got) == 0 || got[0].LinkID != tt.link {
				t.Fatalf("Suggest = %+v, want %s first", got, tt.link)
			}
			if c := got[0].Confidence; c <= 0 || c > 1 {
				t.Errorf("confidence = %v, want (0, 1]", c)
			}
			var keys []string
			for _, r := range got[0].Reasons {
				keys = append(keys, r.Key)
			}
			if !strings.Contains(strings.Join(keys, " "), tt.reason) {
				t.Errorf("reasons = %v, want %s among them", got[0].Reasons, tt.reason)
			}
		})
	}
}

// TestSuggestNeedsText: codes alone place nothing; a firm whose text names
// no link is not suggested anywhere.
func TestSuggestNeedsText(t *testing.T) {
	got := chain.Suggest(fixtureChains(t), chain.Subject{Name: "苏州某某贸易有限公司", Industry: "C3841", Domain: "新能源与节能",
		Description: "主要从事日用百货批发零售。"}, 0)
	if len(got) != 0 {
		t.Fatalf("Suggest = %+v, want nothing", got)
	}
}
