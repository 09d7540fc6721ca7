package search

import (
	"fmt"
	"testing"
)

// TestSpecific: in a small index every word but stop words explains a
// match; from 200 documents on, a word in more than 5% of them does not.
func TestSpecific(t *testing.T) {
	t.Parallel()
	ix, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	put := func(i int, text string) {
		if err := ix.Put(Document{ID: fmt.Sprint(i), Title: text}); err != nil {
			t.Fatal(err)
		}
	}
	put(0, "高镍正极材料包覆技术")
	if !ix.Specific("技术") || !ix.Specific("正极") {
		t.Errorf("a small index: Specific(技术) = %v, Specific(正极) = %v, want both true", ix.Specific("技术"), ix.Specific("正极"))
	}
	for i := 1; i < 250; i++ {
		text := fmt.Sprintf("第%d号产品的生产技术", i)
		if i%100 == 0 {
			text += "，正极"
		}
		put(i, text)
	}
	tests := []struct {
		term string
		want bool
	}{
		{"技术", false}, // in every document
		{"正极", true},  // in 3 of 250
		{"的", false},  // a stop word
		{"量子", true},  // in none
	}
	for _, tt := range tests {
		if got := ix.Specific(tt.term); got != tt.want {
			t.Errorf("Specific(%q) = %v, want %v", tt.term, got, tt.want)
		}
	}
}
