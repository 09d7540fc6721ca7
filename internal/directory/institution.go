package directory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// Contact is an office's contact person. Members, editors and staff see it;
// anonymous visitors do not.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

func (c *Contact) check(ck *checker) {
	ck.text("contact_name", &c.Name, maxShort, false)
	ck.contact("contact_phone", &c.Phone, "contact_email", &c.Email)
}

// LinkedAccount is an account linked to a record, with the name to show.
type LinkedAccount struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Institution is a university, research institute, new-type R&D
// institution or corporate R&D institution (高校, 科研院所, 新型研发机构,
// 企业研发机构). Its editors are the institution accounts linked to it.
type Institution struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	CreditCode  string     `json:"credit_code,omitempty"`
	Type        string     `json:"type"`
	Level       string     `json:"level,omitempty"`
	RegionCode  string     `json:"region_code"`
	Visibility  Visibility `json:"visibility"`
	Disciplines []string   `json:"disciplines"`
	Domains     []string   `json:"domains"`
	Summary     string     `json:"summary,omitempty"`
	Website     string     `json:"website,omitempty"`
	// TTO is the name of its technology-transfer office (技术转移办公室).
	TTO     string  `json:"tto,omitempty"`
	Contact Contact `json:"contact"`
	// Accounts are the linked institution accounts: shown to editors and
	// staff only.
	Accounts []LinkedAccount `json:"accounts,omitempty"`
	// Platforms are filled by GetInstitution.
	Platforms []Platform `json:"platforms,omitempty"`
	Perms     Perms      `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// InstitutionInput is what creating or changing an institution takes.
type InstitutionInput struct {
	Name        string
	CreditCode  string
	Type        string
	Level       string
	RegionCode  string
	Visibility  Visibility // default public
	Disciplines []string
	Domains     []string
	Summary     string
	Website     string
	TTO         string
	Contact     Contact
}

// Validate normalizes the input and returns every bad field at once.
func (in *InstitutionInput) Validate(ref *Reference) error {
	var c checker
	in.check(&c, ref)
	return c.err()
}

func (in *InstitutionInput) check(c *checker, ref *Reference) {
	c.text("name", &in.Name, maxName, true)
	c.creditCode("credit_code", &in.CreditCode)
	c.choice("type", &in.Type, ref.InstitutionTypes, true)
	c.choice("level", &in.Level, ref.InstitutionLevels, false)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	c.visibility(&in.Visibility, VisiblePublic)
	c.codes("disciplines", &in.Disciplines, ref.ValidDiscipline)
	c.codes("domains", &in.Domains, ref.ValidDomain)
	c.text("summary", &in.Summary, maxSummary, false)
	c.website("website", &in.Website)
	c.text("tto", &in.TTO, maxName, false)
	in.Contact.check(c)
}

// InstitutionFilter selects institutions. Zero fields do not filter.
type InstitutionFilter struct {
	Query      string // part of the name
	Type       string
	Level      string
	Region     string // region prefix
	Discipline string
	Domain     string // a top-level domain also finds its second levels
	Paging
}

func (i Institution) auditView() map[string]any {
	return map[string]any{"name": i.Name, "credit_code": i.CreditCode, "type": i.Type, "level": i.Level,
		"region_code": i.RegionCode, "visibility": i.Visibility, "disciplines": i.Disciplines, "domains": i.Domains,
		"tto": i.TTO, "contact_name": i.Contact.Name}
}

const institutionColumns = `i.id, i.name, i.credit_code, i.type, i.level, i.region_code, i.visibility, i.disciplines, i.domains,
	i.summary, i.website, i.tto_name, i.contact_name, i.contact_phone, i.contact_email, i.created_at, i.updated_at`

func scanInstitution(row rowScanner) (Institution, error) {
	var i Institution
	var disciplines, domains string
	var created, updated sqldb.Time
	err := row.Scan(&i.ID, &i.Name, &i.CreditCode, &i.Type, &i.Level, &i.RegionCode, &i.Visibility, &disciplines, &domains,
		&i.Summary, &i.Website, &i.TTO, &i.Contact.Name, &i.Contact.Phone, &i.Contact.Email, &created, &updated)
	i.Disciplines, i.Domains = splitCodes(disciplines), splitCodes(domains)
	i.CreatedAt, i.UpdatedAt = created.Time, updated.Time
	return i, err
}

func getInstitution(ctx context.Context, q sqldb.Querier, id int64) (Institution, error) {
	return getOne(ctx, q, "institution", "SELECT "+institutionColumns+" FROM institutions i WHERE i.id = ?", id, scanInstitution)
}

// institutionPerms: the linked accounts edit; staff in scope also manage.
func institutionPerms(v viewer, i Institution) Perms {
	if Manages(v.Actor, i.RegionCode) {
		return Perms{Edit: true, Manage: true}
	}
	return Perms{Edit: v.institution != 0 && v.institution == i.ID}
}

// view applies the actor's view to a loaded institution: nil when it may
// not see it, else the institution with the contact and accounts it may
// see and its perms.
func (i Institution) view(v viewer) (Institution, bool) {
	i.Perms = institutionPerms(v, i)
	if !canSee(v.Actor, i.Visibility, i.RegionCode, i.Perms.Edit) {
		return Institution{}, false
	}
	if !v.LoggedIn() {
		i.Contact = Contact{}
	}
	if !i.Perms.Edit && !seesAll(v.Actor, i.RegionCode) {
		i.Accounts = nil
	}
	return i, true
}

// institutionArgs are the stored columns of in, the contact's phone and e-mail
// sealed with k when the statement runs.
func institutionArgs(in InstitutionInput, k *pii.Keyring) []any {
	return []any{in.Name, in.CreditCode, in.Type, in.Level, in.RegionCode, string(in.Visibility), joinCodes(in.Disciplines),
		joinCodes(in.Domains), in.Summary, in.Website, in.TTO, in.Contact.Name, k.Value(institutionPhone, in.Contact.Phone), k.Value(institutionEmail, in.Contact.Email)}
}

// creditCodeTaken turns a unique violation on credit_code into a field
// error.
func creditCodeTaken(err error, code string) error {
	if apperr.Is(err, apperr.Conflict) {
		return apperr.Fields(apperr.Field("credit_code", "directory.credit_code_taken", code))
	}
	return err
}

// CreateInstitution adds an institution. Only staff may, inside their
// region; an institution must lie in a county. A credit code already in
// the directory is an Invalid error on credit_code.
func (s *Service) CreateInstitution(ctx context.Context, a account.Actor, in InstitutionInput) (Institution, error) {
	if !IsManager(a) {
		return Institution{}, onlyManagers(a)
	}
	var out Institution
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var c checker
		in.check(&c, s.ref)
		if err := s.checkRegionInto(ctx, tx, &c, a, in.RegionCode, true); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		var err error
		out, err = s.insertInstitution(ctx, tx, a, in)
		return err
	})
	return out, err
}

// insertInstitution stores a checked institution in tx, the contact's
// phone and e-mail sealed, with its audit row; the form, the API and the
// import create institutions through it.
func (s *Service) insertInstitution(ctx context.Context, tx *sqldb.Tx, a account.Actor, in InstitutionInput) (Institution, error) {
	now := sqldb.At(s.now())
	id, err := tx.InsertID(ctx, `INSERT INTO institutions (name, credit_code, type, level, region_code, visibility,
		disciplines, domains, summary, website, tto_name, contact_name, contact_phone, contact_email, created_by,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append(institutionArgs(in, pii.From(tx)), a.UserID, now, now)...)
	if err != nil {
		return Institution{}, creditCodeTaken(err, in.CreditCode)
	}
	out, err := getInstitution(ctx, tx, id)
	if err != nil {
		return Institution{}, err
	}
	out.Perms = Perms{Edit: true, Manage: true}
	return out, audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "institution.create", ObjectType: "institution",
		ObjectID: idText(id), RegionCode: out.RegionCode, After: out.auditView()})
}

// checkRegionInto adds the region's field errors to c.
func (s *Service) checkRegionInto(ctx context.Context, q sqldb.Querier, c *checker, a account.Actor, code string, county bool) error {
	fields, err := s.checkRegion(ctx, q, a, code, county)
	c.fields = append(c.fields, fields...)
	return err
}

// loadAccounts fills the linked accounts of an institution.
func loadAccounts(ctx context.Context, q sqldb.Querier, i *Institution) error {
	accts, err := queryAll(ctx, q, "institution accounts", `SELECT u.id, COALESCE(NULLIF(u.display_name, ''), u.username)
		FROM institution_accounts ia JOIN users u ON u.id = ia.user_id WHERE ia.institution_id = ? ORDER BY u.id`,
		[]any{i.ID}, func(r rowScanner) (LinkedAccount, error) {
			var la LinkedAccount
			return la, r.Scan(&la.ID, &la.Name)
		})
	i.Accounts = accts
	return err
}

// GetInstitution returns an institution the actor may see, with its
// platforms, and its linked accounts for its editors and staff.
func (s *Service) GetInstitution(ctx context.Context, a account.Actor, id int64) (Institution, error) {
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return Institution{}, err
	}
	i, err := getInstitution(ctx, s.db, id)
	if err != nil {
		return Institution{}, err
	}
	if err := loadAccounts(ctx, s.db, &i); err != nil {
		return Institution{}, err
	}
	i, ok := i.view(v)
	if !ok {
		return Institution{}, notFound()
	}
	i.Platforms, err = queryAll(ctx, s.db, "platforms", "SELECT "+platformColumns+" FROM platforms p JOIN institutions i ON i.id = p.institution_id WHERE p.institution_id = ? ORDER BY p.id",
		[]any{id}, scanPlatform)
	for k := range i.Platforms {
		i.Platforms[k].Perms = i.Perms
	}
	return i, err
}

// FindInstitutions lists the institutions the actor may see that match f,
// by name.
func (s *Service) FindInstitutions(ctx context.Context, a account.Actor, f InstitutionFilter) ([]Institution, int, error) {
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return nil, 0, err
	}
	see, args := seeWhere(a, "i.", "i.id = ?", v.institution)
	where := []string{see}
	where, args = textWhere(where, args, f.Query, "i.name")
	if f.Type != "" {
		where, args = append(where, "i.type = ?"), append(args, f.Type)
	}
	if f.Level != "" {
		where, args = append(where, "i.level = ?"), append(args, f.Level)
	}
	where, args = regionWhere(where, args, "i.region_code", f.Region)
	where, args = codeWhere(where, args, "i.disciplines", f.Discipline)
	where, args = domainWhere(where, args, "i.domains", f.Domain)
	list, total, err := findPage(ctx, s.db, "institutions", institutionColumns, "institutions i", where, args, "i.name, i.id", f.Paging, scanInstitution)
	if err != nil {
		return nil, 0, err
	}
	return list, total, viewAll("institution", list, func(x Institution) (Institution, bool) { return x.view(v) })
}

// editInstitution loads an institution inside tx for a write by the actor:
// NotFound unless the actor edits it (manage demands staff in scope).
func (s *Service) editInstitution(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64, manage bool) (Institution, viewer, error) {
	v, err := s.viewer(ctx, tx, a)
	if err != nil {
		return Institution{}, v, err
	}
	i, err := getInstitution(ctx, tx, id)
	if err != nil {
		return Institution{}, v, err
	}
	i.Perms = institutionPerms(v, i)
	if !i.Perms.Edit || (manage && !i.Perms.Manage) {
		return Institution{}, v, notFound()
	}
	return i, v, nil
}

// UpdateInstitution replaces an institution's profile. Its linked accounts
// and staff in scope may; only staff may move it to another region
// (inside their scope).
func (s *Service) UpdateInstitution(ctx context.Context, a account.Actor, id int64, in InstitutionInput) (Institution, error) {
	var out Institution
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, v, err := s.editInstitution(ctx, tx, a, id, false)
		if err != nil {
			return err
		}
		keep(&in.RegionCode, &in.Visibility, old.RegionCode, old.Visibility)
		var c checker
		in.check(&c, s.ref)
		if err := s.checkMove(ctx, tx, &c, a, old.Perms, old.RegionCode, in.RegionCode, true); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE institutions SET name = ?, credit_code = ?, type = ?, level = ?, region_code = ?,
			visibility = ?, disciplines = ?, domains = ?, summary = ?, website = ?, tto_name = ?, contact_name = ?,
			contact_phone = ?, contact_email = ?, updated_at = ? WHERE id = ?`, append(institutionArgs(in, pii.From(tx)), sqldb.At(s.now()), id)...)
		if err != nil {
			return creditCodeTaken(err, in.CreditCode)
		}
		if out, err = getInstitution(ctx, tx, id); err != nil {
			return err
		}
		out.Perms = institutionPerms(v, out)
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "institution.update", ObjectType: "institution",
			ObjectID: idText(id), RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// checkMove validates the region of a changed record: an editor who does
// not manage it keeps its region; staff may move it inside their scope.
func (s *Service) checkMove(ctx context.Context, q sqldb.Querier, c *checker, a account.Actor, p Perms, from, to string, county bool) error {
	to = strings.TrimSpace(to)
	if !p.Manage {
		if to != from {
			c.add("region_code", "directory.region_fixed")
		}
		return nil
	}
	return s.checkRegionInto(ctx, q, c, a, to, county)
}

// DeleteInstitution removes an institution with its platforms and account
// links. Staff in scope may. Its experts stay, with the institution's name
// kept as their affiliation.
func (s *Service) DeleteInstitution(ctx context.Context, a account.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, _, err := s.editInstitution(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE experts SET affiliation = ?, institution_id = NULL WHERE institution_id = ? AND affiliation = ''",
			old.Name, id); err != nil {
			return fmt.Errorf("keep affiliation: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM institutions WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete institution %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "institution.delete", ObjectType: "institution",
			ObjectID: idText(id), RegionCode: old.RegionCode, Before: old.auditView()})
	})
}

// LinkInstitutionAccount lets an institution account act for the
// institution: edit it and add its platforms and experts. Staff in scope
// may link; the account must be an enabled institution account not linked
// to another institution (else an Invalid error on user_id).
func (s *Service) LinkInstitutionAccount(ctx context.Context, a account.Actor, id, userID int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		inst, _, err := s.editInstitution(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		ai, ok, err := getAccount(ctx, tx, userID)
		if err != nil {
			return err
		}
		if !ok || ai.Disabled || ai.Role != account.RoleInstitution {
			return apperr.Fields(apperr.Field("user_id", "directory.account_not_institution"))
		}
		var other int64
		err = tx.QueryRowContext(ctx, "SELECT institution_id FROM institution_accounts WHERE user_id = ?", userID).Scan(&other)
		switch {
		case err == nil && other == id:
			return nil
		case err == nil:
			return apperr.Fields(apperr.Field("user_id", "directory.account_linked_elsewhere"))
		case !sqldb.IsNoRows(err):
			return fmt.Errorf("institution of account %d: %w", userID, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO institution_accounts (institution_id, user_id, linked_at) VALUES (?, ?, ?)",
			id, userID, sqldb.At(s.now())); err != nil {
			return fmt.Errorf("link account: %w", err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "institution.link_account", ObjectType: "institution",
			ObjectID: idText(id), RegionCode: inst.RegionCode, After: map[string]any{"user_id": userID}})
	})
}

// UnlinkInstitutionAccount ends an account's link to the institution.
// Staff in scope may; an account that is not linked is NotFound.
func (s *Service) UnlinkInstitutionAccount(ctx context.Context, a account.Actor, id, userID int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		inst, _, err := s.editInstitution(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM institution_accounts WHERE institution_id = ? AND user_id = ?", id, userID)
		if err != nil {
			return fmt.Errorf("unlink account: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound()
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "institution.unlink_account", ObjectType: "institution",
			ObjectID: idText(id), RegionCode: inst.RegionCode, Before: map[string]any{"user_id": userID}})
	})
}
