package cultivation

import (
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syntheticFirms builds n enterprise-years with figures spread across every
// band boundary, and about one field in twenty missing, so that the
// benchmark exercises passes, failures, gaps and missing data alike.
func syntheticFirms(n int) []AssessmentInput {
	r := rand.New(rand.NewPCG(2026, 6))
	industries := []string{"C39", "C26", "I65", "M73", "F52", "F51", "K7020", "E48", "H62", "O80"}
	maybe := func(v float64) *float64 {
		if r.IntN(20) == 0 {
			return nil
		}
		return &v
	}
	out := make([]AssessmentInput, n)
	for i := range out {
		in := firm("2026-06-30")
		in.Industry = industries[r.IntN(len(industries))]
		in.Founded = day("2015-01-01")
		if r.IntN(10) == 0 {
			in.Founded = day("2025-06-15")
		}
		rev := 5e6 + r.Float64()*3e8
		for y := 2023; y <= 2025; y++ {
			g := 0.7 + r.Float64()*0.8
			rev *= g
			emp := 10 + r.Float64()*800
			assets := rev * (0.5 + r.Float64())
			in.Years[y] = YearFigures{
				Revenue: maybe(rev), MainRevenue: maybe(rev * (0.5 + r.Float64()*0.5)), HightechRevenue: maybe(rev * r.Float64()),
				CostTotal: maybe(rev * (0.6 + r.Float64()*0.4)), RDExpense: maybe(rev * r.Float64() * 0.12),
				RDExpenseDomestic: maybe(rev * r.Float64() * 0.08), Employees: maybe(emp), TechStaff: maybe(emp * r.Float64() * 0.5),
				RDStaff: maybe(emp * r.Float64() * 0.4), TotalAssets: maybe(assets), NetAssets: maybe(assets * r.Float64()),
				Liabilities: maybe(assets * r.Float64()), NetProfit: maybe(rev * (r.Float64()*0.3 - 0.1)), EquityFinancing: maybe(r.Float64() * 3e7),
			}
		}
		in.IP = &IPCounts{Class1: ip(r.IntN(6)), Class2: ip(r.IntN(8)), Class1HighValue: ip(r.IntN(2)), Class1Own: ip(r.IntN(4)), Class1Applied: ip(r.IntN(6))}
		in.Figures = map[string]float64{"niche_years": float64(r.IntN(12)), "market_share": r.Float64() * 0.3, "dev_score": float64(30 + r.IntN(50)),
			"conversions_3y": float64(r.IntN(20))}
		in.Choices = map[string]string{"hightech_domain": "电子信息", "rd_institution": []string{"none", "municipal", "provincial"}[r.IntN(3)],
			"strategic_emerging": "yes"}
		if r.IntN(4) == 0 {
			in.Certificates = []Certificate{{Type: "innovative-sme", Issued: day("2025-03-01")}}
		}
		out[i] = in
	}
	return out
}

// BenchmarkAssessAll assesses one enterprise-year against every shipped
// rule set (all versions, 9 files) per op: ns/op is the cost of one
// enterprise-year, so 1,000,000 enterprise-years take ns/op milliseconds.
func BenchmarkAssessAll(b *testing.B) {
	sets := shippedBook(b).List()
	firms := syntheticFirms(4096)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; b.Loop(); i++ {
		in := firms[i%len(firms)]
		for _, rs := range sets {
			_ = Assess(rs, in)
		}
	}
	reportCPU(b, cpu0)
	b.ReportMetric(float64(len(sets)), "rulesets/op")
}

// BenchmarkAssessAllReuse is BenchmarkAssessAll on the bulk path: one
// result buffer per rule set reused across enterprises (AssessInto).
func BenchmarkAssessAllReuse(b *testing.B) {
	sets := shippedBook(b).List()
	firms := syntheticFirms(4096)
	res := make([]AssessmentResult, len(sets))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; b.Loop(); i++ {
		in := &firms[i%len(firms)]
		for k, rs := range sets {
			AssessInto(&res[k], rs, in)
		}
	}
	reportCPU(b, cpu0)
}

// BenchmarkAssessAllParallel is BenchmarkAssessAllReuse on every core
// (GOMAXPROCS), one buffer set per worker as a bulk job runs it: ns/op is
// wall time per enterprise-year with the cores shared.
func BenchmarkAssessAllParallel(b *testing.B) {
	sets := shippedBook(b).List()
	firms := syntheticFirms(4096)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(len(firms))
		res := make([]AssessmentResult, len(sets))
		for pb.Next() {
			in := &firms[i%len(firms)]
			i++
			for k, rs := range sets {
				AssessInto(&res[k], rs, in)
			}
		}
	})
	reportCPU(b, cpu0)
}

// BenchmarkAssessAllJSON adds writing every result as a JSON line, as
// `kechuang assess` (RunAssessLines) does, to show what output costs next to
// assessment.
func BenchmarkAssessAllJSON(b *testing.B) {
	sets := shippedBook(b).List()
	firms := syntheticFirms(4096)
	res := make([]AssessmentResult, len(sets))
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; b.Loop(); i++ {
		in := &firms[i%len(firms)]
		for k, rs := range sets {
			AssessInto(&res[k], rs, in)
			buf = append(res[k].AppendJSON(buf[:0]), '\n')
			if _, err := io.Discard.Write(buf); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, cpu0)
	b.ReportMetric(float64(len(buf)), "bytes/line")
}

// reportCPU adds the process CPU time per op (GC included), which other
// load on the machine does not inflate the way it inflates ns/op.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu := processCPU() - cpu0; cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkAssessMillion measures the target end to end: one op is
// 1,000,000 enterprise-years against every shipped rule set on all cores,
// one worker per core with its own result buffers. Run it alone, once:
//
//	go test -run '^$' -bench AssessMillion -benchtime 1x ./internal/cultivation/
func BenchmarkAssessMillion(b *testing.B) {
	for i := 0; i < b.N; i++ {
		assessMillion(b)
	}
}

func assessMillion(b *testing.B) {
	const n = 1_000_000
	sets := shippedBook(b).List()
	firms := syntheticFirms(4096)
	workers := runtime.GOMAXPROCS(0)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := processCPU()
	start := time.Now()
	var wg sync.WaitGroup
	var yes atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := make([]AssessmentResult, len(sets))
			for i := w; i < n; i += workers {
				in := &firms[i%len(firms)]
				for k, rs := range sets {
					AssessInto(&res[k], rs, in)
					if res[k].Verdict == VerdictYes {
						yes.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.Logf("%d enterprise-years × %d rule sets on %d workers: wall %v (%.0f ns per enterprise-year); %d yes verdicts",
		n, len(sets), workers, elapsed.Round(time.Millisecond), float64(elapsed.Nanoseconds())/n, yes.Load())
	b.Logf("allocated during the run: %d B in %d objects; heap in use after: %.1f MiB; runtime Sys: %.1f MiB",
		after.TotalAlloc-before.TotalAlloc, after.Mallocs-before.Mallocs, float64(after.HeapInuse)/(1<<20), float64(after.Sys)/(1<<20))
	// Other processes may share the cores, so CPU time is reported too:
	// spread over the workers it is the wall time of an idle machine.
	b.ReportMetric(elapsed.Seconds(), "wall-s")
	if cpu > 0 {
		idle := cpu / time.Duration(workers)
		b.ReportMetric(cpu.Seconds(), "cpu-s")
		b.ReportMetric(idle.Seconds(), "idle-cores-s")
	}
	b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-MiB")
}
