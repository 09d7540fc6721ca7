package cultivation

import (
	"context"
	"fmt"
	"strings"
)

// Prospect is the public face of a registered enterprise, as the market's
// matching shows it to an achievement's owner: name, place, industry,
// domain and confirmed tier — facts of public registration and
// certification, never the yearly indicators.
type Prospect struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
	Industry   string `json:"industry,omitempty"`
	Domain     string `json:"domain,omitempty"`
	Tier       string `json:"tier,omitempty"`
	// AccountID is the enterprise's platform account, 0 when it has none.
	AccountID int64 `json:"-"`
}

// FindProspects returns at most limit registered enterprises whose
// industry shares the section letter of industry (GB/T 4754, "C39" → "C")
// or whose high-tech domain shares the top level of domain
// ("电子信息/软件" → "电子信息"), by ID. It is not scoped to an actor:
// Prospect carries public facts only, and the caller decides who sees the
// list. Empty industry and domain find nothing.
func (s *Service) FindProspects(ctx context.Context, industry, domain string, limit int) ([]Prospect, error) {
	var cond []string
	var args []any
	if industry != "" {
		cond = append(cond, "industry LIKE ?")
		args = append(args, industry[:1]+"%")
	}
	if top, _, _ := strings.Cut(domain, "/"); top != "" {
		cond = append(cond, "(domain = ? OR domain LIKE ?)")
		args = append(args, top, top+"/%")
	}
	if len(cond) == 0 || limit <= 0 {
		return nil, nil
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, region_code, industry, domain, tier, COALESCE(account_id, 0)
		FROM enterprises WHERE `+strings.Join(cond, " OR ")+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("find prospects: %w", err)
	}
	defer rows.Close()
	var out []Prospect
	for rows.Next() {
		var p Prospect
		if err := rows.Scan(&p.ID, &p.Name, &p.RegionCode, &p.Industry, &p.Domain, &p.Tier, &p.AccountID); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GetProspect returns one enterprise's public face; apperr.NotFound if absent.
func (s *Service) GetProspect(ctx context.Context, id int64) (Prospect, error) {
	e, err := getEnterprise(ctx, s.db, id)
	if err != nil {
		return Prospect{}, err
	}
	return Prospect{ID: e.ID, Name: e.Name, RegionCode: e.RegionCode, Industry: e.Industry, Domain: e.Domain, Tier: e.Tier,
		AccountID: e.AccountID}, nil
}
