package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"kechuang/internal/dashboard"
	"kechuang/internal/i18n"
	"kechuang/internal/sheet"
)

// dashboardModule is the 数据看板: the summary of every module's figures
// with its charts and exports, the conversion funnel and the big screen —
// pages and API.
func (s *Server) dashboardModule() module {
	return module{Key: "dashboard", Path: "/dashboard", Order: 60, Card: true, Ready: true,
		Visible: s.Dashboard.CanViewDashboard,
		Funcs: template.FuncMap{
			"figureValue": figureValue,
			"figureChange": func(v *float64, ratio bool) string {
				if v == nil {
					return "—"
				}
				sign := ""
				if *v > 0 {
					sign = "+"
				}
				if ratio {
					return sign + strconv.FormatFloat(*v, 'f', -1, 64) + "pp"
				}
				return sign + strconv.FormatFloat(*v, 'f', -1, 64) + "%"
			},
			// changeClass (up/down) is the home module's, shared by every page.
		},
		Routes: func(rt *router) {
			rt.signedIn("GET /dashboard", s.handleDashboard)
			rt.signedIn("GET /dashboard/export.xlsx", s.handleDashboardExport)
			rt.signedIn("GET /dashboard/funnel", s.handleDashboardFunnel)
			rt.signedIn("GET /dashboard/screen", s.handleDashboardScreen)
			rt.api("GET /api/v1/dashboard/summary", s.handleAPIDashboardSummary)
			rt.api("GET /api/v1/dashboard/funnel", s.handleAPIDashboardFunnel)
		}}
}

// figureValue formats a figure's value, "—" when there is none.
func figureValue(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// dashboardQuery reads ?period= (month, quarter, year), ?at= (2026-11,
// 2026-Q4, 2026; the current one when absent) and ?scope= (city or a
// county code); a bad value is a 422 naming the parameter.
func (s *Server) dashboardQuery(r *http.Request, extra func(q *query)) (dashboard.Query, error) {
	q := newQuery(r)
	kind := q.Enum("period", dashboard.PeriodKinds...)
	at := q.Text("at")
	scope := q.Text("scope")
	if scope != "" && scope != "city" && !regionCodeRE.MatchString(scope) {
		q.bad("scope", "request.query_region", scope)
	}
	if extra != nil {
		extra(q)
	}
	if err := q.Err(); err != nil {
		return dashboard.Query{}, err
	}
	p, err := dashboard.ParsePeriod(kind, at, s.Now().In(chinaTime))
	if err != nil {
		return dashboard.Query{}, err
	}
	return dashboard.Query{Period: p, Scope: scope}, nil
}

// dashboardData is what the dashboard page shows.
type dashboardData struct {
	Summary dashboard.Summary
	Query   dashboard.Query
	// Chosen is the figure the county and trend charts show (?figure=).
	Chosen dashboard.Figure
	// Options of the period and scope pickers.
	Scopes []formOption
	// The charts' ECharts options and the query of the export links.
	CountyChart, TrendChart, FunnelChart string
	Query0                               string
	Months                               []string
	Labels                               map[string]string
	Kinds                                []string
}

// Label is a figure's label.
func (d dashboardData) Label(key string) string { return d.Labels[key] }

// ExportURL is the export of one chart (figures, counties, trend, funnel).
func (d dashboardData) ExportURL(chart string) string {
	return "/dashboard/export.xlsx?" + d.Query0 + "&chart=" + chart
}

// FigureURL is the dashboard with figure key charted.
func (d dashboardData) FigureURL(key string) string {
	return "/dashboard?" + d.Query0 + "&figure=" + url.QueryEscape(key)
}

// Stage is the label of a funnel stage.
func (d dashboardData) Stage(st string) string { return d.Labels["stage."+st] }

// queryString is the query's period and scope as URL parameters.
func queryString(q dashboard.Query) string {
	v := url.Values{}
	v.Set("period", q.Period.Kind)
	v.Set("at", q.Period.String())
	if q.Scope != "" {
		v.Set("scope", q.Scope)
	}
	return v.Encode()
}

// dashboardLabels are the figures' labels, units and the funnel stages in
// lang, for pages and scripts.
func dashboardLabels(lang string, sum dashboard.Summary) map[string]string {
	out := map[string]string{}
	for _, f := range sum.Figures {
		out[f.Key] = i18n.T(lang, "dashboard.figure."+f.Key)
		out[f.Unit] = i18n.T(lang, f.Unit)
	}
	for _, st := range dashboard.FunnelStages {
		out["stage."+st] = i18n.T(lang, "dashboard.stage."+st)
	}
	return out
}

// handleDashboard shows the figures of the period and scope: the cards
// (each opens its list), the county comparison and the year-on-year
// trend of the chosen figure, and the funnel; each chart with its table
// and .xlsx export.
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	var figure string
	dq, err := s.dashboardQuery(r, func(q *query) { figure = q.Text("figure") })
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sum, err := s.Dashboard.Summary(r.Context(), st.actor, dq)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := dashboardData{Summary: sum, Query: dq, Query0: queryString(dq), Labels: dashboardLabels(st.lang, sum),
		Kinds: dashboard.PeriodKinds}
	if len(sum.Figures) > 0 {
		d.Chosen = sum.Figures[0]
	}
	found := figure == ""
	for _, f := range sum.Figures {
		if f.Key == figure {
			d.Chosen, found = f, true
		}
	}
	if !found {
		s.writeError(w, r, queryErr("figure", figure))
		return
	}
	if len(sum.Counties) > 1 {
		d.Scopes = append(d.Scopes, formOption{Value: "city", Label: sum.City.Name})
	}
	for _, c := range sum.Counties {
		d.Scopes = append(d.Scopes, formOption{Value: c.Code, Label: c.Name})
	}
	for m := 1; m <= 12; m++ {
		d.Months = append(d.Months, strconv.Itoa(m)+i18n.T(st.lang, "unit.month"))
	}
	d.CountyChart, d.TrendChart, d.FunnelChart = countyChart(st.lang, d), trendChart(st.lang, d), funnelChart(st.lang, d.Labels, sum.Funnel)
	s.render(w, r, http.StatusOK, "dashboard/home", s.newPage(r, "dashboard.title", "dashboard", d))
}

// queryErr is the 422 of a refused query value.
func queryErr(name, v string) error {
	q := &query{}
	q.bad(name, "request.query_enum", v)
	return q.Err()
}

func countyChart(lang string, d dashboardData) string {
	var names []string
	var values []float64
	for _, c := range d.Chosen.Counties {
		names = append(names, c.Name)
		v := 0.0
		if c.Value != nil {
			v = *c.Value
		}
		values = append(values, v)
	}
	return barChart(names, values, 90, map[string]any{"name": i18n.T(lang, d.Chosen.Unit)})
}

func trendChart(lang string, d dashboardData) string {
	b, _ := json.Marshal(map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"bottom": 0},
		"grid":    map[string]any{"left": 60, "right": 30, "top": 30, "bottom": 50},
		"xAxis":   map[string]any{"type": "category", "data": d.Months},
		"yAxis":   map[string]any{"type": "value", "name": i18n.T(lang, d.Chosen.Unit)},
		"series": []any{
			map[string]any{"name": strconv.Itoa(d.Query.Period.Year), "type": "line", "data": d.Chosen.ThisYear,
				"label": map[string]any{"show": true}},
			map[string]any{"name": strconv.Itoa(d.Query.Period.Year - 1), "type": "line", "data": d.Chosen.LastYearTrend,
				"lineStyle": map[string]any{"type": "dashed"}},
		},
	})
	return string(b)
}

// funnelChart is the ECharts option of a funnel row.
func funnelChart(lang string, labels map[string]string, row dashboard.FunnelRow) string {
	var data []any
	for _, st := range row.Stages {
		data = append(data, map[string]any{"name": labels["stage."+st.Stage], "value": st.Count})
	}
	b, _ := json.Marshal(map[string]any{
		"tooltip": map[string]any{"trigger": "item"},
		"series": []any{map[string]any{"type": "funnel", "sort": "none", "left": "10%", "width": "80%", "minSize": "8%",
			"label": map[string]any{"show": true, "position": "inside", "formatter": "{b} {c}"}, "data": data}},
	})
	return string(b)
}

// handleDashboardExport sends the data of one chart (?chart=figures,
// counties, trend, funnel; all when absent) as .xlsx.
func (s *Server) handleDashboardExport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	var chart string
	dq, err := s.dashboardQuery(r, func(q *query) { chart = q.Enum("chart", "figures", "counties", "trend", "funnel") })
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sum, err := s.Dashboard.Summary(r.Context(), st.actor, dq)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	labels := dashboardLabels(st.lang, sum)
	T := func(key string, args ...any) string { return i18n.T(st.lang, key, args...) }
	var sheets []sheet.Sheet
	title := T("dashboard.export_title", sum.Scope.Name, sum.Period)
	if chart == "" || chart == "figures" {
		sh := sheet.Sheet{Name: T("dashboard.sheet.figures"), Title: title,
			Header: []string{T("dashboard.col.figure"), T("dashboard.col.unit"), T("dashboard.col.value"), T("dashboard.col.previous"),
				T("dashboard.col.change"), T("dashboard.col.last_year"), T("dashboard.col.yoy"), T("dashboard.col.city"),
				T("dashboard.col.target"), T("dashboard.col.target_pct")}}
		for _, f := range sum.Figures {
			sh.Rows = append(sh.Rows, []any{labels[f.Key], labels[f.Unit], cell(f.Value), cell(f.Previous), cell(f.Change),
				cell(f.LastYear), cell(f.YoY), cell(f.City), cell(f.Target), cell(f.TargetPct)})
		}
		sheets = append(sheets, sh)
	}
	if chart == "" || chart == "counties" {
		sh := sheet.Sheet{Name: T("dashboard.sheet.counties"), Title: title, Header: []string{T("dashboard.col.county")}}
		for _, f := range sum.Figures {
			sh.Header = append(sh.Header, labels[f.Key]+"（"+labels[f.Unit]+"）")
		}
		for i, c := range sum.Counties {
			row := []any{c.Name}
			for _, f := range sum.Figures {
				row = append(row, cell(f.Counties[i].Value))
			}
			sh.Rows = append(sh.Rows, row)
		}
		sheets = append(sheets, sh)
	}
	if chart == "" || chart == "trend" {
		sh := sheet.Sheet{Name: T("dashboard.sheet.trend"), Title: title,
			Header: []string{T("dashboard.col.figure"), T("dashboard.col.year")}}
		for m := 1; m <= 12; m++ {
			sh.Header = append(sh.Header, strconv.Itoa(m)+T("unit.month"))
		}
		for _, f := range sum.Figures {
			for i, line := range [][]*float64{f.ThisYear, f.LastYearTrend} {
				row := []any{labels[f.Key], dq.Period.Year - i}
				for _, v := range line {
					row = append(row, cell(v))
				}
				sh.Rows = append(sh.Rows, row)
			}
		}
		sheets = append(sheets, sh)
	}
	if chart == "" || chart == "funnel" {
		sh := sheet.Sheet{Name: T("dashboard.sheet.funnel"), Title: title,
			Header: []string{T("dashboard.col.stage"), T("dashboard.col.count"), T("dashboard.col.rate"), T("dashboard.col.median_days")}}
		for _, stg := range sum.Funnel.Stages {
			sh.Rows = append(sh.Rows, []any{labels["stage."+stg.Stage], stg.Count, cell(stg.Rate), cell(stg.MedianDays)})
		}
		sheets = append(sheets, sh)
	}
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, sheets...); err != nil {
		s.writeError(w, r, fmt.Errorf("dashboard export: %w", err))
		return
	}
	sendXLSX(w, "数据看板-"+sum.Scope.Name+"-"+sum.Period+".xlsx", buf.Bytes())
}

// cell is a figure's value as a spreadsheet cell: empty when there is none.
func cell(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// handleAPIDashboardSummary answers the summary of ?period, ?at and
// ?scope.
func (s *Server) handleAPIDashboardSummary(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	dq, err := s.dashboardQuery(r, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sum, err := s.Dashboard.Summary(r.Context(), actor, dq)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

// funnelQuery is dashboardQuery with ?by= (county when absent).
func (s *Server) funnelQuery(r *http.Request) (dashboard.Query, string, error) {
	by := dashboard.ByCounty
	dq, err := s.dashboardQuery(r, func(q *query) {
		if v := q.Enum("by", s.Dashboard.FunnelDimensions()...); v != "" {
			by = v
		}
	})
	return dq, by, err
}

// handleAPIDashboardFunnel answers the conversion funnel of ?period, ?at
// and ?scope grouped by ?by.
func (s *Server) handleAPIDashboardFunnel(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	dq, by, err := s.funnelQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.Dashboard.Funnel(r.Context(), actor, dq, by)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

type dashboardFunnelData struct {
	Report     dashboard.FunnelReport
	Query      dashboard.Query
	Query0     string
	Dimensions []string
	Labels     map[string]string
}

// Stage is the label of a funnel stage.
func (d dashboardFunnelData) Stage(st string) string { return d.Labels["stage."+st] }

// ByURL is the funnel grouped by dimension by.
func (d dashboardFunnelData) ByURL(by string) string {
	return "/dashboard/funnel?" + d.Query0 + "&by=" + by
}

// RowLink is the list a funnel row opens: the county's, broker's or
// listing's deals.
func (d dashboardFunnelData) RowLink(key string) string {
	switch d.Report.By {
	case dashboard.ByCounty:
		return "/market/deals?region=" + url.QueryEscape(key)
	case dashboard.ByBroker:
		return "/market/deals?broker=" + url.QueryEscape(key)
	case dashboard.ByListing:
		return "/market/deals?listing=" + url.QueryEscape(key)
	}
	return ""
}

// handleDashboardFunnel shows the conversion funnel grouped by county,
// broker or listing (or a dimension of another module).
func (s *Server) handleDashboardFunnel(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	dq, by, err := s.funnelQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.Dashboard.Funnel(r.Context(), st.actor, dq, by)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := dashboardFunnelData{Report: rep, Query: dq, Query0: queryString(dq), Dimensions: s.Dashboard.FunnelDimensions(),
		Labels: map[string]string{}}
	for _, stg := range dashboard.FunnelStages {
		d.Labels["stage."+stg] = i18n.T(st.lang, "dashboard.stage."+stg)
	}
	s.render(w, r, http.StatusOK, "dashboard/funnel", s.newPage(r, "dashboard.funnel", "dashboard", d))
}
