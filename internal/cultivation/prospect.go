package cultivation

import (
	"context"
	"encoding/json"
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
	// Size is the enterprise's size class from its latest year on record
	// (see SizeClass); "" when no year gives both figures.
	Size string `json:"size,omitempty"`
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
	var out []Prospect
	for rows.Next() {
		var p Prospect
		if err := rows.Scan(&p.ID, &p.Name, &p.RegionCode, &p.Industry, &p.Domain, &p.Tier, &p.AccountID); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.sizeProspects(ctx, out)
}

// sizeProspects fills Size from each enterprise's latest year on record.
func (s *Service) sizeProspects(ctx context.Context, ps []Prospect) error {
	byID := make(map[int64]*Prospect, len(ps))
	for i := range ps {
		byID[ps[i].ID] = &ps[i]
	}
	latest := map[int64]int{}
	for start := 0; start < len(ps); start += 500 {
		batch := ps[start:min(start+500, len(ps))]
		args := make([]any, len(batch))
		for i, p := range batch {
			args[i] = p.ID
		}
		rows, err := s.db.QueryContext(ctx, "SELECT enterprise_id, year, data FROM enterprise_years WHERE enterprise_id IN (?"+
			strings.Repeat(", ?", len(batch)-1)+")", args...)
		if err != nil {
			return fmt.Errorf("prospect years: %w", err)
		}
		for rows.Next() {
			var id int64
			var year int
			var data string
			if err := rows.Scan(&id, &year, &data); err != nil {
				rows.Close()
				return err
			}
			if year <= latest[id] {
				continue
			}
			var y YearRecord
			if err := json.Unmarshal([]byte(data), &y); err != nil {
				rows.Close()
				return fmt.Errorf("enterprise %d year %d: %w", id, year, err)
			}
			if f := y.Figures; f.Employees != nil && f.Revenue != nil {
				latest[id] = year
				byID[id].Size = SizeClass(*f.Employees, *f.Revenue)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// Size classes of 《中小企业划型标准规定》(工信部联企业〔2011〕300号).
const (
	SizeMicro  = "micro"
	SizeSmall  = "small"
	SizeMedium = "medium"
	SizeLarge  = "large"
)

// SizeClass classes an enterprise by employees and revenue (元) with the
// industrial (工业) thresholds of 工信部联企业〔2011〕300号: large from
// 1,000 employees and 4亿元 revenue, medium from 300 and 2,000万元, small
// from 20 and 300万元, micro below. Other sectors have other thresholds;
// matching uses the class only to say how much a firm can take on, so one
// yardstick for all is the honest simplification.
func SizeClass(employees, revenue float64) string {
	switch {
	case employees >= 1000 && revenue >= 4e8:
		return SizeLarge
	case employees >= 300 && revenue >= 2e7:
		return SizeMedium
	case employees >= 20 && revenue >= 3e6:
		return SizeSmall
	default:
		return SizeMicro
	}
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
