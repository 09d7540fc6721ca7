package web

import (
	"net/http"

	"kechuang/internal/i18n"
	"kechuang/internal/market"
	"kechuang/internal/region"
)

type marketHomeData struct {
	Nav      marketNav
	Newest   []listingView
	Popular  []listingView
	Domains  []market.DomainCount
	List     []listingView
	Filter   market.Filter
	Filtered bool
	Pager    pager
	Ref      *market.Reference
	Counties []region.Region
	// Rounds are the financing rounds, offered when the list shows
	// financing needs.
	Rounds []choiceLabel
}

// handleMarketHome shows the market: newest and most viewed listings,
// counts by domain, and the public list with plain filters and paging.
func (s *Server) handleMarketHome(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	ctx := r.Context()
	q := newQuery(r)
	kind := market.Kind(q.Enum("kind", string(market.Achievement), string(market.Demand), string(market.Financing)))
	f, err := s.listingFilter(r, kind)
	if err == nil {
		err = q.Err()
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Mine, f.State = false, ""
	list, total, err := s.Market.FindListings(ctx, st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	data := marketHomeData{Nav: s.marketNav(r), List: s.listingViews(st.lang, list), Filter: f,
		Filtered: f.Kind != "" || f.Domain != "" || f.Region != "" || f.TRLBand != "" || f.Mode != "" || f.Band != "" || f.Round != "",
		Pager:    newPager(r, f.Page, f.PerPage, total), Ref: s.Market.Reference(), Counties: s.countyChoices(r)}
	for _, c := range market.Rounds {
		data.Rounds = append(data.Rounds, choiceLabel{Code: c, Name: i18n.T(st.lang, "market.round."+c)})
	}
	if s.HomeRegion != "" {
		// The public filter offers every county of the home region, whoever asks.
		if kids, err := s.Regions.Children(ctx, s.HomeRegion); err == nil {
			data.Counties = kids
		}
	}
	newest, _, err := s.Market.FindListings(ctx, st.actor, market.Filter{PerPage: 5})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	popular, _, err := s.Market.FindListings(ctx, st.actor, market.Filter{PerPage: 5, Sort: "views"})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if data.Domains, err = s.Market.DomainCounts(ctx, f.Kind); err != nil {
		s.writeError(w, r, err)
		return
	}
	data.Newest, data.Popular = s.listingViews(st.lang, newest), s.listingViews(st.lang, popular)
	s.render(w, r, http.StatusOK, "market/home", s.newPage(r, "market.title", "market", data))
}
