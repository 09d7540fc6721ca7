package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
)

// page is what every template receives.
type page struct {
	Lang     string
	Actor    account.Actor
	CSRF     string
	Title    string
	Active   string // nav key of the current section
	Path     string
	Flash    string
	FlashErr string
	Nav      []navItem
	Version  string
	// Unread is the count of the user's unread notices, for the header badge.
	Unread int
	Data   any
}

func (s *Server) newPage(r *http.Request, titleKey, active string, data any) page {
	st := state(r)
	p := page{
		Lang: st.lang, Actor: st.actor, CSRF: st.csrf, Title: i18n.T(st.lang, titleKey),
		Active: active, Path: r.URL.RequestURI(), Nav: navFor(st.actor), Version: s.Version, Data: data,
	}
	if s.Market != nil && st.actor.LoggedIn() {
		// The badge is a convenience: a failed count shows none rather than
		// failing the page.
		p.Unread, _ = s.Market.UnreadCount(r.Context(), st.actor)
	}
	return p
}

// render writes a page, buffering it so that a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		panic("web: no template " + name) // a programmer error: every page is parsed at start-up
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.writeError(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

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

// fieldMessage names the field (and the row, for imports) in lang.
func fieldMessage(lang string, f apperr.FieldError) string {
	msg := i18n.T(lang, "field."+f.Field) + ": " + i18n.T(lang, f.Key, f.Args...)
	if f.Row > 0 {
		msg = i18n.T(lang, "error.row", f.Row) + " " + msg
	}
	return msg
}

// writeError answers with a problem document (API) or an error page.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	st := state(r)
	p := problemFor(err, st.lang, st.id, r.URL.Path)
	if p.Status == http.StatusInternalServerError {
		s.Logger.Error("internal error", "request_id", st.id, "route", r.URL.Path, "err", err)
	}
	if isAPI(r) {
		w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(p.Status)
		_ = json.NewEncoder(w).Encode(p)
		return
	}
	heading := i18n.T(st.lang, "problem."+string(apperr.KindOf(err)))
	pg := s.newPage(r, "error.page_title", "", errorPage{Problem: p, Heading: heading})
	s.render(w, r, p.Status, "error", pg)
}

type errorPage struct {
	Problem
	Heading string
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

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"t":      i18n.T,
		"static": func(name string) string { return s.static.url(name) },
		"roleName": func(lang string, r account.Role) string {
			return i18n.T(lang, "role."+string(r))
		},
		"regionName": func(code string) string {
			if code == "" {
				return ""
			}
			return s.regionLabel(code)
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(chinaTime).Format("2006-01-02 15:04")
		},
		"add": func(a, b int) int { return a + b },
		// percent shows a probability in [0, 1] as a whole percentage.
		"percent": func(p float64) string { return strconv.Itoa(int(math.Round(p*100))) + "%" },
		// args builds the argument of a partial from key, value pairs.
		"args": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("args: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("args: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"wan": yuanToWan,
		"fileSize": func(n int64) string {
			if n >= 1<<20 {
				return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
			}
			return strconv.FormatInt((n+1023)/1024, 10) + " KB"
		},
		"fieldLabel":       cultivation.FieldLabel,
		"certificateTypes": func() []string { return certificateTypes },
		"numPtr": func(v *float64) string {
			if v == nil {
				return "—"
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		},
		"intPtr": func(v *int) string {
			if v == nil {
				return "—"
			}
			return strconv.Itoa(*v)
		},
		"yearAmountFields": func() []string { return yearAmountFields },
		"yearCountFields":  func() []string { return yearCountFields },
		"errText": func(lang string, err error) string {
			if err == nil {
				return ""
			}
			return problemFor(err, lang, "", "").Detail
		},
	}
}

// chinaTime is the zone pages show times in; the database keeps UTC.
var chinaTime = time.FixedZone("CST", 8*3600)

// sendXLSX sends body as the .xlsx download filename.
func sendXLSX(w http.ResponseWriter, filename string, body []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(filename))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

var errNoBlock = errors.New("no such block")

// renderBlock writes one named block of a page, for htmx partial updates.
func (s *Server) renderBlock(w http.ResponseWriter, r *http.Request, page, block string, p page) {
	t, ok := s.pages[page]
	if !ok || t.Lookup(block) == nil {
		s.writeError(w, r, errNoBlock)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, p); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
