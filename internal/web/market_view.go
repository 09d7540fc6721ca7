package web

import (
	"net/http"

	"kechuang/internal/i18n"
	"kechuang/internal/market"
)

// listingView is a listing with its codes turned into names for display.
type listingView struct {
	market.Listing
	KindName    string
	StateName   string
	TRLName     string
	BandName    string
	PriceText   string
	SectionName string
	ModeNames   []string
	Paragraphs  []string
	Expected    []string
	IPRows      []ipRow
	TwinPercent int
	// Financing needs: the round's label, the amount and valuation as
	// text, the use of funds in paragraphs.
	RoundName     string
	AmountText    string
	ValuationText string
	UseOfFunds    []string
}

type ipRow struct{ Type, Number, Status string }

func (s *Server) listingView(lang string, l market.Listing) listingView {
	ref := s.Market.Reference()
	v := listingView{Listing: l, KindName: i18n.T(lang, "market.kind."+string(l.Kind)),
		StateName: i18n.T(lang, "market.state."+string(l.State)), TRLName: ref.TRLName(l.TRL), BandName: s.bandName(lang, l.Band),
		SectionName: ref.SectionName(l.Industry), Paragraphs: market.Paragraphs(l.Summary), Expected: market.Paragraphs(l.Expected)}
	v.TwinPercent = int(l.TwinScore*100 + 0.5)
	v.OwnerName = ownerLabel(lang, l.OwnerName, l.Anonymous)
	for _, m := range l.Modes {
		v.ModeNames = append(v.ModeNames, ref.ModeName(m))
	}
	for _, x := range l.IP {
		v.IPRows = append(v.IPRows, ipRow{Type: ref.IPTypeName(x.Type), Number: x.Number, Status: ref.IPStatusName(x.Status)})
	}
	if l.Kind == market.Financing {
		v.RoundName, v.AmountText, v.UseOfFunds = i18n.T(lang, "market.round."+l.Round), formatWan(lang, l.Amount), market.Paragraphs(l.UseOfFunds)
		v.ValuationText = i18n.T(lang, "market.valuation_open")
		if l.Valuation != nil {
			v.ValuationText = formatWan(lang, *l.Valuation)
		}
	}
	switch {
	case l.Kind == market.Demand || l.Kind == market.Financing:
		v.PriceText = v.BandName
	case l.Price == nil:
		v.PriceText = i18n.T(lang, "market.negotiable")
	default:
		v.PriceText = formatWan(lang, *l.Price)
	}
	return v
}

func (s *Server) listingViews(lang string, list []market.Listing) []listingView {
	out := make([]listingView, 0, len(list))
	for _, l := range list {
		out = append(out, s.listingView(lang, l))
	}
	return out
}

// marketNav is the toolbar every market page shows: what the actor may do
// and the unread notices.
type marketNav struct {
	CanAchievement bool
	CanDemand      bool
	CanFinancing   bool
	// Investor offers the list of the investor's interests.
	Investor bool
	Owner    bool
	Reviewer bool
	Unread   int
	Queue    int
}

func (s *Server) marketNav(r *http.Request) marketNav {
	a := state(r).actor
	n := marketNav{CanAchievement: market.CanOwn(a, market.Achievement), CanDemand: market.CanOwn(a, market.Demand),
		CanFinancing: market.CanOwn(a, market.Financing), Investor: market.CanInvest(a), Reviewer: s.Market.Oversees(a)}
	n.Owner = n.CanAchievement || n.CanDemand
	if a.LoggedIn() {
		// The toolbar is a convenience: a failed count shows 0 rather than
		// failing the page.
		n.Unread, _ = s.Notices.UnreadCount(r.Context(), a)
	}
	if n.Reviewer {
		if c, err := s.Market.ReviewCounts(r.Context(), a); err == nil {
			n.Queue = c[market.Achievement] + c[market.Demand] + c[market.Financing]
		}
	}
	return n
}

// ownerLabel is how pages name the owner of a listing or deal: 匿名发布 in
// place of an anonymous owner the reader may not know, and after the name
// of one the reader may.
func ownerLabel(lang, name string, anonymous bool) string {
	switch {
	case !anonymous:
		return name
	case name == "":
		return i18n.T(lang, "market.anonymous_owner")
	}
	return name + "（" + i18n.T(lang, "market.anonymous_owner") + "）"
}
