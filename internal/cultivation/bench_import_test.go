package cultivation_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// importWorkbook builds an .xlsx of firms × years indicator rows, spread
// over the ten counties of 苏州市, the way a bureau's yearly collection looks.
func importWorkbook(tb testing.TB, firms, years int) []byte {
	tb.Helper()
	counties := []string{"320505", "320506", "320507", "320508", "320509", "320576", "320581", "320582", "320583", "320585"}
	header := make([]string, len(cultivation.ImportColumns))
	for i, c := range cultivation.ImportColumns {
		header[i] = c.Header
	}
	col := map[string]int{}
	for i, c := range cultivation.ImportColumns {
		col[c.Key] = i
	}
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	rows := make([][]any, 0, firms*years)
	for f := 0; f < firms; f++ {
		county := counties[f%len(counties)]
		serial := []byte("MA0000000")
		n := f
		for i := len(serial) - 1; i >= 2; i-- {
			serial[i] = chars[n%31]
			n /= 31
		}
		code := creditCodeBench("91" + county + string(serial))
		for y := 0; y < years; y++ {
			row := make([]any, len(header))
			row[col["credit_code"]] = code
			row[col["name"]] = fmt.Sprintf("基准测试企业%06d", f)
			row[col["county"]] = county
			row[col["industry"]] = "C39"
			row[col["year"]] = 2025 - y
			rev := float64(1000 + f%50000)
			row[col["revenue"]] = rev
			row[col["main_revenue"]] = rev * 0.95
			row[col["rd_expense"]] = rev * 0.04
			row[col["employees"]] = 50 + f%300
			row[col["tech_staff"]] = 10 + f%30
			row[col["ip_class1"]] = f % 7
			rows = append(rows, row)
		}
	}
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, sheet.Sheet{Name: "导入", Header: header, Rows: rows}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func creditCodeBench(first17 string) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		for j := 0; j < len(chars); j++ {
			if chars[j] == first17[i] {
				sum += j * weights[i]
			}
		}
	}
	return first17 + string(chars[(31-sum%31)%31])
}

// BenchmarkImport100kRows imports 100,000 indicator rows (25,000 firms × 4
// years) from one .xlsx into an empty registry, all or nothing, on each
// database. Run it with -benchtime=1x: one op is one whole file.
func BenchmarkImport100kRows(b *testing.B) {
	file := importWorkbook(b, 25_000, 4)
	b.Logf("workbook: %d bytes", len(file))
	for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := dbtest.Open(b, d)
				r := newRegistry(b, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
				city := r.actor(b, "city", account.RoleStaff, "320500")
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				b.StartTimer()
				start := time.Now()
				res, err := r.svc.ImportEnterprises(context.Background(), city, bytes.NewReader(file), int64(len(file)), "bench.xlsx",
					cultivation.ImportOptions{}, nil)
				elapsed := time.Since(start)
				b.StopTimer()
				if err != nil || !res.Applied || res.Years != 100_000 || res.Created != 25_000 {
					b.Fatalf("import: applied %v, rows %d, bad %d, created %d, years %d, err %v", res.Applied, res.Rows, res.ProblemRows, res.Created, res.Years, err)
				}
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(res.Rows)/elapsed.Seconds(), "rows/s")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "MiB-alloc")
				b.StartTimer()
			}
		})
	}
}
