package web

import (
	"net/http"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/project"
	"kechuang/internal/workday"
)

// projectForm is the project form as typed, so that a refused form comes
// back with what the user wrote.
type projectForm struct {
	Type, Name, RegionCode, UnitID, LeadName, Team, Enterprises string
	TotalInvestment, AnnualInvestment, PlanYear                 string
	PlannedStart, PlannedEnd, Description                       string
}

type projectFormData struct {
	Form     projectForm
	Errors   map[string]string
	Action   string
	Edit     bool
	Types    []project.Type
	Counties []countyOption
	Units    []project.Unit
}

// handleProjectNew shows the empty project form.
func (s *Server) handleProjectNew(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	if !project.CanCreateProject(st.actor) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "project.only_staff"))
		return
	}
	f := projectForm{Type: r.URL.Query().Get("type")}
	if cs := s.countyChoices(r); len(cs) > 0 {
		f.RegionCode = cs[0].Code
	}
	s.projectFormPage(w, r, http.StatusOK, 0, f, nil)
}

// handleProjectEdit shows the form of an existing project.
func (s *Server) handleProjectEdit(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Projects.GetProject(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !project.CanEditProject(st.actor, p) {
		s.writeError(w, r, apperr.New(apperr.Conflict, "project.closed"))
		return
	}
	var team []string
	for _, m := range p.Team {
		team = append(team, strings.TrimRight(m.Name+"，"+m.Title+"，"+m.Phone, "，"))
	}
	var ents []string
	for _, e := range p.EnterpriseIDs {
		ents = append(ents, strconv.FormatInt(e, 10))
	}
	f := projectForm{Type: p.Type, Name: p.Name, RegionCode: p.RegionCode, UnitID: strconv.FormatInt(p.UnitID, 10), LeadName: p.LeadName,
		Team: strings.Join(team, "\n"), Enterprises: strings.Join(ents, ","), TotalInvestment: wanText(p.TotalInvestment),
		AnnualInvestment: wanText(p.AnnualInvestment), PlanYear: strconv.Itoa(p.PlanYear), PlannedStart: p.PlannedStart.String(),
		PlannedEnd: p.PlannedEnd.String(), Description: p.Description}
	s.projectFormPage(w, r, http.StatusOK, id, f, nil)
}

func (s *Server) projectFormPage(w http.ResponseWriter, r *http.Request, status int, id int64, f projectForm, errs map[string]string) {
	st := state(r)
	data := projectFormData{Form: f, Errors: errs, Action: "/projects", Edit: id != 0, Types: s.Projects.Types().All()}
	title := "project.new"
	if id != 0 {
		data.Action, title = "/projects/"+strconv.FormatInt(id, 10), "project.edit"
	}
	for _, c := range s.countyChoices(r) {
		data.Counties = append(data.Counties, countyOption{c.Code, c.Name})
	}
	units, _, err := s.Projects.FindUnits(r.Context(), st.actor, project.UnitFilter{ActiveOnly: true, PerPage: 200})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data.Units = units
	s.render(w, r, status, "project/form", s.newPage(r, title, "projects", data))
}

// handleProjectCreate saves the new project form.
func (s *Server) handleProjectCreate(w http.ResponseWriter, r *http.Request) { s.saveProject(w, r, 0) }

// handleProjectUpdate saves the form of an existing project.
func (s *Server) handleProjectUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.saveProject(w, r, id)
}

func (s *Server) saveProject(w http.ResponseWriter, r *http.Request, id int64) {
	st := state(r)
	f := projectForm{Type: r.PostFormValue("type"), Name: r.PostFormValue("name"), RegionCode: r.PostFormValue("region_code"),
		UnitID: r.PostFormValue("unit_id"), LeadName: r.PostFormValue("lead_name"), Team: r.PostFormValue("team"),
		Enterprises: r.PostFormValue("enterprise_ids"), TotalInvestment: r.PostFormValue("total_investment"),
		AnnualInvestment: r.PostFormValue("annual_investment"), PlanYear: r.PostFormValue("plan_year"),
		PlannedStart: r.PostFormValue("planned_start"), PlannedEnd: r.PostFormValue("planned_end"),
		Description: r.PostFormValue("description")}
	in, errs := projectInput(st.lang, f)
	var p project.Project
	var err error
	if id != 0 {
		// A project outside the actor's scope is absent, whatever was typed.
		old, err := s.Projects.GetProject(r.Context(), st.actor, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		in.Type, f.Type = old.Type, old.Type
	}
	if len(errs) == 0 {
		if id == 0 {
			p, err = s.Projects.CreateProject(r.Context(), st.actor, in)
		} else {
			p, err = s.Projects.UpdateProject(r.Context(), st.actor, id, in)
		}
		if isFormError(err) {
			errs = formErrors(st.lang, err)
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.projectFormPage(w, r, http.StatusUnprocessableEntity, id, f, errs)
		return
	}
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

// projectInput reads the form into the domain's input; what cannot be read
// (a number, a date, a team line) is an error beside its field.
func projectInput(lang string, f projectForm) (project.ProjectInput, map[string]string) {
	errs := map[string]string{}
	in := project.ProjectInput{Type: f.Type, Name: f.Name, RegionCode: strings.TrimSpace(f.RegionCode), LeadName: f.LeadName,
		Description: f.Description, Team: []project.TeamMember{}, EnterpriseIDs: []int64{}}
	if v := strings.TrimSpace(f.UnitID); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			errs["unit_id"] = i18n.T(lang, "project.unit_not_found")
		}
		in.UnitID = n
	}
	for _, fld := range []struct {
		name string
		text string
		dst  *float64
	}{{"total_investment", f.TotalInvestment, &in.TotalInvestment}, {"annual_investment", f.AnnualInvestment, &in.AnnualInvestment}} {
		v, err := formNumber(fld.text)
		if err != nil {
			errs[fld.name] = i18n.T(lang, "error.number")
		} else if v != nil {
			*fld.dst = *v
		}
	}
	if v := strings.TrimSpace(f.PlanYear); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs["plan_year"] = i18n.T(lang, "error.number")
		}
		in.PlanYear = n
	}
	for _, fld := range []struct {
		name string
		text string
		dst  *workday.Date
	}{{"planned_start", f.PlannedStart, &in.PlannedStart}, {"planned_end", f.PlannedEnd, &in.PlannedEnd}} {
		if v := strings.TrimSpace(fld.text); v != "" {
			d, err := workday.ParseDate(v)
			if err != nil {
				errs[fld.name] = i18n.T(lang, "error.date_format")
			}
			*fld.dst = d
		}
	}
	for _, line := range strings.Split(f.Team, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		parts := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '，' || r == '\t' })
		m := project.TeamMember{Name: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			m.Title = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			m.Phone = strings.TrimSpace(parts[2])
		}
		in.Team = append(in.Team, m)
	}
	for _, v := range splitList(f.Enterprises) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			errs["enterprise_ids"] = i18n.T(lang, "project.enterprise_not_found")
			break
		}
		in.EnterpriseIDs = append(in.EnterpriseIDs, n)
	}
	return in, errs
}
