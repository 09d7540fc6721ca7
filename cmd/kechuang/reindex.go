package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"kechuang/internal/app"
	"kechuang/internal/directory"
	"kechuang/internal/market"
)

// reindexGCPercent is the garbage collector's target while reindexing.
const reindexGCPercent = 20

// runReindex rebuilds the search index of published listings from the
// database and saves its snapshot under --data.
func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	var dbf appFlags
	dbf.register(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	a, err := openApp(ctx, dbf, app.Config{NoIndex: true}, stderr)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	// Analysis leaves much short-lived garbage; collecting at 20% growth
	// instead of 100% keeps the peak near the size of the index being
	// built (see BenchmarkReindexPeak in docs/BENCHMARKS.md).
	defer debug.SetGCPercent(debug.SetGCPercent(reindexGCPercent))
	start := time.Now()
	// The old snapshot is not loaded: the new index is built from the
	// database alone, so the two never share the memory.
	n, err := market.Reindex(ctx, a.Market, dbf.data, a.Logger)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	fmt.Fprintf(stdout, "indexed %d published listings in %v\n", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	n, err = directory.Reindex(ctx, a.Directory, dbf.data, a.Logger)
	if err != nil {
		return fmt.Errorf("reindex directory: %w", err)
	}
	fmt.Fprintf(stdout, "indexed %d directory records in %v\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
