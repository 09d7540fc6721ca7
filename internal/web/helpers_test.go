package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"kechuang/internal/account"
	"kechuang/internal/app"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/secret"
	"kechuang/internal/sqldb"
	"kechuang/internal/web"
)

const testPassword = "Kechuang-2026"

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is one server on a real database, with a fake clock.
type env struct {
	t        testing.TB
	app      *app.App
	db       *sqldb.DB
	srv      *web.Server
	ts       *httptest.Server
	accounts *account.Service
	clock    *clock
	market   *market.Service
	index    *market.Indexer
}

// newEnv is a server whose home region is 苏州市 (320500).
func newEnv(t testing.TB, db *sqldb.DB) *env {
	t.Helper()
	return newEnvHome(t, db, "320500")
}

// newEnvHome is a server with the home region home; "" leaves the instance
// without one.
func newEnvHome(t testing.TB, db *sqldb.DB, home string) *env {
	t.Helper()
	return newEnvWith(t, db, func(cfg *app.Config) { cfg.HomeRegion = home })
}

// testSecretKey is every test server's secret key: two servers on one
// database, as some tests start, must share it (account.CheckSecretKey).
var testSecretKey = secret.NewKey()

// newEnvWith is a server on the test configuration changed by set. The
// test configuration asks no role for a second factor (the tests of the
// second factor ask for it themselves) and testSecretKey.
func newEnvWith(t testing.TB, db *sqldb.DB, set func(*app.Config)) *env {
	t.Helper()
	c := &clock{now: time.Now()}
	cfg := app.Config{DB: db, Now: c.Now, Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1},
		HomeRegion: "320500", Version: "test", SecretKey: testSecretKey, MFARoles: []account.Role{}}
	set(&cfg)
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	jobCtx, stopJobs := context.WithCancel(context.Background())
	a.Jobs.Start(jobCtx, 1)
	t.Cleanup(func() { stopJobs(); a.Jobs.Wait() })
	// The index is in memory; tests call CatchUp after writes, as the
	// server's loop would.
	srv, err := a.Server()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &env{t: t, app: a, db: db, srv: srv, ts: ts, accounts: a.Accounts, clock: c, market: a.Market, index: a.Search}
}

// eachEnv runs fn on a server backed by each database.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newEnv(t, db)) })
}

func (e *env) createUser(username string, role account.Role, regionCode string) account.User {
	e.t.Helper()
	u, err := e.accounts.CreateUser(context.Background(), account.System, account.NewUser{
		Username: username, DisplayName: username, Role: role, RegionCode: regionCode, Password: testPassword})
	if err != nil {
		e.t.Fatalf("create %s: %v", username, err)
	}
	return u
}

// client is a browser-like client with its own cookie jar.
type client struct {
	t    testing.TB
	e    *env
	http *http.Client
	csrf string // from the API login
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) doc(t testing.TB) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

// do sends one request; an API request and its answer are checked
// against openapi.json (checkContract).
func (c *client) do(method, path string, body io.Reader, header map[string]string) response {
	c.t.Helper()
	var reqBody []byte
	if body != nil && strings.HasPrefix(path, "/api/") {
		var err error
		if reqBody, err = io.ReadAll(body); err != nil {
			c.t.Fatal(err)
		}
		body = bytes.NewReader(reqBody)
	}
	req, err := http.NewRequest(method, c.e.ts.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if isJSONBody(header) {
		checkContract(c.t, req, reqBody, res.StatusCode, res.Header, b)
	} else {
		checkContract(c.t, req, nil, res.StatusCode, res.Header, b)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// isJSONBody reports whether a request with header sends JSON.
func isJSONBody(header map[string]string) bool {
	return strings.HasPrefix(header["Content-Type"], "application/json")
}

func (c *client) get(path string) response { return c.do(http.MethodGet, path, nil, nil) }

// postForm posts form values; the CSRF token is whatever form carries.
func (c *client) postForm(path string, form url.Values) response {
	return c.do(http.MethodPost, path, strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// formToken reads the CSRF token from the first form of the page at path.
func (c *client) formToken(path string) string {
	c.t.Helper()
	res := c.get(path)
	tok, ok := res.doc(c.t).Find(`input[name="csrf_token"]`).First().Attr("value")
	if !ok || tok == "" {
		c.t.Fatalf("no csrf_token on %s (status %d)", path, res.status)
	}
	return tok
}

// loginForm logs in through the login page, as a browser does.
func (c *client) loginForm(username, password string) response {
	c.t.Helper()
	tok := c.formToken("/login")
	return c.postForm("/login", url.Values{"username": {username}, "password": {password}, "csrf_token": {tok}, "next": {"/"}})
}

func (c *client) api(method, path string, body any) response {
	c.t.Helper()
	var rd io.Reader
	h := map[string]string{}
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
		h["Content-Type"] = "application/json"
	}
	if c.csrf != "" {
		h["X-CSRF-Token"] = c.csrf
	}
	return c.do(method, path, rd, h)
}

// loginAPI logs in through the JSON API and keeps the CSRF token.
func (c *client) loginAPI(username, password string) response {
	c.t.Helper()
	res := c.api(http.MethodPost, "/api/v1/session", map[string]string{"username": username, "password": password})
	if res.status == http.StatusCreated {
		var s struct {
			CSRFToken string `json:"csrf_token"`
		}
		res.json(c.t, &s)
		c.csrf = s.CSRFToken
	}
	return res
}

func (c *client) mustLoginAPI(username string) {
	c.t.Helper()
	if res := c.loginAPI(username, testPassword); res.status != http.StatusCreated {
		c.t.Fatalf("login %s: %d %s", username, res.status, res.body)
	}
}

func dbtestOpenSQLite(t *testing.T) *sqldb.DB { return dbtest.Open(t, sqldb.SQLite) }
