package web

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
	"kechuang/internal/project"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
)

// The key-enterprise library (重点企业库): a saved filter over the registry
// plus the 重点企业 tag, never a copy. Pages under /projects/key-enterprises
// and the API under /api/v1/key-filters and /api/v1/key-enterprises.

// keyRow is an enterprise of the library; Tagged: it is there by hand (the
// tag), so it can be taken out.
type keyRow struct {
	registryRow
	Tagged bool
}

type keyLibraryData struct {
	Filters     []project.KeyFilter
	Selected    project.KeyFilter // the filter listed; ID 0 is the tag
	Enterprises []keyRow
	Pager       pager
	Export      string
	Counties    []region.Region
	// OwnerRegions: the regions a filter may be saved for (the actor's scope).
	OwnerRegions []region.Region
	Tiers        []string
	RuleSets     []string
	Form         project.KeyFilterInput
	Errors       map[string]string
	AddError     string
	CanManage    bool
	// CanDelete: the selected filter is saved and in the actor's own scope.
	CanDelete bool
}

// keyFilterID reads ?filter= (0: the tag).
func keyFilterID(r *http.Request) (id int64, page int, err error) {
	q := newQuery(r)
	id, page = q.ID("filter"), q.PageNumber()
	return id, page, q.Err()
}

// handleKeyLibrary lists the enterprises of one filter of the library,
// with the saved filters as tabs and, for staff, the forms that save a
// filter and add an enterprise by its credit code.
func (s *Server) handleKeyLibrary(w http.ResponseWriter, r *http.Request) {
	s.keyLibraryPage(w, r, http.StatusOK, project.KeyFilterInput{}, nil, "")
}

const keyLibraryPerPage = 25

func (s *Server) keyLibraryPage(w http.ResponseWriter, r *http.Request, status int, form project.KeyFilterInput, errs map[string]string, addErr string) {
	st := state(r)
	id, page, err := keyFilterID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	filters, err := s.Projects.KeyFilters(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Projects.KeyEnterprises(r.Context(), st.actor, id, page, keyLibraryPerPage)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	selected := project.DefaultKeyFilter
	for _, f := range filters {
		if f.ID == id {
			selected = f
		}
	}
	rows := make([]keyRow, len(list))
	for i, e := range list {
		rows[i] = keyRow{registryRow{Enterprise: e, Standing: e.Standing(s.Now()), Pending: e.PendingProposal(s.Now())},
			slices.Contains(e.Tags, project.KeyTag)}
	}
	var owners []region.Region
	for _, c := range s.regionChoices(r) {
		if st.actor.InScope(c.Code) {
			owners = append(owners, c)
		}
	}
	pg := newPager(r, max(page, 1), keyLibraryPerPage, total)
	if form.RegionCode == "" {
		form.RegionCode = st.actor.Region
	}
	data := keyLibraryData{Filters: filters, Selected: selected, Enterprises: rows, Pager: pg,
		Export: "/projects/key-enterprises/export.xlsx?" + pg.Query, Counties: s.countyChoices(r), Tiers: cultivation.Tiers,
		OwnerRegions: owners, RuleSets: s.Cultivation.Rules().IDs(), Form: form, Errors: errs, AddError: addErr,
		CanManage: project.CanManageKeyLibrary(st.actor),
		CanDelete: selected.ID != 0 && project.CanManageKeyLibrary(st.actor) && st.actor.InScope(selected.RegionCode)}
	s.render(w, r, status, "project/keylib", s.newPage(r, "project.keylib", "projects", data))
}

// keyFilterForm reads the save-filter form.
func keyFilterForm(r *http.Request) (project.KeyFilterInput, error) {
	in := project.KeyFilterInput{RegionCode: r.PostFormValue("region_code"), Name: r.PostFormValue("name"),
		Criteria: project.KeyCriteria{Query: r.PostFormValue("q"), Region: r.PostFormValue("region"), Tier: r.PostFormValue("tier"),
			Domain: r.PostFormValue("domain"), Industry: r.PostFormValue("industry"), Tag: r.PostFormValue("tag"),
			NearRuleSet: r.PostFormValue("near_rule_set")}}
	if v := strings.TrimSpace(r.PostFormValue("near_gaps")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return in, apperr.Fields(apperr.Field("criteria", "project.near_gaps_range", 10))
		}
		in.Criteria.NearGaps = n
	}
	return in, nil
}

// handleKeyFilterSave saves a new filter from the form and lists it.
func (s *Server) handleKeyFilterSave(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	in, err := keyFilterForm(r)
	var f project.KeyFilter
	if err == nil {
		f, err = s.Projects.SaveKeyFilter(r.Context(), st.actor, 0, in)
	}
	if isFormError(err) {
		s.keyLibraryPage(w, r, formStatus(err), in, formErrors(st.lang, err), "")
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/projects/key-enterprises?filter="+strconv.FormatInt(f.ID, 10), http.StatusSeeOther)
}

// handleKeyFilterDelete removes a saved filter.
func (s *Server) handleKeyFilterDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Projects.DeleteKeyFilter(r.Context(), state(r).actor, id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/projects/key-enterprises", http.StatusSeeOther)
}

// handleKeyEnterpriseSet puts an enterprise into the library by its
// credit code (or takes one out by id, remove=true).
func (s *Server) handleKeyEnterpriseSet(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	back := "/projects/key-enterprises"
	if r.PostFormValue("remove") == "true" {
		id, err := formID(r, "enterprise_id")
		if err == nil {
			_, err = s.Projects.SetKeyEnterprise(r.Context(), st.actor, id, false)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	code := strings.ToUpper(strings.TrimSpace(r.PostFormValue("credit_code")))
	if code == "" {
		s.keyLibraryPage(w, r, http.StatusUnprocessableEntity, project.KeyFilterInput{}, nil, i18n.T(st.lang, "error.required"))
		return
	}
	list, _, err := s.Cultivation.FindEnterprises(r.Context(), st.actor, cultivation.EnterpriseFilter{Query: code, PerPage: 5})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var id int64
	for _, e := range list {
		if e.CreditCode == code {
			id = e.ID
		}
	}
	if id == 0 {
		s.keyLibraryPage(w, r, http.StatusUnprocessableEntity, project.KeyFilterInput{}, nil, i18n.T(st.lang, "project.key_enterprise_unknown", code))
		return
	}
	if _, err := s.Projects.SetKeyEnterprise(r.Context(), st.actor, id, true); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// handleKeyLibraryExport sends the enterprises of one filter as .xlsx.
func (s *Server) handleKeyLibraryExport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, _, err := keyFilterID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var rows [][]any
	for page := 1; len(rows) < maxExportRows; page++ {
		list, total, err := s.Projects.KeyEnterprises(r.Context(), st.actor, id, page, 200)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, e := range list {
			rows = append(rows, []any{e.Name, e.CreditCode, s.regionLabel(r.Context(), e.RegionCode), e.Industry, e.Domain,
				tierLabel(st.lang, e.Standing(s.Now()).Tier), strings.Join(e.Tags, "、")})
		}
		if page*200 >= total || len(list) == 0 {
			break
		}
	}
	header := []string{i18n.T(st.lang, "field.name"), i18n.T(st.lang, "field.credit_code"), i18n.T(st.lang, "field.county"),
		i18n.T(st.lang, "field.industry"), i18n.T(st.lang, "field.domain"), i18n.T(st.lang, "cultivation.current_tier"),
		i18n.T(st.lang, "field.tags")}
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, sheet.Sheet{Name: "重点企业库", Header: header, Rows: rows}); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, i18n.T(st.lang, "project.keylib")+".xlsx", buf.Bytes())
}

// keyFilterQuery is the registry list link of a filter's criteria, so a
// user can refine it there.
func keyFilterQuery(f project.KeyFilter) string {
	k := f.Criteria
	v := url.Values{}
	for name, val := range map[string]string{"q": k.Query, "region": k.Region, "tier": k.Tier, "domain": k.Domain, "industry": k.Industry} {
		if val != "" {
			v.Set(name, val)
		}
	}
	if k.NearRuleSet != "" {
		v.Set("near", k.NearRuleSet) // the registry list keeps its own gap bound
	}
	return v.Encode()
}

// keyLibraryResponse is a page of the library in the API.
type keyLibraryResponse struct {
	Filter project.KeyFilter        `json:"filter"`
	Total  int                      `json:"total"`
	Page   int                      `json:"page"`
	Per    int                      `json:"per_page"`
	Items  []cultivation.Enterprise `json:"items"`
}

// handleAPIKeyFilters lists the saved filters the caller sees.
func (s *Server) handleAPIKeyFilters(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	list, err := s.Projects.KeyFilters(r.Context(), actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, nonNil(list))
}

// handleAPIKeyFilterSave creates (POST) or replaces (PUT …/{id}) a filter.
func (s *Server) handleAPIKeyFilterSave(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	var in project.KeyFilterInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.Projects.SaveKeyFilter(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, f)
}

// handleAPIKeyFilterDelete removes a saved filter.
func (s *Server) handleAPIKeyFilterDelete(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	if err := s.Projects.DeleteKeyFilter(r.Context(), actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAPIKeyEnterprises lists a page of the library under ?filter=.
func (s *Server) handleAPIKeyEnterprises(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	id := q.ID("filter")
	page, per := q.Page(25, 200)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Projects.KeyEnterprises(r.Context(), actor, id, page, per)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := project.DefaultKeyFilter
	if id != 0 {
		filters, err := s.Projects.KeyFilters(r.Context(), actor)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, k := range filters {
			if k.ID == id {
				f = k
			}
		}
	}
	writeJSON(w, http.StatusOK, keyLibraryResponse{Filter: f, Total: total, Page: max(page, 1), Per: per, Items: nonNil(list)})
}

// handleAPIKeyEnterpriseSet puts an enterprise into the library by hand
// (PUT) or takes it out (DELETE).
func (s *Server) handleAPIKeyEnterpriseSet(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, id, ok := s.apiActorID(w, r)
		if !ok {
			return
		}
		e, err := s.Projects.SetKeyEnterprise(r.Context(), actor, id, on)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, e.MaskContact())
	}
}
