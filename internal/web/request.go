package web

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// isAPI reports whether r is a JSON API request: /api/ and the
// federation protocol (/federation/), whose errors are problem documents.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/federation/")
}

func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// decodeJSON reads a JSON body into v, refusing unknown fields, trailing
// data and bodies over maxFormBytes. A body cut by the limit names the
// field whose value was being read when it ran out; a string that is not
// text (NUL, control characters other than tab and newline, invalid UTF-8)
// names its field, as a JSON path (contact.name, ip[0].number).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if !isJSON(r) {
		return apperr.New(apperr.Invalid, "request.want_json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			if field := jsonPathAtEnd(body); field != "" {
				return apperr.Fields(apperr.Field(field, "request.field_too_large", maxFormBytes>>20))
			}
			return apperr.New(apperr.Invalid, "request.too_large", maxFormBytes>>20)
		}
		return apperr.Wrap(apperr.Invalid, err, "request.bad_json", err.Error())
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.Wrap(apperr.Invalid, err, "request.bad_json", err.Error())
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "request.bad_json", "trailing data")
	}
	return nil
}

// multiline are the fields whose text may run over several lines (the
// textareas of the forms, the same names in JSON bodies): only they may
// hold newlines and tabs. Every other text field is one line.
var multiline = map[string]bool{"summary": true, "expected": true, "team": true, "message": true, "note": true,
	"reason": true, "text": true, "research": true, "use_of_funds": true, "deletion_reason": true,
	// The project module's long texts.
	"description": true, "progress": true, "next_plan": true, "problem": true, "action_required": true,
	"response": true, "resolution": true, "rating_comment": true,
	// The challenge module's long texts (indicators, criteria, team and
	// milestones are typed one a line).
	"indicators": true, "eligibility": true, "ip_terms": true, "payment_terms": true, "criteria": true, "proposal": true,
	"milestones": true, "declaration": true, "comment": true, "answer": true}

// isMultiline reports whether the field at a form name or JSON path
// (ip[0].number, contact.name) takes several lines.
func isMultiline(path string) bool {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	return multiline[path]
}

// jsonWalk reads the JSON tokens of body and calls visit with the path of
// every string (keys included, as the path of their object). It returns
// the path being read when the tokens ran out or went wrong, with the
// error; a complete body returns "", nil.
func jsonWalk(body []byte, visit func(path, s string) error) (string, error) {
	type frame struct {
		object, wantKey bool
		key             string
		index           int
	}
	var stack []frame
	path := func(withCurrent bool) string {
		var b strings.Builder
		for i, f := range stack {
			if i == len(stack)-1 && !withCurrent {
				break
			}
			switch {
			case f.object && f.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			case !f.object:
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		return b.String()
	}
	// done records that a value of the innermost container is complete.
	done := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err == io.EOF && len(stack) == 0 {
			return "", nil
		}
		if err != nil {
			cur := len(stack) > 0 && !(stack[len(stack)-1].object && stack[len(stack)-1].wantKey)
			return path(cur), err
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				stack = append(stack, frame{object: t == '{', wantKey: t == '{'})
				continue
			}
			stack = stack[:len(stack)-1]
			done()
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				if err := visit(path(false), t); err != nil {
					return "", err
				}
				stack[n-1].key, stack[n-1].wantKey = t, false
				continue
			}
			if err := visit(path(true), t); err != nil {
				return "", err
			}
			done()
		default:
			done()
		}
	}
}

// jsonPathAtEnd names the field whose value a cut JSON body ends in.
func jsonPathAtEnd(prefix []byte) string {
	p, _ := jsonWalk(prefix, func(string, string) error { return nil })
	return p
}

// checkJSONText refuses a body with a string that is not text, naming its
// JSON path: a body that is not UTF-8 names the string the first bad byte
// is in, and a decoded string is checked by apperr.CheckText (tab and
// newline only in multi-line fields).
func checkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		i := 0
		for i < len(body) {
			r, size := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		field := jsonPathAtEnd(body[:i])
		if field == "" {
			field = "body"
		}
		// The position inside the string (escapes before it count as
		// their characters).
		start := bytes.LastIndexByte(body[:i], '"') + 1
		return apperr.Fields(apperr.Field(field, "error.text_encoding", utf8.RuneCount(body[start:i])+1))
	}
	_, err := jsonWalk(body, func(path, s string) error {
		name := path
		if name == "" {
			name = "body"
		}
		if fe, ok := apperr.CheckText(name, s, isMultiline(path)); !ok {
			return apperr.Fields(fe)
		}
		return nil
	})
	if apperr.As(err) != nil {
		return err
	}
	return nil // malformed JSON is Decode's to report
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

// query reads a request's query parameters. Every reader returns the
// parameter's value, or its default when the parameter is absent or empty;
// a value that is present but invalid is collected as a field error named
// after the parameter, and Err returns them all, so that a handler answers
// 422 (an error page naming the parameter, on pages) instead of quietly
// using a default the caller did not ask for.
type query struct {
	v    url.Values
	errs []apperr.FieldError
}

func newQuery(r *http.Request) *query { return &query{v: r.URL.Query()} }

// bad records a refused value of name.
func (q *query) bad(name, key string, args ...any) {
	q.errs = append(q.errs, apperr.Field(name, key, args...))
}

// Text returns the value of name, trimmed; "" when absent. A value with
// control characters or invalid UTF-8 is refused.
func (q *query) Text(name string) string {
	v := strings.TrimSpace(q.v.Get(name))
	if fe, ok := apperr.CheckText(name, v, false); !ok {
		q.errs = append(q.errs, fe)
		return ""
	}
	return v
}

// Int returns the integer value of name in [lo, hi], def when absent.
func (q *query) Int(name string, def, lo, hi int) int {
	v := strings.TrimSpace(q.v.Get(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		if hi == math.MaxInt {
			q.bad(name, "request.query_int_min", lo, v)
		} else {
			q.bad(name, "request.query_int", lo, hi, v)
		}
		return def
	}
	return n
}

// ID returns a positive id in name, 0 when absent.
func (q *query) ID(name string) int64 {
	v := strings.TrimSpace(q.v.Get(name))
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		q.bad(name, "request.query_int_min", 1, v)
		return 0
	}
	return n
}

// Page returns the page (from 1) and the page size (1 to maxPer, def
// when absent).
func (q *query) Page(def, maxPer int) (page, perPage int) {
	return q.PageNumber(), q.Int("per_page", def, 1, maxPer)
}

// PageNumber returns the page, from 1, of a list whose page size is fixed.
func (q *query) PageNumber() int { return q.Int("page", 1, 1, math.MaxInt) }

// Enum returns the value of name when it is one of allowed, "" when absent.
func (q *query) Enum(name string, allowed ...string) string {
	v := q.Text(name)
	if v == "" || slices.Contains(allowed, v) {
		return v
	}
	q.bad(name, "request.query_enum", v)
	return ""
}

// Bool returns the value of name as true or false (also 1 and 0), false
// when absent.
func (q *query) Bool(name string) bool {
	v := strings.TrimSpace(q.v.Get(name))
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		q.bad(name, "request.query_bool", v)
	}
	return b
}

// Date returns the YYYY-MM-DD date in name at midnight in loc; the zero
// time when absent.
func (q *query) Date(name string, loc *time.Location) time.Time {
	v := strings.TrimSpace(q.v.Get(name))
	if v == "" {
		return time.Time{}
	}
	d, err := time.ParseInLocation("2006-01-02", v, loc)
	if err != nil {
		q.bad(name, "error.date_format")
	}
	return d
}

// DateText is Date as the YYYY-MM-DD text, "" when absent or refused.
func (q *query) DateText(name string) string {
	if d := q.Date(name, time.UTC); !d.IsZero() {
		return d.Format("2006-01-02")
	}
	return ""
}

// checkQuery refuses every request with a query parameter that is not
// text (a NUL, another control character, invalid UTF-8) before any
// handler sees it: handlers read their parameters through query, which
// checks the same, but flags like ?done= and ?next= are read directly.
func (s *Server) checkQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, vals := range r.URL.Query() {
			for _, v := range vals {
				if fe, ok := apperr.CheckText(name, v, false); !ok {
					s.writeError(w, r, apperr.Fields(fe))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// regionParam reads ?region=, the one parameter of many staff pages.
func regionParam(r *http.Request) (string, error) {
	q := newQuery(r)
	return q.Text("region"), q.Err()
}

// RegionCode returns the six-digit region code in name, "" when absent.
func (q *query) RegionCode(name string) string {
	v := q.Text(name)
	if v != "" && !regionCodeRE.MatchString(v) {
		q.bad(name, "request.query_region", v)
		return ""
	}
	return v
}

var regionCodeRE = regexp.MustCompile(`^[0-9]{6}$`)

// Err returns every refused value as one Invalid error, or nil.
func (q *query) Err() error {
	if len(q.errs) == 0 {
		return nil
	}
	return apperr.Fields(q.errs...)
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
