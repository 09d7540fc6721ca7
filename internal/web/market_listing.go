package web

import (
	"net/http"
	"slices"

	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
)

type marketListingData struct {
	Nav     marketNav
	L       listingView
	Twin    *listingView
	Actions []string
	CanEdit bool
	// LoginForContact says the contact is hidden because the visitor is not
	// logged in (rather than not a member).
	LoginForContact bool
	Done            string
	Error           string
	// Deals is the express-interest form and the deals on the listing.
	Deals listingDeals
	// Attachments are the listing's files; MaxAttachmentMB is the size cap.
	Attachments     []market.Attachment
	MaxAttachmentMB int
	// CanMatch offers the link to the listing's matches.
	CanMatch bool
	// Interests is the investment pipeline of a financing need.
	Interests listingInterests
}

func (s *Server) listingPage(w http.ResponseWriter, r *http.Request, status int, l market.Listing, errMsg string) {
	st := state(r)
	data := marketListingData{Nav: s.marketNav(r), L: s.listingView(st.lang, l), Actions: market.Actions(st.actor, l),
		CanEdit: market.CanEdit(st.actor, l), LoginForContact: !st.actor.LoggedIn(), Done: doneMessage(st.lang, r.URL.Query().Get("done")), Error: errMsg,
		Deals: s.listingDeals(r, l), Interests: s.listingInterests(r, l), MaxAttachmentMB: market.MaxAttachmentBytes >> 20,
		CanMatch: l.State == market.Published && s.Search != nil && s.Market.CanSeeMatches(r.Context(), st.actor, l)}
	if files, err := s.Market.Attachments(r.Context(), st.actor, l.ID); err == nil {
		data.Attachments = files
	}
	if l.TwinID != 0 {
		if twin, err := s.Market.GetListing(r.Context(), st.actor, l.TwinID); err == nil {
			v := s.listingView(st.lang, twin)
			data.Twin = &v
		}
	}
	p := s.newPage(r, "market.title", "market", data)
	p.Title = l.Title
	s.render(w, r, status, "market/listing", p)
}

// handleMarketListing shows one listing and counts the view.
func (s *Server) handleMarketListing(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.Market.GetListing(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Market.RecordView(r.Context(), st.actor, l); err != nil {
		s.Logger.Warn("count listing view", "request_id", st.id, "err", err)
	}
	// The views counted since the last flush (this one among them) are
	// not in the row yet.
	l.Views += s.Market.PendingViews(l.ID)
	s.listingPage(w, r, http.StatusOK, l, "")
}

// handleMarketListingAction takes a workflow step from the listing page or
// the review queue and goes back to where it came from.
func (s *Server) handleMarketListingAction(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	action := r.PathValue("action")
	if !slices.Contains(marketActions, action) {
		s.writeError(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	_, err = s.runListingAction(r, action, id, r.PostFormValue("reason"))
	if isFormError(err) || apperr.Is(err, apperr.Conflict) {
		l, gerr := s.Market.GetListing(r.Context(), st.actor, id)
		if gerr != nil {
			s.writeError(w, r, gerr)
			return
		}
		s.listingPage(w, r, formStatus(err), l, errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	redirectBack(w, r, market.Link(id)+"?done="+action)
}

// doneMessage is the confirmation shown after an action, "" for none.
func doneMessage(lang, done string) string {
	switch done {
	case "saved", "submit", "approve", "return", "withdraw", "renew", "close", "attached", "detached", "reveal":
		return i18n.T(lang, "market.done."+done)
	}
	return ""
}
