package web

import (
	"net/http"
	"slices"
	"strconv"

	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
)

// The investment pipeline of financing needs: investors express interest
// on a financing need's page; both sides follow it at /market/interests.

// interestView is an interest with its codes named for display.
type interestView struct {
	market.Interest
	StageName  string
	AmountText string
	RoundName  string
	Events     []interestEventView
}

type interestEventView struct {
	market.InterestEvent
	ActionName string
	StageName  string
}

func interestViewOf(lang string, x market.Interest) interestView {
	v := interestView{Interest: x, StageName: i18n.T(lang, "market.stage."+string(x.Stage)), AmountText: formatWan(lang, x.Amount),
		RoundName: i18n.T(lang, "market.round."+x.Round)}
	for _, e := range x.Events {
		v.Events = append(v.Events, interestEventView{InterestEvent: e, ActionName: i18n.T(lang, "market.interest.action."+e.Action),
			StageName: i18n.T(lang, "market.stage."+string(e.To))})
	}
	return v
}

// interestFilter reads the list filters of the pages and the API.
func interestFilter(r *http.Request) (market.InterestFilter, error) {
	q := newQuery(r)
	f := market.InterestFilter{Stage: market.Stage(q.Enum("stage", codes(market.Stages, func(s market.Stage) string { return string(s) })...))}
	f.Page, f.PerPage = q.Page(20, 100)
	return f, q.Err()
}

type interestsData struct {
	Nav       marketNav
	Heading   string
	Interests []interestView
	Stage     market.Stage
	Stages    []choiceLabel
	Pager     pager
}

// handleMarketInterests lists the caller's interests: an investor's own
// (我的投资意向), a firm's incoming ones, those in staff's scope.
func (s *Server) handleMarketInterests(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := interestFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.FindInterests(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	heading := "market.interest." + market.InterestSide(st.actor)
	d := interestsData{Nav: s.marketNav(r), Heading: heading, Stage: f.Stage, Pager: newPager(r, f.Page, f.PerPage, total)}
	for _, x := range list {
		d.Interests = append(d.Interests, interestViewOf(st.lang, x))
	}
	for _, sg := range market.Stages {
		d.Stages = append(d.Stages, choiceLabel{Code: string(sg), Name: i18n.T(st.lang, "market.stage."+string(sg))})
	}
	s.render(w, r, http.StatusOK, "market/interests", s.newPage(r, heading, "market", d))
}

type interestData struct {
	Nav   marketNav
	X     interestView
	Error string
	Done  bool
}

func (s *Server) interestPage(w http.ResponseWriter, r *http.Request, status int, x market.Interest, msg string) {
	st := state(r)
	d := interestData{Nav: s.marketNav(r), X: interestViewOf(st.lang, x), Error: msg, Done: r.URL.Query().Get("done") == "1"}
	p := s.newPage(r, "market.interest.title", "market", d)
	s.render(w, r, status, "market/interest", p)
}

// handleMarketInterest shows one interest with its history and the steps
// the caller may take.
func (s *Server) handleMarketInterest(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := s.Market.GetInterest(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.interestPage(w, r, http.StatusOK, x, "")
}

// handleMarketInterestAction takes a pipeline step from the interest page.
func (s *Server) handleMarketInterestAction(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	action := r.PathValue("action")
	if !slices.Contains(market.InterestActions, action) {
		s.writeError(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	_, err = s.Market.StepInterest(r.Context(), st.actor, id, action, r.PostFormValue("reason"))
	if err == nil {
		http.Redirect(w, r, "/market/interests/"+strconv.FormatInt(id, 10)+"?done=1", http.StatusSeeOther)
		return
	}
	if !isFormError(err) && !apperr.Is(err, apperr.Conflict) && !apperr.Is(err, apperr.Forbidden) {
		s.writeError(w, r, err)
		return
	}
	x, gerr := s.Market.GetInterest(r.Context(), st.actor, id)
	if gerr != nil {
		s.writeError(w, r, gerr)
		return
	}
	s.interestPage(w, r, formStatus(err), x, errorText(st.lang, err))
}

// handleMarketInterestCreate expresses an investor's interest from a
// financing need's page.
func (s *Server) handleMarketInterestCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := s.Market.ExpressInterest(r.Context(), st.actor, id, r.PostFormValue("note"))
	if err == nil {
		http.Redirect(w, r, "/market/interests/"+strconv.FormatInt(x.ID, 10)+"?done=1", http.StatusSeeOther)
		return
	}
	if !isFormError(err) && !apperr.Is(err, apperr.Conflict) {
		s.writeError(w, r, err)
		return
	}
	l, gerr := s.Market.GetListing(r.Context(), st.actor, id)
	if gerr != nil {
		s.writeError(w, r, gerr)
		return
	}
	s.listingPage(w, r, formStatus(err), l, errorText(st.lang, err))
}

// listingInterests is what a financing need's page shows of the pipeline:
// the express form for investors, and the interests the caller may see.
type listingInterests struct {
	Financing  bool
	CanExpress bool
	Interests  []interestView
}

func (s *Server) listingInterests(r *http.Request, l market.Listing) listingInterests {
	st := state(r)
	out := listingInterests{Financing: l.Kind == market.Financing}
	if !out.Financing || !st.actor.LoggedIn() {
		return out
	}
	out.CanExpress = s.Market.CanExpressInterest(r.Context(), st.actor, l)
	// The list is a convenience on the page: a failure leaves it out.
	if list, _, err := s.Market.FindInterests(r.Context(), st.actor, market.InterestFilter{ListingID: l.ID, PerPage: 50}); err == nil {
		for _, x := range list {
			out.Interests = append(out.Interests, interestViewOf(st.lang, x))
		}
	}
	return out
}

// API.

type interestRequest struct {
	Note string `json:"note"`
}

type interestStepRequest struct {
	Reason string `json:"reason"`
}

// financingOf returns the id of financing need {id} after checking the
// caller may see it.
func (s *Server) financingOf(r *http.Request) (int64, error) {
	l, err := s.listingOfKind(r, market.Financing)
	return l.ID, err
}

// handleAPIFinancingInterests lists the interests in one financing need:
// all of them for its owner and staff in scope, the caller's own for an
// investor.
func (s *Server) handleAPIFinancingInterests(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := interestFilter(r)
	if err == nil {
		f.ListingID, err = s.financingOf(r)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.FindInterests(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[market.Interest]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIInterestCreate expresses an investor's interest in a financing need.
func (s *Server) handleAPIInterestCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var req interestRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := s.financingOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := s.Market.ExpressInterest(r.Context(), actor, id, req.Note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, x)
}

// handleAPIInterests lists the caller's interests: an investor's own, a
// firm's incoming, those in staff's scope.
func (s *Server) handleAPIInterests(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := interestFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.FindInterests(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[market.Interest]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIInterest returns one interest with its history.
func (s *Server) handleAPIInterest(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := s.Market.GetInterest(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, x)
}

// handleAPIInterestStep takes a pipeline step; decline and terminate need
// {"reason"}.
func (s *Server) handleAPIInterestStep(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, ok := s.apiActor(w, r)
		if !ok {
			return
		}
		id, err := pathID(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var req interestStepRequest
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, &req); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		x, err := s.Market.StepInterest(r.Context(), actor, id, action, req.Reason)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, x)
	}
}
