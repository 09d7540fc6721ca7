package matcheval

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestScore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		ranked []string
		q      Query
		want   Metrics
	}{
		{
			name:   "first hit at rank 2",
			ranked: []string{"x", "a", "y"},
			q:      Query{Relevant: []string{"a"}},
			want:   Metrics{MRR10: 0.5, Recall10: 1, Recall100: 1, Precision10: 0.1, NDCG10: 1 / math.Log2(3)},
		},
		{
			name:   "excluded ids are dropped before scoring",
			ranked: []string{"self", "a", "b"},
			q:      Query{Relevant: []string{"a", "b", "c", "self"}, Exclude: []string{"self"}},
			want: Metrics{MRR10: 1, Recall10: 2.0 / 3, Recall100: 2.0 / 3, Precision10: 0.2,
				NDCG10: (1 + 1/math.Log2(3)) / (1 + 1/math.Log2(3) + 0.5)},
		},
		{
			name:   "miss",
			ranked: []string{"x"},
			q:      Query{Relevant: []string{"a"}},
			want:   Metrics{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Score(tt.ranked, tt.q)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("Score(%v) (-want +got):\n%s", tt.ranked, diff)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	xs := []float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	if got := Percentile(xs, 50); got != 5 {
		t.Errorf("Percentile(50) = %v, want 5", got)
	}
	if got := Percentile(xs, 99); got != 10 {
		t.Errorf("Percentile(99) = %v, want 10", got)
	}
}

func TestRunKechuang(t *testing.T) {
	t.Parallel()
	docs, err := DecodeJSONL[Doc](strings.NewReader(`{"id":"d1","title":"面向5G基站的腔体滤波器","text":"插入损耗低"}
{"id":"d2","title":"PEEK复合材料注塑工艺","text":"碳纤维增强"}
`))
	if err != nil {
		t.Fatal(err)
	}
	qs := []Query{{ID: "q1", Text: "5G 滤波器", Relevant: []string{"d1"}}, {ID: "q2", Text: "PEEK", Relevant: []string{"d2"}}}
	rep, err := Run("kechuang", &Kechuang{}, docs, qs)
	if err != nil {
		t.Fatal(err)
	}
	if rep.MRR10 != 1 || rep.Docs != 2 || rep.Queries != 2 {
		t.Errorf("Run = %+v, want MRR 1 over 2 docs and 2 queries", rep)
	}
}
