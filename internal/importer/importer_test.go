package importer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/importer"
	"kechuang/internal/job"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// The test module imports "codes": a code (required, unique in the file),
// a name and a date into the settings table, keyed by code, so that a
// second import of the same file changes nothing.

type codeOptions struct {
	Mode string `json:"mode"`
}

func (o codeOptions) ImportMode() string { return o.Mode }

type codeResult struct {
	importer.Result
	Unchanged int `json:"unchanged"`
}

type codeRow struct{ code, value string }

var codeColumns = []sheet.Column{
	{Key: "code", Header: "编号", Required: true, Example: "X-000"},
	{Key: "name", Header: "名称"},
	{Key: "date", Header: "日期"},
}

type codeBatch struct {
	db   *sqldb.DB
	res  *codeResult
	seen map[string]int
	have map[string]string
}

func (b *codeBatch) Parse(r *importer.Row) codeRow {
	row := codeRow{code: r.Cell("code")}
	if row.code == "" {
		r.Problem("code", "必填")
	}
	name := r.Cell("name")
	if strings.HasPrefix(name, "坏") {
		r.Problem("name", "名称不能以“坏”开头")
	}
	date := ""
	if v := r.Cell("date"); v != "" {
		t, ok := sheet.ParseDate(v)
		if !ok {
			r.Problem("date", fmt.Sprintf("“%s”不是日期", v))
		}
		date = t.Format("2006-01-02")
	}
	row.value = name + "|" + date
	return row
}

func (b *codeBatch) Admit(_ context.Context, r *importer.Row, row codeRow) error {
	if row.code == "" {
		return nil
	}
	if first := b.seen[row.code]; first != 0 {
		r.Problem("code", fmt.Sprintf("与第 %d 行重复", first))
		return nil
	}
	b.seen[row.code] = r.Num
	return nil
}

func (b *codeBatch) Apply(ctx context.Context, tx *sqldb.Tx, r codeRow) error {
	old, ok := b.have[r.code]
	switch {
	case ok && old == r.value:
		b.res.Unchanged++
		return nil
	case ok:
		b.res.Updated++
		_, err := tx.ExecContext(ctx, "UPDATE settings SET value = ? WHERE key = ?", r.value, "code."+r.code)
		return err
	}
	b.res.Created++
	_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)", "code."+r.code, r.value)
	return err
}

// The test module records its imports like a module would.
func init() { audit.RegisterActions("code.import") }

// newCodes returns the test module's importer on db configured with cfg
// and a job service of its own (not started: tests run jobs with
// RunPending), the job service, and an account service.
func newCodes(t *testing.T, db *sqldb.DB, cfg importer.Config) (*importer.Importer[codeOptions, codeRow, codeResult, *codeResult], *job.Service, *account.Service) {
	t.Helper()
	im := importer.New(db, importer.Spec[codeOptions, codeRow, codeResult, *codeResult]{
		Kind:       "test.codes",
		Action:     "code.import",
		Columns:    codeColumns,
		ExampleKey: "code",
		Authorize: func(a account.Actor) error {
			if a.Role != account.RoleEnterprise {
				return apperr.New(apperr.Forbidden, "test.only_enterprises")
			}
			return nil
		},
		Begin: func(ctx context.Context, a account.Actor, opt codeOptions, h importer.Header, res *codeResult) (importer.Batch[codeRow], error) {
			have := map[string]string{}
			rows, err := db.QueryContext(ctx, "SELECT key, value FROM settings WHERE key LIKE 'code.%'")
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			for rows.Next() {
				var k, v string
				if err := rows.Scan(&k, &v); err != nil {
					return nil, err
				}
				have[strings.TrimPrefix(k, "code.")] = v
			}
			return &codeBatch{db: db, res: res, seen: map[string]int{}, have: have}, rows.Err()
		},
	})
	jobs := job.NewService(db, slog.New(slog.DiscardHandler))
	cfg.Jobs = jobs
	im.Configure(cfg)
	accts := account.NewService(db, region.NewService(db), account.Config{Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	return im, jobs, accts
}

func createActor(t *testing.T, accts *account.Service, name string, role account.Role) account.Actor {
	t.Helper()
	u, err := accts.CreateUser(context.Background(), account.System, account.NewUser{Username: name, Role: role, Password: "Kechuang-2026"})
	if err != nil {
		t.Fatal(err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role}
}

func stored(t *testing.T, db *sqldb.DB) map[string]string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT key, value FROM settings WHERE key LIKE 'code.%'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

func file(name, text string) importer.File {
	return importer.File{R: strings.NewReader(text), Size: int64(len(text)), Name: name}
}

type problem struct {
	Row    int
	Column string
}

func problemsOf(res importer.Result) []problem {
	var out []problem
	for _, p := range res.Problems {
		out = append(out, problem{p.Row, p.Column})
	}
	return out
}

func TestRun(t *testing.T) {
	t.Parallel()
	const good = "编号,名称,日期\nA-1,甲,2019-03-01\nA-2,乙,20190302\nA-3,丙,2023.05.06\n"
	const bad = "编号,名称,日期\nA-1,甲,2019-03-01\n,无编号,\nA-1,重复,\nA-4,坏名字,明天\nX-000,示例,\n"
	tests := []struct {
		name         string
		steps        []string // files imported one after another
		mode         string
		want         codeResult
		wantProblems []problem
		wantStored   map[string]string
	}{
		{
			name:  "valid file, WPS dates",
			steps: []string{good},
			want:  codeResult{Result: importer.Result{Rows: 3, Valid: 3, Applied: true, Mode: "all", Created: 3}},
			wantStored: map[string]string{"code.A-1": "甲|2019-03-01", "code.A-2": "乙|2019-03-02",
				"code.A-3": "丙|2023-05-06"},
		},
		{
			name:       "re-import changes nothing",
			steps:      []string{good, good},
			want:       codeResult{Result: importer.Result{Rows: 3, Valid: 3, Applied: true, Mode: "all"}, Unchanged: 3},
			wantStored: map[string]string{"code.A-1": "甲|2019-03-01", "code.A-2": "乙|2019-03-02", "code.A-3": "丙|2023-05-06"},
		},
		{
			name:  "re-import with a change updates that row only",
			steps: []string{good, strings.Replace(good, "乙", "乙二", 1)},
			want:  codeResult{Result: importer.Result{Rows: 3, Valid: 3, Applied: true, Mode: "all", Updated: 1}, Unchanged: 2},
			wantStored: map[string]string{"code.A-1": "甲|2019-03-01", "code.A-2": "乙二|2019-03-02",
				"code.A-3": "丙|2023-05-06"},
		},
		{
			name:         "all or nothing with bad rows writes nothing",
			steps:        []string{bad},
			want:         codeResult{Result: importer.Result{Rows: 4, Valid: 1, Mode: "all", ProblemRows: 3}},
			wantProblems: []problem{{3, "编号"}, {4, "编号"}, {5, "名称"}, {5, "日期"}},
			wantStored:   map[string]string{},
		},
		{
			name:         "valid rows only writes the good row",
			steps:        []string{bad},
			mode:         importer.ValidRows,
			want:         codeResult{Result: importer.Result{Rows: 4, Valid: 1, Applied: true, Mode: "valid", ProblemRows: 3, Created: 1}},
			wantProblems: []problem{{3, "编号"}, {4, "编号"}, {5, "名称"}, {5, "日期"}},
			wantStored:   map[string]string{"code.A-1": "甲|2019-03-01"},
		},
		{
			name:         "header without the required column",
			steps:        []string{"名称,颜色\n甲,红\n"},
			want:         codeResult{Result: importer.Result{Mode: "all", ProblemRows: 1}},
			wantProblems: []problem{{1, "颜色"}, {1, "编号"}},
			wantStored:   map[string]string{},
		},
		{
			name:       "a corrected error report imports like the original",
			steps:      []string{"编号,名称,日期,错误原因,原行号\nA-9,玖,,名称：名称不能以“坏”开头,5\n"},
			want:       codeResult{Result: importer.Result{Rows: 1, Valid: 1, Applied: true, Mode: "all", Created: 1}},
			wantStored: map[string]string{"code.A-9": "玖|"},
		},
	}
	for _, tt := range tests {
		for _, large := range []bool{false, true} {
			name := tt.name
			if large {
				name += " (read again to apply)"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				testRun(t, tt.steps, tt.mode, large, tt.want, tt.wantProblems, tt.wantStored)
			})
		}
	}
}

// testRun imports steps one after another and checks the last result and
// what is stored. large makes the importer keep no parsed row between its
// passes, as it does with a large file.
func testRun(t *testing.T, steps []string, mode string, large bool, want codeResult, wantProblems []problem, wantStored map[string]string) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		cfg := importer.Config{}
		if large {
			cfg.KeptRows = -1
		}
		im, _, accts := newCodes(t, db, cfg)
		ent := createActor(t, accts, "ent", account.RoleEnterprise)
		var res codeResult
		for i, text := range steps {
			var err error
			calls := 0
			res, err = im.Run(context.Background(), ent, file("codes.csv", text), codeOptions{Mode: mode},
				func(done, total int) { calls++ })
			if err != nil {
				t.Fatalf("Run(step %d) error = %v", i, err)
			}
			if res.Rows > 0 && calls == 0 {
				t.Errorf("Run(step %d) reported no progress", i)
			}
		}
		if diff := cmp.Diff(wantProblems, problemsOf(res.Result)); diff != "" {
			t.Errorf("problems mismatch (-want +got):\n%s", diff)
		}
		res.Problems, res.Report, res.Failure = nil, nil, ""
		if diff := cmp.Diff(want, res); diff != "" {
			t.Errorf("result mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantStored, stored(t, db)); diff != "" {
			t.Errorf("stored mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestRunRefusesOthers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		im, _, accts := newCodes(t, db, importer.Config{})
		broker := createActor(t, accts, "broker", account.RoleBroker)
		if _, err := im.Run(context.Background(), broker, file("a.csv", "编号\nA\n"), codeOptions{}, nil); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("Run(broker) error = %v, want Forbidden", err)
		}
		if _, err := im.Queue(context.Background(), broker, "a.csv", codeOptions{}, []byte("编号\nA\n")); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("Queue(broker) error = %v, want Forbidden", err)
		}
	})
}

// reportOf imports csv as an enterprise user and opens the import's marked
// error report.
func reportOf(t *testing.T, db *sqldb.DB, csv string) *excelize.File {
	t.Helper()
	im, _, accts := newCodes(t, db, importer.Config{})
	ent := createActor(t, accts, "ent", account.RoleEnterprise)
	res, err := im.Run(context.Background(), ent, file("codes.csv", csv), codeOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := sheet.WriteMarkedReport(&buf, res.ErrorReport()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestMarkedErrorReport checks that the report returns the rows as they
// were uploaded, the bad cells marked red with their reasons as comments
// and the reasons beside the row.
func TestMarkedErrorReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := reportOf(t, db, "编号,名称,日期\nA-1,甲,\nA-2,坏蛋,昨天\nA-3,乙,\n")
		const data = "错误数据"
		rows, err := f.GetRows(data)
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{
			{"编号", "名称", "日期", "错误原因", "原行号"},
			{"A-2", "坏蛋", "昨天", "名称：名称不能以“坏”开头；日期：“昨天”不是日期", "3"},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("report rows mismatch (-want +got):\n%s", diff)
		}
		comments, err := f.GetComments(data)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range comments {
			var text strings.Builder
			for _, p := range c.Paragraph {
				text.WriteString(p.Text)
			}
			got[c.Cell] = text.String()
		}
		if diff := cmp.Diff(map[string]string{"B2": "名称不能以“坏”开头", "C2": "“昨天”不是日期"}, got); diff != "" {
			t.Errorf("comments mismatch (-want +got):\n%s", diff)
		}
		for cell, wantRed := range map[string]bool{"A2": false, "B2": true, "C2": true} {
			style, err := f.GetCellStyle(data, cell)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(style)
			if err != nil {
				t.Fatal(err)
			}
			red := len(st.Fill.Color) > 0 && st.Fill.Color[0] == "FFC7CE"
			if red != wantRed {
				t.Errorf("cell %s red = %v, want %v", cell, red, wantRed)
			}
		}
		list, err := f.GetRows("问题列表")
		if err != nil || len(list) != 3 || strings.Join(list[0], ",") != "行号,列,原因" {
			t.Errorf("problem list = %q, %v", list, err)
		}
	})
}

// TestReportFormulasAreInert guards against a cell like =cmd|' /C calc'!A0
// coming back live in the error report.
func TestReportFormulasAreInert(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := reportOf(t, db, "编号,名称\n=cmd|' /C calc'!A0,坏\n")
		if formula, _ := f.GetCellFormula("错误数据", "A2"); formula != "" {
			t.Errorf("A2 holds the formula %q", formula)
		}
		if v, _ := f.GetCellValue("错误数据", "A2"); v != "'=cmd|' /C calc'!A0" {
			t.Errorf("A2 = %q, want the text escaped", v)
		}
	})
}

func TestResultIsBounded(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		im, _, accts := newCodes(t, db, importer.Config{})
		ent := createActor(t, accts, "ent", account.RoleEnterprise)
		var b strings.Builder
		b.WriteString("编号,名称\n")
		const n = 3000
		for i := range n {
			fmt.Fprintf(&b, "B-%d,坏%d\n", i, i)
		}
		res, err := im.Run(context.Background(), ent, file("many.csv", b.String()), codeOptions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Problems) != importer.MaxListedProblems || res.ProblemRows != n {
			t.Fatalf("problems listed %d, rows %d; want %d listed, %d rows", len(res.Problems), res.ProblemRows, importer.MaxListedProblems, n)
		}
		want := []sheet.ProblemCount{{Column: "名称", Reason: "名称不能以“坏”开头", Count: n - importer.MaxListedProblems}}
		if diff := cmp.Diff(want, res.Report.More); diff != "" {
			t.Errorf("counted problems mismatch (-want +got):\n%s", diff)
		}
		if len(res.Report.Rows) != importer.MaxListedProblems {
			t.Errorf("report rows = %d, want the %d listed", len(res.Report.Rows), importer.MaxListedProblems)
		}
		stored, _ := json.Marshal(res)
		if len(stored) > 1<<20 {
			t.Errorf("stored result is %d bytes", len(stored))
		}
	})
}

// xlsxWith builds a one-sheet workbook from sheetData XML and, when not
// empty, shared strings.
func xlsxWith(t *testing.T, sheetData, sst string) []byte {
	t.Helper()
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	parts := [][2]string{
		{"xl/workbook.xml", `<workbook ` + ns + `><sheets><sheet name="数据" sheetId="1"/></sheets></workbook>`},
		{"xl/worksheets/sheet1.xml", `<worksheet ` + ns + `><sheetData>` + sheetData + `</sheetData></worksheet>`},
		{"xl/sharedStrings.xml", `<sst ` + ns + `>` + sst + `</sst>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p[0])
		if err == nil {
			_, err = io.WriteString(w, p[1])
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func inlineRow(r int, cells ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<row r="%d">`, r)
	for _, c := range cells {
		fmt.Fprintf(&b, `<c t="inlineStr"><is><t>%s</t></is></c>`, c)
	}
	b.WriteString(`</row>`)
	return b.String()
}

// TestJobs runs imports as jobs: limits, malformed files and the owner's
// account as it is when the job runs.
func TestJobs(t *testing.T) {
	t.Parallel()
	illegal := xlsxWith(t, inlineRow(1, "编号", "名称")+inlineRow(2, "C-2", "二")+inlineRow(3, "C-3", "三")+
		inlineRow(4, "C-4", "四\x01")+inlineRow(5, "C-5", "五")+inlineRow(6, "C-6", "六")+inlineRow(7, "C-7", "七"), "")
	hugeHeader := xlsxWith(t, `<row r="1"><c t="s"><v>0</v></c><c t="inlineStr"><is><t>名称</t></is></c></row>`+inlineRow(2, "C-2", "二"),
		`<si><t>`+strings.Repeat("编", 40_000)+`</t></si>`)
	hugeCell := xlsxWith(t, inlineRow(1, "编号", "名称")+inlineRow(2, "C-2", "二")+
		`<row r="3"><c t="inlineStr"><is><t>C-3</t></is></c><c t="s"><v>0</v></c></row>`,
		`<si><t>`+strings.Repeat("名", 40_000)+`</t></si>`)
	var many strings.Builder
	many.WriteString("编号\n")
	for i := range 11 {
		fmt.Fprintf(&many, "M-%d\n", i)
	}
	tests := []struct {
		name       string
		file       []byte
		filename   string
		mode       string
		change     func(t *testing.T, accts *account.Service, id int64)
		wantState  job.State
		wantKey    string
		wantFail   string // in the result's Failure
		wantStored int
		wantProbs  []problem
	}{
		{
			name: "valid", file: []byte("编号,名称\nC-1,一\n"), filename: "a.csv",
			wantState: job.Done, wantStored: 1,
		},
		{
			name: "illegal character in row 4 fails the job naming the row", file: illegal, filename: "a.xlsx", mode: importer.ValidRows,
			wantState: job.Failed, wantKey: "sheet.illegal_char", wantFail: "第 4 行", wantProbs: []problem{{4, ""}},
		},
		{
			name: "a header cell over 32,767 characters", file: hugeHeader, filename: "a.xlsx",
			wantState: job.Failed, wantKey: "sheet.cell_too_long", wantFail: "第 1 行 A 列", wantProbs: []problem{{1, "A"}},
		},
		{
			name: "a data cell over 32,767 characters is a problem of its row", file: hugeCell, filename: "a.xlsx", mode: importer.ValidRows,
			wantState: job.Done, wantStored: 1, wantProbs: []problem{{3, "名称"}},
		},
		{
			name: "more rows than the limit", file: []byte(many.String()), filename: "a.csv",
			wantState: job.Failed, wantKey: "sheet.too_many_rows", wantFail: "10 行", wantProbs: []problem{{12, ""}},
		},
		{
			name: "owner disabled since queueing", file: []byte("编号\nC-1\n"), filename: "a.csv",
			change: func(t *testing.T, accts *account.Service, id int64) {
				if err := accts.SetDisabled(context.Background(), account.System, id, true); err != nil {
					t.Fatal(err)
				}
			},
			wantState: job.Failed, wantKey: "account.owner_disabled",
		},
		{
			name: "owner's role changed since queueing", file: []byte("编号\nC-1\n"), filename: "a.csv",
			change: func(t *testing.T, accts *account.Service, id int64) {
				role := account.RoleInvestor
				if _, err := accts.UpdateUser(context.Background(), account.System, id, account.UserUpdate{Role: &role}); err != nil {
					t.Fatal(err)
				}
			},
			wantState: job.Failed, wantKey: "account.owner_changed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				ctx := context.Background()
				im, jobs, accts := newCodes(t, db, importer.Config{Limits: sheet.Limits{MaxRows: 10}})
				ent := createActor(t, accts, "ent", account.RoleEnterprise)
				id, err := im.Queue(ctx, ent, tt.filename, codeOptions{Mode: tt.mode}, tt.file)
				if err != nil {
					t.Fatal(err)
				}
				if tt.change != nil {
					tt.change(t, accts, ent.UserID)
				}
				if err := jobs.RunPending(ctx); err != nil {
					t.Fatal(err)
				}
				j, err := jobs.Get(ctx, ent.Audit(), id)
				if err != nil {
					t.Fatal(err)
				}
				if j.State != tt.wantState || j.ErrorKey != tt.wantKey {
					t.Errorf("job = %s %q (%s), want %s %q", j.State, j.ErrorKey, j.Error, tt.wantState, tt.wantKey)
				}
				if n := len(stored(t, db)); n != tt.wantStored {
					t.Errorf("stored %d codes, want %d", n, tt.wantStored)
				}
				var res codeResult
				if len(j.Result) > 0 {
					if err := json.Unmarshal(j.Result, &res); err != nil {
						t.Fatal(err)
					}
				}
				if !strings.Contains(res.Failure, tt.wantFail) || (tt.wantFail == "") != (res.Failure == "") {
					t.Errorf("result failure = %q, want it to contain %q", res.Failure, tt.wantFail)
				}
				if res.Applied && j.State != job.Done {
					t.Errorf("a %s job says applied", j.State)
				}
				if diff := cmp.Diff(tt.wantProbs, problemsOf(res.Result)); diff != "" {
					t.Errorf("problems mismatch (-want +got):\n%s", diff)
				}
			})
		})
	}
}
