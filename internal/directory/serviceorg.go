package directory

import (
	"context"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// ServiceOrg is a science and technology service organisation (技术转移机构,
// 知识产权服务, 检验检测, 科技咨询, 法律, 财务): the services it offers, its
// fields and qualifications. Its owner account edits it.
type ServiceOrg struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	CreditCode     string     `json:"credit_code,omitempty"`
	Type           string     `json:"type"`
	Services       []string   `json:"services"`
	Fields         []string   `json:"fields"`
	Qualifications []string   `json:"qualifications"`
	Summary        string     `json:"summary,omitempty"`
	Contact        Contact    `json:"contact"`
	RegionCode     string     `json:"region_code"`
	Visibility     Visibility `json:"visibility"`
	OwnerID        int64      `json:"owner_id,omitempty"` // editors and staff only
	Perms          Perms      `json:"-"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// ServiceOrgInput is what creating or changing a service organisation
// takes.
type ServiceOrgInput struct {
	Name           string
	CreditCode     string
	Type           string
	Services       []string
	Fields         []string // high-tech domains
	Qualifications []string
	Summary        string
	Contact        Contact
	RegionCode     string
	Visibility     Visibility // default public
	OwnerID        int64      // set by staff: an enabled member account
}

// Validate normalizes the input and returns every bad field at once (the
// region and owner are checked against the database on write).
func (in *ServiceOrgInput) Validate(ref *Reference) error {
	var c checker
	in.check(&c, ref)
	return c.err()
}

func (in *ServiceOrgInput) check(c *checker, ref *Reference) {
	c.text("name", &in.Name, maxName, true)
	c.creditCode("credit_code", &in.CreditCode)
	c.choice("type", &in.Type, ref.ServiceOrgTypes, true)
	c.list("services", &in.Services)
	c.codes("fields", &in.Fields, ref.ValidDomain)
	c.list("qualifications", &in.Qualifications)
	c.text("summary", &in.Summary, maxSummary, false)
	in.Contact.check(c)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	c.visibility(&in.Visibility, VisiblePublic)
}

// ServiceOrgFilter selects service organisations. Zero fields do not
// filter.
type ServiceOrgFilter struct {
	Query  string // part of the name
	Type   string
	Field  string
	Region string
	Paging
}

const serviceOrgColumns = `id, name, credit_code, type, services, fields, qualifications, summary, contact_name, contact_phone,
	contact_email, region_code, visibility, COALESCE(owner_id, 0), created_at, updated_at`

func scanServiceOrg(r rowScanner) (ServiceOrg, error) {
	var o ServiceOrg
	var services, fields, quals string
	var created, updated sqldb.Time
	err := r.Scan(&o.ID, &o.Name, &o.CreditCode, &o.Type, &services, &fields, &quals, &o.Summary, &o.Contact.Name,
		&o.Contact.Phone, &o.Contact.Email, &o.RegionCode, &o.Visibility, &o.OwnerID, &created, &updated)
	if err != nil {
		return ServiceOrg{}, err
	}
	o.Fields, o.CreatedAt, o.UpdatedAt = splitCodes(fields), created.Time, updated.Time
	if o.Services, err = splitJSON(services); err != nil {
		return ServiceOrg{}, err
	}
	o.Qualifications, err = splitJSON(quals)
	return o, err
}

func getServiceOrg(ctx context.Context, q sqldb.Querier, id int64) (ServiceOrg, error) {
	return getOne(ctx, q, "service organisation", "SELECT "+serviceOrgColumns+" FROM service_orgs WHERE id = ?", id, scanServiceOrg)
}

func (o ServiceOrg) view(a account.Actor) (ServiceOrg, bool) {
	p, sees, contact, owner := ownedView(a, o.state())
	if !sees {
		return ServiceOrg{}, false
	}
	o.Perms = p
	if !contact {
		o.Contact = Contact{}
	}
	if !owner {
		o.OwnerID = 0
	}
	return o, true
}

func (o ServiceOrg) state() ownedState { return ownedState{o.RegionCode, o.Visibility, o.OwnerID} }

var serviceOrgs = ownedKind[ServiceOrg]{object: "service_org", table: "service_orgs", county: true, get: getServiceOrg,
	state: ServiceOrg.state, audit: ServiceOrg.auditView}

func (o ServiceOrg) auditView() map[string]any {
	return map[string]any{"name": o.Name, "credit_code": o.CreditCode, "type": o.Type, "services": o.Services,
		"fields": o.Fields, "qualifications": o.Qualifications, "region_code": o.RegionCode, "visibility": o.Visibility,
		"owner_id": o.OwnerID, "contact_name": o.Contact.Name}
}

// serviceOrgArgs are the stored columns of in, the contact's phone and e-mail
// sealed with k when the statement runs.
func serviceOrgArgs(in ServiceOrgInput, k *pii.Keyring) []any {
	return []any{in.Name, in.CreditCode, in.Type, joinJSON(in.Services), joinCodes(in.Fields), joinJSON(in.Qualifications),
		in.Summary, in.Contact.Name, k.Value(serviceOrgPhone, in.Contact.Phone), k.Value(serviceOrgEmail, in.Contact.Email), in.RegionCode, string(in.Visibility), nullID(in.OwnerID)}
}

// CreateServiceOrg adds a service organisation. Staff may, in a county of
// their region.
func (s *Service) CreateServiceOrg(ctx context.Context, a account.Actor, in ServiceOrgInput) (ServiceOrg, error) {
	if !IsManager(a) {
		return ServiceOrg{}, onlyManagers(a)
	}
	var out ServiceOrg
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var c checker
		in.check(&c, s.ref)
		if err := s.checkOwned(ctx, tx, &c, a, serviceOrgs.county, nil, Perms{}, in.RegionCode, &in.OwnerID); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		var err error
		out, err = s.insertServiceOrg(ctx, tx, a, in)
		return err
	})
	return out, err
}

// insertServiceOrg stores a checked service organisation in tx, the
// contact's phone and e-mail sealed, with its audit row; the form, the API
// and the import create service organisations through it.
func (s *Service) insertServiceOrg(ctx context.Context, tx *sqldb.Tx, a account.Actor, in ServiceOrgInput) (ServiceOrg, error) {
	now := sqldb.At(s.now())
	id, err := tx.InsertID(ctx, `INSERT INTO service_orgs (name, credit_code, type, services, fields, qualifications,
		summary, contact_name, contact_phone, contact_email, region_code, visibility, owner_id, created_by, created_at,
		updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(serviceOrgArgs(in, pii.From(tx)), a.UserID, now, now)...)
	if err != nil {
		return ServiceOrg{}, creditCodeTaken(err, in.CreditCode)
	}
	out, err := getServiceOrg(ctx, tx, id)
	if err != nil {
		return ServiceOrg{}, err
	}
	out, _ = out.view(a)
	return out, audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "service_org.create", ObjectType: "service_org",
		ObjectID: idText(id), RegionCode: out.RegionCode, After: out.auditView()})
}

// GetServiceOrg returns a service organisation the actor may see.
func (s *Service) GetServiceOrg(ctx context.Context, a account.Actor, id int64) (ServiceOrg, error) {
	o, err := getServiceOrg(ctx, s.db, id)
	if err != nil {
		return ServiceOrg{}, err
	}
	if o, ok := o.view(a); ok {
		return o, nil
	}
	return ServiceOrg{}, notFound()
}

// FindServiceOrgs lists the service organisations the actor may see that
// match f, by name.
func (s *Service) FindServiceOrgs(ctx context.Context, a account.Actor, f ServiceOrgFilter) ([]ServiceOrg, int, error) {
	see, args := seeWhere(a, "", "owner_id = ?", a.UserID)
	where := []string{see}
	where, args = textWhere(where, args, f.Query, "name")
	if f.Type != "" {
		where, args = append(where, "type = ?"), append(args, f.Type)
	}
	where, args = domainWhere(where, args, "fields", f.Field)
	where, args = regionWhere(where, args, "region_code", f.Region)
	list, total, err := findPage(ctx, s.db, "service organisations", serviceOrgColumns, "service_orgs", where, args, "name, id",
		f.Paging, scanServiceOrg)
	if err != nil {
		return nil, 0, err
	}
	return list, total, viewAll("service organisation", list, func(o ServiceOrg) (ServiceOrg, bool) { return o.view(a) })
}

// UpdateServiceOrg replaces a service organisation's profile. Its owner and
// staff in scope may; only staff change the owner or move it.
func (s *Service) UpdateServiceOrg(ctx context.Context, a account.Actor, id int64, in ServiceOrgInput) (ServiceOrg, error) {
	var out ServiceOrg
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, p, err := serviceOrgs.edit(ctx, tx, a, id, false)
		if err != nil {
			return err
		}
		keep(&in.RegionCode, &in.Visibility, old.RegionCode, old.Visibility)
		var c checker
		in.check(&c, s.ref)
		st := old.state()
		if err := s.checkOwned(ctx, tx, &c, a, serviceOrgs.county, &st, p, in.RegionCode, &in.OwnerID); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE service_orgs SET name = ?, credit_code = ?, type = ?, services = ?, fields = ?,
			qualifications = ?, summary = ?, contact_name = ?, contact_phone = ?, contact_email = ?, region_code = ?,
			visibility = ?, owner_id = ?, updated_at = ? WHERE id = ?`, append(serviceOrgArgs(in, pii.From(tx)), sqldb.At(s.now()), id)...)
		if err != nil {
			return creditCodeTaken(err, in.CreditCode)
		}
		if out, err = getServiceOrg(ctx, tx, id); err != nil {
			return err
		}
		out, _ = out.view(a)
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "service_org.update", ObjectType: "service_org",
			ObjectID: idText(id), RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// DeleteServiceOrg removes a service organisation. Staff in scope may.
func (s *Service) DeleteServiceOrg(ctx context.Context, a account.Actor, id int64) error {
	return serviceOrgs.remove(ctx, s.db, a, id)
}
