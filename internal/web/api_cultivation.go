package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
)

type assessmentRequest struct {
	RuleSet    string          `json:"rule_set"`
	Version    string          `json:"version,omitempty"`
	Enterprise json.RawMessage `json:"enterprise"`
}

// handleAPIAssessment assesses the posted enterprise against one rule set
// and returns the result, storing nothing. It is a public calculator.
func (s *Server) handleAPIAssessment(w http.ResponseWriter, r *http.Request) {
	var req assessmentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.RuleSet == "" {
		s.writeError(w, r, apperr.Fields(apperr.Field("rule_set", "error.required")))
		return
	}
	in, err := cultivation.ParseAssessmentInput(req.Enterprise)
	if err != nil {
		s.writeError(w, r, apperr.Fields(apperr.Field("enterprise", "cultivation.input_invalid", err.Error())))
		return
	}
	rs, err := s.Cultivation.Rules().Select(req.RuleSet, req.Version, in.AsOf.Time)
	if errors.Is(err, cultivation.ErrNoRuleSet) {
		s.writeError(w, r, apperr.Fields(apperr.Field("rule_set", "cultivation.rule_set_unknown", req.RuleSet)))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cultivation.Assess(rs, in))
}

type ruleSetView struct {
	ID            string                 `json:"id"`
	Version       string                 `json:"version"`
	Name          string                 `json:"name"`
	Documents     []cultivation.Document `json:"documents"`
	EffectiveFrom string                 `json:"effective_from"`
	Expires       string                 `json:"expires,omitempty"`
	InForce       bool                   `json:"in_force"`
	Notes         []string               `json:"notes"`
	Unconfirmed   []string               `json:"unconfirmed"`
	Secondary     []string               `json:"secondary"`
}

func (s *Server) ruleSetViews() []ruleSetView {
	now := s.Now()
	var out []ruleSetView
	for _, rs := range s.Cultivation.Rules().List() {
		// The lists are arrays in the document: never null, even when a
		// rule set has none.
		v := ruleSetView{ID: rs.ID, Version: rs.Version, Name: rs.Name, Documents: nonNil(rs.Documents),
			EffectiveFrom: rs.EffectiveFrom.Format("2006-01-02"), InForce: rs.InForce(now),
			Notes: nonNil(rs.Notes), Unconfirmed: nonNil(rs.Unconfirmed), Secondary: nonNil(rs.Secondary)}
		if !rs.Expires.IsZero() {
			v.Expires = rs.Expires.Format("2006-01-02")
		}
		out = append(out, v)
	}
	return out
}

// handleAPIRuleSets lists the shipped rule sets and versions.
func (s *Server) handleAPIRuleSets(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.ruleSetViews())
}

// handleAPIEnterprises lists the enterprises the actor may see.
func (s *Server) handleAPIEnterprises(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := s.enterpriseFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Cultivation.FindEnterprises(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	writeJSON(w, http.StatusOK, listResponse[cultivation.Enterprise]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// enterpriseFilter reads the registry filters of the page and the API.
func (s *Server) enterpriseFilter(r *http.Request) (cultivation.EnterpriseFilter, error) {
	q := newQuery(r)
	var ruleSets []string
	for _, rs := range s.Cultivation.Rules().List() {
		if !slices.Contains(ruleSets, rs.ID) {
			ruleSets = append(ruleSets, rs.ID)
		}
	}
	f := cultivation.EnterpriseFilter{Query: q.Text("q"), Region: q.Text("region"), Tier: q.Enum("tier", cultivation.Tiers...),
		Domain: q.Text("domain"), Industry: q.Text("industry")}
	f.Page, f.PerPage = q.Page(25, 200)
	if near := q.Enum("near", ruleSets...); near != "" {
		f.NearRuleSet, f.NearGaps = near, 2
	}
	return f, q.Err()
}

// handleAPIEnterpriseCreate adds an enterprise.
func (s *Server) handleAPIEnterpriseCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var e cultivation.Enterprise
	if err := decodeJSON(w, r, &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.Cultivation.CreateEnterprise(r.Context(), actor, e)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// handleAPIEnterprise returns one enterprise with its years.
func (s *Server) handleAPIEnterprise(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	e, err := s.Cultivation.GetEnterprise(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	years, err := s.Cultivation.Years(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		cultivation.Enterprise
		Years []cultivation.YearRecord `json:"years"`
	}{e, years})
}

// handleAPIEnterpriseUpdate replaces an enterprise's profile.
func (s *Server) handleAPIEnterpriseUpdate(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var e cultivation.Enterprise
	if err := decodeJSON(w, r, &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.Cultivation.UpdateEnterprise(r.Context(), actor, id, e)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleAPIEnterpriseYear writes one year of indicators.
func (s *Server) handleAPIEnterpriseYear(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		s.writeError(w, r, apperr.Fields(apperr.Field("year", "cultivation.year_range", s.Now().Year())))
		return
	}
	var y cultivation.YearRecord
	if err := decodeJSON(w, r, &y); err != nil {
		s.writeError(w, r, err)
		return
	}
	y.Year = year
	if err := s.Cultivation.PutYear(r.Context(), actor, id, y); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAPIEnterpriseAssess assesses an enterprise against every rule set
// in force (?as_of=YYYY-MM-DD, default today) and stores the result.
func (s *Server) handleAPIEnterpriseAssess(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	asOf := q.Date("as_of", time.UTC)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	if asOf.IsZero() {
		asOf = s.Now()
	}
	out, err := s.Cultivation.AssessEnterprise(r.Context(), actor, id, asOf)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleAPIPool returns the cultivation pool board.
func (s *Server) handleAPIPool(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	f := cultivation.PoolFilter{Region: q.RegionCode("region")}
	f.Page, f.PerPage = q.Page(25, 200)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	board, err := s.Cultivation.PoolBoard(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, board)
}

// handleAPITargets returns every county's progress in ?year= (default this year).
func (s *Server) handleAPITargets(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	year, err := s.targetYear(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	progress, err := s.Cultivation.TargetProgress(r.Context(), actor, year)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, progress)
}

type targetRequest struct {
	RegionCode string  `json:"region_code"`
	Year       int     `json:"year"`
	Indicator  string  `json:"indicator"`
	Target     float64 `json:"target"`
}

// handleAPITargetSet sets one county target.
func (s *Server) handleAPITargetSet(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var req targetRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Cultivation.SetTarget(r.Context(), actor, req.RegionCode, req.Year, req.Indicator, req.Target); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type poolDecisionRequest struct {
	IDs      []int64 `json:"ids"`
	Decision string  `json:"decision"`
	Note     string  `json:"note"`
}

// handleAPIPoolDecisions confirms or rejects the pending proposals of
// several enterprises at once.
func (s *Server) handleAPIPoolDecisions(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var req poolDecisionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Decision != "confirm" && req.Decision != "reject" {
		s.writeError(w, r, apperr.Fields(apperr.Field("decision", "cultivation.bulk_decision")))
		return
	}
	res, err := s.Cultivation.DecideProposals(r.Context(), actor, req.IDs, req.Decision == "confirm", req.Note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
