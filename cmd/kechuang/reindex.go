package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// runReindex rebuilds the search index of published listings from the
// database and saves its snapshot under --data.
func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	var dbf appFlags
	dbf.register(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	a, err := openApp(ctx, dbf, "", stderr)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	start := time.Now()
	n, err := a.Search.Rebuild(ctx)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	fmt.Fprintf(stdout, "indexed %d published listings in %v\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
