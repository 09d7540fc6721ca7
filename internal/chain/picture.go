package chain

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// LinkPicture is one link's picture: its figures, its strength verdict,
// when its data last changed and, where the actor may see them, what is
// placed on it. Hidden counts what lies outside the actor's view (counted
// in Figures, not listed in Placed).
type LinkPicture struct {
	Link        Link        `json:"link"`
	Figures     Figures     `json:"figures"`
	Tiers       []TierCount `json:"tiers"`
	Verdict     Verdict     `json:"verdict"`
	LastChanged time.Time   `json:"last_changed,omitzero"`
	Placed      []Placement `json:"placed"`
	Hidden      int         `json:"hidden"`
	Leaders     []Leader    `json:"leaders"`
}

// TierCount is the number of a link's firms on one rung (规上 is not a
// rung of the ladder but counted the same way).
type TierCount struct {
	Tier  string `json:"tier"` // above-scale, high-tech, specialized-sme, little-giant
	Count int    `json:"count"`
}

// CountyHeat is one county's strength counts for a chain.
type CountyHeat struct {
	RegionCode string         `json:"region_code"`
	Firms      int            `json:"firms"`
	Verdicts   map[string]int `json:"verdicts"`
}

// ChainPicture is a chain with the picture of every link, in one county or
// the whole region (County "").
type ChainPicture struct {
	Chain    Chain         `json:"chain"`
	Revision int           `json:"revision"`
	County   string        `json:"county,omitempty"`
	Links    []LinkPicture `json:"links"`
	Leaders  []Leader      `json:"leaders"`
	Heat     []CountyHeat  `json:"heat,omitempty"`
}

// Link returns the picture of one link.
func (p *ChainPicture) Link(id string) (LinkPicture, bool) {
	for _, l := range p.Links {
		if l.Link.ID == id {
			return l, true
		}
	}
	return LinkPicture{}, false
}

// inCounty reports whether regionCode lies in county ("" is everywhere).
func inCounty(county, regionCode string) bool {
	return county == "" || region.Contains(county, regionCode)
}

// Picture computes a chain's picture in county ("" for the whole region):
// figures and verdict per link over every placement there, placements
// listed only where the actor SeesDetails, and the county heat when
// county is "". Any signed-in user may read it.
func (s *Service) Picture(ctx context.Context, a account.Actor, chainID, county string) (ChainPicture, error) {
	if !s.CanViewChains(a) {
		return ChainPicture{}, notFound()
	}
	if county != "" && (!region.ValidCode(county) || region.LevelOf(county) != region.County) {
		return ChainPicture{}, apperr.Fields(apperr.Field("county", "chain.county_invalid"))
	}
	c, revision, err := s.chain(ctx, s.db, chainID)
	if err != nil {
		return ChainPicture{}, err
	}
	all, err := s.placements(ctx, s.db, chainID)
	if err != nil {
		return ChainPicture{}, err
	}
	leaders, err := s.leaders(ctx, s.db, chainID)
	if err != nil {
		return ChainPicture{}, err
	}
	pic := ChainPicture{Chain: c, Revision: revision, County: county, Leaders: []Leader{}}
	for _, l := range leaders {
		if inCounty(county, l.RegionCode) {
			pic.Leaders = append(pic.Leaders, s.leaderView(a, l))
		}
	}
	byLink := map[string][]Placement{}
	counties := map[string]bool{}
	for _, p := range all {
		if p.SubjectType == SubjectEnterprise {
			counties[p.RegionCode] = true
		}
		if inCounty(county, p.RegionCode) {
			byLink[p.LinkID] = append(byLink[p.LinkID], p)
		}
	}
	for _, l := range c.Links {
		lp := s.linkPicture(a, l, byLink[l.ID])
		for _, ld := range pic.Leaders {
			if slices.Contains(ld.Links, l.ID) {
				lp.Leaders = append(lp.Leaders, ld)
			}
		}
		pic.Links = append(pic.Links, lp)
	}
	if county == "" {
		var codes []string
		for code := range counties {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			h := CountyHeat{RegionCode: code, Verdicts: map[string]int{}}
			perLink := map[string][]Placement{}
			for _, p := range all {
				if region.Contains(code, p.RegionCode) {
					perLink[p.LinkID] = append(perLink[p.LinkID], p)
				}
			}
			for _, l := range c.Links {
				f := figuresOf(perLink[l.ID], s.rules)
				h.Firms += f.Firms
				h.Verdicts[s.rules.Classify(f).Strength]++
			}
			pic.Heat = append(pic.Heat, h)
		}
	}
	return pic, nil
}

func (s *Service) linkPicture(a account.Actor, l Link, placed []Placement) LinkPicture {
	lp := LinkPicture{Link: l, Figures: figuresOf(placed, s.rules), Placed: []Placement{}, Leaders: []Leader{}}
	lp.Verdict = s.rules.Classify(lp.Figures)
	lp.Tiers = []TierCount{{"above-scale", lp.Figures.AboveScale}, {"high-tech", lp.Figures.HighTech},
		{"specialized-sme", lp.Figures.Specialized}, {"little-giant", lp.Figures.LittleGiant}}
	for _, p := range placed {
		if p.SubjectAt.After(lp.LastChanged) {
			lp.LastChanged = p.SubjectAt
		}
		if p.UpdatedAt.After(lp.LastChanged) {
			lp.LastChanged = p.UpdatedAt
		}
		if s.SeesDetails(a, p.RegionCode) || (p.SubjectType != SubjectEnterprise && p.SubjectType != SubjectProject) {
			lp.Placed = append(lp.Placed, s.placementView(a, p))
		} else {
			lp.Hidden++
		}
	}
	return lp
}

// placementView hides a firm's figures from those who may not see them
// (public records — listings, institutions, experts, funds — are shown to
// every member by name).
func (s *Service) placementView(a account.Actor, p Placement) Placement {
	if !s.SeesDetails(a, p.RegionCode) {
		p.Revenue, p.RDExpense, p.Patents, p.Reasons = 0, 0, 0, []Reason{}
	}
	return p
}

// figuresOf sums the placements of one link.
func figuresOf(placed []Placement, rules Rules) Figures {
	var f Figures
	for _, p := range placed {
		switch p.SubjectType {
		case SubjectEnterprise:
			f.Firms++
			f.Revenue += p.Revenue
			f.RDExpense += p.RDExpense
			f.Patents += p.Patents
			if p.AboveScale {
				f.AboveScale++
			}
			if p.HighTech {
				f.HighTech++
			}
			if p.AboveScale || p.HighTech {
				f.AboveScaleOrHighTech++
			}
			if cultivation.TierRank(p.Tier) >= cultivation.TierRank(cultivation.TierSpecialized) && p.Tier != cultivation.TierListReserve &&
				p.Tier != cultivation.TierListed {
				f.Specialized++
			}
			if p.Tier == cultivation.TierLittleGiant {
				f.LittleGiant++
			}
		case SubjectAchievement:
			f.Achievements++
		case SubjectDemand:
			f.Demands++
		case SubjectFinancing:
			f.Financing++
		case SubjectInstitution:
			f.Institutions++
		case SubjectExpert:
			f.Experts++
		case SubjectProject:
			f.Projects++
		case SubjectFund:
			f.Funds++
		}
	}
	return f
}

// Leader is a 链主 of a chain, with the links its firm is placed on.
type Leader struct {
	ChainID      string    `json:"chain"`
	EnterpriseID int64     `json:"enterprise_id"`
	Name         string    `json:"name"`
	RegionCode   string    `json:"region_code"`
	Links        []string  `json:"links"`
	MarkedAt     time.Time `json:"marked_at"`
}

// leaderView hides the name of a 链主 the actor may not see by name (a
// firm of another county): it is counted, not named.
func (s *Service) leaderView(a account.Actor, l Leader) Leader {
	if !s.SeesDetails(a, l.RegionCode) {
		l.Name, l.EnterpriseID = "", 0
	}
	return l
}

func (s *Service) leaders(ctx context.Context, q sqldb.Querier, chainID string) ([]Leader, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.chain_id, l.enterprise_id, l.region_code, l.marked_at,
		COALESCE(p.subject_name, ''), COALESCE(p.link_id, '')
		FROM chain_leaders l LEFT JOIN chain_placements p ON p.chain_id = l.chain_id AND p.subject_type = 'enterprise'
		AND p.subject_id = l.enterprise_id WHERE l.chain_id = ? ORDER BY l.marked_at, l.enterprise_id`, chainID)
	if err != nil {
		return nil, fmt.Errorf("leaders: %w", err)
	}
	defer rows.Close()
	var out []Leader
	for rows.Next() {
		var l Leader
		var at sqldb.Time
		var link string
		if err := rows.Scan(&l.ChainID, &l.EnterpriseID, &l.RegionCode, &at, &l.Name, &link); err != nil {
			return nil, err
		}
		l.MarkedAt = at.Time
		l.Links = []string{}
		if link != "" {
			l.Links = append(l.Links, link)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
