package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/directory"
	"kechuang/internal/market"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

func init() {
	audit.RegisterActions("chain.link_edit", "chain.refresh", "placement.confirm", "placement.move",
		"chain.leader_mark", "chain.leader_unmark", "chain.lead_create")
}

// ListingSearch is the market's full-text search (market.Indexer).
type ListingSearch interface {
	Search(q market.SearchQuery) market.SearchResult
}

// Deps are what the service reads: the chains and rules, the database and
// the modules whose records it places.
type Deps struct {
	DB          *sqldb.DB
	Book        *Book
	Rules       Rules
	Cultivation *cultivation.Service
	Market      *market.Service
	Directory   *directory.Service
	Projects    *project.Service
	Now         func() time.Time
}

// Service owns the chains, their edits, placements, 链主 and leads.
type Service struct {
	db     *sqldb.DB
	book   *Book
	rules  Rules
	cult   *cultivation.Service
	market *market.Service
	dir    *directory.Service
	proj   *project.Service
	search ListingSearch
	// remote is the other regions' listings (package federation), for
	// a link's candidates; nil without federation.
	remote market.Remote
	now    func() time.Time
	// domains are the top-level high-tech domain names a link may use.
	domains []string
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Book == nil {
		d.Book = &Book{}
	}
	return &Service{db: d.DB, book: d.Book, rules: d.Rules, cult: d.Cultivation, market: d.Market, dir: d.Directory,
		proj: d.Projects, now: d.Now}
}

// UseListingSearch gives the service the market's search, for the
// achievements among a link's candidates.
func (s *Service) UseListingSearch(x ListingSearch) { s.search = x }

// UseRemote gives the service the other regions' published listings, so
// that a link's candidates include their achievements. Call it before
// serving.
func (s *Service) UseRemote(r market.Remote) { s.remote = r }

// Rules returns the strength rules in force.
func (s *Service) Rules() Rules { return s.rules }

func isGov(a account.Actor) bool { return a.Role == account.RoleStaff || a.Role == account.RoleCounty }

// CanViewChains reports whether the actor may open the chains: every
// signed-in user (counts only, unless SeesDetails).
func (s *Service) CanViewChains(a account.Actor) bool { return a.LoggedIn() }

// CanEditChains reports whether the actor may edit a link (bureau staff:
// a chain is the whole region's).
func (s *Service) CanEditChains(a account.Actor) bool { return a.Role == account.RoleStaff }

// CanManagePlacements reports whether the actor may refresh suggestions,
// confirm and move placements and mark 链主 (staff and county staff, in
// their region).
func (s *Service) CanManagePlacements(a account.Actor) bool { return isGov(a) }

// CanCreateLead reports whether the actor may create a 招商 lead (a
// project of the project library).
func (s *Service) CanCreateLead(a account.Actor) bool { return project.CanCreateProject(a) }

// CanDraftDemand reports whether the actor may draft a demand listing
// (an enterprise account: demands belong to enterprises).
func (s *Service) CanDraftDemand(a account.Actor) bool { return market.CanOwn(a, market.Demand) }

// SeesDetails reports whether the actor sees, by name and figures, what is
// placed in regionCode: administrators and staff in their region, county
// staff in their county. Everybody else sees counts only.
func (s *Service) SeesDetails(a account.Actor, regionCode string) bool {
	switch a.Role {
	case account.RoleAdmin, account.RoleStaff, account.RoleCounty:
		return a.InScope(regionCode)
	}
	return false
}

func notFound() error { return apperr.New(apperr.NotFound, "chain.not_found") }

// ChainSummary is one chain in the list.
type ChainSummary struct {
	ID       string `json:"id"`
	Version  string `json:"version"`
	Name     string `json:"name"`
	NameEn   string `json:"name_en"`
	Links    int    `json:"links"`
	Strong   int    `json:"strong"`
	Weak     int    `json:"weak"`
	Missing  int    `json:"missing"`
	Firms    int    `json:"firms"`
	Leaders  int    `json:"leaders"`
	Sources  int    `json:"sources"`
	Revision int    `json:"revision"` // staff edits on top of the file's version
}

// Chains lists the chains with their strength counts over the whole region.
func (s *Service) Chains(ctx context.Context, a account.Actor) ([]ChainSummary, error) {
	if !s.CanViewChains(a) {
		return nil, apperr.New(apperr.Forbidden, "chain.only_members")
	}
	var out []ChainSummary
	for _, c := range s.book.Chains {
		pic, err := s.Picture(ctx, a, c.ID, "")
		if err != nil {
			return nil, err
		}
		sum := ChainSummary{ID: c.ID, Version: pic.Chain.Version, Name: c.Name, NameEn: c.NameEn, Links: len(c.Links),
			Sources: len(c.Sources), Leaders: len(pic.Leaders), Revision: pic.Revision}
		for _, l := range pic.Links {
			switch l.Verdict.Strength {
			case Strong:
				sum.Strong++
			case Weak:
				sum.Weak++
			case Missing:
				sum.Missing++
			}
			sum.Firms += l.Figures.Firms
		}
		out = append(out, sum)
	}
	return out, nil
}

// linkEdit is one stored overlay row.
type linkEdit struct {
	ChainID, LinkID, BaseVersion string
	Revision                     int
	Description                  string
	Keywords, Classes, Domains   []string
	UpdatedAt                    time.Time
}

func (s *Service) edits(ctx context.Context, q sqldb.Querier, chainID string) (map[string]linkEdit, error) {
	rows, err := q.QueryContext(ctx, `SELECT link_id, base_version, revision, description, keywords, classes, domains, updated_at
		FROM chain_link_edits WHERE chain_id = ?`, chainID)
	if err != nil {
		return nil, fmt.Errorf("chain edits: %w", err)
	}
	defer rows.Close()
	out := map[string]linkEdit{}
	for rows.Next() {
		e := linkEdit{ChainID: chainID}
		var kw, cl, dm string
		var at sqldb.Time
		if err := rows.Scan(&e.LinkID, &e.BaseVersion, &e.Revision, &e.Description, &kw, &cl, &dm, &at); err != nil {
			return nil, err
		}
		e.UpdatedAt = at.Time
		for _, p := range []struct {
			raw string
			dst *[]string
		}{{kw, &e.Keywords}, {cl, &e.Classes}, {dm, &e.Domains}} {
			if err := json.Unmarshal([]byte(p.raw), p.dst); err != nil {
				return nil, fmt.Errorf("chain edit %s/%s: %w", chainID, e.LinkID, err)
			}
		}
		out[e.LinkID] = e
	}
	return out, rows.Err()
}

// chain returns the chain with the staff edits applied, and the number of
// edits.
func (s *Service) chain(ctx context.Context, q sqldb.Querier, id string) (Chain, int, error) {
	c, ok := s.book.Get(id)
	if !ok {
		return Chain{}, 0, notFound()
	}
	edits, err := s.edits(ctx, q, id)
	if err != nil {
		return Chain{}, 0, err
	}
	c.Links = slices.Clone(c.Links)
	revision := 0
	for i, l := range c.Links {
		e, ok := edits[l.ID]
		if !ok {
			continue
		}
		revision += e.Revision
		l.Description, l.Keywords, l.IndustryClasses, l.Domains = e.Description, e.Keywords, e.Classes, e.Domains
		c.Links[i] = l
	}
	return c, revision, nil
}

// allChains returns every chain with its edits.
func (s *Service) allChains(ctx context.Context) ([]Chain, error) {
	var out []Chain
	for _, c := range s.book.Chains {
		x, _, err := s.chain(ctx, s.db, c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// GetChain returns a chain with the staff edits applied.
func (s *Service) GetChain(ctx context.Context, a account.Actor, id string) (Chain, error) {
	if !s.CanViewChains(a) {
		return Chain{}, notFound()
	}
	c, _, err := s.chain(ctx, s.db, id)
	return c, err
}

// LinkEdit changes what a link is matched by: its description, keywords,
// GB/T 4754 classes and high-tech domains.
type LinkEdit struct {
	Description string   `json:"description"`
	Keywords    []string `json:"keywords"`
	Classes     []string `json:"industry_classes"`
	Domains     []string `json:"domains"`
}

func cleanList(in []string) []string {
	out := []string{}
	for _, x := range in {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// validate checks an edit by the chain file's rules; domains are the
// catalogue's top-level names.
func (e *LinkEdit) validate(domains []string) error {
	e.Description = strings.TrimSpace(e.Description)
	e.Keywords, e.Classes, e.Domains = cleanList(e.Keywords), cleanList(e.Classes), cleanList(e.Domains)
	for i, c := range e.Classes {
		e.Classes[i] = strings.ToUpper(c)
	}
	var fields []apperr.FieldError
	if e.Description == "" {
		fields = append(fields, apperr.Field("description", "error.required"))
	} else if utf8.RuneCountInString(e.Description) > 500 {
		fields = append(fields, apperr.Field("description", "error.too_long", 500))
	}
	if len(e.Keywords) < minKeywords || len(e.Keywords) > 40 {
		fields = append(fields, apperr.Field("keywords", "chain.keywords_count", minKeywords, 40))
	}
	for _, k := range e.Keywords {
		if n := utf8.RuneCountInString(k); n < 2 || n > maxKeywordRunes {
			fields = append(fields, apperr.Field("keywords", "chain.keyword_length", maxKeywordRunes))
			break
		}
	}
	if len(e.Classes) == 0 || len(e.Classes) > 20 {
		fields = append(fields, apperr.Field("industry_classes", "chain.classes_count", 20))
	}
	for _, c := range e.Classes {
		if !classPattern.MatchString(c) {
			fields = append(fields, apperr.Field("industry_classes", "chain.class_format"))
			break
		}
	}
	if len(e.Domains) == 0 || len(e.Domains) > 10 {
		fields = append(fields, apperr.Field("domains", "chain.domains_count", 10))
	}
	for _, d := range e.Domains {
		top, _, _ := strings.Cut(d, "/")
		if !slices.Contains(domains, top) || utf8.RuneCountInString(d) > 50 {
			fields = append(fields, apperr.Field("domains", "chain.domain_unknown"))
			break
		}
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

// Domains returns the high-tech domain names links may use.
func (s *Service) Domains() []string { return s.domains }

// SetDomains sets the catalogue's top-level domain names (the wiring does).
func (s *Service) SetDomains(d []string) { s.domains = d }

// EditLink stores a staff edit of a link over the file's version, with its
// audit row (before and after). Only bureau staff edit chains.
func (s *Service) EditLink(ctx context.Context, a account.Actor, chainID, linkID string, in LinkEdit) (Link, error) {
	if !s.CanViewChains(a) {
		return Link{}, notFound()
	}
	if !s.CanEditChains(a) {
		return Link{}, apperr.New(apperr.Forbidden, "chain.only_staff")
	}
	if err := in.validate(s.domains); err != nil {
		return Link{}, err
	}
	var out Link
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		c, _, err := s.chain(ctx, tx, chainID)
		if err != nil {
			return err
		}
		before, ok := c.Link(linkID)
		if !ok {
			return apperr.New(apperr.NotFound, "chain.link_not_found")
		}
		kw, _ := json.Marshal(in.Keywords)
		cl, _ := json.Marshal(in.Classes)
		dm, _ := json.Marshal(in.Domains)
		now := sqldb.At(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE chain_link_edits SET base_version = ?, revision = revision + 1, description = ?,
			keywords = ?, classes = ?, domains = ?, updated_by = ?, updated_at = ? WHERE chain_id = ? AND link_id = ?`,
			c.Version, in.Description, string(kw), string(cl), string(dm), a.UserID, now, chainID, linkID)
		if err != nil {
			return fmt.Errorf("edit link: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO chain_link_edits (chain_id, link_id, base_version, revision, description,
				keywords, classes, domains, updated_by, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
				chainID, linkID, c.Version, in.Description, string(kw), string(cl), string(dm), a.UserID, now); err != nil {
				return fmt.Errorf("edit link: %w", err)
			}
		}
		out = before
		out.Description, out.Keywords, out.IndustryClasses, out.Domains = in.Description, in.Keywords, in.Classes, in.Domains
		view := func(l Link) map[string]any {
			return map[string]any{"description": l.Description, "keywords": l.Keywords, "industry_classes": l.IndustryClasses,
				"domains": l.Domains}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "chain.link_edit", ObjectType: "chain_link",
			ObjectID: chainID + "/" + linkID, ObjectName: c.Name + " · " + before.Name, Before: view(before), After: view(out)})
	})
	return out, err
}

// Book returns the loaded chains as their files state them (without the
// staff edits; GetChain applies those).
func (s *Service) Book() *Book { return s.book }
