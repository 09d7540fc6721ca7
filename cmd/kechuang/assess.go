package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"kechuang/data"
	"kechuang/internal/cultivation"
)

// runAssess prints one assessment result per line of a JSONL input file,
// without a database: `kechuang assess --rules ID --input FILE.jsonl`.
func runAssess(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("assess", flag.ContinueOnError)
	ruleID := fs.String("rules", "", "rule set id, e.g. high-tech, tech-sme, specialized-sme")
	input := fs.String("input", "", "JSONL file, one enterprise per line (- for standard input)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	rules, err := cultivation.LoadRuleSets(data.FS)
	if err != nil {
		return fmt.Errorf("load rule sets: %w", err)
	}
	if *ruleID == "" || *input == "" {
		return usageError("assess: --rules ID and --input FILE.jsonl are required; rule sets: %v", rules.IDs())
	}
	var in io.Reader = os.Stdin
	if *input != "-" {
		f, err := os.Open(*input)
		if err != nil {
			return usageError("assess: %v", err)
		}
		defer f.Close()
		in = f
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	err = cultivation.RunAssessLines(rules, *ruleID, in, w)
	if errors.Is(err, cultivation.ErrNoRuleSet) {
		return usageError("assess: %v; rule sets: %v", err, rules.IDs())
	}
	return err
}
