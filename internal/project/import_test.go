package project_test

import (
	"bytes"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

const importHeader = "项目名称,项目类型,所属区县,责任单位,包联领导,总投资（万元）,年度计划投资（万元）,计划开工日期,计划完成日期,项目简介\n"

// goodRows are two projects of 昆山 and one of 吴中.
const goodRows = "昆山导入项目甲,招商引资项目,昆山市,昆山市商务局,王副市长,12000,6000,2026-01-01,2027-06-30,一期用地120亩\n" +
	"昆山导入项目乙,重大建设项目,320583,昆山市商务局,,5000,1000,2026-02-01,2028-12-31,\n" +
	"吴中导入项目丙,科技计划项目,吴中区,吴中区发改局,张副区长,800,300,2026-03-01,2027-03-01,研发平台\n"

// badRows are a row of each kind of problem: an unknown type, an annual
// plan over the total, an end before the start, a unit that does not
// serve the county and a row without a name.
const badRows = "坏项目一,不存在的类型,昆山市,昆山市商务局,,100,50,2026-01-01,2026-12-31,\n" +
	"坏项目二,招商引资项目,昆山市,昆山市商务局,,100,500,2026-01-01,2026-12-31,\n" +
	"坏项目三,招商引资项目,昆山市,昆山市商务局,,100,50,2026-06-01,2026-01-01,\n" +
	"坏项目四,招商引资项目,昆山市,吴中区发改局,,100,50,2026-01-01,2026-12-31,\n" +
	",招商引资项目,昆山市,昆山市商务局,,100,50,2026-01-01,2026-12-31,\n"

func importProjects(t *testing.T, f *fixture, a account.Actor, csv string, mode string) project.ImportResult {
	t.Helper()
	data := []byte(csv)
	res, err := f.svc.ImportProjects(f.ctx, a, bytes.NewReader(data), int64(len(data)), "projects.csv",
		project.ImportOptions{Mode: mode}, nil)
	if err != nil {
		t.Fatalf("ImportProjects() error = %v", err)
	}
	return res
}

func projectNames(t *testing.T, f *fixture, a account.Actor) map[string]project.Project {
	t.Helper()
	ps, _, err := f.svc.FindProjects(f.ctx, a, project.ProjectFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]project.Project{}
	for _, p := range ps {
		out[p.Name] = p
	}
	return out
}

func TestImportProjects(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		res := importProjects(t, f, pp.city, importHeader+goodRows, project.ImportAllOrNothing)
		if !res.Applied || res.Created != 3 || res.Rows != 3 || len(res.Problems) != 0 {
			t.Fatalf("good file: %+v", res)
		}
		got := projectNames(t, f, pp.city)
		a, ok := got["昆山导入项目甲"]
		if !ok || a.Type != "investment" || a.RegionCode != "320583" || a.UnitID != pp.ksUnit.ID || a.LeadName != "王副市长" ||
			a.TotalInvestment != 12000 || a.AnnualInvestment != 6000 || a.PlannedEnd.String() != "2027-06-30" ||
			a.Stage != project.Planning || a.Description != "一期用地120亩" {
			t.Errorf("imported project 甲 = %+v", a)
		}
		if c := got["吴中导入项目丙"]; c.RegionCode != "320506" || c.UnitID != pp.wzUnit.ID || c.Type != "sci-tech-plan" {
			t.Errorf("imported project 丙 = %+v", c)
		}
		full, err := f.svc.GetProject(f.ctx, pp.city, a.ID)
		if err != nil || len(full.Milestones) == 0 {
			t.Errorf("imported project has no milestones from its template: %v", err)
		}
		var audits int
		if err := db.QueryRowContext(f.ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'project.create'").Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if audits != 3 {
			t.Errorf("%d project.create audit rows, want 3", audits)
		}

		// The same file again creates nothing.
		again := importProjects(t, f, pp.city, importHeader+goodRows, project.ImportAllOrNothing)
		if again.Created != 0 || again.Existing != 3 || len(again.Problems) != 0 {
			t.Errorf("second import: %+v", again)
		}
		if n := len(projectNames(t, f, pp.city)); n != 3 {
			t.Errorf("%d projects after importing twice, want 3", n)
		}
	})
}

func TestImportProjectsBadRows(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		file := importHeader + goodRows + badRows + "昆山导入项目甲,招商引资项目,昆山市,昆山市商务局,,1,1,2026-01-01,2026-12-31,\n"
		res := importProjects(t, f, pp.city, file, project.ImportAllOrNothing)
		if res.Applied || res.Created != 0 || res.ProblemRows != 6 {
			t.Fatalf("all or nothing with bad rows: %+v", res)
		}
		if n := len(projectNames(t, f, pp.city)); n != 0 {
			t.Errorf("all or nothing wrote %d projects", n)
		}
		want := []struct {
			row          int
			column, text string
		}{
			{5, "项目类型", "不是项目类型"},
			{6, "年度计划投资（万元）", "不能超过总投资"},
			{7, "计划完成日期", ""},
			{8, "责任单位", ""},
			{9, "项目名称", ""},
			{10, "项目名称", "与第 2 行重复"},
		}
		for _, w := range want {
			found := false
			for _, p := range res.Problems {
				if p.Row == w.row && p.Column == w.column && strings.Contains(p.Reason, w.text) {
					found = true
					if !containsHan(p.Reason) {
						t.Errorf("row %d reason %q is not Chinese", w.row, p.Reason)
					}
				}
			}
			if !found {
				t.Errorf("no problem at row %d column %s (%s); problems %+v", w.row, w.column, w.text, res.Problems)
			}
		}

		// Valid rows only: exactly the three good rows.
		res = importProjects(t, f, pp.city, file, project.ImportValidRows)
		if !res.Applied || res.Created != 3 || res.ProblemRows != 6 {
			t.Errorf("valid rows only: %+v", res)
		}
		got := projectNames(t, f, pp.city)
		if len(got) != 3 {
			t.Errorf("valid rows only created %d projects, want 3", len(got))
		}
		for _, name := range []string{"昆山导入项目甲", "昆山导入项目乙", "吴中导入项目丙"} {
			if _, ok := got[name]; !ok {
				t.Errorf("valid rows only did not create %s", name)
			}
		}
	})
}

func TestImportProjectsScope(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		res := importProjects(t, f, pp.ks, importHeader+goodRows, project.ImportValidRows)
		if res.Created != 2 || res.ProblemRows != 1 {
			t.Fatalf("county import: %+v", res)
		}
		p := res.Problems[0]
		if p.Row != 4 || p.Column != "所属区县" || !strings.Contains(p.Reason, "管辖范围") {
			t.Errorf("county import problem %+v, want row 4 所属区县 outside scope", p)
		}
		if _, ok := projectNames(t, f, pp.city)["吴中导入项目丙"]; ok {
			t.Error("a 昆山 user imported a project of 吴中")
		}
		// Who may not create projects may not import them.
		data := []byte(importHeader + goodRows)
		_, err := f.svc.ImportProjects(f.ctx, pp.firm, bytes.NewReader(data), int64(len(data)), "p.csv", project.ImportOptions{}, nil)
		wantKind(t, "enterprise import", err, apperr.Forbidden)
		if project.CanImport(pp.firm) || !project.CanImport(pp.ks) {
			t.Error("CanImport disagrees with CanCreateProject")
		}
	})
}

func containsHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
