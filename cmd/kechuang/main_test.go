package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kechuang/internal/dbtest"
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
		{name: "user add county with city region", args: []string{"user", "add", "--data", dir, "--username", "u1", "--role", "county", "--region", "320500", "--password-stdin"},
			stdin: "Kechuang-2026\n", wantCode: 2, wantErr: "--region: 区县工作人员必须指定到区县一级", oneLineErr: true},
		{name: "user add", args: []string{"user", "add", "--data", dir, "--username", "u1", "--role", "county", "--region", "320583", "--password-stdin"},
			stdin: "Kechuang-2026\n", wantCode: 0, wantOut: "created user u1"},
		{name: "user add on postgres", args: []string{"user", "add", "--db", pgDSN, "--username", "u1", "--role", "admin", "--password-stdin"},
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
		{name: "reindex", args: []string{"reindex", "--data", dir}, wantCode: 0, wantOut: "indexed 0 published listings"},
		{name: "bench needs match", args: []string{"bench"}, wantCode: 2, wantErr: "bench match", oneLineErr: true},
		{name: "bench match", args: []string{"bench", "match", "--docs", benchDocs, "--queries", benchQueries}, wantCode: 0, wantOut: `"mrr_at_10":1`},
		{name: "serve bad addr", args: []string{"serve", "--data", dir, "--addr", "nonsense"}, wantCode: 2, wantErr: "want HOST:PORT", oneLineErr: true},
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
