package data

import (
	"io/fs"
	"testing"
)

// TestEmbeddedFiles guards the embed list: a directory dropped from it would
// only show up at run time, as an empty region table or no rule sets.
func TestEmbeddedFiles(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"regions/areas.csv", "regions/cities.csv", "regions/provinces.csv", "rules/high-tech-2016.json",
		"csl/README.md", "calendar/2025.json", "calendar/2026.json", "projects/major-construction.json", "directory/carriers.json",
		"passwords/common.txt", "passwords/zh-habits.txt"} {
		if _, err := fs.Stat(FS, name); err != nil {
			t.Errorf("embedded %s: %v", name, err)
		}
	}
	rules, err := fs.Glob(FS, "rules/*.json")
	if err != nil || len(rules) < 9 {
		t.Errorf("embedded rule files = %d, %v; want the 9 shipped", len(rules), err)
	}
}
