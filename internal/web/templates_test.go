package web

import (
	"bytes"
	"html/template"
	"slices"
	"testing"
	"testing/fstest"
)

// TestParsePagesLayout checks the template layout a module relies on: its
// pages at templates/<module>/<action>.html are rendered as
// "<module>/<action>", its partials templates/<module>/_*.html are no pages
// but every page may call them, and the shell's pages keep their names.
func TestParsePagesLayout(t *testing.T) {
	t.Parallel()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	fsys := fstest.MapFS{
		"templates/layout.html":           file(`[{{template "content" .}}]`),
		"templates/partials.html":         file(`{{define "shared"}}shared{{end}}`),
		"templates/home.html":             file(`{{define "content"}}home {{template "shared"}}{{end}}`),
		"templates/project/_toolbar.html": file(`{{define "project_toolbar"}}toolbar{{end}}`),
		"templates/project/list.html":     file(`{{define "content"}}list {{template "project_toolbar"}}{{end}}`),
		"templates/cultivation/list.html": file(`{{define "content"}}other list {{template "project_toolbar"}}{{end}}`),
		"templates/project/notes.txt":     file(`not a template`),
	}
	pages, err := parsePages(fsys, template.FuncMap{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range pages {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"cultivation/list", "home", "project/list"}; !slices.Equal(names, want) {
		t.Fatalf("pages = %q, want %q", names, want)
	}
	for name, want := range map[string]string{"home": "[home shared]", "project/list": "[list toolbar]", "cultivation/list": "[other list toolbar]"} {
		var b bytes.Buffer
		if err := pages[name].ExecuteTemplate(&b, "layout.html", nil); err != nil || b.String() != want {
			t.Errorf("render %s = %q, %v; want %q", name, b.String(), err, want)
		}
	}
}
