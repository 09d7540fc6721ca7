package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"kechuang/internal/i18n"
	"kechuang/internal/project"
)

type projectOverviewData struct {
	Overview project.Overview
	Region   string
	Counties []countyOption
	Chart    string
	// What the toolbar offers, from the service's predicates.
	CanCreate, CanSupervise, CanRequest bool
}

type countyOption struct{ Code, Name string }

// handleProjectOverview is the leaders' view: counts by type, stage,
// light and county, investment against plan by month, the red and overdue
// lists. An enterprise account, which sees only its service requests, is
// sent there.
func (s *Server) handleProjectOverview(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	if !project.CanViewModule(st.actor) && project.CanSubmitRequest(st.actor) {
		http.Redirect(w, r, "/service-requests", http.StatusSeeOther)
		return
	}
	q := newQuery(r)
	year := q.Int("year", s.Now().In(chinaTime).Year(), 2000, 2100)
	reg := q.RegionCode("region")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.Projects.Overview(r.Context(), st.actor, year, reg, st.lang)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := projectOverviewData{Overview: o, Region: reg, Chart: investmentChart(st.lang, o),
		CanCreate: project.CanCreateProject(st.actor), CanSupervise: project.CanOpenSupervision(st.actor)}
	for _, c := range s.countyChoices(r) {
		data.Counties = append(data.Counties, countyOption{c.Code, c.Name})
	}
	s.render(w, r, http.StatusOK, "project/overview", s.newPage(r, "project.overview", "projects", data))
}

// investmentChart is the ECharts option of the year's investment by month:
// bars for the month's plan and completion, lines for the cumulative ones.
func investmentChart(lang string, o project.Overview) string {
	var months []string
	var plan, done, cumPlan, cumDone []float64
	for _, m := range o.Investment {
		n, _ := strconv.Atoi(m.Month[5:])
		months = append(months, strconv.Itoa(n)+i18n.T(lang, "unit.month"))
		plan, done = append(plan, m.Planned), append(done, m.Completed)
		cumPlan, cumDone = append(cumPlan, m.CumPlanned), append(cumDone, m.CumCompleted)
	}
	series := []any{
		map[string]any{"name": i18n.T(lang, "project.chart.planned"), "type": "bar", "data": plan},
		map[string]any{"name": i18n.T(lang, "project.chart.completed"), "type": "bar", "data": done},
		map[string]any{"name": i18n.T(lang, "project.chart.cum_planned"), "type": "line", "data": cumPlan,
			"lineStyle": map[string]any{"type": "dashed"}},
		map[string]any{"name": i18n.T(lang, "project.chart.cum_completed"), "type": "line", "data": cumDone,
			"label": map[string]any{"show": true}},
	}
	b, _ := json.Marshal(map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"bottom": 0},
		"grid":    map[string]any{"left": 60, "right": 30, "top": 30, "bottom": 50},
		"xAxis":   map[string]any{"type": "category", "data": months},
		"yAxis":   map[string]any{"type": "value", "name": i18n.T(lang, "unit.wan_yuan")},
		"series":  series,
	})
	return string(b)
}
