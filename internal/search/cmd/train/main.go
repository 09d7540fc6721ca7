// Command train fits the search classifier on the CSL data embedded in
// kechuang/data and writes internal/search/classify/modeldata/model.bin.gz.
// Training is deterministic: folds come from hashing record ids, features and
// labels are sorted, and gzip carries no timestamp, so the same data gives a
// byte-identical file.
//
//	go run ./internal/search/cmd/train            # write the model
//	go run ./internal/search/cmd/train -eval      # also report held-out accuracy
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"kechuang/data"
	"kechuang/internal/search/analysis"
	"kechuang/internal/search/classify"
)

func main() {
	out := flag.String("o", "internal/search/classify/modeldata/model.bin.gz", "output file")
	eval := flag.Bool("eval", false, "report accuracy on held-out folds (5-fold; fold 0 is the held-out fifth)")
	alpha := flag.Float64("alpha", 0, "smoothing (0: default)")
	minCount := flag.Int("min-count", 0, "minimum feature document frequency (0: default)")
	flag.Parse()
	if err := run(*out, *eval, classify.TrainOptions{Alpha: *alpha, MinCount: *minCount}); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run(out string, eval bool, o classify.TrainOptions) error {
	dev, err := classify.ReadJSONL(data.FS, "csl/csl_dev.jsonl")
	if err != nil {
		return err
	}
	titles, err := classify.ReadJSONL(data.FS, "csl/csl_titles_category.jsonl")
	if err != nil {
		return err
	}
	a := analysis.Default()
	if eval {
		var sum classify.Accuracy
		for k := range 5 {
			acc, _ := classify.Evaluate(a, dev, titles, k, 5, o)
			fmt.Printf("fold %d: n=%d category %.3f discipline %.3f (with neighbours %.3f) | keywords only: category %.3f discipline %.3f (with neighbours %.3f)\n",
				k, acc.N, acc.Category, acc.Discipline, acc.DisciplineMixed, acc.CategoryKW, acc.DisciplineKW, acc.DisciplineKWMixed)
			sum.N += acc.N
			sum.Category += acc.Category / 5
			sum.Discipline += acc.Discipline / 5
			sum.CategoryKW += acc.CategoryKW / 5
			sum.DisciplineKW += acc.DisciplineKW / 5
			sum.DisciplineMixed += acc.DisciplineMixed / 5
			sum.DisciplineKWMixed += acc.DisciplineKWMixed / 5
		}
		fmt.Printf("mean of 5 folds: category %.3f discipline %.3f (with neighbours %.3f) | keywords only: category %.3f discipline %.3f (with neighbours %.3f)\n",
			sum.Category, sum.Discipline, sum.DisciplineMixed, sum.CategoryKW, sum.DisciplineKW, sum.DisciplineKWMixed)
	}
	m := classify.Train(a, dev, titles, o)
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes; temperatures category %.3g discipline %.3g)\n", out, buf.Len(), m.Category.Temp, m.Discipline.Temp)
	return nil
}
