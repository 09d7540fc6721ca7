package directory_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// readSheet reads the first sheet of an .xlsx as its header and rows.
func readSheet(t *testing.T, data []byte) ([]string, [][]string) {
	t.Helper()
	r, err := sheet.Open(bytes.NewReader(data), int64(len(data)), "export.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatalf("the export is no .xlsx: %v", err)
	}
	defer r.Close()
	var rows [][]string
	for {
		row, _, err := r.Next()
		if err != nil {
			break
		}
		rows = append(rows, row)
	}
	return r.Header(), rows
}

// cell returns the cell of the row under the header text.
func cell(header, row []string, name string) string {
	for i, h := range header {
		if h == name && i < len(row) {
			return row[i]
		}
	}
	return ""
}

func TestExportLists(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ks := f.actor("ks", account.RoleCounty, "320583")
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		if _, err := f.svc.CreateInstitution(ctx, ks, university("昆山示例大学", "320583")); err != nil {
			t.Fatal(err)
		}
		other := university("另一所大学", "320583")
		other.Type = "institute"
		if _, err := f.svc.CreateInstitution(ctx, ks, other); err != nil {
			t.Fatal(err)
		}
		e := expertInput()
		e.RegionCode = "320583"
		if _, err := f.svc.CreateExpert(ctx, ks, e); err != nil {
			t.Fatal(err)
		}
		export := func(a account.Actor, fl directory.InstitutionFilter, full bool) ([]byte, error) {
			var buf bytes.Buffer
			err := f.svc.ExportInstitutions(ctx, a, fl, directory.ExportOptions{FullContacts: full}, &buf)
			return buf.Bytes(), err
		}

		// A member: masked contacts, the list's filter applied.
		data, err := export(ent, directory.InstitutionFilter{Type: "university"}, false)
		if err != nil {
			t.Fatal(err)
		}
		header, rows := readSheet(t, data)
		if len(rows) != 1 || cell(header, rows[0], "机构名称") != "昆山示例大学" || cell(header, rows[0], "机构类型") != "高校" {
			t.Fatalf("member's export = %v %v", header, rows)
		}
		if p := cell(header, rows[0], "联系电话"); p == "0512-65110000" || !strings.Contains(p, "*") {
			t.Errorf("member's export shows the phone %q, want it masked", p)
		}
		if m := cell(header, rows[0], "联系邮箱"); m == "tto@example.edu.cn" || !strings.Contains(m, "*") {
			t.Errorf("member's export shows the e-mail %q, want it masked", m)
		}
		// Whole contacts: staff only, audited.
		_, err = export(ent, directory.InstitutionFilter{}, true)
		wantKind(t, "member exports full contacts", err, apperr.Forbidden)
		_, err = export(account.Anonymous, directory.InstitutionFilter{}, false)
		wantKind(t, "visitor exports", err, apperr.Unauthenticated)
		var before int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'directory.export_contacts'").Scan(&before); err != nil {
			t.Fatal(err)
		}
		data, err = export(ks, directory.InstitutionFilter{}, true)
		if err != nil {
			t.Fatal(err)
		}
		header, rows = readSheet(t, data)
		if len(rows) != 2 || cell(header, rows[0], "联系电话") != "0512-65110000" {
			t.Errorf("staff's full export = %v", rows)
		}
		var after int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'directory.export_contacts'").Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after != before+1 {
			t.Errorf("full-contacts exports audited %d times, want 1", after-before)
		}

		// Experts: a member sees none without consent; staff see the
		// phone masked unless they ask for it whole.
		var buf bytes.Buffer
		if err := f.svc.ExportExperts(ctx, ent, directory.ExpertFilter{}, directory.ExportOptions{}, &buf); err != nil {
			t.Fatal(err)
		}
		if _, rows := readSheet(t, buf.Bytes()); len(rows) != 0 {
			t.Errorf("a member's export lists experts without consent: %v", rows)
		}
		buf.Reset()
		if err := f.svc.ExportExperts(ctx, ks, directory.ExpertFilter{}, directory.ExportOptions{}, &buf); err != nil {
			t.Fatal(err)
		}
		header, rows = readSheet(t, buf.Bytes())
		if len(rows) != 1 || cell(header, rows[0], "手机号") == "13800138000" || cell(header, rows[0], "手机号") == "" {
			t.Errorf("staff's masked expert export = %v", rows)
		}
		for name, run := range map[string]func(*bytes.Buffer) error{
			"service orgs": func(b *bytes.Buffer) error {
				return f.svc.ExportServiceOrgs(ctx, ks, directory.ServiceOrgFilter{}, directory.ExportOptions{}, b)
			},
			"carriers": func(b *bytes.Buffer) error {
				return f.svc.ExportCarriers(ctx, ks, directory.CarrierFilter{}, directory.ExportOptions{}, b)
			},
			"funds": func(b *bytes.Buffer) error {
				return f.svc.ExportFunds(ctx, ks, directory.FundFilter{}, directory.ExportOptions{}, b)
			},
		} {
			buf.Reset()
			if err := run(&buf); err != nil {
				t.Errorf("export %s: %v", name, err)
				continue
			}
			if header, _ := readSheet(t, buf.Bytes()); len(header) < 10 {
				t.Errorf("export %s header = %v", name, header)
			}
		}
	})
}

// TestDeletionNotices: the expert is told in the inbox how the deletion
// request was decided, in either language, and a refusal carries its
// reason.
func TestDeletionNotices(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ks := f.actor("ks", account.RoleCounty, "320583")
		wz := f.actor("wz", account.RoleCounty, "320506")
		prof := f.actor("prof", account.RoleInstitution, "320583")
		in := expertInput()
		in.RegionCode = "320583"
		e, err := f.svc.CreateExpert(ctx, ks, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.LinkExpertAccount(ctx, ks, e.ID, prof.UserID); err != nil {
			t.Fatal(err)
		}
		mine, err := f.svc.MyExpert(ctx, prof)
		if err != nil || mine.ID != e.ID || mine.Phone != "13800138000" {
			t.Fatalf("MyExpert = %+v, %v", mine, err)
		}
		req, err := f.svc.RequestExpertDeletion(ctx, prof, e.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		// Staff of the county are told a request waits; another county's
		// are not.
		for _, c := range []struct {
			who  account.Actor
			want int
		}{{ks, 1}, {wz, 0}} {
			box, err := notice.NewService(db, nil).Inbox(ctx, c.who, i18n.Chinese, notice.Filter{})
			if err != nil || len(box.Items) != c.want || c.want == 1 && box.Items[0].Link != "/directory/deletion-requests?state=pending" {
				t.Errorf("%s's inbox after the request = %+v, %v; want %d notices", c.who.Username, box.Items, err, c.want)
			}
		}
		// Another county's staff: not found.
		_, err = f.svc.DecideExpertDeletion(ctx, wz, req.ID, false, "不行")
		wantKind(t, "other county decides", err, apperr.NotFound)
		if _, err := f.svc.DecideExpertDeletion(ctx, ks, req.ID, false, "须保存至评审项目结题"); err != nil {
			t.Fatal(err)
		}
		box, err := notice.NewService(db, nil).Inbox(ctx, prof, i18n.English, notice.Filter{})
		if err != nil || len(box.Items) != 1 || !strings.Contains(box.Items[0].Title, "refused") ||
			!strings.Contains(box.Items[0].Body, "须保存至评审项目结题") {
			t.Fatalf("inbox after refusal = %+v, %v", box.Items, err)
		}
		req, err = f.svc.RequestExpertDeletion(ctx, prof, e.ID, "请删除")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DecideExpertDeletion(ctx, ks, req.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		box, err = notice.NewService(db, nil).Inbox(ctx, prof, i18n.Chinese, notice.Filter{})
		if err != nil || len(box.Items) != 2 || !strings.Contains(box.Items[0].Title, "已按您的申请删除") {
			t.Fatalf("inbox after deletion = %+v, %v", box.Items, err)
		}
		if _, err := f.svc.MyExpert(ctx, prof); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("MyExpert after deletion: %v, want NotFound", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM experts WHERE id = ?", e.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("the record is still stored (%d, %v)", n, err)
		}
	})
}

// TestImportExportPredicates: the predicates the lists use to offer the
// import and export links match what the methods allow, role by role.
func TestImportExportPredicates(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		roles := []struct {
			role   account.Role
			region string
		}{{account.RoleStaff, "320500"}, {account.RoleCounty, "320583"}, {account.RoleEnterprise, "320583"},
			{account.RoleInstitution, "320505"}, {account.RoleBroker, "320508"}, {account.RoleInvestor, "320506"},
			{account.RoleAdmin, ""}, {account.RoleAuditor, ""}}
		file := []byte("基金名称,基金类型,所属地区,认缴规模（万元）\n")
		for i, r := range append(roles, struct {
			role   account.Role
			region string
		}{}) {
			a := account.Anonymous
			if r.role != "" {
				a = f.actor("u"+strconv.Itoa(i), r.role, r.region)
			}
			_, err := f.svc.ImportFunds(ctx, a, bytes.NewReader(file), int64(len(file)), "f.csv", directory.ImportOptions{}, nil)
			if got := err == nil; got != f.svc.CanImport(a) {
				t.Errorf("%s: CanImport = %v, import error %v", r.role, f.svc.CanImport(a), err)
			}
			var buf bytes.Buffer
			err = f.svc.ExportFunds(ctx, a, directory.FundFilter{}, directory.ExportOptions{}, &buf)
			if got := err == nil; got != f.svc.CanExport(a) {
				t.Errorf("%s: CanExport = %v, export error %v", r.role, f.svc.CanExport(a), err)
			}
			err = f.svc.ExportFunds(ctx, a, directory.FundFilter{}, directory.ExportOptions{FullContacts: true}, &buf)
			if got := err == nil; got != f.svc.CanExportContacts(a) {
				t.Errorf("%s: CanExportContacts = %v, export error %v", r.role, f.svc.CanExportContacts(a), err)
			}
			if got, want := f.svc.CanDecideDeletions(a), r.role == account.RoleStaff || r.role == account.RoleCounty; got != want {
				t.Errorf("%s: CanDecideDeletions = %v", r.role, got)
			}
		}
	})
}
