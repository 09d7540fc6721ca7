package web

import (
	"net/http"

	"kechuang/internal/chain"
)

// handleAPIChains lists the chains with their strength counts.
func (s *Server) handleAPIChains(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	list, err := s.Chains.Chains(r.Context(), actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(list)})
}

// chainJSON fills the arrays the document promises, never null.
func chainJSON(c *chain.Chain) {
	c.Sources, c.Supplies = nonNil(c.Sources), nonNil(c.Supplies)
	for i := range c.Links {
		l := &c.Links[i]
		l.Products, l.Technologies, l.Keywords = nonNil(l.Products), nonNil(l.Technologies), nonNil(l.Keywords)
		l.IndustryClasses, l.Domains = nonNil(l.IndustryClasses), nonNil(l.Domains)
	}
}

func reasonsJSON(rs []chain.Reason) []chain.Reason {
	rs = nonNil(rs)
	for i := range rs {
		rs[i].Args = nonNil(rs[i].Args)
	}
	return rs
}

// handleAPIChain returns a chain with every link's figures, tiers, strength
// verdict and facts, when its data last changed, and what the actor may
// see placed on it; ?county= narrows the picture to one county.
func (s *Server) handleAPIChain(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	county := s.chainCounty(r, q)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	pic, err := s.Chains.Picture(r.Context(), actor, r.PathValue("id"), county)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	chainJSON(&pic.Chain)
	for i := range pic.Links {
		lp := &pic.Links[i]
		lp.Link = pic.Chain.Links[i]
		lp.Verdict.Facts = nonNil(lp.Verdict.Facts)
		lp.Placed, lp.Leaders = nonNil(lp.Placed), nonNil(lp.Leaders)
		for j := range lp.Placed {
			lp.Placed[j].Reasons = reasonsJSON(lp.Placed[j].Reasons)
		}
		for j := range lp.Leaders {
			lp.Leaders[j].Links = nonNil(lp.Leaders[j].Links)
		}
	}
	for i := range pic.Leaders {
		pic.Leaders[i].Links = nonNil(pic.Leaders[i].Links)
	}
	pic.Heat = nonNil(pic.Heat)
	writeJSON(w, http.StatusOK, pic)
}

// handleAPIChainCandidates ranks who could fill a link, with the reasons.
func (s *Server) handleAPIChainCandidates(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	county := s.chainCounty(r, q)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.Chains.Candidates(r.Context(), actor, r.PathValue("id"), r.PathValue("link"), county)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range list {
		list[i].Reasons = reasonsJSON(list[i].Reasons)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(list)})
}

// handleAPIPlacements lists the placements the actor manages.
func (s *Server) handleAPIPlacements(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := s.placementFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Chains.FindPlacements(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range list {
		list[i].Reasons = reasonsJSON(list[i].Reasons)
	}
	if f.Page < 1 {
		f.Page = 1
	}
	writeJSON(w, http.StatusOK, listResponse[chain.Placement]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIPlacementConfirm confirms a suggested placement.
func (s *Server) handleAPIPlacementConfirm(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	p, err := s.Chains.ConfirmPlacement(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p.Reasons = reasonsJSON(p.Reasons)
	writeJSON(w, http.StatusOK, p)
}

// handleAPIPlacementMove moves a placement to another link of its chain.
func (s *Server) handleAPIPlacementMove(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in struct {
		Link string `json:"link"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Chains.MovePlacement(r.Context(), actor, id, in.Link)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p.Reasons = reasonsJSON(p.Reasons)
	writeJSON(w, http.StatusOK, p)
}
