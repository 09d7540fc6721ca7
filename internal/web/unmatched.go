package web

import (
	"bytes"
	"net/http"

	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
)

// serveUnmatched answers a request that no route matches. The mux knows
// the answer (a redirect to the cleaned path; 404; 405 and the methods the
// path allows); the redirect is passed on, and the two errors become the
// styled page (or, under /api/, a problem document) in the user's language.
func (s *Server) serveUnmatched(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{header: http.Header{}}
	s.mux.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusNotFound:
		s.handleNotFound(w, r)
	case http.StatusMethodNotAllowed:
		allow := rec.header.Get("Allow")
		w.Header().Set("Allow", allow)
		st := state(r)
		p := Problem{Type: "urn:kechuang:problem:method-not-allowed", Title: "方法不允许", Status: http.StatusMethodNotAllowed,
			Detail: i18n.T(st.lang, "error.method_not_allowed", r.Method, allow), Instance: r.URL.Path, RequestID: st.id}
		s.writeProblem(w, r, p, i18n.T(st.lang, "problem.method-not-allowed"))
	default:
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	}
}

// handleNotFound answers an address that leads nowhere: the 404 page with
// the way back, or a problem document under /api/.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	p := problemFor(apperr.New(apperr.NotFound, "error.page_not_found", r.URL.Path), st.lang, st.id, r.URL.Path)
	s.writeProblem(w, r, p, i18n.T(st.lang, "error.page_missing"))
}

// recorder keeps what the mux answers for an unmatched request: a status,
// a few headers and a line of text.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
