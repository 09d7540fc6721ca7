package project

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Unit is a government unit (责任单位, 承办单位) of a region: it is
// responsible for projects, receives supervision orders and answers service
// requests. Its members are the accounts that act for it.
type Unit struct {
	ID         int64     `json:"id"`
	RegionCode string    `json:"region_code"`
	Name       string    `json:"name"`
	Active     bool      `json:"active"`
	Members    []Member  `json:"members,omitempty"` // filled by GetUnit
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Member is an account acting for a unit.
type Member struct {
	UserID      int64  `json:"user_id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// UnitInput creates or changes a unit. Active nil keeps the unit's state
// (a new unit is active).
type UnitInput struct {
	RegionCode string `json:"region_code"`
	Name       string `json:"name"`
	Active     *bool  `json:"active,omitempty"`
}

// UnitFilter selects units. Zero fields do not filter.
type UnitFilter struct {
	Region string // region prefix
	Query  string // part of the name
	// ForRegion keeps the units that may take a record of this region: its
	// own and those of the city and province above it.
	ForRegion  string
	ActiveOnly bool
	Page       int
	PerPage    int
}

func normalizePage(page, perPage *int, def int) {
	if *page < 1 {
		*page = 1
	}
	if *perPage <= 0 {
		*perPage = def
	}
	if *perPage > 200 {
		*perPage = 200
	}
}

// readsUnit reports whether the actor sees the unit: units in its scope,
// and for staff the units of the city and province above them (a county
// project may be a city bureau's responsibility).
func readsUnit(a account.Actor, u Unit) bool {
	return readsRegion(a, u.RegionCode) || (isGov(a) && region.Contains(u.RegionCode, a.Region))
}

// servesRegion reports whether the unit may take a record of regionCode:
// the unit's region is the record's or lies above it.
func (u Unit) servesRegion(regionCode string) bool {
	return u.Active && region.Contains(u.RegionCode, regionCode)
}

func (in *UnitInput) validate() error {
	in.RegionCode, in.Name = strings.TrimSpace(in.RegionCode), strings.Join(strings.Fields(in.Name), " ")
	var c collect
	if !region.ValidCode(in.RegionCode) {
		c.field("region_code", "region.code_format")
	}
	switch {
	case in.Name == "":
		c.field("name", "error.required")
	case utf8.RuneCountInString(in.Name) > 64:
		c.field("name", "error.too_long", 64)
	case htmlTag.MatchString(in.Name):
		c.field("name", "project.no_html")
	}
	return c.err()
}

const unitColumns = "id, region_code, name, active, created_at, updated_at"

func scanUnit(row interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	var created, updated sqldb.Time
	if err := row.Scan(&u.ID, &u.RegionCode, &u.Name, &u.Active, &created, &updated); err != nil {
		return Unit{}, err
	}
	u.CreatedAt, u.UpdatedAt = created.Time, updated.Time
	return u, nil
}

func getUnit(ctx context.Context, q sqldb.Querier, id int64) (Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, "SELECT "+unitColumns+" FROM gov_units WHERE id = ?", id))
	if sqldb.IsNoRows(err) {
		return Unit{}, apperr.New(apperr.NotFound, "project.unit_not_found")
	}
	if err != nil {
		return Unit{}, fmt.Errorf("get unit %d: %w", id, err)
	}
	return u, nil
}

func unitMembers(ctx context.Context, q sqldb.Querier, id int64) ([]Member, error) {
	out, err := queryAll(ctx, q, func(r scanner) (Member, error) {
		var m Member
		err := r.Scan(&m.UserID, &m.Username, &m.DisplayName)
		return m, err
	}, `SELECT u.id, u.username, u.display_name FROM gov_unit_members m JOIN users u ON u.id = m.user_id
		WHERE m.unit_id = ? ORDER BY u.username`, id)
	if err != nil {
		return nil, fmt.Errorf("unit %d members: %w", id, err)
	}
	return out, nil
}

// isMember reports whether the user acts for the unit.
func isMember(ctx context.Context, q sqldb.Querier, unitID, userID int64) (bool, error) {
	if unitID == 0 || userID == 0 {
		return false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM gov_unit_members WHERE unit_id = ? AND user_id = ?", unitID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("unit membership: %w", err)
	}
	return n > 0, nil
}

// memberUnits returns the ids of the units the user acts for.
func memberUnits(ctx context.Context, q sqldb.Querier, userID int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if userID == 0 {
		return out, nil
	}
	ids, err := queryAll(ctx, q, scanID, "SELECT unit_id FROM gov_unit_members WHERE user_id = ?", userID)
	if err != nil {
		return nil, fmt.Errorf("member units: %w", err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// usableUnit returns the unit with id if the actor sees it and it may take
// a record of regionCode; otherwise an Invalid error on field.
func usableUnit(ctx context.Context, q sqldb.Querier, a account.Actor, id int64, regionCode, field string) (Unit, error) {
	if id == 0 {
		return Unit{}, apperr.Fields(apperr.Field(field, "error.required"))
	}
	u, err := getUnit(ctx, q, id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !readsUnit(a, u)) {
		return Unit{}, apperr.Fields(apperr.Field(field, "project.unit_not_found"))
	}
	if err != nil {
		return Unit{}, err
	}
	if !u.servesRegion(regionCode) {
		return Unit{}, apperr.Fields(apperr.Field(field, "project.unit_wrong_region"))
	}
	return u, nil
}

func (u Unit) auditView() map[string]any {
	return map[string]any{"region_code": u.RegionCode, "name": u.Name, "active": u.Active}
}

// CreateUnit adds a unit to a region inside the actor's scope. A second
// unit of the same name in the region is an Invalid error on name.
func (s *Service) CreateUnit(ctx context.Context, a account.Actor, in UnitInput) (Unit, error) {
	if !CanManageUnits(a) {
		return Unit{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	if err := in.validate(); err != nil {
		return Unit{}, err
	}
	if !managesRegion(a, in.RegionCode) {
		return Unit{}, apperr.Fields(apperr.Field("region_code", "project.region_outside_scope"))
	}
	active := in.Active == nil || *in.Active
	var out Unit
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := sqldb.At(s.now())
		id, err := tx.InsertID(ctx, `INSERT INTO gov_units (region_code, name, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			in.RegionCode, in.Name, active, now, now)
		if apperr.Is(err, apperr.Conflict) {
			return apperr.Fields(apperr.Field("name", "project.unit_name_taken"))
		}
		if err != nil {
			return err
		}
		if out, err = getUnit(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "unit.create", ObjectType: "gov_unit", ObjectID: idText(id),
			RegionCode: out.RegionCode, After: out.auditView()})
	})
	return out, err
}

// UpdateUnit renames, moves (inside the actor's scope) or (de)activates a
// unit. A deactivated unit keeps its records but takes no new ones.
func (s *Service) UpdateUnit(ctx context.Context, a account.Actor, id int64, in UnitInput) (Unit, error) {
	if err := in.validate(); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := getUnit(ctx, tx, id)
		if err != nil {
			return err
		}
		if !readsUnit(a, old) {
			return apperr.New(apperr.NotFound, "project.unit_not_found")
		}
		if !managesRegion(a, old.RegionCode) {
			return apperr.New(apperr.Forbidden, "project.only_staff")
		}
		if !managesRegion(a, in.RegionCode) {
			return apperr.Fields(apperr.Field("region_code", "project.region_outside_scope"))
		}
		active := old.Active
		if in.Active != nil {
			active = *in.Active
		}
		_, err = tx.ExecContext(ctx, "UPDATE gov_units SET region_code = ?, name = ?, active = ?, updated_at = ? WHERE id = ?",
			in.RegionCode, in.Name, active, sqldb.At(s.now()), id)
		if apperr.Is(err, apperr.Conflict) {
			return apperr.Fields(apperr.Field("name", "project.unit_name_taken"))
		}
		if err != nil {
			return err
		}
		if out, err = getUnit(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "unit.update", ObjectType: "gov_unit", ObjectID: idText(id),
			RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// GetUnit returns a unit the actor sees, with its members.
func (s *Service) GetUnit(ctx context.Context, a account.Actor, id int64) (Unit, error) {
	u, err := getUnit(ctx, s.db, id)
	if err != nil {
		return Unit{}, err
	}
	if !readsUnit(a, u) {
		return Unit{}, apperr.New(apperr.NotFound, "project.unit_not_found")
	}
	if u.Members, err = unitMembers(ctx, s.db, id); err != nil {
		return Unit{}, err
	}
	return u, nil
}

// FindUnits lists the units the actor sees that match f, by region and
// name, with the total.
func (s *Service) FindUnits(ctx context.Context, a account.Actor, f UnitFilter) ([]Unit, int, error) {
	if !CanViewModule(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	normalizePage(&f.Page, &f.PerPage, 50)
	// In scope, or above the actor's own region (see readsUnit).
	vis := []string{"region_code LIKE ?"}
	args := []any{scopeLike(a)}
	if isGov(a) {
		for _, up := range ancestors(a.Region) {
			vis, args = append(vis, "region_code = ?"), append(args, up)
		}
	}
	where := []string{"(" + strings.Join(vis, " OR ") + ")"}
	if f.Region != "" {
		where, args = append(where, "region_code LIKE ?"), append(args, region.Prefix(f.Region)+"%")
	}
	if f.ForRegion != "" {
		own := append([]string{f.ForRegion}, ancestors(f.ForRegion)...)
		where = append(where, "region_code IN (?"+strings.Repeat(", ?", len(own)-1)+")")
		for _, c := range own {
			args = append(args, c)
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where, args = append(where, `name LIKE ? ESCAPE '\'`), append(args, "%"+escapeLike(q)+"%")
	}
	if f.ActiveOnly {
		where, args = append(where, "active = ?"), append(args, true)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	out, total, err := findPage(ctx, s.db, unitColumns, " FROM gov_units", cond, "region_code, name, id", args, f.Page, f.PerPage, scanUnit)
	if err != nil {
		return nil, 0, fmt.Errorf("find units: %w", err)
	}
	return out, total, nil
}

// AddUnitMember lets an account act for a unit. The account must be bureau
// or county staff whose region covers the unit's; the actor must manage the
// unit's region. Adding a member twice changes nothing.
func (s *Service) AddUnitMember(ctx context.Context, a account.Actor, unitID, userID int64) error {
	return s.setMember(ctx, a, unitID, userID, true)
}

// RemoveUnitMember stops an account acting for a unit.
func (s *Service) RemoveUnitMember(ctx context.Context, a account.Actor, unitID, userID int64) error {
	return s.setMember(ctx, a, unitID, userID, false)
}

func (s *Service) setMember(ctx context.Context, a account.Actor, unitID, userID int64, on bool) error {
	u, err := getUnit(ctx, s.db, unitID)
	if err != nil {
		return err
	}
	if !readsUnit(a, u) {
		return apperr.New(apperr.NotFound, "project.unit_not_found")
	}
	if !managesRegion(a, u.RegionCode) {
		return apperr.New(apperr.Forbidden, "project.only_staff")
	}
	if on {
		user, err := s.accounts.GetUser(ctx, a, userID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Fields(apperr.Field("user_id", "project.member_not_found"))
		}
		if err != nil {
			return err
		}
		if (user.Role != account.RoleStaff && user.Role != account.RoleCounty) || !region.Contains(user.RegionCode, u.RegionCode) {
			return apperr.Fields(apperr.Field("user_id", "project.member_not_staff"))
		}
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var res interface{ RowsAffected() (int64, error) }
		var err error
		action := "unit.member_add"
		if on {
			res, err = tx.ExecContext(ctx, `INSERT INTO gov_unit_members (unit_id, user_id) VALUES (?, ?)
				ON CONFLICT (unit_id, user_id) DO NOTHING`, unitID, userID)
		} else {
			action = "unit.member_remove"
			res, err = tx.ExecContext(ctx, "DELETE FROM gov_unit_members WHERE unit_id = ? AND user_id = ?", unitID, userID)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: action, ObjectType: "gov_unit", ObjectID: idText(unitID),
			RegionCode: u.RegionCode, After: map[string]any{"user_id": userID}})
	})
}

// MyUnits returns the units the actor acts for.
func (s *Service) MyUnits(ctx context.Context, a account.Actor) ([]Unit, error) {
	out, err := queryAll(ctx, s.db, scanUnit, "SELECT "+prefixed("g.", unitColumns)+` FROM gov_units g
		JOIN gov_unit_members m ON m.unit_id = g.id WHERE m.user_id = ? ORDER BY g.region_code, g.name`, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("my units: %w", err)
	}
	return out, nil
}

// prefixed qualifies every column of a comma-separated list with p.
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
