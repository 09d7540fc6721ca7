package directory_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// recordImport runs one of the record imports on a CSV.
type recordImport func(ctx context.Context, a account.Actor, data []byte, mode string) (directory.ImportResult, error)

func recordImports(f *fixture) map[string]recordImport {
	wrap := func(run func(context.Context, account.Actor, *bytes.Reader, int64, string, directory.ImportOptions,
		func(int, int)) (directory.ImportResult, error)) recordImport {
		return func(ctx context.Context, a account.Actor, data []byte, mode string) (directory.ImportResult, error) {
			return run(ctx, a, bytes.NewReader(data), int64(len(data)), "records.csv", directory.ImportOptions{Mode: mode}, nil)
		}
	}
	return map[string]recordImport{
		"institutions": wrap(func(ctx context.Context, a account.Actor, r *bytes.Reader, n int64, name string, o directory.ImportOptions, p func(int, int)) (directory.ImportResult, error) {
			return f.svc.ImportInstitutions(ctx, a, r, n, name, o, p)
		}),
		"experts": wrap(func(ctx context.Context, a account.Actor, r *bytes.Reader, n int64, name string, o directory.ImportOptions, p func(int, int)) (directory.ImportResult, error) {
			return f.svc.ImportExperts(ctx, a, r, n, name, o, p)
		}),
		"service_orgs": wrap(func(ctx context.Context, a account.Actor, r *bytes.Reader, n int64, name string, o directory.ImportOptions, p func(int, int)) (directory.ImportResult, error) {
			return f.svc.ImportServiceOrgs(ctx, a, r, n, name, o, p)
		}),
		"funds": wrap(func(ctx context.Context, a account.Actor, r *bytes.Reader, n int64, name string, o directory.ImportOptions, p func(int, int)) (directory.ImportResult, error) {
			return f.svc.ImportFunds(ctx, a, r, n, name, o, p)
		}),
	}
}

// recordCase is one record type's import: a file of good rows, bad rows
// with the problem each must name, and a row of another county.
type recordCase struct {
	table     string
	header    string
	good      string // two good rows
	bad       []badRow
	otherCnty string // one row whose region is 太仓市
	countyCol string // the header of the region column
}

type badRow struct {
	line, column, why string
}

var recordCases = map[string]recordCase{
	"institutions": {
		table:  "institutions",
		header: "机构名称,统一社会信用代码,机构类型,级别,所属区县,学科,高新技术领域,网址,联系人,联系电话,联系邮箱\n",
		good: "甲研究院,12320583MB1234567X,科研院所,市属,昆山市,材料科学与工程,新材料,https://a.example.cn,张三,0512-12345678,a@example.com\n" +
			"乙研发中心,,新型研发机构,,320583,,,,,,\n",
		bad: []badRow{
			{"丙学院,,大学堂,,昆山市,,,,,,\n", "机构类型", ""},
			{"丁研究所,123,科研院所,,昆山市,,,,,,\n", "统一社会信用代码", ""},
			{",,科研院所,,昆山市,,,,,,\n", "机构名称", ""},
			{"戊研究所,,科研院所,,昆山市,,,ftp://x,,,\n", "网址", ""},
		},
		otherCnty: "太仓研究院,,科研院所,,太仓市,,,,,,\n",
		countyCol: "所属区县",
	},
	"service_orgs": {
		table:  "service_orgs",
		header: "机构名称,统一社会信用代码,机构类型,所属区县,服务内容,服务领域,联系电话\n",
		good: "甲知识产权代理有限公司,91320583MA1XYK456X,知识产权服务,昆山市,专利代理、商标代理,新材料,0512-88888888\n" +
			"乙检测有限公司,,检验检测,昆山市,,,\n",
		bad: []badRow{
			{"丙咨询公司,,算命,昆山市,,,\n", "机构类型", ""},
			{"丁律所,,法律服务,昆山市,,不存在的领域,\n", "服务领域", ""},
			{"戊财务公司,,财务服务,,,,\n", "所属区县", ""},
			{"己公司,,科技咨询,昆山市,,,abc\n", "联系电话", ""},
		},
		otherCnty: "太仓服务公司,,科技咨询,太仓市,,,\n",
		countyCol: "所属区县",
	},
	"funds": {
		table:  "funds",
		header: "基金名称,基金类型,管理人,管理人统一社会信用代码,所属地区,认缴规模（万元）,实缴规模（万元）,投资阶段,投资领域,成立日期\n",
		good: "甲天使基金,天使基金,甲投资管理有限公司,91320583MA1XYK789X,昆山市,5000,2000,种子期、初创期,新材料,2021-03-01\n" +
			"乙产业基金,产业基金,乙资本,,昆山市,100000,,,,\n",
		bad: []badRow{
			{"丙基金,天使基金,丙资本,,昆山市,abc,,,,\n", "认缴规模（万元）", "不是数字"},
			{"丁基金,天使基金,丁资本,,昆山市,100,200,,,\n", "实缴规模（万元）", ""},
			{"戊基金,彩票基金,戊资本,,昆山市,100,,,,\n", "基金类型", ""},
			{"己基金,天使基金,己资本,,昆山市,100,,退休期,,\n", "投资阶段", ""},
		},
		otherCnty: "太仓基金,天使基金,太仓资本,,太仓市,100,,,,\n",
		countyCol: "所属地区",
	},
	"experts": {
		table:  "experts",
		header: "姓名,所属机构,工作单位,职称,所属区县,学科,研究方向,专家角色,手机号,电子邮箱\n",
		good: "张示例,昆山示例研究院,,研究员,,材料科学与工程,高分子材料,评审专家、科技特派员,138-0000-0001,zhang@example.cn\n" +
			"李示例,,昆山某公司,高级工程师,昆山市,机械工程,,创新创业导师,13800000002,\n",
		bad: []badRow{
			{"王示例,不存在的大学,,,,,,,,\n", "所属机构", "资源库中没有"},
			{"赵示例,,某公司,,,,,,,\n", "所属区县", ""},
			{"钱示例,,某公司,,昆山市,,,算命先生,,\n", "专家角色", ""},
			{"孙示例,,某公司,,昆山市,,,,,not-an-email\n", "电子邮箱", ""},
		},
		otherCnty: "周示例,,太仓某公司,,太仓市,,,,,\n",
		countyCol: "所属区县",
	},
}

func countRows(t *testing.T, db *sqldb.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func hasRecordProblem(res directory.ImportResult, row int, column, part string) bool {
	for _, p := range res.Problems {
		if p.Row == row && p.Column == column && strings.Contains(p.Reason, part) {
			return true
		}
	}
	return false
}

// TestImportRecords runs the institution, expert, service organisation and
// fund imports through both modes, a re-import of the same file and a row
// of another county, on both databases.
func TestImportRecords(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ks := f.actor("ks", account.RoleCounty, "320583")
		// The experts' institution.
		if _, err := f.svc.CreateInstitution(ctx, ks, directory.InstitutionInput{Name: "昆山示例研究院", Type: "institute",
			RegionCode: "320583"}); err != nil {
			t.Fatal(err)
		}
		runs := recordImports(f)
		for _, name := range []string{"institutions", "service_orgs", "funds", "experts"} {
			c, run := recordCases[name], runs[name]
			t.Run(name, func(t *testing.T) {
				before := countRows(t, db, c.table)
				var bad string
				for _, b := range c.bad {
					bad += b.line
				}
				file := []byte(c.header + c.good + bad)
				res, err := run(ctx, ks, file, directory.ImportAllOrNothing)
				if err != nil {
					t.Fatal(err)
				}
				if res.Applied || res.Rows != 2+len(c.bad) || res.ProblemRows != len(c.bad) {
					t.Fatalf("all-or-nothing = %+v, want %d rows, %d bad, nothing applied", res, 2+len(c.bad), len(c.bad))
				}
				if n := countRows(t, db, c.table); n != before {
					t.Errorf("all-or-nothing with bad rows wrote %d records", n-before)
				}
				for i, b := range c.bad {
					if !hasRecordProblem(res, 4+i, b.column, b.why) {
						t.Errorf("no problem in row %d, column %s (%q): %+v", 4+i, b.column, b.why, res.Problems)
					}
				}
				for _, p := range res.Problems {
					if strings.ContainsAny(p.Reason, "._") || p.Reason == "" {
						t.Errorf("row %d %s: reason %q is not a message", p.Row, p.Column, p.Reason)
					}
				}
				res, err = run(ctx, ks, file, directory.ImportValidRows)
				if err != nil {
					t.Fatal(err)
				}
				if !res.Applied || res.Created != 2 || res.ProblemRows != len(c.bad) {
					t.Fatalf("valid rows = %+v, want 2 created", res)
				}
				if n := countRows(t, db, c.table); n != before+2 {
					t.Errorf("valid rows wrote %d records, want 2", n-before)
				}
				// Again: nothing new, nothing changed.
				res, err = run(ctx, ks, []byte(c.header+c.good), directory.ImportAllOrNothing)
				if err != nil {
					t.Fatal(err)
				}
				if !res.Applied || res.Created != 0 || res.Existing != 2 || res.ProblemRows != 0 {
					t.Errorf("re-import = %+v, want 2 existing", res)
				}
				if n := countRows(t, db, c.table); n != before+2 {
					t.Errorf("re-import: %d records, want %d", n, before+2)
				}
				// One file naming one record twice.
				first := strings.SplitAfter(c.good, "\n")[0]
				res, err = run(ctx, ks, []byte(c.header+first+first), directory.ImportAllOrNothing)
				if err != nil {
					t.Fatal(err)
				}
				if res.ProblemRows == 0 {
					t.Errorf("a record twice in one file = %+v, want a problem", res)
				}
				// County scope: a row of another county is a row error.
				res, err = run(ctx, ks, []byte(c.header+c.otherCnty), directory.ImportValidRows)
				if err != nil {
					t.Fatal(err)
				}
				if res.Created != 0 || !hasRecordProblem(res, 2, c.countyCol, "太仓市") {
					t.Errorf("another county's row = %+v", res)
				}
				// Members may not import.
				member := account.Actor{UserID: 9999, Username: "m", Role: account.RoleEnterprise, Region: "320583"}
				if _, err := run(ctx, member, []byte(c.header+c.good), directory.ImportValidRows); err == nil {
					t.Error("a member imported")
				}
			})
		}

		// City staff import into any county of the city.
		city := f.actor("city", account.RoleStaff, "320500")
		res, err := runs["funds"](ctx, city, []byte(recordCases["funds"].header+recordCases["funds"].otherCnty+
			"苏州市基金,政府引导基金,市财政,,苏州市,100000,,,,\n"), directory.ImportAllOrNothing)
		if err != nil || res.Created != 2 {
			t.Errorf("city staff fund import = %+v, %v; want 2 created", res, err)
		}

		// The imported expert: contact sealed, not public, audited without
		// personal data.
		list, _, err := f.svc.FindExperts(ctx, ks, directory.ExpertFilter{Query: "张示例"})
		if err != nil || len(list) != 1 {
			t.Fatalf("FindExperts(张示例) = %v, %v", list, err)
		}
		e := list[0]
		if e.InstitutionID == 0 || e.RegionCode != "320583" || e.Phone != "138-0000-0001" || len(e.Roles) != 2 || e.Consent != nil || e.Public() {
			t.Errorf("imported expert = %+v", e)
		}
		var phone string
		if err := db.QueryRowContext(ctx, "SELECT phone FROM experts WHERE id = ?", e.ID).Scan(&phone); err != nil {
			t.Fatal(err)
		}
		if !pii.IsSealed(phone) {
			t.Errorf("stored phone %q is not sealed", phone)
		}
		if got := f.auditActions("expert", strconv.FormatInt(e.ID, 10)); len(got) != 1 || got[0] != "expert.create" {
			t.Errorf("audit of the imported expert = %v", got)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'expert.import'").Scan(&n); err != nil || n == 0 {
			t.Errorf("audit rows of expert imports = %d, %v", n, err)
		}
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%张示例%' OR summary LIKE '%13800000001%'").Scan(&n); err == nil && n != 0 {
			t.Errorf("%d audit rows name an imported expert", n)
		}
		if _, err := f.svc.GetExpert(ctx, account.Actor{}, e.ID); err == nil {
			t.Error("a visitor sees an imported expert without consent")
		}
		// The same expert with the phone written otherwise is the same.
		res, err = runs["experts"](ctx, ks, []byte(recordCases["experts"].header+
			"张示例,昆山示例研究院,,研究员,,,,,13800000001,\n"), directory.ImportAllOrNothing)
		if err != nil || res.Existing != 1 || res.Created != 0 {
			t.Errorf("the same expert again = %+v, %v", res, err)
		}
	})
}
