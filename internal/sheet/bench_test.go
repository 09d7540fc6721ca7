package sheet_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"kechuang/internal/sheet"
)

const benchRows, benchCols = 100_000, 20

// benchLimits admit the 100,000 × 20 benchmark files, which are larger
// than the default upload limit.
var benchLimits = sheet.Limits{MaxBytes: 256 << 20, MaxUnzipped: 1 << 30}

var benchData = sync.OnceValue(func() [][]any {
	rows := make([][]any, benchRows)
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for r := range rows {
		row := make([]any, benchCols)
		for c := range row {
			switch c % 5 {
			case 0:
				row[c] = fmt.Sprintf("苏州第%d科技有限公司", r)
			case 1:
				row[c] = float64(r) * 1.25
			case 2:
				row[c] = day.AddDate(0, 0, r%365)
			case 3:
				row[c] = r * c
			default:
				row[c] = "91320505MA" + strconv.Itoa(10000000+r)
			}
		}
		rows[r] = row
	}
	return rows
})

func benchHeader() []string {
	h := make([]string, benchCols)
	for c := range h {
		h[c] = fmt.Sprintf("列%d", c+1)
	}
	return h
}

var benchXLSX = sync.OnceValues(func() ([]byte, error) {
	var buf bytes.Buffer
	err := sheet.WriteXLSX(&buf, sheet.Sheet{Name: "数据", Header: benchHeader(), Rows: benchData()})
	return buf.Bytes(), err
})

var benchCSV = sync.OnceValues(func() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(benchHeader()); err != nil {
		return nil, err
	}
	rec := make([]string, benchCols)
	for _, row := range benchData() {
		for c, v := range row {
			if t, ok := v.(time.Time); ok {
				rec[c] = t.Format("2006/1/2")
			} else {
				rec[c] = fmt.Sprint(v)
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
})

// BenchmarkWriteXLSX streams 100,000 rows × 20 columns to an .xlsx.
func BenchmarkWriteXLSX(b *testing.B) {
	rows := benchData()
	header := benchHeader()
	b.ReportAllocs()
	b.ResetTimer()
	var size int64
	cpu := startCPU()
	for b.Loop() {
		cw := &countWriter{}
		if err := sheet.WriteXLSX(cw, sheet.Sheet{Name: "数据", Header: header, Rows: rows}); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	reportRates(b, cpu)
	b.ReportMetric(float64(size), "file-bytes")
}

func BenchmarkReadXLSX(b *testing.B) {
	data, err := benchXLSX()
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, data, "bench.xlsx")
}

func BenchmarkReadCSV(b *testing.B) {
	data, err := benchCSV()
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, data, "bench.csv")
}

func benchRead(b *testing.B, data []byte, name string) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for b.Loop() {
		r, err := sheet.Open(bytes.NewReader(data), int64(len(data)), name, benchLimits)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, _, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
		if n != benchRows {
			b.Fatalf("read %d rows, want %d", n, benchRows)
		}
	}
	reportRates(b, cpu)
	b.ReportMetric(float64(len(data)), "file-bytes")
}

// startCPU returns the process's user+system CPU time so far.
func startCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRates reports rows per wall second and CPU time per op; the
// machine is shared, so wall time alone is inflated by other load.
func reportRates(b *testing.B, cpuStart time.Duration) {
	cpu := startCPU() - cpuStart
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(benchRows)*float64(b.N)/cpu.Seconds(), "rows/cpu-s")
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
