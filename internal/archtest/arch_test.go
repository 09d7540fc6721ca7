package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "kechuang"

// rank orders the top-level packages: a package may import only packages of
// a strictly lower rank (and its own subpackages). The modules take one rank
// each, in the order ARCHITECTURE.md gives (directory, cultivation, market,
// project, challenge and event, chain, federation, indicator, dashboard,
// workbench), so a module imports only those before it.
var rank = map[string]int{
	"data":                 0,
	"internal/apperr":      1,
	"internal/secret":      1,
	"internal/i18n":        1,
	"internal/sqldb":       2,
	"internal/sheet":       2,
	"internal/workday":     2,
	"internal/audit":       3,
	"internal/pii":         3,
	"internal/search":      3,
	"internal/region":      4,
	"internal/job":         4,
	"internal/account":     5,
	"internal/notice":      6,
	"internal/dbtest":      6,
	"internal/importer":    6,
	"internal/directory":   10,
	"internal/cultivation": 11,
	"internal/market":      12,
	"internal/project":     13,
	"internal/challenge":   14,
	"internal/event":       14,
	"internal/chain":       15,
	"internal/federation":  16,
	"internal/indicator":   17,
	"internal/dashboard":   18,
	"internal/workbench":   19,
	"internal/web":         21,
	"internal/demo":        22,
	"internal/app":         25,
	"cmd/kechuang":         30,
	"internal/archtest":    40,
}

// testOnly packages may be imported from _test.go files only.
var testOnly = map[string]bool{"internal/dbtest": true, "internal/archtest": true}

// wiring is the package that builds every service; any package's tests may
// import it to run on the real wiring (web's tests do: a second copy of
// the wiring in a test helper is what it replaces).
const wiring = "internal/app"

// topOf maps a package path below the module to its ranked top package:
// internal/search/analysis → internal/search.
func topOf(rel string) (string, bool) {
	for p := rel; p != "." && p != ""; p = filepath.ToSlash(filepath.Dir(p)) {
		if _, ok := rank[p]; ok {
			return p, true
		}
	}
	return "", false
}

func TestImportsFollowTheArchitecture(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	problems, err := check(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// check walks the module at root and returns every forbidden import edge.
func check(root string) ([]string, error) {
	var problems []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			// bench/ is a separate module (it holds the Bleve comparison).
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "bench") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		relDir, _ := filepath.Rel(root, filepath.Dir(path))
		relDir = filepath.ToSlash(relDir)
		from, ok := topOf(relDir)
		if !ok {
			problems = append(problems, relDir+": package has no place in the architecture; give it a rank in arch_test.go")
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		isTest := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p != module && !strings.HasPrefix(p, module+"/") {
				continue
			}
			target, ok := topOf(strings.TrimPrefix(strings.TrimPrefix(p, module), "/"))
			if !ok {
				problems = append(problems, relDir+" imports unranked "+p)
				continue
			}
			rel, _ := filepath.Rel(root, path)
			switch {
			case target == from:
				// within one package tree
			case testOnly[target] && !isTest:
				problems = append(problems, rel+": imports test helper "+p+" outside a _test.go file")
			case isTest && (testOnly[target] || target == wiring || rank[target] < rank[from]):
			case rank[target] >= rank[from]:
				problems = append(problems, rel+": "+from+" must not import "+p)
			}
		}
		return nil
	})
	sort.Strings(problems)
	return problems, err
}

// TestForbiddenEdgesAreCaught guards the checker itself on a small module
// that breaks each rule once.
func TestForbiddenEdgesAreCaught(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := map[string]string{
		"internal/account/bad.go":     "package account\nimport _ \"kechuang/internal/web\"\n",
		"internal/market/bad.go":      "package market\nimport _ \"kechuang/internal/chain\"\n",
		"internal/region/helper.go":   "package region\nimport _ \"kechuang/internal/dbtest\"\n",
		"internal/market/ok.go":       "package market\nimport _ \"kechuang/internal/cultivation\"\n",
		"internal/market/ok_test.go":  "package market\nimport _ \"kechuang/internal/dbtest\"\n",
		"internal/market/wire.go":     "package market\nimport _ \"kechuang/internal/app\"\n",
		"internal/web/wire_test.go":   "package web_test\nimport _ \"kechuang/internal/app\"\n",
		"internal/mystery/mystery.go": "package mystery\n",
	}
	for name, src := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := check(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"internal/account/bad.go: internal/account must not import kechuang/internal/web",
		"internal/market/bad.go: internal/market must not import kechuang/internal/chain",
		"internal/market/wire.go: internal/market must not import kechuang/internal/app",
		"internal/mystery: package has no place in the architecture; give it a rank in arch_test.go",
		"internal/region/helper.go: imports test helper kechuang/internal/dbtest outside a _test.go file",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("check() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
