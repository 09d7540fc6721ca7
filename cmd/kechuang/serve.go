package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/demo"
	"kechuang/internal/importer"
	"kechuang/internal/job"
	"kechuang/internal/market"
	"kechuang/internal/sheet"
	"kechuang/internal/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var dbf dbFlags
	dbf.register(fs)
	addr := fs.String("addr", envOr("KECHUANG_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT")
	loadDemo := fs.Bool("demo", false, "load the demo region (苏州市) and one account per role")
	maxRows := sheet.DefaultMaxRows
	if v := os.Getenv("KECHUANG_IMPORT_MAX_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return usageError("serve: KECHUANG_IMPORT_MAX_ROWS=%q: want a number of rows", v)
		}
		maxRows = n
	}
	importRows := fs.Int("import-max-rows", maxRows, "most data rows in one imported file")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *importRows < 1 {
		return usageError("serve: --import-max-rows %d: want a positive number of rows", *importRows)
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return usageError("serve: --addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", *addr)
	}
	a, err := openApp(ctx, dbf, stderr)
	if err != nil {
		return err
	}
	defer a.Close()

	rules, err := cultivation.LoadRuleSets(data.FS)
	if err != nil {
		return fmt.Errorf("load rule sets: %w", err)
	}
	cult := cultivation.NewService(a.db, rules, nil)
	ref, err := market.LoadReference(data.FS)
	if err != nil {
		return fmt.Errorf("load market reference data: %w", err)
	}
	if *loadDemo {
		password := account.GeneratePassword()
		accts, err := demo.Load(ctx, a.db, a.accounts, password)
		if err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
		fmt.Fprintln(stdout, "演示账户 / demo accounts (password for all):", password)
		for _, d := range accts {
			fmt.Fprintf(stdout, "  %-12s %s\n", d.Username, d.Role)
		}
		n, err := demo.LoadEnterprises(ctx, a.db, a.accounts, cult, time.Now())
		if err != nil {
			return fmt.Errorf("load demo enterprises: %w", err)
		}
		if n > 0 {
			fmt.Fprintf(stdout, "loaded %d demo enterprises with indicators, assessments and county targets\n", n)
		}
		n, err = demo.LoadMarket(ctx, a.db, a.accounts, ref, password, time.Now())
		if err != nil {
			return fmt.Errorf("load demo market: %w", err)
		}
		if n > 0 {
			fmt.Fprintf(stdout, "loaded %d demo achievements and demands into the technology market\n", n)
		}
	}
	home, err := demo.HomeRegionSetting(ctx, a.db)
	if err != nil {
		return err
	}
	mkt := market.NewService(a.db, ref, home, nil)
	mkt.UseRegistry(cult)
	if *loadDemo {
		n, err := demo.LoadContracts(ctx, a.db, a.accounts, mkt, time.Now())
		if err != nil {
			return fmt.Errorf("load demo contracts: %w", err)
		}
		if n > 0 {
			fmt.Fprintf(stdout, "registered %d demo technology contracts\n", n)
		}
		n, err = demo.LoadDeals(ctx, a.db, a.accounts, mkt, time.Now())
		if err != nil {
			return fmt.Errorf("load demo deals: %w", err)
		}
		if n > 0 {
			fmt.Fprintf(stdout, "opened %d demo deals\n", n)
		}
	}
	jobs := job.NewService(a.db, a.log)
	imports := importer.Config{Jobs: jobs, Limits: sheet.Limits{MaxRows: *importRows}}
	cult.ConfigureImports(imports)
	mkt.ConfigureImports(imports)
	index, err := market.OpenIndexer(ctx, mkt, dbf.data, a.log)
	if err != nil {
		return fmt.Errorf("open search index: %w", err)
	}
	if *loadDemo {
		n, err := demo.LoadMatchAnswers(ctx, a.db, a.accounts, mkt, index)
		if err != nil {
			return fmt.Errorf("load demo match answers: %w", err)
		}
		if n > 0 {
			fmt.Fprintf(stdout, "answered %d demo matches\n", n)
		}
	}
	srv, err := web.New(web.Deps{DB: a.db, Accounts: a.accounts, Audit: audit.NewService(a.db), Regions: a.regions,
		Cultivation: cult, Market: mkt, Search: index, Jobs: jobs, Logger: a.log, Version: version, HomeRegion: home})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usageError("serve: listen on %s: %v", *addr, err)
	}
	httpSrv := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	bg, cancelBG := context.WithCancel(ctx)
	defer cancelBG()
	go srv.PurgeSessionsEvery(bg, 10*time.Minute)
	go mkt.NotifyExpiringEvery(bg, time.Hour, a.log)
	go index.ProposeMatchesEvery(bg, 30*time.Second)
	jobs.Start(bg, 2)
	// Writes become searchable within half a second; the snapshot is saved
	// every five minutes and at shutdown, so a restart replays little.
	indexDone := make(chan struct{})
	go func() { index.Run(bg, 500*time.Millisecond, 5*time.Minute); close(indexDone) }()

	fmt.Fprintf(stdout, "kechuang %s listening on http://%s (%s database)\n", version, ln.Addr(), a.db.Dialect())
	a.log.Info("server started", "addr", ln.Addr().String(), "database", string(a.db.Dialect()))
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Finish in-flight requests before closing the database.
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	// A job cut short now fails visibly and leaves no half-written rows.
	cancelBG()
	jobs.Wait()
	<-indexDone
	a.log.Info("server stopped")
	return nil
}
