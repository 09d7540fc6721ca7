package cultivation_test

import (
	"testing"

	"kechuang/internal/cultivation"
)

func TestSizeClass(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		employees, revenue float64
		want               string
	}{
		{"large at both lines", 1000, 4e8, cultivation.SizeLarge},
		{"many staff, revenue under 4亿", 1500, 3.99e8, cultivation.SizeMedium},
		{"medium at both lines", 300, 2e7, cultivation.SizeMedium},
		{"299 staff", 299, 5e8, cultivation.SizeSmall},
		{"small at both lines", 20, 3e6, cultivation.SizeSmall},
		{"revenue under 300万", 200, 2.99e6, cultivation.SizeMicro},
		{"19 staff", 19, 1e9, cultivation.SizeMicro},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cultivation.SizeClass(tt.employees, tt.revenue); got != tt.want {
				t.Errorf("SizeClass(%v, %v) = %q, want %q", tt.employees, tt.revenue, got, tt.want)
			}
		})
	}
}
