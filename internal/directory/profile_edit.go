package directory

import (
	"context"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
)

// BrokerProfileToEdit returns the broker profile of account userID as its
// form starts: the stored profile, or a blank one in the account's region
// for a broker account that has none yet. Only those who may write it (the
// broker, staff in scope) get it; anyone else gets NotFound, as a write
// would.
func (s *Service) BrokerProfileToEdit(ctx context.Context, a account.Actor, userID int64) (BrokerProfile, error) {
	b, err := getBroker(ctx, s.db, userID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return BrokerProfile{}, err
	}
	regionNow, err2 := accountProfile(ctx, s.db, a, userID, account.RoleBroker, b.RegionCode)
	if err2 != nil {
		return BrokerProfile{}, err2
	}
	if err != nil {
		ai, _, err := getAccount(ctx, s.db, userID)
		if err != nil {
			return BrokerProfile{}, err
		}
		b = BrokerProfile{UserID: userID, Name: ai.Name, RegionCode: regionNow, Visibility: VisiblePublic, Fields: []string{}}
	}
	b.Perms = Perms{Edit: true, Manage: Manages(a, regionNow)}
	return b, nil
}

// BrokerProfiles returns the profiles among the accounts ids that the
// actor may see, with their performance, by account id.
func (s *Service) BrokerProfiles(ctx context.Context, a account.Actor, ids []int64) (map[int64]BrokerProfile, error) {
	out := map[int64]BrokerProfile{}
	var list []BrokerProfile
	for _, id := range ids {
		b, err := getBroker(ctx, s.db, id)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if b, ok := b.view(a); ok {
			list = append(list, b)
		}
	}
	if err := s.addPerformance(ctx, list); err != nil {
		return nil, err
	}
	for _, b := range list {
		out[b.UserID] = b
	}
	return out, nil
}

// InvestorPreferencesToEdit returns an investor's preferences as the form
// starts: the stored ones, or blank ones for an investor account without
// any. Only the investor and staff in scope get them; anyone else gets
// NotFound.
func (s *Service) InvestorPreferencesToEdit(ctx context.Context, a account.Actor, userID int64) (InvestorPreferences, error) {
	p, err := getInvestor(ctx, s.db, userID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return InvestorPreferences{}, err
	}
	regionNow, err2 := accountProfile(ctx, s.db, a, userID, account.RoleInvestor, p.RegionCode)
	if err2 != nil {
		return InvestorPreferences{}, err2
	}
	if err != nil {
		ai, _, err := getAccount(ctx, s.db, userID)
		if err != nil {
			return InvestorPreferences{}, err
		}
		p = InvestorPreferences{UserID: userID, Name: ai.Name, RegionCode: regionNow, Visibility: VisibleMembers,
			Domains: []string{}, Stages: []string{}, Regions: []string{}}
	}
	p.Perms = Perms{Edit: true, Manage: Manages(a, regionNow)}
	return p, nil
}
