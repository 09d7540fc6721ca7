package directory_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

// BenchmarkDirectorySearch measures one directory search (ranking, the
// viewer's visibility, facets, the first page) over 2,000 public experts
// whose research texts are real CSL paper titles, on SQLite: a common
// term, a specific one, and a query with a facet filter.
//
//	go test ./internal/directory/ -run XXX -bench DirectorySearch -benchmem
func BenchmarkDirectorySearch(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Open(b, sqldb.SQLite)
	f := newFixture(b, db)
	staff := f.actor("staff", account.RoleStaff, "320500")
	inst, err := f.svc.CreateInstitution(ctx, staff, directory.InstitutionInput{Name: "基准大学", Type: "university", RegionCode: "320505"})
	if err != nil {
		b.Fatal(err)
	}
	file, err := data.FS.Open("csl/csl_titles_category.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer file.Close()
	ref := shippedReference(b)
	known := map[string]bool{}
	for _, d := range ref.Disciplines {
		known[d.Name] = true
	}
	const experts = 2000
	sc := bufio.NewScanner(file)
	n := 0
	for sc.Scan() && n < experts {
		var rec struct{ Title, Category string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			b.Fatal(err)
		}
		var disc []string
		if known[rec.Category] {
			disc = []string{rec.Category}
		}
		e, err := f.svc.CreateExpert(ctx, staff, directory.ExpertInput{Name: fmt.Sprintf("基准专家%04d", n), InstitutionID: inst.ID,
			Research: rec.Title, Disciplines: disc})
		if err != nil {
			b.Fatalf("expert %d: %v", n, err)
		}
		if _, err := f.svc.RecordExpertConsent(ctx, staff, e.ID, directory.ConsentInput{Fields: []string{"name", "institution", "research",
			"disciplines"}, NoticeVersion: ref.Notice.Version, GivenOn: "2026-06-01"}); err != nil {
			b.Fatalf("consent %d: %v", n, err)
		}
		n++
	}
	for _, q := range []directory.SearchFilter{{Query: "研究"}, {Query: "石墨烯复合材料"}, {Query: "分析", Type: "expert", Region: "320505"}} {
		res, err := f.svc.Search(ctx, staff, q) // also the first catch-up of the index
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%s/%s", q.Query, q.Type), func(b *testing.B) {
			for b.Loop() {
				if _, err := f.svc.Search(ctx, staff, q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Total), "hits")
		})
	}
}
