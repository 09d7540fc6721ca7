package web

import (
	"net/http"

	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
)

// handleAPIPolicies lists the 惠企政策 with their documents, validity,
// conditions, amount formulas and unconfirmed fields.
func (s *Server) handleAPIPolicies(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	list, err := s.Cultivation.ListPolicies(actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []policyView{}
	for _, p := range list {
		out = append(out, s.policyView(r, p, i18n.Chinese))
	}
	writeJSON(w, http.StatusOK, out)
}

// handleAPIPolicy returns one policy; for staff with its take-up per
// county in their region (?county= narrows it).
func (s *Server) handleAPIPolicy(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	id, err := pathPolicy(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := newQuery(r)
	county := q.RegionCode("county")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Cultivation.GetPolicy(actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := s.policyView(r, p, i18n.Chinese)
	if s.Cultivation.CanViewPolicyUptake(actor) {
		u, err := s.Cultivation.PolicyUptake(r.Context(), actor, id, county)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		v.Uptake = &u
	}
	writeJSON(w, http.StatusOK, v)
}

// handleAPIEnterprisePolicies lists the policies in force for the firm,
// with its standing against each, the amount and its claim.
func (s *Server) handleAPIEnterprisePolicies(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	list, err := s.Cultivation.EnterprisePolicies(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// handleAPIEnterprisePolicyClaim marks the firm's claim on a policy
// (applied, received, or "" to clear) and returns the policy as the firm
// now stands on it.
func (s *Server) handleAPIEnterprisePolicyClaim(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	policyID, err := pathPolicy(r, "policyId")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var u cultivation.ClaimUpdate
	if err := decodeJSON(w, r, &u); err != nil {
		s.writeError(w, r, err)
		return
	}
	claim, err := s.Cultivation.SetPolicyClaim(r.Context(), actor, id, policyID, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.Cultivation.EnterprisePolicies(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, p := range list {
		if p.Policy == policyID {
			writeJSON(w, http.StatusOK, p)
			return
		}
	}
	// The policy covers the firm but is not in force today (a reward
	// received before it lapsed): answer with the claim, unmatched.
	p := s.Cultivation.Policies().Get(policyID)
	writeJSON(w, http.StatusOK, cultivation.EnterprisePolicy{Name: p.Name, NoApplication: p.NoApplication, Claim: claim,
		PolicyMatch: cultivation.PolicyMatch{Policy: policyID, Status: cultivation.MatchIneligible,
			Conditions: []cultivation.ConditionResult{}, Gaps: []string{}, Missing: []string{}, ToConfirm: []string{}}})
}
