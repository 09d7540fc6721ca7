package cultivation

import "testing"

// TestGapsPrintShortAndSuffice checks that a money gap is rounded up to a
// step that prints short: a gap must never be less than what is missing,
// and "¥12.65340001亿" (precise to the 元) reads as noise.
func TestGapsPrintShortAndSuffice(t *testing.T) {
	tests := []struct {
		gap  float64
		want string
	}{
		{1000, "¥1000元"},
		{999.2, "¥1000元"},
		{14.55e4, "¥14.55万"},
		{145_500.01, "¥14.56万"},
		{1_265_340_001, "¥12.6535亿"},
		{2e8, "¥2亿"},
		{2e8 + 1, "¥2.0001亿"},
	}
	for _, tt := range tests {
		d := roundUp(tt.gap, UnitYuan)
		if d < tt.gap {
			t.Errorf("roundUp(%v) = %v, less than the gap", tt.gap, d)
		}
		if got := formatValue(d, UnitYuan); got != tt.want {
			t.Errorf("gap %v prints %q, want %q", tt.gap, got, tt.want)
		}
	}
}
