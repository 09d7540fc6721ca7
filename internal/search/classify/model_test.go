package classify

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/search/analysis"
)

var tiny = []Record{
	{ID: "1", Title: "水稻氮肥施用与产量", Keywords: []string{"水稻", "氮肥"}, Abstract: "研究水稻氮肥施用对产量的影响。", Discipline: "作物学", Category: "农学"},
	{ID: "2", Title: "小麦灌溉与产量", Keywords: []string{"小麦", "灌溉"}, Abstract: "研究小麦灌溉制度对产量的影响。", Discipline: "作物学", Category: "农学"},
	{ID: "3", Title: "玉米密植高产栽培", Keywords: []string{"玉米", "栽培"}, Abstract: "探讨玉米密植栽培的产量效应。", Discipline: "作物学", Category: "农学"},
	{ID: "4", Title: "混凝土梁抗弯性能", Keywords: []string{"混凝土", "抗弯"}, Abstract: "试验研究钢筋混凝土梁的抗弯性能。", Discipline: "土木工程", Category: "工学"},
	{ID: "5", Title: "钢结构节点抗震", Keywords: []string{"钢结构", "抗震"}, Abstract: "分析钢结构节点的抗震性能。", Discipline: "土木工程", Category: "工学"},
	{ID: "6", Title: "桥梁混凝土裂缝", Keywords: []string{"桥梁", "混凝土"}, Abstract: "研究桥梁混凝土裂缝成因。", Discipline: "土木工程", Category: "工学"},
}

func TestTrainPredictAndRoundTrip(t *testing.T) {
	t.Parallel()
	a := analysis.Default()
	m := Train(a, tiny, nil, TrainOptions{Folds: 2, MinCount: 1})
	tests := []struct {
		name, text, wantDiscipline string
	}{
		{name: "crop", text: "水稻栽培产量", wantDiscipline: "作物学"},
		{name: "civil", text: "混凝土抗震性能", wantDiscipline: "土木工程"},
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Read(bytes.NewReader(buf.Bytes()), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Classify(tt.text)
			if got.Disciplines[0].Name != tt.wantDiscipline {
				t.Errorf("Classify(%q) = %+v, want %s first", tt.text, got.Disciplines, tt.wantDiscipline)
			}
			if diff := cmp.Diff(got, m2.Classify(tt.text)); diff != "" {
				t.Errorf("Classify(%q) after Write/Read (-before +after):\n%s", tt.text, diff)
			}
		})
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	t.Parallel()
	a := analysis.Default()
	var outs [2]bytes.Buffer
	for i := range outs {
		// Reverse order the second time: training must not depend on it.
		recs := append([]Record(nil), tiny...)
		if i == 1 {
			for l, r := 0, len(recs)-1; l < r; l, r = l+1, r-1 {
				recs[l], recs[r] = recs[r], recs[l]
			}
		}
		if err := Train(a, recs, nil, TrainOptions{Folds: 2, MinCount: 1}).Write(&outs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0].Bytes(), outs[1].Bytes()) {
		t.Error("Train wrote different models for the same records in another order")
	}
}

func TestReadRejectsCorruptModels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []byte
	}{
		{name: "not gzip", in: []byte("hello")},
		{name: "truncated", in: func() []byte {
			var b bytes.Buffer
			m := Train(analysis.Default(), tiny, nil, TrainOptions{Folds: 2, MinCount: 1})
			if err := m.Write(&b); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()[:b.Len()/2]
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Read(bytes.NewReader(tt.in), analysis.Default()); err == nil {
				t.Errorf("Read(%s) = nil error, want error", tt.name)
			}
		})
	}
}

func TestDefaultModelLabels(t *testing.T) {
	t.Parallel()
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(m.Category.Labels); got != 13 {
		t.Errorf("categories = %d, want 13", got)
	}
	if got := len(m.Discipline.Labels); got < 60 || got > 67 {
		t.Errorf("disciplines = %d, want 60..67", got)
	}
	for _, d := range m.Discipline.Labels {
		if m.DisciplineCategory[d] == "" {
			t.Errorf("discipline %s has no category", d)
		}
	}
	if got := m.Classify("钢筋混凝土梁的抗弯承载力试验"); !strings.Contains(got.Categories[0].Name, "工学") {
		t.Errorf("Classify(混凝土) = %+v, want 工学", got.Categories)
	}
}

// TestClassifyMatchesFeaturePath guards the single-lookup Classify: it must
// give exactly what the feature-string path gives.
func TestClassifyMatchesFeaturePath(t *testing.T) {
	t.Parallel()
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"", "5G 基站 滤波器", "基于CRISPR/Cas9的水稻抗病基因编辑研究研究", "PEEK PEEK 复合材料"} {
		want := m.ClassifyFeatures(Features(m.an, text))
		if diff := cmp.Diff(want, m.Classify(text)); diff != "" {
			t.Errorf("Classify(%q) (-features +fast):\n%s", text, diff)
		}
	}
}

func TestTitlesJoinTheVote(t *testing.T) {
	t.Parallel()
	a := analysis.Default()
	titles := []Record{
		// Words of civil engineering, but the title's category is 农学: its
		// discipline must come from that category.
		{ID: "t1", Title: "混凝土灌溉渠道防渗", Category: "农学"},
		{ID: "t2", Title: "盾构隧道管片拼装", Category: "工学"},
		{ID: "t3", Title: "盾构隧道沉降监测", Category: "工学"},
	}
	m := Train(a, tiny, titles, TrainOptions{Folds: 2, MinCount: 1})
	d2c := map[string]string{"作物学": "农学", "土木工程": "工学"}
	got := map[string]string{}
	for _, r := range labelTitles(featurize(a, titles), m.Discipline, d2c) {
		got[r.ID] = r.Discipline
	}
	want := map[string]string{"t1": "作物学", "t2": "土木工程", "t3": "土木工程"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("labelTitles (-want +got):\n%s", diff)
	}
	// 盾构 and 隧道 are in no labelled record, only in the titles: the vote
	// finds them there, and finds nothing without them.
	vote := m.Neighbours("盾构隧道")
	if len(vote) == 0 || vote[0].Name != "土木工程" {
		t.Errorf("Neighbours(盾构隧道) with titles = %+v, want 土木工程 first", vote)
	}
	if vote := Train(a, tiny, nil, TrainOptions{Folds: 2, MinCount: 1}).Neighbours("盾构隧道"); len(vote) != 0 {
		t.Errorf("Neighbours(盾构隧道) without titles = %+v, want none", vote)
	}
}

// TestIDFTextsCountsTexts: with IDFTexts the IDF weight of a feature comes
// from the training texts (each record once), not from the examples, where
// a record's keywords and title count again. Not parallel: it sets the
// package's experiment switches.
func TestIDFTextsCountsTexts(t *testing.T) {
	defer func() { IDFWeight, IDFTexts = 0, false }()
	a := analysis.Default()
	// 混凝土 is a keyword of records 4 and 6, so in two of the six texts
	// (IDF log 7/3); among the eighteen discipline examples it is in at
	// least four (the full texts and the keywords of both), so its IDF over
	// examples is at most log 19/5.
	IDFWeight = 1
	idf := map[bool]float64{}
	for _, texts := range []bool{true, false} {
		IDFTexts = texts
		m := Train(a, tiny, nil, TrainOptions{Folds: 2, MinCount: 1})
		idf[texts] = float64(m.Discipline.idf["混凝土"]) / fixedOne
		if d := m.Classify("混凝土抗震性能").Disciplines[0].Name; d != "土木工程" {
			t.Errorf("IDFTexts %v: Classify(混凝土抗震性能) = %s, want 土木工程", texts, d)
		}
	}
	if want := math.Log(7.0 / 3.0); math.Abs(idf[true]-want) > 1e-6 {
		t.Errorf("idf(混凝土) over texts = %.6f, want %.6f", idf[true], want)
	}
	if limit := math.Log(19.0 / 5.0); idf[false] > limit+1e-6 {
		t.Errorf("idf(混凝土) over examples = %.6f, want at most %.6f", idf[false], limit)
	}
}
