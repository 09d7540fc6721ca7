package web

import (
	"net/http"
	"strconv"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/project"
	"kechuang/internal/workday"
)

type projectViewData struct {
	Project      project.Project
	Lights       []project.LightChange
	Reports      []project.Report
	Supervisions []project.Supervision
	// What the viewer may do, from the service's predicates.
	CanEdit, CanReport, CanSupervise bool
	Levels                           []project.Level
	Today                            string
	Error                            string
}

// handleProject shows a project: its fields, the lifecycle actions the
// viewer may take, its milestones, light with history, monthly reports and
// 督办 orders.
func (s *Server) handleProject(w http.ResponseWriter, r *http.Request) {
	s.projectPage(w, r, http.StatusOK, "")
}

func (s *Server) projectPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
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
	data := projectViewData{Project: p, CanEdit: project.CanEditProject(st.actor, p), CanReport: project.CanReport(st.actor, p),
		CanSupervise: project.CanOpenSupervision(st.actor), Levels: project.Levels, Error: msg,
		Today: workday.DateOf(s.Now()).String()}
	if data.Lights, err = s.Projects.LightHistory(r.Context(), st.actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	if data.Reports, err = s.Projects.Reports(r.Context(), st.actor, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	if data.Supervisions, _, err = s.Projects.FindSupervisions(r.Context(), st.actor,
		project.SupervisionFilter{ProjectID: id, PerPage: 200}); err != nil {
		s.writeError(w, r, err)
		return
	}
	pg := s.newPage(r, "project.detail", "projects", data)
	pg.Title = p.Name
	s.render(w, r, status, "project/view", pg)
}

// handleProjectTransition takes a lifecycle action (form field action,
// with note when the action needs a reason).
func (s *Server) handleProjectTransition(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, err = s.Projects.Transition(r.Context(), st.actor, id, r.PostFormValue("action"), r.PostFormValue("note"))
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
		s.projectPage(w, r, formStatus(err), errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// handleMilestoneComplete marks a milestone done on the date given (today
// when empty), with a note.
func (s *Server) handleMilestoneComplete(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	done := project.MilestoneCompletion{Note: r.PostFormValue("note"), ActualDate: workday.DateOf(s.Now())}
	if v := r.PostFormValue("actual_date"); v != "" {
		if done.ActualDate, err = workday.ParseDate(v); err != nil {
			s.writeError(w, r, apperr.Fields(apperr.Field("actual_date", "error.date_format")))
			return
		}
	}
	m, err := s.Projects.CompleteMilestone(r.Context(), st.actor, id, done)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(m.ProjectID, 10), http.StatusSeeOther)
}

// requestStep takes one step of a service request for the page and the
// API alike.
func (s *Server) requestStep(r *http.Request, actor account.Actor, id int64, step string, in requestStep) (project.Request, error) {
	switch step {
	case project.ReqAssign:
		return s.Projects.AssignRequest(r.Context(), actor, id, in.UnitID, in.Note)
	case project.ReqRespond:
		return s.Projects.RespondRequest(r.Context(), actor, id, in.Response)
	case project.ReqResolve:
		return s.Projects.ResolveRequest(r.Context(), actor, id, in.Resolution)
	case project.ReqConfirm:
		return s.Projects.ConfirmRequest(r.Context(), actor, id, in.Rating, in.Comment)
	}
	return project.Request{}, apperr.New(apperr.Invalid, "project.action_unknown")
}

// handleProjectAdjust proposes a change of plan from the project's page:
// a new planned end and investments, with the reason.
func (s *Server) handleProjectAdjust(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var adj project.Adjustment
	var d workday.Date
	if d, err = formDate(r, "planned_end"); err == nil && !d.IsZero() {
		adj.PlannedEnd = &d
	}
	for _, f := range []struct {
		name string
		dst  **float64
	}{{"total_investment", &adj.TotalInvestment}, {"annual_investment", &adj.AnnualInvestment}} {
		if err != nil {
			break
		}
		var v *float64
		if v, err = formNumber(r.PostFormValue(f.name)); err != nil {
			err = apperr.Fields(apperr.Field(f.name, "error.number"))
		}
		*f.dst = v
	}
	if err == nil {
		_, err = s.Projects.RequestAdjustment(r.Context(), st.actor, id, adj, r.PostFormValue("note"))
	}
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
		s.projectPage(w, r, formStatus(err), errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/projects/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
