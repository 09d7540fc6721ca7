package chain_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"kechuang/data"
	"kechuang/internal/chain"
)

func domains(t testing.TB) []string {
	t.Helper()
	d, err := chain.DomainNames(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func fixtureRaw(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/chains/mini-nev.json")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func fixtureChains(t testing.TB) []chain.Chain {
	t.Helper()
	c, err := chain.ParseChain(fixtureRaw(t), domains(t))
	if err != nil {
		t.Fatal(err)
	}
	return []chain.Chain{c}
}

// TestParseChainRefusesBrokenFiles: each rule of the format refuses a file
// that breaks it, naming what is wrong.
func TestParseChainRefusesBrokenFiles(t *testing.T) {
	tests := []struct {
		name   string
		change func(m map[string]any)
		want   string
	}{
		{"valid", func(map[string]any) {}, ""},
		{"bad id", func(m map[string]any) { m["id"] = "NEV 1" }, "id"},
		{"bad version", func(m map[string]any) { m["version"] = "v1" }, "version"},
		{"no sources", func(m map[string]any) { m["sources"] = []any{} }, "sources"},
		{"unknown field", func(m map[string]any) { m["colour"] = "red" }, "unknown field"},
		{"segments out of order", func(m map[string]any) {
			s := m["segments"].([]any)
			s[0], s[1] = s[1], s[0]
		}, "segments[0]"},
		{"too few links", func(m map[string]any) { m["links"] = m["links"].([]any)[:5] }, "want 20–40"},
		{"duplicate link", func(m map[string]any) { link(m, 2)["id"] = "cathode" }, "duplicate id"},
		{"missing parent", func(m map[string]any) { link(m, 1)["parent"] = "nowhere" }, "parent \"nowhere\" does not exist"},
		{"parent in another segment", func(m map[string]any) { link(m, 1)["parent"] = "battery" }, "is in segment"},
		{"cycle", func(m map[string]any) { link(m, 0)["parent"] = "cathode" }, "cycle"},
		{"two keywords", func(m map[string]any) { link(m, 3)["keywords"] = []any{"电解液", "锂盐"} }, "want at least 3"},
		{"long keyword", func(m map[string]any) {
			link(m, 3)["keywords"] = []any{"电解液", "锂盐", "一个很长很长的关键词啊"}
		}, "keyword"},
		{"bad class", func(m map[string]any) { link(m, 3)["industry_classes"] = []any{"3985"} }, "industry class"},
		{"no class", func(m map[string]any) { link(m, 3)["industry_classes"] = []any{} }, "at least one industry class"},
		{"unknown domain", func(m map[string]any) { link(m, 3)["domains"] = []any{"量子玄学/测试"} }, "not a high-tech domain"},
		{"no name_en", func(m map[string]any) { link(m, 3)["name_en"] = "" }, "name and name_en"},
		{"supply to nowhere", func(m map[string]any) {
			m["supplies"] = append(m["supplies"].([]any), map[string]any{"from": "cathode", "to": "moon"})
		}, "does not exist"},
		{"self loop", func(m map[string]any) {
			m["supplies"] = append(m["supplies"].([]any), map[string]any{"from": "cell", "to": "cell"})
		}, "supplies itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(fixtureRaw(t), &m); err != nil {
				t.Fatal(err)
			}
			tt.change(m)
			raw, _ := json.Marshal(m)
			_, err := chain.ParseChain(raw, domains(t))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("ParseChain = %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("ParseChain = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func link(m map[string]any, i int) map[string]any { return m["links"].([]any)[i].(map[string]any) }

// TestLoadBook loads every chain file of a folder, skips the rules and the
// labelled firms, and refuses a file whose id is not its name.
func TestLoadBook(t *testing.T) {
	raw := fixtureRaw(t)
	fsys := fstest.MapFS{
		"chains/mini-nev.json":        {Data: raw},
		"chains/strength.json":        {Data: []byte(`{}`)},
		"chains/labelled_firms.json":  {Data: []byte(`{"firms": []}`)},
		"chains/README.md":            {Data: []byte("说明")},
		"other/mini-nev.json.example": {Data: raw},
	}
	b, err := chain.LoadBook(fsys, "chains", domains(t))
	if err != nil || len(b.Chains) != 1 || b.Chains[0].ID != "mini-nev" {
		t.Fatalf("LoadBook = %v, %v", b, err)
	}
	fsys["chains/other.json"] = &fstest.MapFile{Data: raw}
	if _, err := chain.LoadBook(fsys, "chains", domains(t)); err == nil || !strings.Contains(err.Error(), "other.json") {
		t.Fatalf("LoadBook with a misnamed file = %v, want an error naming it", err)
	}
}

// TestShippedChainsLoad: the chains and the strength rules that ship in
// data/chains load.
func TestShippedChainsLoad(t *testing.T) {
	b, err := chain.LoadBook(data.FS, "chains", domains(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d chains ship", len(b.Chains))
	if _, err := chain.LoadRules(data.FS, "chains/strength.json"); err != nil {
		t.Fatal(err)
	}
}

func TestNeighboursAndSuppliers(t *testing.T) {
	c := fixtureChains(t)[0]
	if got := strings.Join(c.Suppliers("cell"), " "); got != "cathode anode electrolyte separator" {
		t.Errorf("Suppliers(cell) = %q", got)
	}
	got := c.Neighbours("cathode")
	for _, want := range []string{"cell", "materials", "anode"} {
		if !contains(got, want) {
			t.Errorf("Neighbours(cathode) = %v, want %s among them", got, want)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
