package app

import (
	"context"
	"fmt"

	"kechuang/internal/demo"
)

// DemoSummary says what LoadDemo added; a second load adds nothing but
// resets the accounts' password.
type DemoSummary struct {
	Accounts []demo.Account
	// Parts are the module loaders' counts, in loading order.
	Parts []DemoPart
}

// DemoPart is what one demo loader added.
type DemoPart struct {
	What  string // e.g. "demo technology contracts"
	Added int
}

// Added returns how many of what the demo added, 0 for an unknown part.
func (s DemoSummary) Added(what string) int {
	for _, p := range s.Parts {
		if p.What == what {
			return p.Added
		}
	}
	return 0
}

// The parts of the demo, as DemoSummary names them.
const (
	DemoEnterprises = "demo enterprises with indicators, assessments and county targets"
	DemoListings    = "demo achievements and demands in the technology market"
	DemoContracts   = "demo technology contracts"
	DemoDeals       = "demo deals"
	// DemoDealHistory is the year of deals behind the dashboard's trends.
	DemoDealHistory = "demo deals of the year before, for the dashboard"
	DemoAnswers     = "demo answers to matches"
	DemoProjects    = "demo projects with milestones, reports, lights, 督办 orders and service requests"
	DemoDirectory   = "demo directory: institutions, experts, service organisations, carriers and funds"
	DemoFinancing   = "demo financing needs and an investment interest"
	DemoPolicies    = "demo 惠企政策 claims, with a new 小巨人 and a new 高企 firm"
	DemoProfiles    = "demo broker profile and investor preferences"
	DemoRounds      = "demo application rounds: one open, one on public notice with objections"
	DemoSanctions   = "demo spot checks (one finished with a revocation, one in progress) and blacklist entries"
	DemoFederation  = "demo peer instance (无锡市) and its listings"
	DemoEvents      = "demo events: a past 路演 with outcomes and a deal, a coming 对接会 with registrations and meetings"
	DemoAnonymous   = "demo anonymous listings (匿名发布), one interest forwarded and one held for the broker"
	DemoChallenges  = "demo 揭榜挂帅 challenges: one under review, one open, one in its 公示, one signed with its project"
	DemoChains      = "demo chain firms (the hand-labelled set) placed on the chains, with confirmed placements, 链主 and a 招商 lead"
	DemoIndicators  = "demo 一表通 entries: twelve months, four quarters and a year, two counties missing last month"
)

// LoadDemo loads the demo installation of 苏州市 through the app's own
// services: one account per role with password, then each module's data.
// The app must have been built with the demo's home region
// (Config.HomeRegion = demo.HomeRegion), so that the market the demo fills
// is the one the server runs. A module adds its loader here.
func (a *App) LoadDemo(ctx context.Context, password string) (DemoSummary, error) {
	var sum DemoSummary
	if a.HomeRegion != demo.HomeRegion {
		return sum, fmt.Errorf("the demo is of 苏州市 (%s), but the home region is %q", demo.HomeRegion, a.HomeRegion)
	}
	var err error
	if sum.Accounts, err = demo.Load(ctx, a.Accounts, password); err != nil {
		return sum, fmt.Errorf("load demo accounts: %w", err)
	}
	now := a.Now()
	steps := []struct {
		what string
		load func() (int, error)
	}{
		{DemoEnterprises, func() (int, error) { return demo.LoadEnterprises(ctx, a.DB, a.Accounts, a.Cultivation, now) }},
		{DemoListings, func() (int, error) {
			return demo.LoadMarket(ctx, a.DB, a.Accounts, a.Market.Reference(), password, now)
		}},
		{DemoContracts, func() (int, error) { return demo.LoadContracts(ctx, a.DB, a.Accounts, a.Market, now) }},
		{DemoDeals, func() (int, error) { return demo.LoadDeals(ctx, a.DB, a.Accounts, a.Market, now) }},
		{DemoDealHistory, func() (int, error) { return demo.LoadDealHistory(ctx, a.DB, a.Accounts, a.Market, now) }},
		{DemoAnswers, func() (int, error) {
			// The demo listings were written behind the index's back; it
			// catches up before the owners look at their matches.
			if _, err := a.Search.CatchUp(ctx); err != nil {
				return 0, fmt.Errorf("index demo listings: %w", err)
			}
			return demo.LoadMatchAnswers(ctx, a.DB, a.Accounts, a.Market, a.Search)
		}},
		{DemoProjects, func() (int, error) { return demo.LoadProjects(ctx, a.DB, a.Accounts, a.Projects, now) }},
		{DemoRounds, func() (int, error) { return demo.LoadRounds(ctx, a.DB, a.Accounts, a.Cultivation, now) }},
		{DemoDirectory, func() (int, error) { return demo.LoadDirectory(ctx, a.DB, a.Accounts, a.Directory, now) }},
		{DemoProfiles, func() (int, error) { return demo.LoadProfiles(ctx, a.DB, a.Accounts, a.Directory) }},
		// After the deals, which are for achievements and demands.
		{DemoFinancing, func() (int, error) { return demo.LoadFinancing(ctx, a.DB, a.Accounts, a.Market, now) }},
		// After the listings, deals and financing needs its meetings are about.
		{DemoEvents, func() (int, error) { return demo.LoadEvents(ctx, a.DB, a.Accounts, a.Market, now) }},
		// After the deals, which it must not stop from loading.
		{DemoAnonymous, func() (int, error) { return demo.LoadAnonymous(ctx, a.DB, a.Accounts, a.Market, now) }},
		{DemoFederation, func() (int, error) { return demo.LoadFederation(ctx, a.Federation) }},
		{DemoChallenges, func() (int, error) {
			return demo.LoadChallenges(ctx, demo.ChallengeDeps{DB: a.DB, Accounts: a.Accounts, Directory: a.Directory, Projects: a.Projects,
				Calendar: a.Projects.Calendar(), Challenges: a.Challenges}, password, now)
		}},
		{DemoSanctions, func() (int, error) { return demo.LoadSanctions(ctx, a.DB, a.Accounts, a.Cultivation, now) }},
		{DemoChains, func() (int, error) {
			return demo.LoadChains(ctx, a.DB, a.Accounts, a.Cultivation, a.Projects, a.Chains, now)
		}},
		{DemoIndicators, func() (int, error) { return demo.LoadIndicators(ctx, a.DB, a.Accounts, a.Indicators, now) }},
		// Last, so that the firms it adds change no other part of the demo.
		{DemoPolicies, func() (int, error) { return demo.LoadPolicyClaims(ctx, a.DB, a.Accounts, a.Cultivation, now) }},
	}
	for _, st := range steps {
		n, err := st.load()
		if err != nil {
			return sum, fmt.Errorf("load %s: %w", st.what, err)
		}
		sum.Parts = append(sum.Parts, DemoPart{What: st.what, Added: n})
	}
	return sum, nil
}
