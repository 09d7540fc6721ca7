package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
)

const (
	sessionCookie = "kc_session"
	langCookie    = "kc_lang"
	// preCSRFCookie carries the CSRF token of visitors without a session
	// (the login form), checked by double submit.
	preCSRFCookie = "kc_csrf"
	csrfField     = "csrf_token"
	csrfHeader    = "X-CSRF-Token"
)

// reqState is what the middleware learns about a request, carried in its
// context and read by handlers through state(r).
type reqState struct {
	id      string
	lang    string
	actor   account.Actor
	session account.Session
	// csrf is the token forms of this request must carry.
	csrf string
	// sessionExpired is set when a cookie named a session that has ended.
	sessionExpired bool
	// route is filled by the mux wrapper, for metrics and logs.
	route string
	// clientAddr is the client's address: the TCP peer, or the address a
	// trusted proxy forwarded (see realClient).
	clientAddr string
	// https is set when the client's connection is TLS: ours, or a
	// trusted proxy's that says so in X-Forwarded-Proto.
	https bool
}

type stateKey struct{}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{lang: i18n.Chinese}
}

func (s *Server) middleware(mux *http.ServeMux) http.Handler {
	// Innermost: answer what no route matches with our own pages, and
	// record the matched route pattern where the outer layers can read it
	// (the mux sets r.Pattern on its own copy of the request).
	routed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			s.serveUnmatched(w, r)
			return
		}
		mux.ServeHTTP(w, r)
		state(r).route = r.Pattern
	})
	return s.recoverPanics(s.observe(s.secureHeaders(s.loadSession(s.limitBody(s.checkQuery(s.checkCSRF(s.forcePasswordChange(s.forceMFAEnrolment(routed)))))))))
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Logger.Error("panic", "request_id", state(r).id, "panic", p, "stack", string(debug.Stack()))
				s.writeError(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// clientAddr is the request's client address (see realClient), for audit
// rows, sessions and login throttling.
func clientAddr(r *http.Request) string { return state(r).clientAddr }

// realClient returns the client's address and whether its connection is
// HTTPS. The TCP peer is the client unless it is one of TrustedProxies:
// then X-Forwarded-For is read from the right, skipping trusted proxies,
// and the first other address is the client; X-Forwarded-Proto from a
// trusted peer says whether the client used HTTPS. From anyone else both
// headers are ignored, so a client cannot choose its own address.
func (s *Server) realClient(r *http.Request) (addr string, https bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	https = r.TLS != nil
	if !s.trusted(host) {
		return host, https
	}
	if proto := r.Header.Get("X-Forwarded-Proto"); proto != "" {
		p, _, _ := strings.Cut(proto, ",")
		https = strings.EqualFold(strings.TrimSpace(p), "https")
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		ip, err := netip.ParseAddr(hop)
		if err != nil {
			// A hop we cannot read ends the chain we can trust.
			break
		}
		host = ip.Unmap().String()
		if !s.trusted(host) {
			break
		}
	}
	return host, https
}

// trusted reports whether addr is inside one of TrustedProxies.
func (s *Server) trusted(addr string) bool {
	if len(s.TrustedProxies) == 0 {
		return false
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &reqState{id: newRequestID()}
		st.clientAddr, st.https = s.realClient(r)
		st.lang = requestLang(r, st.https)
		ctx := context.WithValue(r.Context(), stateKey{}, st)
		ctx = audit.WithRequest(ctx, st.clientAddr, st.id)
		sw := &statusWriter{ResponseWriter: w}
		sw.Header().Set("X-Request-ID", st.id)
		next.ServeHTTP(sw, r.WithContext(ctx))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		route := st.route
		if route == "" {
			route = "unmatched"
		}
		s.metrics.observe(route, r.Method, sw.status, elapsed)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.Logger.Log(ctx, level, "request", "request_id", st.id, "method", r.Method, "route", route,
			"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(elapsed.Microseconds())/1000,
			"user_id", st.actor.UserID)
	})
}

func requestLang(r *http.Request, https bool) string {
	name := langCookie
	if https {
		name = "__Host-" + langCookie
	}
	if c, err := r.Cookie(name); err == nil {
		return i18n.Normalize(c.Value)
	}
	return i18n.Chinese
}

// contentSecurityPolicy allows no inline script or style and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if state(r).https {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(cookieName(r, sessionCookie)); err == nil && c.Value != "" {
			actor, sess, err := s.Accounts.Authenticate(r.Context(), c.Value)
			switch {
			case err == nil:
				st.actor, st.session, st.csrf = actor, sess, sess.CSRFToken
			case apperr.Is(err, apperr.Unauthenticated):
				st.sessionExpired = true
				s.clearCookie(w, r, sessionCookie)
			default:
				s.writeError(w, r, err)
				return
			}
		}
		if !st.actor.LoggedIn() {
			st.csrf = s.preSessionToken(w, r)
		}
		next.ServeHTTP(w, r)
	})
}

// preSessionToken returns the visitor's pre-session CSRF token, setting the
// cookie when the visitor has none yet.
func (s *Server) preSessionToken(w http.ResponseWriter, r *http.Request) string {
	name := cookieName(r, preCSRFCookie)
	if c, err := r.Cookie(name); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	setCookie(w, r, preCSRFCookie, token, 0)
	// The token the form carries must be the one the cookie will carry.
	r.AddCookie(&http.Cookie{Name: name, Value: token})
	return token
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF refuses every state-changing request that does not carry the
// request's CSRF token in the form field or the X-CSRF-Token header. The
// exception is a JSON API request without a session (the login, the public
// assessment calculator): it carries no cookie authority, and a cross-site
// form cannot send JSON (that needs a CORS preflight we never grant).
func (s *Server) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if safeMethod(r.Method) {
			next.ServeHTTP(w, r)
			return
		}
		if _, pattern := s.mux.Handler(r); pattern == "" {
			// No route: the answer is a 404 or 405 page that changes
			// nothing, and a form that missed its route should hear that,
			// not that its token is stale.
			next.ServeHTTP(w, r)
			return
		}
		st := state(r)
		if !st.actor.LoggedIn() && isAPI(r) && isJSON(r) {
			// No session, so no ambient authority to abuse: the JSON login
			// and the public calculators need no token.
			next.ServeHTTP(w, r)
			return
		}
		got := r.Header.Get(csrfHeader)
		if got == "" {
			var err error
			if got, err = s.formToken(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		ok := false
		if st.actor.LoggedIn() {
			ok = st.session.CheckCSRF(got)
		} else {
			ok = got != "" && constantTimeEqual(got, st.csrf)
		}
		if !ok {
			s.writeError(w, r, apperr.New(apperr.Forbidden, "csrf.invalid"))
			return
		}
		// A visitor's upload is not read before its handler has looked at
		// the session (uploads need one): the body stays unread.
		upload := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
		if isURLEncoded(r) || (upload && st.actor.LoggedIn()) {
			// A form sent with the header token is read here too, so that
			// every form gets the same limits and text check.
			if _, err := readForm(w, r); err != nil {
				s.writeError(w, r, err)
				return
			}
			if err := checkFormText(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// formToken reads the CSRF token of a form post without reading more of
// the body than the token needs: a multipart form must send csrf_token as
// its first part (our forms do) and only that part is parsed — from at most
// multipartPeek bytes, which are then handed on with the rest of the body;
// an url-encoded form is parsed whole but never beyond maxFormBytes. So a
// request that fails the check costs the server almost nothing, whatever
// its size (issue #18 §7).
func (s *Server) formToken(r *http.Request) (string, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		return firstPartToken(r, params["boundary"]), nil
	case "application/x-www-form-urlencoded":
		// readForm streams the form with a cap per field and in all, so a
		// too-long field is cut (and later named) while the token after it
		// still arrives.
		if _, err := readForm(nil, r); err != nil {
			return "", err
		}
		return r.PostForm.Get(csrfField), nil
	}
	return "", nil
}

// multipartPeek is how much of a multipart body formToken reads to find the
// csrf_token part.
const multipartPeek = 8 << 10

// firstPartToken returns the value of the multipart body's first part when
// that part is csrf_token and lies within the first multipartPeek bytes,
// "" otherwise; r.Body is replaced by the bytes read followed by the rest.
func firstPartToken(r *http.Request, boundary string) string {
	if boundary == "" {
		return ""
	}
	head := make([]byte, multipartPeek)
	n, _ := io.ReadFull(r.Body, head)
	head = head[:n]
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	part, err := multipart.NewReader(bytes.NewReader(head), boundary).NextPart()
	if err != nil || part.FormName() != csrfField {
		return ""
	}
	v, err := io.ReadAll(io.LimitReader(part, 256))
	if err != nil {
		return ""
	}
	return string(v)
}

// limitBody bounds every request's body before anything reads it: the
// route's own limit (declared with the route, see bodyLimit) or
// maxFormBytes. A body that declares a larger Content-Length is refused
// before a byte of it is read.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxFormBytes)
		if (isURLEncoded(r) || isJSON(r)) && state(r).actor.LoggedIn() {
			// Forms and JSON are read as streams that keep at most
			// maxFormBytes (readForm, decodeJSON): a signed-in user's body
			// up to maxFormStream is read so that the field that was too
			// long can be named, instead of refusing the whole request
			// unread. A visitor's is not worth reading that far.
			limit = maxFormStream
		}
		if _, pattern := s.mux.Handler(r); pattern != "" {
			if l, ok := s.bodyLimits[pattern]; ok {
				limit = l
			}
		}
		if r.ContentLength > limit {
			err := apperr.New(apperr.Invalid, "request.too_large", limit>>10)
			if limit > maxFormBytes {
				// Only uploads have a larger limit: say the file's.
				err = apperr.New(apperr.Invalid, "import.too_large", maxUploadBytes>>20)
			}
			s.writeErrorStatus(w, r, http.StatusRequestEntityTooLarge, err)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// forceMFAEnrolment keeps a user whose role needs a second factor, and who
// has none, on the enrolment page until one is set up.
func (s *Server) forceMFAEnrolment(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		p := r.URL.Path
		if !st.actor.MustEnrolMFA || (st.actor.MustChangePassword && (p == "/account" || p == "/account/password")) ||
			strings.HasPrefix(p, "/account/mfa") || strings.HasPrefix(p, "/api/v1/me/mfa") ||
			p == "/logout" || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/lang/") || p == "/api/v1/session" ||
			p == "/api/v1/me" || p == "/healthz" || p == "/readyz" || p == "/favicon.ico" {
			next.ServeHTTP(w, r)
			return
		}
		if isAPI(r) {
			s.writeError(w, r, apperr.New(apperr.Forbidden, "mfa.must_enrol"))
			return
		}
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
	})
}

// forcePasswordChange keeps a user whose password an administrator set, or
// whose password expired, on the account page until the password is changed.
func (s *Server) forcePasswordChange(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		if !st.actor.MustChangePassword {
			next.ServeHTTP(w, r)
			return
		}
		p := r.URL.Path
		allowed := p == "/account" || p == "/account/password" || p == "/logout" || strings.HasPrefix(p, "/static/") ||
			strings.HasPrefix(p, "/lang/") || p == "/api/v1/session" || p == "/api/v1/me" || p == "/healthz" || p == "/readyz"
		if allowed {
			next.ServeHTTP(w, r)
			return
		}
		if isAPI(r) {
			key := "account.must_change_password"
			if st.actor.PasswordExpired {
				key = "account.password_expired_short"
			}
			s.writeError(w, r, apperr.New(apperr.Forbidden, key))
			return
		}
		http.Redirect(w, r, "/account?must_change=1", http.StatusSeeOther)
	})
}

// requireLogin sends visitors without a session to the login page (pages)
// or answers 401 (API).
func (s *Server) requireLogin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		if st.actor.LoggedIn() {
			h(w, r)
			return
		}
		if isAPI(r) || !safeMethod(r.Method) {
			key := "session.required"
			if st.sessionExpired {
				key = "session.expired"
			}
			s.writeError(w, r, apperr.New(apperr.Unauthenticated, key))
			return
		}
		q := "next=" + urlQueryEscape(r.URL.RequestURI())
		if st.sessionExpired {
			q += "&expired=1"
		}
		http.Redirect(w, r, "/login?"+q, http.StatusSeeOther)
	}
}
