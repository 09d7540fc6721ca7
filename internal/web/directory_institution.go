package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kechuang/internal/directory"
)

type institutionListData struct {
	Items   []directory.Institution
	Filter  directory.InstitutionFilter
	Pager   pager
	Regions []formOption
	// Domains and Disciplines are the filter's options.
	Domains, Disciplines []formOption
	CanCreate            bool
	Tools                dirListTools
}

// institutionFilter reads the list's query parameters.
func (s *Server) institutionFilter(r *http.Request) (directory.InstitutionFilter, error) {
	q := newQuery(r)
	f := directory.InstitutionFilter{Query: q.Text("q"), Type: q.Enum("type", s.dirCodes("institution_type")...),
		Level: q.Enum("level", s.dirCodes("institution_level")...), Region: q.RegionCode("region"),
		Discipline: q.Text("discipline"), Domain: q.Text("domain"), Paging: dirPaging(q)}
	return f, q.Err()
}

// handleInstitutionList lists the institutions the viewer may see.
func (s *Server) handleInstitutionList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.institutionFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Directory.FindInstitutions(r.Context(), st.actor, f)
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
	data := institutionListData{Items: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total),
		Regions: regionOptions(s.regionChoices(r)), Domains: s.domainOptions(), Disciplines: s.disciplineOptions(),
		CanCreate: ab.Manage, Tools: s.dirTools(r, "/directory/institutions", "/directory/imports/institutions")}
	s.render(w, r, http.StatusOK, "directory/institutions", s.newPage(r, "directory.institutions", "directory", data))
}

type institutionData struct {
	I directory.Institution
	// PlatformForm adds a platform: shown to the institution's editors.
	PlatformForm dirFormData
	Experts      []directory.Expert
	// ExpertsTotal counts the experts the viewer may see, of which
	// Experts is the first page.
	ExpertsTotal int
	Done         string
}

// handleInstitution shows an institution with its platforms and experts.
func (s *Server) handleInstitution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.institutionPage(w, r, http.StatusOK, id, dirFormData{Values: url.Values{}})
}

func (s *Server) institutionPage(w http.ResponseWriter, r *http.Request, status int, id int64, form dirFormData) {
	st := state(r)
	i, err := s.Directory.GetInstitution(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	experts, n, err := s.Directory.FindExperts(r.Context(), st.actor, directory.ExpertFilter{InstitutionID: id,
		Paging: directory.Paging{PerPage: 50}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	form.Action = "/directory/institutions/" + strconv.FormatInt(id, 10) + "/platforms"
	form.Fields = []formField{{Name: "name", Type: "text", Required: true},
		{Name: "kind", Type: "select", Required: true, Options: s.choiceOptions(st.lang, "platform_kind")},
		{Name: "level", Type: "select", Required: true, Options: s.choiceOptions(st.lang, "platform_level")},
		{Name: "domain", Type: "select", Options: s.domainOptions(), Empty: "directory.none"},
		{Name: "approved_year", Type: "number"}, {Name: "services", Type: "text", Hint: "directory.list_hint"},
		{Name: "summary", Type: "textarea"}}
	s.render(w, r, status, "directory/institution", s.newPage(r, "directory.institution", "directory",
		institutionData{I: i, Experts: experts, ExpertsTotal: n, Done: r.URL.Query().Get("done"), PlatformForm: form}))
}

// handleInstitutionPlatformAdd adds a platform from the institution page's
// form: its linked accounts and staff in scope may.
func (s *Server) handleInstitutionPlatformAdd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	v := formValues(r)
	errs := map[string]string{}
	in := directory.PlatformInput{Name: v.Get("name"), Kind: v.Get("kind"), Level: v.Get("level"), Domain: v.Get("domain"),
		ApprovedYear: formInt(v, "approved_year", st.lang, errs), Services: listOf(v, "services"), Summary: v.Get("summary")}
	if len(errs) == 0 {
		_, err = s.Directory.CreatePlatform(r.Context(), st.actor, id, in)
		if err != nil && !isFormError(err) {
			s.writeError(w, r, err)
			return
		}
		if err != nil {
			errs = formErrors(st.lang, err)
		}
	}
	if len(errs) > 0 {
		s.institutionPage(w, r, http.StatusUnprocessableEntity, id, dirFormData{Values: v, Errors: errs})
		return
	}
	http.Redirect(w, r, "/directory/institutions/"+strconv.FormatInt(id, 10)+"?done=platform_added#platforms", http.StatusSeeOther)
}

// institutionForm is the form of an institution; manage adds the fields
// only staff change (the region).
func (s *Server) institutionForm(r *http.Request, manage bool) []formField {
	lang := state(r).lang
	f := []formField{
		{Name: "name", Type: "text", Required: true},
		{Name: "credit_code", Type: "text"},
		{Name: "type", Type: "select", Required: true, Options: s.choiceOptions(lang, "institution_type")},
		{Name: "level", Type: "select", Options: s.choiceOptions(lang, "institution_level"), Empty: "directory.none"},
	}
	if manage {
		f = append(f, formField{Name: "region_code", Type: "select", Required: true, Options: regionOptions(s.countyChoices(r))})
	}
	f = append(f,
		formField{Name: "visibility", Type: "select", Options: s.choiceOptions(lang, "visibility")},
		formField{Name: "disciplines", Type: "multi", Options: s.disciplineOptions()},
		formField{Name: "domains", Type: "multi", Options: s.domainOptions()},
		formField{Name: "summary", Type: "textarea"},
		formField{Name: "website", Type: "text"},
		formField{Name: "tto", Type: "text"})
	return append(f, contactFields...)
}

func institutionValues(i directory.Institution) url.Values {
	v := url.Values{"name": {i.Name}, "credit_code": {i.CreditCode}, "type": {i.Type}, "level": {i.Level},
		"region_code": {i.RegionCode}, "visibility": {string(i.Visibility)}, "disciplines": i.Disciplines,
		"domains": i.Domains, "summary": {i.Summary}, "website": {i.Website}, "tto": {i.TTO},
		"contact_name": {i.Contact.Name}, "contact_phone": {i.Contact.Phone}, "contact_email": {i.Contact.Email}}
	return v
}

func institutionInput(v url.Values) directory.InstitutionInput {
	return directory.InstitutionInput{Name: v.Get("name"), CreditCode: v.Get("credit_code"), Type: v.Get("type"),
		Level: v.Get("level"), RegionCode: v.Get("region_code"), Visibility: directory.Visibility(v.Get("visibility")),
		Disciplines: multiOf(v, "disciplines"), Domains: multiOf(v, "domains"), Summary: v.Get("summary"),
		Website: v.Get("website"), TTO: v.Get("tto"), Contact: directory.Contact{Name: v.Get("contact_name"),
			Phone: v.Get("contact_phone"), Email: v.Get("contact_email")}}
}

// handleInstitutionNew shows the form to add an institution (staff).
func (s *Server) handleInstitutionNew(w http.ResponseWriter, r *http.Request) {
	ab, err := s.Directory.Abilities(r.Context(), state(r).actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !ab.Manage {
		s.writeError(w, r, errOnlyStaff())
		return
	}
	s.renderDirForm(w, r, http.StatusOK, "directory.new_institution", dirFormData{Back: "/directory/institutions",
		Action: "/directory/institutions", Fields: s.institutionForm(r, true), Values: url.Values{"visibility": {"public"}}})
}

// handleInstitutionCreate adds an institution from the form.
func (s *Server) handleInstitutionCreate(w http.ResponseWriter, r *http.Request) {
	v := formValues(r)
	i, err := s.Directory.CreateInstitution(r.Context(), state(r).actor, institutionInput(v))
	s.saveDirForm(w, r, err, "directory.new_institution", dirFormData{Back: "/directory/institutions",
		Action: "/directory/institutions", Fields: s.institutionForm(r, true), Values: v},
		"/directory/institutions/"+strconv.FormatInt(i.ID, 10)+"?done=created")
}

// handleInstitutionEdit shows an institution's form to its editors.
func (s *Server) handleInstitutionEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	i, err := s.Directory.GetInstitution(r.Context(), state(r).actor, id)
	if err == nil && !i.Perms.Edit {
		err = errNotFound()
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	back := "/directory/institutions/" + strconv.FormatInt(id, 10)
	s.renderDirForm(w, r, http.StatusOK, "directory.edit_institution", dirFormData{Back: back, Action: back,
		Fields: s.institutionForm(r, i.Perms.Manage), Values: institutionValues(i)})
}

// handleInstitutionUpdate saves an institution's form.
func (s *Server) handleInstitutionUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	old, err := s.Directory.GetInstitution(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := formValues(r)
	_, err = s.Directory.UpdateInstitution(r.Context(), st.actor, id, institutionInput(v))
	back := "/directory/institutions/" + strconv.FormatInt(id, 10)
	s.saveDirForm(w, r, err, "directory.edit_institution", dirFormData{Back: back, Action: back,
		Fields: s.institutionForm(r, old.Perms.Manage), Values: v}, back+"?done=updated")
}
