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

const carrierHeader = "载体名称,所属区县,载体类型,认定级别,运营主体,运营主体统一社会信用代码,面积（平方米）,工位数,房间数,启用日期,联系人,联系电话,联系邮箱\n"

func importCarriers(t *testing.T, f *fixture, a account.Actor, csv string, mode string) directory.CarrierImportResult {
	t.Helper()
	data := []byte(csv)
	res, err := f.svc.ImportCarriers(context.Background(), a, bytes.NewReader(data), int64(len(data)), "carriers.csv",
		directory.CarrierImportOptions{Mode: mode}, nil)
	if err != nil {
		t.Fatalf("ImportCarriers() error = %v", err)
	}
	return res
}

func countCarriers(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM carriers").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// hasProblem reports whether res lists a problem of the row in the column
// whose reason contains part.
func hasProblem(res directory.CarrierImportResult, row int, column, part string) bool {
	for _, p := range res.Problems {
		if p.Row == row && p.Column == column && strings.Contains(p.Reason, part) {
			return true
		}
	}
	return false
}

func TestImportCarriers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ks := f.actor("ks", account.RoleCounty, "320583")
		good := "甲众创空间,昆山市,众创空间,省级,甲运营公司,91320583MA1XYK123X,,120,4,2020-06-01,张三,0512-12345678,a@example.com\n" +
			"乙孵化器,320583,孵化器,,,,3000,,10,,,,\n"
		bad := "丙孵化器,昆山市,孵化站,,,,3000,,,,,,\n" + // no such kind
			"丁加速器,昆山市,加速器,,,,,,,,,,\n" + // no area
			",昆山市,孵化器,,,,100,,,,,,\n" + // no name
			"戊孵化器,昆山市,孵化器,,,,abc,,,,,,\n" // not a number

		res := importCarriers(t, f, ks, carrierHeader+good+bad, directory.ImportAllOrNothing)
		if res.Applied || res.Rows != 6 || res.ProblemRows != 4 {
			t.Fatalf("all-or-nothing = %+v, want 6 rows, 4 bad, nothing applied", res)
		}
		if n := countCarriers(t, db); n != 0 {
			t.Errorf("all-or-nothing with bad rows created %d carriers", n)
		}
		for _, w := range []struct {
			row         int
			column, why string
		}{{4, "载体类型", ""}, {5, "面积（平方米）", ""}, {6, "载体名称", ""}, {7, "面积（平方米）", "不是数字"}} {
			if !hasProblem(res, w.row, w.column, w.why) {
				t.Errorf("no problem in row %d, column %s (%q): %+v", w.row, w.column, w.why, res.Problems)
			}
		}
		for _, p := range res.Problems {
			if strings.ContainsAny(p.Reason, "._") || p.Reason == "" {
				t.Errorf("row %d %s: reason %q is not a Chinese message", p.Row, p.Column, p.Reason)
			}
		}

		// Valid rows only: exactly the two good rows.
		res = importCarriers(t, f, ks, carrierHeader+good+bad, directory.ImportValidRows)
		if !res.Applied || res.Created != 2 || res.ProblemRows != 4 {
			t.Fatalf("valid rows = %+v, want 2 created, 4 bad", res)
		}
		list, total, err := f.svc.FindCarriers(ctx, ks, directory.CarrierFilter{})
		if err != nil || total != 2 {
			t.Fatalf("FindCarriers = %d, %v; want 2", total, err)
		}
		var maker directory.Carrier
		for _, c := range list {
			if c.Name == "甲众创空间" {
				maker = c
			}
		}
		if maker.Kind != "maker-space" || maker.Level != "provincial" || maker.Capacity.Stations != 120 || maker.RegionCode != "320583" ||
			maker.Opened != "2020-06-01" || maker.Contact.Phone != "0512-12345678" {
			t.Errorf("imported carrier = %+v", maker)
		}
		if got := f.auditActions("carrier", strconv.FormatInt(maker.ID, 10)); len(got) != 1 || got[0] != "carrier.create" {
			t.Errorf("audit of the imported carrier = %v", got)
		}
		// The contact is sealed as the form seals it.
		var phone, email string
		if err := db.QueryRowContext(ctx, "SELECT contact_phone, contact_email FROM carriers WHERE id = ?", maker.ID).Scan(&phone, &email); err != nil {
			t.Fatal(err)
		}
		if !pii.IsSealed(phone) || !pii.IsSealed(email) || strings.Contains(phone, "12345678") {
			t.Errorf("stored contact = %q, %q; want sealed", phone, email)
		}

		// Importing again creates and changes nothing.
		res = importCarriers(t, f, ks, carrierHeader+good, directory.ImportAllOrNothing)
		if !res.Applied || res.Created != 0 || res.Existing != 2 || res.ProblemRows != 0 {
			t.Errorf("second import = %+v, want nothing created, 2 existing", res)
		}
		if n := countCarriers(t, db); n != 2 {
			t.Errorf("after the second import: %d carriers, want 2", n)
		}
		// The same carrier twice in one file is a row problem.
		res = importCarriers(t, f, ks, carrierHeader+"己孵化器,昆山市,孵化器,,,,100,,,,,,\n己孵化器,昆山市,孵化器,,,,200,,,,,,\n", directory.ImportAllOrNothing)
		if res.Applied || !hasProblem(res, 3, "载体名称", "第 2 行") {
			t.Errorf("duplicate rows = %+v", res)
		}
	})
}

func TestImportCarriersScope(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ks := f.actor("ks", account.RoleCounty, "320583")
		row := "太仓孵化器,太仓市,孵化器,,,,3000,,,,,,\n"
		res := importCarriers(t, f, ks, carrierHeader+row, directory.ImportValidRows)
		if res.Created != 0 || !hasProblem(res, 2, "所属区县", "太仓市") {
			t.Errorf("county user importing another county = %+v", res)
		}
		if n := countCarriers(t, db); n != 0 {
			t.Errorf("%d carriers created outside the county", n)
		}
		// City staff may import for any county of the city.
		city := f.actor("city", account.RoleStaff, "320500")
		if res := importCarriers(t, f, city, carrierHeader+row, directory.ImportAllOrNothing); res.Created != 1 {
			t.Errorf("city staff import = %+v, want 1 created", res)
		}
		// Those who may not create carriers may not import.
		member := account.Actor{UserID: 9999, Username: "m", Role: account.RoleEnterprise, Region: "320583"}
		data := []byte(carrierHeader + row)
		_, err := f.svc.ImportCarriers(ctx, member, bytes.NewReader(data), int64(len(data)), "c.csv", directory.CarrierImportOptions{}, nil)
		if err == nil {
			t.Error("a member imported carriers")
		}
		if err := directory.AuthorizeCarrierImport(account.Actor{}); err == nil {
			t.Error("anonymous may import carriers")
		}
	})
}
