package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kechuang/internal/account"
	"kechuang/internal/directory"
)

type expertListData struct {
	Items       []directory.Expert
	Filter      directory.ExpertFilter
	Pager       pager
	Regions     []formOption
	Disciplines []formOption
	CanCreate   bool
	Tools       dirListTools
}

// expertFilter reads the list's query parameters.
func (s *Server) expertFilter(r *http.Request) (directory.ExpertFilter, error) {
	q := newQuery(r)
	f := directory.ExpertFilter{Query: q.Text("q"), Discipline: q.Text("discipline"),
		Role: q.Enum("role", s.dirCodes("expert_role")...), Region: q.RegionCode("region"),
		InstitutionID: q.ID("institution"), Paging: dirPaging(q)}
	return f, q.Err()
}

// handleExpertList lists the experts the viewer may see, each as the
// viewer may see it (visitors: the consented fields only).
func (s *Server) handleExpertList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.expertFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Directory.FindExperts(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ab, err := s.Directory.Abilities(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	data := expertListData{Items: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total),
		Regions: regionOptions(s.regionChoices(r)), Disciplines: s.disciplineOptions(),
		CanCreate: ab.Manage || ab.Institution != 0, Tools: s.dirTools(r, "/directory/experts", "/directory/imports/experts")}
	if s.Directory.CanDecideDeletions(st.actor) {
		data.Tools.Deletions = "/directory/deletion-requests"
	}
	if ab.Expert != 0 {
		data.Tools.Mine = "/directory/me/expert"
	}
	s.render(w, r, http.StatusOK, "directory/experts", s.newPage(r, "directory.experts", "directory", data))
}

type expertData struct {
	E    directory.Expert
	Done string
	// ConsentForm records a consent: shown to the expert's editors.
	ConsentForm dirFormData
	// Notice is the privacy notice in force, for the consent form.
	Notice directory.Notice
	// Own: the record is the viewer's own, who may take a copy and ask
	// for its deletion (DeletionError says why a request was refused).
	Own           bool
	DeletionError string
	// LinkError says why staff's link to an account was refused.
	LinkError string
}

// handleExpert shows an expert's profile: visitors see what the expert
// consented to show (and are told what is withheld), phone and e-mail only
// staff in scope and the expert.
func (s *Server) handleExpert(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.expertPage(w, r, http.StatusOK, id, dirFormData{})
}

func (s *Server) expertPage(w http.ResponseWriter, r *http.Request, status int, id int64, consent dirFormData) {
	s.expertPageWith(w, r, status, id, consent, "")
}

// expertPageLinkError shows the expert page with why the account link was
// refused.
func (s *Server) expertPageLinkError(w http.ResponseWriter, r *http.Request, status int, id int64, linkError string) {
	s.expertPageFull(w, r, status, id, dirFormData{}, "", linkError)
}

// expertPageWith shows the expert page with deletionError beside the
// expert's deletion request form.
func (s *Server) expertPageWith(w http.ResponseWriter, r *http.Request, status int, id int64, consent dirFormData, deletionError string) {
	s.expertPageFull(w, r, status, id, consent, deletionError, "")
}

func (s *Server) expertPageFull(w http.ResponseWriter, r *http.Request, status int, id int64, consent dirFormData, deletionError, linkError string) {
	st := state(r)
	e, err := s.Directory.GetExpert(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	notice := s.Directory.Reference().Notice
	if consent.Values == nil {
		consent.Values = url.Values{"notice_version": {notice.Version}}
		if e.Consent != nil {
			consent.Values["fields"] = e.Consent.Fields
		}
	}
	consent.Action = "/directory/experts/" + strconv.FormatInt(id, 10) + "/consent"
	consent.Fields = []formField{{Name: "fields", Label: "directory.consent_fields", Type: "multi",
		Options: s.choiceOptions(st.lang, "public_field"), Hint: "directory.consent_fields_hint"}}
	if !ownExpert(st.actor, e) {
		// An editor records a consent given in writing, under the notice
		// the expert signed and on the day it was signed.
		consent.Fields = append(consent.Fields, formField{Name: "notice_version", Type: "text", Required: true},
			formField{Name: "given_on", Type: "date", Required: true})
	}
	s.render(w, r, status, "directory/expert", s.newPage(r, "directory.expert", "directory",
		expertData{E: e, Done: r.URL.Query().Get("done"), ConsentForm: consent, Notice: notice, Own: ownExpert(st.actor, e),
			DeletionError: deletionError, LinkError: linkError}))
}

// ownExpert reports whether the expert record is the actor's own.
func ownExpert(a account.Actor, e directory.Expert) bool {
	return a.LoggedIn() && e.AccountID != 0 && e.AccountID == a.UserID
}

// handleExpertConsent records the expert's consent to show the chosen
// fields (none withdraws it): the expert's own, or one given in writing
// that an editor records.
func (s *Server) handleExpertConsent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	v := formValues(r)
	_, err = s.Directory.RecordExpertConsent(r.Context(), st.actor, id, directory.ConsentInput{Fields: multiOf(v, "fields"),
		NoticeVersion: v.Get("notice_version"), GivenOn: v.Get("given_on")})
	if isFormError(err) {
		s.expertPage(w, r, http.StatusUnprocessableEntity, id, dirFormData{Values: v, Errors: formErrors(st.lang, err)})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/experts/"+strconv.FormatInt(id, 10)+"?done=consent", http.StatusSeeOther)
}

// expertForm is the form of an expert. manage adds what only staff
// decide (the institution and region); contact the phone and e-mail,
// offered only to those who read them.
func (s *Server) expertForm(r *http.Request, manage, contact bool) []formField {
	st := state(r)
	lang := st.lang
	var f []formField
	f = append(f, formField{Name: "name", Type: "text", Required: true, Label: "field.display_name"})
	if manage {
		insts, _, err := s.Directory.FindInstitutions(r.Context(), st.actor, directory.InstitutionFilter{Paging: directory.Paging{PerPage: 200}})
		var opts []formOption
		if err == nil {
			for _, i := range insts {
				if i.Perms.Edit {
					opts = append(opts, formOption{strconv.FormatInt(i.ID, 10), i.Name})
				}
			}
		}
		f = append(f, formField{Name: "institution_id", Type: "select", Options: opts, Empty: "directory.none"})
	}
	f = append(f, formField{Name: "affiliation", Type: "text"}, formField{Name: "job_title", Type: "text"},
		formField{Name: "disciplines", Type: "multi", Options: s.disciplineOptions()},
		formField{Name: "research", Type: "textarea"}, formField{Name: "keywords", Type: "text", Hint: "directory.list_hint"},
		formField{Name: "achievements", Type: "text", Hint: "directory.list_hint"}, formField{Name: "patents", Type: "text", Hint: "directory.list_hint"},
		formField{Name: "roles", Type: "multi", Options: s.choiceOptions(lang, "expert_role")})
	if manage {
		f = append(f, formField{Name: "region_code", Type: "select", Options: regionOptions(s.countyChoices(r)), Empty: "directory.region_of_institution"},
			formField{Name: "visibility", Type: "select", Options: s.choiceOptions(lang, "visibility")})
	}
	if contact {
		f = append(f, formField{Name: "phone", Type: "text"}, formField{Name: "email", Type: "email"})
	}
	return f
}

func expertValues(e directory.Expert) url.Values {
	v := url.Values{"name": {e.Name}, "affiliation": {""}, "job_title": {e.Title}, "disciplines": e.Disciplines,
		"research": {e.Research}, "roles": e.Roles, "region_code": {e.RegionCode}, "visibility": {string(e.Visibility)},
		"phone": {e.Phone}, "email": {e.Email}}
	if e.InstitutionID != 0 {
		v.Set("institution_id", strconv.FormatInt(e.InstitutionID, 10))
	} else {
		v.Set("affiliation", e.Affiliation)
	}
	setList(v, "keywords", e.Keywords)
	setList(v, "achievements", e.Achievements)
	setList(v, "patents", e.Patents)
	return v
}

func expertInput(v url.Values, contact bool) directory.ExpertInput {
	in := directory.ExpertInput{Name: v.Get("name"), Affiliation: v.Get("affiliation"), Title: v.Get("job_title"),
		Disciplines: multiOf(v, "disciplines"), Research: v.Get("research"), Keywords: listOf(v, "keywords"),
		Achievements: listOf(v, "achievements"), Patents: listOf(v, "patents"), Roles: multiOf(v, "roles"),
		RegionCode: v.Get("region_code"), Visibility: directory.Visibility(v.Get("visibility"))}
	in.InstitutionID, _ = strconv.ParseInt(v.Get("institution_id"), 10, 64)
	if contact {
		in.Contact = &directory.ExpertContact{Phone: v.Get("phone"), Email: v.Get("email")}
	}
	return in
}

// handleExpertNew shows the form to add an expert: staff, or an
// institution account for its institution.
func (s *Server) handleExpertNew(w http.ResponseWriter, r *http.Request) {
	ab, err := s.Directory.Abilities(r.Context(), state(r).actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !ab.Manage && ab.Institution == 0 {
		s.writeError(w, r, errOnlyStaff())
		return
	}
	s.renderDirForm(w, r, http.StatusOK, "directory.new_expert", dirFormData{Back: "/directory/experts",
		Action: "/directory/experts", Fields: s.expertForm(r, ab.Manage, ab.Manage), Values: url.Values{"visibility": {"public"}},
		Extra: "directory.expert_consent_hint"})
}

// handleExpertCreate adds an expert from the form.
func (s *Server) handleExpertCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	ab, err := s.Directory.Abilities(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := formValues(r)
	e, err := s.Directory.CreateExpert(r.Context(), st.actor, expertInput(v, ab.Manage))
	s.saveDirForm(w, r, err, "directory.new_expert", dirFormData{Back: "/directory/experts", Action: "/directory/experts",
		Fields: s.expertForm(r, ab.Manage, ab.Manage), Values: v, Extra: "directory.expert_consent_hint"},
		"/directory/experts/"+strconv.FormatInt(e.ID, 10)+"?done=created")
}

// editableExpert loads an expert the actor edits, else NotFound.
func (s *Server) editableExpert(r *http.Request, a account.Actor) (directory.Expert, error) {
	id, err := pathID(r)
	if err != nil {
		return directory.Expert{}, err
	}
	e, err := s.Directory.GetExpert(r.Context(), a, id)
	if err == nil && !e.Perms.Edit {
		err = errNotFound()
	}
	return e, err
}

// handleExpertEdit shows an expert's form to its editors.
func (s *Server) handleExpertEdit(w http.ResponseWriter, r *http.Request) {
	a := state(r).actor
	e, err := s.editableExpert(r, a)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	back := "/directory/experts/" + strconv.FormatInt(e.ID, 10)
	s.renderDirForm(w, r, http.StatusOK, "directory.edit_expert", dirFormData{Back: back, Action: back,
		Fields: s.expertForm(r, e.Perms.Manage, e.ShowsContact(a)), Values: expertValues(e)})
}

// handleExpertUpdate saves an expert's form.
func (s *Server) handleExpertUpdate(w http.ResponseWriter, r *http.Request) {
	a := state(r).actor
	e, err := s.editableExpert(r, a)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := formValues(r)
	in := expertInput(v, e.ShowsContact(a))
	if !e.Perms.Manage {
		// The editors who do not manage the record keep what staff decide.
		in.InstitutionID, in.RegionCode, in.Visibility = e.InstitutionID, e.RegionCode, e.Visibility
	}
	_, err = s.Directory.UpdateExpert(r.Context(), a, e.ID, in)
	back := "/directory/experts/" + strconv.FormatInt(e.ID, 10)
	s.saveDirForm(w, r, err, "directory.edit_expert", dirFormData{Back: back, Action: back,
		Fields: s.expertForm(r, e.Perms.Manage, e.ShowsContact(a)), Values: v}, back+"?done=updated")
}
