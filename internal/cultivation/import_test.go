package cultivation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/importer"
	"kechuang/internal/job"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

func importCSV(t *testing.T, r *registryEnv, a account.Actor, csv string, opt cultivation.ImportOptions) cultivation.ImportResult {
	t.Helper()
	data := []byte(csv)
	var calls int
	res, err := r.svc.ImportEnterprises(context.Background(), a, bytes.NewReader(data), int64(len(data)), "import.csv", opt,
		func(done, total int) { calls++ })
	if err != nil {
		t.Fatalf("ImportEnterprises() error = %v", err)
	}
	if calls == 0 && res.Rows > 0 {
		t.Errorf("progress was never reported for %d rows", res.Rows)
	}
	return res
}

func TestImportEnterprises(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		a, b, c := creditCode(t, "91320583MA1XYK123"), creditCode(t, "91320583MA1XYK124"), creditCode(t, "91320585MA1XYK125")
		header := "统一社会信用代码,企业名称,所属区县,行业代码,年度,营业收入（万元）,研发费用（万元）,职工总数,科技人员数\n"
		good := a + ",甲公司,昆山市,C39,2025,4000,128,80,20\n" +
			a + ",,,,2024,3500,100,70,18\n" +
			b + ",乙公司,320583,C34,,,,,\n"
		bad := c + ",丙公司,太仓市,C39,2025,100,10,10,2\n" + // another county
			a + ",,,,2025,4000,128,80,20\n" + // duplicate of row 2
			b + ",,,,2025,abc,10,10,20\n" // not a number; tech staff > employees

		// All or nothing: the bad rows stop everything.
		res := importCSV(t, r, ks, header+good+bad, cultivation.ImportOptions{})
		if res.Applied || res.Rows != 6 || res.ProblemRows != 3 {
			t.Fatalf("all-or-nothing = %+v, want 6 rows, 3 bad, nothing applied", res)
		}
		want := map[int]string{5: "所属区县", 6: "年度", 7: "营业收入（万元）"}
		for row, col := range want {
			found := false
			for _, p := range res.Problems {
				if p.Row == row && p.Column == col && p.Reason != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem reported for row %d column %s in %+v", row, col, res.Problems)
			}
		}
		if _, total, _ := r.svc.FindEnterprises(ctx, ks, cultivation.EnterpriseFilter{}); total != 0 {
			t.Fatalf("all-or-nothing wrote %d enterprises", total)
		}

		// Valid rows only: the three good rows go in.
		res = importCSV(t, r, ks, header+good+bad, cultivation.ImportOptions{Mode: cultivation.ImportValidRows})
		if !res.Applied || res.Created != 2 || res.Years != 2 || res.ProblemRows != 3 {
			t.Fatalf("valid-only = %+v, want 2 created, 2 years, 3 bad rows", res)
		}
		list, _, _ := r.svc.FindEnterprises(ctx, ks, cultivation.EnterpriseFilter{Query: "甲公司"})
		years, _ := r.svc.Years(ctx, ks, list[0].ID)
		if len(years) != 2 || *years[1].Figures.Revenue != 40_000_000 || *years[1].Figures.RDExpense != 1_280_000 {
			t.Errorf("甲公司 years = %+v, want 2024 and 2025 with amounts ×10000", years)
		}

		// Re-importing the same file adds nothing.
		res = importCSV(t, r, ks, header+good, cultivation.ImportOptions{})
		if !res.Applied || res.Created != 0 || res.Updated != 0 {
			t.Errorf("re-import = %+v, want nothing created or changed", res)
		}
		if _, total, _ := r.svc.FindEnterprises(ctx, ks, cultivation.EnterpriseFilter{}); total != 2 {
			t.Errorf("after re-import %d enterprises, want 2", total)
		}

		// A header in 元 is read in 元.
		res = importCSV(t, r, ks, "统一社会信用代码,年度,营业收入（元）\n"+a+",2023,30000000\n", cultivation.ImportOptions{})
		years, _ = r.svc.Years(ctx, ks, list[0].ID)
		if !res.Applied || *years[0].Figures.Revenue != 30_000_000 {
			t.Errorf("元 column: revenue 2023 = %v, want 30000000", *years[0].Figures.Revenue)
		}

		// The template's example row, left in, is not imported.
		res = importCSV(t, r, ks, header+cultivation.ImportColumns[0].Example+",示例,昆山市,C39,2025,1,1,1,1\n", cultivation.ImportOptions{})
		if res.Rows != 0 || len(res.Problems) != 0 {
			t.Errorf("example row: %+v, want it skipped", res)
		}

		// A file without the required column says which one, by its header
		// (the internal key "credit_code" was shown before the import kit).
		res = importCSV(t, r, ks, "企业名称,年度\n甲,2025\n", cultivation.ImportOptions{})
		if res.Applied || len(res.Problems) == 0 || res.Problems[0].Column != "统一社会信用代码" {
			t.Errorf("missing column = %+v", res.Problems)
		}
	})
}

func TestImportTemplateRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := cultivation.WriteImportTemplate(&buf); err != nil {
		t.Fatal(err)
	}
	rd, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "template.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if _, errs := sheet.MapHeader(rd.Header(), cultivation.ImportColumns); len(errs) != 0 {
		t.Errorf("the template's own header does not map: %+v", errs)
	}
}

func TestExportAssessmentReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		tc := r.actor(t, "tc", account.RoleCounty, "320585")
		e, err := r.svc.CreateEnterprise(ctx, ks, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1XYK123"),
			Name: "=HYPERLINK(\"http://x\")", RegionCode: "320583", Industry: "C39", Founded: date("2019-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.CreateEnterprise(ctx, ks, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1XYK124"),
			Name: "未测评企业", RegionCode: "320583"}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.AssessEnterprise(ctx, ks, e.ID, r.now); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := r.svc.ExportAssessmentReport(ctx, ks, "", &buf); err != nil {
			t.Fatal(err)
		}
		rd, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "report.xlsx", sheet.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		var rows [][]string
		for {
			row, _, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, row)
		}
		if len(rows) != 2 {
			t.Fatalf("report rows = %d, want 2", len(rows))
		}
		joined := strings.Join(rows[0], "|") + "\n" + strings.Join(rows[1], "|")
		if strings.Contains(joined, "|=HYPERLINK") || !strings.Contains(joined, "'=HYPERLINK") {
			t.Errorf("formula not neutralised: %s", joined)
		}
		if !strings.Contains(joined, "未测评") || !strings.Contains(joined, "昆山市") {
			t.Errorf("report lacks county names or the not-assessed mark: %s", joined)
		}
		// Another county's report is empty of these firms.
		buf.Reset()
		if err := r.svc.ExportAssessmentReport(ctx, tc, "320583", &buf); err == nil {
			t.Errorf("other county exporting 昆山 succeeded")
		}
	})
}

func TestImportJob(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		jobs := job.NewService(db, slog.New(slog.DiscardHandler))
		r.svc.ConfigureImports(importer.Config{Jobs: jobs})
		csv := "统一社会信用代码,企业名称,所属区县,年度,营业收入（万元）\n" +
			creditCode(t, "91320583MA1XYK123") + ",甲公司,昆山市,2025,4000\n" +
			creditCode(t, "91320583MA1XYK124") + ",乙公司,昆山市,2025,abc\n"
		for _, tt := range []struct {
			mode        string
			wantApplied bool
			wantCreated int
		}{{cultivation.ImportAllOrNothing, false, 0}, {cultivation.ImportValidRows, true, 1}} {
			id, err := r.svc.QueueImport(ctx, ks, "企业.csv", cultivation.ImportOptions{Mode: tt.mode}, []byte(csv))
			if err != nil {
				t.Fatal(err)
			}
			if err := jobs.RunPending(ctx); err != nil {
				t.Fatal(err)
			}
			j, err := jobs.Get(ctx, ks.Audit(), id)
			if err != nil || j.State != job.Done {
				t.Fatalf("job = %+v, %v; want done", j, err)
			}
			var res cultivation.ImportResult
			if err := json.Unmarshal(j.Result, &res); err != nil {
				t.Fatal(err)
			}
			if res.Applied != tt.wantApplied || res.Created != tt.wantCreated || res.ProblemRows != 1 || j.Done != j.Total {
				t.Errorf("mode %s: result %+v, progress %d/%d", tt.mode, res, j.Done, j.Total)
			}
		}
	})
}

// TestImportReadAgain imports the way a large file is imported — nothing
// kept between checking and applying, every row parsed again — and checks
// that a new enterprise's later rows, duplicates and a re-import come out
// the same.
func TestImportReadAgain(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		r.svc.ConfigureImports(importer.Config{KeptRows: -1})
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		a, b := creditCode(t, "91320583MA1XYK123"), creditCode(t, "91320583MA1XYK124")
		file := "统一社会信用代码,企业名称,所属区县,年度,营业收入（万元）\n" +
			a + ",甲公司,昆山市,2025,4000\n" +
			a + ",,,2024,3500\n" + // the same new enterprise: name and county from row 2
			b + ",乙公司,昆山市,2025,100\n" +
			a + ",,,2025,4100\n" // the same year again
		res := importCSV(t, r, ks, file, cultivation.ImportOptions{Mode: cultivation.ImportValidRows})
		if !res.Applied || res.Created != 2 || res.Years != 3 || res.ProblemRows != 1 {
			t.Fatalf("import = %+v, want 2 created, 3 years, row 5 refused", res)
		}
		res = importCSV(t, r, ks, strings.Join(strings.Split(file, "\n")[:4], "\n")+"\n", cultivation.ImportOptions{})
		if !res.Applied || res.Created != 0 || res.Updated != 0 {
			t.Errorf("re-import = %+v, want nothing created or changed", res)
		}
	})
}
