package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// runBenchAttack implements `kechuang bench login` and `kechuang bench
// preauth` (issue #18 §2 and §7): it attacks a running server at --url, whose
// process id is --pid, and prints one JSON object with the server's
// resident memory before and at its peak and, for login, the search
// latency when idle and under the attack. Run it against a server on this
// machine only.
//
// login: 300 failed logins, 50 at a time, against the demo's user names;
// with --spread each comes from another X-Forwarded-For address (start the
// server with --trusted-proxy 127.0.0.1 so they are believed): the worst
// case for the hashing bound, since no per-address limit applies.
// preauth: 10 concurrent anonymous 20 MB multipart posts to /market/import
// without a CSRF token.
func runBenchAttack(ctx context.Context, kind string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench "+kind, flag.ContinueOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "the server's base URL (on this machine)")
	pid := fs.Int("pid", 0, "the server's process id, to read its resident memory from /proc")
	spread := fs.Bool("spread", false, "login: every attempt from another X-Forwarded-For address")
	total := fs.Int("n", 0, "requests in all (login 300, preauth 10)")
	conc := fs.Int("c", 0, "requests at once (login 50, preauth 10)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *pid == 0 {
		return usageError("bench %s: --pid is required (the server's process id)", kind)
	}
	rss := func() float64 {
		kb, err := residentKB(*pid)
		if err != nil {
			return 0
		}
		return float64(kb) / 1024
	}
	client := &http.Client{Timeout: 120 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	out := map[string]any{"kind": kind, "url": *url}
	base := rss()
	out["baseline_rss_mb"] = base
	var peak atomic.Int64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v := int64(rss() * 1024); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
		}
	}()
	var statuses sync.Map
	count := func(code int) {
		v, _ := statuses.LoadOrStore(code, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	start := time.Now()
	switch kind {
	case "login":
		n, c := orDefault(*total, 300), orDefault(*conc, 50)
		idle := searchLatencies(ctx, client, *url, 40, nil)
		out["idle_search_p50_ms"] = percentile(idle, 50)
		busy := make(chan struct{})
		var during []float64
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); during = searchLatencies(ctx, client, *url, 1000, busy) }()
		names := []string{"admin", "security", "auditor", "staff", "county", "enterprise", "institution", "broker", "investor"}
		runN(n, c, func(i int) {
			body := fmt.Sprintf(`{"username":%q,"password":"wrong-Password-%d"}`, names[i%len(names)], i)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, *url+"/api/v1/session", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if *spread {
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i/65536%256, i/256%256, i%256))
			}
			res, err := client.Do(req)
			if err != nil {
				count(0)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			count(res.StatusCode)
		})
		close(busy)
		wg.Wait()
		out["attack_search_p50_ms"] = percentile(during, 50)
		out["attack_search_samples"] = len(during)
		out["requests"], out["concurrency"] = n, c
	case "preauth":
		n, c := orDefault(*total, 10), orDefault(*conc, 10)
		runN(n, c, func(i int) {
			pr, pw := io.Pipe()
			mw := multipart.NewWriter(pw)
			go func() {
				_ = mw.WriteField("mode", "all")
				fw, _ := mw.CreateFormFile("file", "big.csv")
				chunk := bytes.Repeat([]byte("x"), 64<<10)
				for written := 0; written < 20<<20; written += len(chunk) {
					if _, err := fw.Write(chunk); err != nil {
						pw.CloseWithError(err)
						return
					}
				}
				pw.CloseWithError(mw.Close())
			}()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, *url+"/market/import", pr)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			res, err := client.Do(req)
			if err != nil {
				// The server answers before reading the body and closes the
				// connection: the client may see that as a broken pipe.
				count(0)
				pr.CloseWithError(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			pr.CloseWithError(io.EOF)
			count(res.StatusCode)
		})
		out["requests"], out["concurrency"], out["body_mb"] = n, c, 20
	default:
		return usageError("bench: unknown %q", kind)
	}
	out["seconds"] = time.Since(start).Seconds()
	time.Sleep(200 * time.Millisecond)
	close(stopSampling)
	<-sampled
	out["peak_rss_mb"] = float64(peak.Load()) / 1024
	out["peak_over_baseline_mb"] = float64(peak.Load())/1024 - base
	st := map[string]int64{}
	statuses.Range(func(k, v any) bool {
		st[strconv.Itoa(k.(int))] = v.(*atomic.Int64).Load()
		return true
	})
	out["statuses"] = st
	enc := json.NewEncoder(stdout)
	return enc.Encode(out)
}

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// runN calls f(0…n-1) with at most c calls at once.
func runN(n, c int, f func(i int)) {
	sem := make(chan struct{}, c)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() { defer wg.Done(); defer func() { <-sem }(); f(i) }()
	}
	wg.Wait()
}

// searchLatencies runs up to n searches one after another (until stop
// closes, when stop is not nil) and returns their latencies in ms.
func searchLatencies(ctx context.Context, client *http.Client, base string, n int, stop <-chan struct{}) []float64 {
	queries := []string{"5G 基站 滤波器", "锂电池 正极材料", "水稻 基因编辑", "污水处理", "复合材料"}
	var out []float64
	for i := range n {
		if stop != nil {
			select {
			case <-stop:
				return out
			default:
			}
		}
		t := time.Now()
		res, err := client.Get(base + "/api/v1/search?q=" + strings.ReplaceAll(queries[i%len(queries)], " ", "+"))
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		out = append(out, float64(time.Since(t).Microseconds())/1000)
	}
	return out
}

func percentile(v []float64, p int) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// residentKB reads VmRSS of process pid.
func residentKB(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS for process %d", pid)
}
