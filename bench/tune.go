package main

import (
	"encoding/json"
	"fmt"
	"os"

	"kechuang/internal/search"
	"kechuang/internal/search/matcheval"
)

// tune builds each task's index once and reruns its queries under weight
// grids given as JSON (a list of search.Weights), printing one line per
// setting. It exists to make the choice of DefaultWeights reproducible.
func tune(dir string, names []string, grid string) error {
	var ws []search.Weights
	if err := json.Unmarshal([]byte(grid), &ws); err != nil {
		return fmt.Errorf("grid: %w", err)
	}
	cf, _, err := newCrossFitted()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	for _, task := range names {
		docs, qs, err := cf.load(dir, task)
		if err != nil {
			return err
		}
		k := &matcheval.Kechuang{Options: search.Options{Classifier: cf}}
		if err := k.Index(docs); err != nil {
			return err
		}
		for _, w := range ws {
			k.Idx.SetWeights(w)
			r, err := runQueries(fmt.Sprintf("%+v", w), k, docs, qs)
			if err != nil {
				return err
			}
			emit(enc, task, r)
		}
	}
	return nil
}
