package web

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/indicator"
)

// indicatorModule is 一表通: the indicator catalogue with its values, the
// counties' entries with who has not reported, the reports assembled from
// the catalogue (月报 季报 年报, .xlsx and print) and the annual 高新技术
// 企业发展分析报告 — pages and API.
func (s *Server) indicatorModule() module {
	return module{Key: "indicators", Path: "/indicators", Order: 58, Card: true, Ready: true,
		Visible: s.Indicators.CanViewIndicators,
		Funcs: template.FuncMap{
			"indName": func(lang string, ind indicator.Indicator) string { n, _, _, _ := ind.Localized(lang); return n },
			"indUnit": func(lang string, ind indicator.Indicator) string { _, u, _, _ := ind.Localized(lang); return u },
			"indDef":  func(lang string, ind indicator.Indicator) string { _, _, d, _ := ind.Localized(lang); return d },
			"indResp": func(lang string, ind indicator.Indicator) string { _, _, _, r := ind.Localized(lang); return r },
			"indValue": func(v *float64, dec int) string {
				if v == nil {
					return "—"
				}
				return strconv.FormatFloat(*v, 'f', dec, 64)
			},
			"rowName": func(lang string, r indicator.ReportRow) string {
				if lang == i18n.English {
					return r.NameEN
				}
				return r.Name
			},
			"rowUnit": func(lang string, r indicator.ReportRow) string {
				if lang == i18n.English {
					return r.UnitEN
				}
				return r.Unit
			},
			"sentence": func(lang string, st indicator.Sentence) string { return i18n.T(lang, st.Key, st.Args...) },
		},
		Routes: func(rt *router) {
			rt.signedIn("GET /indicators", s.handleIndicators)
			rt.signedIn("GET /indicators/entries", s.handleIndicatorEntries)
			rt.signedIn("POST /indicators/entries", s.handleIndicatorEntrySubmit)
			rt.signedIn("POST /indicators/remind", s.handleIndicatorRemind)
			rt.signedIn("GET /indicators/reports/{id}", s.handleIndicatorReport)
			rt.signedIn("GET /indicators/reports/{id}/export.xlsx", s.handleIndicatorReportExport)
			rt.signedIn("GET /indicators/hightech-report", s.handleHighTechReport)
			rt.api("GET /api/v1/indicators", s.handleAPIIndicators)
			rt.api("GET /api/v1/indicators/entries", s.handleAPIIndicatorEntries)
			rt.api("POST /api/v1/indicators/entries", s.handleAPIIndicatorEntrySubmit)
			rt.api("GET /api/v1/indicators/status", s.handleAPIIndicatorStatus)
			rt.api("GET /api/v1/indicators/hightech-report", s.handleAPIHighTechReport)
			rt.api("GET /api/v1/reports/{template}", s.handleAPIReport)
		}}
}

// indicatorPeriod reads ?period= (a month, quarter or year code); absent,
// it is def.
func indicatorPeriod(q *query, def indicator.Period) indicator.Period {
	text := q.Text("period")
	if text == "" {
		return def
	}
	p, err := indicator.ParsePeriod(text)
	if err != nil {
		q.bad("period", "indicator.period_invalid")
	}
	return p
}

// lastMonth is the month before the clock's: the latest month whose
// entries are due.
func (s *Server) lastMonth() indicator.Period { return s.Indicators.CurrentMonth().Prev() }

type indicatorsData struct {
	Values    indicator.Values
	Period    string
	Scope     string
	Counties  []countyChoice
	Templates []indicator.Template
	CanEnter  bool
	Last      string
}

type countyChoice struct{ Code, Name string }

// countyChoicesFor lists the counties the actor may pick: a county user's
// own, the home region's for everyone else.
func (s *Server) countyChoicesFor(r *http.Request, a account.Actor) []countyChoice {
	var out []countyChoice
	if s.HomeRegion == "" {
		return nil
	}
	rs, err := s.Regions.Children(r.Context(), s.HomeRegion)
	if err != nil {
		return nil
	}
	for _, reg := range rs {
		if a.Role != account.RoleCounty || reg.Code == a.Region {
			out = append(out, countyChoice{reg.Code, reg.Name})
		}
	}
	return out
}

// handleIndicators shows the catalogue with its values for a period and
// scope (the city or one county).
func (s *Server) handleIndicators(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	if !s.Indicators.CanViewIndicators(st.actor) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "indicator.only_staff"))
		return
	}
	q := newQuery(r)
	p := indicatorPeriod(q, s.lastMonth())
	scope := q.RegionCode("scope")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	vals, err := s.Indicators.Values(r.Context(), st.actor, p, scope)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := indicatorsData{Values: vals, Period: p.String(), Scope: scope, Counties: s.countyChoicesFor(r, st.actor),
		Templates: s.Indicators.Catalogue().Templates, CanEnter: st.actor.Role == account.RoleCounty || s.Indicators.CanRemind(st.actor),
		Last: s.lastMonth().String()}
	s.render(w, r, http.StatusOK, "indicator/catalogue", s.newPage(r, "indicator.title", "indicators", data))
}

type entriesData struct {
	Period    string
	Status    indicator.Status
	Form      *indicator.EntryForm
	Values    map[string]string
	Errors    map[string]string
	CanEnter  bool
	CanRemind bool
	Done      string
	Periods   []string
}

// handleIndicatorEntries shows who has and has not reported a period and,
// for a county (a county user's own, or ?region= for bureau staff), the
// form of its entered indicators.
func (s *Server) handleIndicatorEntries(w http.ResponseWriter, r *http.Request) {
	s.entriesPage(w, r, http.StatusOK, nil, nil)
}

func (s *Server) entriesPage(w http.ResponseWriter, r *http.Request, status int, values, errs map[string]string) {
	st := state(r)
	q := newQuery(r)
	if r.Method == http.MethodPost {
		q = &query{v: r.PostForm}
	}
	p := indicatorPeriod(q, s.lastMonth())
	county := q.RegionCode("region")
	done := ""
	if r.Method == http.MethodGet {
		done = q.Enum("done", "saved", "reminded")
	}
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if county == "" && st.actor.Role == account.RoleCounty {
		county = st.actor.Region
	}
	stat, err := s.Indicators.Status(r.Context(), st.actor, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := entriesData{Period: p.String(), Status: stat, Values: values, Errors: errs, Done: done,
		CanRemind: s.Indicators.CanRemind(st.actor) && stat.Missing > 0}
	cur := s.Indicators.CurrentMonth()
	for _, x := range []indicator.Period{cur.Prev(), cur.Prev().Prev(), cur.Prev().Prev().Prev()} {
		data.Periods = append(data.Periods, x.String())
	}
	if county != "" {
		f, err := s.Indicators.EntryForm(r.Context(), st.actor, p, county)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		data.Form = &f
		data.CanEnter = s.Indicators.CanEnter(st.actor, county)
		if data.Values == nil {
			data.Values = map[string]string{}
			for _, row := range f.Rows {
				if row.Value != nil {
					data.Values[row.Code] = strconv.FormatFloat(*row.Value, 'f', -1, 64)
				}
			}
		}
	}
	s.render(w, r, status, "indicator/entries", s.newPage(r, "indicator.entries", "indicators", data))
}

// handleIndicatorEntrySubmit records a county's values for a period.
func (s *Server) handleIndicatorEntrySubmit(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	p, err := indicator.ParsePeriod(r.PostFormValue("period"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	county := r.PostFormValue("region")
	values := map[string]string{}
	for _, ind := range s.Indicators.Catalogue().EnteredFor(p.Freq) {
		values[ind.Code] = r.PostFormValue("v_" + ind.Code)
	}
	_, err = s.Indicators.SubmitEntries(r.Context(), st.actor, p, county, values)
	if isFormError(err) {
		errs := formErrors(st.lang, err)
		s.entriesPage(w, r, http.StatusUnprocessableEntity, values, errs)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/indicators/entries?period="+p.String()+"&region="+county+"&done=saved", http.StatusSeeOther)
}

// handleIndicatorRemind sends the counties that have not reported a
// period a notice.
func (s *Server) handleIndicatorRemind(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	p, err := indicator.ParsePeriod(r.PostFormValue("period"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.Indicators.Remind(r.Context(), st.actor, p); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/indicators/entries?period="+p.String()+"&done=reminded", http.StatusSeeOther)
}

type reportData struct {
	Report  indicator.Report
	Scope   string
	Periods []string
}

// reportRequest reads a report's template, ?period= (by default the
// latest finished period of the template's frequency) and ?scope=.
func (s *Server) reportRequest(r *http.Request, id string) (indicator.Report, string, error) {
	st := state(r)
	t, ok := s.Indicators.Catalogue().Template(id)
	if !ok {
		return indicator.Report{}, "", apperr.New(apperr.NotFound, "indicator.template_not_found")
	}
	q := newQuery(r)
	p := indicatorPeriod(q, s.defaultPeriod(t.Frequency))
	scope := q.RegionCode("scope")
	if err := q.Err(); err != nil {
		return indicator.Report{}, "", err
	}
	rep, err := s.Indicators.Report(r.Context(), st.actor, id, p, scope)
	return rep, scope, err
}

// defaultPeriod is the latest finished period of frequency f.
func (s *Server) defaultPeriod(f indicator.Frequency) indicator.Period {
	cur := s.Indicators.CurrentMonth()
	switch f {
	case indicator.Quarterly:
		q := indicator.Period{Freq: indicator.Quarterly, Year: cur.Year, N: (cur.N-1)/3 + 1}
		return q.Prev()
	case indicator.Yearly:
		return indicator.Period{Freq: indicator.Yearly, Year: cur.Year - 1}
	}
	return cur.Prev()
}

// handleIndicatorReport shows an assembled report as a print-ready page.
func (s *Server) handleIndicatorReport(w http.ResponseWriter, r *http.Request) {
	rep, scope, err := s.reportRequest(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := reportData{Report: rep, Scope: scope}
	p, _ := indicator.ParsePeriod(rep.Period)
	for x, i := p, 0; i < 6; x, i = x.Prev(), i+1 {
		data.Periods = append(data.Periods, x.String())
	}
	s.render(w, r, http.StatusOK, "indicator/report", s.newPage(r, "indicator.report", "indicators", data))
}

// handleIndicatorReportExport sends an assembled report as .xlsx in the
// official layout.
func (s *Server) handleIndicatorReportExport(w http.ResponseWriter, r *http.Request) {
	rep, _, err := s.reportRequest(r, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := indicator.WriteReportXLSX(&buf, rep); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, rep.Template+"-"+rep.Period+".xlsx", buf.Bytes())
}

type highTechData struct {
	Report       indicator.HighTechReport
	Years        []int
	CountyChart  string
	DomainChart  string
	GrowthChart  string
	IntensityMax float64
}

// handleHighTechReport shows the annual 高新技术企业发展分析报告 with its
// charts and generated text, printable.
func (s *Server) handleHighTechReport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	q := newQuery(r)
	now := s.Now().Year()
	year := q.Int("year", now, 2000, now)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.Indicators.HighTechReport(r.Context(), st.actor, year)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := highTechData{Report: rep}
	for y := now; y > now-5; y-- {
		data.Years = append(data.Years, y)
	}
	var names, domains []string
	var counts, prev, dcounts []int
	var growths []float64
	for _, c := range rep.Counties {
		names = append(names, c.Name)
		counts = append(counts, c.Count)
		prev = append(prev, c.Prev)
		g := 0.0
		if c.Growth != nil {
			g = *c.Growth
		}
		growths = append(growths, g)
	}
	for _, d := range rep.Domains {
		domains = append(domains, d.Name)
		dcounts = append(dcounts, d.Count)
	}
	data.CountyChart = groupedBars(names, strconv.Itoa(year-1), prev, strconv.Itoa(year), counts)
	data.DomainChart = barChart(domains, dcounts, 160, map[string]any{"minInterval": 1})
	data.GrowthChart = barChart(names, growths, 100, map[string]any{"name": "%"})
	s.render(w, r, http.StatusOK, "indicator/hightech", s.newPage(r, "indicator.hightech", "indicators", data))
}

// groupedBars is the ECharts option of vertical bars in two series (a
// year and the one before) over the same names.
func groupedBars(names []string, s1 string, v1 []int, s2 string, v2 []int) string {
	b, _ := json.Marshal(map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"data": []string{s1, s2}},
		"grid":    map[string]any{"left": 50, "right": 20, "top": 40, "bottom": 60},
		"xAxis":   map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 30}},
		"yAxis":   map[string]any{"type": "value", "minInterval": 1},
		"series": []any{
			map[string]any{"name": s1, "type": "bar", "data": v1},
			map[string]any{"name": s2, "type": "bar", "data": v2, "label": map[string]any{"show": true, "position": "top"}},
		},
	})
	return string(b)
}
