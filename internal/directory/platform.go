package directory

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// Platform is an institution's research or service platform (重点实验室,
// 工程技术研究中心, 企业技术中心, 中试基地, 检验检测机构). It shares its
// institution's region, visibility and editors.
type Platform struct {
	ID              int64     `json:"id"`
	InstitutionID   int64     `json:"institution_id"`
	InstitutionName string    `json:"institution_name"`
	Name            string    `json:"name"`
	Kind            string    `json:"kind"`
	Level           string    `json:"level"`
	Domain          string    `json:"domain,omitempty"`
	ApprovedYear    int       `json:"approved_year,omitempty"`
	Summary         string    `json:"summary,omitempty"`
	Services        []string  `json:"services"` // open services (开放服务)
	RegionCode      string    `json:"region_code"`
	Perms           Perms     `json:"-"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	visibility      Visibility
}

// PlatformInput is what creating or changing a platform takes.
type PlatformInput struct {
	Name         string
	Kind         string
	Level        string
	Domain       string
	ApprovedYear int
	Summary      string
	Services     []string
}

// Validate normalizes the input and returns every bad field at once; now
// bounds the approval year.
func (in *PlatformInput) Validate(ref *Reference, now time.Time) error {
	var c checker
	c.text("name", &in.Name, maxName, true)
	c.choice("kind", &in.Kind, ref.PlatformKinds, true)
	c.choice("level", &in.Level, ref.PlatformLevels, true)
	domains := []string{in.Domain}
	c.codes("domain", &domains, ref.ValidDomain)
	in.Domain = ""
	if len(domains) > 0 {
		in.Domain = domains[0]
	}
	if in.ApprovedYear != 0 && (in.ApprovedYear < 1949 || in.ApprovedYear > now.Year()) {
		c.add("approved_year", "directory.year_range", now.Year())
	}
	c.text("summary", &in.Summary, maxSummary, false)
	c.list("services", &in.Services)
	return c.err()
}

// PlatformFilter selects platforms. Zero fields do not filter.
type PlatformFilter struct {
	Query         string // part of the platform's or the institution's name
	Kind          string
	Level         string
	Domain        string
	Region        string
	InstitutionID int64
	Paging
}

const platformColumns = `p.id, p.institution_id, i.name, p.name, p.kind, p.level, p.domain, p.approved_year, p.summary, p.services,
	i.region_code, i.visibility, p.created_at, p.updated_at`

func scanPlatform(row rowScanner) (Platform, error) {
	var p Platform
	var services string
	var created, updated sqldb.Time
	err := row.Scan(&p.ID, &p.InstitutionID, &p.InstitutionName, &p.Name, &p.Kind, &p.Level, &p.Domain, &p.ApprovedYear,
		&p.Summary, &services, &p.RegionCode, &p.visibility, &created, &updated)
	if err != nil {
		return Platform{}, err
	}
	p.CreatedAt, p.UpdatedAt = created.Time, updated.Time
	p.Services, err = splitJSON(services)
	return p, err
}

func getPlatform(ctx context.Context, q sqldb.Querier, id int64) (Platform, error) {
	return getOne(ctx, q, "platform", "SELECT "+platformColumns+
		" FROM platforms p JOIN institutions i ON i.id = p.institution_id WHERE p.id = ?", id, scanPlatform)
}

func (p Platform) auditView() map[string]any {
	return map[string]any{"institution_id": p.InstitutionID, "name": p.Name, "kind": p.Kind, "level": p.Level,
		"domain": p.Domain, "approved_year": p.ApprovedYear, "services": p.Services}
}

// CreatePlatform adds a platform to an institution. The institution's
// editors and staff in scope may.
func (s *Service) CreatePlatform(ctx context.Context, a account.Actor, institutionID int64, in PlatformInput) (Platform, error) {
	if err := in.Validate(s.ref, s.now()); err != nil {
		return Platform{}, err
	}
	var out Platform
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		inst, _, err := s.editInstitution(ctx, tx, a, institutionID, false)
		if err != nil {
			return err
		}
		now := sqldb.At(s.now())
		id, err := tx.InsertID(ctx, `INSERT INTO platforms (institution_id, name, kind, level, domain, approved_year, summary,
			services, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			institutionID, in.Name, in.Kind, in.Level, in.Domain, in.ApprovedYear, in.Summary, joinJSON(in.Services), now, now)
		if err != nil {
			return fmt.Errorf("insert platform: %w", err)
		}
		if out, err = getPlatform(ctx, tx, id); err != nil {
			return err
		}
		out.Perms = inst.Perms
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "platform.create", ObjectType: "platform",
			ObjectID: idText(id), RegionCode: inst.RegionCode, After: out.auditView()})
	})
	return out, err
}

// GetPlatform returns a platform whose institution the actor may see.
func (s *Service) GetPlatform(ctx context.Context, a account.Actor, id int64) (Platform, error) {
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return Platform{}, err
	}
	p, err := getPlatform(ctx, s.db, id)
	if err != nil {
		return Platform{}, err
	}
	if p, ok := p.view(v); ok {
		return p, nil
	}
	return Platform{}, notFound()
}

func (p Platform) view(v viewer) (Platform, bool) {
	p.Perms = institutionPerms(v, Institution{ID: p.InstitutionID, RegionCode: p.RegionCode})
	return p, canSee(v.Actor, p.visibility, p.RegionCode, p.Perms.Edit)
}

// FindPlatforms lists the platforms of institutions the actor may see that
// match f, by institution and name.
func (s *Service) FindPlatforms(ctx context.Context, a account.Actor, f PlatformFilter) ([]Platform, int, error) {
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return nil, 0, err
	}
	see, args := seeWhere(a, "i.", "i.id = ?", v.institution)
	where := []string{see}
	where, args = textWhere(where, args, f.Query, "p.name", "i.name")
	if f.Kind != "" {
		where, args = append(where, "p.kind = ?"), append(args, f.Kind)
	}
	if f.Level != "" {
		where, args = append(where, "p.level = ?"), append(args, f.Level)
	}
	// The domain is one value; as a list of one it filters like the others.
	where, args = domainWhere(where, args, "(',' || p.domain || ',')", f.Domain)
	if f.InstitutionID != 0 {
		where, args = append(where, "p.institution_id = ?"), append(args, f.InstitutionID)
	}
	where, args = regionWhere(where, args, "i.region_code", f.Region)
	list, total, err := findPage(ctx, s.db, "platforms", platformColumns, "platforms p JOIN institutions i ON i.id = p.institution_id",
		where, args, "i.name, p.name, p.id", f.Paging, scanPlatform)
	if err != nil {
		return nil, 0, err
	}
	return list, total, viewAll("platform", list, func(x Platform) (Platform, bool) { return x.view(v) })
}

// editPlatform loads a platform inside tx for a write by its institution's
// editors; NotFound for anyone else.
func (s *Service) editPlatform(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64) (Platform, error) {
	p, err := getPlatform(ctx, tx, id)
	if err != nil {
		return Platform{}, err
	}
	inst, _, err := s.editInstitution(ctx, tx, a, p.InstitutionID, false)
	if err != nil {
		return Platform{}, err
	}
	p.Perms = inst.Perms
	return p, nil
}

// UpdatePlatform replaces a platform's content. The institution's editors
// and staff in scope may.
func (s *Service) UpdatePlatform(ctx context.Context, a account.Actor, id int64, in PlatformInput) (Platform, error) {
	if err := in.Validate(s.ref, s.now()); err != nil {
		return Platform{}, err
	}
	var out Platform
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := s.editPlatform(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE platforms SET name = ?, kind = ?, level = ?, domain = ?, approved_year = ?,
			summary = ?, services = ?, updated_at = ? WHERE id = ?`, in.Name, in.Kind, in.Level, in.Domain, in.ApprovedYear,
			in.Summary, joinJSON(in.Services), sqldb.At(s.now()), id); err != nil {
			return fmt.Errorf("update platform %d: %w", id, err)
		}
		if out, err = getPlatform(ctx, tx, id); err != nil {
			return err
		}
		out.Perms = old.Perms
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "platform.update", ObjectType: "platform",
			ObjectID: idText(id), RegionCode: old.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// DeletePlatform removes a platform. The institution's editors and staff in
// scope may.
func (s *Service) DeletePlatform(ctx context.Context, a account.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := s.editPlatform(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM platforms WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete platform %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "platform.delete", ObjectType: "platform",
			ObjectID: idText(id), RegionCode: old.RegionCode, Before: old.auditView()})
	})
}
