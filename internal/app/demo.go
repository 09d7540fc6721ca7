package app

import (
	"context"
	"fmt"

	"kechuang/internal/demo"
)

// DemoSummary says what LoadDemo added; a second load adds nothing but
// resets the accounts' password.
type DemoSummary struct {
	Accounts                                         []demo.Account
	Enterprises, Listings, Contracts, Deals, Answers int
}

// LoadDemo loads the demo installation of 苏州市 through the app's own
// services: one account per role with password, then enterprises,
// listings, contracts, deals and match answers. The app must have been
// built with the demo's home region (Config.HomeRegion = demo.HomeRegion),
// so that the market the demo fills is the one the server runs.
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
	if sum.Enterprises, err = demo.LoadEnterprises(ctx, a.DB, a.Accounts, a.Cultivation, now); err != nil {
		return sum, fmt.Errorf("load demo enterprises: %w", err)
	}
	if sum.Listings, err = demo.LoadMarket(ctx, a.DB, a.Accounts, a.Market.Reference(), password, now); err != nil {
		return sum, fmt.Errorf("load demo market: %w", err)
	}
	if sum.Contracts, err = demo.LoadContracts(ctx, a.DB, a.Accounts, a.Market, now); err != nil {
		return sum, fmt.Errorf("load demo contracts: %w", err)
	}
	if sum.Deals, err = demo.LoadDeals(ctx, a.DB, a.Accounts, a.Market, now); err != nil {
		return sum, fmt.Errorf("load demo deals: %w", err)
	}
	// The demo listings were written behind the index's back; it catches up
	// before the owners look at their matches.
	if _, err := a.Index.CatchUp(ctx); err != nil {
		return sum, fmt.Errorf("index demo listings: %w", err)
	}
	if sum.Answers, err = demo.LoadMatchAnswers(ctx, a.DB, a.Accounts, a.Market, a.Index); err != nil {
		return sum, fmt.Errorf("load demo match answers: %w", err)
	}
	return sum, nil
}
