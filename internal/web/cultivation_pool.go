package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
	"kechuang/internal/region"
)

type poolData struct {
	Board     cultivation.PoolBoard
	Chart     string
	Region    string
	Counties  []region.Region
	Pager     pager
	Standings map[int64]cultivation.Standing
	OpenFlags map[int64]int // unchecked plausibility flags per pending firm
	CanDecide bool
	Done      string
	Decided   string
	Errors    map[string]string
}

// poolPerPage is the number of pending proposals the pool page shows at once.
const poolPerPage = 25

// handleCultivationPool shows the pool board: how many firms stand on each
// tier, and, page by page, the firms whose assessment proposes a tier not
// yet confirmed, with a form to confirm or reject several at once.
func (s *Server) handleCultivationPool(w http.ResponseWriter, r *http.Request) {
	s.poolPage(w, r, http.StatusOK, nil)
}

func (s *Server) poolPage(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	st := state(r)
	q := newQuery(r)
	f := cultivation.PoolFilter{Region: q.RegionCode("region"), Page: q.PageNumber(), PerPage: poolPerPage}
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	board, err := s.Cultivation.PoolBoard(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var names []string
	var counts []int
	for _, c := range board.Counts {
		names, counts = append(names, tierLabel(st.lang, c.Tier)), append(counts, c.Count)
	}
	standings := map[int64]cultivation.Standing{}
	var ids []int64
	for _, e := range board.Pending {
		standings[e.ID] = e.Standing(s.Now())
		ids = append(ids, e.ID)
	}
	openFlags, err := s.Cultivation.OpenFlagCounts(r.Context(), st.actor, ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := poolData{Board: board, Chart: barChart(names, counts, 130, map[string]any{"minInterval": 1}),
		Region: f.Region, Counties: s.countyChoices(r), Pager: newPager(r, board.Page, board.PerPage, board.PendingTotal),
		Standings: standings, OpenFlags: openFlags, CanDecide: s.Cultivation.CanDecideProposals(st.actor),
		Done: r.URL.Query().Get("done"), Decided: r.URL.Query().Get("n"), Errors: errs}
	s.render(w, r, status, "cultivation/pool", s.newPage(r, "cultivation.pool", "cultivation", data))
}

// handleCultivationPoolDecide confirms or rejects the pending proposals
// ticked on the pool page, and returns to the same page of the board.
func (s *Server) handleCultivationPoolDecide(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	var ids []int64
	for _, v := range r.PostForm["ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			s.writeError(w, r, apperr.Fields(apperr.Field("ids", "cultivation.bulk_none")))
			return
		}
		ids = append(ids, id)
	}
	decision := r.PostFormValue("decision")
	if decision != "confirm" && decision != "reject" {
		s.writeError(w, r, apperr.Fields(apperr.Field("decision", "cultivation.bulk_decision")))
		return
	}
	back := url.Values{}
	if reg := r.PostFormValue("region"); reg != "" {
		back.Set("region", reg)
	}
	r.URL.RawQuery = back.Encode()
	res, err := s.Cultivation.DecideProposals(r.Context(), st.actor, ids, decision == "confirm", r.PostFormValue("note"))
	if isFormError(err) {
		s.poolPage(w, r, http.StatusUnprocessableEntity, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	back.Set("done", decision)
	back.Set("n", strconv.Itoa(res.Decided))
	http.Redirect(w, r, "/cultivation/pool?"+back.Encode(), http.StatusSeeOther)
}

// tierLabel names a tier in lang; "" is 未入库.
func tierLabel(lang, tier string) string {
	if tier == "" {
		return i18n.T(lang, "cultivation.tier_none")
	}
	code := cultivation.TierCode(tier)
	if code == "" {
		return tier
	}
	return i18n.T(lang, "tier."+code)
}
