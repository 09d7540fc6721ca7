package cultivation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

// SanctionsFile holds, per rule set, how long a revoked firm may not apply
// again (BarRules).
const SanctionsFile = "cultivation/sanctions.json"

// Bar kinds of a BarRule.
const (
	// BarCalendarYear bars the rounds of the revocation's year (科小: the
	// registration number is valid for its year, so is the bar).
	BarCalendarYear = "calendar_year"
	// BarYears bars the firm for Years years from the revocation day.
	BarYears = "years"
)

// BarRule says how long a firm whose certificate of RuleSet was revoked may
// not apply to RuleSet again, with the source and its confidence (C, S, U
// as in criteria.md).
type BarRule struct {
	RuleSet    string `json:"rule_set"`
	Kind       string `json:"kind"`
	Years      int    `json:"years"`
	Confidence string `json:"confidence"`
	Source     string `json:"source"`
}

// BarRules are the bar periods of every rule set, from SanctionsFile.
type BarRules struct {
	Notes   []string  `json:"notes"`
	Default BarRule   `json:"default"`
	Bars    []BarRule `json:"bars"`
}

func (r BarRule) validate(where string) error {
	switch r.Kind {
	case BarCalendarYear:
	case BarYears:
		if r.Years < 1 || r.Years > 20 {
			return fmt.Errorf("%s: years: want 1 to 20, got %d", where, r.Years)
		}
	default:
		return fmt.Errorf("%s: kind: want %q or %q, got %q", where, BarCalendarYear, BarYears, r.Kind)
	}
	if !slices.Contains([]string{"C", "S", "U"}, r.Confidence) {
		return fmt.Errorf("%s: confidence: want C, S or U, got %q", where, r.Confidence)
	}
	return nil
}

// LoadBarRules reads SanctionsFile from fsys and checks every rule.
func LoadBarRules(fsys fs.FS) (*BarRules, error) {
	b, err := fs.ReadFile(fsys, SanctionsFile)
	if err != nil {
		return nil, fmt.Errorf("load bar rules: %w", err)
	}
	var out BarRules
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("load bar rules: %s: %w", SanctionsFile, err)
	}
	if err := out.Default.validate(SanctionsFile + ": default"); err != nil {
		return nil, err
	}
	for i, r := range out.Bars {
		if err := r.validate(fmt.Sprintf("%s: bars[%d]", SanctionsFile, i)); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

func loadOptionalBarRules(fsys fs.FS) (*BarRules, error) {
	if _, err := fs.Stat(fsys, SanctionsFile); errors.Is(err, fs.ErrNotExist) {
		return &BarRules{Default: BarRule{Kind: BarCalendarYear, Confidence: "U"}}, nil
	}
	return LoadBarRules(fsys)
}

// BarRules returns the bar periods loaded with the rule sets.
func (rb *RuleBook) BarRules() *BarRules { return rb.bars }

// For returns the bar rule of ruleSet, the default when the file names none.
func (b *BarRules) For(ruleSet string) BarRule {
	if b == nil {
		return BarRule{RuleSet: ruleSet, Kind: BarCalendarYear, Confidence: "U"}
	}
	for _, r := range b.Bars {
		if r.RuleSet == ruleSet {
			return r
		}
	}
	r := b.Default
	r.RuleSet = ruleSet
	return r
}

// Bar returns the bar a revocation on revoked sets: the round year it bars
// (calendar-year bars; 0 otherwise) and the last day it lasts.
func (r BarRule) Bar(revoked time.Time) (year int, until time.Time) {
	if r.Kind == BarYears {
		return 0, revoked.AddDate(r.Years, 0, -1)
	}
	return revoked.Year(), time.Date(revoked.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
}

// Blacklist kinds (严重失信, 弄虚作假).
const (
	BlacklistDishonest = "dishonest"
	BlacklistFraud     = "fraud"
)

// BlacklistKinds lists the kinds a listing may have.
var BlacklistKinds = []string{BlacklistDishonest, BlacklistFraud}

// Revocation is one revoked certificate, a public fact.
type Revocation struct {
	ID              int64     `json:"id"`
	EnterpriseID    int64     `json:"enterprise_id"`
	EnterpriseName  string    `json:"enterprise_name"`
	CreditCode      string    `json:"credit_code"`
	RegionCode      string    `json:"region_code"`
	RuleSet         string    `json:"rule_set"`
	CertificateType string    `json:"certificate_type"`
	Issued          Date      `json:"issued"`
	RevokedOn       Date      `json:"revoked_on"`
	Reason          string    `json:"reason"`
	SpotCheckID     int64     `json:"spot_check_id,omitempty"`
	BarYear         int       `json:"bar_year,omitempty"`
	BarUntil        Date      `json:"bar_until"`
	CreatedAt       time.Time `json:"created_at"`
}

// BlacklistEntry is one listing of a firm on the blacklist.
type BlacklistEntry struct {
	ID             int64     `json:"id"`
	EnterpriseID   int64     `json:"enterprise_id"`
	EnterpriseName string    `json:"enterprise_name"`
	CreditCode     string    `json:"credit_code"`
	RegionCode     string    `json:"region_code"`
	Kind           string    `json:"kind"`
	Reason         string    `json:"reason"`
	Document       string    `json:"document"`
	StartsOn       Date      `json:"starts_on"`
	EndsOn         Date      `json:"ends_on"`
	ListedAt       time.Time `json:"listed_at"`
	Removed        bool      `json:"removed"`
	RemovedAt      time.Time `json:"removed_at,omitzero"`
	RemovalReason  string    `json:"removal_reason,omitempty"`
	// ListedBy and RemovedBy name the staff; only staff views carry them.
	ListedBy  string `json:"-"`
	RemovedBy string `json:"-"`
}

// InForce reports whether the listing bars the firm on day.
func (b BlacklistEntry) InForce(day time.Time) bool {
	d := dayOf(day)
	return !b.Removed && !d.Before(b.StartsOn.Time) && !d.After(b.EndsOn.Time)
}

// BlacklistInput is a new listing. StartsOn defaults to today.
type BlacklistInput struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Kind         string `json:"kind"`
	Reason       string `json:"reason"`
	Document     string `json:"document"`
	StartsOn     Date   `json:"starts_on"`
	EndsOn       Date   `json:"ends_on"`
}

// Limits of the sanction texts, in characters.
const (
	maxSanctionReason = 500
	maxDocument       = 200
)

func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func checkText(fields []apperr.FieldError, name, v string, max int) []apperr.FieldError {
	if v == "" {
		return append(fields, apperr.Field(name, "error.required"))
	}
	if utf8.RuneCountInString(v) > max {
		return append(fields, apperr.Field(name, "error.too_long", max))
	}
	return fields
}

// Validate checks a listing; today is the default and the floor of its end.
func (in *BlacklistInput) Validate(today time.Time) error {
	in.Reason, in.Document = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Document)
	var fields []apperr.FieldError
	if in.EnterpriseID <= 0 {
		fields = append(fields, apperr.Field("enterprise_id", "error.required"))
	}
	if !slices.Contains(BlacklistKinds, in.Kind) {
		fields = append(fields, apperr.Field("kind", "sanction.kind_invalid"))
	}
	fields = checkText(fields, "reason", in.Reason, maxSanctionReason)
	fields = checkText(fields, "document", in.Document, maxDocument)
	if in.StartsOn.IsZero() {
		in.StartsOn = Date{dayOf(today)}
	}
	switch {
	case in.EndsOn.IsZero():
		fields = append(fields, apperr.Field("ends_on", "error.required"))
	case in.EndsOn.Before(in.StartsOn.Time) || in.EndsOn.Before(dayOf(today)):
		fields = append(fields, apperr.Field("ends_on", "sanction.ends_before_start"))
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

// CanManageBlacklist reports whether the actor lists firms on the blacklist
// and removes them (AddToBlacklist, RemoveFromBlacklist, the full list in
// FindBlacklist): bureau staff, for firms inside their region.
func (s *Service) CanManageBlacklist(a account.Actor) bool { return a.Role == account.RoleStaff }

// BlacklistFilter selects listings. Public lists (All false) hold the
// listings in force today; All, for those who manage the list, adds the
// removed and ended ones in the actor's region.
type BlacklistFilter struct {
	All     bool
	Page    int
	PerPage int
}

const blacklistColumns = `b.id, b.enterprise_id, e.name, e.credit_code, e.region_code, b.kind, b.reason, b.document,
	b.starts_on, b.ends_on, b.listed_by_name, b.listed_at, b.removed_at, b.removed_by_name, b.removal_reason`

func scanBlacklist(sc interface{ Scan(...any) error }) (BlacklistEntry, error) {
	var b BlacklistEntry
	var starts, ends string
	var listed, removed sqldb.Time
	if err := sc.Scan(&b.ID, &b.EnterpriseID, &b.EnterpriseName, &b.CreditCode, &b.RegionCode, &b.Kind, &b.Reason,
		&b.Document, &starts, &ends, &b.ListedBy, &listed, &removed, &b.RemovedBy, &b.RemovalReason); err != nil {
		return b, err
	}
	b.StartsOn, b.EndsOn, b.ListedAt = parseDay(starts), parseDay(ends), listed.Time
	b.Removed, b.RemovedAt = !removed.IsZero(), removed.Time
	return b, nil
}

func parseDay(s string) Date {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}
	}
	return Date{t}
}

func dayText(d time.Time) string { return d.Format(dateLayout) }

func getBlacklistEntry(ctx context.Context, q sqldb.Querier, id int64) (BlacklistEntry, error) {
	b, err := scanBlacklist(q.QueryRowContext(ctx, "SELECT "+blacklistColumns+
		" FROM blacklist b JOIN enterprises e ON e.id = b.enterprise_id WHERE b.id = ?", id))
	if sqldb.IsNoRows(err) {
		return b, apperr.New(apperr.NotFound, "sanction.blacklist_not_found")
	}
	return b, err
}

// FindBlacklist returns a page of listings, newest first. Anyone may read
// the listings in force (a public fact); f.All needs CanManageBlacklist.
func (s *Service) FindBlacklist(ctx context.Context, a account.Actor, f BlacklistFilter) ([]BlacklistEntry, int, error) {
	page, per := pageOf(f.Page, f.PerPage)
	where, args := "b.removed_at IS NULL AND b.starts_on <= ? AND b.ends_on >= ?", []any{dayText(s.now()), dayText(s.now())}
	if f.All {
		if !s.CanManageBlacklist(a) {
			return nil, 0, apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		w, sa := scopeWhere(a)
		where, args = "e."+w, sa
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM blacklist b JOIN enterprises e ON e.id = b.enterprise_id WHERE "+
		where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count blacklist: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+blacklistColumns+" FROM blacklist b JOIN enterprises e ON e.id = b.enterprise_id WHERE "+
		where+" ORDER BY b.starts_on DESC, b.id DESC LIMIT ? OFFSET ?", append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find blacklist: %w", err)
	}
	defer rows.Close()
	out := []BlacklistEntry{}
	for rows.Next() {
		b, err := scanBlacklist(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, b)
	}
	return out, total, rows.Err()
}

func pageOf(page, per int) (int, int) {
	if page < 1 {
		page = 1
	}
	if per < 1 || per > 200 {
		per = 25
	}
	return page, per
}

func (b BlacklistEntry) auditView() map[string]any {
	return map[string]any{"enterprise_id": b.EnterpriseID, "kind": b.Kind, "reason": b.Reason, "document": b.Document,
		"starts_on": dayText(b.StartsOn.Time), "ends_on": dayText(b.EndsOn.Time), "removed": b.Removed,
		"removal_reason": b.RemovalReason}
}

// AddToBlacklist lists a firm: it may apply to no round from in.StartsOn
// to in.EndsOn. Bureau staff may, for firms in their region (others are
// NotFound); a firm already listed over those days is a Conflict. The
// firm's account gets a notice.
func (s *Service) AddToBlacklist(ctx context.Context, a account.Actor, in BlacklistInput) (BlacklistEntry, error) {
	if !s.CanManageBlacklist(a) {
		return BlacklistEntry{}, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	now := s.now()
	if err := in.Validate(now); err != nil {
		return BlacklistEntry{}, err
	}
	var out BlacklistEntry
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		e, err := getEnterprise(ctx, tx, in.EnterpriseID)
		if err == nil && !canManage(a, e.RegionCode) {
			err = apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
		}
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Fields(apperr.Field("enterprise_id", "cultivation.enterprise_not_found"))
		}
		if err != nil {
			return err
		}
		var overlap int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM blacklist WHERE enterprise_id = ? AND removed_at IS NULL
			AND starts_on <= ? AND ends_on >= ?`, e.ID, dayText(in.EndsOn.Time), dayText(in.StartsOn.Time)).Scan(&overlap); err != nil {
			return err
		}
		if overlap > 0 {
			return apperr.Fields(apperr.Field("enterprise_id", "sanction.already_listed"))
		}
		id, err := tx.InsertID(ctx, `INSERT INTO blacklist (enterprise_id, kind, reason, document, starts_on, ends_on, listed_by,
			listed_by_name, listed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, in.Kind, in.Reason, in.Document,
			dayText(in.StartsOn.Time), dayText(in.EndsOn.Time), a.UserID, actorName(a), sqldb.At(now))
		if err != nil {
			return fmt.Errorf("insert blacklist: %w", err)
		}
		if out, err = getBlacklistEntry(ctx, tx, id); err != nil {
			return err
		}
		if e.AccountID != 0 {
			if err := notice.Send(ctx, tx, notice.Message{To: e.AccountID, Kind: "blacklist.add", Key: "sanction.notice.blacklisted",
				Args: []notice.Arg{notice.Code("sanction.kind." + in.Kind), notice.Text(dayText(in.EndsOn.Time))},
				Body: notice.Code("sanction.notice.reason", notice.Text(in.Reason)), Link: "/cultivation/public/sanctions", At: now}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "blacklist.add", ObjectType: "blacklist", ObjectID: idText(id),
			ObjectName: e.Name, RegionCode: e.RegionCode, After: out.auditView()})
	})
	return out, err
}

// RemoveFromBlacklist ends a listing before its date, with a reason; the
// entry stays on record as removed. Bureau staff for firms in their region;
// an entry already removed is a Conflict.
func (s *Service) RemoveFromBlacklist(ctx context.Context, a account.Actor, id int64, reason string) (BlacklistEntry, error) {
	if !s.CanManageBlacklist(a) {
		return BlacklistEntry{}, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	reason = strings.TrimSpace(reason)
	if fields := checkText(nil, "reason", reason, maxSanctionReason); len(fields) > 0 {
		return BlacklistEntry{}, apperr.Fields(fields...)
	}
	var out BlacklistEntry
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		before, err := getBlacklistEntry(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canManage(a, before.RegionCode) {
			return apperr.New(apperr.NotFound, "sanction.blacklist_not_found")
		}
		if before.Removed {
			return apperr.New(apperr.Conflict, "sanction.already_removed")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE blacklist SET removed_at = ?, removed_by = ?, removed_by_name = ?, removal_reason = ?
			WHERE id = ?`, sqldb.At(now), a.UserID, actorName(a), reason, id); err != nil {
			return fmt.Errorf("remove blacklist: %w", err)
		}
		if out, err = getBlacklistEntry(ctx, tx, id); err != nil {
			return err
		}
		e, err := getEnterprise(ctx, tx, before.EnterpriseID)
		if err != nil {
			return err
		}
		if e.AccountID != 0 {
			if err := notice.Send(ctx, tx, notice.Message{To: e.AccountID, Kind: "blacklist.remove", Key: "sanction.notice.unlisted",
				Body: notice.Code("sanction.notice.reason", notice.Text(reason)), Link: "/cultivation/public/sanctions", At: now}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "blacklist.remove", ObjectType: "blacklist", ObjectID: idText(id),
			ObjectName: before.EnterpriseName, RegionCode: before.RegionCode, Before: before.auditView(), After: out.auditView()})
	})
	return out, err
}

const revocationColumns = `r.id, r.enterprise_id, e.name, e.credit_code, e.region_code, r.rule_set, r.certificate_type, r.issued,
	r.revoked_on, r.reason, r.spot_check_id, r.bar_year, r.bar_until, r.created_at`

func scanRevocation(sc interface{ Scan(...any) error }) (Revocation, error) {
	var r Revocation
	var issued, revoked, until string
	var check *int64
	var at sqldb.Time
	if err := sc.Scan(&r.ID, &r.EnterpriseID, &r.EnterpriseName, &r.CreditCode, &r.RegionCode, &r.RuleSet, &r.CertificateType,
		&issued, &revoked, &r.Reason, &check, &r.BarYear, &until, &at); err != nil {
		return r, err
	}
	r.Issued, r.RevokedOn, r.BarUntil, r.CreatedAt = parseDay(issued), parseDay(revoked), parseDay(until), at.Time
	if check != nil {
		r.SpotCheckID = *check
	}
	return r, nil
}

// FindRevocations returns a page of revocations, newest first. They are
// public facts: anyone may read them.
func (s *Service) FindRevocations(ctx context.Context, page, perPage int) ([]Revocation, int, error) {
	page, perPage = pageOf(page, perPage)
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM revocations").Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count revocations: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+revocationColumns+` FROM revocations r JOIN enterprises e ON e.id = r.enterprise_id
		ORDER BY r.revoked_on DESC, r.id DESC LIMIT ? OFFSET ?`, perPage, (page-1)*perPage)
	if err != nil {
		return nil, 0, fmt.Errorf("find revocations: %w", err)
	}
	defer rows.Close()
	out := []Revocation{}
	for rows.Next() {
		r, err := scanRevocation(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// revoke revokes e's certificate of ruleSet on day for reason, inside tx:
// the certificate valid on day (else the latest issued before it) is marked
// revoked, so the firm's standing, its tier and the pool follow; a
// confirmed tier equal to the certificate's tier is withdrawn with it. The
// revocation row records the bar (BarRules) even when the firm held no
// such certificate (a round's accepted firm before its number is issued).
func (s *Service) revoke(ctx context.Context, tx *sqldb.Tx, a account.Actor, e Enterprise, ruleSet string, day time.Time,
	reason string, spotCheckID int64) (Revocation, error) {
	day = dayOf(day)
	certs := slices.Clone(e.Certificates)
	pick := -1
	states := CertificateStates(certs, day)
	for i, c := range certs {
		if c.Type != ruleSet || !c.Revoked.IsZero() || c.Issued.After(day) {
			continue
		}
		if pick < 0 || states[i].Valid && !states[pick].Valid || states[i].Valid == states[pick].Valid && c.Issued.After(certs[pick].Issued.Time) {
			pick = i
		}
	}
	var issued string
	before := e.Standing(day)
	confirmed := e.Tier
	if pick >= 0 {
		certs[pick].Revoked = Date{day}
		issued = dayText(certs[pick].Issued.Time)
		if k := ladderCert(ruleSet); k >= 0 && confirmed == ladder[k].tier {
			confirmed = ""
		}
		b, err := json.Marshal(certs)
		if err != nil {
			return Revocation{}, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE enterprises SET certificates = ?, tier = ?, updated_at = ? WHERE id = ?",
			string(b), confirmed, sqldb.At(s.now()), e.ID); err != nil {
			return Revocation{}, fmt.Errorf("revoke certificate: %w", err)
		}
	}
	year, until := s.rules.BarRules().For(ruleSet).Bar(day)
	var check any
	if spotCheckID != 0 {
		check = spotCheckID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO revocations (enterprise_id, rule_set, certificate_type, issued, revoked_on, reason,
		spot_check_id, bar_year, bar_until, created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, ruleSet, ruleSet, issued, dayText(day), reason, check, year, dayText(until), a.UserID, actorName(a), sqldb.At(s.now()))
	if err != nil {
		return Revocation{}, fmt.Errorf("insert revocation: %w", err)
	}
	r, err := scanRevocation(tx.QueryRowContext(ctx, "SELECT "+revocationColumns+
		" FROM revocations r JOIN enterprises e ON e.id = r.enterprise_id WHERE r.id = ?", id))
	if err != nil {
		return Revocation{}, err
	}
	e.Certificates, e.Tier = certs, confirmed
	after := e.Standing(day)
	if e.AccountID != 0 {
		if err := notice.Send(ctx, tx, notice.Message{To: e.AccountID, Kind: "certificate.revoke", Key: "sanction.notice.revoked",
			Args: []notice.Arg{notice.Code("ruleset." + ruleSet), notice.Text(dayText(day))},
			Body: notice.Code("sanction.notice.reason", notice.Text(reason)), Link: "/cultivation/enterprises/" + idText(e.ID),
			At: s.now()}); err != nil {
			return Revocation{}, err
		}
	}
	return r, audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "certificate.revoke", ObjectType: "enterprise",
		ObjectID: idText(e.ID), ObjectName: e.Name, RegionCode: e.RegionCode,
		Before: map[string]any{"tier": before.Tier, "confirmed": e.Tier},
		After: map[string]any{"rule_set": ruleSet, "issued": issued, "revoked_on": dayText(day), "reason": reason,
			"spot_check_id": spotCheckID, "bar_year": year, "bar_until": dayText(until), "tier": after.Tier, "confirmed": confirmed}})
}

// ApplicationBar answers whether a revocation or the blacklist bars the
// enterprise from applying to ruleSet in the round of year, on day on. A
// listing in force on on bars every rule set; a revocation of ruleSet bars
// the rounds of its year (calendar-year bars, 科小) or every day up to its
// bar's end (BarRules). reason is the user-facing explanation in Chinese
// ("" when not barred). q may be a transaction of the caller; it reads no
// permission: the caller decides who may ask.
func (s *Service) ApplicationBar(ctx context.Context, q sqldb.Querier, enterpriseID int64, ruleSet string, year int, on time.Time) (reason string, barred bool, err error) {
	b, err := sanctionBar(ctx, q, enterpriseID, ruleSet, year, on)
	if err != nil || b == nil {
		return "", false, err
	}
	return i18n.T(i18n.Chinese, b.Key, b.Args...), true, nil
}

// sanctionBar is ApplicationBar's answer as an error a page or the API
// renders in the reader's language (nil: not barred).
func sanctionBar(ctx context.Context, q sqldb.Querier, enterpriseID int64, ruleSet string, year int, on time.Time) (*apperr.Error, error) {
	day := dayText(dayOf(on))
	rows, err := q.QueryContext(ctx, `SELECT kind, reason, ends_on FROM blacklist WHERE enterprise_id = ? AND removed_at IS NULL
		AND starts_on <= ? AND ends_on >= ? ORDER BY ends_on DESC`, enterpriseID, day, day)
	if err != nil {
		return nil, fmt.Errorf("application bar: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		var kind, why, ends string
		if err := rows.Scan(&kind, &why, &ends); err != nil {
			return nil, err
		}
		return apperr.New(apperr.Conflict, "sanction.bar.blacklist", i18n.Key("sanction.kind."+kind), why, ends), nil
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	rev, err := q.QueryContext(ctx, `SELECT revoked_on, reason, bar_year, bar_until FROM revocations WHERE enterprise_id = ? AND rule_set = ?
		ORDER BY bar_until DESC, id DESC`, enterpriseID, ruleSet)
	if err != nil {
		return nil, fmt.Errorf("application bar: %w", err)
	}
	defer rev.Close()
	for rev.Next() {
		var revoked, why, until string
		var barYear int
		if err := rev.Scan(&revoked, &why, &barYear, &until); err != nil {
			return nil, err
		}
		label := i18n.Key("ruleset." + ruleSet)
		switch {
		case barYear != 0 && barYear == year:
			return apperr.New(apperr.Conflict, "sanction.bar.year", label, revoked, why, fmt.Sprint(barYear)), nil
		case barYear == 0 && day <= until:
			return apperr.New(apperr.Conflict, "sanction.bar.until", label, revoked, why, until), nil
		}
	}
	return nil, rev.Err()
}

func init() {
	audit.RegisterActions("spot_check.create", "spot_check.findings", "spot_check.close", "certificate.revoke",
		"blacklist.add", "blacklist.remove")
}

// EnterpriseSanctions are the revocations and blacklist entries of one
// firm, newest first.
type EnterpriseSanctions struct {
	Revocations []Revocation     `json:"revocations"`
	Blacklist   []BlacklistEntry `json:"blacklist"`
}

// Sanctions returns the revocations of the enterprise and its blacklist
// entries (removed ones too) for its profile. Whoever may see the firm may
// see them (they are public facts); others get NotFound.
func (s *Service) Sanctions(ctx context.Context, a account.Actor, enterpriseID int64) (EnterpriseSanctions, error) {
	out := EnterpriseSanctions{Revocations: []Revocation{}, Blacklist: []BlacklistEntry{}}
	if _, err := s.GetEnterprise(ctx, a, enterpriseID); err != nil {
		return out, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+revocationColumns+` FROM revocations r JOIN enterprises e ON e.id = r.enterprise_id
		WHERE r.enterprise_id = ? ORDER BY r.revoked_on DESC, r.id DESC`, enterpriseID)
	if err != nil {
		return out, fmt.Errorf("enterprise revocations: %w", err)
	}
	for rows.Next() {
		r, err := scanRevocation(rows)
		if err != nil {
			rows.Close()
			return out, err
		}
		out.Revocations = append(out.Revocations, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	bl, err := s.db.QueryContext(ctx, "SELECT "+blacklistColumns+` FROM blacklist b JOIN enterprises e ON e.id = b.enterprise_id
		WHERE b.enterprise_id = ? ORDER BY b.starts_on DESC, b.id DESC`, enterpriseID)
	if err != nil {
		return out, fmt.Errorf("enterprise blacklist: %w", err)
	}
	defer bl.Close()
	for bl.Next() {
		b, err := scanBlacklist(bl)
		if err != nil {
			return out, err
		}
		out.Blacklist = append(out.Blacklist, b)
	}
	return out, bl.Err()
}
