package market_test

import (
	"context"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/pii"
	"kechuang/internal/secret"
	"kechuang/internal/sqldb"
)

// TestContactsSealed guards #18 §11: listing and deal contacts were stored
// in plain text, and lists showed them whole.
func TestContactsSealed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inst := f.actor("inst", account.RoleInstitution, "320505")
		firm := f.actor("firm", account.RoleEnterprise, "320583")
		city := f.actor("city", account.RoleStaff, "320500")
		wz := f.actor("wz", account.RoleCounty, "320506")
		in := achievement("精密零件表面缺陷在线检测系统")
		in.Contact = market.Contact{Name: "陈老师", Phone: "13812341234", Email: "chen.laoshi@example.com"}
		l := f.publish(inst, city, market.Achievement, in)
		deal, err := f.svc.CreateDeal(ctx, firm, market.DealInput{ListingID: l.ID, Message: "请联系。",
			Contact: market.Contact{Name: "李经理", Phone: "13900001111", Email: "li.jingli@example.com"}})
		if err != nil {
			t.Fatal(err)
		}

		// The columns hold no plain text.
		for _, q := range []string{"SELECT contact_phone || ' ' || contact_email FROM listings WHERE id = ?",
			"SELECT contact_phone || ' ' || contact_email FROM deals WHERE id = ?"} {
			id := l.ID
			if strings.Contains(q, "deals") {
				id = deal.ID
			}
			var raw string
			if err := db.QueryRowContext(ctx, q, id).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			for _, plain := range []string{"13812341234", "1234", "chen.laoshi", "example.com", "13900001111", "li.jingli"} {
				if strings.Contains(raw, plain) {
					t.Errorf("%s holds %q in plain text: %q", q, plain, raw)
				}
			}
			if parts := strings.Fields(raw); len(parts) != 2 || !pii.IsSealed(parts[0]) || !pii.IsSealed(parts[1]) {
				t.Errorf("%s = %q, want two sealed values", q, raw)
			}
		}

		// Round trip: entitled viewers read them whole.
		for name, who := range map[string]account.Actor{"owner": inst, "member": firm, "staff": city} {
			got, err := f.svc.GetListing(ctx, who, l.ID)
			if err != nil || got.Contact == nil || got.Contact.Phone != "13812341234" || got.Contact.Email != "chen.laoshi@example.com" {
				t.Errorf("%s GetListing contact = %+v, %v; want it whole", name, got.Contact, err)
			}
		}
		got, err := f.svc.GetDeal(ctx, inst, deal.ID)
		if err != nil || got.Contact.Phone != "13900001111" || got.Contact.Email != "li.jingli@example.com" {
			t.Errorf("owner GetDeal contact = %+v, %v; want it whole", got.Contact, err)
		}
		// The public and another county's staff get no contact at all.
		for name, who := range map[string]account.Actor{"public": account.Anonymous, "other county": wz} {
			got, err := f.svc.GetListing(ctx, who, l.ID)
			if err != nil || got.Contact != nil {
				t.Errorf("%s GetListing contact = %+v, %v; want none", name, got.Contact, err)
			}
		}

		// Lists mask, whoever reads them.
		for name, c := range map[string]struct {
			who    account.Actor
			filter market.Filter
		}{"owner": {inst, market.Filter{Mine: true}}, "member": {firm, market.Filter{}}, "staff": {city, market.Filter{State: market.Published}}} {
			list, _, err := f.svc.FindListings(ctx, c.who, c.filter)
			if err != nil || len(list) != 1 || list[0].Contact == nil {
				t.Fatalf("%s FindListings = %v, %v; want the listing with its contact", name, list, err)
			}
			if got := *list[0].Contact; got.Phone != "138****1234" || got.Email != "c***@example.com" || got.Name != "陈老师" {
				t.Errorf("%s FindListings contact = %+v, want masked", name, got)
			}
		}
		deals, _, err := f.svc.FindDeals(ctx, inst, market.DealFilter{})
		if err != nil || len(deals) != 1 || deals[0].Contact.Phone != "139****1111" || deals[0].Contact.Email != "l***@example.com" {
			t.Errorf("FindDeals = %+v, %v; want the contact masked", deals, err)
		}

		// A masked e-mail written back is refused, naming the field.
		masked := in
		masked.Contact.Email = "c***@example.com"
		masked.Title = "另一项成果"
		if _, err := f.svc.CreateListing(ctx, inst, market.Achievement, masked); fieldsOf(err)["contact_email"] != "error.contact_masked" {
			t.Errorf("CreateListing with a masked e-mail = %v, want error.contact_masked on contact_email", err)
		}

		// Another key cannot open them: reading fails and names the key.
		other, err := pii.NewKeyring(secret.NewKey())
		if err != nil {
			t.Fatal(err)
		}
		pii.Attach(db, other)
		_, err = f.svc.GetListing(ctx, inst, l.ID)
		if err == nil || !strings.Contains(err.Error(), "not in the key file") {
			t.Errorf("GetListing with another key = %v, want an error naming the missing key", err)
		}
	})
}
