package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/demo"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var dbf appFlags
	dbf.register(fs)
	addr := fs.String("addr", envOr("KECHUANG_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT")
	home := fs.String("home-region", os.Getenv("KECHUANG_HOME_REGION"), "the city or county this instance serves: a 6-digit GB/T 2260 code, e.g. 320500")
	loadDemo := fs.Bool("demo", false, "load the demo region (苏州市) and one account per role")
	var sec securityFlags
	sec.register(fs)
	maxRows := sheet.DefaultMaxRows
	if v := os.Getenv("KECHUANG_IMPORT_MAX_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return usageError("serve: KECHUANG_IMPORT_MAX_ROWS=%q: want a number of rows", v)
		}
		maxRows = n
	}
	importRows := fs.Int("import-max-rows", maxRows, "most data rows in one imported file")
	sweepEvery := time.Hour
	if v := os.Getenv("KECHUANG_SWEEP_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return usageError("serve: KECHUANG_SWEEP_EVERY=%q: want a duration such as 1h or 10m", v)
		}
		sweepEvery = d
	}
	behindMargin := cultivation.DefaultBehindMargin
	if v := os.Getenv("KECHUANG_BEHIND_MARGIN"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return usageError("serve: KECHUANG_BEHIND_MARGIN=%q: want percentage points such as 10", v)
		}
		behindMargin = f
	}
	fs.Float64Var(&behindMargin, "behind-margin", behindMargin, "percentage points a county may trail the linear schedule of its cultivation targets before 督办 singles it out")
	fs.DurationVar(&sweepEvery, "sweep-every", sweepEvery, "how often this node runs the scheduled sweeps (listing expiry notices, project lights, 督办 escalation, service-request limits, report reminders); every node may run them, each item is done once")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *importRows < 1 {
		return usageError("serve: --import-max-rows %d: want a positive number of rows", *importRows)
	}
	if behindMargin < 0 || behindMargin > 100 || math.IsNaN(behindMargin) {
		return usageError("serve: --behind-margin %g: want percentage points from 0 to 100", behindMargin)
	}
	if sweepEvery <= 0 {
		return usageError("serve: --sweep-every %s: want a positive duration such as 1h", sweepEvery)
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return usageError("serve: --addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", *addr)
	}
	if *loadDemo {
		// The demo is of 苏州市: it takes the home region the way
		// --home-region does.
		if *home != "" && *home != demo.HomeRegion {
			return usageError("serve: --demo loads 苏州市 (%s); drop --home-region %s or the demo", demo.HomeRegion, *home)
		}
		*home = demo.HomeRegion
	}
	// One server per SQLite file; restore takes the same lock.
	if path := sqldb.SQLitePath(dbf.db, dbf.data); path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
		release, err := lockFile(path + ".lock")
		if errors.Is(err, errLocked) {
			return usageError("serve: another kechuang server is using %s", path)
		}
		if err != nil {
			return err
		}
		defer release()
	}
	cfg, err := sec.config(dbf.dbFlags)
	if err != nil {
		return err
	}
	cfg.HomeRegion, cfg.ImportMaxRows = *home, *importRows
	if *loadDemo {
		// The demo's accounts open at once with the printed password; the
		// login page says that they need no second factor.
		for _, d := range demo.Accounts {
			cfg.MFAExempt = append(cfg.MFAExempt, d.Username)
		}
	}
	a, err := openApp(ctx, dbf, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	if sec.keyCreated {
		fmt.Fprintf(stdout, "created the secret key %s: back it up with the database; every node needs the same key\n", sec.keyFile)
		a.Logger.Warn("created a new secret key; back it up with the database", "file", sec.keyFile)
	}
	if *loadDemo {
		password := account.GeneratePassword()
		sum, err := a.LoadDemo(ctx, password)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "演示账户 / demo accounts (password for all):", password)
		for _, d := range sum.Accounts {
			fmt.Fprintf(stdout, "  %-12s %s\n", d.Username, d.Role)
		}
		for _, p := range sum.Parts {
			if p.Added > 0 {
				fmt.Fprintf(stdout, "loaded %d %s\n", p.Added, p.What)
			}
		}
	}
	if a.HomeRegion == "" {
		fmt.Fprintln(stdout, "no home region configured: start with --home-region CODE (or KECHUANG_HOME_REGION), e.g. 320500 for 苏州市")
		a.Logger.Warn("no home region configured", "flag", "--home-region", "env", "KECHUANG_HOME_REGION")
	}
	srv, err := a.Server()
	if err != nil {
		return err
	}
	tlsCfg, err := sec.tlsConfig()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usageError("serve: listen on %s: %v", *addr, err)
	}
	scheme := "http"
	if tlsCfg != nil {
		ln, scheme = tls.NewListener(ln, tlsCfg), "https"
	} else if !isLoopback(ln.Addr()) {
		a.Logger.Warn("serving plain HTTP on a non-loopback address: passwords and session cookies cross the network in clear; "+
			"use --tls-cert and --tls-key, or a TLS proxy named with --trusted-proxy", "addr", ln.Addr().String())
	}
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, TLSConfig: tlsCfg}
	a.Cultivation.SetBehindMargin(behindMargin)
	bg, cancelBG := context.WithCancel(ctx)
	defer cancelBG()
	go srv.PurgeSessionsEvery(bg, 10*time.Minute)
	// Listing views are counted in memory and written every 5 s (and at
	// shutdown): a crash loses at most that interval's counts.
	viewsDone := make(chan struct{})
	go func() { a.Market.FlushViewsEvery(bg, 5*time.Second, a.Logger); close(viewsDone) }()
	// Every node sweeps: each listing's notice is claimed with a
	// conditional UPDATE, so several nodes on one database send it once.
	go a.Market.NotifyExpiringEvery(bg, sweepEvery, a.Logger)
	// Lights, 督办 escalation, service-request limits and report reminders
	// change by the day: swept once at start, so that they are fresh after
	// downtime, then at the same rate (each step is safe on several nodes).
	go func() {
		if _, err := a.Projects.Sweep(bg); err != nil {
			a.Logger.Warn("project sweep", "err", err)
		}
		a.Projects.SweepEvery(bg, sweepEvery, a.Logger)
	}()
	go a.Search.ProposeMatchesEvery(bg, 30*time.Second)
	go a.Federation.Run(bg, 15*time.Second)
	a.Jobs.Start(bg, 2)
	// Writes become searchable within half a second; the snapshot is saved
	// every five minutes and at shutdown, so a restart replays little.
	indexDone := make(chan struct{})
	go func() { a.Search.Run(bg, 500*time.Millisecond, 5*time.Minute); close(indexDone) }()
	// The directory's index catches up on every search too; this keeps it
	// warm and saves its snapshot.
	dirIndexDone := make(chan struct{})
	go func() { a.Directory.Indexer().Run(bg, 2*time.Second, 5*time.Minute); close(dirIndexDone) }()

	fmt.Fprintf(stdout, "kechuang %s listening on %s://%s (%s database)\n", version, scheme, ln.Addr(), a.DB.Dialect())
	a.Logger.Info("server started", "addr", ln.Addr().String(), "database", string(a.DB.Dialect()))
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Finish in-flight requests before closing the database.
	a.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	// A job cut short now fails visibly and leaves no half-written rows.
	cancelBG()
	a.Jobs.Wait()
	<-indexDone
	<-dirIndexDone
	<-viewsDone
	a.Logger.Info("server stopped")
	return nil
}
