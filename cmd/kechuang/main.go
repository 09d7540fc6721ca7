// Command kechuang runs the regional science-and-technology innovation
// service platform: `kechuang serve --demo` starts it with demo data.
//
// This package only wires: it reads flags and environment, opens the
// database and hands plain values to the constructors of internal packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed
	exitUsage = 2 // bad flags, unreachable database: fix the invocation
)

const usage = `kechuang — 区域科技创新服务平台 / regional S&T innovation service platform

Usage:
  kechuang serve   [--addr HOST:PORT] [--data DIR] [--db DSN] [--home-region CODE] [--demo] [--import-max-rows N]
                   [--password-policy dengbao|asvs] [--audit-key-file FILE] [--pii-key-file FILE]
                   [--tls-cert FILE --tls-key FILE] [--trusted-proxy CIDR]... [--metrics-token TOKEN] [--public-url URL]
                   [--secret-key-file FILE] [--mfa-roles ROLES] [--session-limits ROLE=N,...] [--lock-account-after N]
  kechuang migrate [--data DIR] [--db DSN]
  kechuang user add --username NAME --role ROLE [--region CODE] --password-stdin [--data DIR] [--db DSN]
  kechuang backup  --out FILE [--data DIR] [--db DSN]
  kechuang restore --from FILE [--data DIR] [--db FILE]
  kechuang audit verify [--data DIR] [--db DSN] [--audit-key-file FILE]
  kechuang federation rotate-key [--data DIR]
  kechuang assess  --rules ID --input FILE.jsonl
  kechuang reindex [--data DIR] [--db DSN]
  kechuang bench match --docs DOCS.jsonl --queries QUERIES.jsonl
  kechuang bench login|preauth --url URL --pid PID [--spread]
  kechuang bench import [--dir DIR] [--cases NAME,…] [--limit-mb 300] [--server BIN]
  kechuang version

Environment: KECHUANG_ADDR, KECHUANG_DATA, KECHUANG_DB, KECHUANG_HOME_REGION
give the defaults of --addr, --data, --db and --home-region. --db takes a
PostgreSQL URL (postgres://…) or a SQLite file path; without it the database
is DATA/kechuang.db. --home-region stores the city or county the instance
serves (a 6-digit code such as 320500); it is kept in the database.
KECHUANG_PASSWORD_POLICY gives the default of --password-policy (dengbao or
asvs); KECHUANG_AUDIT_KEY_FILE of --audit-key-file, and KECHUANG_AUDIT_KEY
holds the audit chain key itself (without either, the key is DATA/audit.key,
made at first start). KECHUANG_IMPORT_MAX_ROWS gives the default of
--import-max-rows.
`

// Main runs one command and returns the process exit code. Tests call it
// directly; ctx ends a running server.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = runMigrate(ctx, args[1:], stdout, stderr)
	case "user":
		err = runUser(ctx, args[1:], stdin, stdout, stderr)
	case "backup":
		err = runBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		err = runRestore(ctx, args[1:], stdout, stderr)
	case "audit":
		err = runAudit(ctx, args[1:], stdout, stderr)
	case "assess":
		err = runAssess(args[1:], stdout, stderr)
	case "reindex":
		err = runReindex(ctx, args[1:], stdout, stderr)
	case "federation":
		err = runFederation(ctx, args[1:], stdout, stderr)
	case "bench":
		switch {
		case len(args) >= 2 && args[1] == "match":
			return runBenchMatch(args[2:], stdout, stderr)
		case len(args) >= 2 && (args[1] == "login" || args[1] == "preauth"):
			err = runBenchAttack(ctx, args[1], args[2:], stdout, stderr)
		case len(args) >= 2 && args[1] == "import":
			err = runBenchImport(ctx, args[2:], stdout, stderr)
		default:
			err = usageError("bench: want `kechuang bench match --docs DOCS.jsonl --queries QUERIES.jsonl`, `bench login`, `bench preauth` or `bench import`")
		}
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "kechuang", version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		err = usageError("unknown command %q; run `kechuang help`", args[0])
	}
	return report(err, stderr)
}

// errUsage marks errors the user fixes by changing the invocation.
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

func usageError(format string, args ...any) error { return errUsage{fmt.Sprintf(format, args...)} }

func report(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "kechuang:", err)
	var u errUsage
	if errors.As(err, &u) {
		return exitUsage
	}
	return exitFail
}

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	data string
	db   string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", envOr("KECHUANG_DATA", "data"), "data directory (SQLite database, index)")
	fs.StringVar(&f.db, "db", os.Getenv("KECHUANG_DB"), "database: postgres://… URL or SQLite file (default DATA/kechuang.db)")
}

// appFlags are the flags of the commands that open the wired services.
type appFlags struct {
	dbFlags
	passwordPolicy string
	auditKeyFile   string
	piiKeyFile     string
}

func (f *appFlags) register(fs *flag.FlagSet) {
	f.dbFlags.register(fs)
	f.registerAuditKey(fs)
	fs.StringVar(&f.piiKeyFile, "pii-key-file", os.Getenv("KECHUANG_PII_KEY_FILE"),
		"file with the keys that seal contact phone numbers and e-mail addresses, the current key first (default DATA/"+piiKeyName+", made at first start)")
	fs.StringVar(&f.passwordPolicy, "password-policy", envOr("KECHUANG_PASSWORD_POLICY", "dengbao"),
		"password policy: dengbao (10 characters of 3 classes, history 5, 90-day expiry) or asvs (12 characters, no expiry)")
}

func (f *appFlags) registerAuditKey(fs *flag.FlagSet) {
	fs.StringVar(&f.auditKeyFile, "audit-key-file", os.Getenv("KECHUANG_AUDIT_KEY_FILE"),
		"file holding the audit chain key (hex); default KECHUANG_AUDIT_KEY, else DATA/"+auditKeyName+", made at first start")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// parseFlags parses args with fs, turning flag errors into usage errors and
// refusing stray arguments.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usageError("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}
