package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// staticFiles serves the embedded assets. URLs carry a content hash
// (?v=…), so a matching request may be cached for a year and a new build
// is fetched at once.
type staticFiles struct {
	files map[string]staticFile // by path below static/
	// notFound answers a name that is not there (the styled 404 page).
	notFound http.HandlerFunc
}

type staticFile struct {
	body []byte
	hash string
	mime string
}

func newStaticFiles(fsys fs.FS, root string) (*staticFiles, error) {
	sf := &staticFiles{files: map[string]staticFile{}}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		mt := mime.TypeByExtension(path.Ext(p))
		if path.Ext(p) == ".ico" {
			mt = "image/vnd.microsoft.icon" // not in Go's own table, and machines' tables differ
		}
		if mt == "" {
			mt = "application/octet-stream"
		}
		sf.files[strings.TrimPrefix(p, root+"/")] = staticFile{body: body, hash: hex.EncodeToString(sum[:6]), mime: mt}
		return nil
	})
	return sf, err
}

// url returns the versioned URL of an asset; it panics on an unknown name,
// which every page render at start-up or in tests would reveal.
// has reports whether the file name is embedded.
func (sf *staticFiles) has(name string) bool {
	_, ok := sf.files[name]
	return ok
}

func (sf *staticFiles) url(name string) string {
	f, ok := sf.files[name]
	if !ok {
		panic(fmt.Sprintf("web: no static file %q", name))
	}
	return "/static/" + name + "?v=" + f.hash
}

func (sf *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sf.serve(w, r, strings.TrimPrefix(r.URL.Path, "/static/"))
}

// file serves the asset name at a fixed, unversioned URL (/favicon.ico,
// which browsers ask for by that name); it may be cached for a day.
func (sf *staticFiles) file(name string) http.HandlerFunc {
	if _, ok := sf.files[name]; !ok {
		panic(fmt.Sprintf("web: no static file %q", name))
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		sf.serve(w, r, name)
	}
}

func (sf *staticFiles) serve(w http.ResponseWriter, r *http.Request, name string) {
	f, ok := sf.files[name]
	if !ok {
		if sf.notFound != nil {
			sf.notFound(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.mime)
	switch {
	case r.URL.Query().Get("v") == f.hash:
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	case w.Header().Get("Cache-Control") == "":
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", `"`+f.hash+`"`)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
}
