package market

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

// The features of a financing need against an investor.
const (
	FeatureStage     = "stage"     // the need's round against the stages the investor invests in
	FeatureTicket    = "ticket"    // the amount sought against the investor's ticket size
	FeaturePortfolio = "portfolio" // past investments in the need's domain
)

// investorWeights weight the features of an investor match: the domain
// decides, stage and ticket must fit, region and a record in the domain
// order investors of equal fit.
var investorWeights = map[string]float64{
	FeatureDomain: 1, FeatureStage: 0.6, FeatureTicket: 0.6, FeatureRegion: 0.3, FeaturePortfolio: 0.5,
}

// roundStages maps a financing round to the investment stages
// (directory Reference.Stages) it belongs to.
var roundStages = map[string][]string{
	"seed": {"seed"}, "angel": {"seed", "startup"}, "pre-a": {"startup"}, "a": {"startup", "growth"},
	"b": {"growth"}, "c-plus": {"growth", "mature"}, "strategic": {"mature"},
}

// investor is an investor account with everything matching reads of it:
// the stated preferences merged with its funds' focus, and the domains
// of its past investments.
type investor struct {
	directory.InvestorProfile
	domains []string
	stages  []string
	// regions are the stated regions, or else the funds' regions.
	regions []string
	// past are the top-level domains of past investments whose domain is
	// known (a portfolio row linked to the registry, an investment through
	// the pipeline), one per investment; unknown counts the others.
	past    []string
	unknown int
}

// investorsFor loads every matchable investor with the domains of its
// portfolio (from the registry) and of its investments through the
// pipeline.
func (s *Service) investors(ctx context.Context) ([]investor, error) {
	if s.people == nil {
		return nil, nil
	}
	profiles, err := s.people.InvestorProfiles(ctx)
	if err != nil {
		return nil, err
	}
	invested, err := investedDomains(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]investor, 0, len(profiles))
	for _, p := range profiles {
		v := investor{InvestorProfile: p}
		if p.Preferences != nil {
			v.domains = append(v.domains, p.Preferences.Domains...)
			v.stages = append(v.stages, p.Preferences.Stages...)
			v.regions = append(v.regions, p.Preferences.Regions...)
		}
		stated := len(v.regions) > 0
		for _, f := range p.Funds {
			v.domains = append(v.domains, f.Domains...)
			v.stages = append(v.stages, f.Stages...)
			if !stated {
				v.regions = append(v.regions, f.RegionCode)
			}
		}
		for _, r := range p.Portfolio {
			domain, err := s.enterpriseDomain(ctx, r.EnterpriseID)
			if err != nil {
				return nil, err
			}
			if domain == "" {
				v.unknown++
				continue
			}
			v.past = append(v.past, domain)
		}
		v.past = append(v.past, invested[p.UserID]...)
		slices.Sort(v.domains)
		slices.Sort(v.stages)
		slices.Sort(v.regions)
		v.domains, v.stages, v.regions = slices.Compact(v.domains), slices.Compact(v.stages), slices.Compact(v.regions)
		out = append(out, v)
	}
	return out, nil
}

// enterpriseDomain is the top-level domain of registry enterprise id, ""
// when it is not linked or the registry does not say.
func (s *Service) enterpriseDomain(ctx context.Context, id int64) (string, error) {
	if id == 0 || s.registry == nil {
		return "", nil
	}
	e, err := s.registry.GetProspect(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return topDomain(e.Domain), nil
}

// investedDomains maps investors to the top-level domains of the
// financing needs they invested in through the pipeline, one per
// investment. Portfolio rows the pipeline wrote carry no registry link,
// so these are counted from the market's side.
func investedDomains(ctx context.Context, q sqldb.Querier) (map[int64][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.investor_id, l.domain FROM investment_interests i JOIN listings l ON l.id = i.listing_id
		WHERE i.stage = ? AND i.fund_id IS NULL ORDER BY i.id`, StageInvested)
	if err != nil {
		return nil, fmt.Errorf("invested domains: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var domain string
		if err := rows.Scan(&id, &domain); err != nil {
			return nil, err
		}
		out[id] = append(out[id], topDomain(domain))
	}
	return out, rows.Err()
}

// investorReasons computes the features of financing need l against
// investor v.
func (s *Service) investorReasons(l Listing, v investor, places placeNames) []Reason {
	var rs []Reason
	add := func(feature, fit string, value float64, key string, args ...any) {
		rs = append(rs, Reason{Feature: feature, Fit: fit, Value: value, Weight: investorWeights[feature], Key: key, Args: args})
	}
	switch {
	case len(v.domains) == 0:
		add(FeatureDomain, "unknown", 0.5, "market.match.investor_domain_open")
	case slices.ContainsFunc(v.domains, func(d string) bool { return d == l.Domain || d == topDomain(l.Domain) }):
		add(FeatureDomain, "good", 1, "market.match.investor_domain_good", l.Domain)
	case slices.ContainsFunc(v.domains, func(d string) bool { return topDomain(d) == topDomain(l.Domain) }):
		add(FeatureDomain, "partial", 0.7, "market.match.investor_domain_top", topDomain(l.Domain))
	default:
		add(FeatureDomain, "poor", 0, "market.match.investor_domain_poor", strings.Join(v.domains, "、"))
	}
	round := msgKey("market.round." + l.Round)
	var common []any
	for _, st := range roundStages[l.Round] {
		if slices.Contains(v.stages, st) {
			common = append(common, stageArg(st))
		}
	}
	switch {
	case len(v.stages) == 0:
		add(FeatureStage, "unknown", 0.5, "market.match.stage_open", round)
	case len(common) > 0:
		add(FeatureStage, "good", 1, "market.match.stage_good", round, common[0])
	default:
		names := make([]any, 0, len(v.stages))
		for _, st := range v.stages {
			names = append(names, stageArg(st))
		}
		add(FeatureStage, "poor", 0, "market.match.stage_poor", round, listArg(names))
	}
	var lo, hi *float64
	if v.Preferences != nil {
		lo, hi = v.Preferences.TicketMin, v.Preferences.TicketMax
	}
	amount := formatWan(l.Amount) + " 万元"
	switch {
	case lo == nil && hi == nil:
		add(FeatureTicket, "unknown", 0.5, "market.match.ticket_open", amount)
	case (lo == nil || l.Amount >= *lo) && (hi == nil || l.Amount <= *hi):
		add(FeatureTicket, "good", 1, "market.match.ticket_good", amount, ticketText(lo, hi))
	case (lo == nil || l.Amount >= *lo/1.5) && (hi == nil || l.Amount <= *hi*1.5):
		add(FeatureTicket, "partial", 0.4, "market.match.ticket_near", amount, ticketText(lo, hi))
	default:
		add(FeatureTicket, "poor", 0, "market.match.ticket_poor", amount, ticketText(lo, hi))
	}
	switch {
	case len(v.regions) == 0:
		add(FeatureRegion, "partial", 0.6, "market.match.investor_region_any")
	case slices.ContainsFunc(v.regions, func(r string) bool { return len(l.RegionCode) == 6 && covers(r, l.RegionCode) }):
		add(FeatureRegion, "good", 1, "market.match.investor_region_good", places.name(l.RegionCode))
	default:
		names := make([]string, len(v.regions))
		for i, r := range v.regions {
			names[i] = places.name(r)
		}
		add(FeatureRegion, "poor", 0, "market.match.investor_region_poor", strings.Join(names, "、"))
	}
	in := 0
	for _, d := range v.past {
		if d == topDomain(l.Domain) {
			in++
		}
	}
	switch {
	case in >= 2:
		add(FeaturePortfolio, "good", 1, "market.match.portfolio_good", in, topDomain(l.Domain))
	case in == 1:
		add(FeaturePortfolio, "partial", 0.6, "market.match.portfolio_good", in, topDomain(l.Domain))
	case len(v.past) > 0:
		add(FeaturePortfolio, "poor", 0, "market.match.portfolio_other", len(v.past)+v.unknown, topDomain(l.Domain))
	case v.unknown > 0:
		add(FeaturePortfolio, "unknown", 0, "market.match.portfolio_unknown", v.unknown)
	default:
		add(FeaturePortfolio, "unknown", 0, "market.match.portfolio_none")
	}
	return rs
}

// covers reports whether the region code r (province, city or county)
// contains the county code c.
func covers(r, c string) bool {
	switch {
	case len(r) != 6:
		return false
	case strings.HasSuffix(r, "0000"):
		return r[:2] == c[:2]
	case strings.HasSuffix(r, "00"):
		return r[:4] == c[:4]
	}
	return r == c
}

func ticketText(lo, hi *float64) string {
	switch {
	case lo != nil && hi != nil:
		return formatWan(*lo) + "–" + formatWan(*hi) + " 万元"
	case lo != nil:
		return "≥ " + formatWan(*lo) + " 万元"
	case hi != nil:
		return "≤ " + formatWan(*hi) + " 万元"
	}
	return ""
}

// stageArg is an investment stage as a reason argument: its label in the
// reader's language (catalog key directory.stage.<code>).
func stageArg(code string) msg { return msgKey("directory.stage." + code) }

// listArg joins reason arguments with 、 once localized.
type listArg []any

// investorPlaces names the regions the investor reasons may mention.
func (s *Service) investorPlaces(ctx context.Context, ls []Listing, vs []investor) (placeNames, error) {
	codes := map[string]bool{}
	for _, l := range ls {
		withParents(codes, l.RegionCode)
	}
	for _, v := range vs {
		for _, r := range v.regions {
			codes[r] = true
		}
	}
	names, err := s.regionNames(ctx, codes)
	return placeNames(names), err
}

// investorMatch is the match of investor v for l.
func (s *Service) investorMatch(l Listing, v investor, places placeNames, boosts map[string]float64) Match {
	m := Match{CandidateKind: CandidateInvestor, ID: v.UserID, Title: v.Name, SharedTerms: []string{}}
	names := make([]string, 0, len(v.Funds))
	for _, f := range v.Funds {
		names = append(names, f.Name)
	}
	m.Subtitle = strings.Join(names, "、")
	m.Reasons = s.investorReasons(l, v, places)
	m.Score = score(m.Reasons, boosts)
	return m
}

// rankInvestors ranks the investors for financing need l, leaving out
// the answered ones.
func (s *Service) rankInvestors(ctx context.Context, l Listing, answered map[string]bool, boosts map[string]float64) ([]Match, error) {
	vs, err := s.investors(ctx)
	if err != nil {
		return nil, err
	}
	places, err := s.investorPlaces(ctx, []Listing{l}, vs)
	if err != nil {
		return nil, err
	}
	out := []Match{}
	for _, v := range vs {
		if answered[CandidateInvestor+":"+idText(v.UserID)] {
			continue
		}
		out = append(out, s.investorMatch(l, v, places, boosts))
	}
	return finish(out, MatchLimit), nil
}

// FinancingMatchPage is the financing needs proposed to an investor.
type FinancingMatchPage struct {
	// Preferences says whether the investor stated preferences or
	// manages a fund: without either every need ranks alike.
	Preferences bool    `json:"preferences"`
	Total       int     `json:"total"`
	Page        int     `json:"page"`
	PerPage     int     `json:"per_page"`
	Matches     []Match `json:"matches"`
}

// Localize fills every reason's text in lang.
func (p *FinancingMatchPage) Localize(lang string) {
	for i := range p.Matches {
		p.Matches[i].Localize(lang)
	}
}

// CanSeeFinancingMatches reports whether the actor has a list of
// financing needs proposed to it: logged-in investors.
func CanSeeFinancingMatches(a account.Actor) bool { return CanInvest(a) }

// FinancingMatches ranks the published financing needs for the investor
// a by its preferences, funds and portfolio, with the reasons; needs whose
// firm declined the investor are left out. Only investors (Forbidden
// otherwise). Business plans are never part of it.
func (s *Service) FinancingMatches(ctx context.Context, a account.Actor, page int) (FinancingMatchPage, error) {
	if !a.LoggedIn() {
		return FinancingMatchPage{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	if !CanSeeFinancingMatches(a) {
		return FinancingMatchPage{}, apperr.New(apperr.Forbidden, "market.interest.investors_only")
	}
	out := FinancingMatchPage{Page: max(page, 1), PerPage: MatchPerPage, Matches: []Match{}}
	vs, err := s.investors(ctx)
	if err != nil {
		return out, err
	}
	v := investor{InvestorProfile: directory.InvestorProfile{UserID: a.UserID}}
	for _, x := range vs {
		if x.UserID == a.UserID {
			v, out.Preferences = x, true
		}
	}
	ids, err := idsOf(ctx, s.db, `SELECT id FROM listings WHERE kind = ? AND state = ? AND id NOT IN
		(SELECT listing_id FROM match_feedback WHERE candidate_kind = ? AND candidate_id = ? AND decision = ?) ORDER BY id`,
		Financing, Published, CandidateInvestor, a.UserID, Declined)
	if err != nil {
		return out, err
	}
	byID, err := listingsByID(ctx, s.db, ids, s.now())
	if err != nil {
		return out, err
	}
	var ls []Listing
	for _, id := range ids {
		if l, ok := byID[id]; ok && l.State == Published {
			ls = append(ls, l)
		}
	}
	places, err := s.investorPlaces(ctx, ls, []investor{v})
	if err != nil {
		return out, err
	}
	var ranked []Match
	for _, l := range ls {
		m := s.investorMatch(l, v, places, nil)
		m.CandidateKind, m.ID, m.Kind, m.Title, m.OwnerName, m.Subtitle = CandidateListing, l.ID, l.Kind, l.Title, l.OwnerName, ""
		if l.Anonymous {
			m.OwnerName, m.Anonymous = "", true
		}
		m.RegionCode, m.Domain, m.Round, m.Amount = l.RegionCode, l.Domain, l.Round, l.Amount
		ranked = append(ranked, m)
	}
	ranked = finish(ranked, MatchLimit)
	out.Total = len(ranked)
	from := min((out.Page-1)*out.PerPage, len(ranked))
	out.Matches = append(out.Matches, ranked[from:min(from+out.PerPage, len(ranked))]...)
	return out, nil
}

// findInvestor returns the investor an answer names, or nil.
func (s *Service) findInvestor(ctx context.Context, kind string, id int64) (*investor, error) {
	if kind != CandidateInvestor {
		return nil, nil
	}
	vs, err := s.investors(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.UserID == id {
			return &v, nil
		}
	}
	return nil, nil
}

func idsOf(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("listing ids: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
