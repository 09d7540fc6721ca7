package web

import (
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/directory"
	"kechuang/internal/i18n"
	"kechuang/internal/region"
)

// directoryModule is the 资源库: institutions with their platforms,
// experts, service organisations, incubation carriers with their tenants,
// and funds with their portfolio — pages under /directory and the API.
// Anyone may open it: the service decides what each viewer sees.
func (s *Server) directoryModule() module {
	return module{Key: "directory", Path: "/directory", Order: 50, Card: true, Ready: true, Visible: everyone,
		Funcs: template.FuncMap{
			"dirLabel":    s.dirLabel,
			"dirRatio":    dirRatio,
			"dirAmount":   dirAmount,
			"dirHas":      func(v url.Values, name, value string) bool { return slices.Contains(v[name], value) },
			"dirJoin":     func(vs []string) string { return strings.Join(vs, "、") },
			"tenantSpace": tenantSpace,
			"dirChoices":  s.dirChoices,
			"deref":       func(r *directory.Ratio) directory.Ratio { return *r },
		},
		Routes: func(rt *router) {
			rt.open("GET /directory", s.handleDirectoryHome)
			rt.open("GET /directory/search", s.handleDirectorySearch)
			rt.open("GET /directory/institutions", s.handleInstitutionList)
			rt.signedIn("GET /directory/institutions/new", s.handleInstitutionNew)
			rt.signedIn("POST /directory/institutions", s.handleInstitutionCreate)
			rt.open("GET /directory/institutions/{id}", s.handleInstitution)
			rt.signedIn("GET /directory/institutions/{id}/edit", s.handleInstitutionEdit)
			rt.signedIn("POST /directory/institutions/{id}", s.handleInstitutionUpdate)
			rt.signedIn("POST /directory/institutions/{id}/platforms", s.handleInstitutionPlatformAdd)
			rt.open("GET /directory/experts", s.handleExpertList)
			rt.signedIn("GET /directory/experts/new", s.handleExpertNew)
			rt.signedIn("POST /directory/experts", s.handleExpertCreate)
			rt.open("GET /directory/experts/{id}", s.handleExpert)
			rt.signedIn("GET /directory/experts/{id}/edit", s.handleExpertEdit)
			rt.signedIn("POST /directory/experts/{id}", s.handleExpertUpdate)
			rt.signedIn("POST /directory/experts/{id}/consent", s.handleExpertConsent)
			rt.signedIn("POST /directory/experts/{id}/account", s.handleExpertAccountLink)
			rt.open("GET /directory/service-orgs", s.handleServiceOrgList)
			rt.signedIn("GET /directory/service-orgs/new", s.handleServiceOrgNew)
			rt.signedIn("POST /directory/service-orgs", s.handleServiceOrgCreate)
			rt.open("GET /directory/service-orgs/{id}", s.handleServiceOrg)
			rt.signedIn("GET /directory/service-orgs/{id}/edit", s.handleServiceOrgEdit)
			rt.signedIn("POST /directory/service-orgs/{id}", s.handleServiceOrgUpdate)
			rt.open("GET /directory/carriers", s.handleCarrierList)
			rt.importRoutes(s.carrierImport())
			rt.signedIn("GET /directory/carriers/new", s.handleCarrierNew)
			rt.signedIn("POST /directory/carriers", s.handleCarrierCreate)
			rt.open("GET /directory/carriers/{id}", s.handleCarrier)
			rt.signedIn("GET /directory/carriers/{id}/edit", s.handleCarrierEdit)
			rt.signedIn("POST /directory/carriers/{id}", s.handleCarrierUpdate)
			rt.signedIn("POST /directory/carriers/{id}/tenants", s.handleCarrierTenantAdd)
			rt.signedIn("POST /directory/carriers/{id}/tenants/{tenant}/exit", s.handleCarrierTenantExit)
			rt.open("GET /directory/funds", s.handleFundList)
			rt.signedIn("GET /directory/funds/new", s.handleFundNew)
			rt.signedIn("POST /directory/funds", s.handleFundCreate)
			rt.open("GET /directory/funds/{id}", s.handleFund)
			rt.signedIn("GET /directory/funds/{id}/edit", s.handleFundEdit)
			rt.signedIn("POST /directory/funds/{id}", s.handleFundUpdate)
			rt.signedIn("POST /directory/funds/{id}/investments", s.handleFundInvestmentAdd)
			for _, p := range s.recordImports() {
				rt.importRoutes(p)
			}
			s.directoryExportRoutes(rt)
			rt.signedIn("GET /directory/me/expert", s.handleMyExpert)
			rt.signedIn("GET /directory/me/expert/export.json", s.handleMyExpertExportJSON)
			rt.signedIn("GET /directory/me/expert/export.xlsx", s.handleMyExpertExportXLSX)
			rt.signedIn("POST /directory/me/expert/deletion-request", s.handleMyExpertDeletionRequest)
			rt.signedIn("GET /directory/deletion-requests", s.handleDeletionRequests)
			rt.signedIn("POST /directory/deletion-requests/{id}/decide", s.handleDeletionDecide)

			rt.api("GET /api/v1/directory/search", s.handleAPIDirectorySearch)
			rt.api("GET /api/v1/institutions", s.handleAPIInstitutions)
			rt.api("POST /api/v1/institutions", s.handleAPIInstitutionCreate)
			rt.api("GET /api/v1/institutions/{id}", s.handleAPIInstitution)
			rt.api("PUT /api/v1/institutions/{id}", s.handleAPIInstitutionUpdate)
			rt.api("GET /api/v1/experts", s.handleAPIExperts)
			rt.api("POST /api/v1/experts", s.handleAPIExpertCreate)
			rt.api("GET /api/v1/experts/{id}", s.handleAPIExpert)
			rt.api("PUT /api/v1/experts/{id}", s.handleAPIExpertUpdate)
			rt.api("GET /api/v1/service-orgs", s.handleAPIServiceOrgs)
			rt.api("POST /api/v1/service-orgs", s.handleAPIServiceOrgCreate)
			rt.api("GET /api/v1/service-orgs/{id}", s.handleAPIServiceOrg)
			rt.api("PUT /api/v1/service-orgs/{id}", s.handleAPIServiceOrgUpdate)
			rt.api("GET /api/v1/carriers", s.handleAPICarriers)
			rt.api("POST /api/v1/carriers", s.handleAPICarrierCreate)
			rt.api("GET /api/v1/carriers/{id}", s.handleAPICarrier)
			rt.api("PUT /api/v1/carriers/{id}", s.handleAPICarrierUpdate)
			rt.api("GET /api/v1/funds", s.handleAPIFunds)
			rt.api("POST /api/v1/funds", s.handleAPIFundCreate)
			rt.api("GET /api/v1/funds/{id}", s.handleAPIFund)
			rt.api("PUT /api/v1/funds/{id}", s.handleAPIFundUpdate)
			rt.api("GET /api/v1/me/expert", s.handleAPIMyExpert)
			rt.api("GET /api/v1/me/expert/export", s.handleAPIMyExpertExport)
			rt.api("POST /api/v1/me/expert/deletion-request", s.handleAPIMyExpertDeletionRequest)
			rt.api("GET /api/v1/expert-deletion-requests", s.handleAPIDeletionRequests)
			rt.api("POST /api/v1/expert-deletion-requests/{id}/decide", s.handleAPIDeletionDecide)
		}}
}

// dirChoices returns the reference list named list: the codes a filter or
// a form field of that name takes, with their labels.
func (s *Server) dirChoices(list string) directory.Choices {
	ref := s.Directory.Reference()
	switch list {
	case "institution_type":
		return ref.InstitutionTypes
	case "institution_level":
		return ref.InstitutionLevels
	case "platform_kind":
		return ref.PlatformKinds
	case "platform_level":
		return ref.PlatformLevels
	case "expert_role":
		return ref.ExpertRoles
	case "public_field":
		return ref.PublicFields
	case "service_org_type":
		return ref.ServiceOrgTypes
	case "carrier_kind":
		out := make(directory.Choices, len(ref.CarrierKinds))
		for i, k := range ref.CarrierKinds {
			out[i] = k.Choice
		}
		return out
	case "carrier_level":
		return ref.CarrierLevels
	case "exit_reason":
		return ref.ExitReasons
	case "fund_type":
		return ref.FundTypes
	case "stage":
		return ref.Stages
	case "round":
		return ref.Rounds
	case "measure":
		return ref.MeasureLabels
	case "visibility":
		out := make(directory.Choices, len(directory.Visibilities))
		for i, v := range directory.Visibilities {
			k := "directory.visibility." + string(v)
			out[i] = directory.Choice{Code: string(v), ZH: i18n.T(i18n.Chinese, k), EN: i18n.T(i18n.English, k)}
		}
		return out
	}
	panic("web: no directory choice list " + list) // a programmer error, found by the page tests
}

// dirLabel is the label of code in the reference list named list.
func (s *Server) dirLabel(lang, list, code string) string {
	if code == "" {
		return ""
	}
	return s.dirChoices(list).Label(lang, code)
}

// dirCodes lists the codes of a reference list, for query enums.
func (s *Server) dirCodes(list string) []string {
	cs := s.dirChoices(list)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

// dirRatio shows a ratio as a percentage with one decimal, "—" when it has
// no denominator.
func dirRatio(r directory.Ratio) string {
	v, ok := r.Value()
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(math.Round(v*1000)/10, 'f', -1, 64) + "%"
}

// dirAmount shows an amount in 万元, "—" when hidden.
func dirAmount(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// dirPaging reads page and per_page.
func dirPaging(q *query) directory.Paging {
	page, per := q.Page(25, 200)
	return directory.Paging{Page: page, PerPage: per}
}

// formOption is one option of a select.
type formOption struct{ Value, Label string }

// formField is one field of a directory form: its name is the form field,
// the error field the service names and, as field.<name>, its label.
type formField struct {
	Name     string
	Type     string // text, textarea, select, multi, date, number, email
	Options  []formOption
	Required bool
	// Empty is the label of the empty option of a select ("" for none).
	Empty string
	// Label is the catalog key of the label when it is not field.<Name>;
	// Hint a line of help under the field.
	Label, Hint string
}

// dirFormData is what templates/directory/form.html shows.
type dirFormData struct {
	Back   string // the page the form came from
	Action string
	Fields []formField
	Values url.Values
	Errors map[string]string
	// Extra is a line above the form (the privacy notice for experts).
	Extra string
}

func (s *Server) choiceOptions(lang, list string) []formOption {
	cs := s.dirChoices(list)
	out := make([]formOption, len(cs))
	for i, c := range cs {
		out[i] = formOption{c.Code, c.Label(lang)}
	}
	return out
}

func regionOptions(rs []region.Region) []formOption {
	out := make([]formOption, len(rs))
	for i, r := range rs {
		out[i] = formOption{r.Code, r.Name}
	}
	return out
}

// domainOptions are the high-tech domains, top levels only.
func (s *Server) domainOptions() []formOption {
	var out []formOption
	for _, d := range s.Directory.Reference().Domains {
		out = append(out, formOption{d.Name, d.Name})
	}
	return out
}

// disciplineOptions are the CSL disciplines.
func (s *Server) disciplineOptions() []formOption {
	var out []formOption
	for _, d := range s.Directory.Reference().Disciplines {
		out = append(out, formOption{d.Name, d.Name})
	}
	return out
}

// contactFields are the contact person's fields every record but experts
// has.
var contactFields = []formField{{Name: "contact_name", Type: "text"}, {Name: "contact_phone", Type: "text"},
	{Name: "contact_email", Type: "email"}}

// renderDirForm shows a directory form with status.
func (s *Server) renderDirForm(w http.ResponseWriter, r *http.Request, status int, title string, data dirFormData) {
	s.render(w, r, status, "directory/form", s.newPage(r, title, "directory", data))
}

// formValues reads the posted form as url.Values, trimmed, for the form
// shown again.
func formValues(r *http.Request) url.Values {
	out := url.Values{}
	for k, vs := range r.PostForm {
		if k == "csrf_token" {
			continue
		}
		for _, v := range vs {
			out.Add(k, strings.TrimSpace(v))
		}
	}
	return out
}

// formFloat reads a number field, adding an error for text that is not
// one; empty is 0.
func formFloat(v url.Values, name, lang string, errs map[string]string) float64 {
	f, err := formNumber(v.Get(name))
	if err != nil {
		errs[name] = i18n.T(lang, "error.number")
		return 0
	}
	if f == nil {
		return 0
	}
	return *f
}

// formInt reads a whole-number field like formFloat.
func formInt(v url.Values, name, lang string, errs map[string]string) int {
	f := formFloat(v, name, lang, errs)
	if f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		errs[name] = i18n.T(lang, "error.number")
		return 0
	}
	return int(f)
}

// listOf splits a one-line list field.
func listOf(v url.Values, name string) []string { return nonNil(splitList(v.Get(name))) }

// multiOf is the selected values of a multiple select.
func multiOf(v url.Values, name string) []string {
	var out []string
	for _, x := range v[name] {
		if x != "" {
			out = append(out, x)
		}
	}
	return nonNil(out)
}

// setList stores a list in v as one field.
func setList(v url.Values, name string, vs []string) { v.Set(name, strings.Join(vs, "、")) }

// num formats a number for a form field, "" for 0.
func num(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// saveDirForm ends a form post: an error the form can show goes back to
// it (422, or the status formStatus gives), another is an error page, and
// success redirects to the record.
func (s *Server) saveDirForm(w http.ResponseWriter, r *http.Request, err error, title string, data dirFormData, done string) {
	if err != nil && !isFormError(err) {
		s.writeError(w, r, err)
		return
	}
	if err != nil {
		data.Errors = formErrors(state(r).lang, err)
	}
	if len(data.Errors) > 0 {
		status := http.StatusUnprocessableEntity
		if err != nil {
			status = formStatus(err)
		}
		s.renderDirForm(w, r, status, title, data)
		return
	}
	http.Redirect(w, r, done, http.StatusSeeOther)
}

// errNotFound is the answer for a record the viewer may not open (or edit).
func errNotFound() error { return apperr.New(apperr.NotFound, "directory.not_found") }

// errOnlyStaff answers a form only staff may use.
func errOnlyStaff() error { return apperr.New(apperr.Forbidden, "directory.only_staff") }

// mayManageDirectory reports whether the viewer may add records that only
// staff add, answering the request itself when not.
func (s *Server) mayManageDirectory(w http.ResponseWriter, r *http.Request) bool {
	ab, err := s.Directory.Abilities(r.Context(), state(r).actor)
	if err == nil && !ab.Manage {
		err = errOnlyStaff()
	}
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	return true
}
