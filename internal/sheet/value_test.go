package sheet

import "testing"

func TestDisplayText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{name: "empty", in: "", want: ""},
		{name: "trim ascii and full-width spaces", in: " \u3000企业名称\t ", want: "企业名称"},
		{name: "stray BOM", in: "\uFEFF名称", want: "名称"},
		{name: "iso date", in: "2026-01-05", want: "2026-01-05"},
		{name: "slash date", in: "2026/1/5", want: "2026-01-05"},
		{name: "chinese date", in: "2026年1月5日", want: "2026-01-05"},
		{name: "midnight dropped", in: "2026-01-05 00:00", want: "2026-01-05"},
		{name: "date time", in: "2026/1/5 9:30", want: "2026-01-05 09:30"},
		{name: "date time seconds", in: "2026-01-05 09:30:15", want: "2026-01-05 09:30:15"},
		{name: "bad month kept", in: "2026/13/5", want: "2026/13/5"},
		{name: "credit code untouched", in: "91320505MA1XYZ1234", want: "91320505MA1XYZ1234"},
		{name: "long digits untouched", in: "913205051234567890", want: "913205051234567890"},
		{name: "number untouched", in: "1234.5", want: "1234.5"},
		{name: "WPS dotted date", in: "2023.05.06", want: "2023-05-06"},
		{name: "dotted short date", in: "2023.5.6", want: "2023-05-06"},
		{name: "eight digits untouched", in: "20190301", want: "20190301"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := displayText(tt.in); got != tt.want {
				t.Errorf("displayText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" when not a date
	}{
		{"2026-01-05", "2026-01-05"},
		{"2026/1/5", "2026-01-05"},
		{"2026年1月5日", "2026-01-05"},
		{"20190301", "2019-03-01"},
		{"2023.05.06", "2023-05-06"},
		{" 2023.5.6 ", "2023-05-06"},
		{"2026-01-05 09:30", "2026-01-05"},
		{"20190230", ""},
		{"2026-02-30", ""},
		{"201903011", ""},
		{"2019030", ""},
		{"00000101", ""},
		{"昨天", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseDate(tt.in)
			text := ""
			if ok {
				text = got.Format("2006-01-02")
			}
			if text != tt.want {
				t.Errorf("ParseDate(%q) = %q, %v; want %q", tt.in, text, ok, tt.want)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		want   float64
		wantOK bool
	}{
		{name: "plain", in: "12.5", want: 12.5, wantOK: true},
		{name: "thousands", in: "1,234,567.8", want: 1234567.8, wantOK: true},
		{name: "negative", in: "-3", want: -3, wantOK: true},
		{name: "full-width", in: "１２３．５", want: 123.5, wantOK: true},
		{name: "percent", in: "12.5%", want: 0.125, wantOK: true},
		{name: "spaces", in: "  42 ", want: 42, wantOK: true},
		{name: "empty", in: "", wantOK: false},
		{name: "text", in: "abc", wantOK: false},
		{name: "hex refused", in: "0x10", wantOK: false},
		{name: "inf refused", in: "Inf", wantOK: false},
		{name: "nan refused", in: "NaN", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseNumber(tt.in)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestClassifyFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code             string
		wantDate, wantTm bool
	}{
		{code: "General"},
		{code: "@"},
		{code: "0.00"},
		{code: "#,##0.00;[Red]-#,##0.00"},
		{code: "0.00E+00"},
		{code: `0.0 "days"`},
		{code: `#,##0"元"`},
		{code: "yyyy-mm-dd", wantDate: true},
		{code: `yyyy"年"m"月"d"日"`, wantDate: true},
		{code: "[$-804]yyyy/m/d", wantDate: true},
		{code: "m/d/yy h:mm", wantDate: true},
		{code: "mmm-yy", wantDate: true},
		{code: "h:mm:ss", wantTm: true},
		{code: "[h]:mm", wantTm: true},
		{code: `[Red]0.00\h`},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			d, tm := classifyFormat(tt.code)
			if d != tt.wantDate || tm != tt.wantTm {
				t.Errorf("classifyFormat(%q) = %v, %v; want %v, %v", tt.code, d, tm, tt.wantDate, tt.wantTm)
			}
		})
	}
}
