package search

import (
	"slices"
	"testing"
)

// TestSuggestKeywordsNoSegmentationFragments: a word the segmenter cut
// across a more common word (后叶 in 修复后叶片, where 叶片 is meant) is
// not proposed, while the same kind of word standing whole is.
func TestSuggestKeywordsNoSegmentationFragments(t *testing.T) {
	t.Parallel()
	ix, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text      string
		want, not []string
	}{
		{"激光增材修复后叶片性能达到新件的九成，修复后叶片无裂纹。", []string{"修复"}, []string{"后叶"}},
		{"涡轮叶片前缘磨损严重，叶片裂纹需要激光修复。", []string{"叶片", "裂纹"}, nil},
	}
	for _, tt := range tests {
		got := ix.SuggestKeywords(tt.text, 32)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("SuggestKeywords(%q) = %v, want %q", tt.text, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("SuggestKeywords(%q) = %v: fragment %q", tt.text, got, w)
			}
		}
	}
}
