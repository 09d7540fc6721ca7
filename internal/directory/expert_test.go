package directory_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

const research = "面向新能源汽车动力电池的高镍三元正极材料表面包覆改性研究，通过原子层沉积在正极颗粒表面构筑纳米氧化铝包覆层，" +
	"抑制循环过程中的界面副反应和过渡金属溶出，提高材料的热稳定性和循环寿命。"

func expertInput() directory.ExpertInput {
	return directory.ExpertInput{Name: "张建华", Title: "教授", Research: research, Keywords: []string{"正极材料", "包覆改性"},
		Achievements: []string{"高镍正极材料包覆技术"}, Patents: []string{"ZL202110000000.1 一种高镍正极材料的包覆方法"},
		Roles:   []string{"reviewer", "mentor"},
		Contact: &directory.ExpertContact{Phone: "13800138000", Email: "zhang@example.edu.cn"}}
}

func TestExpertPrivacy(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		city := f.actor("city", account.RoleStaff, "320500")
		gusu := f.actor("gusu", account.RoleCounty, "320508")
		ks := f.actor("ks", account.RoleCounty, "320583")
		instA := f.actor("insta", account.RoleInstitution, "320508")
		instB := f.actor("instb", account.RoleInstitution, "320583")
		prof := f.actor("prof", account.RoleInstitution, "320508") // the expert's own account
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		anon := account.Anonymous

		a, err := f.svc.CreateInstitution(ctx, gusu, university("苏州大学", "320508"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.svc.CreateInstitution(ctx, ks, university("昆山杜克大学", "320583"))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range []struct {
			inst int64
			who  account.Actor
		}{{a.ID, instA}, {b.ID, instB}} {
			if err := f.svc.LinkInstitutionAccount(ctx, city, l.inst, l.who.UserID); err != nil {
				t.Fatal(err)
			}
		}

		// An institution adds its expert; the disciplines are suggested
		// from the research text and wait for confirmation.
		_, err = f.svc.CreateExpert(ctx, ent, expertInput())
		wantKind(t, "enterprise adds an expert", err, apperr.Forbidden)
		other := expertInput()
		other.InstitutionID = b.ID
		_, err = f.svc.CreateExpert(ctx, instA, other)
		// Without its institution the expert has no region either.
		wantFields(t, "expert of another institution", err, map[string]string{"institution_id": "directory.institution_not_yours",
			"region_code": "error.required"})
		e, err := f.svc.CreateExpert(ctx, instA, expertInput())
		if err != nil {
			t.Fatalf("create expert: %v", err)
		}
		if e.InstitutionID != a.ID || e.Affiliation != "苏州大学" || e.RegionCode != "320508" {
			t.Errorf("expert = institution %d %q region %s, want 苏州大学's, in 320508", e.InstitutionID, e.Affiliation, e.RegionCode)
		}
		if e.DisciplinesConfirmed || len(e.Disciplines) == 0 {
			t.Errorf("suggested disciplines = %v confirmed %v, want a suggestion awaiting confirmation", e.Disciplines, e.DisciplinesConfirmed)
		}
		t.Logf("disciplines suggested from the research text: %v", e.Disciplines)
		if e.Phone != "" {
			t.Errorf("the institution reads the phone %q it entered; phone and e-mail are for staff and the expert", e.Phone)
		}
		if got := f.svc.SuggestDisciplines("电池"); len(got) != 0 {
			t.Errorf("SuggestDisciplines(two characters) = %v, want nothing", got)
		}

		// Without consent nobody but its editors and staff in scope sees it.
		for _, tt := range []struct {
			name      string
			who       account.Actor
			sees      bool
			seesPhone bool
		}{
			{"anonymous", anon, false, false}, {"member", ent, false, false}, {"county staff of another county", ks, false, false},
			{"another institution", instB, false, false}, {"the institution", instA, true, false},
			{"county staff of its county", gusu, true, true}, {"city staff", city, true, true},
		} {
			got, err := f.svc.GetExpert(ctx, tt.who, e.ID)
			switch {
			case !tt.sees:
				wantKind(t, tt.name+" before consent", err, apperr.NotFound)
			case err != nil:
				t.Errorf("%s before consent: %v", tt.name, err)
			case (got.Phone == "13800138000") != tt.seesPhone || (got.Email != "") != tt.seesPhone:
				t.Errorf("%s reads phone %q e-mail %q; want seen = %v", tt.name, got.Phone, got.Email, tt.seesPhone)
			}
			_, total, err := f.svc.FindExperts(ctx, tt.who, directory.ExpertFilter{})
			if err != nil || (total == 1) != tt.sees {
				t.Errorf("%s: FindExperts before consent = %d, %v; want sees = %v", tt.name, total, err, tt.sees)
			}
		}

		// Staff link the expert's own account; an institution may not.
		wantKind(t, "institution links an account", f.svc.LinkExpertAccount(ctx, instA, e.ID, prof.UserID), apperr.Forbidden)
		wantKind(t, "county staff of another county link", f.svc.LinkExpertAccount(ctx, ks, e.ID, prof.UserID), apperr.NotFound)
		if err := f.svc.LinkExpertAccount(ctx, gusu, e.ID, prof.UserID); err != nil {
			t.Fatalf("link the expert's account: %v", err)
		}
		ab, err := f.svc.Abilities(ctx, prof)
		if err != nil || ab.Expert != e.ID || ab.Institution != 0 || ab.Manage {
			t.Errorf("Abilities(expert's account) = %+v, %v", ab, err)
		}

		// Consent: the expert's own, to the current notice, with the name.
		_, err = f.svc.RecordExpertConsent(ctx, prof, e.ID, directory.ConsentInput{Fields: []string{"institution", "disciplines"}})
		wantFields(t, "consent without the name", err, map[string]string{"fields": "directory.consent_needs_name"})
		_, err = f.svc.RecordExpertConsent(ctx, prof, e.ID, directory.ConsentInput{Fields: []string{"name"}, NoticeVersion: "2025-0"})
		wantFields(t, "consent to an old notice", err, map[string]string{"notice_version": "directory.notice_outdated"})
		_, err = f.svc.RecordExpertConsent(ctx, prof, e.ID, directory.ConsentInput{Fields: []string{"name", "phone"}})
		wantFields(t, "consent to show the phone", err, map[string]string{"fields": "directory.choice_unknown"})
		_, err = f.svc.RecordExpertConsent(ctx, ent, e.ID, directory.ConsentInput{Fields: []string{"name"}})
		wantKind(t, "a member records consent", err, apperr.NotFound)
		got, err := f.svc.RecordExpertConsent(ctx, prof, e.ID, directory.ConsentInput{Fields: []string{"roles", "name", "disciplines", "institution"}})
		if err != nil {
			t.Fatalf("consent: %v", err)
		}
		if got.Consent == nil || strings.Join(got.Consent.Fields, ",") != "name,institution,disciplines,roles" ||
			got.Consent.NoticeVersion != shippedReference(t).Notice.Version {
			t.Errorf("consent in force = %+v, want name,institution,disciplines,roles under the current notice", got.Consent)
		}

		// The public profile shows the consented fields only.
		want := directory.Expert{ID: e.ID, Name: "张建华", InstitutionID: a.ID, Affiliation: "苏州大学", Disciplines: e.Disciplines,
			Keywords: []string{}, Achievements: []string{}, Patents: []string{}, Roles: []string{"reviewer", "mentor"},
			Withheld: []string{"title", "research", "keywords", "achievements", "patents", "region"}}
		for _, who := range []account.Actor{anon, ent, ks, instB} {
			got, err := f.svc.GetExpert(ctx, who, e.ID)
			if err != nil {
				t.Errorf("%s after consent: %v", who.Username, err)
				continue
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(directory.Expert{})); diff != "" {
				t.Errorf("public profile for %q (-want +got):\n%s", who.Username, diff)
			}
		}
		for _, tt := range []struct {
			who       account.Actor
			phone     bool
			research  bool
			consentOK bool
		}{{instA, false, true, true}, {prof, true, true, true}, {gusu, true, true, true}, {city, true, true, true}} {
			got, _ := f.svc.GetExpert(ctx, tt.who, e.ID)
			if (got.Phone != "") != tt.phone || (got.Research != "") != tt.research || (got.Consent != nil) != tt.consentOK {
				t.Errorf("%s reads phone %q research %v consent %v", tt.who.Username, got.Phone, got.Research != "", got.Consent)
			}
		}

		// A visitor's filter matches only what the expert shows: roles are
		// consented, the region is not.
		for _, tt := range []struct {
			name string
			who  account.Actor
			f    directory.ExpertFilter
			want int
		}{
			{"role, consented", anon, directory.ExpertFilter{Role: "reviewer"}, 1},
			{"role it lacks", anon, directory.ExpertFilter{Role: "commissioner"}, 0},
			{"discipline, consented", anon, directory.ExpertFilter{Discipline: e.Disciplines[0]}, 1},
			{"region, withheld", anon, directory.ExpertFilter{Region: "320508"}, 0},
			{"region, for staff", gusu, directory.ExpertFilter{Region: "320508"}, 1},
			{"region, for its institution", instA, directory.ExpertFilter{Region: "320508"}, 1},
			{"name", anon, directory.ExpertFilter{Query: "建华"}, 1},
			{"unconfirmed, for its editors", instA, directory.ExpertFilter{Unconfirmed: true}, 1},
			{"unconfirmed, for visitors", anon, directory.ExpertFilter{Unconfirmed: true}, 0},
		} {
			_, total, err := f.svc.FindExperts(ctx, tt.who, tt.f)
			if err != nil || total != tt.want {
				t.Errorf("FindExperts(%s) = %d, %v; want %d", tt.name, total, err, tt.want)
			}
		}

		// The expert corrects the profile but not what the editors decide.
		mine := expertInput()
		mine.Roles, mine.Contact = []string{"commissioner"}, nil
		_, err = f.svc.UpdateExpert(ctx, prof, e.ID, mine)
		wantFields(t, "expert changes its roles", err, map[string]string{"roles": "directory.editors_decide"})
		mine = expertInput()
		mine.Roles, mine.Contact, mine.Research = nil, nil, research+"兼顾固态电池界面。"
		mine.Disciplines = []string{"材料科学与工程", "化学/化学工程与技术"}
		got, err = f.svc.UpdateExpert(ctx, prof, e.ID, mine)
		if err != nil {
			t.Fatalf("expert corrects its profile: %v %v", err, fieldKeys(err))
		}
		if !got.DisciplinesConfirmed || strings.Join(got.Roles, ",") != "reviewer,mentor" || got.Phone != "13800138000" ||
			got.InstitutionID != a.ID || got.Visibility != directory.VisiblePublic {
			t.Errorf("after the expert's correction: %+v; want confirmed disciplines and the rest kept", got)
		}
		mine.Roles = []string{"reviewer", "commissioner"}
		if _, err := f.svc.UpdateExpert(ctx, instA, e.ID, mine); err != nil {
			t.Errorf("institution changes the roles: %v", err)
		}
		_, err = f.svc.UpdateExpert(ctx, instB, e.ID, mine)
		wantKind(t, "another institution edits", err, apperr.NotFound)
		if got, _ := f.svc.GetExpert(ctx, city, e.ID); got.Phone != "13800138000" || got.Email != "zhang@example.edu.cn" {
			t.Errorf("contact after edits without one = %q %q, want it kept", got.Phone, got.Email)
		}
		bad := expertInput()
		bad.Contact = &directory.ExpertContact{Phone: "电话", Email: "@"}
		bad.Roles, bad.Disciplines = []string{"judge"}, []string{"炼金术"}
		_, err = f.svc.UpdateExpert(ctx, instA, e.ID, bad)
		wantFields(t, "bad expert", err, map[string]string{"phone": "directory.phone_bad", "email": "directory.email_bad",
			"roles": "directory.choice_unknown", "disciplines": "directory.choice_unknown"})

		// Withdrawing consent hides the profile again; a written consent
		// recorded by the institution brings it back.
		if _, err := f.svc.RecordExpertConsent(ctx, prof, e.ID, directory.ConsentInput{}); err != nil {
			t.Fatalf("withdraw: %v", err)
		}
		_, err = f.svc.GetExpert(ctx, anon, e.ID)
		wantKind(t, "anonymous after withdrawal", err, apperr.NotFound)
		_, err = f.svc.RecordExpertConsent(ctx, instA, e.ID, directory.ConsentInput{Fields: []string{"name"}, NoticeVersion: "2026-1",
			GivenOn: "2026-07-01"})
		wantFields(t, "written consent dated tomorrow", err, map[string]string{"given_on": "directory.date_future"})
		if _, err := f.svc.RecordExpertConsent(ctx, instA, e.ID, directory.ConsentInput{Fields: []string{"name", "title"},
			NoticeVersion: "2026-1", GivenOn: "2026-06-01"}); err != nil {
			t.Fatalf("written consent: %v", err)
		}
		if got, err := f.svc.GetExpert(ctx, anon, e.ID); err != nil || got.Title != "教授" || len(got.Roles) != 0 {
			t.Errorf("anonymous after the written consent = %+v, %v; want name and title only", got, err)
		}
		history, err := f.svc.ExpertConsents(ctx, prof, e.ID)
		var methods []string
		for _, c := range history {
			methods = append(methods, c.Method+":"+strings.Join(c.Fields, "+"))
		}
		if err != nil || strings.Join(methods, " ") != "self:name+institution+disciplines+roles self: recorded:name+title" {
			t.Errorf("consent history = %v, %v", methods, err)
		}
		_, err = f.svc.ExpertConsents(ctx, ent, e.ID)
		wantKind(t, "a member reads the consent history", err, apperr.NotFound)

		// The expert exports its record.
		exp, err := f.svc.ExportExpert(ctx, prof, e.ID)
		if err != nil || exp.Expert.Phone != "13800138000" || len(exp.Consents) != 3 || exp.Notice.Version == "" {
			t.Errorf("export = %+v, %v; want the whole record and 3 consents", exp, err)
		}
		for _, who := range []account.Actor{instA, ent, ks} {
			_, err := f.svc.ExportExpert(ctx, who, e.ID)
			wantKind(t, who.Username+" exports", err, apperr.NotFound)
		}

		// Deletion: the expert asks, staff of its county decide.
		_, err = f.svc.RequestExpertDeletion(ctx, instA, e.ID, "")
		wantKind(t, "institution asks for deletion", err, apperr.Forbidden)
		wantKind(t, "expert deletes directly", f.svc.DeleteExpert(ctx, prof, e.ID), apperr.Forbidden)
		req, err := f.svc.RequestExpertDeletion(ctx, prof, e.ID, "不再担任评审专家")
		if err != nil || req.State != directory.DeletionPending {
			t.Fatalf("request deletion = %+v, %v", req, err)
		}
		_, err = f.svc.RequestExpertDeletion(ctx, prof, e.ID, "")
		wantKind(t, "second request", err, apperr.Conflict)
		_, err = f.svc.GetExpert(ctx, anon, e.ID)
		wantKind(t, "anonymous while deletion is pending", err, apperr.NotFound)
		for _, tt := range []struct {
			who  account.Actor
			want int
		}{{gusu, 1}, {city, 1}, {ks, 0}, {prof, 1}, {ent, 0}} {
			_, total, err := f.svc.FindDeletionRequests(ctx, tt.who, directory.DeletionFilter{State: directory.DeletionPending})
			if err != nil || total != tt.want {
				t.Errorf("FindDeletionRequests(%s) = %d, %v; want %d", tt.who.Username, total, err, tt.want)
			}
		}
		_, err = f.svc.DecideExpertDeletion(ctx, ks, req.ID, true, "")
		wantKind(t, "county staff of another county decide", err, apperr.NotFound)
		_, err = f.svc.DecideExpertDeletion(ctx, gusu, req.ID, false, "")
		wantFields(t, "refusal without a reason", err, map[string]string{"note": "error.required"})
		done, err := f.svc.DecideExpertDeletion(ctx, gusu, req.ID, true, "")
		if err != nil || done.State != directory.DeletionDone || done.ExpertID != 0 || done.ExpertName != "" {
			t.Fatalf("approve deletion = %+v, %v; want done with nothing naming the expert", done, err)
		}
		_, err = f.svc.DecideExpertDeletion(ctx, gusu, req.ID, true, "")
		wantKind(t, "deciding twice", err, apperr.Conflict)
		_, err = f.svc.GetExpert(ctx, city, e.ID)
		wantKind(t, "deleted expert", err, apperr.NotFound)
		var left int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM expert_consents WHERE expert_id = ?", e.ID).Scan(&left); err != nil || left != 0 {
			t.Errorf("consents left after deletion = %d, %v", left, err)
		}
		// Nothing in the append-only audit log names the expert.
		var leaks int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE summary LIKE ? OR summary LIKE ? OR summary LIKE ?
			OR summary LIKE ?`, "%张建华%", "%13800138000%", "%zhang@%", "%正极%").Scan(&leaks); err != nil || leaks != 0 {
			t.Errorf("audit rows naming the expert = %d, %v", leaks, err)
		}
		actions := f.auditActions("expert", idText(e.ID))
		if len(actions) == 0 || actions[0] != "expert.create" || actions[len(actions)-1] != "expert.delete" ||
			!strings.Contains(strings.Join(actions, " "), "expert.export") {
			t.Errorf("expert audit = %v", actions)
		}
	})
}
