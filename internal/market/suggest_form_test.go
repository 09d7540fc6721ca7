package market_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"testing"

	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/search/analysis"
	"kechuang/internal/sqldb"
)

// formText is one line of internal/search/testdata/form_texts.jsonl (see
// the README there for how the texts were written and labelled).
type formText struct {
	ID, Kind, Title, Text   string
	Domain, Sub, Discipline string
}

// suggestFormFloor is the measured count of right domains (see
// TestSuggestOnFormTexts); raise it when the suggestion improves.
const suggestFormFloor = 26

func readFormTexts(t *testing.T) []formText {
	t.Helper()
	f, err := os.Open("../search/testdata/form_texts.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []formText
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var x formText
		if err := json.Unmarshal(sc.Bytes(), &x); err != nil {
			t.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

// TestSuggestOnFormTexts: on the hand-written, hand-labelled form texts
// (titles plus two or three sentences, as enterprises and institutes fill
// a 科技局 form), no suggested keyword is a stop word, and the suggested
// high-tech domain (no suggestion counts as wrong) is right at least as
// often as measured for the shipped discipline→domain route: 26 of 64.
// Issue #19's target is 80%, not met yet (docs/BENCHMARKS.md, matching:
// a direct domain model reached 45 of 64); this floor keeps the figure
// from falling unnoticed. The market is empty, as on a new instance.
func TestSuggestOnFormTexts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Open(t, sqldb.SQLite))
	x, err := market.OpenIndexer(context.Background(), f.svc, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	texts := readFormTexts(t)
	right := 0
	for _, ft := range texts {
		s := x.Suggest(ft.Title, ft.Text)
		got := ""
		if s.Domain != nil {
			got = s.Domain.Name
		}
		if got == ft.Domain {
			right++
		} else {
			t.Logf("%s %s: domain %q, want %q (disciplines %+v)", ft.ID, ft.Title, got, ft.Domain, s.Disciplines)
		}
		for _, k := range s.Keywords {
			if analysis.IsStop(k) {
				t.Errorf("%s %s: suggested keyword %q is a stop word (%v)", ft.ID, ft.Title, k, s.Keywords)
			}
		}
	}
	share := float64(right) / float64(len(texts))
	t.Logf("domain right for %d of %d (%.0f%%)", right, len(texts), 100*share)
	if right < suggestFormFloor {
		t.Errorf("suggested domain right for %d of %d texts (%.0f%%), want at least %d", right, len(texts), 100*share, suggestFormFloor)
	}
}
