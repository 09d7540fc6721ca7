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
	out := make([]AssessmentInput, n)
	for i := range out {
		out[i] = syntheticFirm(r)
	}
	return out
}

var (
	syntheticIndustries = []string{"C39", "C26", "I65", "M73", "F52", "F51", "K7020", "E48", "H62", "O80"}
	syntheticAsOf       = day("2026-06-30")
	syntheticFounded    = day("2015-01-01")
	syntheticYoung      = day("2025-06-15")
	syntheticCertified  = day("2025-03-01")
	syntheticInstitutes = []string{"none", "municipal", "provincial"}
)

// syntheticFirm draws one enterprise-year from r (see syntheticFirms).
func syntheticFirm(r *rand.Rand) AssessmentInput {
	return *newFirmMaker().next(r)
}

// firmMaker draws enterprise-years as syntheticFirms does into one
// AssessmentInput that it reuses, so a benchmark that streams a million
// distinct inputs allocates nothing per input: AssessInto only reads its
// input during the call.
type firmMaker struct {
	in   AssessmentInput
	vals [3 * 14]float64
	ints [5]int
	ip   IPCounts
	cert [1]Certificate
}

func newFirmMaker() *firmMaker {
	m := &firmMaker{}
	m.in.Years = make(map[int]YearFigures, 3)
	m.in.Figures = make(map[string]float64, 4)
	m.in.Choices = make(map[string]string, 3)
	return m
}

// next overwrites the maker's input with a new draw from r and returns it.
func (m *firmMaker) next(r *rand.Rand) *AssessmentInput {
	in := &m.in
	in.AsOf = syntheticAsOf
	in.Industry = syntheticIndustries[r.IntN(len(syntheticIndustries))]
	in.Founded = syntheticFounded
	if r.IntN(10) == 0 {
		in.Founded = syntheticYoung
	}
	slot := 0
	maybe := func(v float64) *float64 {
		if r.IntN(20) == 0 {
			return nil
		}
		p := &m.vals[slot]
		slot++
		*p = v
		return p
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
	for i, n := range [5]int{6, 8, 2, 4, 6} {
		m.ints[i] = r.IntN(n)
	}
	m.ip = IPCounts{Class1: &m.ints[0], Class2: &m.ints[1], Class1HighValue: &m.ints[2], Class1Own: &m.ints[3], Class1Applied: &m.ints[4]}
	in.IP = &m.ip
	in.Figures["niche_years"] = float64(r.IntN(12))
	in.Figures["market_share"] = r.Float64() * 0.3
	in.Figures["dev_score"] = float64(30 + r.IntN(50))
	in.Figures["conversions_3y"] = float64(r.IntN(20))
	in.Choices["hightech_domain"] = "电子信息"
	in.Choices["rd_institution"] = syntheticInstitutes[r.IntN(len(syntheticInstitutes))]
	in.Choices["strategic_emerging"] = "yes"
	in.Certificates = nil
	if r.IntN(4) == 0 {
		m.cert[0] = Certificate{Type: "innovative-sme", Issued: syntheticCertified}
		in.Certificates = m.cert[:]
	}
	return in
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
// 1,000,000 distinct enterprise-years against every shipped rule set on all
// cores, one worker per core with its own result buffers. Run it alone,
// once:
//
//	go test -run '^$' -bench AssessMillion -benchtime 1x ./internal/cultivation/
//
// "in-memory" builds the million inputs first, as a caller holding them all
// would (about 2.4 KiB of heap each); "streamed" has each worker draw its
// next input just before assessing it, as a bulk job reading rows in batches
// would, so the heap stays small and the time includes making the inputs;
// "reused-4096" is the earlier form, which cycles through 4,096 inputs and
// so understates the memory a million distinct enterprises take.
func BenchmarkAssessMillion(b *testing.B) {
	const n = 1_000_000
	b.Run("in-memory", func(b *testing.B) {
		for b.Loop() {
			firms := syntheticFirms(n)
			assessMillion(b, n, func() inputSource {
				return func(_ *rand.Rand, i int) *AssessmentInput { return &firms[i] }
			})
			runtime.KeepAlive(firms)
		}
	})
	b.Run("streamed", func(b *testing.B) {
		for b.Loop() {
			assessMillion(b, n, func() inputSource {
				m := newFirmMaker()
				return func(r *rand.Rand, _ int) *AssessmentInput { return m.next(r) }
			})
		}
	})
	b.Run("reused-4096", func(b *testing.B) {
		for b.Loop() {
			firms := syntheticFirms(4096)
			assessMillion(b, n, func() inputSource {
				return func(_ *rand.Rand, i int) *AssessmentInput { return &firms[i%len(firms)] }
			})
			runtime.KeepAlive(firms)
		}
	})
}

// inputSource returns input i; r is the calling worker's own random source.
type inputSource func(r *rand.Rand, i int) *AssessmentInput

// assessMillion assesses n inputs, input i from the source that newSource
// made for the worker taking i (each worker calls it once), and reports wall time, CPU
// time and the heap: the peak heap in use sampled during the run and the
// heap in use at its end, before the inputs can be collected.
func assessMillion(b *testing.B, n int, newSource func() inputSource) {
	sets := shippedBook(b).List()
	workers := runtime.GOMAXPROCS(0)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := sampleHeap()
	cpu0 := processCPU()
	start := time.Now()
	var wg sync.WaitGroup
	var yes atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(2026, uint64(w)))
			input := newSource()
			res := make([]AssessmentResult, len(sets))
			for i := w; i < n; i += workers {
				in := input(r, i)
				for k, rs := range sets {
					AssessInto(&res[k], rs, in)
					if res[k].Verdict == VerdictYes {
						yes.Add(1)
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	peakInuse := peak()
	b.Logf("%d enterprise-years × %d rule sets on %d workers: wall %v (%.0f ns per enterprise-year); %d yes verdicts",
		n, len(sets), workers, elapsed.Round(time.Millisecond), float64(elapsed.Nanoseconds())/float64(n), yes.Load())
	b.Logf("allocated during the run: %d B in %d objects; heap in use after: %.1f MiB (peak sampled %.1f MiB); runtime Sys: %.1f MiB",
		after.TotalAlloc-before.TotalAlloc, after.Mallocs-before.Mallocs, float64(after.HeapInuse)/(1<<20),
		float64(peakInuse)/(1<<20), float64(after.Sys)/(1<<20))
	// Other processes may share the cores, so CPU time is reported too:
	// spread over the workers it is the wall time of an idle machine.
	b.ReportMetric(elapsed.Seconds(), "wall-s")
	if cpu > 0 {
		idle := cpu / time.Duration(workers)
		b.ReportMetric(cpu.Seconds(), "cpu-s")
		b.ReportMetric(idle.Seconds(), "idle-cores-s")
	}
	b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(peakInuse)/(1<<20), "peak-heap-MiB")
}

// sampleHeap samples the heap in use every 10 ms until the returned
// function is called, which stops sampling and returns the largest sample.
func sampleHeap() func() uint64 {
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}
