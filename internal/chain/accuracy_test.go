package chain_test

import (
	"encoding/json"
	"io/fs"
	"testing"

	"kechuang/data"
	"kechuang/internal/chain"
)

// LabelledFirm is one hand-labelled demo firm of
// data/chains/labelled_firms.json.
type LabelledFirm struct {
	Name        string   `json:"name"`
	Industry    string   `json:"industry"`
	Domain      string   `json:"domain"`
	Products    []string `json:"products"`
	Description string   `json:"description"`
	Chain       string   `json:"chain"`
	Link        string   `json:"link"`
}

func labelled(t testing.TB) ([]chain.Chain, []LabelledFirm) {
	t.Helper()
	raw, err := fs.ReadFile(data.FS, "chains/labelled_firms.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Note  string         `json:"note"`
		Firms []LabelledFirm `json:"firms"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	b, err := chain.LoadBook(data.FS, "chains", domains(t))
	if err != nil {
		t.Fatal(err)
	}
	return b.Chains, file.Firms
}

type accuracy struct{ n, top1, top3, chainTop1, none int }

func measure(chains []chain.Chain, firms []LabelledFirm, withText bool) accuracy {
	var acc accuracy
	for _, f := range firms {
		s := chain.Subject{Kind: chain.SubjectEnterprise, Name: f.Name, Industry: f.Industry, Domain: f.Domain, Products: f.Products}
		if withText {
			s.Description = f.Description
		}
		got := chain.Suggest(chains, s, 3)
		acc.n++
		if len(got) == 0 {
			acc.none++
			continue
		}
		if got[0].ChainID == f.Chain {
			acc.chainTop1++
		}
		for i, g := range got {
			if g.ChainID == f.Chain && g.LinkID == f.Link {
				if i == 0 {
					acc.top1++
				}
				acc.top3++
				break
			}
		}
	}
	return acc
}

func pct(k, n int) float64 { return 100 * float64(k) / float64(max(n, 1)) }

// TestSuggestionAccuracy measures the placement suggestions on the
// hand-labelled firms: the labelled link first (top-1) or among the first
// three (top-3), with the firm's description (as the file gives it) and
// without (what the registry holds: name, codes and products). The
// figures go to docs/BENCHMARKS.md; the floor guards against a change
// that breaks the matcher.
func TestSuggestionAccuracy(t *testing.T) {
	chains, firms := labelled(t)
	for _, withText := range []bool{true, false} {
		acc := measure(chains, firms, withText)
		t.Logf("description=%v: %d firms, top-1 link %d (%.1f%%), top-3 link %d (%.1f%%), top-1 chain %.1f%%, no suggestion %d",
			withText, acc.n, acc.top1, pct(acc.top1, acc.n), acc.top3, pct(acc.top3, acc.n), pct(acc.chainTop1, acc.n), acc.none)
		if withText && pct(acc.top3, acc.n) < 50 {
			t.Errorf("top-3 accuracy %.1f%% under 50%%", pct(acc.top3, acc.n))
		}
	}
}

func BenchmarkSuggest(b *testing.B) {
	chains, firms := labelled(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := firms[i%len(firms)]
		chain.Suggest(chains, chain.Subject{Name: f.Name, Industry: f.Industry, Domain: f.Domain, Products: f.Products,
			Description: f.Description}, 3)
	}
}
