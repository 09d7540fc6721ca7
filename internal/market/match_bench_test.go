package market_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/region"
	"kechuang/internal/search/classify"
	"kechuang/internal/sqldb"
)

// cslMarket writes an import CSV of about n listings from the shipped CSL
// abstracts, every third a demand, repeating the records with a numbered
// title when n exceeds them (as the matching issue allows for scale).
func cslMarket(tb testing.TB, ref *market.Reference, n int) []byte {
	tb.Helper()
	recs, err := classify.ReadJSONL(data.FS, "csl/csl_dev.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	counties := []string{"姑苏区", "吴中区", "相城区", "昆山市", "太仓市", "常熟市", "张家港市", "吴江区"}
	var buf bytes.Buffer
	buf.WriteString(importHeader)
	w := csv.NewWriter(&buf)
	clip := func(s string, max int) string {
		if r := []rune(s); len(r) > max {
			return string(r[:max])
		}
		return s
	}
	for i := range n {
		rec := recs[i%len(recs)]
		title := rec.Title
		if i >= len(recs) {
			title = fmt.Sprintf("%s（%d）", title, i/len(recs)+1)
		}
		domain := "先进制造与自动化"
		if d, ok := ref.DisciplineDomain(rec.Discipline); ok && d.Domain != "" {
			domain = d.Domain
		}
		kw := strings.Join(rec.Keywords[:min(len(rec.Keywords), 8)], "、")
		county := counties[i%len(counties)]
		ext := fmt.Sprintf("M-%05d", i)
		if i%3 == 2 {
			_ = w.Write([]string{"技术需求", ext, clip("征集"+title, 100), clip(rec.Abstract, 2000), "形成可量化的技术指标。", kw, domain, "",
				"", "技术开发合作", "", "100–500万元", "2029-01-31", county, "张经理", "0512-65880000", ""})
			continue
		}
		_ = w.Write([]string{"科技成果", ext, clip(title, 100), clip(rec.Abstract, 2000), "", kw, domain, "", fmt.Sprint(3 + i%6),
			"技术转让、技术许可", fmt.Sprint(10 + i%300), "", "", county, "陈老师", "0512-65880000", ""})
	}
	w.Flush()
	return buf.Bytes()
}

// BenchmarkMatchPage10k measures a demand's match page — the engine's 100
// candidates, their rows from the database, the nine features, the
// owner's feedback weights — over 10,000 published listings from CSL, on
// each database, one page at a time. It reports the median and 99th
// percentile over 300 demands. Run it with -benchtime=1x.
func BenchmarkMatchPage10k(b *testing.B) {
	for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			db := dbtest.Open(b, d)
			svc, ent := importSetup(b, db, "320500")
			file := cslMarket(b, svc.Reference(), 10_000)
			res, err := svc.ImportListings(ctx, ent, bytes.NewReader(file), int64(len(file)), "csl.csv", market.ImportOptions{Mode: market.ImportValidRows}, nil)
			if err != nil || !res.Applied {
				b.Fatalf("import: %d rows applied, %v", res.Created, err)
			}
			// Publish everything, and give the achievements another owner
			// (an owner's own listings are never proposed to it).
			rs := region.NewService(db)
			accts := account.NewService(db, rs, account.Config{Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
			u, err := accts.CreateUser(ctx, account.System, account.NewUser{Username: "uni", DisplayName: "uni",
				Role: account.RoleInstitution, Password: "Kechuang-2026"})
			if err != nil {
				b.Fatal(err)
			}
			uni := u.ID
			if _, err := db.ExecContext(ctx, `UPDATE listings SET state = 'published', published_at = '2026-11-01T00:00:00Z',
				expires_at = '2027-11-01T00:00:00Z'`); err != nil {
				b.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, "UPDATE listings SET owner_id = ? WHERE kind = 'achievement'", uni); err != nil {
				b.Fatal(err)
			}
			x, err := market.OpenIndexer(ctx, svc, "", nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := x.Rebuild(ctx); err != nil {
				b.Fatal(err)
			}
			rows, err := db.QueryContext(ctx, "SELECT id FROM listings WHERE kind = 'demand' ORDER BY id")
			if err != nil {
				b.Fatal(err)
			}
			var demands []int64
			for rows.Next() {
				var id int64
				_ = rows.Scan(&id)
				demands = append(demands, id)
			}
			rows.Close()
			demands = demands[:min(300, len(demands))]
			b.ResetTimer()
			for range b.N {
				times := make([]time.Duration, 0, len(demands))
				for _, id := range demands {
					start := time.Now()
					p, err := x.Matches(ctx, ent, id, 1)
					times = append(times, time.Since(start))
					if err != nil || len(p.Matches) == 0 {
						b.Fatalf("matches of %d: %d, %v", id, len(p.Matches), err)
					}
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50_ms")
				b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99_ms")
			}
		})
	}
}
