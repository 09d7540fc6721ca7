package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

var kindStatus = map[apperr.Kind]int{
	apperr.Invalid:         http.StatusUnprocessableEntity,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.Locked:          http.StatusLocked,
	apperr.TooMany:         http.StatusTooManyRequests,
	apperr.Internal:        http.StatusInternalServerError,
}

// kindTitle is the problem title: Chinese, stable, one per kind.
var kindTitle = map[apperr.Kind]string{
	apperr.Invalid:         "输入有误",
	apperr.NotFound:        "未找到",
	apperr.Conflict:        "冲突",
	apperr.Forbidden:       "无权操作",
	apperr.Unauthenticated: "未登录",
	apperr.Locked:          "账户已锁定",
	apperr.TooMany:         "请求过多",
	apperr.Internal:        "内部错误",
}

// FieldProblem is one bad field in a problem response.
type FieldProblem struct {
	Row     int    `json:"row,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail"`
	Instance  string         `json:"instance,omitempty"`
	RequestID string         `json:"request_id"`
	Errors    []FieldProblem `json:"errors,omitempty"`
}

// problemFor turns err into a Problem in lang. Internal errors show only a
// generic message and the request id: their text is for the log.
func problemFor(err error, lang, requestID, instance string) Problem {
	kind := apperr.KindOf(err)
	p := Problem{Type: "urn:kechuang:problem:" + string(kind), Title: kindTitle[kind], Status: kindStatus[kind],
		Instance: instance, RequestID: requestID}
	e := apperr.As(err)
	if kind == apperr.Internal || e == nil {
		p.Detail = i18n.T(lang, "error.internal", requestID)
		return p
	}
	p.Detail = i18n.T(lang, e.Key, e.Args...)
	for _, f := range e.Fields {
		p.Errors = append(p.Errors, FieldProblem{Row: f.Row, Field: f.Field, Message: fieldMessage(lang, f)})
	}
	if len(p.Errors) > 0 {
		var parts []string
		for _, fp := range p.Errors {
			parts = append(parts, fp.Message)
		}
		p.Detail = strings.Join(parts, "；")
	}
	return p
}

// fieldMessage names the field (and the row, for imports) in lang: by its
// label, or as the client wrote it (a JSON path, a query parameter) when
// the catalog has none.
func fieldMessage(lang string, f apperr.FieldError) string {
	label := f.Field
	if i18n.Has("field." + f.Field) {
		label = i18n.T(lang, "field."+f.Field)
	}
	msg := label + ": " + i18n.T(lang, f.Key, f.Args...)
	if f.Row > 0 {
		msg = i18n.T(lang, "error.row", f.Row) + " " + msg
	}
	return msg
}

// writeError answers with a problem document (API) or an error page. An
// error that says when to try again (apperr.Error.RetryAfter) sets
// Retry-After.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeErrorStatus(w, r, 0, err)
}

// writeErrorStatus is writeError with the status forced to status (when
// not 0), for the few answers whose status the kind does not decide (413).
func (s *Server) writeErrorStatus(w http.ResponseWriter, r *http.Request, status int, err error) {
	st := state(r)
	p := problemFor(err, st.lang, st.id, r.URL.Path)
	if status != 0 {
		p.Status = status
	}
	if p.Status == http.StatusInternalServerError {
		s.Logger.Error("internal error", "request_id", st.id, "route", r.URL.Path, "err", err)
	}
	if p.Status == http.StatusForbidden {
		s.recordDenied(r, err) // a security event (#18 §6)
	}
	setRetryAfter(w, err)
	s.writeProblem(w, r, p, i18n.T(st.lang, "problem."+string(apperr.KindOf(err))))
}

// setRetryAfter sets Retry-After (whole seconds, rounded up) when err says
// how long to wait.
func setRetryAfter(w http.ResponseWriter, err error) {
	if e := apperr.As(err); e != nil && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10))
	}
}

// writeProblem answers with p: the problem document under /api/, the
// error page under heading otherwise.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, p Problem, heading string) {
	if isAPI(r) {
		w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(p.Status)
		_ = json.NewEncoder(w).Encode(p)
		return
	}
	data := errorPage{Problem: p, Heading: heading}
	// The way back: the page the user came from, when it is one of ours.
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != r.URL.Path {
		if back := safeNext(ref.RequestURI()); back != "/" {
			data.Back = back
		}
	}
	pg := s.newPage(r, "error.page_title", "", data)
	s.render(w, r, p.Status, "error", pg)
}

type errorPage struct {
	Problem
	Heading string
	// Back is the local page the user came from, "" when unknown.
	Back string
}

// formErrors maps field names to messages for inline display next to inputs.
func formErrors(lang string, err error) map[string]string {
	e := apperr.As(err)
	if e == nil {
		return nil
	}
	out := map[string]string{}
	for _, f := range e.Fields {
		out[f.Field] = i18n.T(lang, f.Key, f.Args...)
	}
	return out
}

// isFormError reports whether err should be shown inline on the form
// rather than as an error page.
func isFormError(err error) bool {
	e := apperr.As(err)
	return e != nil && (len(e.Fields) > 0 || e.Kind == apperr.Invalid)
}

// formStatus is the status of a page shown again with err beside its form:
// 409 for a conflict (the record changed meanwhile), 403 for a refusal, 422
// for bad fields and anything else.
func formStatus(err error) int {
	switch k := apperr.KindOf(err); k {
	case apperr.Conflict, apperr.Forbidden:
		return kindStatus[k]
	}
	return http.StatusUnprocessableEntity
}

// errorText is the message of err in lang, as a page shows it beside a form.
func errorText(lang string, err error) string { return problemFor(err, lang, "", "").Detail }

// nonNil returns s, or an empty slice for nil, so that JSON says [] where
// the document promises an array.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// listResponse is a page of a list in the API.
type listResponse[T any] struct {
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Items   []T `json:"items"`
}

// sendFile sends body as a download named filename: never shown inline,
// never kept in a shared or local cache (exports and attachments hold
// private data).
func sendFile(w http.ResponseWriter, contentType, filename string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(filename))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// sendXLSX sends an .xlsx workbook as a download.
func sendXLSX(w http.ResponseWriter, filename string, body []byte) {
	sendFile(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename, body)
}

// cookieName is the name a cookie of ours has on this request: under HTTPS
// the __Host- prefix, which browsers accept only from a secure origin with
// Path=/ and no Domain, so that no sibling host or plain-HTTP page can set
// or shadow it.
func cookieName(r *http.Request, base string) string {
	if state(r).https {
		return "__Host-" + base
	}
	return base
}

// setCookie sets one of our cookies: HttpOnly, SameSite=Lax, Path=/,
// Secure and __Host- prefixed under HTTPS; maxAge 0 makes it end with the
// browser, a negative one deletes it.
func setCookie(w http.ResponseWriter, r *http.Request, base, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(r, base), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: state(r).https, SameSite: http.SameSiteLaxMode})
}

// setSessionCookie sets the session cookie with no Max-Age, so it ends with
// the browser as well as with the server-side idle timeout.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, sess account.Session) {
	setCookie(w, r, sessionCookie, sess.Token, 0)
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	setCookie(w, r, name, "", -1)
}
