package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
	"kechuang/internal/region"
)

// reasonChoice is one decline reason for the form.
type reasonChoice struct {
	Code market.DeclineReason
	Name string
}

func reasonChoices(lang string) []reasonChoice {
	out := make([]reasonChoice, len(market.DeclineReasons))
	for i, r := range market.DeclineReasons {
		out[i] = reasonChoice{r, i18n.T(lang, "market.match.reason."+string(r))}
	}
	return out
}

type matchesData struct {
	Nav      marketNav
	P        market.MatchPage
	KindName string
	// Other is the heading of what is proposed: achievements for a
	// demand, demands for an achievement.
	Other     string
	Boosts    []string
	Reasons   []reasonChoice
	Pager     pager
	Done      string
	Error     string
	NoticesOn bool
	// Open is the candidate whose decline form stays open after an error.
	Open string
}

func (s *Server) matchesPage(w http.ResponseWriter, r *http.Request, status int, id int64, errMsg, open string) {
	st := state(r)
	if s.Search == nil {
		s.writeError(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	q := newQuery(r)
	pageNo := q.PageNumber()
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Search.Matches(r.Context(), st.actor, id, pageNo)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p.Localize(st.lang)
	other := map[market.Kind]string{market.Achievement: "demand", market.Demand: "achievement", market.Financing: "investor"}[p.Subject.Kind]
	data := matchesData{Nav: s.marketNav(r), P: p, KindName: i18n.T(st.lang, "market.kind."+string(p.Subject.Kind)),
		Other: i18n.T(st.lang, "market.match.proposed_"+other), Reasons: reasonChoices(st.lang),
		Pager: newPager(r, p.Page, p.PerPage, p.Total), Error: errMsg, Open: open}
	if d := r.URL.Query().Get("done"); d == market.Accepted || d == market.Declined {
		data.Done = i18n.T(st.lang, "market.match.done_"+d)
	}
	features := make([]string, 0, len(p.Boosts))
	for f := range p.Boosts {
		features = append(features, f)
	}
	slices.Sort(features)
	for _, f := range features {
		data.Boosts = append(data.Boosts, i18n.T(st.lang, "market.match.feature."+f)+" ×"+strconv.FormatFloat(p.Boosts[f], 'f', 2, 64))
	}
	data.NoticesOn, _ = s.Market.MatchNoticesOn(r.Context(), st.actor) // the toggle is a convenience
	page := s.newPage(r, "market.match.title", "market", data)
	page.Title = i18n.T(st.lang, "market.match.title") + " · " + p.Subject.Title
	s.render(w, r, status, "market/matches", page)
}

// handleMarketMatches shows a listing's ranked matches with their reasons.
func (s *Server) handleMarketMatches(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.matchesPage(w, r, http.StatusOK, id, "", "")
}

// matchAnswer reads the candidate from the path.
func matchAnswer(r *http.Request) (market.Answer, error) {
	kind := r.PathValue("kind")
	cand, err := strconv.ParseInt(r.PathValue("candidate"), 10, 64)
	if err != nil || cand <= 0 || !slices.Contains(market.CandidateKinds, kind) {
		return market.Answer{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	return market.Answer{CandidateKind: kind, CandidateID: cand}, nil
}

// handleMarketMatchAnswer accepts or declines one match from the page.
func (s *Server) handleMarketMatchAnswer(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ans, err := matchAnswer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	answer := r.PathValue("answer")
	switch answer {
	case "accept":
		_, err = s.Market.AcceptMatch(r.Context(), st.actor, id, ans)
		answer = market.Accepted
	case "decline":
		ans.Reason, ans.Note = market.DeclineReason(r.PostFormValue("reason")), r.PostFormValue("note")
		_, err = s.Market.DeclineMatch(r.Context(), st.actor, id, ans)
		answer = market.Declined
	default:
		err = apperr.New(apperr.NotFound, "error.not_found")
	}
	if isFormError(err) || apperr.Is(err, apperr.Conflict) {
		s.matchesPage(w, r, formStatus(err), id, errorText(st.lang, err), ans.CandidateKind+":"+r.PathValue("candidate"))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, market.MatchesLink(id)+"?done="+answer, http.StatusSeeOther)
}

// handleMarketMatchNotices turns the user's match notices on or off.
func (s *Server) handleMarketMatchNotices(w http.ResponseWriter, r *http.Request) {
	on := r.PostFormValue("on") == "1"
	if err := s.Market.SetMatchNotices(r.Context(), state(r).actor, on); err != nil {
		s.writeError(w, r, err)
		return
	}
	redirectBack(w, r, "/inbox")
}

type newMatchesData struct {
	Nav      marketNav
	Items    []market.Proposal
	Region   string
	Counties []region.Region
	Pager    pager
}

// handleMarketNewMatches is the staff's list of the best matches of
// recently published listings, per county.
func (s *Server) handleMarketNewMatches(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	q := newQuery(r)
	regionCode, page := q.Text("region"), q.PageNumber()
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.NewMatches(r.Context(), st.actor, regionCode, page, 20)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := newMatchesData{Nav: s.marketNav(r), Items: list, Region: regionCode, Counties: s.countyChoices(r),
		Pager: newPager(r, max(page, 1), 20, total)}
	s.render(w, r, http.StatusOK, "market/new_matches", s.newPage(r, "market.match.new_title", "market", data))
}

type matchStatsData struct {
	Nav      marketNav
	Stats    market.MatchStats
	Reasons  []reasonChoice
	Region   string
	Counties []region.Region
	Staff    bool
	Chart    string
	Rate     string
}

// handleMarketMatchStats counts the answers to proposed matches by reason
// and domain, with a chart of the reasons.
func (s *Server) handleMarketMatchStats(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	regionCode, err := regionParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	stats, err := s.Market.MatchStatistics(r.Context(), st.actor, regionCode)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	staff := s.Market.Oversees(st.actor)
	data := matchStatsData{Nav: s.marketNav(r), Stats: stats, Reasons: reasonChoices(st.lang), Region: regionCode, Staff: staff,
		Rate: "—"}
	if staff {
		data.Counties = s.countyChoices(r)
	}
	if n := stats.Accepted + stats.Declined; n > 0 {
		data.Rate = strconv.FormatFloat(100*float64(stats.Accepted)/float64(n), 'f', 1, 64) + "%"
	}
	var names []string
	var counts []int
	for _, rc := range stats.Reasons {
		names, counts = append(names, i18n.T(st.lang, "market.match.reason."+string(rc.Reason))), append(counts, rc.Count)
	}
	data.Chart = barChart(names, counts, 110, map[string]any{"minInterval": 1, "name": i18n.T(st.lang, "market.match.count")})
	s.render(w, r, http.StatusOK, "market/match_stats", s.newPage(r, "market.match.stats_title", "market", data))
}

// matchesAPIPage is a match page in the API: every reason's text in the
// caller's language.
func (s *Server) handleAPIMatches(k market.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, id, ok := s.apiActorID(w, r)
		if !ok {
			return
		}
		if s.Search == nil {
			s.writeError(w, r, apperr.New(apperr.NotFound, "error.not_found"))
			return
		}
		q := newQuery(r)
		page := q.PageNumber()
		if err := q.Err(); err != nil {
			s.writeError(w, r, err)
			return
		}
		p, err := s.Search.Matches(r.Context(), actor, id, page)
		if err == nil && p.Subject.Kind != k {
			err = apperr.New(apperr.NotFound, "market.listing_not_found")
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		p.Localize(state(r).lang)
		writeJSON(w, http.StatusOK, p)
	}
}

// handleAPIMatchAnswer accepts or declines a match; a decline's body is
// {"reason": "...", "note": "..."}.
func (s *Server) handleAPIMatchAnswer(k market.Kind, answer string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, id, ok := s.apiActorID(w, r)
		if !ok {
			return
		}
		ans, err := matchAnswer(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if l, err := s.Market.GetListing(r.Context(), actor, id); err != nil || l.Kind != k {
			s.writeError(w, r, apperr.New(apperr.NotFound, "market.listing_not_found"))
			return
		}
		var d market.Decision
		if answer == market.Accepted {
			d, err = s.Market.AcceptMatch(r.Context(), actor, id, ans)
		} else {
			var body struct {
				Reason string `json:"reason"`
				Note   string `json:"note"`
			}
			if err := decodeJSON(w, r, &body); err != nil {
				s.writeError(w, r, err)
				return
			}
			ans.Reason, ans.Note = market.DeclineReason(strings.TrimSpace(body.Reason)), body.Note
			d, err = s.Market.DeclineMatch(r.Context(), actor, id, ans)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, d)
	}
}

// handleAPINewMatches lists the best matches of recently published
// listings for staff (?region=, ?page=, ?per_page=).
func (s *Server) handleAPINewMatches(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	regionCode := q.Text("region")
	page, perPage := q.Page(20, 100)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Market.NewMatches(r.Context(), actor, regionCode, page, perPage)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[market.Proposal]{Total: total, Page: page, PerPage: perPage, Items: nonNil(list)})
}

// handleAPIMatchStats counts the answers to matches (?region=).
func (s *Server) handleAPIMatchStats(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	regionCode, err := regionParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.Market.MatchStatistics(r.Context(), actor, regionCode)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// matchNotices is the body of /api/v1/me/match-notices.
type matchNotices struct {
	On *bool `json:"on"`
}

// handleAPIMatchNotices reads (GET) or sets (PUT {"on": false}) whether
// the caller gets match notices.
func (s *Server) handleAPIMatchNotices(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodPut {
		var body matchNotices
		if err := decodeJSON(w, r, &body); err != nil {
			s.writeError(w, r, err)
			return
		}
		if body.On == nil {
			s.writeError(w, r, apperr.Fields(apperr.Field("on", "error.required")))
			return
		}
		if err := s.Market.SetMatchNotices(r.Context(), actor, *body.On); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	on, err := s.Market.MatchNoticesOn(r.Context(), actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, matchNotices{On: &on})
}
