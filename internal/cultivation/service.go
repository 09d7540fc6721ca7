package cultivation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// Service owns the enterprise registry, assessments, the cultivation pool
// and county targets. Every method takes the acting user and keeps to its
// region: county staff see their county, bureau staff their city, an
// enterprise user only its own linked enterprise. A record outside that
// scope is apperr.NotFound.
type Service struct {
	db      *sqldb.DB
	rules   *RuleBook
	now     func() time.Time
	imports *enterpriseImporter
	// policies are the 惠企政策 (UsePolicies); nil until the wiring sets them.
	policies *PolicyBook
	// behindMargin is how far, in percentage points, a county may trail
	// the linear schedule before it counts as behind.
	behindMargin float64
}

// NewService returns a Service; now may be nil for time.Now.
func NewService(db *sqldb.DB, rules *RuleBook, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{db: db, rules: rules, now: now, behindMargin: DefaultBehindMargin}
	s.imports = newImporter(s)
	return s
}

// Rules returns the loaded rule sets.
func (s *Service) Rules() *RuleBook { return s.rules }

// canManage reports whether the actor may create and edit registry records
// in regionCode: bureau and county staff inside their region.
func canManage(a account.Actor, regionCode string) bool {
	return isStaff(a) && a.InScope(regionCode)
}

// canRead reports whether the actor may see the enterprise.
func canRead(a account.Actor, e Enterprise) bool {
	switch a.Role {
	case account.RoleAdmin, account.RoleStaff, account.RoleCounty:
		return a.InScope(e.RegionCode)
	case account.RoleEnterprise:
		return e.AccountID != 0 && e.AccountID == a.UserID
	}
	return false
}

func readsRegistry(a account.Actor) bool {
	switch a.Role {
	case account.RoleAdmin, account.RoleStaff, account.RoleCounty, account.RoleEnterprise:
		return true
	}
	return false
}

// oversees reports whether the actor follows the region's cultivation as a
// whole (the pool, the county targets, the assessment report): the
// administrator and bureau and county staff.
func oversees(a account.Actor) bool {
	switch a.Role {
	case account.RoleAdmin, account.RoleStaff, account.RoleCounty:
		return true
	}
	return false
}

// isStaff reports whether the actor works on the registry: bureau and
// county staff, each inside its region.
func isStaff(a account.Actor) bool {
	return a.Role == account.RoleStaff || a.Role == account.RoleCounty
}

// The predicates below tell pages what to offer. Each is the rule the
// matching method enforces, so a page never shows a link or a button that
// answers Forbidden.

// CanViewRegistry reports whether the actor may open the registry
// (FindEnterprises): the administrator, staff, and an enterprise (its own
// firm only).
func (s *Service) CanViewRegistry(a account.Actor) bool { return readsRegistry(a) }

// CanManageEnterprises reports whether the actor adds and edits registry
// records at all (CreateEnterprise, UpdateEnterprise inside its region).
func (s *Service) CanManageEnterprises(a account.Actor) bool { return isStaff(a) }

// CanManageEnterprise reports whether the actor may edit e, assess it and
// confirm its tier.
func (s *Service) CanManageEnterprise(a account.Actor, e Enterprise) bool {
	return canManage(a, e.RegionCode)
}

// CanFillYears reports whether the actor may enter e's yearly indicators
// (PutYear): its staff, and the enterprise's own account.
func (s *Service) CanFillYears(a account.Actor, e Enterprise) bool {
	return canManage(a, e.RegionCode) || (a.Role == account.RoleEnterprise && canRead(a, e))
}

// CanImport reports whether the actor may import enterprises
// (AuthorizeImport).
func (s *Service) CanImport(a account.Actor) bool { return AuthorizeImport(a) == nil }

// CanViewPool reports whether the actor may open the pool board (PoolBoard).
func (s *Service) CanViewPool(a account.Actor) bool { return oversees(a) }

// CanViewTargets reports whether the actor may follow the county targets
// (TargetProgress).
func (s *Service) CanViewTargets(a account.Actor) bool { return oversees(a) }

// CanSetTargets reports whether the actor may set county targets
// (SetTarget): bureau staff only.
func (s *Service) CanSetTargets(a account.Actor) bool { return a.Role == account.RoleStaff }

// CanExportReport reports whether the actor may download the assessment
// report (ExportAssessmentReport).
func (s *Service) CanExportReport(a account.Actor) bool { return oversees(a) }

func (e Enterprise) auditView() map[string]any {
	return map[string]any{"credit_code": e.CreditCode, "name": e.Name, "region_code": e.RegionCode, "industry": e.Industry,
		"domain": e.Domain, "founded": dateText(e.Founded), "listed": e.Listed, "tags": e.Tags, "account_id": e.AccountID,
		"certificates": e.Certificates}
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }

// CreateEnterprise adds an enterprise to the registry. Staff may add
// enterprises only inside their region; a duplicate credit code is an
// Invalid error on that field.
func (s *Service) CreateEnterprise(ctx context.Context, a account.Actor, e Enterprise) (Enterprise, error) {
	if err := e.Validate(); err != nil {
		return Enterprise{}, err
	}
	if !canManage(a, e.RegionCode) {
		if isStaff(a) {
			return Enterprise{}, apperr.Fields(apperr.Field("region_code", "cultivation.region_outside_scope"))
		}
		return Enterprise{}, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	var out Enterprise
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		id, err := insertEnterprise(ctx, tx, e, s.now())
		if err != nil {
			return err
		}
		if out, err = getEnterprise(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "enterprise.create", ObjectType: "enterprise",
			ObjectName: out.Name, ObjectID: idText(id), RegionCode: e.RegionCode, After: out.auditView()})
	})
	return out, err
}

// GetEnterprise returns an enterprise the actor may see.
func (s *Service) GetEnterprise(ctx context.Context, a account.Actor, id int64) (Enterprise, error) {
	e, err := getEnterprise(ctx, s.db, id)
	if err != nil {
		return Enterprise{}, err
	}
	if !canRead(a, e) {
		return Enterprise{}, apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
	}
	return e, nil
}

// FindEnterprises lists the enterprises the actor may see that match f.
func (s *Service) FindEnterprises(ctx context.Context, a account.Actor, f EnterpriseFilter) ([]Enterprise, int, error) {
	if !readsRegistry(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	if f.Tier != "" {
		ids, err := s.standingOn(ctx, a, f.Tier)
		if err != nil {
			return nil, 0, err
		}
		f.ids = ids
	}
	return findEnterprises(ctx, s.db, a, f)
}

// standingOn returns the ids of the firms in the actor's view that stand
// on tier today. A standing depends on today's date (a certificate lapses),
// so it is computed here rather than stored.
func (s *Service) standingOn(ctx context.Context, a account.Actor, tier string) ([]int64, error) {
	where, args := scopeWhere(a)
	rows, err := s.db.QueryContext(ctx, "SELECT id, certificates, tier, listed FROM enterprises WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("enterprises by standing: %w", err)
	}
	defer rows.Close()
	today := s.now()
	var ids []int64
	for rows.Next() {
		var e Enterprise
		var certs string
		if err := rows.Scan(&e.ID, &certs, &e.Tier, &e.Listed); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(certs), &e.Certificates); err != nil {
			return nil, fmt.Errorf("enterprise %d certificates: %w", e.ID, err)
		}
		if e.Standing(today).Tier == tier {
			ids = append(ids, e.ID)
		}
	}
	return ids, rows.Err()
}

// UpdateEnterprise replaces the profile of an enterprise (not its tier or
// assessments). Moving it out of the actor's region is refused.
func (s *Service) UpdateEnterprise(ctx context.Context, a account.Actor, id int64, e Enterprise) (Enterprise, error) {
	if err := e.Validate(); err != nil {
		return Enterprise{}, err
	}
	var out Enterprise
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := getEnterprise(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canRead(a, old) {
			return apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
		}
		if !canManage(a, old.RegionCode) {
			return apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		if !canManage(a, e.RegionCode) {
			return apperr.Fields(apperr.Field("region_code", "cultivation.region_outside_scope"))
		}
		e.ID = id
		if err := updateEnterprise(ctx, tx, e, s.now()); err != nil {
			return err
		}
		if out, err = getEnterprise(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "enterprise.update", ObjectType: "enterprise",
			ObjectName: out.Name, ObjectID: idText(id), RegionCode: e.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// SetEnterpriseTag adds tag to the enterprise's tags (on) or removes it,
// leaving the rest of its profile alone; other modules keep their lists
// (the 重点企业库, say) as tags on the registry this way. Staff in scope
// may; a tag is at most 20 characters and holds no comma. Setting a tag the
// enterprise already has (or removing one it lacks) changes nothing.
func (s *Service) SetEnterpriseTag(ctx context.Context, a account.Actor, id int64, tag string, on bool) (Enterprise, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" || utf8.RuneCountInString(tag) > 20 || strings.Contains(tag, ",") {
		return Enterprise{}, apperr.Fields(apperr.Field("tags", "cultivation.tag_invalid"))
	}
	var out Enterprise
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := getEnterprise(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canRead(a, old) {
			return apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
		}
		if !canManage(a, old.RegionCode) {
			return apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		if slices.Contains(old.Tags, tag) == on {
			out = old
			return nil
		}
		tags := slices.DeleteFunc(slices.Clone(old.Tags), func(t string) bool { return t == tag })
		if on {
			tags = append(tags, tag)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE enterprises SET tags = ?, updated_at = ? WHERE id = ?",
			strings.Join(tags, ","), sqldb.At(s.now()), id); err != nil {
			return err
		}
		if out, err = getEnterprise(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "enterprise.tag", ObjectType: "enterprise", ObjectID: idText(id),
			RegionCode: old.RegionCode, Before: map[string]any{"tags": old.Tags}, After: map[string]any{"tags": out.Tags}})
	})
	return out, err
}

// Years returns the enterprise's year records, oldest first.
func (s *Service) Years(ctx context.Context, a account.Actor, id int64) ([]YearRecord, error) {
	if _, err := s.GetEnterprise(ctx, a, id); err != nil {
		return nil, err
	}
	return loadYears(ctx, s.db, id)
}

// PutYear writes one year of indicators. Staff in scope and the enterprise's
// own account may; a correction keeps the old values in the audit row.
func (s *Service) PutYear(ctx context.Context, a account.Actor, id int64, y YearRecord) error {
	if err := y.Validate(s.now()); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		e, err := getEnterprise(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canRead(a, e) {
			return apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
		}
		if !s.CanFillYears(a, e) {
			return apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		old, err := upsertYear(ctx, tx, id, y, s.now(), false)
		if err != nil {
			return fmt.Errorf("write year %d: %w", y.Year, err)
		}
		action := "enterprise_year.create"
		var before any
		if old != nil {
			action, before = "enterprise_year.update", old
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: action, ObjectType: "enterprise",
			ObjectName: e.Name, ObjectID: idText(id) + "/" + strconv.Itoa(y.Year), RegionCode: e.RegionCode, Before: before, After: y})
	})
}

// EnterpriseAssessment is an enterprise's latest stored assessments and the
// tier they propose.
type EnterpriseAssessment struct {
	Results  []AssessmentResult `json:"results"`
	Proposal TierProposal       `json:"proposal"`
}

// AssessEnterprise assesses the enterprise against every rule set in force
// on asOf, stores the results (replacing the previous ones) and the proposed
// tier, and returns them. Reading the enterprise suffices: an assessment
// changes no registry data, only derived results.
func (s *Service) AssessEnterprise(ctx context.Context, a account.Actor, id int64, asOf time.Time) (EnterpriseAssessment, error) {
	e, err := s.GetEnterprise(ctx, a, id)
	if err != nil {
		return EnterpriseAssessment{}, err
	}
	years, err := loadYears(ctx, s.db, id)
	if err != nil {
		return EnterpriseAssessment{}, err
	}
	in := e.AssessmentInput(asOf, years)
	results := s.AssessAll(in)
	proposal := ProposeTier(in, e.Tier, results)
	now := s.now()
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM assessments WHERE enterprise_id = ?", id); err != nil {
			return err
		}
		for _, r := range results {
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO assessments (enterprise_id, rule_set, version, as_of, verdict,
				score_min, score_max, gap_count, result, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, r.RuleSet, r.Version, asOf.Format(dateLayout), string(r.Verdict), nullNum(r.ScoreMin), nullNum(r.ScoreMax),
				len(r.Gaps), string(b), sqldb.At(now)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE enterprises SET proposed_tier = ?, proposed_next = ?, assessed_at = ? WHERE id = ?",
			proposal.Proposed, proposal.Next, sqldb.At(now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "enterprise.assess", ObjectType: "enterprise",
			ObjectName: e.Name, ObjectID: idText(id), RegionCode: e.RegionCode,
			After: map[string]string{"as_of": asOf.Format(dateLayout), "standing": proposal.Current, "proposed": proposal.Proposed, "next": proposal.Next}})
	})
	if err != nil {
		return EnterpriseAssessment{}, fmt.Errorf("store assessment: %w", err)
	}
	return EnterpriseAssessment{Results: results, Proposal: proposal}, nil
}

// AssessAll assesses in against the version of every rule set in force on
// in.AsOf, in rule-set id order.
func (s *Service) AssessAll(in AssessmentInput) []AssessmentResult {
	var out []AssessmentResult
	for _, id := range s.rules.IDs() {
		rs, err := s.rules.Select(id, "", in.AsOf.Time)
		if err != nil {
			continue // no version in force on that date
		}
		out = append(out, Assess(rs, in))
	}
	return out
}

func nullNum(n Num) any {
	if !n.Valid {
		return nil
	}
	return n.V
}

// AssessmentSummary is one stored assessment row; Result is the full
// AssessmentResult as the JSON the assessment contract defines.
type AssessmentSummary struct {
	RuleSet  string          `json:"rule_set"`
	Version  string          `json:"version"`
	AsOf     string          `json:"as_of"`
	Verdict  Verdict         `json:"verdict"`
	ScoreMin *float64        `json:"score_min"`
	ScoreMax *float64        `json:"score_max"`
	GapCount int             `json:"gap_count"`
	Result   json.RawMessage `json:"result"`
}

// StoredAssessments returns the enterprise's last stored assessment rows, in
// rule-set order (none when it was never assessed).
func (s *Service) StoredAssessments(ctx context.Context, a account.Actor, id int64) ([]AssessmentSummary, error) {
	if _, err := s.GetEnterprise(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT rule_set, version, as_of, verdict, score_min, score_max, gap_count, result
		FROM assessments WHERE enterprise_id = ? ORDER BY rule_set`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AssessmentSummary{}
	for rows.Next() {
		var r AssessmentSummary
		var result string
		if err := rows.Scan(&r.RuleSet, &r.Version, &r.AsOf, &r.Verdict, &r.ScoreMin, &r.ScoreMax, &r.GapCount, &result); err != nil {
			return nil, err
		}
		r.Result = json.RawMessage(result)
		out = append(out, r)
	}
	return out, rows.Err()
}

// PreviewAssessment assesses the enterprise as of asOf without storing
// anything, for pages that show the current breakdown.
func (s *Service) PreviewAssessment(ctx context.Context, a account.Actor, id int64, asOf time.Time) (EnterpriseAssessment, error) {
	e, err := s.GetEnterprise(ctx, a, id)
	if err != nil {
		return EnterpriseAssessment{}, err
	}
	years, err := loadYears(ctx, s.db, id)
	if err != nil {
		return EnterpriseAssessment{}, err
	}
	in := e.AssessmentInput(asOf, years)
	results := s.AssessAll(in)
	return EnterpriseAssessment{Results: results, Proposal: ProposeTier(in, e.Tier, results)}, nil
}

// Domains lists the distinct high-tech domains of the enterprises the actor
// may see, for the list filter.
func (s *Service) Domains(ctx context.Context, a account.Actor) ([]string, error) {
	if !readsRegistry(a) {
		return nil, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	where, args := scopeWhere(a)
	rows, err := s.db.QueryContext(ctx, "SELECT DISTINCT domain FROM enterprises WHERE domain <> '' AND "+where+" ORDER BY domain", args...)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
