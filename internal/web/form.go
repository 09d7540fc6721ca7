package web

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"kechuang/internal/apperr"
)

// Limits of a form body (application/x-www-form-urlencoded). A form is
// read as a stream: each field keeps at most maxFieldBytes (a longer value
// is cut at a character boundary, which every domain limit is far below,
// so the domain's validation names the field as too long), and the fields
// together keep at most maxFormBytes. The rest of an over-long value is
// read and dropped, so the fields after it — the CSRF token among them —
// still arrive, and the page can be shown again with what the user typed
// and the field named, instead of a stale-token page.
const (
	maxFieldBytes = 64 << 10
	// maxFormStream bounds how much of a form body is read at all; past it
	// the request is refused as too large. Reading and dropping costs no
	// memory.
	maxFormStream = 8 << 20
	maxNameBytes  = 256
)

var errFormTooLarge = errors.New("form too large")

// isURLEncoded reports whether r carries a urlencoded form body.
func isURLEncoded(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// readForm parses r's form body once, before any handler reads it, into
// r.PostForm and r.Form (r.ParseForm and r.PostFormValue then use them). A
// urlencoded body is read as a stream with the limits above; a multipart
// body (uploads) is parsed by net/http within maxUploadBytes. It returns
// the names of the fields that were cut; the error is for the client.
func readForm(w http.ResponseWriter, r *http.Request) (cut []string, err error) {
	if r.PostForm != nil {
		return nil, nil // read already
	}
	if !isURLEncoded(r) {
		limit := int64(maxFormBytes)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			limit = maxUploadBytes + 1<<20 // the file and the other fields
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := r.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, apperr.New(apperr.Invalid, "import.too_large", maxUploadBytes>>20)
			}
		}
		return nil, nil
	}
	post, cut, err := parseFormStream(http.MaxBytesReader(w, r.Body, maxFormStream+1), maxFieldBytes, maxFormBytes)
	switch {
	case errors.Is(err, errFormTooLarge):
		return cut, apperr.New(apperr.Invalid, "request.form_too_large", maxFormStream>>20)
	case err != nil:
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return cut, apperr.New(apperr.Invalid, "request.form_too_large", maxFormStream>>20)
		}
		return cut, apperr.Wrap(apperr.Invalid, err, "request.bad_form")
	}
	r.PostForm = post
	r.Form = url.Values{}
	for k, v := range post {
		r.Form[k] = append(r.Form[k], v...)
	}
	for k, v := range r.URL.Query() {
		r.Form[k] = append(r.Form[k], v...)
	}
	return cut, nil
}

// checkFormText refuses a form (already read by readForm) with a value
// that is not text: a NUL, a control character (tab and newline only in
// the multi-line fields), or invalid UTF-8, naming the first such field. It runs after
// the CSRF check and before any handler, so every form of the site gets
// the same 422 on SQLite and PostgreSQL (which refuses NUL and broken
// UTF-8 outright) and nothing such is ever stored.
func checkFormText(r *http.Request) error {
	check := func(vals map[string][]string) error {
		for name, vs := range vals {
			for _, v := range vs {
				if fe, ok := apperr.CheckText(name, v, isMultiline(name)); !ok {
					return apperr.Fields(fe)
				}
			}
		}
		return nil
	}
	if err := check(r.PostForm); err != nil {
		return err
	}
	if r.MultipartForm != nil {
		return check(r.MultipartForm.Value)
	}
	return nil
}

// parseFormStream parses a urlencoded body as url.ParseQuery would, keeping
// at most fieldCap bytes of each value and keepCap bytes in all; it returns
// the names of the values it cut. A body whose kept values exceed keepCap
// is errFormTooLarge.
func parseFormStream(body io.Reader, fieldCap, keepCap int) (url.Values, []string, error) {
	br := bufio.NewReaderSize(body, 32<<10)
	vals := url.Values{}
	var cut []string
	kept := 0
	for {
		raw, end, over, err := readPart(br, "=&", 3*maxNameBytes)
		if err != nil {
			return nil, cut, err
		}
		if over {
			return nil, cut, errors.New("field name too long")
		}
		if len(raw) == 0 && end != '=' {
			if end == 0 {
				return vals, cut, nil
			}
			continue // "&&"
		}
		name, err := url.QueryUnescape(string(raw))
		if err != nil {
			return nil, cut, err
		}
		value := ""
		if end == '=' {
			// Escaped text takes at most three bytes a byte.
			if raw, end, over, err = readPart(br, "&", 3*fieldCap+2); err != nil {
				return nil, cut, err
			}
			if over {
				// Cut at an escape boundary.
				for i := len(raw) - 1; i >= len(raw)-2 && i >= 0; i-- {
					if raw[i] == '%' {
						raw = raw[:i]
						break
					}
				}
			}
			if value, err = url.QueryUnescape(string(raw)); err != nil {
				return nil, cut, err
			}
			if len(value) > fieldCap {
				value, over = value[:fieldCap], true
			}
			if over {
				// Drop a character the cut split.
				for len(value) > 0 {
					if r, size := utf8.DecodeLastRuneInString(value); r != utf8.RuneError || size > 1 {
						break
					}
					value = value[:len(value)-1]
				}
				cut = append(cut, name)
			}
		}
		kept += len(name) + len(value)
		if kept > keepCap {
			return nil, cut, errFormTooLarge
		}
		vals[name] = append(vals[name], value)
		if end == 0 {
			return vals, cut, nil
		}
	}
}

// readPart reads up to one of the stop bytes (returned as end) or the end
// of the body (end 0), keeping at most limit bytes; over reports that more
// were read and dropped.
func readPart(br *bufio.Reader, stop string, limit int) (raw []byte, end byte, over bool, err error) {
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return raw, 0, over, nil
		}
		if err != nil {
			return nil, 0, over, err
		}
		if strings.IndexByte(stop, c) >= 0 {
			return raw, c, over, nil
		}
		if len(raw) < limit {
			raw = append(raw, c)
		} else {
			over = true
		}
	}
}
