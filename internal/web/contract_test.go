package web_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The contract check: every API request a test makes through the shared
// client (client.do) is checked against openapi.json. The response's status
// must be one the operation documents, and its body must validate against
// the documented schema of that status and media type, strictly: the
// document closes every object (additionalProperties: false), so an
// undocumented field fails. A request the server accepted (2xx) must also
// fit the document: its query parameters and its JSON body. Which
// operations and statuses the tests reached is recorded, and TestMain fails
// a full run that leaves an operation unexercised.

// docURL names the document inside the schema compiler; it is never fetched.
const docURL = "https://kechuang.invalid/api/v1/openapi.json"

// contract is openapi.json compiled for checking requests and responses.
type contract struct {
	doc map[string]any
	ops []*operation

	mu sync.Mutex
	// seen records, per operation key, the statuses tests received.
	seen map[string]map[int]bool
}

// operation is one method on one path of the document.
type operation struct {
	key      string   // "GET /achievements/{id}"
	method   string   // "GET"
	segments []string // "achievements", "{id}"
	// responses maps a status ("200", "4XX", "default") to media type to
	// compiled schema; a nil schema is a documented media type without one.
	responses map[string]map[string]*jsonschema.Schema
	query     map[string]*jsonschema.Schema // documented query parameters
	body      *jsonschema.Schema            // the application/json request body
}

var (
	contractOnce sync.Once
	theContract  *contract
	contractErr  error
)

// apiContract loads and compiles openapi.json once for the whole test run.
func apiContract(t testing.TB) *contract {
	t.Helper()
	contractOnce.Do(func() { theContract, contractErr = loadContract("openapi.json") })
	if contractErr != nil {
		t.Fatalf("openapi.json: %v", contractErr)
	}
	return theContract
}

func loadContract(path string) (*contract, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, doc); err != nil {
		return nil, err
	}
	compile := func(ptr ...string) (*jsonschema.Schema, error) {
		loc := docURL + "#"
		for _, p := range ptr {
			loc += "/" + strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1")
		}
		return c.Compile(loc)
	}
	ct := &contract{doc: doc.(map[string]any), seen: map[string]map[int]bool{}}
	paths, _ := ct.doc["paths"].(map[string]any)
	for p, item := range paths {
		for method, v := range item.(map[string]any) {
			opv, ok := v.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			op := &operation{key: strings.ToUpper(method) + " " + p, method: strings.ToUpper(method),
				segments: strings.Split(strings.Trim(p, "/"), "/"), responses: map[string]map[string]*jsonschema.Schema{},
				query: map[string]*jsonschema.Schema{}}
			for status, rv := range opv["responses"].(map[string]any) {
				resp, rptr := ct.resolve(rv.(map[string]any), []string{"paths", p, method, "responses", status})
				op.responses[status] = map[string]*jsonschema.Schema{}
				content, _ := resp["content"].(map[string]any)
				for mt, mv := range content {
					if _, ok := mv.(map[string]any)["schema"]; !ok {
						op.responses[status][mt] = nil
						continue
					}
					sch, err := compile(append(rptr, "content", mt, "schema")...)
					if err != nil {
						return nil, fmt.Errorf("%s %s: %w", op.key, status, err)
					}
					op.responses[status][mt] = sch
				}
			}
			params, _ := opv["parameters"].([]any)
			for i, pv := range params {
				param, pptr := ct.resolve(pv.(map[string]any), []string{"paths", p, method, "parameters", strconv.Itoa(i)})
				if param["in"] != "query" {
					continue
				}
				sch, err := compile(append(pptr, "schema")...)
				if err != nil {
					return nil, fmt.Errorf("%s parameter %v: %w", op.key, param["name"], err)
				}
				op.query[param["name"].(string)] = sch
			}
			if rb, ok := opv["requestBody"].(map[string]any); ok {
				rb, rbptr := ct.resolve(rb, []string{"paths", p, method, "requestBody"})
				if content, _ := rb["content"].(map[string]any); content["application/json"] != nil {
					if op.body, err = compile(append(rbptr, "content", "application/json", "schema")...); err != nil {
						return nil, fmt.Errorf("%s request body: %w", op.key, err)
					}
				}
			}
			ct.ops = append(ct.ops, op)
		}
	}
	sort.Slice(ct.ops, func(i, j int) bool { return ct.ops[i].key < ct.ops[j].key })
	return ct, nil
}

// resolve follows a local $ref of a response, parameter or request body,
// returning the object and its JSON pointer as path segments.
func (ct *contract) resolve(v map[string]any, ptr []string) (map[string]any, []string) {
	ref, ok := v["$ref"].(string)
	if !ok {
		return v, ptr
	}
	ptr = strings.Split(strings.TrimPrefix(ref, "#/"), "/")
	var cur any = ct.doc
	for _, p := range ptr {
		cur = cur.(map[string]any)[strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")]
	}
	return cur.(map[string]any), ptr
}

// find returns the operation of method on path (below /api/v1), preferring
// literal segments over templated ones; pathKnown reports whether any
// method is documented on the path.
func (ct *contract) find(method, path string) (op *operation, pathKnown bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	best := -1
	for _, o := range ct.ops {
		if len(o.segments) != len(segs) {
			continue
		}
		literal := 0
		for i, s := range o.segments {
			switch {
			case strings.HasPrefix(s, "{"):
			case s == segs[i]:
				literal++
			default:
				literal = -1
			}
			if literal < 0 {
				break
			}
		}
		if literal < 0 {
			continue
		}
		pathKnown = true
		if o.method == method && literal > best {
			op, best = o, literal
		}
	}
	return op, pathKnown
}

// check returns every way in which one API exchange breaks the document.
func (ct *contract) check(method string, u *url.URL, reqBody []byte, status int, header http.Header, body []byte) []string {
	path := strings.TrimPrefix(u.Path, "/api/v1")
	where := method + " " + u.Path
	var problems []string
	op, known := ct.find(method, path)
	if op == nil {
		// No such operation: the answer must be the 404 or 405 problem.
		want := http.StatusNotFound
		if known {
			want = http.StatusMethodNotAllowed
		}
		if status != want {
			return []string{fmt.Sprintf("%s: not in the document, answered %d (want %d)", where, status, want)}
		}
		return ct.checkBody(where, "Problem", ct.problemSchema(), header, body)
	}
	ct.mu.Lock()
	if ct.seen[op.key] == nil {
		ct.seen[op.key] = map[int]bool{}
	}
	ct.seen[op.key][status] = true
	ct.mu.Unlock()

	resp, ok := op.responses[strconv.Itoa(status)]
	if !ok {
		resp, ok = op.responses[strconv.Itoa(status/100)+"XX"]
	}
	if !ok {
		resp, ok = op.responses["default"]
	}
	if !ok {
		return []string{fmt.Sprintf("%s answered %d, which %s does not document (body %.300s)", where, status, op.key, body)}
	}
	if len(body) == 0 {
		if len(resp) > 0 && method != http.MethodHead {
			problems = append(problems, fmt.Sprintf("%s answered %d with no body; the document promises %v", where, status, slices.Sorted(mapKeys(resp))))
		}
	} else {
		mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
		sch, ok := resp[mt]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s answered %d as %q; the document lists %v", where, status, mt, slices.Sorted(mapKeys(resp))))
		case sch != nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")):
			problems = append(problems, ct.checkBody(where+fmt.Sprintf(" → %d", status), op.key, sch, header, body)...)
		}
	}
	if status/100 != 2 {
		return problems
	}
	// The server accepted the request, so the request must fit the
	// document too.
	for name, vals := range u.Query() {
		sch, ok := op.query[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: query parameter %q is accepted but not documented", where, name))
			continue
		}
		for _, v := range vals {
			if err := sch.Validate(queryValue(sch, v)); err != nil {
				problems = append(problems, fmt.Sprintf("%s: query %s=%q is accepted but the document refuses it: %v", where, name, v, err))
			}
		}
	}
	if op.body != nil && len(reqBody) > 0 {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(reqBody))
		if err == nil {
			err = op.body.Validate(v)
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: request body %.300s is accepted but the document refuses it: %v", where, reqBody, err))
		}
	}
	return problems
}

func (ct *contract) problemSchema() *jsonschema.Schema {
	op, _ := ct.find(http.MethodGet, "/me")
	return op.responses["401"]["application/problem+json"]
}

func (ct *contract) checkBody(where, what string, sch *jsonschema.Schema, header http.Header, body []byte) []string {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return []string{fmt.Sprintf("%s: body is not JSON (%v): %.300s", where, err, body)}
	}
	if err := sch.Validate(v); err != nil {
		return []string{fmt.Sprintf("%s: body does not fit %s: %v\nbody: %.2000s", where, what, err, body)}
	}
	return nil
}

// queryValue types a query string value as the parameter's schema wants
// it, so that "2" checks against {"type": "integer"}; a value that does not
// parse stays a string and fails the schema.
func queryValue(sch *jsonschema.Schema, v string) any {
	for s := sch; s != nil; s = s.Ref {
		if s.Types == nil {
			continue
		}
		for _, typ := range s.Types.ToStrings() {
			switch typ {
			case "integer", "number":
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					return json.Number(strconv.FormatFloat(n, 'f', -1, 64))
				}
			case "boolean":
				if b, err := strconv.ParseBool(v); err == nil {
					return b
				}
			}
		}
	}
	return v
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// unexercised lists the operations no test reached, and those reached with
// no documented success.
func (ct *contract) unexercised() []string {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	var out []string
	for _, op := range ct.ops {
		statuses := ct.seen[op.key]
		if len(statuses) == 0 {
			out = append(out, op.key+": no test calls it")
			continue
		}
		ok := false
		for s := range statuses {
			ok = ok || s/100 == 2
		}
		if !ok {
			out = append(out, op.key+": no test gets a success from it")
		}
	}
	return out
}

// checkContract is what client.do calls after every API exchange.
func checkContract(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, body []byte) {
	t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/") {
		return
	}
	for _, p := range apiContract(t).check(req.Method, req.URL, reqBody, status, header, body) {
		t.Errorf("OpenAPI contract: %s", p)
	}
}

// TestMain runs the package's tests and then, on a full run (no -run or
// -skip filter) that passed, fails when an operation of openapi.json was
// never exercised: a documented operation that no test calls is a contract
// nobody checks.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code != 0 || flag.Lookup("test.run").Value.String() != "" || flag.Lookup("test.skip").Value.String() != "" ||
		theContract == nil {
		os.Exit(code)
	}
	if missing := theContract.unexercised(); len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: OpenAPI operations the tests do not exercise:\n  %s\n", strings.Join(missing, "\n  "))
		os.Exit(1)
	}
	os.Exit(code)
}

// TestOpenAPIDocumentIsValid checks openapi.json against the OpenAPI 3.1
// meta-schema and the house rules for it: every operation has tags and a
// description, the licence is stated, every object schema says whether it
// takes undocumented properties (so the contract check is strict), and
// every public operation documents the client errors it can answer.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	meta, err := c.Compile("testdata/oas-3.1/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	ct := apiContract(t)
	if err := meta.Validate(ct.doc); err != nil {
		t.Errorf("openapi.json is not a valid OpenAPI 3.1 document: %v", err)
	}
	if lic, _ := ct.doc["info"].(map[string]any)["license"].(map[string]any); lic["name"] == nil {
		t.Errorf("info.license is not set")
	}
	for p, item := range ct.doc["paths"].(map[string]any) {
		for method, v := range item.(map[string]any) {
			op := v.(map[string]any)
			key := strings.ToUpper(method) + " " + p
			if tags, _ := op["tags"].([]any); len(tags) == 0 {
				t.Errorf("%s has no tags", key)
			}
			if d, _ := op["description"].(string); len(d) < 20 {
				t.Errorf("%s has no description", key)
			}
			if !isPublic(ct.doc, op) {
				continue
			}
			clientError := false
			for status := range op["responses"].(map[string]any) {
				clientError = clientError || strings.HasPrefix(status, "4")
			}
			// A public operation without parameters or body cannot be
			// asked wrongly; any other must say how it refuses.
			_, hasBody := op["requestBody"]
			if (hasBody || op["parameters"] != nil) && !clientError {
				t.Errorf("public %s documents no 4XX answer", key)
			}
		}
	}
	var open []string
	walkSchemas(ct.doc, "#", func(ptr string, s map[string]any) {
		if _, ok := s["properties"]; ok {
			if _, ok := s["additionalProperties"]; !ok {
				open = append(open, ptr)
			}
		}
		if s["type"] == "object" && s["properties"] == nil && s["additionalProperties"] == nil && s["$ref"] == nil {
			open = append(open, ptr+" (an object of no documented shape)")
		}
	})
	sort.Strings(open)
	for _, ptr := range open {
		if strings.HasPrefix(ptr, "#/paths/~1openapi.json/") {
			continue // the document itself
		}
		t.Errorf("schema %s does not set additionalProperties: undocumented fields would pass", ptr)
	}
}

// isPublic reports whether an operation can be called without a session.
func isPublic(doc map[string]any, op map[string]any) bool {
	sec, ok := op["security"].([]any)
	if !ok {
		sec, _ = doc["security"].([]any)
	}
	for _, s := range sec {
		if len(s.(map[string]any)) == 0 {
			return true
		}
	}
	return len(sec) == 0
}

// walkSchemas calls fn on every schema object under v: those under
// components/schemas and every "schema" of a path.
func walkSchemas(v any, ptr string, fn func(string, map[string]any)) {
	var walk func(v any, ptr string, isSchema bool)
	walk = func(v any, ptr string, isSchema bool) {
		switch x := v.(type) {
		case map[string]any:
			if isSchema {
				fn(ptr, x)
			}
			for k, c := range x {
				child := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
				switch {
				case isSchema && (k == "properties" || k == "$defs"):
					for pk, pv := range c.(map[string]any) {
						walk(pv, child+"/"+pk, true)
					}
				case isSchema && (k == "items" || k == "additionalProperties" || k == "not"):
					walk(c, child, true)
				case isSchema && (k == "oneOf" || k == "anyOf" || k == "allOf"):
					for i, s := range c.([]any) {
						walk(s, child+"/"+strconv.Itoa(i), true)
					}
				case isSchema && (k == "examples" || k == "enum" || k == "const" || k == "default"):
				case !isSchema && k == "schema":
					walk(c, child, true)
				case !isSchema && ptr == "#/components" && k == "schemas":
					for sk, sv := range c.(map[string]any) {
						walk(sv, child+"/"+sk, true)
					}
				case !isSchema:
					walk(c, child, false)
				}
			}
		case []any:
			if !isSchema {
				for i, c := range x {
					walk(c, ptr+"/"+strconv.Itoa(i), false)
				}
			}
		}
	}
	walk(v, ptr, false)
}

// TestContractCheckCatchesDrift guards the contract check itself: each
// answer below breaks the document in one way that an outside validator
// found in this API once, and the check must say so.
func TestContractCheckCatchesDrift(t *testing.T) {
	t.Parallel()
	ct, err := loadContract("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	problemHeader := http.Header{"Content-Type": {"application/problem+json"}}
	tests := []struct {
		name   string
		method string
		url    string
		status int
		header http.Header
		body   string
		want   string // in the problems; "" for none
	}{
		{"a documented answer", "GET", "/api/v1/me", 200, jsonHeader,
			`{"id": 1, "username": "a", "display_name": "A", "role": "staff", "must_change_password": false}`, ""},
		{"an undocumented field", "GET", "/api/v1/me", 200, jsonHeader,
			`{"id": 1, "username": "a", "role": "staff", "must_change_password": false, "assessed_at": "2026-01-01"}`, "assessed_at"},
		{"null where an array is promised", "GET", "/api/v1/rule-sets", 200, jsonHeader,
			`[{"id": "x", "version": "1", "name": "x", "documents": [], "effective_from": "2020-01-01", "in_force": true,
			  "notes": [], "unconfirmed": null, "secondary": []}]`, "unconfirmed"},
		{"a missing required field", "GET", "/api/v1/me", 200, jsonHeader, `{"id": 1}`, "missing propert"},
		{"an undocumented status", "GET", "/api/v1/rule-sets", 409, problemHeader,
			`{"type": "urn:kechuang:problem:conflict", "title": "冲突", "status": 409, "detail": "x", "request_id": "r"}`, "does not document"},
		{"a problem that is not one", "GET", "/api/v1/me", 401, problemHeader, `{"error": "no"}`, "does not fit"},
		{"the wrong media type", "GET", "/api/v1/me", 200, http.Header{"Content-Type": {"text/html"}}, `<p>hi</p>`, "text/html"},
		{"an unknown route answers 404", "GET", "/api/v1/no-such", 404, problemHeader,
			`{"type": "urn:kechuang:problem:not-found", "title": "未找到", "status": 404, "detail": "x", "request_id": "r"}`, ""},
		{"an unknown route that answers 200", "GET", "/api/v1/no-such", 200, jsonHeader, `{}`, "not in the document"},
		{"an undocumented query parameter accepted", "GET", "/api/v1/rule-sets?colour=red", 200, jsonHeader, `[]`, "colour"},
		{"a refused query value accepted", "GET", "/api/v1/search?page=0", 200, jsonHeader,
			`{"total": 0, "hits": [], "facets": {}}`, "page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, _ := url.Parse(tt.url)
			problems := strings.Join(ct.check(tt.method, u, nil, tt.status, tt.header, []byte(tt.body)), "\n")
			switch {
			case tt.want == "" && problems != "":
				t.Errorf("check = %s, want no problem", problems)
			case tt.want != "" && !strings.Contains(problems, tt.want):
				t.Errorf("check = %q, want a problem naming %q", problems, tt.want)
			}
		})
	}
}
