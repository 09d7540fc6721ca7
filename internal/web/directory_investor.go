package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kechuang/internal/directory"
)

type investorListData struct {
	Items   []directory.InvestorPreferences
	Filter  directory.InvestorFilter
	Pager   pager
	Regions []formOption
	Domains []formOption
	// Mine is the viewer's own account when it is an investor.
	Mine int64
}

// investorFilter reads the list's query parameters.
func (s *Server) investorFilter(r *http.Request) (directory.InvestorFilter, error) {
	q := newQuery(r)
	f := directory.InvestorFilter{Query: q.Text("q"), Domain: q.Text("domain"), Stage: q.Enum("stage", s.dirCodes("stage")...),
		Region: q.RegionCode("region"), Paging: dirPaging(q)}
	return f, q.Err()
}

// handleInvestorList lists the investors' preferences the viewer may see:
// logged-in accounts see members-only ones, visitors only those an
// investor made public.
func (s *Server) handleInvestorList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.investorFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Directory.FindInvestorPreferences(r.Context(), st.actor, f)
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
	data := investorListData{Items: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total),
		Regions: regionOptions(s.regionChoices(r)), Domains: s.domainOptions()}
	if ab.InvestorPreferences {
		data.Mine = st.actor.UserID
	}
	s.render(w, r, http.StatusOK, "directory/investors", s.newPage(r, "directory.investors", "directory", data))
}

type investorData struct {
	P    directory.InvestorPreferences
	Done string
}

// handleInvestor shows one investor's preferences.
func (s *Server) handleInvestor(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Directory.GetInvestorPreferences(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "directory/investor", s.newPage(r, "directory.investor", "directory",
		investorData{P: p, Done: r.URL.Query().Get("done")}))
}

func (s *Server) investorForm(r *http.Request, manage bool) []formField {
	lang := state(r).lang
	f := []formField{{Name: "domains", Type: "multi", Options: s.domainOptions()},
		{Name: "stages", Type: "multi", Options: s.choiceOptions(lang, "stage")},
		{Name: "ticket_min", Type: "number"}, {Name: "ticket_max", Type: "number"},
		{Name: "regions", Type: "multi", Options: regionOptions(s.regionChoices(r)), Hint: "directory.regions_hint"},
		{Name: "note", Type: "textarea"},
		{Name: "visibility", Type: "select", Options: s.choiceOptions(lang, "visibility"), Hint: "directory.investor_visibility_hint"}}
	if manage {
		f = append(f, formField{Name: "region_code", Type: "select", Required: true, Options: regionOptions(s.regionChoices(r))})
	}
	return f
}

func numPtr(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// formFloatPtr reads an optional number field: nil when empty.
func formFloatPtr(v url.Values, name, lang string, errs map[string]string) *float64 {
	if v.Get(name) == "" {
		return nil
	}
	f := formFloat(v, name, lang, errs)
	return &f
}

// handleInvestorEdit shows an investor's preferences form to the investor
// and staff in scope; anyone else gets 404.
func (s *Server) handleInvestorEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Directory.InvestorPreferencesToEdit(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	back := "/directory/investors/" + strconv.FormatInt(id, 10)
	s.renderDirForm(w, r, http.StatusOK, "directory.edit_investor", dirFormData{Back: "/directory/investors", Action: back,
		Fields: s.investorForm(r, p.Perms.Manage), Values: url.Values{"domains": p.Domains, "stages": p.Stages,
			"ticket_min": {numPtr(p.TicketMin)}, "ticket_max": {numPtr(p.TicketMax)}, "regions": p.Regions, "note": {p.Note},
			"visibility": {string(p.Visibility)}, "region_code": {p.RegionCode}}})
}

// handleInvestorUpdate saves an investor's preferences form.
func (s *Server) handleInvestorUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	p, err := s.Directory.InvestorPreferencesToEdit(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := formValues(r)
	errs := map[string]string{}
	in := directory.InvestorInput{Domains: multiOf(v, "domains"), Stages: multiOf(v, "stages"),
		TicketMin: formFloatPtr(v, "ticket_min", st.lang, errs), TicketMax: formFloatPtr(v, "ticket_max", st.lang, errs),
		Regions: multiOf(v, "regions"), Note: v.Get("note"), Visibility: directory.Visibility(v.Get("visibility"))}
	if p.Perms.Manage {
		in.RegionCode = v.Get("region_code")
	}
	back := "/directory/investors/" + strconv.FormatInt(id, 10)
	data := dirFormData{Back: "/directory/investors", Action: back, Fields: s.investorForm(r, p.Perms.Manage), Values: v, Errors: errs}
	if len(errs) == 0 {
		_, err = s.Directory.PutInvestorPreferences(r.Context(), st.actor, id, in)
	}
	s.saveDirForm(w, r, err, "directory.edit_investor", data, back+"?done=updated")
}
