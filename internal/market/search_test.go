package market_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// searchCorpus are real-looking Chinese listings with mixed-script terms.
var searchCorpus = []struct {
	title, summary string
	keywords       []string
	domain         string
}{
	{"一种5G基站用小型化腔体滤波器", "面向5G基站射频前端，提出小型化腔体滤波器结构，插入损耗低于0.5dB，带外抑制优于60dB。", []string{"5G", "基站", "滤波器"}, "电子信息/通信技术"},
	{"PEEK复合材料及其3D打印成型工艺", "以PEEK为基体、碳纤维增强的复合材料，适用于航空结构件的增材制造。", []string{"PEEK", "复合材料", "3D打印"}, "新材料/高分子材料"},
	{"基于CRISPR的水稻抗病基因编辑育种技术", "利用CRISPR/Cas9定点编辑水稻感病基因，获得广谱抗稻瘟病新种质。", []string{"CRISPR", "基因编辑", "水稻"}, "生物与新医药/农业生物技术"},
	{"锂离子电池正极材料表面包覆改性方法", "采用原子层沉积对三元正极材料包覆氧化铝，提升Li-ion电池循环寿命。", []string{"锂离子电池", "正极材料", "Li-ion"}, "新能源与节能/新型高效能量转换与储存技术"},
	{"城市污水处理厂智能曝气控制系统", "根据溶解氧在线监测实时调节曝气量，节能20%以上。", []string{"污水处理", "曝气", "节能"}, "资源与环境/水污染控制与水资源利用技术"},
}

// publish creates, submits and approves one listing and returns its id.
func publish(t *testing.T, f *fixture, owner, staff account.Actor, title, summary, domain string, keywords []string) int64 {
	t.Helper()
	ctx := context.Background()
	in := achievement(title)
	in.Summary, in.Domain, in.Keywords = summary, domain, keywords
	l, err := f.svc.CreateListing(ctx, owner, market.Achievement, in)
	if err != nil {
		t.Fatalf("create %s: %v", title, err)
	}
	if _, err := f.svc.Submit(ctx, owner, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, staff, l.ID); err != nil {
		t.Fatal(err)
	}
	return l.ID
}

func hitIDs(r market.SearchResult) []int64 {
	var out []int64
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func TestSearchIndexFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	results := map[sqldb.Dialect][][]int64{}
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		owner := f.actor("inst", account.RoleInstitution, "320505")
		staff := f.actor("city", account.RoleStaff, "320500")
		var ids []int64
		for _, c := range searchCorpus {
			ids = append(ids, publish(t, f, owner, staff, c.title, c.summary, c.domain, c.keywords))
		}
		// A draft is never searchable.
		draft, err := f.svc.CreateListing(ctx, owner, market.Achievement, achievement("未提交的5G滤波器草稿"))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		x, err := market.OpenIndexer(ctx, f.svc, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name  string
			query string
			want  int64
		}{
			{name: "exact title", query: searchCorpus[0].title, want: ids[0]},
			{name: "mixed script", query: "5G 基站 滤波器", want: ids[0]},
			{name: "Latin term with Chinese", query: "PEEK 复合材料", want: ids[1]},
			{name: "Latin acronym", query: "CRISPR", want: ids[2]},
			{name: "typo in a Latin term", query: "CRISPER 水稻", want: ids[2]},
			{name: "hyphenated Latin", query: "Li-ion 电池", want: ids[3]},
			{name: "Chinese words", query: "污水 曝气 节能", want: ids[4]},
		}
		var got [][]int64
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := x.Search(market.SearchQuery{Text: tt.query})
				if len(r.Hits) == 0 || r.Hits[0].ID != tt.want {
					t.Errorf("Search(%q) = %v, want %d first", tt.query, hitIDs(r), tt.want)
				}
				for _, h := range r.Hits {
					if h.ID == draft.ID {
						t.Errorf("a draft was found")
					}
				}
				got = append(got, hitIDs(r))
			})
		}
		results[db.Dialect()] = got
		// Facets count every match, not just the page.
		all := x.Search(market.SearchQuery{PerPage: 2})
		if all.Total != 5 || len(all.Hits) != 2 {
			t.Errorf("empty query = %d total, %d hits; want 5 and a page of 2", all.Total, len(all.Hits))
		}
		var kinds int
		for _, fc := range all.Facets[market.FacetKind] {
			if fc.Value == string(market.Achievement) {
				kinds = fc.Count
			}
		}
		if kinds != 5 {
			t.Errorf("kind facet = %+v, want 5 achievements", all.Facets[market.FacetKind])
		}
		filtered := x.Search(market.SearchQuery{Filters: map[string][]string{market.FacetDomain: {"新材料"}}})
		if filtered.Total != 1 || filtered.Hits[0].ID != ids[1] {
			t.Errorf("domain filter = %v", hitIDs(filtered))
		}
		// A withdrawal leaves the index at the next catch-up.
		if _, err := f.svc.Withdraw(ctx, owner, ids[4]); err != nil {
			t.Fatal(err)
		}
		if _, err := x.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if r := x.Search(market.SearchQuery{Text: "曝气"}); r.Total != 0 {
			t.Errorf("withdrawn listing still found: %v", hitIDs(r))
		}
		// A restart loads the snapshot and replays only what came after.
		if err := x.Save(); err != nil {
			t.Fatal(err)
		}
		later := publish(t, f, owner, staff, "高通量单细胞测序数据分析平台", "面向单细胞RNA测序的数据分析平台。", "生物与新医药/医药生物技术", []string{"单细胞", "测序"})
		y, err := market.OpenIndexer(ctx, f.svc, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if y.Index().Len() != 5 {
			t.Errorf("reopened index holds %d documents, want 5 (4 from the snapshot + 1 caught up)", y.Index().Len())
		}
		if r := y.Search(market.SearchQuery{Text: "单细胞 测序"}); len(r.Hits) == 0 || r.Hits[0].ID != later {
			t.Errorf("listing published after the snapshot not found: %v", hitIDs(r))
		}
		n, err := y.Rebuild(ctx)
		if err != nil || n != 5 {
			t.Errorf("Rebuild() = %d, %v; want 5", n, err)
		}
	})
	// Ranking is computed in Go: both databases give the same order.
	if diff := cmp.Diff(results[sqldb.SQLite], results[sqldb.Postgres]); diff != "" && len(results) == 2 {
		t.Errorf("results differ between databases (-sqlite +postgres):\n%s", diff)
	}
}
