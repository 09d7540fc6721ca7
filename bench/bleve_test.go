package main

import (
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"kechuang/internal/search/matcheval"
)

var bleveDocs = []matcheval.Doc{
	{ID: "a", Title: "高镍三元正极材料", Text: "锂离子电池正极材料的表面包覆与循环寿命"},
	{ID: "b", Title: "水稻高产栽培", Text: "氮肥施用时期对杂交水稻产量的影响"},
	{ID: "c", Title: "盾构隧道施工", Text: "盾构掘进引起的地表沉降数值模拟"},
}

// TestBleveBaselineIsScorchBM25: the baseline index passes its own check,
// and the check refuses what bleve.NewMemOnly builds (upsidedown, where the
// BM25 setting is ignored), so it can fail.
func TestBleveBaselineIsScorchBM25(t *testing.T) {
	var b bleveEngine
	if err := b.Index(bleveDocs); err != nil {
		t.Fatalf("scorch BM25 baseline: %v", err)
	}
	defer b.Close()
	if d := b.Desc; d.IndexType != scorch.Name || d.IndexImpl != "*scorch.Scorch" || d.MappingScor != bindex.BM25Scoring || !strings.HasPrefix(d.Scored, "BM25") {
		t.Errorf("the baseline reports %+v, want a scorch index scored with BM25", d)
	}
	ids, err := b.Query(matcheval.Query{Text: "正极材料"}, 3)
	if err != nil || len(ids) == 0 || ids[0] != "a" {
		t.Errorf("Query(正极材料) = %v, %v, want a first", ids, err)
	}

	tests := []struct {
		name    string
		model   string
		open    func(mapping.IndexMapping) (bleve.Index, error)
		wantErr string
	}{
		{"upsidedown (NewMemOnly)", bindex.BM25Scoring, bleve.NewMemOnly, "scorch"},
		{"scorch with TF-IDF", bindex.TFIDFScoring, func(m mapping.IndexMapping) (bleve.Index, error) {
			return bleve.NewUsing("", m, scorch.Name, bleve.Config.DefaultMemKVStore, nil)
		}, "BM25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := bleve.NewIndexMapping()
			m.DefaultAnalyzer = cjk.AnalyzerName
			m.ScoringModel = tt.model
			idx, err := tt.open(m)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range bleveDocs {
				if err := idx.Index(d.ID, map[string]any{"title": d.Title, "text": d.Text}); err != nil {
					t.Fatal(err)
				}
			}
			if err := checkBleve(idx, "正极材料"); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("checkBleve = %v, want an error naming %s", err, tt.wantErr)
			}
		})
	}
}
