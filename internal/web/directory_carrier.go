package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/directory"
	"kechuang/internal/i18n"
)

type carrierListData struct {
	Items     []directory.Carrier
	Filter    directory.CarrierFilter
	Pager     pager
	Regions   []formOption
	CanCreate bool
	Tools     dirListTools
}

// carrierFilter reads the list's query parameters.
func (s *Server) carrierFilter(r *http.Request) (directory.CarrierFilter, error) {
	q := newQuery(r)
	f := directory.CarrierFilter{Query: q.Text("q"), Kind: q.Enum("kind", s.dirCodes("carrier_kind")...),
		Level: q.Enum("level", s.dirCodes("carrier_level")...), Region: q.RegionCode("region"), Paging: dirPaging(q)}
	return f, q.Err()
}

// handleCarrierList lists the incubation carriers the viewer may see.
func (s *Server) handleCarrierList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.carrierFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Directory.FindCarriers(r.Context(), st.actor, f)
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
	s.render(w, r, http.StatusOK, "directory/carriers", s.newPage(r, "directory.carriers", "directory",
		carrierListData{Items: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total),
			Regions: regionOptions(s.regionChoices(r)), CanCreate: ab.Manage,
			Tools: s.dirTools(r, "/directory/carriers", "")}))
}

type carrierData struct {
	C       directory.Carrier
	Rate    directory.CarrierRate
	Tenants []directory.Tenant
	// TenantsTotal counts the tenants the viewer may see (visitors: the
	// current ones), of which Tenants is the first page.
	TenantsTotal int
	// NextKinds are the kinds of the next stage of the chain.
	NextKinds  []directory.CarrierKind
	TenantForm dirFormData
	// ExitFor and ExitError are the tenant whose exit form was refused and
	// why.
	ExitFor   int64
	ExitError string
	Done      string
}

// handleCarrier shows a carrier with its occupancy, graduation rate and
// tenants; its editors add tenants there.
func (s *Server) handleCarrier(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.carrierPage(w, r, http.StatusOK, id, dirFormData{Values: url.Values{}}, nil)
}

// exitError is a refused exit form: the tenant and the message.
type exitError struct {
	tenant int64
	msg    string
}

func (s *Server) carrierPage(w http.ResponseWriter, r *http.Request, status int, id int64, tenantForm dirFormData, exit *exitError) {
	st := state(r)
	ctx := r.Context()
	c, err := s.Directory.GetCarrier(ctx, st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rate, err := s.Directory.CarrierRates(ctx, st.actor, id, time.Time{}, time.Time{}, time.Time{})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tenants, n, err := s.Directory.FindTenants(ctx, st.actor, id, directory.TenantFilter{Paging: directory.Paging{PerPage: 200}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tenantForm.Action = "/directory/carriers/" + strconv.FormatInt(id, 10) + "/tenants"
	tenantForm.Fields = s.tenantForm(st.lang, c.Kind)
	data := carrierData{C: c, Rate: rate, Tenants: tenants, TenantsTotal: n,
		NextKinds: s.Directory.Reference().NextStage(c.Kind), TenantForm: tenantForm, Done: r.URL.Query().Get("done")}
	if exit != nil {
		data.ExitFor, data.ExitError = exit.tenant, exit.msg
	}
	s.render(w, r, status, "directory/carrier", s.newPage(r, "directory.carrier", "directory", data))
}

// handleCarrierTenantExit records a tenant's exit (and graduation, and the
// stage it moves on to) from the form on its row of the carrier page.
func (s *Server) handleCarrierTenantExit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tid, err := strconv.ParseInt(r.PathValue("tenant"), 10, 64)
	if err != nil {
		s.writeError(w, r, errNotFound())
		return
	}
	st := state(r)
	t, err := s.Directory.GetTenant(r.Context(), st.actor, tid)
	if err == nil && t.CarrierID != id {
		err = errNotFound()
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := formValues(r)
	in := directory.TenantInput{Name: t.Name, CreditCode: t.CreditCode, Entered: t.Entered, Exited: v.Get("exited"),
		ExitReason: v.Get("exit_reason"), NextKind: v.Get("next_kind"), NextCarrierID: t.NextCarrierID, Space: t.Space, Note: t.Note}
	_, err = s.Directory.UpdateTenant(r.Context(), st.actor, tid, in)
	if isFormError(err) {
		s.carrierPage(w, r, http.StatusUnprocessableEntity, id, dirFormData{Values: url.Values{}},
			&exitError{tenant: tid, msg: errorText(st.lang, err)})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/carriers/"+strconv.FormatInt(id, 10)+"?done=tenant_exited#tenants", http.StatusSeeOther)
}

func (s *Server) tenantForm(lang, kind string) []formField {
	var next []formOption
	for _, k := range s.Directory.Reference().NextStage(kind) {
		next = append(next, formOption{k.Code, k.Label(lang)})
	}
	return []formField{{Name: "name", Type: "text", Required: true}, {Name: "credit_code", Type: "text"},
		{Name: "entered", Type: "date", Required: true}, {Name: "stations", Type: "number"}, {Name: "rooms", Type: "number"},
		{Name: "area", Type: "number", Hint: "directory.tenant_space_hint"}, {Name: "exited", Type: "date"},
		{Name: "exit_reason", Type: "select", Options: s.choiceOptions(lang, "exit_reason"), Empty: "directory.none"},
		{Name: "next_kind", Type: "select", Options: next, Empty: "directory.none"}, {Name: "note", Type: "textarea"}}
}

// handleCarrierTenantAdd adds a tenant from the carrier page's form.
func (s *Server) handleCarrierTenantAdd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	v := formValues(r)
	errs := map[string]string{}
	in := directory.TenantInput{Name: v.Get("name"), CreditCode: v.Get("credit_code"), Entered: v.Get("entered"),
		Exited: v.Get("exited"), ExitReason: v.Get("exit_reason"), NextKind: v.Get("next_kind"), Note: v.Get("note"),
		Space: directory.Space{Stations: formInt(v, "stations", st.lang, errs), Rooms: formInt(v, "rooms", st.lang, errs),
			Area: formFloat(v, "area", st.lang, errs)}}
	if len(errs) == 0 {
		_, err = s.Directory.AddTenant(r.Context(), st.actor, id, in)
		if err != nil && !isFormError(err) {
			s.writeError(w, r, err)
			return
		}
		if err != nil {
			errs = formErrors(st.lang, err)
		}
	}
	if len(errs) > 0 {
		s.carrierPage(w, r, http.StatusUnprocessableEntity, id, dirFormData{Values: v, Errors: errs}, nil)
		return
	}
	http.Redirect(w, r, "/directory/carriers/"+strconv.FormatInt(id, 10)+"?done=tenant_added#tenants", http.StatusSeeOther)
}

func (s *Server) carrierForm(r *http.Request, manage bool) []formField {
	lang := state(r).lang
	f := []formField{{Name: "name", Type: "text", Required: true},
		{Name: "kind", Type: "select", Required: true, Options: s.choiceOptions(lang, "carrier_kind")},
		{Name: "level", Type: "select", Options: s.choiceOptions(lang, "carrier_level"), Empty: "directory.none"},
		{Name: "operator", Type: "text"}, {Name: "operator_code", Type: "text"}}
	if manage {
		f = append(f, formField{Name: "region_code", Type: "select", Required: true, Options: regionOptions(s.countyChoices(r))})
	}
	f = append(f, formField{Name: "visibility", Type: "select", Options: s.choiceOptions(lang, "visibility")},
		formField{Name: "stations", Type: "number"}, formField{Name: "rooms", Type: "number"},
		formField{Name: "area", Type: "number", Hint: "directory.capacity_hint"}, formField{Name: "opened", Type: "date"},
		formField{Name: "summary", Type: "textarea"})
	return append(f, contactFields...)
}

func carrierValues(c directory.Carrier) url.Values {
	return url.Values{"name": {c.Name}, "kind": {c.Kind}, "level": {c.Level}, "operator": {c.Operator},
		"operator_code": {c.OperatorCode}, "region_code": {c.RegionCode}, "visibility": {string(c.Visibility)},
		"stations": {num(float64(c.Capacity.Stations))}, "rooms": {num(float64(c.Capacity.Rooms))},
		"area": {num(c.Capacity.Area)}, "opened": {c.Opened}, "summary": {c.Summary},
		"contact_name": {c.Contact.Name}, "contact_phone": {c.Contact.Phone}, "contact_email": {c.Contact.Email}}
}

func carrierInput(v url.Values, lang string, ownerID int64, errs map[string]string) directory.CarrierInput {
	return directory.CarrierInput{Name: v.Get("name"), Kind: v.Get("kind"), Level: v.Get("level"), Operator: v.Get("operator"),
		OperatorCode: v.Get("operator_code"), Capacity: directory.Space{Stations: formInt(v, "stations", lang, errs),
			Rooms: formInt(v, "rooms", lang, errs), Area: formFloat(v, "area", lang, errs)},
		Opened: v.Get("opened"), Summary: v.Get("summary"), Contact: directory.Contact{Name: v.Get("contact_name"),
			Phone: v.Get("contact_phone"), Email: v.Get("contact_email")}, RegionCode: v.Get("region_code"),
		Visibility: directory.Visibility(v.Get("visibility")), OwnerID: ownerID}
}

// handleCarrierNew shows the form to add a carrier (staff of the county).
func (s *Server) handleCarrierNew(w http.ResponseWriter, r *http.Request) {
	if !s.mayManageDirectory(w, r) {
		return
	}
	s.renderDirForm(w, r, http.StatusOK, "directory.new_carrier", dirFormData{Back: "/directory/carriers",
		Action: "/directory/carriers", Fields: s.carrierForm(r, true), Values: url.Values{"visibility": {"public"}}})
}

// handleCarrierCreate adds a carrier from the form.
func (s *Server) handleCarrierCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	v := formValues(r)
	errs := map[string]string{}
	in := carrierInput(v, st.lang, 0, errs)
	data := dirFormData{Back: "/directory/carriers", Action: "/directory/carriers", Fields: s.carrierForm(r, true), Values: v, Errors: errs}
	var c directory.Carrier
	var err error
	if len(errs) == 0 {
		c, err = s.Directory.CreateCarrier(r.Context(), st.actor, in)
	}
	s.saveDirForm(w, r, err, "directory.new_carrier", data, "/directory/carriers/"+strconv.FormatInt(c.ID, 10)+"?done=created")
}

// editableCarrier loads a carrier the actor edits, else NotFound.
func (s *Server) editableCarrier(r *http.Request) (directory.Carrier, error) {
	id, err := pathID(r)
	if err != nil {
		return directory.Carrier{}, err
	}
	c, err := s.Directory.GetCarrier(r.Context(), state(r).actor, id)
	if err == nil && !c.Perms.Edit {
		err = errNotFound()
	}
	return c, err
}

// handleCarrierEdit shows a carrier's form to its editors.
func (s *Server) handleCarrierEdit(w http.ResponseWriter, r *http.Request) {
	c, err := s.editableCarrier(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	back := "/directory/carriers/" + strconv.FormatInt(c.ID, 10)
	s.renderDirForm(w, r, http.StatusOK, "directory.edit_carrier", dirFormData{Back: back, Action: back,
		Fields: s.carrierForm(r, c.Perms.Manage), Values: carrierValues(c)})
}

// handleCarrierUpdate saves a carrier's form; the owner stays as it is.
func (s *Server) handleCarrierUpdate(w http.ResponseWriter, r *http.Request) {
	c, err := s.editableCarrier(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	v := formValues(r)
	errs := map[string]string{}
	in := carrierInput(v, st.lang, c.OwnerID, errs)
	back := "/directory/carriers/" + strconv.FormatInt(c.ID, 10)
	data := dirFormData{Back: back, Action: back, Fields: s.carrierForm(r, c.Perms.Manage), Values: v, Errors: errs}
	if len(errs) == 0 {
		_, err = s.Directory.UpdateCarrier(r.Context(), st.actor, c.ID, in)
	}
	s.saveDirForm(w, r, err, "directory.edit_carrier", data, back+"?done=updated")
}

// tenantSpace shows a tenant's space in the carrier's headline measure.
func tenantSpace(lang string, t directory.Tenant) string {
	var parts []string
	if t.Space.Stations > 0 {
		parts = append(parts, i18n.T(lang, "directory.space_stations", t.Space.Stations))
	}
	if t.Space.Rooms > 0 {
		parts = append(parts, i18n.T(lang, "directory.space_rooms", t.Space.Rooms))
	}
	if t.Space.Area > 0 {
		parts = append(parts, i18n.T(lang, "directory.space_area", strconv.FormatFloat(t.Space.Area, 'f', -1, 64)))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, i18n.T(lang, "directory.list_separator"))
}
