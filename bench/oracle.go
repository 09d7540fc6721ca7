package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"strings"

	"kechuang/internal/search"
	"kechuang/internal/search/matcheval"
)

// oracle answers the question "how accurate would the discipline classifier
// have to be for the field targets?": it replaces the cross-fitted
// prediction of a share of the texts (chosen by hashing the text, so the
// same texts every run) by their true discipline with probability 1, and
// leaves the others as the classifier predicts them. The share sweeps the
// top-1 accuracy upwards; the rankings show what that accuracy buys. It is
// an experiment on the dev tasks only: it reads the labels it reveals.
type oracle struct {
	share  float64
	truth  map[string]string // classified text → true discipline
	hit, n [2]int            // top-1 correct and classified: [listings, demands]
}

// reveal returns t, or the true discipline for the chosen share of texts,
// and counts top-1 accuracy. A nil oracle returns t unchanged.
func (o *oracle) reveal(text string, t search.Topic) search.Topic {
	if o == nil {
		return t
	}
	truth, ok := o.truth[text]
	if !ok {
		return t
	}
	h := fnv.New32a()
	h.Write([]byte(text))
	if float64(h.Sum32()%10000)/10000 < o.share {
		t.Disciplines = []search.Label{{Name: truth, P: 1}}
	}
	side := 0
	if strings.HasPrefix(text, "\n\n") { // a demand: no title
		side = 1
	}
	o.n[side]++
	if len(t.Disciplines) > 0 && t.Disciplines[0].Name == truth {
		o.hit[side]++
	}
	return t
}

func oracleExp(dir string, names []string, shares []float64) error {
	cf, dev, err := newCrossFitted()
	if err != nil {
		return err
	}
	label := map[string]string{}
	for _, r := range dev {
		label[r.ID] = r.Discipline
	}
	enc := json.NewEncoder(os.Stdout)
	for _, task := range names {
		docs, qs, err := cf.load(dir, task)
		if err != nil {
			return err
		}
		truth := map[string]string{}
		for _, d := range docs {
			truth[d.Title+"\n\n"+d.Text] = label[d.ID]
		}
		for _, q := range qs {
			truth["\n\n"+q.Text] = label[strings.TrimPrefix(q.ID, "q-")]
		}
		for _, share := range shares {
			cf.oracle = &oracle{share: share, truth: truth}
			k := &matcheval.Kechuang{Options: search.Options{Classifier: cf}}
			if err := k.Index(docs); err != nil {
				return err
			}
			r, err := runQueries(fmt.Sprintf("oracle share %g", share), k, docs, qs)
			if err != nil {
				return err
			}
			o := cf.oracle
			fmt.Fprintf(os.Stderr, "%s share %g: top-1 discipline accuracy listings %.3f, demands %.3f (before the vote)\n",
				task, share, float64(o.hit[0])/float64(max(1, o.n[0])), float64(o.hit[1])/float64(max(1, o.n[1])))
			emit(enc, task, r)
		}
		cf.oracle = nil
	}
	return nil
}
