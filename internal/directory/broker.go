package directory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// BrokerProfile is a technology broker's (技术经纪人) directory profile. It
// belongs to a broker account, which edits it; staff in scope edit it too.
// Only enabled broker accounts are shown to others.
type BrokerProfile struct {
	UserID        int64      `json:"user_id"`
	Name          string     `json:"name"` // the account's display name
	CertificateNo string     `json:"certificate_no,omitempty"`
	Grade         string     `json:"grade,omitempty"`
	Organization  string     `json:"organization,omitempty"`
	Fields        []string   `json:"fields"` // high-tech domains
	Summary       string     `json:"summary,omitempty"`
	RegionCode    string     `json:"region_code"`
	Visibility    Visibility `json:"visibility"`
	// Performance comes from the market's deals (nil without a
	// BrokerPerformance in Config).
	Performance *Performance `json:"performance,omitempty"`
	Perms       Perms        `json:"-"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	enabled     bool
}

// BrokerInput is what writing a broker profile takes.
type BrokerInput struct {
	CertificateNo string
	Grade         string
	Organization  string
	Fields        []string
	Summary       string
	RegionCode    string     // default: the account's region
	Visibility    Visibility // default public
}

// Validate normalizes the input and returns every bad field at once (the
// region is checked against the database on write).
func (in *BrokerInput) Validate(ref *Reference) error {
	var c checker
	in.check(&c, ref)
	return c.err()
}

func (in *BrokerInput) check(c *checker, ref *Reference) {
	c.text("certificate_no", &in.CertificateNo, maxShort, false)
	c.choice("grade", &in.Grade, ref.BrokerGrades, false)
	if in.Grade != "" && in.CertificateNo == "" {
		c.add("certificate_no", "directory.certificate_for_grade")
	}
	c.text("organization", &in.Organization, maxName, false)
	c.codes("fields", &in.Fields, ref.ValidDomain)
	c.text("summary", &in.Summary, maxSummary, false)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	c.visibility(&in.Visibility, VisiblePublic)
}

// BrokerFilter selects broker profiles. Zero fields do not filter.
type BrokerFilter struct {
	Query  string // part of the name or organisation
	Grade  string
	Field  string
	Region string
	Paging
}

const brokerColumns = `b.user_id, COALESCE(NULLIF(u.display_name, ''), u.username), b.certificate_no, b.grade, b.organization,
	b.fields, b.summary, b.region_code, b.visibility, b.created_at, b.updated_at, u.disabled, u.role`

const brokerFrom = "broker_profiles b JOIN users u ON u.id = b.user_id"

func scanBroker(r rowScanner) (BrokerProfile, error) {
	var b BrokerProfile
	var fields string
	var created, updated sqldb.Time
	var disabled bool
	var role account.Role
	err := r.Scan(&b.UserID, &b.Name, &b.CertificateNo, &b.Grade, &b.Organization, &fields, &b.Summary, &b.RegionCode,
		&b.Visibility, &created, &updated, &disabled, &role)
	b.Fields, b.CreatedAt, b.UpdatedAt = splitCodes(fields), created.Time, updated.Time
	b.enabled = !disabled && role == account.RoleBroker
	return b, err
}

func getBroker(ctx context.Context, q sqldb.Querier, userID int64) (BrokerProfile, error) {
	return getOne(ctx, q, "broker profile", "SELECT "+brokerColumns+" FROM "+brokerFrom+" WHERE b.user_id = ?", userID, scanBroker)
}

func (b BrokerProfile) view(a account.Actor) (BrokerProfile, bool) {
	self := a.LoggedIn() && a.UserID == b.UserID
	b.Perms = Perms{Edit: self || Manages(a, b.RegionCode), Manage: Manages(a, b.RegionCode)}
	if b.Perms.Edit || seesAll(a, b.RegionCode) {
		return b, true
	}
	return b, b.enabled && canSee(a, b.Visibility, b.RegionCode, false)
}

func (b BrokerProfile) auditView() map[string]any {
	return map[string]any{"certificate_no": b.CertificateNo, "grade": b.Grade, "organization": b.Organization,
		"fields": b.Fields, "region_code": b.RegionCode, "visibility": b.Visibility}
}

// PutBrokerProfile creates or replaces the profile of the broker account
// userID. The broker itself may, and staff in scope (of the account's
// region or the profile's). userID must be a broker account.
func (s *Service) PutBrokerProfile(ctx context.Context, a account.Actor, userID int64, in BrokerInput) (BrokerProfile, error) {
	var out BrokerProfile
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := getBroker(ctx, tx, userID)
		exists := err == nil
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		regionNow, err := accountProfile(ctx, tx, a, userID, account.RoleBroker, old.RegionCode)
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
		if err := c.err(); err != nil {
			return err
		}
		now := sqldb.At(s.now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO broker_profiles (user_id, certificate_no, grade, organization, fields,
			summary, region_code, visibility, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET certificate_no = excluded.certificate_no, grade = excluded.grade,
			organization = excluded.organization, fields = excluded.fields, summary = excluded.summary,
			region_code = excluded.region_code, visibility = excluded.visibility, updated_at = excluded.updated_at`,
			userID, in.CertificateNo, in.Grade, in.Organization, joinCodes(in.Fields), in.Summary, in.RegionCode,
			string(in.Visibility), now, now); err != nil {
			return fmt.Errorf("write broker profile: %w", err)
		}
		if out, err = getBroker(ctx, tx, userID); err != nil {
			return err
		}
		out, _ = out.view(a)
		var before any
		if exists {
			before = old.auditView()
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "broker_profile.put", ObjectType: "broker_profile",
			ObjectID: idText(userID), RegionCode: out.RegionCode, Before: before, After: out.auditView()})
	})
	return out, err
}

// GetBrokerProfile returns a broker's profile in the actor's view, with its
// performance when the market provides it.
func (s *Service) GetBrokerProfile(ctx context.Context, a account.Actor, userID int64) (BrokerProfile, error) {
	b, err := getBroker(ctx, s.db, userID)
	if err != nil {
		return BrokerProfile{}, err
	}
	b, ok := b.view(a)
	if !ok {
		return BrokerProfile{}, notFound()
	}
	list := []BrokerProfile{b}
	if err := s.addPerformance(ctx, list); err != nil {
		return BrokerProfile{}, err
	}
	return list[0], nil
}

// FindBrokerProfiles lists the broker profiles the actor may see that
// match f, by name, with their performance when the market provides it.
func (s *Service) FindBrokerProfiles(ctx context.Context, a account.Actor, f BrokerFilter) ([]BrokerProfile, int, error) {
	see, args := seeWhere(a, "b.", "b.user_id = ?", a.UserID)
	where := []string{see}
	if !IsManager(a) && a.Role != account.RoleAdmin {
		// Others see enabled broker accounts only (and their own profile).
		where, args = append(where, "((u.disabled = ? AND u.role = 'broker') OR b.user_id = ?)"), append(args, false, a.UserID)
	}
	where, args = textWhere(where, args, f.Query, "u.display_name", "u.username", "b.organization")
	if f.Grade != "" {
		where, args = append(where, "b.grade = ?"), append(args, f.Grade)
	}
	where, args = domainWhere(where, args, "b.fields", f.Field)
	where, args = regionWhere(where, args, "b.region_code", f.Region)
	list, total, err := findPage(ctx, s.db, "broker profiles", brokerColumns, brokerFrom, where, args, "u.display_name, u.username, b.user_id",
		f.Paging, scanBroker)
	if err != nil {
		return nil, 0, err
	}
	if err := viewAll("broker profile", list, func(x BrokerProfile) (BrokerProfile, bool) { return x.view(a) }); err != nil {
		return nil, 0, err
	}
	return list, total, s.addPerformance(ctx, list)
}

// addPerformance fills the brokers' performance from the market in one
// call.
func (s *Service) addPerformance(ctx context.Context, list []BrokerProfile) error {
	if s.cfg.Performance == nil || len(list) == 0 {
		return nil
	}
	ids := make([]int64, len(list))
	for i, b := range list {
		ids[i] = b.UserID
	}
	perf, err := s.cfg.Performance.BrokerPerformance(ctx, ids)
	if err != nil {
		return fmt.Errorf("broker performance: %w", err)
	}
	for i := range list {
		p := perf[list[i].UserID]
		list[i].Performance = &p
	}
	return nil
}

// DeleteBrokerProfile removes a broker's profile (not the account). The
// broker and staff in scope may.
func (s *Service) DeleteBrokerProfile(ctx context.Context, a account.Actor, userID int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := getBroker(ctx, tx, userID)
		if err != nil {
			return err
		}
		if old, _ = old.view(a); !old.Perms.Edit {
			return notFound()
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM broker_profiles WHERE user_id = ?", userID); err != nil {
			return fmt.Errorf("delete broker profile: %w", err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "broker_profile.delete", ObjectType: "broker_profile",
			ObjectID: idText(userID), RegionCode: old.RegionCode, Before: old.auditView()})
	})
}
