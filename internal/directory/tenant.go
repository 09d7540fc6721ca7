package directory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// ExitGraduated is the exit reason of a tenant that graduated (毕业).
const ExitGraduated = "graduated"

// Tenant is an enterprise or start-up team in a carrier (在孵企业), from
// the day it entered to the day it exited, with the space it occupies. It
// is linked to the registry by credit code when it has one; EnterpriseID
// is the registry's id when the registry knew the code when the tenant was
// saved.
type Tenant struct {
	ID           int64  `json:"id"`
	CarrierID    int64  `json:"carrier_id"`
	Name         string `json:"name"`
	CreditCode   string `json:"credit_code,omitempty"`
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
	Entered      string `json:"entered"`          // YYYY-MM-DD, first day in
	Exited       string `json:"exited,omitempty"` // first day out
	ExitReason   string `json:"exit_reason,omitempty"`
	// NextKind is the kind of carrier it moved on to (the next stage of
	// the chain), NextCarrierID the carrier when it is in the directory.
	NextKind      string    `json:"next_kind,omitempty"`
	NextCarrierID int64     `json:"next_carrier_id,omitempty"`
	Space         Space     `json:"space"`
	Note          string    `json:"note,omitempty"`
	Perms         Perms     `json:"-"`
	CreatedAt     time.Time `json:"created_at,omitzero"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
}

// Graduated reports whether the tenant left as a graduate.
func (t Tenant) Graduated() bool { return t.ExitReason == ExitGraduated }

// Stay returns the tenant's stay for the arithmetic.
func (t Tenant) Stay() Stay {
	s := Stay{Graduated: t.Graduated(), Space: t.Space}
	s.Entered, _ = time.Parse(dateLayout, t.Entered)
	if t.Exited != "" {
		s.Exited, _ = time.Parse(dateLayout, t.Exited)
	}
	return s
}

// TenantInput is what adding or changing a tenant takes. Recording an exit
// is an update with Exited and ExitReason set.
type TenantInput struct {
	Name          string // may be empty when the registry knows the credit code
	CreditCode    string // empty for a team not yet incorporated
	Entered       string
	Exited        string
	ExitReason    string
	NextKind      string
	NextCarrierID int64
	Space         Space
	Note          string
}

// TenantFilter selects a carrier's tenants. Visitors who do not edit the
// carrier see current tenants only, whatever Current says.
type TenantFilter struct {
	Query   string // part of the name or credit code
	Current bool   // only tenants in today
	Paging
}

const tenantColumns = `id, carrier_id, name, credit_code, enterprise_id, entered, exited, exit_reason, next_kind,
	COALESCE(next_carrier_id, 0), stations, rooms, area, note, created_at, updated_at`

func scanTenant(r rowScanner) (Tenant, error) {
	var t Tenant
	var created, updated sqldb.Time
	err := r.Scan(&t.ID, &t.CarrierID, &t.Name, &t.CreditCode, &t.EnterpriseID, &t.Entered, &t.Exited, &t.ExitReason,
		&t.NextKind, &t.NextCarrierID, &t.Space.Stations, &t.Space.Rooms, &t.Space.Area, &t.Note, &created, &updated)
	t.CreatedAt, t.UpdatedAt = created.Time, updated.Time
	return t, err
}

func getTenant(ctx context.Context, q sqldb.Querier, id int64) (Tenant, error) {
	return getOne(ctx, q, "tenant", "SELECT "+tenantColumns+" FROM carrier_tenants WHERE id = ?", id, scanTenant)
}

// public is what visitors see of a current tenant: who it is and since
// when.
func (t Tenant) public() Tenant {
	return Tenant{ID: t.ID, CarrierID: t.CarrierID, Name: t.Name, CreditCode: t.CreditCode, EnterpriseID: t.EnterpriseID,
		Entered: t.Entered}
}

func (t Tenant) auditView() map[string]any {
	return map[string]any{"carrier_id": t.CarrierID, "name": t.Name, "credit_code": t.CreditCode,
		"enterprise_id": t.EnterpriseID, "entered": t.Entered, "exited": t.Exited, "exit_reason": t.ExitReason,
		"next_kind": t.NextKind, "next_carrier_id": t.NextCarrierID, "space": t.Space}
}

// checkTenant validates a tenant of carrier c: dates in order and not in
// the future, an exit reason exactly when exited, a next stage only after
// an exit and above the carrier's stage for a graduate, space within the
// carrier's capacity.
func (s *Service) checkTenant(ctx context.Context, q sqldb.Querier, ck *checker, c Carrier, in *TenantInput, now time.Time) error {
	ck.text("name", &in.Name, maxName, true)
	ck.creditCode("credit_code", &in.CreditCode)
	entered := ck.date("entered", &in.Entered, true, now)
	exited := ck.date("exited", &in.Exited, false, now)
	if !entered.IsZero() && !exited.IsZero() && !exited.After(entered) {
		ck.add("exited", "directory.exit_before_entry")
	}
	ck.choice("exit_reason", &in.ExitReason, s.ref.ExitReasons, in.Exited != "")
	if in.Exited == "" && in.ExitReason != "" {
		ck.add("exit_reason", "directory.exit_reason_without_exit")
	}
	ck.choice("next_kind", &in.NextKind, kindChoices(s.ref), false)
	if (in.NextKind != "" || in.NextCarrierID != 0) && in.Exited == "" {
		ck.add("next_kind", "directory.next_without_exit")
	}
	if in.NextCarrierID != 0 {
		next, err := getCarrier(ctx, q, in.NextCarrierID)
		switch {
		case err != nil && !apperr.Is(err, apperr.NotFound):
			return err
		case err != nil || next.ID == c.ID:
			ck.add("next_carrier_id", "directory.next_carrier_unknown")
		case in.NextKind == "":
			in.NextKind = next.Kind
		case in.NextKind != next.Kind:
			ck.add("next_kind", "directory.next_kind_mismatch")
		}
	}
	here, _ := s.ref.CarrierKind(c.Kind)
	if next, ok := s.ref.CarrierKind(in.NextKind); ok && in.ExitReason == ExitGraduated && next.Stage <= here.Stage {
		ck.add("next_kind", "directory.next_stage_lower")
	}
	ck.count("stations", in.Space.Stations, c.Capacity.Stations)
	ck.count("rooms", in.Space.Rooms, c.Capacity.Rooms)
	if in.Space.Area > c.Capacity.Area {
		ck.add("area", "directory.amount_too_large", c.Capacity.Area)
	} else {
		ck.amount("area", in.Space.Area, false, 1e8)
	}
	if in.Space == (Space{}) {
		ck.add(string(here.Measure), "directory.tenant_space_required")
	}
	ck.text("note", &in.Note, maxSummary, false)
	return nil
}

func tenantArgs(in TenantInput, enterpriseID int64) []any {
	return []any{in.Name, in.CreditCode, enterpriseID, in.Entered, in.Exited, in.ExitReason, in.NextKind,
		nullID(in.NextCarrierID), in.Space.Stations, in.Space.Rooms, in.Space.Area, in.Note}
}

// AddTenant adds a tenant to a carrier. The carrier's owner and staff in
// scope may. A credit code the registry knows links the tenant to the
// registry enterprise (and fills an empty name).
func (s *Service) AddTenant(ctx context.Context, a account.Actor, carrierID int64, in TenantInput) (Tenant, error) {
	var c checker
	enterpriseID, err := s.linkEnterprise(ctx, &c, "credit_code", in.CreditCode, &in.Name)
	if err != nil {
		return Tenant{}, err
	}
	var out Tenant
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		carrier, p, err := carriers.edit(ctx, tx, a, carrierID, false)
		if err != nil {
			return err
		}
		carrier.Perms = p
		now := s.now()
		if err := s.checkTenant(ctx, tx, &c, carrier, &in, now); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO carrier_tenants (carrier_id, name, credit_code, enterprise_id, entered, exited,
			exit_reason, next_kind, next_carrier_id, stations, rooms, area, note, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append(append([]any{carrierID}, tenantArgs(in, enterpriseID)...), sqldb.At(now), sqldb.At(now))...)
		if err != nil {
			return fmt.Errorf("insert tenant: %w", err)
		}
		if out, err = getTenant(ctx, tx, id); err != nil {
			return err
		}
		out.Perms = carrier.Perms
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "tenant.create", ObjectType: "carrier",
			ObjectID: idText(carrierID), RegionCode: carrier.RegionCode, After: out.auditView()})
	})
	return out, err
}

// editTenant loads a tenant and its carrier inside tx for a write by the
// carrier's editors.
func editTenant(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64) (Tenant, Carrier, error) {
	t, err := getTenant(ctx, tx, id)
	if err != nil {
		return Tenant{}, Carrier{}, err
	}
	c, p, err := carriers.edit(ctx, tx, a, t.CarrierID, false)
	if err != nil {
		return Tenant{}, Carrier{}, err
	}
	c.Perms = p
	t.Perms = c.Perms
	return t, c, nil
}

// UpdateTenant replaces a tenant's record, e.g. to record its exit or
// graduation and the stage it moves to. The carrier's owner and staff in
// scope may.
func (s *Service) UpdateTenant(ctx context.Context, a account.Actor, id int64, in TenantInput) (Tenant, error) {
	var c checker
	enterpriseID, err := s.linkEnterprise(ctx, &c, "credit_code", in.CreditCode, &in.Name)
	if err != nil {
		return Tenant{}, err
	}
	var out Tenant
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, carrier, err := editTenant(ctx, tx, a, id)
		if err != nil {
			return err
		}
		now := s.now()
		if err := s.checkTenant(ctx, tx, &c, carrier, &in, now); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE carrier_tenants SET name = ?, credit_code = ?, enterprise_id = ?, entered = ?,
			exited = ?, exit_reason = ?, next_kind = ?, next_carrier_id = ?, stations = ?, rooms = ?, area = ?, note = ?,
			updated_at = ? WHERE id = ?`, append(tenantArgs(in, enterpriseID), sqldb.At(now), id)...); err != nil {
			return fmt.Errorf("update tenant %d: %w", id, err)
		}
		if out, err = getTenant(ctx, tx, id); err != nil {
			return err
		}
		out.Perms = carrier.Perms
		action := "tenant.update"
		if old.Exited == "" && out.Exited != "" {
			action = "tenant.exit"
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: action, ObjectType: "carrier",
			ObjectID: idText(carrier.ID), RegionCode: carrier.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// DeleteTenant removes a tenant entered by mistake (an exit is recorded
// with UpdateTenant). The carrier's owner and staff in scope may.
func (s *Service) DeleteTenant(ctx context.Context, a account.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, carrier, err := editTenant(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM carrier_tenants WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete tenant %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "tenant.delete", ObjectType: "carrier",
			ObjectID: idText(carrier.ID), RegionCode: carrier.RegionCode, Before: old.auditView()})
	})
}

// FindTenants lists a carrier's tenants, newest entry first. Its editors
// and staff in scope see every tenant in full; others who may see the
// carrier see the current tenants' names and entry dates.
func (s *Service) FindTenants(ctx context.Context, a account.Actor, carrierID int64, f TenantFilter) ([]Tenant, int, error) {
	c, err := s.GetCarrier(ctx, a, carrierID)
	if err != nil {
		return nil, 0, err
	}
	full := c.Perms.Edit || seesAll(a, c.RegionCode)
	where, args := []string{"carrier_id = ?"}, []any{carrierID}
	where, args = textWhere(where, args, f.Query, "name", "credit_code")
	if f.Current || !full {
		today := day(s.now()).Format(dateLayout)
		where, args = append(where, "entered <= ? AND (exited = '' OR exited > ?)"), append(args, today, today)
	}
	list, total, err := findPage(ctx, s.db, "tenants", tenantColumns, "carrier_tenants", where, args, "entered DESC, id DESC",
		f.Paging, scanTenant)
	if err != nil {
		return nil, 0, err
	}
	for k, t := range list {
		if full {
			list[k].Perms = c.Perms
		} else {
			list[k] = t.public()
		}
	}
	return list, total, nil
}

// StatsFilter selects the carriers and the dates of CarrierStats.
type StatsFilter struct {
	Region    string // region prefix
	Kind      string
	CarrierID int64 // one carrier only
	// At is the day occupancy is measured on (default today); [From, To)
	// the period of entries, exits and graduations (default: the calendar
	// year up to and including At).
	At, From, To time.Time
}

// CarrierRate is one carrier's rates.
type CarrierRate struct {
	CarrierID  int64   `json:"carrier_id"`
	Name       string  `json:"name"`
	Kind       string  `json:"kind"`
	Stage      int     `json:"stage"`
	Measure    Measure `json:"measure"` // the kind's headline measure
	RegionCode string  `json:"region_code"`
	Rates
}

// RateRow is the pooled rates of a group of carriers: a county (Stage 0),
// a stage of the chain (Region ""), or a county's stage.
type RateRow struct {
	Region string `json:"region_code,omitempty"`
	Stage  int    `json:"stage,omitempty"`
	Rates
}

// CarrierStats is the occupancy and graduation of the carriers the actor
// may see, per carrier, county, stage and county × stage, with the moves
// along the chain.
type CarrierStats struct {
	At            time.Time     `json:"at"`
	From          time.Time     `json:"from"`
	To            time.Time     `json:"to"`
	Carriers      []CarrierRate `json:"carriers"`
	ByCounty      []RateRow     `json:"by_county"`
	ByStage       []RateRow     `json:"by_stage"`
	ByCountyStage []RateRow     `json:"by_county_stage"`
	Total         Rates         `json:"total"`
	Flows         []Flow        `json:"flows"`
}

func (f *StatsFilter) defaults(now time.Time) {
	if f.At.IsZero() {
		f.At = now
	}
	f.At = day(f.At)
	if f.From.IsZero() {
		f.From = time.Date(f.At.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if f.To.IsZero() {
		f.To = f.At.AddDate(0, 0, 1)
	}
	f.From, f.To = day(f.From), day(f.To)
}

// CarrierRates returns one carrier's rates on day at and over [from, to)
// (zero dates take StatsFilter's defaults). Anyone who may see the carrier
// may read them.
func (s *Service) CarrierRates(ctx context.Context, a account.Actor, carrierID int64, at, from, to time.Time) (CarrierRate, error) {
	st, err := s.CarrierStats(ctx, a, StatsFilter{CarrierID: carrierID, At: at, From: from, To: to})
	if err != nil {
		return CarrierRate{}, err
	}
	if len(st.Carriers) != 1 {
		return CarrierRate{}, notFound()
	}
	return st.Carriers[0], nil
}

// CarrierStats computes the rates of the carriers the actor may see that
// match f.
func (s *Service) CarrierStats(ctx context.Context, a account.Actor, f StatsFilter) (CarrierStats, error) {
	f.defaults(s.now())
	where, args := carrierWhere(a, CarrierFilter{Region: f.Region, Kind: f.Kind})
	if f.CarrierID != 0 {
		where, args = append(where, "id = ?"), append(args, f.CarrierID)
	}
	cond := strings.Join(where, " AND ")
	carriers, err := queryAll(ctx, s.db, "carriers for statistics", "SELECT "+carrierColumns+" FROM carriers WHERE "+cond+
		" ORDER BY region_code, id", args, scanCarrier)
	if err != nil {
		return CarrierStats{}, err
	}
	tenants, err := queryAll(ctx, s.db, "tenants for statistics", "SELECT "+tenantColumns+
		" FROM carrier_tenants WHERE carrier_id IN (SELECT id FROM carriers WHERE "+cond+")", args, scanTenant)
	if err != nil {
		return CarrierStats{}, err
	}
	stays := map[int64][]Stay{}
	kindOf := map[int64]string{}
	for _, c := range carriers {
		kindOf[c.ID] = c.Kind
	}
	var moves []Move
	for _, t := range tenants {
		st := t.Stay()
		stays[t.CarrierID] = append(stays[t.CarrierID], st)
		moves = append(moves, Move{From: kindOf[t.CarrierID], To: t.NextKind, Exited: st.Exited, Graduated: st.Graduated})
	}
	out := CarrierStats{At: f.At, From: f.From, To: f.To, Carriers: []CarrierRate{}, Flows: Flows(moves, f.From, f.To)}
	type countyStage struct {
		region string
		stage  int
	}
	counties, stages, both := map[string]Rates{}, map[int]Rates{}, map[countyStage]Rates{}
	for _, c := range carriers {
		k, _ := s.ref.CarrierKind(c.Kind)
		r := CarrierRates(c.Capacity, stays[c.ID], f.At, f.From, f.To)
		out.Carriers = append(out.Carriers, CarrierRate{CarrierID: c.ID, Name: c.Name, Kind: c.Kind, Stage: k.Stage,
			Measure: k.Measure, RegionCode: c.RegionCode, Rates: r})
		counties[c.RegionCode] = counties[c.RegionCode].Add(r)
		stages[k.Stage] = stages[k.Stage].Add(r)
		key := countyStage{c.RegionCode, k.Stage}
		both[key] = both[key].Add(r)
		out.Total = out.Total.Add(r)
	}
	for code, r := range counties {
		out.ByCounty = append(out.ByCounty, RateRow{Region: code, Rates: r})
	}
	for stage, r := range stages {
		out.ByStage = append(out.ByStage, RateRow{Stage: stage, Rates: r})
	}
	for key, r := range both {
		out.ByCountyStage = append(out.ByCountyStage, RateRow{Region: key.region, Stage: key.stage, Rates: r})
	}
	byKey := func(a, b RateRow) int { return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Stage, b.Stage)) }
	slices.SortFunc(out.ByCounty, byKey)
	slices.SortFunc(out.ByStage, byKey)
	slices.SortFunc(out.ByCountyStage, byKey)
	return out, nil
}
