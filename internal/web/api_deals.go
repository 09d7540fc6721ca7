package web

import (
	"net/http"

	"kechuang/internal/market"
)

// handleAPIDeals lists the deals the caller may see: its own for members
// (?role=owner|member|broker narrows), those in scope for staff; filters
// ?state=, ?listing=, ?broker=, ?region=, paging ?page=&per_page=.
func (s *Server) handleAPIDeals(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := dealFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.FindDeals(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	writeJSON(w, http.StatusOK, listResponse[market.Deal]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIDealCreate expresses interest in a published listing.
func (s *Server) handleAPIDealCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in market.DealInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.Market.CreateDeal(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

// handleAPIDeal returns one deal with its history.
func (s *Server) handleAPIDeal(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	d, err := s.Market.GetDeal(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// handleAPIDealAction takes one step on a deal; the body (optional except
// for sign, terminate and assign-broker) is a market.DealStep.
func (s *Server) handleAPIDealAction(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, id, ok := s.apiActorID(w, r)
		if !ok {
			return
		}
		var step market.DealStep
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, &step); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		d, err := s.Market.StepDeal(r.Context(), actor, id, action, step)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, d)
	}
}

// handleAPIBrokers lists the broker accounts with their deal statistics
// and the directory profiles the viewer may see.
func (s *Server) handleAPIBrokers(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	list, err := s.Market.Brokers(r.Context(), actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.withProfiles(r, list)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleAPIBroker returns one broker's profile and statistics.
func (s *Server) handleAPIBroker(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	b, err := s.Market.GetBroker(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.withProfiles(r, []market.BrokerStats{b})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out[0])
}
