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

// reportProblemRows is how many problem rows the report form offers.
const reportProblemRows = 3

type reportForm struct {
	Month, InvestmentMonth, InvestmentTotal, Progress, NextPlan string
	Problems                                                    []project.Problem
}

type reportFormData struct {
	Project    project.Project
	Form       reportForm
	Errors     map[string]string
	Categories []project.Category
	Deadline   string
}

// handleProjectReport shows the monthly report form of a project, filled
// with the month's report when one was filed (?month=, default this month).
func (s *Server) handleProjectReport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	p, ok := s.reportableProject(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	month := q.Text("month")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if month == "" {
		month = workday.DateOf(s.Now()).String()[:7]
	}
	f := reportForm{Month: month}
	reports, err := s.Projects.Reports(r.Context(), st.actor, p.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, rep := range reports {
		if rep.Month == month {
			f = reportForm{Month: month, InvestmentMonth: wanText(rep.InvestmentMonth), InvestmentTotal: wanText(rep.InvestmentTotal),
				Progress: rep.Progress, NextPlan: rep.NextPlan, Problems: rep.Problems}
		}
	}
	s.reportFormPage(w, r, http.StatusOK, p, f, nil)
}

// reportableProject reads the project of the path and checks that the
// actor may report on it: absent outside its scope, a conflict while the
// project does not report.
func (s *Server) reportableProject(w http.ResponseWriter, r *http.Request) (project.Project, bool) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return project.Project{}, false
	}
	p, err := s.Projects.GetProject(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return p, false
	}
	if !project.CanReport(st.actor, p) {
		s.writeError(w, r, apperr.New(apperr.Conflict, "project.not_reporting"))
		return p, false
	}
	return p, true
}

func (s *Server) reportFormPage(w http.ResponseWriter, r *http.Request, status int, p project.Project, f reportForm, errs map[string]string) {
	for len(f.Problems) < reportProblemRows {
		f.Problems = append(f.Problems, project.Problem{})
	}
	data := reportFormData{Project: p, Form: f, Errors: errs, Categories: project.ProblemCategories}
	if d, err := s.Projects.Deadline(f.Month); err == nil {
		data.Deadline = d.String()
	}
	pg := s.newPage(r, "project.report_month", "projects", data)
	pg.Title = i18n.T(state(r).lang, "project.report_month") + " · " + p.Name
	s.render(w, r, status, "project/report", pg)
}

// handleProjectReportSubmit files the month's report from the form.
func (s *Server) handleProjectReportSubmit(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	p, ok := s.reportableProject(w, r)
	if !ok {
		return
	}
	f := reportForm{Month: strings.TrimSpace(r.PostFormValue("month")), InvestmentMonth: r.PostFormValue("investment_month"),
		InvestmentTotal: r.PostFormValue("investment_total"), Progress: r.PostFormValue("progress"), NextPlan: r.PostFormValue("next_plan")}
	in := project.ReportInput{Month: f.Month, Progress: f.Progress, NextPlan: f.NextPlan, Problems: []project.Problem{}}
	errs := map[string]string{}
	if v, err := formNumber(f.InvestmentMonth); err != nil {
		errs["investment_month"] = i18n.T(st.lang, "error.number")
	} else if v != nil {
		in.InvestmentMonth = *v
	}
	if v, err := formNumber(f.InvestmentTotal); err != nil {
		errs["investment_total"] = i18n.T(st.lang, "error.number")
	} else {
		in.InvestmentTotal = v
	}
	for i := range reportProblemRows {
		n := strconv.Itoa(i)
		pr := project.Problem{Category: project.Category(r.PostFormValue("problem_category_" + n)), Text: r.PostFormValue("problem_text_" + n)}
		f.Problems = append(f.Problems, pr)
		if strings.TrimSpace(pr.Text) != "" {
			in.Problems = append(in.Problems, pr)
		}
	}
	if len(errs) == 0 {
		_, err := s.Projects.SubmitReport(r.Context(), st.actor, p.ID, in)
		if isFormError(err) {
			errs = formErrors(st.lang, err)
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.reportFormPage(w, r, http.StatusUnprocessableEntity, p, f, errs)
		return
	}
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(p.ID, 10)+"#reports", http.StatusSeeOther)
}
