package directory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// accountProfile decides who writes the profile that belongs to account
// userID (a broker's profile, an investor's preferences): the account
// itself when it has the role, or staff in scope of the profile's stored
// region (for a new profile: the account's region; an account without a
// region is any staff's to start). Anything else is NotFound. It returns
// the region the profile lies in now ("" when neither has one).
func accountProfile(ctx context.Context, q sqldb.Querier, a account.Actor, userID int64, role account.Role, stored string) (string, error) {
	ai, ok, err := getAccount(ctx, q, userID)
	if err != nil {
		return "", err
	}
	regionNow := stored
	if regionNow == "" {
		regionNow = ai.Region
	}
	self := a.LoggedIn() && a.UserID == userID
	if !ok || ai.Role != role || !(self || (IsManager(a) && (regionNow == "" || a.InScope(regionNow)))) {
		return "", notFound()
	}
	return regionNow, nil
}

// InvestorPreferences is what an investor account states it looks for:
// high-tech domains, stages, the ticket size (万元; nil ends are open) and
// regions (empty: anywhere). The investor writes it; staff in scope too.
type InvestorPreferences struct {
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"` // the account's display name
	Domains    []string   `json:"domains"`
	Stages     []string   `json:"stages"`
	TicketMin  *float64   `json:"ticket_min"`
	TicketMax  *float64   `json:"ticket_max"`
	Regions    []string   `json:"regions"`
	Note       string     `json:"note,omitempty"`
	RegionCode string     `json:"region_code"`
	Visibility Visibility `json:"visibility"`
	Perms      Perms      `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	enabled    bool
}

// InvestorInput is what writing investor preferences takes.
type InvestorInput struct {
	Domains    []string
	Stages     []string
	TicketMin  *float64
	TicketMax  *float64
	Regions    []string // region codes
	Note       string
	RegionCode string     // default: the account's region
	Visibility Visibility // default members
}

// Validate normalizes the input and returns every bad field at once (the
// regions are checked against the database on write).
func (in *InvestorInput) Validate(ref *Reference) error {
	var c checker
	in.check(&c, ref)
	return c.err()
}

func (in *InvestorInput) check(c *checker, ref *Reference) {
	c.codes("domains", &in.Domains, ref.ValidDomain)
	c.codes("stages", &in.Stages, ref.Stages.Has)
	if in.TicketMin != nil {
		c.amount("ticket_min", *in.TicketMin, false, maxAmount)
	}
	if in.TicketMax != nil {
		c.amount("ticket_max", *in.TicketMax, true, maxAmount)
	}
	if in.TicketMin != nil && in.TicketMax != nil && *in.TicketMin > *in.TicketMax {
		c.add("ticket_max", "directory.ticket_order")
	}
	c.codes("regions", &in.Regions, region.ValidCode)
	c.text("note", &in.Note, maxSummary, false)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	c.visibility(&in.Visibility, VisibleMembers)
}

// InvestorFilter selects investor preferences. Zero fields do not filter.
type InvestorFilter struct {
	Query  string // part of the account's name
	Domain string
	Stage  string
	// Region keeps investors who invest there: no regions stated, or a
	// stated region that contains it.
	Region string
	// Ticket keeps investors whose ticket range contains the amount (万元).
	Ticket *float64
	Paging
}

const investorColumns = `p.user_id, COALESCE(NULLIF(u.display_name, ''), u.username), p.domains, p.stages, p.ticket_min,
	p.ticket_max, p.regions, p.note, p.region_code, p.visibility, p.created_at, p.updated_at, u.disabled, u.role`

const investorFrom = "investor_preferences p JOIN users u ON u.id = p.user_id"

func scanInvestor(r rowScanner) (InvestorPreferences, error) {
	var p InvestorPreferences
	var domains, stages, regions string
	var created, updated sqldb.Time
	var disabled bool
	var role account.Role
	err := r.Scan(&p.UserID, &p.Name, &domains, &stages, &p.TicketMin, &p.TicketMax, &regions, &p.Note, &p.RegionCode,
		&p.Visibility, &created, &updated, &disabled, &role)
	p.enabled = !disabled && role == account.RoleInvestor
	p.Domains, p.Stages, p.Regions = splitCodes(domains), splitCodes(stages), splitCodes(regions)
	p.CreatedAt, p.UpdatedAt = created.Time, updated.Time
	return p, err
}

func getInvestor(ctx context.Context, q sqldb.Querier, userID int64) (InvestorPreferences, error) {
	return getOne(ctx, q, "investor preferences", "SELECT "+investorColumns+" FROM "+investorFrom+" WHERE p.user_id = ?", userID, scanInvestor)
}

func (p InvestorPreferences) view(a account.Actor) (InvestorPreferences, bool) {
	self := a.LoggedIn() && a.UserID == p.UserID
	p.Perms = Perms{Edit: self || Manages(a, p.RegionCode), Manage: Manages(a, p.RegionCode)}
	if p.Perms.Edit || seesAll(a, p.RegionCode) {
		return p, true
	}
	return p, p.enabled && canSee(a, p.Visibility, p.RegionCode, false)
}

func (p InvestorPreferences) auditView() map[string]any {
	return map[string]any{"domains": p.Domains, "stages": p.Stages, "ticket_min": p.TicketMin, "ticket_max": p.TicketMax,
		"regions": p.Regions, "region_code": p.RegionCode, "visibility": p.Visibility}
}

// PutInvestorPreferences creates or replaces the preferences of the
// investor account userID. The investor itself may, and staff in scope.
func (s *Service) PutInvestorPreferences(ctx context.Context, a account.Actor, userID int64, in InvestorInput) (InvestorPreferences, error) {
	var out InvestorPreferences
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := getInvestor(ctx, tx, userID)
		exists := err == nil
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		regionNow, err := accountProfile(ctx, tx, a, userID, account.RoleInvestor, old.RegionCode)
		if err != nil {
			return err
		}
		if in.RegionCode == "" {
			in.RegionCode = regionNow
		}
		if exists {
			keep(&in.RegionCode, &in.Visibility, old.RegionCode, old.Visibility)
		}
		var c checker
		in.check(&c, s.ref)
		if err := s.checkRegionInto(ctx, tx, &c, a, in.RegionCode, false); err != nil {
			return err
		}
		if err := checkRegionsExist(ctx, tx, &c, in.Regions); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		now := sqldb.At(s.now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO investor_preferences (user_id, domains, stages, ticket_min, ticket_max,
			regions, note, region_code, visibility, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET domains = excluded.domains, stages = excluded.stages,
			ticket_min = excluded.ticket_min, ticket_max = excluded.ticket_max, regions = excluded.regions,
			note = excluded.note, region_code = excluded.region_code, visibility = excluded.visibility,
			updated_at = excluded.updated_at`, userID, joinCodes(in.Domains), joinCodes(in.Stages), in.TicketMin, in.TicketMax,
			joinCodes(in.Regions), in.Note, in.RegionCode, string(in.Visibility), now, now); err != nil {
			return fmt.Errorf("write investor preferences: %w", err)
		}
		if out, err = getInvestor(ctx, tx, userID); err != nil {
			return err
		}
		out, _ = out.view(a)
		var before any
		if exists {
			before = old.auditView()
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "investor_preferences.put", ObjectType: "investor_preferences",
			ObjectID: idText(userID), RegionCode: out.RegionCode, Before: before, After: out.auditView()})
	})
	return out, err
}

// checkRegionsExist adds a field error for a stated region the tables lack.
func checkRegionsExist(ctx context.Context, q sqldb.Querier, c *checker, codes []string) error {
	for _, code := range codes {
		var n int
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM regions WHERE code = ?", code).Scan(&n); err != nil {
			return fmt.Errorf("region %s: %w", code, err)
		}
		if n == 0 {
			c.add("regions", "directory.choice_unknown", code)
			return nil
		}
	}
	return nil
}

// GetInvestorPreferences returns an investor's preferences in the actor's
// view.
func (s *Service) GetInvestorPreferences(ctx context.Context, a account.Actor, userID int64) (InvestorPreferences, error) {
	p, err := getInvestor(ctx, s.db, userID)
	if err != nil {
		return InvestorPreferences{}, err
	}
	if p, ok := p.view(a); ok {
		return p, nil
	}
	return InvestorPreferences{}, notFound()
}

// FindInvestorPreferences lists the investor preferences the actor may see
// that match f, by name: the candidates matching proposes for a financing
// need.
func (s *Service) FindInvestorPreferences(ctx context.Context, a account.Actor, f InvestorFilter) ([]InvestorPreferences, int, error) {
	see, args := seeWhere(a, "p.", "p.user_id = ?", a.UserID)
	where := []string{see}
	if !IsManager(a) && a.Role != account.RoleAdmin {
		where, args = append(where, "((u.disabled = ? AND u.role = 'investor') OR p.user_id = ?)"), append(args, false, a.UserID)
	}
	where, args = textWhere(where, args, f.Query, "u.display_name", "u.username")
	where, args = domainWhere(where, args, "p.domains", f.Domain)
	where, args = codeWhere(where, args, "p.stages", f.Stage)
	if region.ValidCode(f.Region) {
		// A stated region contains f.Region when it is f.Region or one of
		// its province or city codes.
		ors := []string{"p.regions = ''"}
		for _, c := range []string{f.Region[:2] + "0000", f.Region[:4] + "00", f.Region} {
			ors, args = append(ors, "p.regions LIKE ?"), append(args, "%,"+c+",%")
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if f.Ticket != nil {
		where = append(where, "(p.ticket_min IS NULL OR p.ticket_min <= ?) AND (p.ticket_max IS NULL OR p.ticket_max >= ?)")
		args = append(args, *f.Ticket, *f.Ticket)
	}
	list, total, err := findPage(ctx, s.db, "investor preferences", investorColumns, investorFrom, where, args,
		"u.display_name, u.username, p.user_id", f.Paging, scanInvestor)
	if err != nil {
		return nil, 0, err
	}
	return list, total, viewAll("investor preferences", list, func(x InvestorPreferences) (InvestorPreferences, bool) { return x.view(a) })
}

// DeleteInvestorPreferences removes an investor's preferences. The investor
// and staff in scope may.
func (s *Service) DeleteInvestorPreferences(ctx context.Context, a account.Actor, userID int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := getInvestor(ctx, tx, userID)
		if err != nil {
			return err
		}
		if old, _ = old.view(a); !old.Perms.Edit {
			return notFound()
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM investor_preferences WHERE user_id = ?", userID); err != nil {
			return fmt.Errorf("delete investor preferences: %w", err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "investor_preferences.delete", ObjectType: "investor_preferences",
			ObjectID: idText(userID), RegionCode: old.RegionCode, Before: old.auditView()})
	})
}
