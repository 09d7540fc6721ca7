package web

import (
	"net/http"

	"kechuang/internal/indicator"
)

// handleAPIIndicators returns the catalogue with its values for ?period=
// (last month by default) and ?scope= (the city by default: public; a
// county: its users and bureau staff only).
func (s *Server) handleAPIIndicators(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	p := indicatorPeriod(q, s.lastMonth())
	scope := q.RegionCode("scope")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	vals, err := s.Indicators.Values(r.Context(), state(r).actor, p, scope)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	vals.Values = nonNil(vals.Values)
	writeJSON(w, http.StatusOK, vals)
}

// handleAPIIndicatorEntries returns a county's entry form for ?period=
// (?region=, a county user's own by default).
func (s *Server) handleAPIIndicatorEntries(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	p := indicatorPeriod(q, s.lastMonth())
	county := q.RegionCode("region")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if county == "" {
		county = actor.Region
	}
	f, err := s.Indicators.EntryForm(r.Context(), actor, p, county)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Rows = nonNil(f.Rows)
	writeJSON(w, http.StatusOK, f)
}

// entriesInput is the body of POST /api/v1/indicators/entries.
type entriesInput struct {
	Period string            `json:"period"`
	Region string            `json:"region_code"`
	Values map[string]string `json:"values"`
}

// handleAPIIndicatorEntrySubmit records a county's values for a period.
func (s *Server) handleAPIIndicatorEntrySubmit(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in entriesInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := indicator.ParsePeriod(in.Period)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.Indicators.SubmitEntries(r.Context(), actor, p, in.Region, in.Values)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Rows = nonNil(f.Rows)
	writeJSON(w, http.StatusOK, f)
}

// handleAPIIndicatorStatus lists who has and has not reported ?period=.
func (s *Server) handleAPIIndicatorStatus(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	p := indicatorPeriod(q, s.lastMonth())
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.Indicators.Status(r.Context(), actor, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st.Counties = nonNil(st.Counties)
	writeJSON(w, http.StatusOK, st)
}

// handleAPIReport returns a report assembled from the catalogue.
func (s *Server) handleAPIReport(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiActor(w, r); !ok {
		return
	}
	rep, _, err := s.reportRequest(r, r.PathValue("template"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep.Columns, rep.Rows = nonNil(rep.Columns), nonNil(rep.Rows)
	writeJSON(w, http.StatusOK, rep)
}

// handleAPIHighTechReport returns the annual 高新技术企业发展分析报告 of
// ?year= (this year by default).
func (s *Server) handleAPIHighTechReport(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	now := s.Now().Year()
	year := q.Int("year", now, 2000, now)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.Indicators.HighTechReport(r.Context(), actor, year)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep.Counties, rep.Domains, rep.Sentences = nonNil(rep.Counties), nonNil(rep.Domains), nonNil(rep.Sentences)
	writeJSON(w, http.StatusOK, rep)
}
