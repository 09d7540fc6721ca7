package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

// searchPropagation is the bound of #18 §12: a listing written through one
// node is searchable on the other within this time.
const searchPropagation = 2 * time.Second

// TestTwoNodesOnePostgres is #18 §12: two real `kechuang serve` processes,
// each with its own data directory, on one PostgreSQL database. A session
// made on one node is valid on the other (and ended there too); a listing
// published through one node is searchable on the other within 2 s; view
// counts of both nodes add up; queued import jobs each run exactly once;
// the expiry-notice sweep, which both nodes run every 250 ms, sends each
// notice once; SIGKILL of one node loses nothing either acknowledged, and
// the other keeps serving.
func TestTwoNodesOnePostgres(t *testing.T) {
	t.Parallel()
	bin := kechuangBinary(t)
	ctx := context.Background()
	dsn, drop := dbtest.NewSchema(t)
	t.Cleanup(drop)
	dirA, dirB := t.TempDir(), t.TempDir()
	setUp(t, []string{"--data", dirA, "--db", dsn})
	// Each node has a data directory of its own (index snapshot) and the
	// installation's keys: the audit and personal-data keys setUp made, and
	// one secret key.
	shared := []string{"--db", dsn, "--sweep-every", "250ms", "--audit-key-file", filepath.Join(dirA, "audit.key")}
	secretKey := []string{"--secret-key-file", filepath.Join(dirA, "secret.key"), "--pii-key-file", filepath.Join(dirA, "pii.key")}
	a := startServe(t, bin, append(append([]string{"--data", dirA}, shared...), secretKey...)...)
	b := startServe(t, bin, append(append([]string{"--data", dirB}, shared...), secretKey...)...)
	// A node started without the installation's secret key (it makes one
	// of its own) is refused, rather than failing every second-factor
	// login it would serve.
	startCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	var out, errOut bytes.Buffer
	code := Main(startCtx, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, shared...),
		strings.NewReader(""), &out, &errOut)
	cancel()
	if code != exitUsage || !strings.Contains(errOut.String(), "secret key") {
		t.Errorf("a third node with a key of its own: exit %d, %s; want %d and the secret key named", code, errOut.String(), exitUsage)
	}
	db, err := sqldb.Open(ctx, dsn, "", sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// A session made on A is valid on B, CSRF token included.
	inst := login(t, a.url, "inst", "Kechuang-2026")
	instB := inst.on(b.url)
	var me struct{ Username string }
	if code, body, err := instB.do("GET", "/api/v1/me", nil, &me); code != http.StatusOK || me.Username != "inst" {
		t.Fatalf("GET /api/v1/me on B with A's session = %d %s %v", code, body, err)
	}
	gs := login(t, a.url, "gs", "Kechuang-2026")
	gsB := gs.on(b.url)
	// A session ended on A is ended on B.
	other := login(t, b.url, "inst", "Kechuang-2026")
	if code, body, _ := other.on(a.url).do("DELETE", "/api/v1/session", nil, nil); code != http.StatusNoContent {
		t.Fatalf("log out on A = %d %s", code, body)
	}
	if code, _, _ := other.do("GET", "/api/v1/me", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me on B after logging out on A = %d, want 401", code)
	}

	// Written through one node, searchable on the other within 2 s; both
	// directions, a few times.
	titles := []string{"光纤陀螺零偏温度补偿算法", "高镍正极材料单晶化烧结工艺", "农业无人机变量喷施控制系统",
		"城市燃气管网泄漏声学定位方法", "医用可降解镁合金血管支架"}
	var spread []time.Duration
	var firstID int64
	for i, title := range titles {
		writer, approver, reader := inst, gs, b
		if i%2 == 1 {
			writer, approver, reader = instB, gsB, a
		}
		id := publishVia(t, writer, approver, title)
		if firstID == 0 {
			firstID = id
		}
		d := waitSearchable(t, reader.url, title, id, 10*time.Second)
		spread = append(spread, d)
		if d > searchPropagation {
			t.Errorf("listing %d approved on one node became searchable on the other after %v, want ≤ %v", id, d, searchPropagation)
		}
	}
	sorted := append([]time.Duration(nil), spread...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	t.Logf("search propagation across nodes: %v (max %v)", spread, sorted[len(sorted)-1])

	// View counts of both nodes add up in the database.
	for i, node := range []*proc{a, a, a, b, b} {
		res, err := http.Get(node.url + "/market/listings/" + strconv.FormatInt(firstID, 10))
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("view %d = %v %v", i, res, err)
		}
		res.Body.Close()
	}
	waitFor(t, 20*time.Second, "5 views from two nodes in the database", func() bool {
		var views int
		return db.QueryRowContext(ctx, "SELECT views FROM listings WHERE id = ?", firstID).Scan(&views) == nil && views == 5
	})

	// Import jobs queued at once through both nodes, so that the workers
	// of both (two each) compete for them: each runs exactly once, on
	// whichever node claims it.
	const jobs, rows = 8, 40
	jobIDs := make([]int64, jobs)
	var queued sync.WaitGroup
	for j := range jobs {
		c := inst
		if j%2 == 1 {
			c = instB
		}
		queued.Add(1)
		go func() {
			defer queued.Done()
			var err error
			if jobIDs[j], err = c.queueImport(importCSV(j, rows)); err != nil {
				t.Error(err)
			}
		}()
	}
	queued.Wait()
	if t.Failed() {
		t.FailNow()
	}
	waitFor(t, 60*time.Second, "every import job finished", func() bool {
		var open int
		return db.QueryRowContext(ctx, "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')").Scan(&open) == nil && open == 0
	})
	ranOn := map[string]int{}
	for j, id := range jobIDs {
		var state, worker string
		var attempts, doneRows, imported int
		if err := db.QueryRowContext(ctx, "SELECT state, attempts, worker FROM jobs WHERE id = ?", id).Scan(&state, &attempts, &worker); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'job.done' AND object_id = ?",
			strconv.FormatInt(id, 10)).Scan(&doneRows); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM listings WHERE external_id LIKE ?",
			fmt.Sprintf("TN-%d-%%", j)).Scan(&imported); err != nil {
			t.Fatal(err)
		}
		if state != "done" || attempts != 1 || doneRows != 1 || imported != rows {
			t.Errorf("import job %d: state %s, %d attempts, %d job.done audit rows, %d listings; want done, 1, 1, %d",
				id, state, attempts, doneRows, imported, rows)
		}
		ranOn[nodeOf(worker, a, b)]++
	}
	t.Logf("import jobs ran on: %v", ranOn)

	// The expiry sweep: both nodes run it every 250 ms; each of the
	// imported listings, published now and expiring in ten days, gets one
	// notice and one audit row.
	now := time.Now()
	res, err := db.ExecContext(ctx, `UPDATE listings SET state = 'published', published_at = ?, expires_at = ?, expiry_notified = ?
		WHERE external_id LIKE 'TN-%'`, sqldb.At(now), sqldb.At(now.Add(10*24*time.Hour)), false)
	if err != nil {
		t.Fatal(err)
	}
	expiring, _ := res.RowsAffected()
	countNotices := func() (notices, links, audits int) {
		_ = db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT link) FROM notices WHERE kind = 'listing.expiring'").Scan(&notices, &links)
		_ = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'listing.expiry_notice'").Scan(&audits)
		return
	}
	waitFor(t, 20*time.Second, "an expiry notice for every listing", func() bool {
		n, _, _ := countNotices()
		return n >= int(expiring)
	})
	time.Sleep(time.Second) // four more sweeps on each node
	if n, links, audits := countNotices(); n != int(expiring) || links != int(expiring) || audits != int(expiring) {
		t.Errorf("expiry sweep on two nodes: %d notices for %d listings, %d audit rows; want %d each", n, links, audits, expiring)
	}
	sentA, sentB := sweepCount(a), sweepCount(b)
	if sentA+sentB != int(expiring) {
		t.Errorf("the nodes' logs say they sent %d + %d expiry notices, want %d in all", sentA, sentB, expiring)
	}
	t.Logf("expiry notices sent: %d by A, %d by B (of %d)", sentA, sentB, expiring)

	// Writers on both nodes; A is killed mid-stream; B goes on. Nothing
	// either acknowledged is lost.
	var mu sync.Mutex
	acked := map[string][]int64{}
	var afterKill int
	var killed bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 6 {
		c, node := instB, "B"
		if w < 2 {
			c, node = inst, "A"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var l struct{ ID int64 }
				code, _, err := c.do("POST", "/api/v1/achievements", achievement(fmt.Sprintf("双节点故障成果 %s%d-%d", node, w, i)), &l)
				if err != nil || code != http.StatusCreated {
					if node == "A" {
						return // A is gone: nothing was acknowledged
					}
					continue
				}
				mu.Lock()
				acked[node] = append(acked[node], l.ID)
				if killed && node == "B" {
					afterKill++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	a.kill(t)
	mu.Lock()
	killed = true
	mu.Unlock()
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(acked["A"]) < 5 || afterKill < 5 {
		t.Fatalf("%d writes acknowledged by A, %d by B after A died: the test did not load the nodes", len(acked["A"]), afterKill)
	}
	for node, ids := range acked {
		missing := 0
		for _, id := range ids {
			var n int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM listings WHERE id = ?", id).Scan(&n); err != nil || n != 1 {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("%d of %d listings acknowledged by %s are missing after A was killed", missing, len(ids), node)
		}
	}
	// B still publishes and finds what it publishes.
	const last = "钠离子电池硬碳负极的生物质前驱体"
	id := publishVia(t, instB, gsB, last)
	waitSearchable(t, b.url, last, id, 10*time.Second)
	b.stop(t)
	if code, out, errOut := run(t, "", "audit", "verify", "--db", dsn, "--audit-key-file", filepath.Join(dirA, "audit.key")); code != 0 ||
		!strings.Contains(out, "audit log verified") {
		t.Errorf("audit verify after killing A = %d %s %s", code, out, errOut)
	}
	t.Logf("writes acknowledged: %d by A before SIGKILL, %d by B (%d after A died); all present", len(acked["A"]), len(acked["B"]), afterKill)
}

// on returns a client that sends c's session (cookie and CSRF token) to
// another node.
func (c *apiClient) on(base string) *apiClient {
	return &apiClient{base: base, http: c.http, csrf: c.csrf}
}

// publishVia creates an achievement as writer, submits it and has approver
// approve it; it returns the listing's id once the approval is
// acknowledged.
func publishVia(t *testing.T, writer, approver *apiClient, title string) int64 {
	t.Helper()
	var l struct{ ID int64 }
	if code, body, err := writer.do("POST", "/api/v1/achievements", achievement(title), &l); code != http.StatusCreated {
		t.Fatalf("create %s = %d %s %v", title, code, body, err)
	}
	path := fmt.Sprintf("/api/v1/achievements/%d", l.ID)
	if code, body, _ := writer.do("POST", path+"/submit", nil, nil); code != http.StatusOK {
		t.Fatalf("submit = %d %s", code, body)
	}
	if code, body, _ := approver.do("POST", path+"/approve", nil, nil); code != http.StatusOK {
		t.Fatalf("approve = %d %s", code, body)
	}
	return l.ID
}

// waitSearchable polls the node at base until a search for title finds
// listing id, and returns how long that took; it fails the test after
// limit.
func waitSearchable(t *testing.T, base, title string, id int64, limit time.Duration) time.Duration {
	t.Helper()
	anon := &apiClient{base: base, http: &http.Client{Timeout: 10 * time.Second}}
	start := time.Now()
	for {
		var res struct {
			Hits []struct{ ID int64 } `json:"hits"`
		}
		_, _, err := anon.do("GET", "/api/v1/search?q="+url.QueryEscape(title), nil, &res)
		for _, h := range res.Hits {
			if err == nil && h.ID == id {
				return time.Since(start)
			}
		}
		if time.Since(start) > limit {
			t.Fatalf("listing %d (%s) not searchable on %s after %v: %v", id, title, base, limit, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitFor polls cond every 50 ms and fails the test when it does not hold
// within limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// importCSV is a market import file of n achievements with the external
// ids TN-j-0 … TN-j-(n-1).
func importCSV(j, n int) []byte {
	var b strings.Builder
	b.WriteString("类型,外部编号,标题,成果简介或需求描述,关键词,技术领域,技术就绪水平（成果）,交易方式,报价（万元，成果）,联系人,联系电话\n")
	for r := range n {
		fmt.Fprintf(&b, "科技成果,TN-%d-%d,双节点导入第%d批第%d项成果,一种在两个节点上导入的科技成果，用于检验任务只运行一次。,机器视觉,先进制造与自动化,6,技术许可,80,陈老师,0512-65880000\n",
			j, r, j, r)
	}
	return []byte(b.String())
}

// queueImport uploads a market import file (all rows or none) and returns
// the id of the job it queued. It may run on any goroutine.
func (c *apiClient) queueImport(csv []byte) (int64, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("mode", "all")
	fw, err := mw.CreateFormFile("file", "双节点导入.csv")
	if err != nil {
		return 0, err
	}
	_, _ = fw.Write(csv)
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/market/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.csrf)
	client := *c.http
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/market/import/"), 10, 64)
	if res.StatusCode != http.StatusSeeOther || err != nil {
		return 0, fmt.Errorf("queue import on %s = %d %q", c.base, res.StatusCode, loc)
	}
	return id, nil
}

// nodeOf names the node whose process ran a job (jobs.worker is
// host/pid/random).
func nodeOf(worker string, a, b *proc) string {
	parts := strings.Split(worker, "/")
	if len(parts) == 3 {
		switch parts[1] {
		case strconv.Itoa(a.cmd.Process.Pid):
			return "A"
		case strconv.Itoa(b.cmd.Process.Pid):
			return "B"
		}
	}
	return worker
}

// sweepCount adds up the expiry notices a node's log says it sent.
func sweepCount(p *proc) int {
	n := 0
	sc := bufio.NewScanner(strings.NewReader(p.stderr.String()))
	for sc.Scan() {
		var line struct {
			Msg   string `json:"msg"`
			Count int    `json:"count"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "expiry notices sent" {
			n += line.Count
		}
	}
	return n
}
