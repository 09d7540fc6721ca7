package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"kechuang/internal/search"
	"kechuang/internal/search/matcheval"
)

// runBenchMatch implements `kechuang bench match --docs DOCS.jsonl
// --queries QUERIES.jsonl`: it indexes the documents as achievements, runs
// every query as a demand, one at a time, and prints one JSON object with
// the retrieval metrics, latency percentiles and index build time. It
// returns the process exit code.
func runBenchMatch(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench match", flag.ContinueOnError)
	fs.SetOutput(stderr)
	docsPath := fs.String("docs", "", "documents, one JSON object {id,title,text} per line")
	queriesPath := fs.String("queries", "", "queries, one JSON object {id,text,relevant,exclude} per line")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *docsPath == "" || *queriesPath == "" {
		fmt.Fprintln(stderr, "bench match: --docs and --queries are required")
		fs.Usage()
		return 2
	}
	docs, err := matcheval.ReadJSONL[matcheval.Doc](*docsPath)
	if err != nil {
		fmt.Fprintf(stderr, "bench match: read docs: %v\n", err)
		return 1
	}
	queries, err := matcheval.ReadJSONL[matcheval.Query](*queriesPath)
	if err != nil {
		fmt.Fprintf(stderr, "bench match: read queries: %v\n", err)
		return 1
	}
	// Load the embedded dictionary and classifier before the clock starts:
	// that is process start-up, not index build.
	if _, err := search.New(search.Options{}); err != nil {
		fmt.Fprintf(stderr, "bench match: %v\n", err)
		return 1
	}
	rep, err := matcheval.Run("kechuang", &matcheval.Kechuang{Options: search.Options{}}, docs, queries)
	if err != nil {
		fmt.Fprintf(stderr, "bench match: %v\n", err)
		return 1
	}
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(rep); err != nil {
		fmt.Fprintf(stderr, "bench match: %v\n", err)
		return 1
	}
	return 0
}
