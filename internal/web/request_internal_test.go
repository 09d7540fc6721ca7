package web

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/apperr"
)

func TestParseFormStream(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("长", 40) // 120 bytes
	tests := []struct {
		name    string
		body    string
		want    map[string][]string
		wantCut []string
		wantErr bool
	}{
		{name: "plain", body: "a=1&b=%E7%94%B5%E6%B1%A0&b=x+y&c=",
			want: map[string][]string{"a": {"1"}, "b": {"电池", "x y"}, "c": {""}}},
		{name: "empty", body: "", want: map[string][]string{}},
		{name: "name only and doubled separators", body: "a&&b=2&", want: map[string][]string{"a": {""}, "b": {"2"}}},
		{name: "a long value is cut at a character boundary and the fields after it arrive",
			body: "csrf_token=t&title=" + long + "&summary=s",
			want: map[string][]string{"csrf_token": {"t"}, "title": {strings.Repeat("长", 33)}, "summary": {"s"}}, wantCut: []string{"title"}},
		{name: "a long escaped value", body: "title=" + strings.Repeat("%E9%95%BF", 40) + "&next=/x",
			want: map[string][]string{"title": {strings.Repeat("长", 33)}, "next": {"/x"}}, wantCut: []string{"title"}},
		{name: "a bad escape", body: "a=%zz", wantErr: true},
		{name: "too much kept in all", body: strings.Repeat("a=0123456789&", 40), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut, err := parseFormStream(strings.NewReader(tt.body), 100, 300)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseFormStream(%.40q) error = %v, want error %v", tt.body, err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, map[string][]string(got)); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCut, cut); diff != "" {
				t.Errorf("cut (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJSONPathAtEnd(t *testing.T) {
	t.Parallel()
	tests := []struct{ prefix, want string }{
		{`{"title": "一个很长`, "title"},
		{`{"title": "x", "summary": "很长`, "summary"},
		{`{"contact": {"name": "陈", "email": "很长`, "contact.email"},
		{`{"ip": [{"type": "invention"}, {"number": "很长`, "ip[1].number"},
		{`{"keywords": ["a", "b", "很长`, "keywords[2]"},
		{`{"title": "x", "很长的键`, ""},
		{`{"enterprise": {"years": {"2025": {"revenue": 1}}}, "rule_set": "很`, "rule_set"},
	}
	for _, tt := range tests {
		if got := jsonPathAtEnd([]byte(tt.prefix)); got != tt.want {
			t.Errorf("jsonPathAtEnd(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

func TestCheckJSONText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body, wantField, wantKey string
	}{
		{`{"title": "电池", "summary": "第一段\n第二段\t"}`, "", ""},
		{`{"title": "电池\u0000"}`, "title", "error.text_nul"},
		{`{"contact": {"name": "陈\u001b"}}`, "contact.name", "error.text_control"},
		{"{\"keywords\": [\"a\", \"b\xff\"]}", "keywords[1]", "error.text_encoding"},
		{`{"ip": [{"number": "ZL\u0000"}]}`, "ip[0].number", "error.text_nul"},
		{`{"ti\u0000tle": "x"}`, "body", "error.text_nul"},
		{`{"title": `, "", ""}, // malformed: Decode reports it
		{`{"title": "第一行\n第二行"}`, "title", "error.text_newline"},
		{`{"contact": {"name": "张\t经理"}}`, "contact.name", "error.text_newline"},
		{`{"summary": "第一段\n\n第二段", "note": "a\tb", "reason": "x\ny"}`, "", ""},
	}
	for _, tt := range tests {
		err := checkJSONText([]byte(tt.body))
		if tt.wantField == "" {
			if err != nil {
				t.Errorf("checkJSONText(%q) = %v, want nil", tt.body, err)
			}
			continue
		}
		e := apperr.As(err)
		if e == nil || len(e.Fields) != 1 || e.Fields[0].Field != tt.wantField || e.Fields[0].Key != tt.wantKey {
			t.Errorf("checkJSONText(%q) = %v, want %s on %s", tt.body, err, tt.wantKey, tt.wantField)
		}
	}
}
