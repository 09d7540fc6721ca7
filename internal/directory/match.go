package directory

import (
	"context"
	"fmt"
	"slices"

	"kechuang/internal/sqldb"
)

// MatchProfile is an expert or institution as the market's matching reads
// it: only what any member may see. An expert appears only with a public
// profile (consent to show the name, no pending deletion, visibility not
// staff) and with only the fields consented to; an institution when its
// visibility is not staff, without its contact. Phone and e-mail are never
// part of it.
type MatchProfile struct {
	Type string // TypeExpert or TypeInstitution
	ID   int64
	Name string
	// Affiliation and Title: an expert's institution (or employer) and
	// 职称, "" when withheld.
	Affiliation string
	Title       string
	// Kind is an institution's type code (Reference.InstitutionTypes).
	Kind        string
	Disciplines []string
	Keywords    []string
	Domains     []string // institutions: the declared high-tech domains
	// Text is an expert's research direction, an institution's summary.
	Text         string
	Achievements []string // experts: representative achievements and patents
	RegionCode   string   // "" when the expert withheld it
	// Accounts are the platform accounts that act for the record (the
	// expert's own, the institution's linked accounts): matching counts
	// their deals and tells them of an accepted match. Never shown.
	Accounts []int64
}

// MatchProfiles returns the matchable experts and institutions, by type
// and id. It takes no actor: what it returns is what every member sees.
func (s *Service) MatchProfiles(ctx context.Context) ([]MatchProfile, error) {
	experts, err := queryAll(ctx, s.db, "experts", "SELECT "+expertColumns+" FROM "+expertFrom+
		` WHERE e.visibility IN ('public', 'members') AND e.consent_fields LIKE '%,name,%' AND e.deletion_requested_at IS NULL
		ORDER BY e.id`, nil, scanExpert)
	if err != nil {
		return nil, err
	}
	var out []MatchProfile
	for _, e := range experts {
		if !e.Public() {
			continue
		}
		accounts := []int64{}
		if e.AccountID != 0 {
			accounts = append(accounts, e.AccountID)
		}
		p := e.public()
		// A link to an institution the members may not see would name it.
		if p.InstitutionID != 0 && e.instVisibility == VisibleStaff {
			p.Affiliation = ""
		}
		out = append(out, MatchProfile{Type: TypeExpert, ID: e.ID, Name: p.Name, Affiliation: p.Affiliation, Title: p.Title,
			Disciplines: p.Disciplines, Keywords: p.Keywords, Text: p.Research,
			Achievements: append(slices.Clip(p.Achievements), p.Patents...), RegionCode: p.RegionCode, Accounts: accounts})
	}
	insts, err := queryAll(ctx, s.db, "institutions", "SELECT "+institutionColumns+
		" FROM institutions i WHERE i.visibility IN ('public', 'members') ORDER BY i.id", nil, scanInstitution)
	if err != nil {
		return nil, err
	}
	links, err := institutionLinks(ctx, s.db)
	if err != nil {
		return nil, err
	}
	for _, i := range insts {
		out = append(out, MatchProfile{Type: TypeInstitution, ID: i.ID, Name: i.Name, Kind: i.Type, Disciplines: i.Disciplines,
			Keywords: []string{}, Domains: i.Domains, Text: i.Summary, Achievements: []string{}, RegionCode: i.RegionCode,
			Accounts: append([]int64{}, links[i.ID]...)})
	}
	return out, nil
}

// institutionLinks maps each institution to its linked accounts.
func institutionLinks(ctx context.Context, q sqldb.Querier) (map[int64][]int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT institution_id, user_id FROM institution_accounts ORDER BY institution_id, user_id")
	if err != nil {
		return nil, fmt.Errorf("institution accounts: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var inst, user int64
		if err := rows.Scan(&inst, &user); err != nil {
			return nil, err
		}
		out[inst] = append(out[inst], user)
	}
	return out, rows.Err()
}

// InvestorProfile is an investor account as the matching of financing
// needs reads it: its stated preferences (nil when none, or staff-only),
// the funds it manages that members may see, and their portfolios.
type InvestorProfile struct {
	UserID      int64
	Name        string
	Preferences *InvestorPreferences
	Funds       []Fund
	Portfolio   []Investment
}

// InvestorProfiles returns the enabled investor accounts with preferences
// or funds that members may see, by account id. It takes no actor: what
// it returns is what every member sees (amounts of the portfolio
// included, which only matching reads, never shown row by row).
func (s *Service) InvestorProfiles(ctx context.Context) ([]InvestorProfile, error) {
	prefs, err := queryAll(ctx, s.db, "investor preferences", "SELECT "+investorColumns+" FROM "+investorFrom+
		" WHERE p.visibility IN ('public', 'members') AND u.disabled = ? AND u.role = 'investor' ORDER BY p.user_id",
		[]any{false}, scanInvestor)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*InvestorProfile{}
	var ids []int64
	profile := func(id int64) *InvestorProfile {
		if p := byID[id]; p != nil {
			return p
		}
		p := &InvestorProfile{UserID: id}
		byID[id], ids = p, append(ids, id)
		return p
	}
	for _, p := range prefs {
		x := profile(p.UserID)
		x.Name, x.Preferences = p.Name, &p
	}
	funds, err := queryAll(ctx, s.db, "funds", "SELECT "+fundColumns+` FROM funds WHERE visibility IN ('public', 'members')
		AND owner_id IN (SELECT id FROM users WHERE role = 'investor' AND disabled = ?) ORDER BY id`, []any{false}, scanFund)
	if err != nil {
		return nil, err
	}
	fundOwner := map[int64]int64{}
	for _, f := range funds {
		f.Contact = Contact{}
		x := profile(f.OwnerID)
		x.Funds, fundOwner[f.ID] = append(x.Funds, f), f.OwnerID
	}
	rows, err := queryAll(ctx, s.db, "portfolio", "SELECT "+investmentColumns+" FROM fund_investments ORDER BY id", nil, scanInvestment)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if owner, ok := fundOwner[r.FundID]; ok {
			byID[owner].Portfolio = append(byID[owner].Portfolio, r)
		}
	}
	var names map[int64]string
	if names, err = accountNames(ctx, s.db); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	out := make([]InvestorProfile, 0, len(ids))
	for _, id := range ids {
		p := byID[id]
		if p.Name == "" {
			p.Name = names[id]
		}
		out = append(out, *p)
	}
	return out, nil
}

// accountNames maps investor accounts to their display names.
func accountNames(ctx context.Context, q sqldb.Querier) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, COALESCE(NULLIF(display_name, ''), username) FROM users WHERE role = 'investor'")
	if err != nil {
		return nil, fmt.Errorf("investor names: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
