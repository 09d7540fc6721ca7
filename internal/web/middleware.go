package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
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
	return s.recoverPanics(s.observe(s.secureHeaders(s.loadSession(s.checkCSRF(s.forcePasswordChange(routed))))))
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

// clientAddr is the TCP peer. X-Forwarded-For is not trusted: a deployment
// behind a proxy sets the real address at the proxy's access log.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &reqState{id: newRequestID(), lang: requestLang(r)}
		ctx := context.WithValue(r.Context(), stateKey{}, st)
		ctx = audit.WithRequest(ctx, clientAddr(r), st.id)
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

func requestLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
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
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
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
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
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
	if c, err := r.Cookie(preCSRFCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: preCSRFCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	// The token the form carries must be the one the cookie will carry.
	r.AddCookie(&http.Cookie{Name: preCSRFCookie, Value: token})
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
			limit := int64(maxFormBytes)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				limit = maxUploadBytes + 1<<20 // the file and the other fields
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if err := r.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					s.writeError(w, r, apperr.New(apperr.Invalid, "import.too_large", maxUploadBytes>>20))
					return
				}
			}
			got = r.PostFormValue(csrfField)
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
		next.ServeHTTP(w, r)
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
