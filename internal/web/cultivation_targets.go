package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
	"kechuang/internal/region"
)

type targetsData struct {
	Year       int
	Years      []int
	Indicators []cultivation.Indicator
	Indicator  string
	Progress   []cultivation.CountyProgress
	Total      cultivation.CountyProgress
	ShowTotal  bool
	Margin     float64
	Behind     []cultivation.CountyProgress
	County     string
	Chart      string
	CanSet     bool
	Counties   []region.Region
	Errors     map[string]string
	Done       bool
}

// targetCell is one indicator of one row of the targets table, with the
// language its notes are written in.
type targetCell struct {
	Lang string
	P    cultivation.IndicatorProgress
}

// handleCultivationTargets shows the county targets of a year: completion
// and rank per county, the counties behind schedule (督办), and one
// county's month-by-month line against the linear schedule.
func (s *Server) handleCultivationTargets(w http.ResponseWriter, r *http.Request) {
	s.targetsPage(w, r, http.StatusOK, nil)
}

// targetYear reads ?year= of the targets: this year when absent, a year
// a target may be set for (2000 to five years ahead) otherwise.
func (s *Server) targetYear(r *http.Request) (int, error) {
	q := newQuery(r)
	now := s.Now().Year()
	return q.Int("year", now, 2000, now+5), q.Err()
}

func (s *Server) targetsPage(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	st := state(r)
	year, err := s.targetYear(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.Cultivation.TargetReport(r.Context(), st.actor, year)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	progress := rep.Counties
	q := newQuery(r)
	indicator := q.Enum("indicator", codes(cultivation.Indicators, func(i cultivation.Indicator) string { return i.Key })...)
	county := q.RegionCode("county")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if indicator == "" {
		indicator = cultivation.Indicators[0].Key
	}
	if county == "" && len(progress) > 0 {
		county = progress[0].RegionCode
	}
	data := targetsData{Year: year, Indicators: cultivation.Indicators, Indicator: indicator, Progress: progress, County: county,
		Total: rep.Total, ShowTotal: len(progress) > 1, Margin: rep.Margin,
		CanSet: s.Cultivation.CanSetTargets(st.actor), Counties: s.countyChoices(r), Errors: errs, Done: r.URL.Query().Get("done") == "1"}
	for y := s.Now().Year() + 1; y >= s.Now().Year()-4; y-- {
		data.Years = append(data.Years, y)
	}
	for _, p := range progress {
		if p.Behind {
			data.Behind = append(data.Behind, p)
		}
		if p.RegionCode == county {
			data.Chart = scheduleChart(st.lang, p, indicator)
		}
	}
	s.render(w, r, status, "cultivation/targets", s.newPage(r, "cultivation.targets", "cultivation", data))
}

// scheduleChart is the ECharts option of one county's cumulative actual by
// month against the linear schedule of its target.
func scheduleChart(lang string, p cultivation.CountyProgress, indicator string) string {
	for _, ip := range p.Indicators {
		if ip.Key != indicator || !ip.Monthly {
			continue
		}
		var months []string
		for m := 1; m <= 12; m++ {
			months = append(months, strconv.Itoa(m)+i18n.T(lang, "unit.month"))
		}
		series := []any{map[string]any{"name": i18n.T(lang, "cultivation.actual"), "type": "line", "data": ip.ByMonth,
			"label": map[string]any{"show": true}}}
		if ip.Schedule != nil {
			series = append(series, map[string]any{"name": i18n.T(lang, "cultivation.schedule"), "type": "line",
				"data": ip.Schedule, "lineStyle": map[string]any{"type": "dashed"}})
		}
		opt := map[string]any{
			"title":   map[string]any{"text": p.RegionName + " · " + i18n.T(lang, "indicator."+ip.Key), "left": "center", "textStyle": map[string]any{"fontSize": 14}},
			"tooltip": map[string]any{"trigger": "axis"},
			"legend":  map[string]any{"bottom": 0},
			"grid":    map[string]any{"left": 50, "right": 30, "top": 40, "bottom": 50},
			"xAxis":   map[string]any{"type": "category", "data": months},
			"yAxis":   map[string]any{"type": "value", "name": i18n.T(lang, "indicator_unit."+ip.Key), "minInterval": 1},
			"series":  series,
		}
		b, _ := json.Marshal(opt)
		return string(b)
	}
	return ""
}

// handleCultivationTargetsExport sends the targets of ?year= as .xlsx.
func (s *Server) handleCultivationTargetsExport(w http.ResponseWriter, r *http.Request) {
	year, err := s.targetYear(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.Cultivation.ExportTargets(r.Context(), state(r).actor, year, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "区县培育目标"+strconv.Itoa(year)+".xlsx", buf.Bytes())
}

// handleCultivationTargetSet sets a county target from the form.
func (s *Server) handleCultivationTargetSet(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	value, err := formNumber(r.PostFormValue("target"))
	if err != nil || value == nil {
		s.targetsPage(w, r, http.StatusUnprocessableEntity, map[string]string{"target": i18n.T(st.lang, "error.number")})
		return
	}
	err = s.Cultivation.SetTarget(r.Context(), st.actor, r.PostFormValue("region_code"), year, r.PostFormValue("indicator"), *value)
	if isFormError(err) {
		s.targetsPage(w, r, http.StatusUnprocessableEntity, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/targets?year="+strconv.Itoa(year)+"&done=1", http.StatusSeeOther)
}
