package web

import (
	"net/http"
	"strconv"

	"kechuang/internal/apperr"
	"kechuang/internal/project"
)

type unitsData struct {
	Units     []project.Unit
	Pager     pager
	Counties  []countyOption
	Form      project.UnitInput
	Errors    map[string]string
	CanManage bool
}

// handleUnits lists the government units (责任单位) projects, 督办 orders
// and service requests are addressed to, each with its members, and the
// form that adds one.
func (s *Server) handleUnits(w http.ResponseWriter, r *http.Request) {
	s.unitsPage(w, r, http.StatusOK, project.UnitInput{}, nil)
}

func (s *Server) unitsPage(w http.ResponseWriter, r *http.Request, status int, form project.UnitInput, errs map[string]string) {
	st := state(r)
	q := newQuery(r)
	page := q.PageNumber()
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	units, total, err := s.Projects.FindUnits(r.Context(), st.actor, project.UnitFilter{Page: page, PerPage: 50})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i, u := range units {
		if full, err := s.Projects.GetUnit(r.Context(), st.actor, u.ID); err == nil {
			units[i] = full
		}
	}
	data := unitsData{Units: units, Pager: newPager(r, page, 50, total), Form: form, Errors: errs,
		CanManage: project.CanManageUnits(st.actor)}
	for _, c := range s.regionChoices(r) {
		data.Counties = append(data.Counties, countyOption{c.Code, c.Name})
	}
	s.render(w, r, status, "project/units", s.newPage(r, "project.units", "projects", data))
}

// handleUnitCreate adds a unit from the form.
func (s *Server) handleUnitCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	in := project.UnitInput{RegionCode: r.PostFormValue("region_code"), Name: r.PostFormValue("name")}
	_, err := s.Projects.CreateUnit(r.Context(), st.actor, in)
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
		errs := formErrors(st.lang, err)
		if len(errs) == 0 {
			errs = map[string]string{"name": errorText(st.lang, err)}
		}
		s.unitsPage(w, r, formStatus(err), in, errs)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/projects/units", http.StatusSeeOther)
}

// handleUnitMember lets an account (by its number) act for a unit, or
// stops it (remove=true).
func (s *Server) handleUnitMember(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	userID, err := formID(r, "user_id")
	if err == nil && userID == 0 {
		err = apperr.Fields(apperr.Field("user_id", "error.required"))
	}
	if err == nil {
		if r.PostFormValue("remove") == "true" {
			err = s.Projects.RemoveUnitMember(r.Context(), st.actor, id, userID)
		} else {
			err = s.Projects.AddUnitMember(r.Context(), st.actor, id, userID)
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/projects/units#unit-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
