package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/pii"
)

// run calls Main and returns its exit code and output.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	assessInput := filepath.Join(dir, "in.jsonl")
	badAssessInput := filepath.Join(dir, "bad.jsonl")
	line := `{"as_of":"2026-06-30","founded":"2019-03-01","industry":"C39","years":{"2025":{"revenue":40000000,"rd_expense":1280000}}}`
	if err := os.WriteFile(assessInput, []byte(line+"\n"+line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(badAssessInput, []byte(line+"\n{\"as_of\": 5}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	benchDocs, benchQueries := filepath.Join(dir, "docs.jsonl"), filepath.Join(dir, "queries.jsonl")
	docs := `{"id":"d1","title":"一种5G基站用腔体滤波器","text":"小型化腔体滤波器，插入损耗低。"}
{"id":"d2","title":"水稻抗病基因编辑育种","text":"利用CRISPR编辑水稻感病基因。"}
`
	queries := `{"id":"q1","text":"5G 基站 滤波器","relevant":["d1"]}
{"id":"q2","text":"CRISPR 水稻","relevant":["d2"]}
`
	if err := os.WriteFile(benchDocs, []byte(docs), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(benchQueries, []byte(queries), 0o644); err != nil {
		t.Fatal(err)
	}
	// The audit key exists, as after a first start, so that errors are one
	// line (TestAuditKeyIsMadeAtFirstStart covers the first start).
	if err := os.WriteFile(filepath.Join(dir, "audit.key"), []byte(audit.GenerateKey()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// So does the personal-data key.
	if _, _, err := pii.LoadOrCreate(filepath.Join(dir, piiKeyName)); err != nil {
		t.Fatal(err)
	}
	pgDSN, dropSchema := dbtest.NewSchema(t)
	t.Cleanup(dropSchema)
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantOut    string
		wantErr    string
		oneLineErr bool
	}{
		{name: "version", args: []string{"version"}, wantCode: 0, wantOut: "kechuang dev"},
		{name: "no command", args: nil, wantCode: 2, wantErr: "Usage:"},
		{name: "unknown command", args: []string{"fly"}, wantCode: 2, wantErr: `unknown command "fly"`, oneLineErr: true},
		{name: "bad flag", args: []string{"migrate", "--nope"}, wantCode: 2, wantErr: "flag provided but not defined"},
		{name: "migrate sqlite", args: []string{"migrate", "--data", dir}, wantCode: 0, wantOut: "sqlite schema is at version"},
		{name: "migrate postgres", args: []string{"migrate", "--db", pgDSN}, wantCode: 0, wantOut: "postgres schema is at version"},
		{name: "unreachable postgres", args: []string{"migrate", "--db", "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"},
			wantCode: 2, wantErr: "check --db", oneLineErr: true},
		{name: "user add needs password-stdin", args: []string{"user", "add", "--data", dir, "--username", "u1", "--role", "staff", "--region", "320500"},
			wantCode: 2, wantErr: "--password-stdin is required", oneLineErr: true},
		{name: "user add bad role", args: []string{"user", "add", "--data", dir, "--username", "u1", "--role", "king", "--password-stdin"},
			stdin: "Kechuang-2026\n", wantCode: 2, wantErr: `--role "king"`, oneLineErr: true},
		{name: "user add weak password", args: []string{"user", "add", "--data", dir, "--username", "u1", "--role", "enterprise", "--password-stdin"},
			stdin: "short\n", wantCode: 2, wantErr: "--password: 口令至少需要 10 个字符", oneLineErr: true},
		{name: "user add common password", args: []string{"user", "add", "--data", dir, "--username", "u1", "--role", "enterprise", "--password-stdin"},
			stdin: "P@ssw0rd2026\n", wantCode: 2, wantErr: "--password: 口令过于常见", oneLineErr: true},
		{name: "user add asvs policy wants 12", args: []string{"user", "add", "--data", dir, "--password-policy", "asvs", "--username", "u1", "--role", "enterprise", "--password-stdin"},
			stdin: "Hbq-7361902\n", wantCode: 2, wantErr: "--password: 口令至少需要 12 个字符", oneLineErr: true},
		{name: "user add unknown policy", args: []string{"user", "add", "--data", dir, "--password-policy", "nist", "--username", "u1", "--role", "enterprise", "--password-stdin"},
			stdin: "Kechuang-2026\n", wantCode: 2, wantErr: "want dengbao or asvs", oneLineErr: true},
		{name: "user add county with city region", args: []string{"user", "add", "--data", dir, "--username", "u1", "--role", "county", "--region", "320500", "--password-stdin"},
			stdin: "Kechuang-2026\n", wantCode: 2, wantErr: "--region: 区县工作人员必须指定到区县一级", oneLineErr: true},
		{name: "user add", args: []string{"user", "add", "--data", dir, "--username", "u1", "--role", "county", "--region", "320583", "--password-stdin"},
			stdin: "Kechuang-2026\n", wantCode: 0, wantOut: "created user u1"},
		{name: "user add on postgres", args: []string{"user", "add", "--db", pgDSN, "--data", dir, "--username", "u1", "--role", "admin", "--password-stdin"},
			stdin: "Kechuang-2026\n", wantCode: 0, wantOut: "created user u1"},
		{name: "user add duplicate", args: []string{"user", "add", "--data", dir, "--username", "u1", "--role", "admin", "--password-stdin"},
			stdin: "Kechuang-2026\n", wantCode: 2, wantErr: "用户名 u1 已被使用", oneLineErr: true},
		{name: "backup sqlite", args: []string{"backup", "--data", dir, "--out", filepath.Join(dir, "snap", "b.db")}, wantCode: 0, wantOut: "consistent snapshot"},
		{name: "backup refuses to overwrite", args: []string{"backup", "--data", dir, "--out", filepath.Join(dir, "snap", "b.db")}, wantCode: 2, wantErr: "already exists"},
		{name: "backup postgres points to pg_dump", args: []string{"backup", "--db", pgDSN, "--out", filepath.Join(dir, "pg.db")}, wantCode: 1, wantErr: "pg_dump"},
		{name: "assess needs flags", args: []string{"assess"}, wantCode: 2, wantErr: "--rules ID and --input", oneLineErr: true},
		{name: "assess unknown rule set", args: []string{"assess", "--rules", "nope", "--input", assessInput}, wantCode: 2, wantErr: "rule sets:", oneLineErr: true},
		{name: "assess", args: []string{"assess", "--rules", "high-tech", "--input", assessInput}, wantCode: 0, wantOut: `"rule_set":"high-tech"`},
		{name: "assess bad line", args: []string{"assess", "--rules", "tech-sme", "--input", badAssessInput}, wantCode: 1, wantErr: "第2行"},
		{name: "reindex", args: []string{"reindex", "--data", dir}, wantCode: 0, wantOut: "indexed 0 directory records"},
		{name: "pii key file missing", args: []string{"reindex", "--data", dir, "--pii-key-file", filepath.Join(dir, "nope.key")},
			wantCode: 2, wantErr: "--pii-key-file " + filepath.Join(dir, "nope.key") + " does not exist"},
		{name: "pii key file without a key", args: []string{"reindex", "--data", dir, "--pii-key-file", badAssessInput},
			wantCode: 2, wantErr: "--pii-key-file", oneLineErr: true},
		{name: "bench needs match", args: []string{"bench"}, wantCode: 2, wantErr: "bench match", oneLineErr: true},
		{name: "bench match", args: []string{"bench", "match", "--docs", benchDocs, "--queries", benchQueries}, wantCode: 0, wantOut: `"mrr_at_10":1`},
		{name: "serve bad addr", args: []string{"serve", "--data", dir, "--addr", "nonsense"}, wantCode: 2, wantErr: "want HOST:PORT", oneLineErr: true},
		{name: "serve home region not a city", args: []string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--home-region", "320000"},
			wantCode: 2, wantErr: `--home-region "320000": 江苏省 不是地级市或区县`, oneLineErr: true},
		{name: "serve home region unknown", args: []string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--home-region", "329999"},
			wantCode: 2, wantErr: `--home-region "329999": 区划代码 329999 不存在`, oneLineErr: true},
		{name: "serve demo elsewhere", args: []string{"serve", "--demo", "--data", dir, "--addr", "127.0.0.1:0", "--home-region", "110100"},
			wantCode: 2, wantErr: "--demo loads 苏州市 (320500)", oneLineErr: true},
		{name: "serve bad import row limit", args: []string{"serve", "--data", dir, "--import-max-rows", "0"}, wantCode: 2,
			wantErr: "--import-max-rows 0", oneLineErr: true},
	}
	for _, tt := range tests {
		// Subtests run in order: later ones use what earlier ones made.
		code, out, errOut := run(t, tt.stdin, tt.args...)
		if code != tt.wantCode || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("%s: Main(%q) = %d\nstdout: %s\nstderr: %s\nwant %d, stdout ∋ %q, stderr ∋ %q",
				tt.name, tt.args, code, out, errOut, tt.wantCode, tt.wantOut, tt.wantErr)
		}
		if tt.oneLineErr && strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%s: error is not one line: %q", tt.name, errOut)
		}
	}
	// The snapshot is a usable database with the user in it.
	code, out, errOut := run(t, "", "migrate", "--db", filepath.Join(dir, "snap", "b.db"))
	if code != 0 || !strings.Contains(out, "applied 0 migration(s)") {
		t.Errorf("migrate the snapshot = %d %s %s", code, out, errOut)
	}
}

// TestServeWithoutHomeRegion: a server started without --home-region runs,
// says at start what to configure, and serves the market (the pages' own
// notice is tested in internal/web).
func TestServeWithoutHomeRegion(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited with %d", code)
		}
	}()
	var base string
	warned := false
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		warned = warned || strings.Contains(line, "--home-region")
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(line); m != nil {
			base = m[1]
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" || !warned {
		t.Fatalf("serve without a home region: listening on %q, told to set --home-region: %v", base, warned)
	}
	res, err := http.Get(base + "/market")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /market without a home region = %d", res.StatusCode)
	}
}
