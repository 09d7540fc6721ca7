package directory_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

func university(name, regionCode string) directory.InstitutionInput {
	return directory.InstitutionInput{Name: name, Type: "university", Level: "provincial", RegionCode: regionCode,
		Disciplines: []string{"材料科学与工程", "计算机科学与技术"}, Domains: []string{"新材料", "电子信息/软件"},
		TTO: "技术转移中心", Contact: directory.Contact{Name: "王老师", Phone: "0512-65110000", Email: "tto@example.edu.cn"}}
}

func TestInstitutionPermissions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		city := f.actor("city", account.RoleStaff, "320500")
		gusu := f.actor("gusu", account.RoleCounty, "320508")
		ks := f.actor("ks", account.RoleCounty, "320583")
		instA := f.actor("insta", account.RoleInstitution, "320508")
		instB := f.actor("instb", account.RoleInstitution, "320583")
		unlinked := f.actor("instc", account.RoleInstitution, "320508")
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		admin := f.actor("root", account.RoleAdmin, "")

		_, err := f.svc.CreateInstitution(ctx, instA, university("苏州大学", "320508"))
		wantKind(t, "institution account creates an institution", err, apperr.Forbidden)
		_, err = f.svc.CreateInstitution(ctx, account.Anonymous, university("苏州大学", "320508"))
		wantKind(t, "anonymous creates", err, apperr.Unauthenticated)
		_, err = f.svc.CreateInstitution(ctx, ks, university("苏州大学", "320508"))
		wantFields(t, "county staff create outside their county", err, map[string]string{"region_code": "directory.region_outside_scope"})
		_, err = f.svc.CreateInstitution(ctx, city, university("苏州市", "320500"))
		wantFields(t, "an institution in a city, not a county", err, map[string]string{"region_code": "directory.region_county"})
		_, err = f.svc.CreateInstitution(ctx, city, university("南京大学", "320102"))
		wantFields(t, "an institution outside the home region", err, map[string]string{"region_code": "directory.region_outside_home"})

		a, err := f.svc.CreateInstitution(ctx, gusu, university("苏州大学", "320508"))
		if err != nil {
			t.Fatalf("create institution: %v", err)
		}
		if !a.Perms.Edit || !a.Perms.Manage {
			t.Errorf("creator's perms = %+v, want edit and manage", a.Perms)
		}
		bIn := university("昆山杜克大学", "320583")
		bIn.Visibility = directory.VisibleStaff
		b, err := f.svc.CreateInstitution(ctx, city, bIn)
		if err != nil {
			t.Fatalf("create staff-only institution: %v", err)
		}
		dup := university("苏州大学（重复）", "320508")
		dup.CreditCode = "12320000466007482R"
		if _, err := f.svc.CreateInstitution(ctx, city, dup); err != nil {
			t.Fatalf("create with credit code: %v", err)
		}
		_, err = f.svc.CreateInstitution(ctx, city, dup)
		wantFields(t, "repeated credit code", err, map[string]string{"credit_code": "directory.credit_code_taken"})

		if err := f.svc.LinkInstitutionAccount(ctx, gusu, a.ID, instA.UserID); err != nil {
			t.Fatalf("link account: %v", err)
		}
		if err := f.svc.LinkInstitutionAccount(ctx, city, b.ID, instB.UserID); err != nil {
			t.Fatalf("link account: %v", err)
		}
		err = f.svc.LinkInstitutionAccount(ctx, city, b.ID, instA.UserID)
		wantFields(t, "account linked to another institution", err, map[string]string{"user_id": "directory.account_linked_elsewhere"})
		err = f.svc.LinkInstitutionAccount(ctx, city, b.ID, ent.UserID)
		wantFields(t, "enterprise account linked", err, map[string]string{"user_id": "directory.account_not_institution"})
		wantKind(t, "county staff link in another county", f.svc.LinkInstitutionAccount(ctx, ks, a.ID, unlinked.UserID), apperr.NotFound)
		wantKind(t, "institution account links itself", f.svc.LinkInstitutionAccount(ctx, instA, a.ID, unlinked.UserID), apperr.NotFound)

		// Who sees the staff-only institution: staff in scope and its own
		// account; everybody else gets NotFound.
		for _, tt := range []struct {
			name string
			who  account.Actor
			sees bool
		}{
			{"city staff", city, true}, {"county staff of its county", ks, true}, {"its account", instB, true}, {"administrator", admin, true},
			{"county staff of another county", gusu, false}, {"another institution", instA, false}, {"member", ent, false},
			{"anonymous", account.Anonymous, false},
		} {
			_, err := f.svc.GetInstitution(ctx, tt.who, b.ID)
			if tt.sees && err != nil {
				t.Errorf("%s: GetInstitution(staff-only) = %v, want it", tt.name, err)
			}
			if !tt.sees {
				wantKind(t, tt.name+": GetInstitution(staff-only)", err, apperr.NotFound)
			}
			list, total, err := f.svc.FindInstitutions(ctx, tt.who, directory.InstitutionFilter{Region: "320583"})
			if err != nil || (total == 1) != tt.sees || len(list) != total {
				t.Errorf("%s: FindInstitutions(320583) = %d of %d, %v; want sees=%v", tt.name, len(list), total, err, tt.sees)
			}
		}

		// The public institution: contacts for members, not for anonymous;
		// linked accounts for its editors and staff only.
		anon, err := f.svc.GetInstitution(ctx, account.Anonymous, a.ID)
		if err != nil || anon.Contact != (directory.Contact{}) || anon.Accounts != nil || anon.Perms.Edit {
			t.Errorf("anonymous view = %+v, %v; want no contact, no accounts, no edit", anon, err)
		}
		member, _ := f.svc.GetInstitution(ctx, ent, a.ID)
		if member.Contact.Phone != "0512-65110000" || member.Accounts != nil {
			t.Errorf("member view: contact %+v accounts %v; want the contact, no accounts", member.Contact, member.Accounts)
		}
		own, _ := f.svc.GetInstitution(ctx, instA, a.ID)
		if !own.Perms.Edit || own.Perms.Manage || len(own.Accounts) != 1 || own.Accounts[0].ID != instA.UserID {
			t.Errorf("own view: perms %+v accounts %v; want edit only and its account", own.Perms, own.Accounts)
		}

		// An institution account edits only its own institution and keeps
		// its region.
		in := university("苏州大学", "320508")
		in.Summary = "综合性大学"
		if _, err := f.svc.UpdateInstitution(ctx, instA, a.ID, in); err != nil {
			t.Errorf("institution edits its own: %v", err)
		}
		_, err = f.svc.UpdateInstitution(ctx, instA, b.ID, bIn)
		wantKind(t, "institution edits another", err, apperr.NotFound)
		// A form without region and visibility changes neither.
		plain := university("昆山杜克大学", "")
		if got, err := f.svc.UpdateInstitution(ctx, instB, b.ID, plain); err != nil || got.Visibility != directory.VisibleStaff ||
			got.RegionCode != "320583" {
			t.Errorf("update without region and visibility = %s %s, %v; want them kept", got.RegionCode, got.Visibility, err)
		}
		_, err = f.svc.UpdateInstitution(ctx, unlinked, a.ID, in)
		wantKind(t, "unlinked institution account edits", err, apperr.NotFound)
		moved := in
		moved.RegionCode = "320505"
		_, err = f.svc.UpdateInstitution(ctx, instA, a.ID, moved)
		wantFields(t, "institution account moves it", err, map[string]string{"region_code": "directory.region_fixed"})
		_, err = f.svc.UpdateInstitution(ctx, ks, a.ID, in)
		wantKind(t, "county staff of another county edit a public institution", err, apperr.NotFound)
		wantKind(t, "institution deletes itself", f.svc.DeleteInstitution(ctx, instA, a.ID), apperr.NotFound)
		if _, err := f.svc.UpdateInstitution(ctx, city, a.ID, moved); err != nil {
			t.Errorf("city staff move it inside the city: %v", err)
		}

		// Platforms go with their institution.
		p, err := f.svc.CreatePlatform(ctx, instA, a.ID, directory.PlatformInput{Name: "江苏省先进功能材料重点实验室", Kind: "key-lab",
			Level: "provincial", Domain: "新材料", ApprovedYear: 2012, Services: []string{"大型仪器共享", "材料表征测试"}})
		if err != nil {
			t.Fatalf("institution adds a platform: %v", err)
		}
		_, err = f.svc.CreatePlatform(ctx, instA, b.ID, directory.PlatformInput{Name: "x", Kind: "key-lab", Level: "national"})
		wantKind(t, "platform on another institution", err, apperr.NotFound)
		_, err = f.svc.CreatePlatform(ctx, instA, a.ID, directory.PlatformInput{Name: "", Kind: "lab", Level: "galactic", ApprovedYear: 1900,
			Domain: "炼金术"})
		wantFields(t, "bad platform", err, map[string]string{"name": "error.required", "kind": "directory.choice_unknown",
			"level": "directory.choice_unknown", "approved_year": "directory.year_range", "domain": "directory.choice_unknown"})
		plats, total, err := f.svc.FindPlatforms(ctx, account.Anonymous, directory.PlatformFilter{Domain: "新材料"})
		if err != nil || total != 1 || plats[0].ID != p.ID || plats[0].InstitutionName != "苏州大学" {
			t.Errorf("FindPlatforms(新材料) = %+v, %d, %v; want the key lab of 苏州大学", plats, total, err)
		}
		got, err := f.svc.GetInstitution(ctx, account.Anonymous, a.ID)
		if err != nil || len(got.Platforms) != 1 || got.Platforms[0].Services[1] != "材料表征测试" {
			t.Errorf("institution's platforms = %+v, %v", got.Platforms, err)
		}
		_, err = f.svc.UpdatePlatform(ctx, instB, p.ID, directory.PlatformInput{Name: "x", Kind: "key-lab", Level: "national"})
		wantKind(t, "another institution edits the platform", err, apperr.NotFound)
		if err := f.svc.DeletePlatform(ctx, instA, p.ID); err != nil {
			t.Errorf("delete own platform: %v", err)
		}

		// Filters: discipline, top-level domain finds second levels, query.
		for _, tt := range []struct {
			name string
			f    directory.InstitutionFilter
			want int
		}{
			{"discipline", directory.InstitutionFilter{Discipline: "材料科学与工程"}, 3},
			{"top-level domain covers its second level", directory.InstitutionFilter{Domain: "电子信息"}, 3},
			{"second level", directory.InstitutionFilter{Domain: "电子信息/软件"}, 3},
			{"unknown domain", directory.InstitutionFilter{Domain: "电子"}, 0},
			{"query", directory.InstitutionFilter{Query: "杜克"}, 1},
			{"type", directory.InstitutionFilter{Type: "institute"}, 0},
		} {
			_, total, err := f.svc.FindInstitutions(ctx, city, tt.f)
			if err != nil || total != tt.want {
				t.Errorf("FindInstitutions(%s) = %d, %v; want %d", tt.name, total, err, tt.want)
			}
		}
		list, total, err := f.svc.FindInstitutions(ctx, city, directory.InstitutionFilter{Paging: directory.Paging{Page: 2, PerPage: 2}})
		if err != nil || total != 3 || len(list) != 1 {
			t.Errorf("page 2 of 2 per page = %d of %d, %v; want 1 of 3", len(list), total, err)
		}

		if err := f.svc.DeleteInstitution(ctx, city, a.ID); err != nil {
			t.Fatalf("delete institution: %v", err)
		}
		_, err = f.svc.GetInstitution(ctx, city, a.ID)
		wantKind(t, "deleted institution", err, apperr.NotFound)
		if got := f.auditActions("institution", idText(a.ID)); len(got) != 5 || got[0] != "institution.create" ||
			got[1] != "institution.link_account" || got[4] != "institution.delete" {
			t.Errorf("audit of the institution = %v", got)
		}
	})
}

func TestInstitutionValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		city := f.actor("city", account.RoleStaff, "320500")
		bad := directory.InstitutionInput{Name: " ", CreditCode: "12320000466007482O", Type: "college", Level: "royal",
			RegionCode: "999999", Visibility: "secret", Disciplines: []string{"材料科学与工程", "炼金术"}, Domains: []string{"电子信息/高分子材料"},
			Website: "javascript:alert(1)", Contact: directory.Contact{Phone: "call me", Email: "nobody"}}
		_, err := f.svc.CreateInstitution(ctx, city, bad)
		wantFields(t, "bad institution", err, map[string]string{"name": "error.required", "credit_code": "directory.credit_code_format",
			"type": "directory.choice_unknown", "level": "directory.choice_unknown", "region_code": "directory.region_county",
			"visibility": "directory.choice_unknown", "disciplines": "directory.choice_unknown", "domains": "directory.choice_unknown",
			"website": "directory.url_bad", "contact_phone": "directory.phone_bad", "contact_email": "directory.email_bad"})
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM institutions").Scan(&n); err != nil || n != 0 {
			t.Errorf("institutions after a refused create = %d, %v; want 0", n, err)
		}
		long := university(strings.Repeat("长", 101), "320508")
		_, err = f.svc.CreateInstitution(ctx, city, long)
		if fieldKeys(err)["name"] != "error.too_long" {
			t.Errorf("a 101-character name: %v, want error.too_long on name", err)
		}
	})
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }
