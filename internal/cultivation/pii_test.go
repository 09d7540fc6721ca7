package cultivation_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/pii"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// TestEnterpriseContactsSealed guards #18 §11: enterprise contacts were
// stored in plain text, listed whole and exported whole without a trace.
func TestEnterpriseContactsSealed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRegistry(t, db, time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC))
		ks := r.actor(t, "ks", account.RoleCounty, "320583")
		tc := r.actor(t, "tc", account.RoleCounty, "320585")
		city := r.actor(t, "city", account.RoleStaff, "320500")
		admin := r.actor(t, "root", account.RoleAdmin, "")
		e, err := r.svc.CreateEnterprise(ctx, ks, cultivation.Enterprise{CreditCode: creditCode(t, "91320583MA1XYK123"),
			Name: "昆山示例精密制造有限公司", RegionCode: "320583", ContactName: "王经理", ContactPhone: "13812341234",
			ContactEmail: "wang.jingli@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		var phone, email string
		if err := db.QueryRowContext(ctx, "SELECT contact_phone, contact_email FROM enterprises WHERE id = ?", e.ID).Scan(&phone, &email); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(phone+email, "1234") || strings.Contains(phone+email, "example.com") || !pii.IsSealed(phone) || !pii.IsSealed(email) {
			t.Errorf("stored contact = %q, %q; want both sealed", phone, email)
		}
		// Round trip for those entitled; NotFound for another county.
		got, err := r.svc.GetEnterprise(ctx, ks, e.ID)
		if err != nil || got.ContactPhone != "13812341234" || got.ContactEmail != "wang.jingli@example.com" {
			t.Errorf("GetEnterprise = %q %q, %v; want the contact whole", got.ContactPhone, got.ContactEmail, err)
		}
		if _, err := r.svc.GetEnterprise(ctx, tc, e.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other county GetEnterprise = %v, want NotFound", err)
		}
		list, _, err := r.svc.FindEnterprises(ctx, ks, cultivation.EnterpriseFilter{})
		if err != nil || len(list) != 1 || list[0].ContactPhone != "138****1234" || list[0].ContactEmail != "w***@example.com" {
			t.Errorf("FindEnterprises = %+v, %v; want the contact masked", list, err)
		}

		// A masked contact written back (a list read, then saved) is refused.
		back := list[0]
		if _, err := r.svc.UpdateEnterprise(ctx, ks, e.ID, back); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("UpdateEnterprise with the masked contact = %v, want Invalid", err)
		}

		// The report masks by default and writes no audit row.
		export := func(fn func(context.Context, account.Actor, string, io.Writer) error, a account.Actor) (string, error) {
			var buf bytes.Buffer
			if err := fn(ctx, a, "", &buf); err != nil {
				return "", err
			}
			rd, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "report.xlsx", sheet.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			var b strings.Builder
			for {
				row, _, err := rd.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				b.WriteString(strings.Join(row, "|") + "\n")
			}
			return b.String(), nil
		}
		exports := func() int {
			entries, _, err := audit.NewService(db).FindEntries(ctx, audit.Actor{Role: audit.ReaderRole}, audit.Filter{Action: "enterprise.export_contacts"})
			if err != nil {
				t.Fatal(err)
			}
			return len(entries)
		}
		masked, err := export(r.svc.ExportAssessmentReport, ks)
		if err != nil || !strings.Contains(masked, "138****1234") || strings.Contains(masked, "13812341234") || strings.Contains(masked, "wang.jingli") {
			t.Errorf("masked report = %q, %v; want the contact masked", masked, err)
		}
		if n := exports(); n != 0 {
			t.Errorf("audit rows after a masked export = %d, want 0", n)
		}
		// Unmasked: staff only, and each export is audited.
		full, err := export(r.svc.ExportAssessmentReportWithContacts, city)
		if err != nil || !strings.Contains(full, "13812341234") || !strings.Contains(full, "wang.jingli@example.com") {
			t.Errorf("unmasked report = %q, %v; want the contact whole", full, err)
		}
		entries, _, err := audit.NewService(db).FindEntries(ctx, audit.Actor{Role: audit.ReaderRole}, audit.Filter{Action: "enterprise.export_contacts"})
		if err != nil || len(entries) != 1 || entries[0].ActorID != city.UserID || entries[0].RegionCode != "320500" {
			t.Errorf("audit rows after an unmasked export = %+v, %v; want one by city for 320500", entries, err)
		}
		if _, err := export(r.svc.ExportAssessmentReportWithContacts, admin); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("administrator's unmasked export = %v, want Forbidden", err)
		}
		if _, err := export(r.svc.ExportAssessmentReportWithContacts, tc); err != nil {
			t.Errorf("太仓's unmasked export of its own region = %v", err)
		}
		if n := exports(); n != 2 {
			t.Errorf("audit rows = %d, want 2 (city and 太仓; none for the refused administrator)", n)
		}
	})
}
