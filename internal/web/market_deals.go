package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
	"kechuang/internal/region"
)

// dealView is a deal with its codes turned into names for display.
type dealView struct {
	market.Deal
	StateName  string
	KindName   string
	AmountText string
}

func dealViewOf(lang string, d market.Deal) dealView {
	v := dealView{Deal: d, StateName: i18n.T(lang, "market.deal_state."+string(d.State)),
		KindName: i18n.T(lang, "market.kind."+string(d.ListingKind)), AmountText: "—"}
	v.OwnerName = ownerLabel(lang, d.OwnerName, d.Anonymous)
	if d.Amount != nil {
		v.AmountText = formatWan(lang, *d.Amount)
	}
	return v
}

func dealViews(lang string, list []market.Deal) []dealView {
	out := make([]dealView, 0, len(list))
	for _, d := range list {
		out = append(out, dealViewOf(lang, d))
	}
	return out
}

// dealFilter reads the deal list filters shared by the API and the board.
func dealFilter(r *http.Request) (market.DealFilter, error) {
	q := newQuery(r)
	f := market.DealFilter{State: market.DealState(q.Enum("state", codes(market.DealStates, func(s market.DealState) string { return string(s) })...)),
		ListingID: q.ID("listing"), BrokerID: q.ID("broker"), Region: q.Text("region"), Role: q.Enum("role", "owner", "member", "broker")}
	f.Page, f.PerPage = q.Page(20, 100)
	return f, q.Err()
}

type dealTab struct {
	State  market.DealState
	Name   string
	Count  int
	Active bool
	Link   string
}

type dealsData struct {
	Nav      marketNav
	Deals    []dealView
	Filter   market.DealFilter
	Tabs     []dealTab
	Pager    pager
	Staff    bool
	Counties []region.Region
	Brokers  []market.BrokerStats
	Roles    []string
}

// handleMarketDeals is the deals board: the actor's own deals by state for
// members (as owner, interested member or broker), all deals in scope for
// staff, with filters and paging.
func (s *Server) handleMarketDeals(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := dealFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if f.State != "" && !f.State.Valid() {
		f.State = ""
	}
	if !slices.Contains([]string{"owner", "member", "broker"}, f.Role) {
		f.Role = ""
	}
	list, total, err := s.Market.FindDeals(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	counts, err := s.Market.DealCounts(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	staff := s.Market.Oversees(st.actor)
	data := dealsData{Nav: s.marketNav(r), Deals: dealViews(st.lang, list), Filter: f, Pager: newPager(r, f.Page, f.PerPage, total),
		Staff: staff}
	q := r.URL.Query()
	q.Del("page")
	all := 0
	for _, n := range counts {
		all += n
	}
	link := func(state market.DealState) string {
		q.Set("state", string(state))
		if state == "" {
			q.Del("state")
		}
		return "/market/deals?" + q.Encode()
	}
	data.Tabs = append(data.Tabs, dealTab{Name: i18n.T(st.lang, "market.deal_all_states"), Count: all, Active: f.State == "", Link: link("")})
	for _, ds := range market.DealStates {
		data.Tabs = append(data.Tabs, dealTab{State: ds, Name: i18n.T(st.lang, "market.deal_state."+string(ds)), Count: counts[ds],
			Active: f.State == ds, Link: link(ds)})
	}
	if staff {
		data.Counties = s.countyChoices(r)
		data.Brokers, _ = s.Market.Brokers(r.Context(), st.actor) // the filter is a convenience
	} else {
		data.Roles = []string{"", "owner", "member", "broker"}
	}
	s.render(w, r, http.StatusOK, "market/deals", s.newPage(r, "market.deals", "market", data))
}

type dealData struct {
	Nav     marketNav
	D       dealView
	Actions []string
	Brokers []market.BrokerStats
	Done    bool
	Error   string
	Errors  map[string]string
	Form    map[string]string
}

func (s *Server) dealPage(w http.ResponseWriter, r *http.Request, status int, d market.Deal, errMsg string, errs map[string]string) {
	st := state(r)
	data := dealData{Nav: s.marketNav(r), D: dealViewOf(st.lang, d), Actions: market.DealActionsFor(st.actor, d),
		Done: r.URL.Query().Get("done") == "1", Error: errMsg, Errors: errs, Form: map[string]string{}}
	if r.Method == http.MethodPost {
		for _, k := range []string{"note", "reason", "amount", "contract_id", "broker_id"} {
			data.Form[k] = r.PostFormValue(k)
		}
	}
	if slices.Contains(data.Actions, market.DealAssignBroker) {
		data.Brokers, _ = s.Market.Brokers(r.Context(), st.actor) // an empty picker is better than no page
	}
	p := s.newPage(r, "market.deal", "market", data)
	p.Title = i18n.T(st.lang, "market.deal") + " · " + d.ListingTitle
	s.render(w, r, status, "market/deal", p)
}

// handleMarketDeal shows one deal with its history and the steps the
// viewer may take.
func (s *Server) handleMarketDeal(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.Market.GetDeal(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.dealPage(w, r, http.StatusOK, d, "", nil)
}

// dealStepForm reads a step from a form; a malformed number is a field
// error before the service is asked.
func dealStepForm(lang string, r *http.Request) (market.DealStep, map[string]string) {
	errs := map[string]string{}
	step := market.DealStep{Note: r.PostFormValue("note"), Reason: r.PostFormValue("reason")}
	amount, err := formNumber(r.PostFormValue("amount"))
	if err != nil {
		errs["amount"] = i18n.T(lang, "error.number")
	}
	step.Amount = amount
	for key, dst := range map[string]*int64{"contract_id": &step.ContractID, "broker_id": &step.BrokerID} {
		if v := strings.TrimSpace(r.PostFormValue(key)); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errs[key] = i18n.T(lang, "error.whole_number")
			}
			*dst = n
		}
	}
	return step, errs
}

// handleMarketDealAction takes one step on a deal from its page.
func (s *Server) handleMarketDealAction(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	action := r.PathValue("action")
	if !slices.Contains(market.DealActions, action) {
		s.writeError(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	step, errs := dealStepForm(st.lang, r)
	if len(errs) == 0 {
		_, err = s.Market.StepDeal(r.Context(), st.actor, id, action, step)
		if err == nil {
			http.Redirect(w, r, market.DealLink(id)+"?done=1", http.StatusSeeOther)
			return
		}
		if !isFormError(err) && !apperr.Is(err, apperr.Conflict) {
			s.writeError(w, r, err)
			return
		}
		errs = formErrors(st.lang, err)
	}
	d, gerr := s.Market.GetDeal(r.Context(), st.actor, id)
	if gerr != nil {
		s.writeError(w, r, gerr)
		return
	}
	msg := ""
	if err != nil {
		msg = errorText(st.lang, err)
	}
	s.dealPage(w, r, formStatus(err), d, msg, errs)
}

// dealForm is the express-interest form on a listing page after a failed
// submit: what was typed and what was wrong.
type dealForm struct {
	Input  market.DealInput
	Errors map[string]string
	Error  string
}

type dealFormKey struct{}

// listingDeals is the deals block of a listing page: for the owner and
// staff, the interest the listing received; for a member, the deals it
// takes part in and the form to express interest.
type listingDeals struct {
	CanExpress bool
	Owner      bool
	All        bool // the deals are all the listing's in the viewer's view, not the viewer's own
	Deals      []dealView
	Form       dealForm
}

func (s *Server) listingDeals(r *http.Request, l market.Listing) listingDeals {
	st := state(r)
	var out listingDeals
	if !st.actor.LoggedIn() {
		return out
	}
	out.Owner = l.OwnerID == st.actor.UserID
	out.All = out.Owner || s.Market.Oversees(st.actor)
	out.CanExpress = !out.Owner && market.IsMember(st.actor) && l.State == market.Published && l.Kind != market.Financing
	if f, ok := r.Context().Value(dealFormKey{}).(dealForm); ok {
		out.Form = f
	}
	// Owners and staff see every deal on the listing (staff: in scope);
	// members the deals they take part in, as member or broker.
	f := market.DealFilter{ListingID: l.ID, PerPage: 100}
	// The block is a convenience: a failed query shows no deals.
	if list, _, err := s.Market.FindDeals(r.Context(), st.actor, f); err == nil {
		out.Deals = dealViews(st.lang, list)
	}
	for _, d := range out.Deals {
		if d.MemberID == st.actor.UserID && !d.State.Final() {
			out.CanExpress = false // one open deal per member and listing
		}
	}
	return out
}

// handleMarketDealCreate expresses interest in a listing from its page; bad
// fields show on the listing page again.
func (s *Server) handleMarketDealCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	listingID, _ := strconv.ParseInt(r.PostFormValue("listing_id"), 10, 64)
	in := market.DealInput{ListingID: listingID, Message: r.PostFormValue("message"), Contact: market.Contact{
		Name: r.PostFormValue("contact_name"), Phone: r.PostFormValue("contact_phone"), Email: r.PostFormValue("contact_email")}}
	d, err := s.Market.CreateDeal(r.Context(), st.actor, in)
	if err == nil {
		http.Redirect(w, r, market.DealLink(d.ID)+"?done=1", http.StatusSeeOther)
		return
	}
	if !isFormError(err) && !apperr.Is(err, apperr.Conflict) && !apperr.Is(err, apperr.Forbidden) {
		s.writeError(w, r, err)
		return
	}
	l, gerr := s.Market.GetListing(r.Context(), st.actor, listingID)
	if gerr != nil {
		s.writeError(w, r, gerr)
		return
	}
	status := formStatus(err)
	msg := errorText(st.lang, err)
	if !isFormError(err) {
		// Not a matter of the form's fields: the page says why at the top,
		// where it shows even when the form is not offered.
		s.listingPage(w, r, status, l, msg)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), dealFormKey{}, dealForm{Input: in, Errors: formErrors(st.lang, err), Error: msg}))
	s.listingPage(w, r, status, l, "")
}

type brokersData struct {
	Nav     marketNav
	Brokers []market.BrokerStats
}

// handleMarketBrokers lists the broker accounts with the deals they
// handle, completed deals and amounts.
func (s *Server) handleMarketBrokers(w http.ResponseWriter, r *http.Request) {
	list, err := s.Market.Brokers(r.Context(), state(r).actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "market/brokers", s.newPage(r, "market.brokers", "market", brokersData{Nav: s.marketNav(r), Brokers: list}))
}

type brokerData struct {
	Nav      marketNav
	B        market.BrokerStats
	Deals    []dealView
	Listings []dealView // one deal per listing, for the listing's title and kind
	Pager    pager
	// Profile: the broker has a directory profile the viewer may see.
	Profile bool
}

// handleMarketBroker shows a broker's profile, statistics and the deals it
// handles that the viewer may see.
func (s *Server) handleMarketBroker(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.Market.GetBroker(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := newQuery(r)
	f := market.DealFilter{BrokerID: id, Page: q.PageNumber(), PerPage: 20}
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.FindDeals(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	profiles, err := s.Directory.BrokerProfiles(r.Context(), st.actor, []int64{id})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, hasProfile := profiles[id]
	data := brokerData{Nav: s.marketNav(r), B: b, Deals: dealViews(st.lang, list), Pager: newPager(r, f.Page, f.PerPage, total),
		Profile: hasProfile}
	seen := map[int64]bool{}
	for _, d := range data.Deals {
		if !seen[d.ListingID] {
			seen[d.ListingID] = true
			data.Listings = append(data.Listings, d)
		}
	}
	p := s.newPage(r, "market.brokers", "market", data)
	p.Title = b.Name + " · " + i18n.T(st.lang, "market.brokers")
	s.render(w, r, http.StatusOK, "market/broker", p)
}
