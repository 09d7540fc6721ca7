package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

// The fault tests run the real binary, built here with `go build` (with
// -race when the tests run with it, so that the build reuses the packages
// the test build compiled).

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// kechuangBinary builds the command once per test process.
func kechuangBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "kechuang-bin-")
		if buildErr != nil {
			return
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		args := []string{"build", "-o", filepath.Join(binDir, "kechuang")}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command(goTool, append(args, ".")...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binPath = filepath.Join(binDir, "kechuang")
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is a running `kechuang serve`.
type proc struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer // the server's log, read while it runs
	done   chan error
}

// startServe runs the binary's serve on a free port with args and waits
// until it listens.
func startServe(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	// The test's accounts (staff among them) have no second factor.
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--mfa-roles", "none"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listen := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := listen.FindStringSubmatch(sc.Text()); m != nil {
			p.url = m[1]
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	go func() { p.done <- cmd.Wait() }()
	if p.url == "" {
		_ = cmd.Process.Kill()
		<-p.done
		t.Fatalf("serve did not start: %s", p.stderr)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// stop ends the server as an operator would (SIGTERM) and waits.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve exited with %v: %s", err, p.stderr)
		}
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Fatal("serve did not stop within 30 s")
	}
}

// kill ends the server with SIGKILL: no shutdown code runs.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// apiClient is one logged-in API user.
type apiClient struct {
	base string
	http *http.Client
	csrf string
}

func login(t *testing.T, base, username, password string) *apiClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &apiClient{base: base, http: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	var s struct {
		CSRFToken string `json:"csrf_token"`
	}
	if code, body, err := c.do("POST", "/api/v1/session", map[string]string{"username": username, "password": password}, &s); err != nil || code != http.StatusCreated {
		t.Fatalf("login %s = %d %s %v", username, code, body, err)
	}
	c.csrf = s.CSRFToken
	return c
}

func (c *apiClient) do(method, path string, body, into any) (int, string, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && into != nil && res.StatusCode < 300 {
		err = json.Unmarshal(b, into)
	}
	return res.StatusCode, string(b), err
}

func achievement(title string) map[string]any {
	return map[string]any{"title": title, "summary": "采用晶圆级封装将光谱仪芯片的封装成本降低六成，适用于手持式成分检测设备。",
		"keywords": []string{"光谱仪"}, "domain": "电子信息", "industry": "C40", "trl": 6,
		"modes": []string{"license"}, "price": 80, "contact": map[string]string{"name": "陈老师", "phone": "0512-65880000"}}
}

// setUp makes the accounts the fault tests use, through the command line.
func setUp(t *testing.T, dbArgs []string) {
	t.Helper()
	for _, u := range [][]string{{"inst", "institution", "320505"}, {"gs", "county", "320505"}} {
		args := append([]string{"user", "add", "--username", u[0], "--role", u[1], "--region", u[2], "--password-stdin"}, dbArgs...)
		if code, _, errOut := run(t, "Kechuang-2026\n", args...); code != 0 {
			t.Fatalf("user add %s: %s", u[0], errOut)
		}
	}
}

// TestKillMidStreamLosesNothing is #18 §10's fault test: the real binary
// under eight concurrent API writers is killed with SIGKILL mid-stream and
// restarted; every write it acknowledged is there, the audit chain
// verifies, and a listing published just before the kill is searchable.
func TestKillMidStreamLosesNothing(t *testing.T) {
	t.Parallel()
	bin := kechuangBinary(t)
	for _, dialect := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			dbArgs := []string{"--data", dir}
			if dialect == sqldb.Postgres {
				dsn, drop := dbtest.NewSchema(t)
				t.Cleanup(drop)
				dbArgs = append(dbArgs, "--db", dsn)
			}
			setUp(t, dbArgs)
			srv := startServe(t, bin, dbArgs...)
			inst := login(t, srv.url, "inst", "Kechuang-2026")
			gs := login(t, srv.url, "gs", "Kechuang-2026")

			// Eight writers create listings until the server dies.
			var mu sync.Mutex
			var acked []int64
			var wg sync.WaitGroup
			stop := make(chan struct{})
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						var l struct{ ID int64 }
						code, _, err := inst.do("POST", "/api/v1/achievements", achievement(fmt.Sprintf("故障测试成果 %d-%d", w, i)), &l)
						if err != nil || code != http.StatusCreated {
							return // the server is gone (or refused): nothing was acknowledged
						}
						mu.Lock()
						acked = append(acked, l.ID)
						mu.Unlock()
					}
				}(w)
			}
			time.Sleep(1500 * time.Millisecond)
			// Publish one listing, and kill the server the moment the
			// approval is acknowledged, writers still running.
			const published = "钙钛矿叠层太阳电池的低温封装工艺"
			var l struct{ ID int64 }
			if code, body, err := inst.do("POST", "/api/v1/achievements", achievement(published), &l); code != http.StatusCreated {
				t.Fatalf("create = %d %s %v", code, body, err)
			}
			path := fmt.Sprintf("/api/v1/achievements/%d", l.ID)
			if code, body, _ := inst.do("POST", path+"/submit", nil, nil); code != http.StatusOK {
				t.Fatalf("submit = %d %s", code, body)
			}
			if code, body, _ := gs.do("POST", path+"/approve", nil, nil); code != http.StatusOK {
				t.Fatalf("approve = %d %s", code, body)
			}
			srv.kill(t)
			close(stop)
			wg.Wait()
			if len(acked) < 20 {
				t.Fatalf("only %d writes acknowledged before the kill; the test did not load the server", len(acked))
			}

			srv = startServe(t, bin, dbArgs...)
			anon := &apiClient{base: srv.url, http: &http.Client{Timeout: 10 * time.Second}}
			deadline := time.Now().Add(10 * time.Second)
			for {
				var res struct {
					Hits []struct{ ID int64 } `json:"hits"`
				}
				_, _, err := anon.do("GET", "/api/v1/search?q="+url.QueryEscape("钙钛矿 封装"), nil, &res)
				if err == nil && len(res.Hits) > 0 && res.Hits[0].ID == l.ID {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the listing published before the kill is not searchable after the restart: %+v %v", res, err)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if dialect == sqldb.SQLite {
				// A restore must not pull the database from under a server.
				code, _, errOut := run(t, "", "restore", "--from", filepath.Join(dir, "kechuang.db"), "--data", dir)
				if code != exitUsage || !strings.Contains(errOut, "a kechuang server is using") {
					t.Errorf("restore under a running server = %d %s, want refused", code, errOut)
				}
			}
			srv.stop(t)

			db, err := sqldb.Open(context.Background(), dbArg(dbArgs), dir, sqldb.Options{})
			if err != nil {
				t.Fatal(err)
			}
			missing := 0
			for _, id := range acked {
				var n int
				if err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM listings WHERE id = ?", id).Scan(&n); err != nil || n != 1 {
					missing++
				}
			}
			db.Close()
			if missing > 0 {
				t.Errorf("%d of %d acknowledged listings are missing after SIGKILL", missing, len(acked))
			}
			if code, out, errOut := run(t, "", append([]string{"audit", "verify"}, dbArgs...)...); code != 0 || !strings.Contains(out, "audit log verified") {
				t.Errorf("audit verify after the crash = %d %s %s", code, out, errOut)
			}
			t.Logf("%s: %d writes acknowledged before SIGKILL, all present after restart", dialect, len(acked))
		})
	}
}

// dbArg returns the --db value in args, or "".
func dbArg(args []string) string {
	for i, a := range args {
		if a == "--db" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// TestBackupRestore: backup → restore into a new data directory → the same
// rows, the same attachment bytes, and an audit chain that verifies.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	bin := kechuangBinary(t)
	dir := t.TempDir()
	setUp(t, []string{"--data", dir})
	srv := startServe(t, bin, "--data", dir)
	inst := login(t, srv.url, "inst", "Kechuang-2026")
	var l struct{ ID int64 }
	if code, body, _ := inst.do("POST", "/api/v1/achievements", achievement("带附件的成果：微型光谱仪"), &l); code != http.StatusCreated {
		t.Fatalf("create = %d %s", code, body)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 32, 32))); err != nil {
		t.Fatal(err)
	}
	if code := inst.upload(t, fmt.Sprintf("/market/listings/%d/attachments", l.ID), "光谱图.png", img.Bytes()); code != http.StatusSeeOther {
		t.Fatalf("attach = %d", code)
	}
	srv.stop(t)

	snap := filepath.Join(t.TempDir(), "kechuang-backup.db")
	if code, out, errOut := run(t, "", "backup", "--data", dir, "--out", snap); code != 0 {
		t.Fatalf("backup = %d %s %s", code, out, errOut)
	}
	restored := t.TempDir()
	code, out, errOut := run(t, "", "restore", "--from", snap, "--data", restored, "--audit-key-file", filepath.Join(dir, "audit.key"))
	if code != 0 || !strings.Contains(out, "audit log verified") || !strings.Contains(out, "1 attachments") {
		t.Fatalf("restore = %d\n%s\n%s", code, out, errOut)
	}
	before, after := tableCounts(t, filepath.Join(dir, "kechuang.db")), tableCounts(t, filepath.Join(restored, "kechuang.db"))
	// The restore's verification adds its own audit row.
	before["audit_log"]++
	for table, n := range before {
		if after[table] != n {
			t.Errorf("%s: %d rows after restore, %d before", table, after[table], n)
		}
	}
	if a, b := attachmentSum(t, filepath.Join(dir, "kechuang.db")), attachmentSum(t, filepath.Join(restored, "kechuang.db")); a != b || a == "" {
		t.Errorf("attachment bytes differ after restore: %q vs %q", a, b)
	}
	// A second restore keeps the database it replaces.
	code, out, _ = run(t, "", "restore", "--from", snap, "--data", restored, "--audit-key-file", filepath.Join(dir, "audit.key"))
	if code != 0 || !strings.Contains(out, "the previous database is kept as") {
		t.Errorf("second restore = %d %s", code, out)
	}
	if code, _, errOut := run(t, "", "restore", "--from", filepath.Join(dir, "audit.key"), "--data", restored); code != exitUsage ||
		!strings.Contains(errOut, "not a usable kechuang snapshot") {
		t.Errorf("restore from a file that is no database = %d %s", code, errOut)
	}
}

func (c *apiClient) upload(t *testing.T, path, filename string, data []byte) int {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.csrf)
	client := *c.http
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func tableCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	db, err := sqldb.Open(context.Background(), path, "", sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]int{}
	for _, table := range []string{"users", "listings", "listing_changes", "attachments", "audit_log", "password_history", "regions"} {
		var n int
		if err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func attachmentSum(t *testing.T, path string) string {
	t.Helper()
	db, err := sqldb.Open(context.Background(), path, "", sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sum string
	var data []byte
	err = db.QueryRowContext(context.Background(), "SELECT sha256, data FROM attachments").Scan(&sum, &data)
	if err != nil && !errors.Is(err, sqldb.ErrNoRows) {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s/%d", sum, len(data))
}
