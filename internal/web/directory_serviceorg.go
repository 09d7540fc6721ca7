package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kechuang/internal/directory"
)

type serviceOrgListData struct {
	Items     []directory.ServiceOrg
	Filter    directory.ServiceOrgFilter
	Pager     pager
	Regions   []formOption
	Domains   []formOption
	CanCreate bool
	Tools     dirListTools
}

// serviceOrgFilter reads the list's query parameters.
func (s *Server) serviceOrgFilter(r *http.Request) (directory.ServiceOrgFilter, error) {
	q := newQuery(r)
	f := directory.ServiceOrgFilter{Query: q.Text("q"), Type: q.Enum("type", s.dirCodes("service_org_type")...),
		Field: q.Text("field"), Region: q.RegionCode("region"), Paging: dirPaging(q)}
	return f, q.Err()
}

// handleServiceOrgList lists the service organisations the viewer may see.
func (s *Server) handleServiceOrgList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.serviceOrgFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Directory.FindServiceOrgs(r.Context(), st.actor, f)
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
	s.render(w, r, http.StatusOK, "directory/service_orgs", s.newPage(r, "directory.service_orgs", "directory",
		serviceOrgListData{Items: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total),
			Regions: regionOptions(s.regionChoices(r)), Domains: s.domainOptions(), CanCreate: ab.Manage,
			Tools: s.dirTools(r, "/directory/service-orgs", "/directory/imports/service-orgs")}))
}

type serviceOrgData struct {
	O    directory.ServiceOrg
	Done string
}

// handleServiceOrg shows a service organisation.
func (s *Server) handleServiceOrg(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.Directory.GetServiceOrg(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "directory/service_org", s.newPage(r, "directory.service_org", "directory",
		serviceOrgData{O: o, Done: r.URL.Query().Get("done")}))
}

func (s *Server) serviceOrgForm(r *http.Request, manage bool) []formField {
	lang := state(r).lang
	f := []formField{{Name: "name", Type: "text", Required: true}, {Name: "credit_code", Type: "text"},
		{Name: "type", Type: "select", Required: true, Options: s.choiceOptions(lang, "service_org_type")}}
	if manage {
		f = append(f, formField{Name: "region_code", Type: "select", Required: true, Options: regionOptions(s.countyChoices(r))})
	}
	f = append(f, formField{Name: "visibility", Type: "select", Options: s.choiceOptions(lang, "visibility")},
		formField{Name: "services", Type: "text", Hint: "directory.list_hint"}, formField{Name: "fields", Type: "multi", Options: s.domainOptions()},
		formField{Name: "qualifications", Type: "text", Hint: "directory.list_hint"}, formField{Name: "summary", Type: "textarea"})
	return append(f, contactFields...)
}

func serviceOrgValues(o directory.ServiceOrg) url.Values {
	v := url.Values{"name": {o.Name}, "credit_code": {o.CreditCode}, "type": {o.Type}, "region_code": {o.RegionCode},
		"visibility": {string(o.Visibility)}, "fields": o.Fields, "summary": {o.Summary},
		"contact_name": {o.Contact.Name}, "contact_phone": {o.Contact.Phone}, "contact_email": {o.Contact.Email}}
	setList(v, "services", o.Services)
	setList(v, "qualifications", o.Qualifications)
	return v
}

func serviceOrgInput(v url.Values, ownerID int64) directory.ServiceOrgInput {
	return directory.ServiceOrgInput{Name: v.Get("name"), CreditCode: v.Get("credit_code"), Type: v.Get("type"),
		Services: listOf(v, "services"), Fields: multiOf(v, "fields"), Qualifications: listOf(v, "qualifications"),
		Summary: v.Get("summary"), Contact: directory.Contact{Name: v.Get("contact_name"), Phone: v.Get("contact_phone"),
			Email: v.Get("contact_email")}, RegionCode: v.Get("region_code"),
		Visibility: directory.Visibility(v.Get("visibility")), OwnerID: ownerID}
}

// handleServiceOrgNew shows the form to add a service organisation (staff).
func (s *Server) handleServiceOrgNew(w http.ResponseWriter, r *http.Request) {
	if !s.mayManageDirectory(w, r) {
		return
	}
	s.renderDirForm(w, r, http.StatusOK, "directory.new_service_org", dirFormData{Back: "/directory/service-orgs",
		Action: "/directory/service-orgs", Fields: s.serviceOrgForm(r, true), Values: url.Values{"visibility": {"public"}}})
}

// handleServiceOrgCreate adds a service organisation from the form.
func (s *Server) handleServiceOrgCreate(w http.ResponseWriter, r *http.Request) {
	v := formValues(r)
	o, err := s.Directory.CreateServiceOrg(r.Context(), state(r).actor, serviceOrgInput(v, 0))
	s.saveDirForm(w, r, err, "directory.new_service_org", dirFormData{Back: "/directory/service-orgs",
		Action: "/directory/service-orgs", Fields: s.serviceOrgForm(r, true), Values: v},
		"/directory/service-orgs/"+strconv.FormatInt(o.ID, 10)+"?done=created")
}

// editableServiceOrg loads a service organisation the actor edits, else
// NotFound.
func (s *Server) editableServiceOrg(r *http.Request) (directory.ServiceOrg, error) {
	id, err := pathID(r)
	if err != nil {
		return directory.ServiceOrg{}, err
	}
	o, err := s.Directory.GetServiceOrg(r.Context(), state(r).actor, id)
	if err == nil && !o.Perms.Edit {
		err = errNotFound()
	}
	return o, err
}

// handleServiceOrgEdit shows a service organisation's form to its editors.
func (s *Server) handleServiceOrgEdit(w http.ResponseWriter, r *http.Request) {
	o, err := s.editableServiceOrg(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	back := "/directory/service-orgs/" + strconv.FormatInt(o.ID, 10)
	s.renderDirForm(w, r, http.StatusOK, "directory.edit_service_org", dirFormData{Back: back, Action: back,
		Fields: s.serviceOrgForm(r, o.Perms.Manage), Values: serviceOrgValues(o)})
}

// handleServiceOrgUpdate saves a service organisation's form; the owner
// stays as it is (the API changes it).
func (s *Server) handleServiceOrgUpdate(w http.ResponseWriter, r *http.Request) {
	o, err := s.editableServiceOrg(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := formValues(r)
	_, err = s.Directory.UpdateServiceOrg(r.Context(), state(r).actor, o.ID, serviceOrgInput(v, o.OwnerID))
	back := "/directory/service-orgs/" + strconv.FormatInt(o.ID, 10)
	s.saveDirForm(w, r, err, "directory.edit_service_org", dirFormData{Back: back, Action: back,
		Fields: s.serviceOrgForm(r, o.Perms.Manage), Values: v}, back+"?done=updated")
}
