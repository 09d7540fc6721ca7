package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"kechuang/internal/cultivation"
)

// `kechuang bench import` measures what importing crafted worst-case
// files costs the real server in resident memory: for each file it starts
// this binary's `serve` as a child process on a fresh port (one database
// shared by the cases), logs in, reads the server's resident memory once
// idle (VmRSS, the baseline), uploads the file through the import page,
// waits for the job to finish, and reads the server's peak resident memory
// (VmHWM). A case passes when the peak stays within the baseline plus
// --limit-mb (issue #18 §1: 300 MB).

type importCase struct {
	name   string
	what   string // one line for the table
	module string // "market" or "cultivation"
	user   string
	mode   string
	build  func(path string) error
	file   string // .xlsx or .csv
}

type importMeasure struct {
	Case       string  `json:"case"`
	FileBytes  int64   `json:"file_bytes"`
	State      string  `json:"state"`
	Outcome    string  `json:"outcome"`
	BaselineMB float64 `json:"baseline_mb"`
	PeakMB     float64 `json:"peak_mb"`
	DeltaMB    float64 `json:"delta_mb"`
	Seconds    float64 `json:"seconds"`
}

const benchPassword = "Kechuang-Bench-2026"

func runBenchImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench import", flag.ContinueOnError)
	dir := fs.String("dir", "", "work directory for the database and the crafted files (default: a new temporary one, removed after)")
	only := fs.String("cases", "", "comma-separated case names to run (default: all)")
	limit := fs.Float64("limit-mb", 300, "allowed peak resident memory above the idle server's, in MB")
	server := fs.String("server", "", "the kechuang binary whose `serve` is measured (default: this one), to compare builds")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	work := *dir
	if work == "" {
		d, err := os.MkdirTemp("", "kechuang-bench-import-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		work = d
	}
	exe := *server
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return err
		}
	}
	cases := importCases()
	want := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	fmt.Fprintf(stdout, "%-22s %9s %-7s %9s %9s %9s %8s  %s\n", "case", "file MB", "state", "idle MB", "peak MB", "+MB", "seconds", "outcome")
	var over []string
	for _, c := range cases {
		if len(want) > 0 && !want[c.name] {
			continue
		}
		// Each case has a database of its own, so that no case sees what
		// another wrote.
		data := filepath.Join(work, c.name)
		if err := os.RemoveAll(data); err != nil {
			return err
		}
		for _, u := range []struct{ name, role, region string }{{"ent", "enterprise", "320583"}, {"city", "staff", "320500"}} {
			if err := runUser(ctx, []string{"add", "--data", data, "--username", u.name, "--role", u.role, "--region", u.region,
				"--password-stdin"}, strings.NewReader(benchPassword+"\n"), io.Discard, stderr); err != nil {
				return err
			}
		}
		path := filepath.Join(work, c.name+c.file)
		if err := c.build(path); err != nil {
			return fmt.Errorf("build %s: %w", c.name, err)
		}
		m, err := measureImport(ctx, exe, data, path, c)
		os.Remove(path)
		if err == nil {
			os.RemoveAll(data)
		}
		if err != nil {
			return fmt.Errorf("%s: %w (server log: %s.log)", c.name, err, path)
		}
		fmt.Fprintf(stdout, "%-22s %9.1f %-7s %9.0f %9.0f %9.0f %8.1f  %s\n", m.Case, float64(m.FileBytes)/1e6, m.State,
			m.BaselineMB, m.PeakMB, m.DeltaMB, m.Seconds, m.Outcome)
		line, _ := json.Marshal(m)
		fmt.Fprintln(stderr, string(line))
		if m.DeltaMB > *limit {
			over = append(over, fmt.Sprintf("%s (+%.0f MB)", c.name, m.DeltaMB))
		}
	}
	if len(over) > 0 {
		return fmt.Errorf("bench import: over the %.0f MB limit: %s", *limit, strings.Join(over, ", "))
	}
	return nil
}

// measureImport runs one case against a fresh server process.
func measureImport(ctx context.Context, exe, data, path string, c importCase) (importMeasure, error) {
	m := importMeasure{Case: c.name}
	st, err := os.Stat(path)
	if err != nil {
		return m, err
	}
	m.FileBytes = st.Size()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return m, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logs, err := os.Create(path + ".log")
	if err != nil {
		return m, err
	}
	defer logs.Close()
	cmd := exec.CommandContext(ctx, exe, "serve", "--data", data, "--addr", addr)
	cmd.Env = append(os.Environ(), "KECHUANG_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return m, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	base := "http://" + addr
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if err := waitHealthy(ctx, hc, base); err != nil {
		return m, err
	}
	body, _ := json.Marshal(map[string]string{"username": c.user, "password": benchPassword})
	res, err := hc.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		return m, err
	}
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	err = json.NewDecoder(res.Body).Decode(&sess)
	res.Body.Close()
	if err != nil || sess.CSRF == "" {
		return m, fmt.Errorf("login as %s: status %d, %v", c.user, res.StatusCode, err)
	}
	if _, err := getText(hc, base+"/"+c.module+"/import"); err != nil {
		return m, err
	}
	time.Sleep(2 * time.Second) // let the runtime return start-up garbage
	pid := cmd.Process.Pid
	baseline, err := procStatus(pid, "VmRSS")
	if err != nil {
		return m, err
	}
	start := time.Now()
	job, err := uploadImport(hc, base+"/"+c.module+"/import", sess.CSRF, path, c.mode)
	if err != nil {
		return m, err
	}
	failures := 0
	for {
		page, err := getText(hc, base+job)
		if err != nil {
			// A page that must write (a session's last-seen time) waits
			// behind a long SQLite import and may time out: poll again.
			if failures++; failures > 20 || ctx.Err() != nil {
				return m, err
			}
			time.Sleep(2 * time.Second)
			continue
		}
		if s := jobState.FindStringSubmatch(page); s != nil && (s[1] == "已完成" || s[1] == "失败") {
			m.State = map[string]string{"已完成": "done", "失败": "failed"}[s[1]]
			m.Outcome = importOutcome(page)
			break
		}
		if time.Since(start) > 30*time.Minute {
			return m, errors.New("the import did not finish in 30 minutes")
		}
		select {
		case <-ctx.Done():
			return m, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	m.Seconds = time.Since(start).Seconds()
	peak, err := procStatus(pid, "VmHWM")
	if err != nil {
		return m, err
	}
	m.BaselineMB, m.PeakMB, m.DeltaMB = baseline/1e6, peak/1e6, (peak-baseline)/1e6
	os.Remove(logs.Name()) // kept, next to the file, when the case fails
	return m, nil
}

var (
	jobState  = regexp.MustCompile(`id="job-state">([^<]*)<`)
	tagText   = regexp.MustCompile(`<[^>]*>`)
	resultDD  = regexp.MustCompile(`<dd id="(result-[a-z-]+)">(\d+)</dd>`)
	errorLine = regexp.MustCompile(`(?s)<p class="error" role="alert">(.*?)</p>`)
)

// importOutcome summarises a finished job page: the counts, or the reason
// it failed, and the first problem.
func importOutcome(page string) string {
	var parts []string
	for _, m := range resultDD.FindAllStringSubmatch(page, -1) {
		parts = append(parts, strings.TrimPrefix(m[1], "result-")+" "+m[2])
	}
	if m := errorLine.FindStringSubmatch(page); m != nil {
		parts = append(parts, strings.TrimSpace(tagText.ReplaceAllString(m[1], "")))
	}
	if i := strings.Index(page, `<table class="table compact" id="problems">`); i >= 0 {
		row := page[i:]
		if j := strings.Index(row, "<tbody>"); j >= 0 {
			row = row[j:]
			if k := strings.Index(row, "</tr>"); k >= 0 {
				cells := strings.Fields(tagText.ReplaceAllString(strings.ReplaceAll(row[:k], "</td>", " | "), ""))
				parts = append(parts, "first problem: "+strings.Join(cells, " "))
			}
		}
	}
	out := strings.Join(parts, "; ")
	if r := []rune(out); len(r) > 160 {
		out = string(r[:160]) + "…"
	}
	return out
}

func waitHealthy(ctx context.Context, hc *http.Client, base string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		res, err := hc.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.New("the server did not become healthy")
}

func getText(hc *http.Client, url string) (string, error) {
	res, err := hc.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d", url, res.StatusCode)
	}
	return string(b), err
}

// uploadImport posts the file to the import form and returns the job
// page's path.
func uploadImport(hc *http.Client, url, csrf, path, mode string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", csrf)
	_ = mw.WriteField("mode", mode)
	fw, err := mw.CreateFormFile("file", filepath.Base(path))
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(fw, f); err != nil {
		return "", err
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	req, err := http.NewRequest(http.MethodPost, url, &buf)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", csrf)
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(res.Body)
		return "", fmt.Errorf("upload: %d %s", res.StatusCode, tagText.ReplaceAllString(string(b), ""))
	}
	return res.Header.Get("Location"), nil
}

// procStatus reads a field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) (float64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// The crafted files.

const marketHeader = "类型,外部编号,标题,成果简介或需求描述,预期效果（需求）,关键词,技术领域,行业代码,技术就绪水平（成果）,交易方式,报价（万元，成果）,预算区间（需求）,截止日期（需求）,所属区县,联系人,联系电话,联系邮箱"

// marketRow returns the cells of a valid achievement row.
func marketRow(i int, summary string) []string {
	return []string{"科技成果", fmt.Sprintf("M-%06d", i), fmt.Sprintf("第%06d号科技成果：一种零件表面缺陷在线检测方法", i), summary, "",
		"机器视觉、缺陷检测", "先进制造与自动化", "C40", "6", "技术许可、技术转让", "80", "", "", "昆山市", "陈老师", "0512-65880000", ""}
}

func importCases() []importCase {
	return []importCase{
		{name: "huge-header-cell", what: "the reported attack: one 190 MB shared string in the header", module: "market", user: "ent", mode: "all", file: ".xlsx",
			build: func(p string) error { return hugeCellBook(p, true) }},
		{name: "huge-data-cell", what: "one 190 MB shared string in a data row, valid rows only", module: "market", user: "ent", mode: "valid", file: ".xlsx",
			build: func(p string) error { return hugeCellBook(p, false) }},
		{name: "many-columns", what: "a header of 16,384 columns", module: "market", user: "ent", mode: "all", file: ".xlsx",
			build: manyColumnsBook},
		{name: "illegal-char-row-4", what: "an illegal XML character in row 4 of 7", module: "market", user: "ent", mode: "valid", file: ".xlsx",
			build: illegalCharBook},
		{name: "zip-bomb", what: "a sheet part declaring 1 GB", module: "market", user: "ent", mode: "all", file: ".xlsx",
			build: func(p string) error { return bombBook(p, false) }},
		{name: "lying-zip", what: "a sheet part declaring 1 MB that inflates to 1 GB", module: "market", user: "ent", mode: "all", file: ".xlsx",
			build: func(p string) error { return bombBook(p, true) }},
		{name: "long-rows-shared-4k", what: "4,000 valid demands whose two 5,000-character texts are one shared string", module: "market", user: "ent", mode: "all", file: ".xlsx",
			build: func(p string) error { return longRowsBook(p, 4_000) }},
		{name: "long-rows-shared-20k", what: "20,000 such demands: 600 MB of text written to the database", module: "market", user: "ent", mode: "all", file: ".xlsx",
			build: func(p string) error { return longRowsBook(p, 20_000) }},
		{name: "long-rows-distinct-2k", what: "2,000 demands, each with its own two 5,000-character texts inline (60 MB, under the text budget)", module: "market", user: "ent", mode: "all", file: ".xlsx",
			build: func(p string) error { return distinctRowsBook(p, 2_000, false) }},
		{name: "long-rows-distinct-4k", what: "4,000 such demands (120 MB: over the 64 MB text budget)", module: "market", user: "ent", mode: "all", file: ".xlsx",
			build: func(p string) error { return distinctRowsBook(p, 4_000, false) }},
		{name: "big-sst-distinct-4k", what: "4,000 demands whose own 5,000-character texts are shared strings (a 60 MB table, kept in a temporary file)", module: "market", user: "ent", mode: "all", file: ".xlsx",
			build: func(p string) error { return distinctRowsBook(p, 4_000, true) }},
		{name: "rows-200k", what: "200,000 indicator rows, every column filled (the row limit)", module: "cultivation", user: "city", mode: "all", file: ".xlsx",
			build: func(p string) error { return indicatorBook(p, 200_000) }},
		{name: "rows-200001", what: "one row over the limit", module: "cultivation", user: "city", mode: "all", file: ".xlsx",
			build: func(p string) error { return indicatorBook(p, 200_001) }},
		{name: "listings-200k", what: "200,000 short valid listings (the row limit), repeated cells as shared strings", module: "market", user: "ent", mode: "all", file: ".xlsx",
			build: listingsBook},
	}
}

// book writes a workbook: its sheet part from sheet, and its shared
// strings from sst (none when nil). Parts are streamed, so a book can hold
// far more than memory.
func book(path string, sheet, sst func(w *bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	part := func(name string, fill func(w *bufio.Writer) error) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := fill(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	// The package parts Excel writes, so that any reader takes the file
	// for a workbook.
	const rels = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
	const ct = `application/vnd.openxmlformats-officedocument.spreadsheetml.`
	for _, p := range [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="` + ct + `sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="` + ct + `worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="` + ct + `sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + rels + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + rels + `/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="` + rels + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook ` + ns + ` xmlns:r="` + rels + `">` +
			`<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	} {
		if err := part(p[0], func(w *bufio.Writer) error {
			_, err := w.WriteString(p[1])
			return err
		}); err != nil {
			return err
		}
	}
	if sst == nil {
		sst = func(*bufio.Writer) error { return nil }
	}
	if err := part("xl/sharedStrings.xml", func(w *bufio.Writer) error {
		if _, err := w.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst ` + ns + `>`); err != nil {
			return err
		}
		if err := sst(w); err != nil {
			return err
		}
		_, err := w.WriteString(`</sst>`)
		return err
	}); err != nil {
		return err
	}
	if err := part("xl/worksheets/sheet1.xml", func(w *bufio.Writer) error {
		if _, err := w.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet ` + ns + `><sheetData>`); err != nil {
			return err
		}
		if err := sheet(w); err != nil {
			return err
		}
		_, err := w.WriteString(`</sheetData></worksheet>`)
		return err
	}); err != nil {
		return err
	}
	return zw.Close()
}

// xmlText escapes s for XML character data.
func xmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// writeRow writes cells as inline strings; a cell "#N" refers to shared
// string N instead.
func writeRow(w *bufio.Writer, num int, cells []string) {
	fmt.Fprintf(w, `<row r="%d">`, num)
	for _, c := range cells {
		switch {
		case c == "":
			w.WriteString(`<c/>`)
		case strings.HasPrefix(c, "#"):
			fmt.Fprintf(w, `<c t="s"><v>%s</v></c>`, c[1:])
		default:
			fmt.Fprintf(w, `<c t="inlineStr"><is><t>%s</t></is></c>`, xmlText(c))
		}
	}
	w.WriteString(`</row>`)
}

func hugeCellBook(path string, inHeader bool) error {
	sst := func(w *bufio.Writer) error {
		w.WriteString(`<si><t>`)
		chunk := strings.Repeat("a", 1<<20)
		for range 190 {
			if _, err := w.WriteString(chunk); err != nil {
				return err
			}
		}
		_, err := w.WriteString(`</t></si>`)
		return err
	}
	return book(path, func(w *bufio.Writer) error {
		header := strings.Split(marketHeader, ",")
		if inHeader {
			header[0] = "#0"
		}
		writeRow(w, 1, header)
		row := marketRow(1, "检测精度达到0.01毫米，已在两家企业产线试用。")
		if !inHeader {
			row[3] = "#0"
		}
		writeRow(w, 2, row)
		writeRow(w, 3, marketRow(2, "检测精度达到0.01毫米，已在两家企业产线试用。"))
		return nil
	}, sst)
}

func manyColumnsBook(path string) error {
	return book(path, func(w *bufio.Writer) error {
		cells := make([]string, 16_384)
		for i := range cells {
			cells[i] = fmt.Sprintf("第%d列", i+1)
		}
		writeRow(w, 1, cells)
		writeRow(w, 2, marketRow(1, "一段简介。"))
		return nil
	}, nil)
}

func illegalCharBook(path string) error {
	return book(path, func(w *bufio.Writer) error {
		writeRow(w, 1, strings.Split(marketHeader, ","))
		for r := 2; r <= 7; r++ {
			row := marketRow(r, "检测精度达到0.01毫米，已在两家企业产线试用。")
			if r == 4 {
				row[3] += "\x01"
			}
			writeRow(w, r, row)
		}
		return nil
	}, nil)
}

// bombBook writes a workbook whose sheet part is 1 GB of one repeated
// comment; lying, its header then declares 1 MB.
func bombBook(path string, lying bool) error {
	if err := book(path, func(w *bufio.Writer) error {
		writeRow(w, 1, strings.Split(marketHeader, ","))
		chunk := "<!--" + strings.Repeat("x", 1<<20-7) + "-->"
		for range 1024 {
			if _, err := w.WriteString(chunk); err != nil {
				return err
			}
		}
		return nil
	}, nil); err != nil {
		return err
	}
	if !lying {
		return nil
	}
	// Rewrite the archive with the sheet's declared size set to 1 MB.
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, zf := range zr.File {
		hdr := zf.FileHeader
		if strings.HasSuffix(zf.Name, "sheet1.xml") {
			hdr.UncompressedSize64 = 1 << 20
		}
		w, err := zw.CreateRaw(&hdr)
		if err != nil {
			return err
		}
		rc, err := zf.OpenRaw()
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, rc); err != nil {
			return err
		}
	}
	return zw.Close()
}

// longRowsBook writes n valid listings whose summary and expected effect
// are each 5,000 characters (the form's limit), shared strings repeated
// in every row, so the file stays small while its text is 30 KB a row.
func longRowsBook(path string, n int) error {
	long := strings.Repeat("检测精度达到零点零一毫米", 5000/12)
	long += strings.Repeat("测", 5000-len([]rune(long)))
	return book(path, func(w *bufio.Writer) error {
		writeRow(w, 1, strings.Split(marketHeader, ","))
		for i := range n {
			row := marketRow(i, "#0")
			row[0], row[4], row[11], row[12] = "技术需求", "#0", "50–100万元", "2029-06-30"
			row[8], row[10] = "", ""
			writeRow(w, i+2, row)
		}
		return nil
	}, func(w *bufio.Writer) error {
		_, err := w.WriteString(`<si><t>` + xmlText(long) + `</t></si>`)
		return err
	})
}

// distinctRowsBook writes n valid demands whose texts are 5,000
// characters and differ from row to row: inline, summary and expected
// effect both; as shared strings, the summary only (one string a row).
func distinctRowsBook(path string, n int, shared bool) error {
	text := func(i int, what string) string {
		head := fmt.Sprintf("第%06d号需求的%s：", i, what)
		return head + strings.Repeat("需", 5000-len([]rune(head)))
	}
	var sst func(w *bufio.Writer) error
	if shared {
		sst = func(w *bufio.Writer) error {
			for i := range n {
				if _, err := w.WriteString(`<si><t>` + text(i, "描述") + `</t></si>`); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return book(path, func(w *bufio.Writer) error {
		writeRow(w, 1, strings.Split(marketHeader, ","))
		for i := range n {
			row := marketRow(i, text(i, "描述"))
			row[0], row[4], row[11], row[12] = "技术需求", text(i, "预期效果"), "50–100万元", "2029-06-30"
			row[8], row[10] = "", ""
			if shared {
				row[3], row[4] = "#"+strconv.Itoa(i), "良率提升到98%以上。"
			}
			writeRow(w, i+2, row)
		}
		return nil
	}, sst)
}

// listingsBook writes 200,000 short valid achievements, as Excel would:
// the cells that repeat are shared strings, titles and ids inline.
func listingsBook(path string) error {
	shared := marketRow(0, "检测精度达到0.01毫米，已在两家企业产线试用。")
	return book(path, func(w *bufio.Writer) error {
		writeRow(w, 1, strings.Split(marketHeader, ","))
		for i := range 200_000 {
			row := marketRow(i, "")
			for c := range row {
				if c != 1 && c != 2 && row[c] != "" {
					row[c] = "#" + strconv.Itoa(c)
				}
			}
			row[3] = "#3"
			writeRow(w, i+2, row)
		}
		return nil
	}, func(w *bufio.Writer) error {
		for _, v := range shared {
			if _, err := w.WriteString(`<si><t>` + xmlText(v) + `</t></si>`); err != nil {
				return err
			}
		}
		return nil
	})
}

// creditCode completes a 17-character prefix with its check character.
func creditCode(first17 string) string {
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if code := first17 + string(c); cultivation.ValidateCreditCode(code) == nil {
			return code
		}
	}
	panic("no check character for " + first17)
}

// indicatorBook writes n indicator rows, four years an enterprise, every
// column of the template filled, over the counties of 苏州市.
func indicatorBook(path string, n int) error {
	counties := []string{"320505", "320506", "320507", "320508", "320509", "320576", "320581", "320582", "320583", "320585"}
	header := make([]string, len(cultivation.ImportColumns))
	for i, c := range cultivation.ImportColumns {
		header[i] = c.Header
	}
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	return book(path, func(w *bufio.Writer) error {
		writeRow(w, 1, header)
		code, name, county := "", "", ""
		for i := range n {
			firm, year := i/4, 2025-i%4
			if i%4 == 0 {
				county = counties[firm%len(counties)]
				serial := []byte("MA0000000")
				for k, v := len(serial)-1, firm; k >= 2; k-- {
					serial[k] = chars[v%31]
					v /= 31
				}
				code = creditCode("91" + county + string(serial))
				name = fmt.Sprintf("基准测试科技有限公司%06d", firm)
			}
			rev := 1000 + firm%50000
			w.WriteString(fmt.Sprintf(`<row r="%d">`, i+2))
			for _, v := range []string{code, name, county, "C39", "电子信息", "2015-03-01", "否", "种子企业、链主", "2020-06-01", "2021-12-15"} {
				fmt.Fprintf(w, `<c t="inlineStr"><is><t>%s</t></is></c>`, v)
			}
			for _, v := range []int{year, rev, rev * 95 / 100, rev * 70 / 100, rev * 80 / 100, rev * 4 / 100, rev * 4 / 100, rev * 2, rev,
				rev, rev / 10, 50 + firm%300, 10 + firm%30, 8 + firm%20, firm % 7, firm % 11} {
				fmt.Fprintf(w, `<c><v>%d</v></c>`, v)
			}
			w.WriteString(`</row>`)
		}
		return nil
	}, nil)
}
