package analysis

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func texts(toks []Token, kind Kind) []string {
	var out []string
	for _, t := range toks {
		if t.Kind == kind {
			out = append(out, t.Text)
		}
	}
	return out
}

func TestTokens(t *testing.T) {
	t.Parallel()
	a := Default()
	tests := []struct {
		name       string
		in         string
		wantWords  []string
		wantLatin  []string
		wantBigram []string
	}{
		{
			name:       "mixed script 5G",
			in:         "5G 基站滤波器",
			wantWords:  []string{"基站", "滤波器"},
			wantLatin:  []string{"5g"},
			wantBigram: []string{"基站", "站滤", "滤波", "波器"},
		},
		{
			name:       "full width and case fold",
			in:         "ＰＥＥＫ复合材料",
			wantWords:  []string{"复合材料"},
			wantLatin:  []string{"peek"},
			wantBigram: []string{"复合", "合材", "材料"},
		},
		{
			name:       "hyphenated Latin keeps whole and parts",
			in:         "Li-ion电池",
			wantWords:  []string{"电池"},
			wantLatin:  []string{"li-ion", "li", "ion"},
			wantBigram: []string{"电池"},
		},
		{
			name:      "lone character kept when it is the whole run",
			in:        "氩 CRISPR",
			wantWords: []string{"氩"},
			wantLatin: []string{"crispr"},
		},
		{
			name:      "trailing dot is not part of the token",
			in:        "PM2.5.",
			wantLatin: []string{"pm2.5", "pm2", "5"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := a.Tokens(tt.in, nil)
			if diff := cmp.Diff(tt.wantWords, texts(got, Word)); diff != "" {
				t.Errorf("Tokens(%q) words (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantLatin, texts(got, Latin)); diff != "" {
				t.Errorf("Tokens(%q) latin (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantBigram, texts(got, Bigram)); diff != "" {
				t.Errorf("Tokens(%q) bigrams (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestTokenSpans(t *testing.T) {
	t.Parallel()
	in := "采用ＰＥＥＫ材料"
	for _, tok := range Default().Tokens(in, nil) {
		span := in[tok.Start:tok.End]
		if foldString(span) != tok.Text {
			t.Errorf("token %q has span %q", tok.Text, span)
		}
	}
}

func TestReadDictErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{name: "no frequency", in: "基站\n"},
		{name: "bad frequency", in: "基站 x\n"},
		{name: "empty", in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ReadDict(strings.NewReader(tt.in)); err == nil {
				t.Errorf("ReadDict(%q) = nil error, want error", tt.in)
			}
		})
	}
}

func TestSegmentPrefersDictionaryWords(t *testing.T) {
	t.Parallel()
	d, err := ReadDict(strings.NewReader("研究 100\n生命 50\n研究生 10\n命 5\n生 5\n起源 40\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := New(d).Segment("研究生命起源")
	want := []string{"研究", "生命", "起源"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Segment (-want +got):\n%s", diff)
	}
}

func BenchmarkTokens(b *testing.B) {
	a := Default()
	text := strings.Repeat("作为东海青龙山榴辉岩围岩的高压变质的正片麻岩,其白云母的常规40Ar/39Ar年龄和Rb-Sr、Sm-Nd年龄一致。", 4)
	var dst []Token
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		dst = a.Tokens(text, dst[:0])
	}
}

func TestIsStop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		word string
		want bool
	}{
		// cppjieba's function words
		{"以及", true}, {"关于", true}, {"the", true},
		// the words the issue saw as reasons and suggestions
		{"出现", true}, {"低于", true}, {"包括", true}, {"成本", true},
		{"只能", true}, {"以上", true}, {"大于", true}, {"小于", true}, {"达到", true}, {"公司", true},
		// technical terms are not
		{"涡轮叶片", false}, {"激光", false}, {"增材", false}, {"正极材料", false}, {"crispr", false}, {"高温合金", false},
	}
	for _, tt := range tests {
		if got := IsStop(tt.word); got != tt.want {
			t.Errorf("IsStop(%q) = %v, want %v", tt.word, got, tt.want)
		}
	}
}
