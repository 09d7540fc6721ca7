package web

import (
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
)

// maxFormBytes caps form and JSON bodies of ordinary requests.
const maxFormBytes = 1 << 20

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// decodeJSON reads a JSON body into v, refusing unknown fields, trailing
// data and bodies over maxFormBytes.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if !isJSON(r) {
		return apperr.New(apperr.Invalid, "request.want_json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.Wrap(apperr.Invalid, err, "request.bad_json", err.Error())
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "request.bad_json", "trailing data")
	}
	return nil
}

// pathID parses the {id} path value; a malformed id is NotFound, as an
// absent one would be.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "error.not_found")
	}
	return id, nil
}

// queryInt reads a positive integer query parameter, def when absent or bad.
func queryInt(r *http.Request, name string, def int) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < 1 {
		return def
	}
	return n
}

// safeNext returns next when it is a local path, "/" otherwise, so that a
// login link cannot redirect to another site.
// redirectBack answers a form with 303 to its "next" field (a local path)
// or, without one, to fallback.
func redirectBack(w http.ResponseWriter, r *http.Request, fallback string) {
	next := r.PostFormValue("next")
	if next == "" {
		next = fallback
	}
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
