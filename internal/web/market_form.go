package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
	"kechuang/internal/region"
)

// ipFormRows is how many IP rows the achievement form offers.
const ipFormRows = 4

type marketFormData struct {
	Nav      marketNav
	Kind     market.Kind
	KindName string
	ID       int64 // 0 for a new listing
	Form     market.Input
	Price    string
	// Financing needs: the figures as typed, and the rounds with labels.
	Amount    string
	Valuation string
	Rounds    []choiceLabel
	Keywords  string
	IP        []market.IP
	Modes     map[string]bool
	Ref       *market.Reference
	Counties  []region.Region
	// Brokers are those an anonymous listing may be entrusted to.
	Brokers []market.BrokerStats
	Errors  map[string]string
	Summary string // all errors in one line, naming the fields
}

func (s *Server) marketForm(w http.ResponseWriter, r *http.Request, status int, d marketFormData) {
	st := state(r)
	d.Nav, d.Ref, d.Counties = s.marketNav(r), s.Market.Reference(), s.countyChoices(r)
	if d.Kind != market.Financing {
		d.Brokers, _ = s.Market.Brokers(r.Context(), st.actor) // an empty picker is better than no form
	}
	d.KindName = i18n.T(st.lang, "market.kind."+string(d.Kind))
	for _, c := range market.Rounds {
		d.Rounds = append(d.Rounds, choiceLabel{Code: c, Name: i18n.T(st.lang, "market.round."+c)})
	}
	for len(d.IP) < ipFormRows {
		d.IP = append(d.IP, market.IP{})
	}
	d.Modes = map[string]bool{}
	for _, m := range d.Form.Modes {
		d.Modes[m] = true
	}
	title := "market.new_" + string(d.Kind)
	if d.ID != 0 {
		title = "market.edit"
	}
	s.render(w, r, status, "market/form", s.newPage(r, title, "market", d))
}

// handleMarketNew shows an empty form for a new achievement or demand.
func (s *Server) handleMarketNew(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	k := market.Kind(r.URL.Query().Get("kind"))
	if !k.Valid() {
		k = market.Achievement
	}
	if !market.CanOwn(st.actor, k) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "market.only_owners"))
		return
	}
	d := marketFormData{Kind: k, Form: market.Input{Contact: market.Contact{Name: st.actor.DisplayName}}}
	if k == market.Demand {
		d.Form.Band = ""
	}
	// A page may open the form prefilled (the chain map drafts a demand
	// for a weak link); the owner edits and submits it as usual.
	q := newQuery(r)
	d.Form.Title, d.Form.Summary, d.Form.Domain, d.Form.Industry = q.Text("title"), q.Text("summary"), q.Text("domain"), q.Text("industry")
	d.Keywords = q.Text("keywords")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.marketForm(w, r, http.StatusOK, d)
}

// handleMarketEdit shows the form of a draft or returned listing.
func (s *Server) handleMarketEdit(w http.ResponseWriter, r *http.Request) {
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
	if !market.CanEdit(st.actor, l) {
		s.writeError(w, r, apperr.New(apperr.Conflict, "market.not_editable"))
		return
	}
	in := market.InputOf(l)
	d := marketFormData{Kind: l.Kind, ID: id, Form: in, Keywords: strings.Join(in.Keywords, "，"), IP: in.IP}
	if in.Price != nil {
		d.Price = strconv.FormatFloat(*in.Price, 'f', -1, 64)
	}
	if in.Amount != nil {
		d.Amount = strconv.FormatFloat(*in.Amount, 'f', -1, 64)
	}
	if in.Valuation != nil {
		d.Valuation = strconv.FormatFloat(*in.Valuation, 'f', -1, 64)
	}
	s.marketForm(w, r, http.StatusOK, d)
}

// readListingForm reads the form; a number the form cannot parse is a
// field error right away.
func readListingForm(r *http.Request, lang string, k market.Kind) (market.Input, marketFormData, map[string]string) {
	_ = r.ParseForm()
	f := r.PostForm
	in := market.Input{Title: f.Get("title"), Summary: f.Get("summary"), Expected: f.Get("expected"),
		Keywords: splitList(f.Get("keywords")), Domain: f.Get("domain"), Industry: f.Get("industry"), Team: f.Get("team"),
		Modes: f["modes"], Band: f.Get("band"), Deadline: f.Get("deadline"), RegionCode: f.Get("region_code"),
		Contact: market.Contact{Name: f.Get("contact_name"), Phone: f.Get("contact_phone"), Email: f.Get("contact_email")}}
	errs := map[string]string{}
	d := marketFormData{Kind: k, Keywords: f.Get("keywords"), Price: strings.TrimSpace(f.Get("price"))}
	in.Anonymous = f.Get("anonymous") != ""
	if v := strings.TrimSpace(f.Get("broker_id")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs["broker_id"] = i18n.T(lang, "market.deal_broker_invalid")
		}
		in.BrokerID = n
	}
	if v := strings.TrimSpace(f.Get("trl")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs["trl"] = i18n.T(lang, "market.trl_range")
		}
		in.TRL = n
	}
	if k == market.Financing {
		in.Modes, in.Band = nil, ""
		in.Round, in.UseOfFunds = f.Get("round"), f.Get("use_of_funds")
		d.Amount, d.Valuation = strings.TrimSpace(f.Get("financing_amount")), strings.TrimSpace(f.Get("valuation"))
		var err error
		if in.Amount, err = formNumber(d.Amount); err != nil {
			errs["financing_amount"] = i18n.T(lang, "error.number")
		}
		if in.Valuation, err = formNumber(d.Valuation); err != nil {
			errs["valuation"] = i18n.T(lang, "error.number")
		}
	}
	if k == market.Achievement {
		p, err := formNumber(d.Price)
		if err != nil {
			errs["price"] = i18n.T(lang, "error.number")
		}
		in.Price = p
		types, numbers, statuses := f["ip_type"], f["ip_number"], f["ip_status"]
		for i := range types {
			x := market.IP{Type: types[i]}
			if i < len(numbers) {
				x.Number = numbers[i]
			}
			if i < len(statuses) {
				x.Status = statuses[i]
			}
			d.IP = append(d.IP, x)
			if strings.TrimSpace(x.Type) != "" || strings.TrimSpace(x.Number) != "" {
				in.IP = append(in.IP, x)
			}
		}
	}
	d.Form = in
	return in, d, errs
}

// choiceLabel is a code with its label in the reader's language.
type choiceLabel struct {
	Code string
	Name string
}

// saveListing creates or updates from the form and, when the owner chose
// "save and submit", submits.
func (s *Server) saveListing(w http.ResponseWriter, r *http.Request, k market.Kind, id int64) {
	st := state(r)
	in, d, errs := readListingForm(r, st.lang, k)
	d.ID = id
	var out market.Listing
	var err error
	if len(errs) == 0 {
		if id == 0 {
			out, err = s.Market.CreateListing(r.Context(), st.actor, k, in)
		} else {
			out, err = s.Market.UpdateListing(r.Context(), st.actor, id, in)
		}
		if err == nil && r.PostFormValue("then") == "submit" {
			_, err = s.Market.Submit(r.Context(), st.actor, out.ID)
			d.ID = out.ID
		}
		if isFormError(err) {
			errs = formErrors(st.lang, err)
			d.Summary = errorText(st.lang, err)
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		if d.Summary == "" {
			var parts []string
			for field, msg := range errs {
				parts = append(parts, i18n.T(st.lang, "field."+field)+": "+msg)
			}
			sort.Strings(parts)
			d.Summary = strings.Join(parts, "；")
		}
		d.Errors = errs
		s.marketForm(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	done := "saved"
	if r.PostFormValue("then") == "submit" {
		done = "submit"
	}
	http.Redirect(w, r, market.Link(out.ID)+"?done="+done, http.StatusSeeOther)
}

// handleMarketCreate saves a new listing from the form.
func (s *Server) handleMarketCreate(w http.ResponseWriter, r *http.Request) {
	k := market.Kind(r.PostFormValue("kind"))
	if !k.Valid() {
		s.writeError(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	s.saveListing(w, r, k, 0)
}

// handleMarketUpdate saves an edited draft or returned listing.
func (s *Server) handleMarketUpdate(w http.ResponseWriter, r *http.Request) {
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
	s.saveListing(w, r, l.Kind, id)
}
