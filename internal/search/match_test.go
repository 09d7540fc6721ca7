package search

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// agro and filler give Match a realistic spread of fields.
var agro = []Document{
	{ID: "on", Title: "氮肥运筹对杂交稻籽粒灌浆及产量的影响", Keywords: []string{"杂交稻", "氮肥", "灌浆"}, Text: "大田试验研究了不同施氮时期和比例对杂交稻灌浆速率、结实率和产量构成的影响,提出了高产栽培的氮肥运筹方案。"},
	{ID: "off", Title: "提高制造企业生产效率与产量的精益管理技术", Keywords: []string{"精益管理", "生产效率"}, Text: "探讨了提高制造企业产量与生产效率的精益管理技术,分析了企业管理制度和员工激励。"},
	{ID: "f1", Title: "高校思想政治教育的实践路径", Text: "论述了新时代高校思想政治教育的实践路径和育人机制。"},
	{ID: "f2", Title: "唐代边塞诗的意象研究", Text: "分析了唐代边塞诗中的典型意象及其审美特征。"},
	{ID: "f3", Title: "混凝土桥梁裂缝检测方法", Text: "提出了一种基于图像处理的混凝土桥梁裂缝自动检测方法。"},
}

func newAgro(t *testing.T) *Index {
	t.Helper()
	ix := newMarket(t)
	for _, d := range agro {
		if err := ix.Put(d); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

func TestMatchPrefersSameField(t *testing.T) {
	t.Parallel()
	ix := newAgro(t)
	demand := Document{Title: "水稻高产栽培技术需求", Text: "希望提高水稻产量,需要施肥和栽培方面的技术。"}
	hits := ix.Match(demand, MatchOptions{Limit: 5})
	got := ids(hits)
	on, off := slices.Index(got, "on"), slices.Index(got, "off")
	if on < 0 || (off >= 0 && off < on) {
		t.Fatalf("Match = %v, want on-field listing above the lexically closer off-field one", got)
	}
	// The preference comes from the topic, not from lexical overlap.
	w := ix.Weights()
	w.Topic = 0
	ix.SetWeights(w)
	lexOnly := ids(ix.Match(demand, MatchOptions{Limit: 5}))
	if slices.Index(lexOnly, "off") > slices.Index(lexOnly, "on") {
		t.Fatalf("lexical-only Match = %v: the off-field listing should be lexically closer, the test lost its point", lexOnly)
	}
	ex := hits[on].Explanation
	if !ex.SameCategory || ex.TopicAgreement <= 0 || len(ex.Query.Disciplines) == 0 || len(ex.Doc.Disciplines) == 0 {
		t.Errorf("explanation of on-field hit = %+v, want agreeing predicted topics", ex)
	}
	if len(ex.SharedTerms) == 0 || ex.FieldScores["title"]+ex.FieldScores["text"]+ex.FieldScores["keywords"] <= 0 {
		t.Errorf("explanation of on-field hit = %+v, want shared terms and field scores", ex)
	}
}

func TestMatchExactTitleFirst(t *testing.T) {
	t.Parallel()
	ix := newAgro(t)
	for _, d := range append(slices.Clone(market), agro...) {
		hits := ix.Match(Document{Text: d.Title}, MatchOptions{Limit: 3})
		if len(hits) == 0 || hits[0].ID != d.ID {
			t.Errorf("Match(title of %s) = %v, want %s first", d.ID, ids(hits), d.ID)
		}
	}
}

func TestMatchExcludeAndFilter(t *testing.T) {
	t.Parallel()
	ix := newAgro(t)
	tests := []struct {
		name string
		opt  MatchOptions
		bad  string
	}{
		{name: "exclude", opt: MatchOptions{Exclude: []string{"a1"}}, bad: "a1"},
		{name: "filter", opt: MatchOptions{Filters: map[string][]string{"domain": {"新材料"}}}, bad: "a1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ids(ix.Match(Document{Text: "5G 基站 滤波器"}, tt.opt))
			if slices.Contains(got, tt.bad) {
				t.Errorf("Match(%+v) = %v, want no %s", tt.opt, got, tt.bad)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	ix := newMarket(t)
	tests := []struct {
		name         string
		text         string
		wantCategory string
	}{
		{name: "agronomy", text: "水稻品种氮肥施用对产量和稻米品质的影响", wantCategory: "农学"},
		{name: "medicine", text: "冠心病患者经皮冠状动脉介入治疗后的临床护理", wantCategory: "医学"},
		{name: "engineering", text: "钢筋混凝土框架结构的抗震性能有限元分析", wantCategory: "工学"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ix.Classify(tt.text)
			if len(got.Categories) == 0 || got.Categories[0].Name != tt.wantCategory {
				t.Errorf("Classify(%q) = %+v, want category %s first", tt.text, got.Categories, tt.wantCategory)
			}
			var sum float64
			for _, l := range got.Disciplines {
				sum += l.P
			}
			if sum <= 0 || sum > 1.0001 {
				t.Errorf("Classify(%q) discipline probabilities sum to %v, want (0, 1]", tt.text, sum)
			}
		})
	}
}

// TestTermClassifierAgrees guards the shortcut in prepare: classifying the
// fields' terms must equal classifying the document's full text.
func TestTermClassifierAgrees(t *testing.T) {
	t.Parallel()
	ix := newMarket(t)
	for _, d := range market {
		ord := ix.byID[d.ID]
		got := ix.topic(ord)
		want := ix.cls.Classify(d.fullText())
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("topic of %s (-Classify +index):\n%s", d.ID, diff)
		}
	}
}
