package web

import (
	"net/http"

	"kechuang/internal/apperr"
	"kechuang/internal/market"
)

// marketActions are the workflow transitions of a listing, each at
// POST /api/v1/{achievements,demands,financing}/{id}/{action}.
// "reveal" (匿名发布 ended by the owner) exists for achievements and
// demands only: a financing need is never anonymous.
var marketActions = []string{"submit", "approve", "return", "withdraw", "renew", "close", "reveal"}

// listingFilter reads the list filters shared by the API and the pages;
// an unknown code or bad paging is an error naming the parameter.
func (s *Server) listingFilter(r *http.Request, k market.Kind) (market.Filter, error) {
	q := newQuery(r)
	ref := s.Market.Reference()
	f := market.Filter{Kind: k, Domain: q.Text("domain"), Region: q.Text("region"),
		TRLBand: q.Enum("trl", codes(ref.TRLBands, func(b market.TRLBand) string { return b.Code })...),
		Mode:    q.Enum("mode", codes(ref.Modes, func(c market.Choice) string { return c.Code })...),
		Band:    q.Enum("band", codes(ref.Bands, func(b market.Band) string { return b.Code })...),
		Sort:    q.Enum("sort", "newest", "views"),
		State:   market.State(q.Enum("state", codes(market.States, func(s market.State) string { return string(s) })...)),
		Mine:    q.Bool("mine")}
	if k == market.Financing {
		f.Round = q.Enum("round", market.Rounds...)
	}
	f.Page, f.PerPage = q.Page(20, 100)
	if f.Domain != "" && !ref.ValidDomain(f.Domain) {
		q.bad("domain", "market.domain_unknown")
	}
	return f, q.Err()
}

// codes lists the codes of reference entries, for query.Enum.
func codes[T any](xs []T, code func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = code(x)
	}
	return out
}

// handleAPIListings lists listings of kind k: public ones for everybody
// (without contacts for the public), the caller's own with mine=true, and
// for staff those of a state in their scope with state=….
func (s *Server) handleAPIListings(k market.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := s.listingFilter(r, k)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		list, total, err := s.Market.FindListings(r.Context(), state(r).actor, f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		f.Normalize()
		writeJSON(w, http.StatusOK, listResponse[market.Listing]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
	}
}

// handleAPIListingCreate saves a new draft of kind k.
func (s *Server) handleAPIListingCreate(k market.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, ok := s.apiActor(w, r)
		if !ok {
			return
		}
		var in market.Input
		if err := decodeJSON(w, r, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := s.Market.CreateListing(r.Context(), actor, k, in)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, out)
	}
}

// listingOfKind returns the listing {id} when the caller may see it and it
// is of kind k; a listing of the other kind is NotFound at this path.
func (s *Server) listingOfKind(r *http.Request, k market.Kind) (market.Listing, error) {
	id, err := pathID(r)
	if err != nil {
		return market.Listing{}, err
	}
	l, err := s.Market.GetListing(r.Context(), state(r).actor, id)
	if err != nil {
		return market.Listing{}, err
	}
	if l.Kind != k {
		return market.Listing{}, apperr.New(apperr.NotFound, "market.listing_not_found")
	}
	return l, nil
}

// handleAPIListing returns one listing as the caller may see it.
func (s *Server) handleAPIListing(k market.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l, err := s.listingOfKind(r, k)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, l)
	}
}

// handleAPIListingUpdate replaces the content of a draft or returned listing.
func (s *Server) handleAPIListingUpdate(k market.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, ok := s.apiActor(w, r)
		if !ok {
			return
		}
		var in market.Input
		if err := decodeJSON(w, r, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
		l, err := s.listingOfKind(r, k)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := s.Market.UpdateListing(r.Context(), actor, l.ID, in)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

type returnRequest struct {
	Reason string `json:"reason"`
}

// runListingAction takes one workflow step on listing id.
func (s *Server) runListingAction(r *http.Request, action string, id int64, reason string) (market.Listing, error) {
	ctx, a := r.Context(), state(r).actor
	switch action {
	case "submit":
		return s.Market.Submit(ctx, a, id)
	case "approve":
		return s.Market.Approve(ctx, a, id)
	case "return":
		return s.Market.Return(ctx, a, id, reason)
	case "withdraw":
		return s.Market.Withdraw(ctx, a, id)
	case "renew":
		return s.Market.Renew(ctx, a, id)
	case "close":
		return s.Market.Close(ctx, a, id)
	case "reveal":
		return s.Market.Reveal(ctx, a, id)
	}
	return market.Listing{}, apperr.New(apperr.NotFound, "error.not_found")
}

// handleAPIListingAction takes a workflow step; return needs {"reason"}.
func (s *Server) handleAPIListingAction(k market.Kind, action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.apiActor(w, r); !ok {
			return
		}
		var req returnRequest
		if action == "return" {
			if err := decodeJSON(w, r, &req); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		l, err := s.listingOfKind(r, k)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := s.runListingAction(r, action, l.ID, req.Reason)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// handleAPIMarketReference returns the market's reference data: domains,
// TRL levels and bands, GB/T 4754 sections, modes, IP types and bands.
func (s *Server) handleAPIMarketReference(w http.ResponseWriter, r *http.Request) {
	ref := s.Market.Reference()
	writeJSON(w, http.StatusOK, map[string]any{"domains": ref.Domains, "trl": ref.TRL, "trl_bands": ref.TRLBands,
		"sections": ref.Sections, "modes": ref.Modes, "ip_types": ref.IPTypes, "ip_statuses": ref.IPStatuses, "bands": ref.Bands})
}
