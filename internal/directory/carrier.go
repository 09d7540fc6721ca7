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

// Carrier is an incubation carrier (孵化载体): 众创空间, 孵化器, 加速器,
// 科技园区 or 大学科技园, with the space it offers tenants. It lies in a
// county, whose staff manage it; its owner (the operator's account) edits
// it and its tenants.
type Carrier struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Kind         string     `json:"kind"`
	Level        string     `json:"level,omitempty"`
	Operator     string     `json:"operator,omitempty"` // 运营主体
	OperatorCode string     `json:"operator_code,omitempty"`
	Capacity     Space      `json:"capacity"`
	Opened       string     `json:"opened,omitempty"` // YYYY-MM-DD
	Summary      string     `json:"summary,omitempty"`
	Contact      Contact    `json:"contact"`
	RegionCode   string     `json:"region_code"`
	Visibility   Visibility `json:"visibility"`
	OwnerID      int64      `json:"owner_id,omitempty"`
	Perms        Perms      `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// CarrierInput is what creating or changing a carrier takes.
type CarrierInput struct {
	Name         string
	Kind         string
	Level        string
	Operator     string
	OperatorCode string
	// Capacity must be positive in the kind's measure (stations for a
	// 众创空间, area for the others).
	Capacity   Space
	Opened     string
	Summary    string
	Contact    Contact
	RegionCode string // a county
	Visibility Visibility
	OwnerID    int64 // set by staff: an enabled member account
}

// Validate normalizes the input and returns every bad field at once (the
// region and owner are checked against the database on write).
func (in *CarrierInput) Validate(ref *Reference, now time.Time) error {
	var c checker
	in.check(&c, ref, now)
	return c.err()
}

func (in *CarrierInput) check(c *checker, ref *Reference, now time.Time) {
	c.text("name", &in.Name, maxName, true)
	c.choice("kind", &in.Kind, kindChoices(ref), true)
	c.choice("level", &in.Level, ref.CarrierLevels, false)
	c.text("operator", &in.Operator, maxName, false)
	c.creditCode("operator_code", &in.OperatorCode)
	c.count("stations", in.Capacity.Stations, 1_000_000)
	c.count("rooms", in.Capacity.Rooms, 1_000_000)
	c.amount("area", in.Capacity.Area, false, 1e8)
	if k, ok := ref.CarrierKind(in.Kind); ok && in.Capacity.In(k.Measure) <= 0 {
		c.add(string(k.Measure), "directory.capacity_required")
	}
	c.date("opened", &in.Opened, false, now)
	c.text("summary", &in.Summary, maxSummary, false)
	in.Contact.check(c)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	c.visibility(&in.Visibility, VisiblePublic)
}

func kindChoices(ref *Reference) Choices {
	out := make(Choices, len(ref.CarrierKinds))
	for i, k := range ref.CarrierKinds {
		out[i] = k.Choice
	}
	return out
}

// CarrierFilter selects carriers. Zero fields do not filter.
type CarrierFilter struct {
	Query  string // part of the name or operator
	Kind   string
	Level  string
	Region string
	Paging
}

const carrierColumns = `id, name, kind, level, operator, operator_code, area, stations, rooms, opened, summary, contact_name,
	contact_phone, contact_email, region_code, visibility, COALESCE(owner_id, 0), created_at, updated_at`

func scanCarrier(r rowScanner) (Carrier, error) {
	var c Carrier
	var created, updated sqldb.Time
	err := r.Scan(&c.ID, &c.Name, &c.Kind, &c.Level, &c.Operator, &c.OperatorCode, &c.Capacity.Area, &c.Capacity.Stations,
		&c.Capacity.Rooms, &c.Opened, &c.Summary, &c.Contact.Name, &c.Contact.Phone, &c.Contact.Email, &c.RegionCode,
		&c.Visibility, &c.OwnerID, &created, &updated)
	c.CreatedAt, c.UpdatedAt = created.Time, updated.Time
	return c, err
}

func getCarrier(ctx context.Context, q sqldb.Querier, id int64) (Carrier, error) {
	return getOne(ctx, q, "carrier", "SELECT "+carrierColumns+" FROM carriers WHERE id = ?", id, scanCarrier)
}

func (c Carrier) view(a account.Actor) (Carrier, bool) {
	p, sees, contact, owner := ownedView(a, c.state())
	if !sees {
		return Carrier{}, false
	}
	c.Perms = p
	if !contact {
		c.Contact = Contact{}
	}
	if !owner {
		c.OwnerID = 0
	}
	return c, true
}

func (c Carrier) state() ownedState { return ownedState{c.RegionCode, c.Visibility, c.OwnerID} }

var carriers = ownedKind[Carrier]{object: "carrier", table: "carriers", county: true, get: getCarrier,
	state: Carrier.state, audit: Carrier.auditView}

func (c Carrier) auditView() map[string]any {
	return map[string]any{"name": c.Name, "kind": c.Kind, "level": c.Level, "operator": c.Operator,
		"operator_code": c.OperatorCode, "capacity": c.Capacity, "opened": c.Opened, "region_code": c.RegionCode,
		"visibility": c.Visibility, "owner_id": c.OwnerID, "contact_name": c.Contact.Name}
}

// carrierArgs are the stored columns of in, the contact's phone and e-mail
// sealed with k when the statement runs.
func carrierArgs(in CarrierInput, k *pii.Keyring) []any {
	return []any{in.Name, in.Kind, in.Level, in.Operator, in.OperatorCode, in.Capacity.Area, in.Capacity.Stations,
		in.Capacity.Rooms, in.Opened, in.Summary, in.Contact.Name, k.Value(carrierPhone, in.Contact.Phone), k.Value(carrierEmail, in.Contact.Email), in.RegionCode,
		string(in.Visibility), nullID(in.OwnerID)}
}

// CreateCarrier adds a carrier. Staff may, in a county of their scope.
func (s *Service) CreateCarrier(ctx context.Context, a account.Actor, in CarrierInput) (Carrier, error) {
	if !IsManager(a) {
		return Carrier{}, onlyManagers(a)
	}
	var out Carrier
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var c checker
		in.check(&c, s.ref, s.now())
		if err := s.checkOwned(ctx, tx, &c, a, carriers.county, nil, Perms{}, in.RegionCode, &in.OwnerID); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		var err error
		out, err = s.insertCarrier(ctx, tx, a, in)
		return err
	})
	return out, err
}

// insertCarrier stores a checked carrier in tx, the contact's phone and
// e-mail sealed, with its audit row; the form, the API and the import
// create carriers through it.
func (s *Service) insertCarrier(ctx context.Context, tx *sqldb.Tx, a account.Actor, in CarrierInput) (Carrier, error) {
	now := sqldb.At(s.now())
	id, err := tx.InsertID(ctx, `INSERT INTO carriers (name, kind, level, operator, operator_code, area, stations, rooms,
		opened, summary, contact_name, contact_phone, contact_email, region_code, visibility, owner_id, created_by,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append(carrierArgs(in, pii.From(tx)), a.UserID, now, now)...)
	if err != nil {
		return Carrier{}, fmt.Errorf("insert carrier: %w", err)
	}
	out, err := getCarrier(ctx, tx, id)
	if err != nil {
		return Carrier{}, err
	}
	out, _ = out.view(a)
	return out, audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "carrier.create", ObjectType: "carrier",
		ObjectID: idText(id), RegionCode: out.RegionCode, After: out.auditView()})
}

// GetCarrier returns a carrier the actor may see.
func (s *Service) GetCarrier(ctx context.Context, a account.Actor, id int64) (Carrier, error) {
	c, err := getCarrier(ctx, s.db, id)
	if err != nil {
		return Carrier{}, err
	}
	if c, ok := c.view(a); ok {
		return c, nil
	}
	return Carrier{}, notFound()
}

func carrierWhere(a account.Actor, f CarrierFilter) ([]string, []any) {
	see, args := seeWhere(a, "", "owner_id = ?", a.UserID)
	where := []string{see}
	where, args = textWhere(where, args, f.Query, "name", "operator")
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Level != "" {
		where, args = append(where, "level = ?"), append(args, f.Level)
	}
	return regionWhere(where, args, "region_code", f.Region)
}

// FindCarriers lists the carriers the actor may see that match f, by name.
func (s *Service) FindCarriers(ctx context.Context, a account.Actor, f CarrierFilter) ([]Carrier, int, error) {
	where, args := carrierWhere(a, f)
	list, total, err := findPage(ctx, s.db, "carriers", carrierColumns, "carriers", where, args, "name, id", f.Paging, scanCarrier)
	if err != nil {
		return nil, 0, err
	}
	return list, total, viewAll("carrier", list, func(x Carrier) (Carrier, bool) { return x.view(a) })
}

// UpdateCarrier replaces a carrier's profile. Its owner and the staff of its
// county (or city) may; only staff change the owner or move it.
func (s *Service) UpdateCarrier(ctx context.Context, a account.Actor, id int64, in CarrierInput) (Carrier, error) {
	var out Carrier
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, p, err := carriers.edit(ctx, tx, a, id, false)
		if err != nil {
			return err
		}
		keep(&in.RegionCode, &in.Visibility, old.RegionCode, old.Visibility)
		var c checker
		in.check(&c, s.ref, s.now())
		st := old.state()
		if err := s.checkOwned(ctx, tx, &c, a, carriers.county, &st, p, in.RegionCode, &in.OwnerID); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE carriers SET name = ?, kind = ?, level = ?, operator = ?, operator_code = ?,
			area = ?, stations = ?, rooms = ?, opened = ?, summary = ?, contact_name = ?, contact_phone = ?, contact_email = ?,
			region_code = ?, visibility = ?, owner_id = ?, updated_at = ? WHERE id = ?`,
			append(carrierArgs(in, pii.From(tx)), sqldb.At(s.now()), id)...); err != nil {
			return fmt.Errorf("update carrier %d: %w", id, err)
		}
		if out, err = getCarrier(ctx, tx, id); err != nil {
			return err
		}
		out, _ = out.view(a)
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "carrier.update", ObjectType: "carrier",
			ObjectID: idText(id), RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// DeleteCarrier removes a carrier with its tenants. Staff in scope may.
func (s *Service) DeleteCarrier(ctx context.Context, a account.Actor, id int64) error {
	return carriers.remove(ctx, s.db, a, id)
}

// linkEnterprise resolves a credit code through the registry, before any
// transaction opens (the registry reads on its own connection): the
// registry id when the registry has the enterprise, 0 when it does not or
// there is no registry, and a field error for a code the registry calls
// wrong. An empty name is filled from the registry.
func (s *Service) linkEnterprise(ctx context.Context, c *checker, field, code string, name *string) (int64, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" || s.cfg.Registry == nil || !creditCodeRE.MatchString(code) {
		return 0, nil
	}
	ref, err := s.cfg.Registry.LookupEnterprise(ctx, code)
	switch {
	case apperr.Is(err, apperr.NotFound):
		return 0, nil
	case apperr.Is(err, apperr.Invalid):
		c.add(field, "directory.credit_code_invalid")
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("look up enterprise %s: %w", code, err)
	}
	if strings.TrimSpace(*name) == "" {
		*name = ref.Name
	}
	return ref.ID, nil
}
