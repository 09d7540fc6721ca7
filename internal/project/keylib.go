package project

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
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// KeyTag is the registry tag that puts an enterprise in the key-enterprise
// library by hand.
const KeyTag = "重点企业"

// KeyCriteria are the registry conditions of a saved key-enterprise
// filter; zero fields do not filter.
type KeyCriteria struct {
	Query    string `json:"query,omitempty"`
	Region   string `json:"region,omitempty"`
	Tier     string `json:"tier,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Industry string `json:"industry,omitempty"`
	Tag      string `json:"tag,omitempty"`
	// NearRuleSet and NearGaps: close to a rule set (e.g. high-tech, ≤ 2 gaps).
	NearRuleSet string `json:"near_rule_set,omitempty"`
	NearGaps    int    `json:"near_gaps,omitempty"`
}

// KeyFilter is a saved definition of the key-enterprise library
// (重点企业库): a view of the registry, never a copy.
type KeyFilter struct {
	ID         int64       `json:"id"`
	RegionCode string      `json:"region_code"`
	Name       string      `json:"name"`
	Criteria   KeyCriteria `json:"criteria"`
	CreatedBy  int64       `json:"created_by,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// KeyFilterInput saves a filter.
type KeyFilterInput struct {
	RegionCode string      `json:"region_code"`
	Name       string      `json:"name"`
	Criteria   KeyCriteria `json:"criteria"`
}

// DefaultKeyFilter is the library when no filter is saved: the
// enterprises tagged KeyTag.
var DefaultKeyFilter = KeyFilter{Name: KeyTag, Criteria: KeyCriteria{Tag: KeyTag}}

func (in *KeyFilterInput) validate() error {
	var c collect
	in.RegionCode, in.Name = strings.TrimSpace(in.RegionCode), strings.Join(strings.Fields(in.Name), " ")
	if !region.ValidCode(in.RegionCode) {
		c.field("region_code", "region.code_format")
	}
	switch {
	case in.Name == "":
		c.field("name", "error.required")
	case utf8.RuneCountInString(in.Name) > 32 || htmlTag.MatchString(in.Name):
		c.field("name", "error.too_long", 32)
	}
	k := &in.Criteria
	k.Query, k.Region, k.Tier, k.Domain = strings.TrimSpace(k.Query), strings.TrimSpace(k.Region), strings.TrimSpace(k.Tier), strings.TrimSpace(k.Domain)
	k.Industry, k.Tag, k.NearRuleSet = strings.TrimSpace(k.Industry), strings.TrimSpace(k.Tag), strings.TrimSpace(k.NearRuleSet)
	if k.Region != "" && !region.ValidCode(k.Region) {
		c.field("criteria", "region.code_format")
	}
	if *k == (KeyCriteria{NearGaps: k.NearGaps}) {
		c.field("criteria", "project.criteria_empty")
	}
	if k.NearGaps < 0 || k.NearGaps > 10 {
		c.field("criteria", "project.near_gaps_range", 10)
	}
	return c.err()
}

// checkKeyCriteria refuses a tier or rule set the registry does not know:
// a saved filter on a misspelt tier would list nobody, silently.
func (s *Service) checkKeyCriteria(k KeyCriteria) error {
	if k.Tier != "" && !slices.Contains(cultivation.Tiers, k.Tier) {
		return apperr.Fields(apperr.Field("criteria", "project.criteria_tier_unknown"))
	}
	if k.NearRuleSet != "" && !slices.Contains(s.registry.Rules().IDs(), k.NearRuleSet) {
		return apperr.Fields(apperr.Field("criteria", "project.criteria_rule_set_unknown"))
	}
	return nil
}

// CanManageKeyLibrary reports whether the actor may save key-enterprise
// filters and put enterprises into the library by hand (in its scope).
func CanManageKeyLibrary(a account.Actor) bool { return isGov(a) }

// readsKeyFilter reports whether the actor sees the filter: filters of its
// scope and, for staff, those of the city and province above it.
func readsKeyFilter(a account.Actor, f KeyFilter) bool {
	return readsRegion(a, f.RegionCode) || (isGov(a) && region.Contains(f.RegionCode, a.Region))
}

func scanKeyFilter(row interface{ Scan(...any) error }) (KeyFilter, error) {
	var f KeyFilter
	var criteria string
	var created, updated sqldb.Time
	if err := row.Scan(&f.ID, &f.RegionCode, &f.Name, &criteria, &f.CreatedBy, &created, &updated); err != nil {
		return KeyFilter{}, err
	}
	if err := json.Unmarshal([]byte(criteria), &f.Criteria); err != nil {
		return KeyFilter{}, fmt.Errorf("key filter %d: %w", f.ID, err)
	}
	f.CreatedAt, f.UpdatedAt = created.Time, updated.Time
	return f, nil
}

const keyFilterColumns = "id, region_code, name, filter, COALESCE(created_by, 0), created_at, updated_at"

func getKeyFilter(ctx context.Context, q sqldb.Querier, id int64) (KeyFilter, error) {
	f, err := scanKeyFilter(q.QueryRowContext(ctx, "SELECT "+keyFilterColumns+" FROM key_filters WHERE id = ?", id))
	if sqldb.IsNoRows(err) {
		return KeyFilter{}, apperr.New(apperr.NotFound, "project.key_filter_not_found")
	}
	if err != nil {
		return KeyFilter{}, fmt.Errorf("get key filter %d: %w", id, err)
	}
	return f, nil
}

// SaveKeyFilter creates (id 0) or replaces a saved filter of a region in
// the actor's scope. A second filter of the same name in the region is
// Invalid on name.
func (s *Service) SaveKeyFilter(ctx context.Context, a account.Actor, id int64, in KeyFilterInput) (KeyFilter, error) {
	if !isGov(a) {
		return KeyFilter{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	if err := in.validate(); err != nil {
		return KeyFilter{}, err
	}
	if err := s.checkKeyCriteria(in.Criteria); err != nil {
		return KeyFilter{}, err
	}
	if !managesRegion(a, in.RegionCode) {
		return KeyFilter{}, apperr.Fields(apperr.Field("region_code", "project.region_outside_scope"))
	}
	criteria, err := marshal(in.Criteria)
	if err != nil {
		return KeyFilter{}, err
	}
	var out KeyFilter
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := sqldb.At(s.now())
		var before any
		if id == 0 {
			id, err = tx.InsertID(ctx, `INSERT INTO key_filters (region_code, name, filter, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, in.RegionCode, in.Name, criteria, a.UserID, now, now)
		} else {
			var old KeyFilter
			old, err = getKeyFilter(ctx, tx, id)
			if err != nil {
				return err
			}
			if !readsKeyFilter(a, old) {
				return apperr.New(apperr.NotFound, "project.key_filter_not_found")
			}
			if !managesRegion(a, old.RegionCode) {
				return apperr.New(apperr.Forbidden, "project.only_staff")
			}
			before = old
			_, err = tx.ExecContext(ctx, "UPDATE key_filters SET region_code = ?, name = ?, filter = ?, updated_at = ? WHERE id = ?",
				in.RegionCode, in.Name, criteria, now, id)
		}
		if apperr.Is(err, apperr.Conflict) {
			return apperr.Fields(apperr.Field("name", "project.key_filter_name_taken"))
		}
		if err != nil {
			return err
		}
		if out, err = getKeyFilter(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "key_filter.save", ObjectType: "key_filter", ObjectID: idText(id),
			RegionCode: in.RegionCode, Before: before, After: out})
	})
	return out, err
}

// DeleteKeyFilter removes a saved filter of a region in the actor's scope.
func (s *Service) DeleteKeyFilter(ctx context.Context, a account.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := getKeyFilter(ctx, tx, id)
		if err != nil {
			return err
		}
		if !readsKeyFilter(a, old) {
			return apperr.New(apperr.NotFound, "project.key_filter_not_found")
		}
		if !managesRegion(a, old.RegionCode) {
			return apperr.New(apperr.Forbidden, "project.only_staff")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM key_filters WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "key_filter.delete", ObjectType: "key_filter", ObjectID: idText(id),
			RegionCode: old.RegionCode, Before: old})
	})
}

// KeyFilters lists the saved filters the actor sees, by region and name.
// With none saved, pages offer DefaultKeyFilter.
func (s *Service) KeyFilters(ctx context.Context, a account.Actor) ([]KeyFilter, error) {
	if !CanViewModule(a) {
		return nil, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	vis := []string{"region_code LIKE ?"}
	args := []any{scopeLike(a)}
	if isGov(a) {
		for _, up := range ancestors(a.Region) {
			vis, args = append(vis, "region_code = ?"), append(args, up)
		}
	}
	out, err := queryAll(ctx, s.db, scanKeyFilter, "SELECT "+keyFilterColumns+" FROM key_filters WHERE "+strings.Join(vis, " OR ")+
		" ORDER BY region_code, name", args...)
	if err != nil {
		return nil, fmt.Errorf("key filters: %w", err)
	}
	return out, nil
}

// KeyEnterprises returns the page of the key-enterprise library the saved
// filter id defines (0: DefaultKeyFilter), as the registry lists it: only
// enterprises the actor may see, inside the filter's region.
func (s *Service) KeyEnterprises(ctx context.Context, a account.Actor, id int64, page, perPage int) ([]cultivation.Enterprise, int, error) {
	if !CanViewModule(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	f := DefaultKeyFilter
	if id != 0 {
		var err error
		if f, err = getKeyFilter(ctx, s.db, id); err != nil {
			return nil, 0, err
		}
		if !readsKeyFilter(a, f) {
			return nil, 0, apperr.New(apperr.NotFound, "project.key_filter_not_found")
		}
	}
	k := f.Criteria
	reg := k.Region
	if reg == "" || !region.Contains(f.RegionCode, reg) {
		reg = f.RegionCode
	}
	return s.registry.FindEnterprises(ctx, a, cultivation.EnterpriseFilter{Query: k.Query, Region: reg, Tier: k.Tier,
		Domain: k.Domain, Industry: k.Industry, Tag: k.Tag, NearRuleSet: k.NearRuleSet, NearGaps: k.NearGaps,
		Page: page, PerPage: perPage})
}

// SetKeyEnterprise puts a registry enterprise into the key-enterprise
// library by hand (on) or takes it out, as the registry tag KeyTag. Staff
// in the enterprise's scope may.
func (s *Service) SetKeyEnterprise(ctx context.Context, a account.Actor, enterpriseID int64, on bool) (cultivation.Enterprise, error) {
	return s.registry.SetEnterpriseTag(ctx, a, enterpriseID, KeyTag, on)
}
