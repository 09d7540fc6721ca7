package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/directory"
	"kechuang/internal/market"
	"kechuang/internal/project"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Placement states.
const (
	Suggested = "suggested"
	Confirmed = "confirmed"
)

// Placement is one thing placed on a link.
type Placement struct {
	ID          int64     `json:"id"`
	ChainID     string    `json:"chain"`
	LinkID      string    `json:"link"`
	SubjectType string    `json:"subject_type"`
	SubjectID   int64     `json:"subject_id"`
	SubjectName string    `json:"subject_name"`
	RegionCode  string    `json:"region_code"`
	State       string    `json:"state"`
	Confidence  float64   `json:"confidence"`
	Reasons     []Reason  `json:"reasons"`
	Tier        string    `json:"tier,omitempty"`
	AboveScale  bool      `json:"above_scale"`
	HighTech    bool      `json:"high_tech"`
	Revenue     float64   `json:"revenue"`
	RDExpense   float64   `json:"rd_expense"`
	Patents     int       `json:"patents"`
	SubjectAt   time.Time `json:"subject_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

const placementColumns = `id, chain_id, link_id, subject_type, subject_id, subject_name, region_code, state, confidence,
	reasons, tier, above_scale, high_tech, revenue, rd_expense, patents, subject_at, updated_at`

func scanPlacement(row interface{ Scan(...any) error }) (Placement, error) {
	var p Placement
	var reasons string
	var subjectAt, updated sqldb.Time
	if err := row.Scan(&p.ID, &p.ChainID, &p.LinkID, &p.SubjectType, &p.SubjectID, &p.SubjectName, &p.RegionCode, &p.State,
		&p.Confidence, &reasons, &p.Tier, &p.AboveScale, &p.HighTech, &p.Revenue, &p.RDExpense, &p.Patents, &subjectAt,
		&updated); err != nil {
		return Placement{}, err
	}
	p.SubjectAt, p.UpdatedAt = subjectAt.Time, updated.Time
	if err := json.Unmarshal([]byte(reasons), &p.Reasons); err != nil {
		return Placement{}, fmt.Errorf("placement %d reasons: %w", p.ID, err)
	}
	if p.Reasons == nil {
		p.Reasons = []Reason{}
	}
	return p, nil
}

// placements returns the placements of a chain (all chains when chainID is
// ""), in every region: callers decide what the actor sees of them.
func (s *Service) placements(ctx context.Context, q sqldb.Querier, chainID string) ([]Placement, error) {
	query := "SELECT " + placementColumns + " FROM chain_placements"
	var args []any
	if chainID != "" {
		query += " WHERE chain_id = ?"
		args = append(args, chainID)
	}
	rows, err := q.QueryContext(ctx, query+" ORDER BY chain_id, link_id, confidence DESC, id", args...)
	if err != nil {
		return nil, fmt.Errorf("placements: %w", err)
	}
	defer rows.Close()
	var out []Placement
	for rows.Next() {
		p, err := scanPlacement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func getPlacement(ctx context.Context, q sqldb.Querier, id int64) (Placement, error) {
	p, err := scanPlacement(q.QueryRowContext(ctx, "SELECT "+placementColumns+" FROM chain_placements WHERE id = ?", id))
	if sqldb.IsNoRows(err) {
		return Placement{}, apperr.New(apperr.NotFound, "chain.placement_not_found")
	}
	if err != nil {
		return Placement{}, fmt.Errorf("get placement %d: %w", id, err)
	}
	return p, nil
}

// PlacementFilter selects placements. Zero fields do not filter.
type PlacementFilter struct {
	Chain       string
	Link        string
	SubjectType string
	State       string
	Region      string // region prefix
	Page        int
	PerPage     int
}

// FindPlacements lists the placements the actor may manage, in its region
// (staff and county staff only), most confident first.
func (s *Service) FindPlacements(ctx context.Context, a account.Actor, f PlacementFilter) ([]Placement, int, error) {
	if !s.CanManagePlacements(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "chain.only_staff")
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 || f.PerPage > 200 {
		f.PerPage = 50
	}
	conds := []string{"region_code LIKE ?"}
	args := []any{region.Prefix(a.Scope()) + "%"}
	if f.Region != "" {
		conds = append(conds, "region_code LIKE ?")
		args = append(args, region.Prefix(f.Region)+"%")
	}
	for _, x := range []struct{ col, v string }{{"chain_id", f.Chain}, {"link_id", f.Link}, {"subject_type", f.SubjectType},
		{"state", f.State}} {
		if x.v != "" {
			conds = append(conds, x.col+" = ?")
			args = append(args, x.v)
		}
	}
	where := " WHERE " + strings.Join(conds, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM chain_placements"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count placements: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+placementColumns+" FROM chain_placements"+where+
		" ORDER BY state DESC, confidence DESC, id LIMIT ? OFFSET ?", append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("placements: %w", err)
	}
	defer rows.Close()
	out := []Placement{}
	for rows.Next() {
		p, err := scanPlacement(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// placementFor returns a placement the actor may manage, NotFound otherwise.
func (s *Service) placementFor(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (Placement, error) {
	p, err := getPlacement(ctx, q, id)
	if err != nil {
		return Placement{}, err
	}
	if !s.CanManagePlacements(a) || !a.InScope(p.RegionCode) {
		return Placement{}, apperr.New(apperr.NotFound, "chain.placement_not_found")
	}
	return p, nil
}

// ConfirmPlacement confirms a suggested placement where it is.
func (s *Service) ConfirmPlacement(ctx context.Context, a account.Actor, id int64) (Placement, error) {
	return s.decide(ctx, a, id, "")
}

// MovePlacement moves a placement to another link of its chain, which
// confirms it there.
func (s *Service) MovePlacement(ctx context.Context, a account.Actor, id int64, linkID string) (Placement, error) {
	if strings.TrimSpace(linkID) == "" {
		return Placement{}, apperr.Fields(apperr.Field("link", "error.required"))
	}
	return s.decide(ctx, a, id, linkID)
}

func (s *Service) decide(ctx context.Context, a account.Actor, id int64, linkID string) (Placement, error) {
	var out Placement
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p, err := s.placementFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		action, to := "placement.confirm", p.LinkID
		if linkID != "" {
			c, _, err := s.chain(ctx, tx, p.ChainID)
			if err != nil {
				return err
			}
			if _, ok := c.Link(linkID); !ok {
				return apperr.Fields(apperr.Field("link", "chain.link_not_found"))
			}
			action, to = "placement.move", linkID
		}
		now := sqldb.At(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE chain_placements SET link_id = ?, state = ?, decided_by = ?, decided_at = ?,
			updated_at = ? WHERE id = ?`, to, Confirmed, a.UserID, now, now, id); err != nil {
			return fmt.Errorf("decide placement: %w", err)
		}
		if out, err = getPlacement(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: action, ObjectType: "chain_placement",
			ObjectID: strconv.FormatInt(id, 10), ObjectName: p.SubjectName, RegionCode: p.RegionCode,
			Before: map[string]any{"chain": p.ChainID, "link": p.LinkID, "state": p.State},
			After:  map[string]any{"chain": out.ChainID, "link": out.LinkID, "state": out.State}})
	})
	return out, err
}

// RefreshResult counts what RefreshPlacements did.
type RefreshResult struct {
	Subjects  int `json:"subjects"`
	Suggested int `json:"suggested"`
	Updated   int `json:"updated"`
}

// subjectFacts is a subject with the facts a placement keeps of it.
type subjectFacts struct {
	Subject
	Tier       string
	AboveScale bool
	HighTech   bool
	Revenue    float64
	RDExpense  float64
	Patents    int
	ChangedAt  time.Time
}

// RefreshPlacements suggests links for everything in the actor's region
// that can be placed — registry enterprises with their products, published
// achievements, demands and financing needs, institutions, experts, funds
// and projects — and refreshes the facts of existing placements. A
// confirmed placement keeps its link; a suggestion follows the best link.
// One audit row records the counts.
func (s *Service) RefreshPlacements(ctx context.Context, a account.Actor) (RefreshResult, error) {
	if !s.CanManagePlacements(a) {
		return RefreshResult{}, apperr.New(apperr.Forbidden, "chain.only_staff")
	}
	subjects, err := s.subjects(ctx, a)
	if err != nil {
		return RefreshResult{}, err
	}
	chains, err := s.allChains(ctx)
	if err != nil {
		return RefreshResult{}, err
	}
	var res RefreshResult
	res.Subjects = len(subjects)
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := sqldb.At(s.now())
		for _, sub := range subjects {
			best := map[string]Suggestion{}
			for _, sg := range Suggest(chains, sub.Subject, 0) {
				if _, ok := best[sg.ChainID]; !ok {
					best[sg.ChainID] = sg
				}
			}
			for chainID, sg := range best {
				reasons, _ := json.Marshal(sg.Reasons)
				r, err := tx.ExecContext(ctx, `UPDATE chain_placements SET
					link_id = CASE WHEN state = 'confirmed' THEN link_id ELSE ? END,
					confidence = CASE WHEN state = 'confirmed' THEN confidence ELSE ? END,
					reasons = CASE WHEN state = 'confirmed' THEN reasons ELSE ? END,
					subject_name = ?, region_code = ?, tier = ?, above_scale = ?, high_tech = ?, revenue = ?, rd_expense = ?,
					patents = ?, subject_at = ?, updated_at = ?
					WHERE chain_id = ? AND subject_type = ? AND subject_id = ?`,
					sg.LinkID, sg.Confidence, string(reasons), sub.Name, sub.RegionCode, sub.Tier, sub.AboveScale, sub.HighTech,
					sub.Revenue, sub.RDExpense, sub.Patents, sqldb.At(sub.ChangedAt), now, chainID, sub.Kind, sub.ID)
				if err != nil {
					return fmt.Errorf("refresh placement: %w", err)
				}
				if n, _ := r.RowsAffected(); n > 0 {
					res.Updated++
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO chain_placements (chain_id, link_id, subject_type, subject_id,
					subject_name, region_code, state, confidence, reasons, tier, above_scale, high_tech, revenue, rd_expense, patents,
					subject_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					chainID, sg.LinkID, sub.Kind, sub.ID, sub.Name, sub.RegionCode, Suggested, sg.Confidence, string(reasons),
					sub.Tier, sub.AboveScale, sub.HighTech, sub.Revenue, sub.RDExpense, sub.Patents, sqldb.At(sub.ChangedAt), now,
					now); err != nil {
					return fmt.Errorf("suggest placement: %w", err)
				}
				res.Suggested++
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "chain.refresh", ObjectType: "chain",
			ObjectName: "*", RegionCode: a.Scope(), After: res})
	})
	return res, err
}

// SuggestFor suggests links for one subject the caller describes (the
// API's preview); at most limit suggestions.
func (s *Service) SuggestFor(ctx context.Context, a account.Actor, sub Subject, limit int) ([]Suggestion, error) {
	if !s.CanViewChains(a) {
		return nil, apperr.New(apperr.Forbidden, "chain.only_members")
	}
	chains, err := s.allChains(ctx)
	if err != nil {
		return nil, err
	}
	return Suggest(chains, sub, limit), nil
}

// subjects gathers everything placeable in the actor's region.
func (s *Service) subjects(ctx context.Context, a account.Actor) ([]subjectFacts, error) {
	var out []subjectFacts
	today := s.now()
	if s.cult != nil {
		products := map[int64][]string{}
		if s.proj != nil {
			for page := 1; ; page++ {
				list, total, err := s.proj.FindProducts(ctx, a, project.ProductFilter{Page: page, PerPage: 200})
				if err != nil {
					return nil, fmt.Errorf("products: %w", err)
				}
				for _, p := range list {
					products[p.EnterpriseID] = append(products[p.EnterpriseID], strings.TrimSpace(p.Name+" "+p.Category+" "+p.Specification))
				}
				if page*200 >= total {
					break
				}
			}
		}
		for page := 1; ; page++ {
			list, total, err := s.cult.FindEnterprises(ctx, a, cultivation.EnterpriseFilter{Page: page, PerPage: 200})
			if err != nil {
				return nil, fmt.Errorf("enterprises: %w", err)
			}
			for _, e := range list {
				f := subjectFacts{Subject: Subject{Kind: SubjectEnterprise, ID: e.ID, Name: e.Name, RegionCode: e.RegionCode,
					Industry: e.Industry, Domain: e.Domain, Products: products[e.ID], Keywords: e.Tags}, ChangedAt: e.UpdatedAt}
				st := e.Standing(today)
				f.Tier = st.Tier
				f.HighTech = cultivation.TierRank(st.Tier) >= cultivation.TierRank(cultivation.TierHighTech)
				years, err := s.cult.Years(ctx, a, e.ID)
				if err != nil {
					return nil, err
				}
				latest := -1
				for i, y := range years {
					if latest < 0 || y.Year > years[latest].Year {
						latest = i
					}
					if y.UpdatedAt.After(f.ChangedAt) {
						f.ChangedAt = y.UpdatedAt
					}
				}
				if latest >= 0 {
					y := years[latest]
					if y.Figures.Revenue != nil {
						f.Revenue = *y.Figures.Revenue
					}
					if y.Figures.RDExpense != nil {
						f.RDExpense = *y.Figures.RDExpense
					}
					if y.IP.Class1 != nil {
						f.Patents += *y.IP.Class1
					}
					if y.IP.Class2 != nil {
						f.Patents += *y.IP.Class2
					}
				}
				f.AboveScale = slices.Contains(e.Tags, "规上") || (s.rules.AboveScaleRevenue > 0 && f.Revenue >= s.rules.AboveScaleRevenue)
				out = append(out, f)
			}
			if page*200 >= total {
				break
			}
		}
	}
	if s.market != nil {
		for _, k := range []market.Kind{market.Achievement, market.Demand, market.Financing} {
			for page := 1; ; page++ {
				list, total, err := s.market.FindListings(ctx, a, market.Filter{Kind: k, Region: a.Scope(), Page: page, PerPage: 100})
				if err != nil {
					return nil, fmt.Errorf("listings: %w", err)
				}
				for _, l := range list {
					out = append(out, subjectFacts{Subject: Subject{Kind: string(k), ID: l.ID, Name: l.Title, RegionCode: l.RegionCode,
						Industry: l.Industry, Domain: l.Domain, Products: l.Keywords, Description: l.Summary + " " + l.Expected},
						ChangedAt: l.UpdatedAt})
				}
				if page*100 >= total {
					break
				}
			}
		}
	}
	if s.dir != nil {
		for page := 1; ; page++ {
			list, total, err := s.dir.FindInstitutions(ctx, a, directory.InstitutionFilter{Region: a.Scope(),
				Paging: directory.Paging{Page: page, PerPage: 200}})
			if err != nil {
				return nil, fmt.Errorf("institutions: %w", err)
			}
			for _, x := range list {
				out = append(out, subjectFacts{Subject: Subject{Kind: SubjectInstitution, ID: x.ID, Name: x.Name, RegionCode: x.RegionCode,
					Domain: first(x.Domains), Keywords: x.Disciplines, Description: x.Summary}, ChangedAt: x.UpdatedAt})
			}
			if page*200 >= total {
				break
			}
		}
		for page := 1; ; page++ {
			list, total, err := s.dir.FindExperts(ctx, a, directory.ExpertFilter{Region: a.Scope(),
				Paging: directory.Paging{Page: page, PerPage: 200}})
			if err != nil {
				return nil, fmt.Errorf("experts: %w", err)
			}
			for _, x := range list {
				out = append(out, subjectFacts{Subject: Subject{Kind: SubjectExpert, ID: x.ID, Name: x.Name, RegionCode: x.RegionCode,
					Products: x.Keywords, Description: x.Research + " " + strings.Join(x.Achievements, " ")}, ChangedAt: x.UpdatedAt})
			}
			if page*200 >= total {
				break
			}
		}
		for page := 1; ; page++ {
			list, total, err := s.dir.FindFunds(ctx, a, directory.FundFilter{Region: a.Scope(),
				Paging: directory.Paging{Page: page, PerPage: 200}})
			if err != nil {
				return nil, fmt.Errorf("funds: %w", err)
			}
			for _, x := range list {
				out = append(out, subjectFacts{Subject: Subject{Kind: SubjectFund, ID: x.ID, Name: x.Name, RegionCode: x.RegionCode,
					Domain: first(x.Domains), Description: x.Summary}, ChangedAt: x.UpdatedAt})
			}
			if page*200 >= total {
				break
			}
		}
	}
	if s.proj != nil && project.CanViewModule(a) {
		for page := 1; ; page++ {
			list, total, err := s.proj.FindProjects(ctx, a, project.ProjectFilter{Page: page, PerPage: 200})
			if err != nil {
				return nil, fmt.Errorf("projects: %w", err)
			}
			for _, x := range list {
				out = append(out, subjectFacts{Subject: Subject{Kind: SubjectProject, ID: x.ID, Name: x.Name, RegionCode: x.RegionCode,
					Description: x.Description}, ChangedAt: x.UpdatedAt})
			}
			if page*200 >= total {
				break
			}
		}
	}
	return out, nil
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}
