package web

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
)

// maxFormBytes caps form and JSON bodies of ordinary requests.
const maxFormBytes = 1 << 20

// maxUploadBytes caps an uploaded spreadsheet (the sheet reader caps what
// it unzips on top of this).
const maxUploadBytes = 20 << 20

// uploadBodyBytes is the body limit of a route that takes an upload: the
// file and the form's other fields.
const uploadBodyBytes = maxUploadBytes + 1<<20

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

// redirectBack answers a form with 303 to its "next" field (a local path)
// or, without one, to fallback.
func redirectBack(w http.ResponseWriter, r *http.Request, fallback string) {
	next := r.PostFormValue("next")
	if next == "" {
		next = fallback
	}
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// safeNext returns next when it is a local path, "/" otherwise, so that a
// login link cannot redirect to another site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// errNotNumber is what formNumber returns for text that is not a number;
// pages show it as error.number beside the field.
var errNotNumber = errors.New("not a number")

// formNumber reads a number typed into a form: surrounding spaces and
// thousands separators (1,200.5) are ignored. An empty field is nil; text
// that is not a finite number is errNotNumber.
func formNumber(v string) (*float64, error) {
	v = strings.TrimSpace(strings.ReplaceAll(v, ",", ""))
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errNotNumber
	}
	return &f, nil
}

// splitList splits a list typed into one field on the separators people
// use: commas (half- and full-width), 、 and semicolons.
func splitList(s string) []string {
	f := func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' }
	var out []string
	for _, p := range strings.FieldsFunc(s, f) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// apiActor returns the signed-in actor of an API request, answering 401
// itself when there is none.
func (s *Server) apiActor(w http.ResponseWriter, r *http.Request) (account.Actor, bool) {
	st := state(r)
	if !st.actor.LoggedIn() {
		s.writeError(w, r, apperr.New(apperr.Unauthenticated, "session.required"))
		return account.Actor{}, false
	}
	return st.actor, true
}

// apiActorID is apiActor for routes with an {id}: it also parses the id,
// answering the request itself when either is missing.
func (s *Server) apiActorID(w http.ResponseWriter, r *http.Request) (account.Actor, int64, bool) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return actor, 0, false
	}
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return actor, 0, false
	}
	return actor, id, true
}
