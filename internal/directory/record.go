package directory

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Visibility says who sees a record besides its editors and the staff in
// scope, who always do.
type Visibility string

// The visibilities, widest first.
const (
	VisiblePublic  Visibility = "public"  // everybody, anonymous visitors too
	VisibleMembers Visibility = "members" // every logged-in account
	VisibleStaff   Visibility = "staff"   // editors and staff in scope only
)

// Visibilities lists the visibilities in display order.
var Visibilities = []Visibility{VisiblePublic, VisibleMembers, VisibleStaff}

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool {
	return v == VisiblePublic || v == VisibleMembers || v == VisibleStaff
}

// Perms says what the actor may do with one record, for pages to show
// buttons and links; every write checks again.
type Perms struct {
	Edit   bool `json:"edit"`   // change its content and visibility, add and change its sub-records
	Manage bool `json:"manage"` // also move it to another region, change its owner or links, delete it
}

// Paging selects one page of a list.
type Paging struct {
	Page    int // 1-based
	PerPage int // default 25, at most 200
}

// Normalize clamps paging: page ≥ 1, 1–200 per page, 25 by default.
func (p *Paging) Normalize() {
	if p.Page < 1 {
		p.Page = 1
	}
	if p.PerPage <= 0 {
		p.PerPage = 25
	}
	if p.PerPage > 200 {
		p.PerPage = 200
	}
}

func (p Paging) offset() int { return (p.Page - 1) * p.PerPage }

// IsManager reports whether the actor's role manages directory records
// (inside its region scope): bureau staff and county staff.
func IsManager(a account.Actor) bool {
	return a.LoggedIn() && (a.Role == account.RoleStaff || a.Role == account.RoleCounty)
}

// Manages reports whether the actor manages records in regionCode: staff
// of the city, county staff of that county.
func Manages(a account.Actor, regionCode string) bool {
	return IsManager(a) && a.InScope(regionCode)
}

// seesAll reports whether the actor reads every field of records in
// regionCode (contacts, staff-only records, linked accounts): the managers
// in scope and the system administrator, who reads but does not edit.
func seesAll(a account.Actor, regionCode string) bool {
	return Manages(a, regionCode) || (a.LoggedIn() && a.Role == account.RoleAdmin)
}

// viewer is the actor with the link that widens what it may edit: the
// institution its account acts for.
type viewer struct {
	account.Actor
	institution int64
}

// viewer loads the actor's institution link (institution accounts only).
func (s *Service) viewer(ctx context.Context, q sqldb.Querier, a account.Actor) (viewer, error) {
	v := viewer{Actor: a}
	if !a.LoggedIn() || a.Role != account.RoleInstitution {
		return v, nil
	}
	err := q.QueryRowContext(ctx, "SELECT institution_id FROM institution_accounts WHERE user_id = ?", a.UserID).Scan(&v.institution)
	if err != nil && !sqldb.IsNoRows(err) {
		return v, fmt.Errorf("institution of account %d: %w", a.UserID, err)
	}
	return v, nil
}

// canSee reports whether the actor may see a record of visibility vis in
// regionCode; editor says the actor edits it.
func canSee(a account.Actor, vis Visibility, regionCode string, editor bool) bool {
	switch {
	case editor, seesAll(a, regionCode), vis == VisiblePublic:
		return true
	case vis == VisibleMembers:
		return a.LoggedIn()
	}
	return false
}

// seeWhere returns the SQL condition under which the actor sees a row whose
// columns carry the prefix p ("i." or ""): the visibility, the region for
// staff in scope, or own (with ownArgs), the condition that makes the actor
// an editor ("" for none).
func seeWhere(a account.Actor, p, own string, ownArgs ...any) (string, []any) {
	if a.LoggedIn() && (a.Role == account.RoleAdmin || (IsManager(a) && a.Scope() == "")) {
		return "1 = 1", nil
	}
	conds := []string{p + "visibility = 'public'"}
	var args []any
	if a.LoggedIn() {
		conds[0] = p + "visibility IN ('public', 'members')"
	}
	if IsManager(a) {
		conds, args = append(conds, p+"region_code LIKE ?"), append(args, region.Prefix(a.Scope())+"%")
	}
	if own != "" {
		conds, args = append(conds, own), append(args, ownArgs...)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// keep fills the region and visibility that an update leaves empty with the
// stored ones, so that a form without them changes neither.
func keep(regionCode *string, vis *Visibility, oldRegion string, oldVis Visibility) {
	if strings.TrimSpace(*regionCode) == "" {
		*regionCode = oldRegion
	}
	if strings.TrimSpace(string(*vis)) == "" {
		*vis = oldVis
	}
}

// notFound is the answer for a record that is absent or outside the
// actor's view, so that ids leak nothing.
func notFound() error { return apperr.New(apperr.NotFound, "directory.not_found") }

// onlyManagers refuses an actor whose role cannot create the record at all.
func onlyManagers(a account.Actor) error {
	if !a.LoggedIn() {
		return apperr.New(apperr.Unauthenticated, "session.required")
	}
	return apperr.New(apperr.Forbidden, "directory.only_staff")
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }

// checkRegion validates a record's region: a region of the loaded tables,
// a county when county is set (else a city or county), inside the home
// region, and inside the actor's scope when a manager sets it.
func (s *Service) checkRegion(ctx context.Context, q sqldb.Querier, a account.Actor, code string, county bool) ([]apperr.FieldError, error) {
	const field = "region_code"
	if code == "" {
		return []apperr.FieldError{apperr.Field(field, "error.required")}, nil
	}
	var level int
	err := q.QueryRowContext(ctx, "SELECT level FROM regions WHERE code = ?", code).Scan(&level)
	if err != nil && !sqldb.IsNoRows(err) {
		return nil, fmt.Errorf("region %s: %w", code, err)
	}
	if sqldb.IsNoRows(err) || level == region.Province || (county && level != region.County) {
		if county {
			return []apperr.FieldError{apperr.Field(field, "directory.region_county")}, nil
		}
		return []apperr.FieldError{apperr.Field(field, "directory.region_city_county")}, nil
	}
	home, err := s.home(ctx)
	if err != nil {
		return nil, err
	}
	if home != "" && !region.Contains(home, code) {
		return []apperr.FieldError{apperr.Field(field, "directory.region_outside_home")}, nil
	}
	if IsManager(a) && !a.InScope(code) {
		return []apperr.FieldError{apperr.Field(field, "directory.region_outside_scope")}, nil
	}
	return nil, nil
}

// accountInfo is what the directory needs to know of an account it links.
type accountInfo struct {
	ID       int64
	Role     account.Role
	Region   string
	Name     string
	Disabled bool
}

// getAccount reads an account for linking. The users table belongs to
// account; reading three columns of it here spares an actor-checked call
// for what is a foreign-key lookup (market reads brokers the same way).
func getAccount(ctx context.Context, q sqldb.Querier, id int64) (accountInfo, bool, error) {
	var ai accountInfo
	err := q.QueryRowContext(ctx, `SELECT id, role, region_code, COALESCE(NULLIF(display_name, ''), username), disabled
		FROM users WHERE id = ?`, id).Scan(&ai.ID, &ai.Role, &ai.Region, &ai.Name, &ai.Disabled)
	if sqldb.IsNoRows(err) {
		return ai, false, nil
	}
	if err != nil {
		return ai, false, fmt.Errorf("account %d: %w", id, err)
	}
	return ai, true, nil
}

// isMemberRole reports whether role is one of the platform's members, who
// may own directory records.
func isMemberRole(r account.Role) bool {
	switch r {
	case account.RoleEnterprise, account.RoleInstitution, account.RoleBroker, account.RoleInvestor:
		return true
	}
	return false
}

// checkOwner validates an owner account for field: 0 (none) or an enabled
// account of one of roles.
func checkOwner(ctx context.Context, q sqldb.Querier, field string, id int64, roles ...account.Role) ([]apperr.FieldError, error) {
	if id == 0 {
		return nil, nil
	}
	ai, ok, err := getAccount(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !ok || ai.Disabled || !roleIn(ai.Role, roles) {
		return []apperr.FieldError{apperr.Field(field, "directory.owner_invalid")}, nil
	}
	return nil, nil
}

func roleIn(r account.Role, roles []account.Role) bool {
	for _, x := range roles {
		if r == x {
			return true
		}
	}
	return false
}

var memberRoles = []account.Role{account.RoleEnterprise, account.RoleInstitution, account.RoleBroker, account.RoleInvestor}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(...any) error }

// findPage counts the rows of from that match where and returns one page of
// them in order, scanned by scan. what names the list in errors.
func findPage[T any](ctx context.Context, q sqldb.Querier, what, cols, from string, where []string, args []any, order string,
	p Paging, scan func(rowScanner) (T, error)) ([]T, int, error) {
	p.Normalize()
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+from+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", what, err)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+cols+" FROM "+from+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, p.PerPage, p.offset())...)
	if err != nil {
		return nil, 0, fmt.Errorf("find %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		x, err := scan(rows)
		if err == nil {
			err = openSealed(q, &x)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("find %s: %w", what, err)
		}
		out = append(out, x)
	}
	return out, total, rows.Err()
}

// viewAll applies view to every record a query listed. The query's
// visibility condition and view must agree; a record one lists and the
// other refuses is a bug, reported rather than shown.
func viewAll[T any](what string, list []T, view func(T) (T, bool)) error {
	for k, x := range list {
		var ok bool
		if list[k], ok = view(x); !ok {
			return fmt.Errorf("%s listed against its visibility", what)
		}
	}
	return nil
}

// getOne returns the row that query finds for id, scanned by scan;
// NotFound when there is none. what names the record in errors.
func getOne[T any](ctx context.Context, q sqldb.Querier, what, query string, id int64, scan func(rowScanner) (T, error)) (T, error) {
	var zero T
	x, err := scan(q.QueryRowContext(ctx, query, id))
	if sqldb.IsNoRows(err) {
		return zero, notFound()
	}
	if err == nil {
		err = openSealed(q, &x)
	}
	if err != nil {
		return zero, fmt.Errorf("get %s %d: %w", what, id, err)
	}
	return x, nil
}

// queryAll returns every row of a query, scanned by scan.
func queryAll[T any](ctx context.Context, q sqldb.Querier, what, query string, args []any, scan func(rowScanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		x, err := scan(rows)
		if err == nil {
			err = openSealed(q, &x)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// textWhere adds a case-insensitive substring match of query over cols.
func textWhere(where []string, args []any, query string, cols ...string) ([]string, []any) {
	query = strings.TrimSpace(query)
	if query == "" {
		return where, args
	}
	like := "%" + escapeLike(strings.ToUpper(query)) + "%"
	var ors []string
	for _, c := range cols {
		ors, args = append(ors, "UPPER("+c+`) LIKE ? ESCAPE '\'`), append(args, like)
	}
	return append(where, "("+strings.Join(ors, " OR ")+")"), args
}

// codeWhere keeps rows whose delimited list col holds code.
func codeWhere(where []string, args []any, col, code string) ([]string, []any) {
	if code == "" {
		return where, args
	}
	return append(where, col+` LIKE ? ESCAPE '\'`), append(args, "%,"+escapeLike(code)+",%")
}

// domainWhere keeps rows whose delimited list of high-tech domains col
// covers domain: a top level is covered by itself and by each of its second
// levels, a second level by itself and by its top level (a fund investing
// in 电子信息 invests in 软件).
func domainWhere(where []string, args []any, col, domain string) ([]string, []any) {
	if domain == "" {
		return where, args
	}
	e := escapeLike(domain)
	other := "%," + e + "/%"
	if top, _, sub := strings.Cut(domain, "/"); sub {
		other = "%," + escapeLike(top) + ",%"
	}
	return append(where, "("+col+` LIKE ? ESCAPE '\' OR `+col+` LIKE ? ESCAPE '\')`), append(args, "%,"+e+",%", other)
}

// regionWhere keeps rows inside a region prefix.
func regionWhere(where []string, args []any, col, code string) ([]string, []any) {
	if code == "" {
		return where, args
	}
	return append(where, col+" LIKE ?"), append(args, region.Prefix(code)+"%")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
