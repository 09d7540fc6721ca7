package web

import (
	"bytes"
	"net/http"

	"kechuang/internal/i18n"
	"kechuang/internal/project"
	"kechuang/internal/sheet"
)

type projectListData struct {
	Projects  []project.Project
	Filter    project.ProjectFilter
	Pager     pager
	Counties  []countyOption
	Types     []project.Type
	Stages    []project.Stage
	Lights    []project.Light
	Export    string // the export link with the current filters
	CanCreate bool
	CanImport bool
}

// projectFilter reads the list filters of the page, the export and the API.
func (s *Server) projectFilter(r *http.Request) (project.ProjectFilter, error) {
	q := newQuery(r)
	var types, stages, lights []string
	for _, ty := range s.Projects.Types().All() {
		types = append(types, ty.ID)
	}
	for _, st := range project.Stages {
		stages = append(stages, string(st))
	}
	for _, l := range project.Lights {
		lights = append(lights, string(l))
	}
	f := project.ProjectFilter{Query: q.Text("q"), Type: q.Enum("type", types...), Stage: project.Stage(q.Enum("stage", stages...)),
		Light: project.Light(q.Enum("light", lights...)), Region: q.RegionCode("region"), UnitID: q.ID("unit"),
		EnterpriseID: q.ID("enterprise"), Open: q.Bool("open")}
	f.Page, f.PerPage = q.Page(25, 200)
	return f, q.Err()
}

// handleProjectList lists the projects in the actor's view with filters
// and paging.
func (s *Server) handleProjectList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.projectFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Projects.FindProjects(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if f.PerPage == 0 {
		f.PerPage = 25
	}
	pg := newPager(r, f.Page, f.PerPage, total)
	data := projectListData{Projects: list, Filter: f, Pager: pg, Types: s.Projects.Types().All(), Stages: project.Stages,
		Lights: project.Lights, Export: "/projects/export.xlsx?" + pg.Query, CanCreate: project.CanCreateProject(st.actor),
		CanImport: project.CanImport(st.actor)}
	for _, c := range s.countyChoices(r) {
		data.Counties = append(data.Counties, countyOption{c.Code, c.Name})
	}
	s.render(w, r, http.StatusOK, "project/list", s.newPage(r, "project.list", "projects", data))
}

// maxExportRows bounds one export; a larger selection is narrowed by the
// filters first.
const maxExportRows = 5000

// handleProjectExport sends the filtered list as .xlsx, one row per
// project.
func (s *Server) handleProjectExport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.projectFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Page, f.PerPage = 1, 200
	var rows [][]any
	for len(rows) < maxExportRows {
		list, total, err := s.Projects.FindProjects(r.Context(), st.actor, f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, p := range list {
			rows = append(rows, []any{p.ID, p.Name, s.projectTypeName(st.lang, p.Type), s.regionLabel(r.Context(), p.RegionCode),
				p.UnitName, p.LeadName, p.TotalInvestment, p.AnnualInvestment, p.PlanYear, p.PlannedStart.String(), p.PlannedEnd.String(),
				i18n.T(st.lang, "project.stage."+string(p.Stage)), i18n.T(st.lang, "project.light."+string(p.Light))})
		}
		if f.Page*f.PerPage >= total || len(list) == 0 {
			break
		}
		f.Page++
	}
	header := []string{"ID", i18n.T(st.lang, "field.name"), i18n.T(st.lang, "field.type"), i18n.T(st.lang, "field.region_code"),
		i18n.T(st.lang, "field.unit_id"), i18n.T(st.lang, "field.lead_name"), i18n.T(st.lang, "field.total_investment"),
		i18n.T(st.lang, "field.annual_investment"), i18n.T(st.lang, "field.plan_year"), i18n.T(st.lang, "field.planned_start"),
		i18n.T(st.lang, "field.planned_end"), i18n.T(st.lang, "field.stage"), i18n.T(st.lang, "field.light")}
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, sheet.Sheet{Name: "项目库", Header: header, Rows: rows}); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, i18n.T(st.lang, "project.list")+".xlsx", buf.Bytes())
}
