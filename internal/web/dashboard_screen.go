package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"kechuang/internal/i18n"
)

// screenRefreshSeconds is how often the big screen fetches the summary
// again.
const screenRefreshSeconds = 60

// dashboardScreenData is what the big screen's page carries; the script
// (static/dashboard.js) fetches the figures and draws them.
type dashboardScreenData struct {
	// API is the summary's URL with the screen's period and scope, and
	// FunnelAPI that of the funnel by broker (the top brokers).
	API, FunnelAPI string
	// Indicator is the figure the map colours the counties by.
	Indicator string
	// Labels are the texts the script shows, as JSON.
	Labels string
	// MapSrc and MapName are the vendored county outlines of the home
	// city; empty when there are none.
	MapSrc, MapName string
	Refresh         int
	Indicators      []formOption
	Query0          string
	// The screen's period and scope, for the indicator picker.
	PeriodKind, At, Scope string
}

// screenLabelKeys are the catalog keys the big screen's script shows.
var screenLabelKeys = []string{"dashboard.screen.title", "dashboard.screen.updated", "dashboard.screen.funnel",
	"dashboard.screen.top_counties", "dashboard.screen.top_brokers", "dashboard.screen.ticker", "dashboard.screen.map",
	"dashboard.col.change", "dashboard.col.yoy", "dashboard.kind.contract", "dashboard.kind.deal",
	"dashboard.deal_state.negotiating", "dashboard.deal_state.signed", "dashboard.deal_state.registered",
	"dashboard.screen.no_data", "unit.wan_yuan"}

// handleDashboardScreen is the big screen (大屏): 1920×1080, dark, no
// scrolling, refreshing itself from the summary API.
func (s *Server) handleDashboardScreen(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	var indicator string
	dq, err := s.dashboardQuery(r, func(q *query) { indicator = q.Text("indicator") })
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The summary is computed once here too, so that a scope outside the
	// actor's is a 404 page rather than an empty screen.
	sum, err := s.Dashboard.Summary(r.Context(), st.actor, dq)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	labels := dashboardLabels(st.lang, sum)
	for _, k := range screenLabelKeys {
		labels[k] = i18n.T(st.lang, k)
	}
	var keys []string
	d := dashboardScreenData{Refresh: screenRefreshSeconds, Query0: queryString(dq),
		PeriodKind: dq.Period.Kind, At: dq.Period.String(), Scope: dq.Scope}
	for _, f := range sum.Figures {
		keys = append(keys, f.Key)
		d.Indicators = append(d.Indicators, formOption{Value: f.Key, Label: labels[f.Key]})
	}
	if indicator == "" && len(keys) > 0 {
		indicator = keys[0]
	}
	if !slices.Contains(keys, indicator) {
		s.writeError(w, r, queryErr("indicator", indicator))
		return
	}
	d.Indicator = indicator
	d.API = "/api/v1/dashboard/summary?" + d.Query0
	d.FunnelAPI = "/api/v1/dashboard/funnel?" + d.Query0 + "&by=broker"
	b, _ := json.Marshal(labels)
	d.Labels = string(b)
	if file := "vendor/maps/" + s.HomeRegion + ".json"; s.HomeRegion != "" && s.static.has(file) {
		d.MapSrc, d.MapName = s.static.url(file), "city-"+s.HomeRegion
	}
	p := s.newPage(r, "dashboard.screen.title", "dashboard", d)
	var buf bytes.Buffer
	if err := s.pages["dashboard/screen"].ExecuteTemplate(&buf, "screen", p); err != nil {
		s.writeError(w, r, fmt.Errorf("render dashboard/screen: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
