package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// fixedClassifier puts every text containing a key of byWord in that key's
// discipline (P 1) and everything else in "A"; Neighbours answers from
// near, when set.
type fixedClassifier struct {
	byWord map[string]string
	near   []Label
}

func (c fixedClassifier) Classify(text string) Topic {
	for w, d := range c.byWord {
		if strings.Contains(text, w) {
			return Topic{Disciplines: []Label{{Name: d, P: 1}}}
		}
	}
	return Topic{Disciplines: []Label{{Name: "A", P: 1}}}
}

func (c fixedClassifier) Neighbours(string) []Label { return c.near }

// shortPackIndex holds shortPackMinListings listings of discipline A that
// share no term with the demand 督伊德教凯尔特人, the one listing that holds
// both terms (discipline B), and one that holds only 凯尔特人 once in a long
// text.
func shortPackIndex(t *testing.T, cls Classifier) *Index {
	t.Helper()
	ix, err := New(Options{Classifier: cls})
	if err != nil {
		t.Fatal(err)
	}
	docs := []Document{
		{ID: "target", Title: "督伊德教与凯尔特人", Text: "督伊德教是古代凯尔特人的宗教。"},
		{ID: "weak", Title: "欧洲古代民族迁徙", Text: "罗马帝国边境的诸多民族之中也有凯尔特人,本文讨论其迁徙路线和定居过程以及与罗马人的交往。"},
	}
	for i := range shortPackMinListings {
		docs = append(docs, Document{ID: fmt.Sprintf("f%04d", i), Title: "图书馆服务", Text: fmt.Sprintf("读者服务第%d号。", i)})
	}
	if err := ix.PutAll(docs, 2); err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestKneeShortPack guards the known item of a rare-term demand: with fewer
// than KneeRank lexical matches there used to be no pack, no knee bonus, and
// a thousand topic-agreeing listings with no shared term ranked above the
// listing that holds every term.
func TestKneeShortPack(t *testing.T) {
	t.Parallel()
	ix := shortPackIndex(t, fixedClassifier{byWord: map[string]string{"督伊德": "B"}})
	// The demand itself is classified A (the fake sees no 督伊德 in it when
	// only 凯尔特人 is asked), so the topic pulls towards the filler.
	demand := Document{Text: "凯尔特人 宗教"}
	w := ix.Weights()
	if !w.KneeShortPack {
		t.Fatal("DefaultWeights().KneeShortPack = false, want true")
	}
	got := ids(ix.Match(demand, MatchOptions{Limit: 3}))
	if len(got) == 0 || got[0] != "target" {
		t.Errorf("Match = %v, want target first", got)
	}
	w.KneeShortPack = false
	ix.SetWeights(w)
	if got := ids(ix.Match(demand, MatchOptions{Limit: 3})); slices.Contains(got, "target") {
		t.Errorf("Match without KneeShortPack = %v: the topic no longer buries the target, the test lost its point", got)
	}
}

func TestMatchMixesNeighbours(t *testing.T) {
	t.Parallel()
	cls := fixedClassifier{near: []Label{{Name: "B", P: 0.5}}}
	ix, err := New(Options{Classifier: cls})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Put(Document{ID: "x", Title: "图书馆服务", Text: "读者服务。"}); err != nil {
		t.Fatal(err)
	}
	hits := ix.Match(Document{Text: "读者服务"}, MatchOptions{})
	if len(hits) != 1 {
		t.Fatalf("Match = %v, want one hit", ids(hits))
	}
	want := []Label{{Name: "A", P: 0.5}, {Name: "B", P: 0.5}}
	if got := hits[0].Explanation.Query.Disciplines; !slices.Equal(got, want) {
		t.Errorf("demand disciplines = %v, want %v (A 1 mixed with a half-confident vote for B)", got, want)
	}
	w := ix.Weights()
	w.Neighbours = 0
	ix.SetWeights(w)
	hits = ix.Match(Document{Text: "读者服务"}, MatchOptions{})
	if got := hits[0].Explanation.Query.Disciplines; !slices.Equal(got, []Label{{Name: "A", P: 1}}) {
		t.Errorf("demand disciplines with Neighbours 0 = %v, want A alone", got)
	}
}
