package web

import (
	"net/http"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/project"
	"kechuang/internal/workday"
)

type supervisionListData struct {
	Supervisions []project.Supervision
	Filter       project.SupervisionFilter
	Pager        pager
	Stats        []project.SupervisionStat
	Levels       []project.Level
	States       []project.SupervisionState
}

// handleSupervisionList lists the 督办 orders in the actor's view with
// filters and paging, and the counts per unit and level.
func (s *Server) handleSupervisionList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := supervisionFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Projects.FindSupervisions(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	stats, err := s.Projects.SupervisionStats(r.Context(), st.actor, f.Region)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := supervisionListData{Supervisions: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total), Stats: stats,
		Levels: project.Levels, States: []project.SupervisionState{project.SupervisionOpen, project.SupervisionReplied, project.SupervisionClosed}}
	s.render(w, r, http.StatusOK, "project/supervisions", s.newPage(r, "project.supervisions", "projects", data))
}

type supervisionData struct {
	Supervision project.Supervision
	Error       string
}

// handleSupervision shows one order with its whole record and the steps
// the viewer may take.
func (s *Server) handleSupervision(w http.ResponseWriter, r *http.Request) {
	s.supervisionPage(w, r, http.StatusOK, "")
}

func (s *Server) supervisionPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Projects.GetSupervision(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, status, "project/supervision", s.newPage(r, "project.supervision", "projects", supervisionData{Supervision: v, Error: msg}))
}

// formDate reads an optional YYYY-MM-DD form field; a bad value is an
// Invalid error naming it.
func formDate(r *http.Request, name string) (workday.Date, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return workday.Date{}, nil
	}
	d, err := workday.ParseDate(v)
	if err != nil {
		return d, apperr.Fields(apperr.Field(name, "error.date_format"))
	}
	return d, nil
}

// formID reads an optional positive id from a form field.
func formID(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, apperr.Fields(apperr.Field(name, "request.query_int_min", 1, v))
	}
	return n, nil
}

// handleSupervisionOpen opens an order from the form of a project's page.
func (s *Server) handleSupervisionOpen(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	in := project.SupervisionInput{Target: project.Target(r.PostFormValue("target_type")), Problem: r.PostFormValue("problem"),
		ActionRequired: r.PostFormValue("action_required"), Level: project.Level(r.PostFormValue("level"))}
	var err error
	if in.Deadline, err = formDate(r, "deadline"); err == nil {
		if in.ProjectID, err = formID(r, "project_id"); err == nil {
			if in.MilestoneID, err = formID(r, "milestone_id"); err == nil {
				if in.RequestID, err = formID(r, "request_id"); err == nil {
					in.UnitID, err = formID(r, "unit_id")
				}
			}
		}
	}
	if in.Target == project.TargetProject && in.MilestoneID != 0 {
		in.Target = project.TargetMilestone // the form's node picker narrows the order to one milestone
	}
	var v project.Supervision
	if err == nil {
		v, err = s.Projects.OpenSupervision(r.Context(), st.actor, in)
	}
	if err != nil {
		// The form lives on the page of what the order is about: the error
		// page names the field and links back there.
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/supervisions/"+strconv.FormatInt(v.ID, 10), http.StatusSeeOther)
}

// handleSupervisionStep takes a step of an order from its page: reply
// (progress, evidence name and reference), accept (note) or return (note,
// new deadline).
func (s *Server) handleSupervisionStep(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		id, err := pathID(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		note := r.PostFormValue("note")
		switch step {
		case project.StepReply:
			var ev []project.Evidence
			if name, ref := r.PostFormValue("evidence_name"), r.PostFormValue("evidence_ref"); name != "" || ref != "" {
				ev = append(ev, project.Evidence{Name: name, Ref: ref})
			}
			_, err = s.Projects.ReplySupervision(r.Context(), st.actor, id, project.SupervisionReply{Progress: r.PostFormValue("progress"), Evidence: ev})
		case project.StepAccept:
			_, err = s.Projects.AcceptSupervision(r.Context(), st.actor, id, note)
		case project.StepReturn:
			var d workday.Date
			if d, err = formDate(r, "deadline"); err == nil {
				_, err = s.Projects.ReturnSupervision(r.Context(), st.actor, id, note, d)
			}
		}
		if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
			s.supervisionPage(w, r, formStatus(err), errorText(st.lang, err))
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		http.Redirect(w, r, "/supervisions/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	}
}
