package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kechuang/internal/directory"
)

type fundListData struct {
	Items     []directory.Fund
	Filter    directory.FundFilter
	Pager     pager
	Regions   []formOption
	Domains   []formOption
	CanCreate bool
	Tools     dirListTools
}

// fundFilter reads the list's query parameters.
func (s *Server) fundFilter(r *http.Request) (directory.FundFilter, error) {
	q := newQuery(r)
	f := directory.FundFilter{Query: q.Text("q"), Type: q.Enum("type", s.dirCodes("fund_type")...),
		Stage: q.Enum("stage", s.dirCodes("stage")...), Domain: q.Text("domain"), Region: q.RegionCode("region"),
		Paging: dirPaging(q)}
	return f, q.Err()
}

// handleFundList lists the funds the viewer may see.
func (s *Server) handleFundList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.fundFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Directory.FindFunds(r.Context(), st.actor, f)
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
	s.render(w, r, http.StatusOK, "directory/funds", s.newPage(r, "directory.funds", "directory",
		fundListData{Items: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total),
			Regions: regionOptions(s.regionChoices(r)), Domains: s.domainOptions(), CanCreate: ab.Manage,
			Tools: s.dirTools(r, "/directory/funds", "/directory/imports/funds")}))
}

type fundData struct {
	F           directory.Fund
	Summary     directory.PortfolioSummary
	Investments []directory.Investment
	Done        string
	// InvestmentForm adds a portfolio row: shown to the fund's editors.
	InvestmentForm dirFormData
}

// handleFund shows a fund with its portfolio; amounts only to its editors
// and staff in scope.
func (s *Server) handleFund(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.fundPage(w, r, http.StatusOK, id, dirFormData{Values: url.Values{}})
}

func (s *Server) fundPage(w http.ResponseWriter, r *http.Request, status int, id int64, form dirFormData) {
	st := state(r)
	f, err := s.Directory.GetFund(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sum, err := s.Directory.Portfolio(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	inv, _, err := s.Directory.FindInvestments(r.Context(), st.actor, id, directory.InvestmentFilter{Paging: directory.Paging{PerPage: 200}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	form.Action = "/directory/funds/" + strconv.FormatInt(id, 10) + "/investments"
	form.Fields = []formField{{Name: "name", Type: "text", Required: true, Label: "directory.investee"},
		{Name: "credit_code", Type: "text"}, {Name: "round", Type: "select", Required: true, Options: s.choiceOptions(st.lang, "round")},
		{Name: "investment_amount", Type: "number", Required: true}, {Name: "invested_on", Type: "date", Required: true},
		{Name: "note", Type: "textarea"}}
	s.render(w, r, status, "directory/fund", s.newPage(r, "directory.fund", "directory",
		fundData{F: f, Summary: sum, Investments: inv, Done: r.URL.Query().Get("done"), InvestmentForm: form}))
}

// handleFundInvestmentAdd adds a portfolio row from the fund page's form.
func (s *Server) handleFundInvestmentAdd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	v := formValues(r)
	errs := map[string]string{}
	in := directory.InvestmentInput{Name: v.Get("name"), CreditCode: v.Get("credit_code"), Round: v.Get("round"),
		Amount: formFloat(v, "investment_amount", st.lang, errs), InvestedOn: v.Get("invested_on"), Note: v.Get("note")}
	if len(errs) == 0 {
		_, err = s.Directory.AddInvestment(r.Context(), st.actor, id, in)
		if err != nil && !isFormError(err) {
			s.writeError(w, r, err)
			return
		}
		if err != nil {
			errs = formErrors(st.lang, err)
		}
	}
	if len(errs) > 0 {
		s.fundPage(w, r, http.StatusUnprocessableEntity, id, dirFormData{Values: v, Errors: errs})
		return
	}
	http.Redirect(w, r, "/directory/funds/"+strconv.FormatInt(id, 10)+"?done=investment_added#portfolio", http.StatusSeeOther)
}

func (s *Server) fundForm(r *http.Request, manage bool) []formField {
	lang := state(r).lang
	f := []formField{{Name: "name", Type: "text", Required: true},
		{Name: "type", Type: "select", Required: true, Options: s.choiceOptions(lang, "fund_type")},
		{Name: "manager", Type: "text"}, {Name: "manager_code", Type: "text"}}
	if manage {
		f = append(f, formField{Name: "region_code", Type: "select", Required: true, Options: regionOptions(s.regionChoices(r))})
	}
	f = append(f, formField{Name: "visibility", Type: "select", Options: s.choiceOptions(lang, "visibility")},
		formField{Name: "subscribed", Type: "number", Required: true}, formField{Name: "paid", Type: "number"},
		formField{Name: "stages", Type: "multi", Options: s.choiceOptions(lang, "stage")},
		formField{Name: "domains", Type: "multi", Options: s.domainOptions()},
		formField{Name: "established", Type: "date"}, formField{Name: "summary", Type: "textarea"})
	return append(f, contactFields...)
}

func fundValues(f directory.Fund) url.Values {
	return url.Values{"name": {f.Name}, "type": {f.Type}, "manager": {f.Manager}, "manager_code": {f.ManagerCode},
		"region_code": {f.RegionCode}, "visibility": {string(f.Visibility)}, "subscribed": {num(f.Subscribed)},
		"paid": {num(f.Paid)}, "stages": f.Stages, "domains": f.Domains, "established": {f.Established},
		"summary": {f.Summary}, "contact_name": {f.Contact.Name}, "contact_phone": {f.Contact.Phone},
		"contact_email": {f.Contact.Email}}
}

func fundInput(v url.Values, lang string, ownerID int64, errs map[string]string) directory.FundInput {
	return directory.FundInput{Name: v.Get("name"), Type: v.Get("type"), Manager: v.Get("manager"),
		ManagerCode: v.Get("manager_code"), Subscribed: formFloat(v, "subscribed", lang, errs), Paid: formFloat(v, "paid", lang, errs),
		Stages: multiOf(v, "stages"), Domains: multiOf(v, "domains"), Established: v.Get("established"),
		Summary: v.Get("summary"), Contact: directory.Contact{Name: v.Get("contact_name"), Phone: v.Get("contact_phone"),
			Email: v.Get("contact_email")}, RegionCode: v.Get("region_code"),
		Visibility: directory.Visibility(v.Get("visibility")), OwnerID: ownerID}
}

// handleFundNew shows the form to add a fund (staff).
func (s *Server) handleFundNew(w http.ResponseWriter, r *http.Request) {
	if !s.mayManageDirectory(w, r) {
		return
	}
	s.renderDirForm(w, r, http.StatusOK, "directory.new_fund", dirFormData{Back: "/directory/funds",
		Action: "/directory/funds", Fields: s.fundForm(r, true), Values: url.Values{"visibility": {"public"}}})
}

// handleFundCreate adds a fund from the form.
func (s *Server) handleFundCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	v := formValues(r)
	errs := map[string]string{}
	in := fundInput(v, st.lang, 0, errs)
	data := dirFormData{Back: "/directory/funds", Action: "/directory/funds", Fields: s.fundForm(r, true), Values: v, Errors: errs}
	var f directory.Fund
	var err error
	if len(errs) == 0 {
		f, err = s.Directory.CreateFund(r.Context(), st.actor, in)
	}
	s.saveDirForm(w, r, err, "directory.new_fund", data, "/directory/funds/"+strconv.FormatInt(f.ID, 10)+"?done=created")
}

// editableFund loads a fund the actor edits, else NotFound.
func (s *Server) editableFund(r *http.Request) (directory.Fund, error) {
	id, err := pathID(r)
	if err != nil {
		return directory.Fund{}, err
	}
	f, err := s.Directory.GetFund(r.Context(), state(r).actor, id)
	if err == nil && !f.Perms.Edit {
		err = errNotFound()
	}
	return f, err
}

// handleFundEdit shows a fund's form to its editors.
func (s *Server) handleFundEdit(w http.ResponseWriter, r *http.Request) {
	f, err := s.editableFund(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	back := "/directory/funds/" + strconv.FormatInt(f.ID, 10)
	s.renderDirForm(w, r, http.StatusOK, "directory.edit_fund", dirFormData{Back: back, Action: back,
		Fields: s.fundForm(r, f.Perms.Manage), Values: fundValues(f)})
}

// handleFundUpdate saves a fund's form; the owner stays as it is.
func (s *Server) handleFundUpdate(w http.ResponseWriter, r *http.Request) {
	f, err := s.editableFund(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	v := formValues(r)
	errs := map[string]string{}
	in := fundInput(v, st.lang, f.OwnerID, errs)
	back := "/directory/funds/" + strconv.FormatInt(f.ID, 10)
	data := dirFormData{Back: back, Action: back, Fields: s.fundForm(r, f.Perms.Manage), Values: v, Errors: errs}
	if len(errs) == 0 {
		_, err = s.Directory.UpdateFund(r.Context(), st.actor, f.ID, in)
	}
	s.saveDirForm(w, r, err, "directory.edit_fund", data, back+"?done=updated")
}
