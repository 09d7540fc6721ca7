package directory_test

import (
	"context"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// TestDirectoryContactsSealed guards #18 §11: institution and expert
// phones and e-mail addresses were stored in plain text.
func TestDirectoryContactsSealed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		city := f.actor("city", account.RoleStaff, "320500")
		gusu := f.actor("gusu", account.RoleCounty, "320508")
		instA := f.actor("insta", account.RoleInstitution, "320508")
		inst, err := f.svc.CreateInstitution(ctx, gusu, university("苏州大学", "320508"))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.LinkInstitutionAccount(ctx, city, inst.ID, instA.UserID); err != nil {
			t.Fatal(err)
		}
		e, err := f.svc.CreateExpert(ctx, instA, expertInput())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			query string
			id    int64
		}{{"SELECT contact_phone, contact_email FROM institutions WHERE id = ?", inst.ID},
			{"SELECT phone, email FROM experts WHERE id = ?", e.ID}} {
			var phone, email string
			if err := db.QueryRowContext(ctx, c.query, c.id).Scan(&phone, &email); err != nil {
				t.Fatal(err)
			}
			if !pii.IsSealed(phone) || !pii.IsSealed(email) || strings.Contains(phone+email, "example") {
				t.Errorf("%s = %q, %q; want both sealed", c.query, phone, email)
			}
		}
		got, err := f.svc.GetInstitution(ctx, city, inst.ID)
		if err != nil || got.Contact.Phone != "0512-65110000" || got.Contact.Email != "tto@example.edu.cn" {
			t.Errorf("GetInstitution contact = %+v, %v; want it whole", got.Contact, err)
		}
		ex, err := f.svc.GetExpert(ctx, gusu, e.ID)
		if err != nil || ex.Phone != "13800138000" || ex.Email != "zhang@example.edu.cn" {
			t.Errorf("GetExpert = %q %q, %v; want the contact whole", ex.Phone, ex.Email, err)
		}
		// An update keeps the stored contact sealed and readable.
		in := expertInput()
		in.Contact = nil
		if _, err := f.svc.UpdateExpert(ctx, instA, e.ID, in); err != nil {
			t.Fatal(err)
		}
		if ex, err = f.svc.GetExpert(ctx, gusu, e.ID); err != nil || ex.Phone != "13800138000" {
			t.Errorf("GetExpert after an update = %q, %v; want the contact kept", ex.Phone, err)
		}
	})
}
