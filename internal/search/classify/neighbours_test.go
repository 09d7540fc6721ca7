package classify

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/search/analysis"
)

func TestNeighbours(t *testing.T) {
	t.Parallel()
	a := analysis.Default()
	m := Train(a, tiny, nil, TrainOptions{Folds: 2, MinCount: 1})
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Read(bytes.NewReader(buf.Bytes()), a)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text, want string
	}{
		{name: "civil", text: "混凝土裂缝", want: "土木工程"},
		{name: "crop", text: "栽培产量", want: "作物学"},
		{name: "no shared term", text: "量子计算", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Neighbours(tt.text)
			if tt.want == "" {
				if got != nil {
					t.Errorf("Neighbours(%q) = %+v, want nil", tt.text, got)
				}
				return
			}
			if len(got) == 0 || got[0].Name != tt.want {
				t.Fatalf("Neighbours(%q) = %+v, want %s first", tt.text, got, tt.want)
			}
			var mass float64
			for _, l := range got {
				mass += l.P
			}
			if mass <= 0 || mass > 1+1e-9 {
				t.Errorf("Neighbours(%q) mass = %v, want in (0, 1]", tt.text, mass)
			}
			if diff := cmp.Diff(got, m2.Neighbours(tt.text)); diff != "" {
				t.Errorf("Neighbours(%q) after Write/Read (-before +after):\n%s", tt.text, diff)
			}
		})
	}
}

// A demand that shares only a stray term with the training records must
// get a faint vote, not a confident one: the vote's mass is the share of
// the demand's evidence that the nearest record explains.
func TestNeighboursConfidence(t *testing.T) {
	t.Parallel()
	m := Train(analysis.Default(), tiny, nil, TrainOptions{Folds: 2, MinCount: 1})
	mass := func(text string) float64 {
		var s float64
		for _, l := range m.Neighbours(text) {
			s += l.P
		}
		return s
	}
	strong, faint := mass("混凝土裂缝"), mass("混凝土 量子纠缠态退相干")
	if !(0 < faint && faint < strong) {
		t.Errorf("Neighbours mass: %q %v, %q %v; want the demand with unknown terms less confident", "混凝土裂缝", strong, "混凝土 量子纠缠态退相干", faint)
	}
}

func TestMixLabels(t *testing.T) {
	t.Parallel()
	a := []Label{{"A", 0.6}, {"B", 0.4}}
	tests := []struct {
		name   string
		b      []Label
		lambda float64
		want   []Label
	}{
		{name: "lambda 0", b: []Label{{"C", 1}}, lambda: 0, want: a},
		{name: "no neighbours", b: nil, lambda: 1, want: a},
		{name: "confident vote replaces", b: []Label{{"C", 1}}, lambda: 1, want: []Label{{"C", 1}}},
		{name: "half-confident vote", b: []Label{{"B", 0.5}}, lambda: 1, want: []Label{{"B", 0.7}, {"A", 0.3}}},
		{name: "ties by name", b: []Label{{"C", 0.5}}, lambda: 1, want: []Label{{"C", 0.5}, {"A", 0.3}, {"B", 0.2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MixLabels(a, tt.b, tt.lambda)
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(x, y float64) bool { return x-y < 1e-9 && y-x < 1e-9 })); diff != "" {
				t.Errorf("MixLabels(%v, %v, %v) (-want +got):\n%s", a, tt.b, tt.lambda, diff)
			}
		})
	}
}
