package i18n

import "testing"

func TestAppendYuanEN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		yuan  float64
		exact bool
		want  string
	}{
		{"millions rounded", 6.15e6, false, "¥6.15M"},
		{"thousands rounded", 360000, false, "¥360K"},
		{"below a thousand", 800, false, "¥800"},
		{"billions", 1.2e9, false, "¥1.2B"},
		{"negative", -36000, false, "-¥36K"},
		{"exact keeps every yuan", 2e8 + 1, true, "¥200.000001M"},
		{"exact thousands", 7200, true, "¥7.2K"},
		{"exact fen below a thousand", 12.5, true, "¥12.5"},
		{"rounded would hide the yuan", 2e8 + 1, false, "¥200M"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := string(AppendYuanEN(nil, tt.yuan, tt.exact)); got != tt.want {
				t.Errorf("AppendYuanEN(%v, %v) = %q, want %q", tt.yuan, tt.exact, got, tt.want)
			}
		})
	}
}
