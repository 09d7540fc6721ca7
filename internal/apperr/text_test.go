package apperr

import "testing"

func TestCheckText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		multiline bool
		wantKey   string // "" when the text is fine
		wantArgs  []any
	}{
		{"Chinese text", "高镍三元正极材料（NCM811）", false, "", nil},
		{"empty", "", false, "", nil},
		{"emoji and full-width space", "电池\u3000🔋", false, "", nil},
		{"newline in a multiline field", "第一段\n第二段\r\n\t缩进", true, "", nil},
		{"NUL", "标题\x00", false, "error.text_nul", []any{3}},
		{"NUL in a multiline field", "a\nb\x00", true, "error.text_nul", []any{4}},
		{"invalid UTF-8", "ab\xff", true, "error.text_encoding", []any{3}},
		{"a truncated rune", "电\xe6\xb1", false, "error.text_encoding", []any{2}},
		{"newline in a one-line field", "标题\n第二行", false, "error.text_newline", []any{3}},
		{"tab in a one-line field", "a\tb", false, "error.text_newline", []any{2}},
		{"escape", "a\x1b[31m", true, "error.text_control", []any{uint32(0x1b), 2}},
		{"DEL", "a\x7f", true, "error.text_control", []any{uint32(0x7f), 2}},
		{"C1 control", "a\u0085", true, "error.text_control", []any{uint32(0x85), 2}},
		{"vertical tab from a word processor", "一\v二", true, "error.text_control", []any{uint32(0x0b), 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe, ok := CheckText("title", tt.in, tt.multiline)
			if ok != (tt.wantKey == "") {
				t.Fatalf("CheckText(%q) ok = %v, want %v", tt.in, ok, tt.wantKey == "")
			}
			if ok {
				return
			}
			if fe.Field != "title" || fe.Key != tt.wantKey || len(fe.Args) != len(tt.wantArgs) {
				t.Fatalf("CheckText(%q) = %+v, want key %s args %v", tt.in, fe, tt.wantKey, tt.wantArgs)
			}
			for i := range fe.Args {
				if fe.Args[i] != tt.wantArgs[i] {
					t.Errorf("CheckText(%q) args = %v, want %v", tt.in, fe.Args, tt.wantArgs)
				}
			}
		})
	}
}
