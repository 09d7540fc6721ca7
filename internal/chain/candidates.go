package chain

import (
	"context"
	"fmt"
	"slices"
	"sort"
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
	"kechuang/internal/workday"
)

// Candidate sources.
const (
	CandNeighbour   = "neighbour"    // a local firm on a neighbouring link
	CandAchievement = "achievement"  // an achievement whose text matches the link
	CandInstitution = "institution"  // an institution or platform whose text matches
	CandExpert      = "expert"       // an expert whose text matches
	CandOtherCounty = "other_county" // a firm on the link registered in another county
	CandOtherRegion = "other_region" // another region's achievement (federation) whose text matches
)

// maxRemoteCandidates caps the other regions' achievements among a link's
// candidates.
const maxRemoteCandidates = 5

// Candidate is someone who could fill a link, with the reasons. A firm of
// another county the actor may not see by name is counted, not named
// (Count > 1, ID 0, Name "").
type Candidate struct {
	Source     string   `json:"source"`
	Type       string   `json:"type"` // a subject kind: enterprise, achievement, institution, expert
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	RegionCode string   `json:"region_code"`
	LinkID     string   `json:"link,omitempty"` // where the firm is placed
	Score      float64  `json:"score"`
	Count      int      `json:"count"`
	Reasons    []Reason `json:"reasons"`
}

// linkQuery is the text a link is searched by.
func linkQuery(l Link) string {
	terms := append([]string{l.Name}, l.Keywords...)
	return strings.Join(terms, " ")
}

// Candidates ranks who could fill a link for the actor's area (county
// staff: their county; everyone else: the whole region, or county when
// given): local firms on neighbouring links, achievements, institutions
// and experts whose text matches the link, and firms placed on the link in
// other counties (named only where the actor SeesDetails).
func (s *Service) Candidates(ctx context.Context, a account.Actor, chainID, linkID, county string) ([]Candidate, error) {
	if !s.CanViewChains(a) {
		return nil, notFound()
	}
	c, _, err := s.chain(ctx, s.db, chainID)
	if err != nil {
		return nil, err
	}
	l, ok := c.Link(linkID)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "chain.link_not_found")
	}
	if a.Role == account.RoleCounty {
		county = a.Region
	}
	all, err := s.placements(ctx, s.db, chainID)
	if err != nil {
		return nil, err
	}
	local := func(code string) bool { return inCounty(county, code) }
	neighbours := c.Neighbours(linkID)
	var out []Candidate
	others := map[string]int{}
	for _, p := range all {
		if p.SubjectType != SubjectEnterprise {
			continue
		}
		switch {
		case slices.Contains(neighbours, p.LinkID) && local(p.RegionCode) && s.SeesDetails(a, p.RegionCode):
			nl, _ := c.Link(p.LinkID)
			cand := Candidate{Source: CandNeighbour, Type: SubjectEnterprise, ID: p.SubjectID, Name: p.SubjectName,
				RegionCode: p.RegionCode, LinkID: p.LinkID, Count: 1, Score: 1 + p.Confidence,
				Reasons: []Reason{{Key: "chain.cand.neighbour", Args: []string{nl.Name}}}}
			if slices.Contains(c.Suppliers(linkID), p.LinkID) || slices.Contains(c.Suppliers(p.LinkID), linkID) {
				cand.Score += 0.5
				cand.Reasons = append(cand.Reasons, Reason{Key: "chain.cand.supply_edge", Args: []string{nl.Name, l.Name}})
			}
			if p.Tier != "" {
				cand.Score += 0.1 * float64(cultivation.TierRank(p.Tier))
				cand.Reasons = append(cand.Reasons, Reason{Key: "chain.cand.tier", Args: []string{p.Tier}})
			}
			if p.State == Confirmed {
				cand.Score += 0.3
			}
			out = append(out, cand)
		case p.LinkID == linkID && !local(p.RegionCode):
			if s.SeesDetails(a, p.RegionCode) {
				out = append(out, Candidate{Source: CandOtherCounty, Type: SubjectEnterprise, ID: p.SubjectID, Name: p.SubjectName,
					RegionCode: p.RegionCode, LinkID: p.LinkID, Count: 1, Score: 1.2 + p.Confidence,
					Reasons: []Reason{{Key: "chain.cand.other_county", Args: []string{l.Name}}}})
			} else {
				others[p.RegionCode]++
			}
		}
	}
	for code, n := range others {
		out = append(out, Candidate{Source: CandOtherCounty, Type: SubjectEnterprise, RegionCode: code, Count: n, Score: 0.5,
			Reasons: []Reason{{Key: "chain.cand.other_county_count", Args: []string{strconv.Itoa(n), l.Name}}}})
	}
	q := linkQuery(l)
	if s.search != nil {
		res := s.search.Search(market.SearchQuery{Text: q, Filters: map[string][]string{"kind": {string(market.Achievement)}}, PerPage: 10})
		for _, h := range res.Hits {
			out = append(out, Candidate{Source: CandAchievement, Type: SubjectAchievement, ID: h.ID, Name: h.Title,
				RegionCode: h.RegionCode, Count: 1, Score: 1 + h.Score/(h.Score+5),
				Reasons: []Reason{{Key: "chain.cand.text", Args: []string{strings.Join(firstN(h.Shared, 5), "、")}}}})
		}
	}
	remote, err := s.remoteCandidates(ctx, l)
	if err != nil {
		return nil, err
	}
	out = append(out, remote...)
	if s.dir != nil {
		for _, typ := range []string{directory.TypeInstitution, directory.TypeExpert} {
			res, err := s.dir.Search(ctx, a, directory.SearchFilter{Query: q, Type: typ, Paging: directory.Paging{Page: 1, PerPage: 8}})
			if err != nil {
				return nil, fmt.Errorf("candidates: %w", err)
			}
			for _, h := range res.Hits {
				src := CandInstitution
				if typ == directory.TypeExpert {
					src = CandExpert
				}
				out = append(out, Candidate{Source: src, Type: typ, ID: h.ID, Name: h.Name, RegionCode: h.RegionCode, Count: 1,
					Score: 0.8 + h.Score/(h.Score+5), Reasons: []Reason{{Key: "chain.cand.text_snippet", Args: []string{h.Snippet}}}})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	for i := range out {
		if out[i].Reasons == nil {
			out[i].Reasons = []Reason{}
		}
	}
	return out, nil
}

// remoteCandidates are the other regions' published achievements that
// name the link's terms (its name, keywords, products and technologies) in
// their title, summary or keywords, those sharing the most terms first;
// the reason names the origin and the shared terms. Federation's pool of
// remote listings is small, so a plain term test is enough and needs no
// index of its own.
func (s *Service) remoteCandidates(ctx context.Context, l Link) ([]Candidate, error) {
	if s.remote == nil {
		return nil, nil
	}
	pool, err := s.remote.RemoteCandidates(ctx, market.Achievement)
	if err != nil {
		return nil, fmt.Errorf("candidates from other regions: %w", err)
	}
	terms := slices.Concat([]string{l.Name}, l.Keywords, l.Products, l.Technologies)
	var out []Candidate
	for _, rc := range pool {
		text := rc.Listing.Title + "\n" + rc.Listing.Summary + "\n" + strings.Join(rc.Listing.Keywords, "\n")
		var shared []string
		for _, t := range terms {
			if t != "" && strings.Contains(text, t) && !slices.Contains(shared, t) {
				shared = append(shared, t)
			}
		}
		if len(shared) == 0 {
			continue
		}
		origin := rc.OriginName
		if origin == "" {
			origin = rc.OriginRegion
		}
		out = append(out, Candidate{Source: CandOtherRegion, Type: SubjectAchievement, ID: rc.ID, Name: rc.Listing.Title,
			RegionCode: rc.Listing.RegionCode, Count: 1, Score: 0.7 + 0.1*float64(min(len(shared), 5)),
			Reasons: []Reason{{Key: "chain.cand.other_region", Args: []string{origin, strings.Join(firstN(shared, 5), "、")}}}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return firstN(out, maxRemoteCandidates), nil
}

func firstN[T any](xs []T, n int) []T {
	if len(xs) > n {
		return xs[:n]
	}
	return xs
}

// LeadInput creates a 招商 lead from a link: the project's region and
// responsible unit, and the candidate it is about (optional).
type LeadInput struct {
	RegionCode    string `json:"region_code"`
	UnitID        int64  `json:"unit_id"`
	CandidateType string `json:"candidate_type"`
	CandidateID   int64  `json:"candidate_id"`
	CandidateName string `json:"candidate_name"`
	Note          string `json:"note"`
}

// Lead is a 招商 lead: the project it created and what it is about.
type Lead struct {
	ID            int64     `json:"id"`
	ChainID       string    `json:"chain"`
	LinkID        string    `json:"link"`
	ProjectID     int64     `json:"project_id"`
	CandidateType string    `json:"candidate_type,omitempty"`
	CandidateID   int64     `json:"candidate_id,omitempty"`
	CandidateName string    `json:"candidate_name,omitempty"`
	RegionCode    string    `json:"region_code"`
	CreatedAt     time.Time `json:"created_at"`
}

// InvestmentType is the project type of a 招商 lead (data/projects).
const InvestmentType = "investment"

// CreateLead creates a 招商引资项目 in the project library for a link, with
// the candidate firm attached (a registry enterprise the actor sees is
// linked to the project), and records the lead with its audit row. The
// project is written by the project service (its own transaction and
// audit row); the lead row follows in a second transaction.
func (s *Service) CreateLead(ctx context.Context, a account.Actor, chainID, linkID string, in LeadInput) (Lead, project.Project, error) {
	if !s.CanViewChains(a) {
		return Lead{}, project.Project{}, notFound()
	}
	if !s.CanCreateLead(a) || s.proj == nil {
		return Lead{}, project.Project{}, apperr.New(apperr.Forbidden, "chain.only_staff")
	}
	c, _, err := s.chain(ctx, s.db, chainID)
	if err != nil {
		return Lead{}, project.Project{}, err
	}
	l, ok := c.Link(linkID)
	if !ok {
		return Lead{}, project.Project{}, apperr.New(apperr.NotFound, "chain.link_not_found")
	}
	in.CandidateName = strings.TrimSpace(in.CandidateName)
	in.Note = strings.TrimSpace(in.Note)
	if len([]rune(in.CandidateName)) > 100 {
		return Lead{}, project.Project{}, apperr.Fields(apperr.Field("candidate_name", "error.too_long", 100))
	}
	if len([]rune(in.Note)) > 1000 {
		return Lead{}, project.Project{}, apperr.Fields(apperr.Field("note", "error.too_long", 1000))
	}
	if in.CandidateType != "" && !slices.Contains(SubjectKinds, in.CandidateType) {
		return Lead{}, project.Project{}, apperr.Fields(apperr.Field("candidate_type", "chain.candidate_type_unknown"))
	}
	var ids []int64
	if in.CandidateType == SubjectEnterprise && in.CandidateID != 0 {
		e, err := s.cult.GetEnterprise(ctx, a, in.CandidateID)
		if err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return Lead{}, project.Project{}, apperr.Fields(apperr.Field("candidate_id", "chain.candidate_not_found"))
			}
			return Lead{}, project.Project{}, err
		}
		in.CandidateName = e.Name
		// A firm of the lead's own region is attached; one elsewhere is
		// named in the description only (the project's firms are local).
		if region.Contains(in.RegionCode, e.RegionCode) {
			ids = append(ids, e.ID)
		}
	}
	name := "补链招商：" + c.Name + "·" + l.Name
	if in.CandidateName != "" {
		name += "（" + in.CandidateName + "）"
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	desc := fmt.Sprintf("产业链图谱「%s」环节「%s」的招商线索。", c.Name, l.Name)
	if in.CandidateName != "" {
		desc += "候选对象：" + in.CandidateName + "。"
	}
	if in.Note != "" {
		desc += in.Note
	}
	today := workday.DateOf(s.now())
	p, err := s.proj.CreateProject(ctx, a, project.ProjectInput{Type: InvestmentType, Name: name, RegionCode: in.RegionCode,
		UnitID: in.UnitID, EnterpriseIDs: ids, PlannedStart: today, PlannedEnd: today.AddDays(450), Description: desc})
	if err != nil {
		return Lead{}, project.Project{}, err
	}
	lead := Lead{ChainID: chainID, LinkID: linkID, ProjectID: p.ID, CandidateType: in.CandidateType, CandidateID: in.CandidateID,
		CandidateName: in.CandidateName, RegionCode: p.RegionCode, CreatedAt: s.now()}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO chain_leads (chain_id, link_id, project_id, candidate_type, candidate_id,
			candidate_name, region_code, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			chainID, linkID, p.ID, in.CandidateType, in.CandidateID, in.CandidateName, p.RegionCode, a.UserID, sqldb.At(lead.CreatedAt))
		if err != nil {
			return fmt.Errorf("create lead: %w", err)
		}
		lead.ID = id
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "chain.lead_create", ObjectType: "chain_lead",
			ObjectID: strconv.FormatInt(id, 10), ObjectName: name, RegionCode: p.RegionCode,
			After: map[string]any{"chain": chainID, "link": linkID, "project_id": p.ID, "candidate": in.CandidateName}})
	})
	return lead, p, err
}

// Leads lists the 招商 leads of a chain in the actor's region.
func (s *Service) Leads(ctx context.Context, a account.Actor, chainID string) ([]Lead, error) {
	if !s.CanManagePlacements(a) {
		return []Lead{}, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, chain_id, link_id, project_id, candidate_type, candidate_id, candidate_name,
		region_code, created_at FROM chain_leads WHERE chain_id = ? AND region_code LIKE ? ORDER BY id DESC`,
		chainID, region.Prefix(a.Scope())+"%")
	if err != nil {
		return nil, fmt.Errorf("leads: %w", err)
	}
	defer rows.Close()
	out := []Lead{}
	for rows.Next() {
		var l Lead
		var at sqldb.Time
		if err := rows.Scan(&l.ID, &l.ChainID, &l.LinkID, &l.ProjectID, &l.CandidateType, &l.CandidateID, &l.CandidateName,
			&l.RegionCode, &at); err != nil {
			return nil, err
		}
		l.CreatedAt = at.Time
		out = append(out, l)
	}
	return out, rows.Err()
}
