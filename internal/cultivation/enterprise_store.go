package cultivation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

const enterpriseColumns = `id, credit_code, name, region_code, address, industry, domain, founded, listed, board, tags,
	contact_name, contact_phone, contact_email, COALESCE(account_id, 0), certificates, extra, tier, proposed_tier,
	proposed_next, assessed_at, created_at, updated_at`

// scanEnterprise reads one row, opening the contact with k (pii).
func scanEnterprise(row interface{ Scan(...any) error }, k *pii.Keyring) (Enterprise, error) {
	var e Enterprise
	var founded, tags, certs, extra string
	var assessed, created, updated sqldb.Time
	err := row.Scan(&e.ID, &e.CreditCode, &e.Name, &e.RegionCode, &e.Address, &e.Industry, &e.Domain, &founded,
		&e.Listed, &e.Board, &tags, &e.ContactName, &e.ContactPhone, &e.ContactEmail, &e.AccountID, &certs, &extra,
		&e.Tier, &e.ProposedTier, &e.ProposedNext, &assessed, &created, &updated)
	if err != nil {
		return Enterprise{}, err
	}
	if err := k.OpenAll(enterprisePhone, &e.ContactPhone, enterpriseEmail, &e.ContactEmail); err != nil {
		return Enterprise{}, fmt.Errorf("enterprise %d contact: %w", e.ID, err)
	}
	if founded != "" {
		if t, err := time.Parse(dateLayout, founded); err == nil {
			e.Founded = Date{t}
		}
	}
	e.Tags = splitTags(tags)
	if err := json.Unmarshal([]byte(certs), &e.Certificates); err != nil {
		return Enterprise{}, fmt.Errorf("enterprise %d certificates: %w", e.ID, err)
	}
	if err := json.Unmarshal([]byte(extra), &e.Extra); err != nil {
		return Enterprise{}, fmt.Errorf("enterprise %d extra: %w", e.ID, err)
	}
	if e.Certificates == nil {
		e.Certificates = []Certificate{}
	}
	e.AssessedAt, e.CreatedAt, e.UpdatedAt = assessed.Time, created.Time, updated.Time
	return e, nil
}

func splitTags(s string) []string {
	out := []string{}
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func dateText(d Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

// enterpriseArgs are the profile columns in the order of insertEnterprise
// and updateEnterprise.
// enterpriseArgs are the stored columns of e, the contact's phone and
// e-mail sealed with k.
func enterpriseArgs(e Enterprise, k *pii.Keyring) ([]any, error) {
	certs, err := json.Marshal(e.Certificates)
	if err != nil {
		return nil, err
	}
	if e.Certificates == nil {
		certs = []byte("[]")
	}
	extra, err := json.Marshal(e.Extra)
	if err != nil {
		return nil, err
	}
	phone, err := k.Seal(enterprisePhone, e.ContactPhone)
	if err != nil {
		return nil, err
	}
	email, err := k.Seal(enterpriseEmail, e.ContactEmail)
	if err != nil {
		return nil, err
	}
	var account any
	if e.AccountID != 0 {
		account = e.AccountID
	}
	return []any{e.CreditCode, e.Name, e.RegionCode, e.Address, e.Industry, e.Domain, dateText(e.Founded), e.Listed,
		e.Board, strings.Join(e.Tags, ","), e.ContactName, phone, email, account, string(certs), string(extra)}, nil
}

func insertEnterprise(ctx context.Context, tx *sqldb.Tx, e Enterprise, now time.Time) (int64, error) {
	e.Certificates = keepRevocations(nil, e.Certificates)
	args, err := enterpriseArgs(e, pii.From(tx))
	if err != nil {
		return 0, err
	}
	args = append(args, sqldb.At(now), sqldb.At(now))
	id, err := tx.InsertID(ctx, `INSERT INTO enterprises (credit_code, name, region_code, address, industry, domain, founded,
		listed, board, tags, contact_name, contact_phone, contact_email, account_id, certificates, extra, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if apperr.Is(err, apperr.Conflict) {
		return 0, apperr.Fields(apperr.Field("credit_code", "cultivation.credit_code_taken", e.CreditCode))
	}
	return id, err
}

func updateEnterprise(ctx context.Context, tx *sqldb.Tx, e Enterprise, now time.Time) error {
	var stored string
	if err := tx.QueryRowContext(ctx, "SELECT certificates FROM enterprises WHERE id = ?", e.ID).Scan(&stored); err != nil && !sqldb.IsNoRows(err) {
		return fmt.Errorf("stored certificates: %w", err)
	}
	var old []Certificate
	if stored != "" {
		if err := json.Unmarshal([]byte(stored), &old); err != nil {
			return fmt.Errorf("enterprise %d certificates: %w", e.ID, err)
		}
	}
	e.Certificates = keepRevocations(old, e.Certificates)
	args, err := enterpriseArgs(e, pii.From(tx))
	if err != nil {
		return err
	}
	args = append(args, sqldb.At(now), e.ID)
	_, err = tx.ExecContext(ctx, `UPDATE enterprises SET credit_code = ?, name = ?, region_code = ?, address = ?, industry = ?,
		domain = ?, founded = ?, listed = ?, board = ?, tags = ?, contact_name = ?, contact_phone = ?, contact_email = ?,
		account_id = ?, certificates = ?, extra = ?, updated_at = ? WHERE id = ?`, args...)
	if apperr.Is(err, apperr.Conflict) {
		return apperr.Fields(apperr.Field("credit_code", "cultivation.credit_code_taken", e.CreditCode))
	}
	return err
}

func getEnterprise(ctx context.Context, q sqldb.Querier, id int64) (Enterprise, error) {
	e, err := scanEnterprise(q.QueryRowContext(ctx, "SELECT "+enterpriseColumns+" FROM enterprises WHERE id = ?", id), pii.From(q))
	if sqldb.IsNoRows(err) {
		return Enterprise{}, apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
	}
	if err != nil {
		return Enterprise{}, fmt.Errorf("get enterprise %d: %w", id, err)
	}
	return e, nil
}

// scopeWhere limits enterprises to the actor's view: the region scope for
// bureau and county staff, the linked account for an enterprise user.
func scopeWhere(a account.Actor) (string, []any) {
	if a.Role == account.RoleEnterprise {
		return "account_id = ?", []any{a.UserID}
	}
	return "region_code LIKE ?", []any{region.Prefix(a.Scope()) + "%"}
}

func findEnterprises(ctx context.Context, db *sqldb.DB, a account.Actor, f EnterpriseFilter) ([]Enterprise, int, error) {
	f.Normalize()
	where, args := []string{}, []any{}
	if w, a := scopeWhere(a); w != "" {
		where, args = append(where, w), append(args, a...)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(strings.ToUpper(q)) + "%"
		where = append(where, `(UPPER(name) LIKE ? ESCAPE '\' OR credit_code LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	if f.Region != "" {
		where, args = append(where, "region_code LIKE ?"), append(args, region.Prefix(f.Region)+"%")
	}
	if f.Tier != "" {
		// The service resolves the tier to the firms standing on it.
		if len(f.ids) == 0 {
			where = append(where, "1 = 0")
		} else {
			marks := strings.TrimSuffix(strings.Repeat("?, ", len(f.ids)), ", ")
			where = append(where, "id IN ("+marks+")")
			for _, id := range f.ids {
				args = append(args, id)
			}
		}
	}
	if f.Domain != "" {
		where, args = append(where, "domain = ?"), append(args, f.Domain)
	}
	if f.Industry != "" {
		where, args = append(where, "industry LIKE ?"), append(args, escapeLike(strings.ToUpper(f.Industry))+"%")
	}
	if f.Tag != "" {
		// tags is stored comma-joined, so a tag is a whole ",tag," match.
		where, args = append(where, `(',' || tags || ',') LIKE ? ESCAPE '\'`), append(args, "%,"+escapeLike(f.Tag)+",%")
	}
	if f.NearRuleSet != "" {
		where = append(where, `id IN (SELECT enterprise_id FROM assessments WHERE rule_set = ?
			AND (verdict = 'possible' OR (verdict = 'no' AND gap_count <= ?)))`)
		args = append(args, f.NearRuleSet, f.NearGaps)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM enterprises"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count enterprises: %w", err)
	}
	rows, err := db.QueryContext(ctx, "SELECT "+enterpriseColumns+" FROM enterprises"+cond+" ORDER BY name, id LIMIT ? OFFSET ?",
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find enterprises: %w", err)
	}
	defer rows.Close()
	out := []Enterprise{}
	for rows.Next() {
		e, err := scanEnterprise(rows, pii.From(db))
		if err != nil {
			return nil, 0, err
		}
		// Lists show contacts masked; GetEnterprise shows them whole.
		out = append(out, e.MaskContact())
	}
	return out, total, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

func loadYears(ctx context.Context, q sqldb.Querier, enterpriseID int64) ([]YearRecord, error) {
	rows, err := q.QueryContext(ctx, "SELECT year, data, updated_at FROM enterprise_years WHERE enterprise_id = ? ORDER BY year", enterpriseID)
	if err != nil {
		return nil, fmt.Errorf("load years: %w", err)
	}
	defer rows.Close()
	out := []YearRecord{}
	for rows.Next() {
		var year int
		var data string
		var updated sqldb.Time
		if err := rows.Scan(&year, &data, &updated); err != nil {
			return nil, err
		}
		var y YearRecord
		if err := json.Unmarshal([]byte(data), &y); err != nil {
			return nil, fmt.Errorf("year %d of enterprise %d: %w", year, enterpriseID, err)
		}
		y.Year, y.UpdatedAt = year, updated.Time
		out = append(out, y)
	}
	return out, rows.Err()
}

// upsertYear writes one year record and returns the one it replaced (nil
// when the year is new). fresh says the enterprise has no years yet (it was
// created in this transaction), which spares the lookup.
func upsertYear(ctx context.Context, tx *sqldb.Tx, enterpriseID int64, y YearRecord, now time.Time, fresh bool) (*YearRecord, error) {
	var old *YearRecord
	var data string
	var err error
	if !fresh {
		err = tx.QueryRowContext(ctx, "SELECT data FROM enterprise_years WHERE enterprise_id = ? AND year = ?", enterpriseID, y.Year).Scan(&data)
	} else {
		err = sqldb.ErrNoRows
	}
	switch {
	case err == nil:
		old = &YearRecord{}
		if err := json.Unmarshal([]byte(data), old); err != nil {
			return nil, err
		}
	case !sqldb.IsNoRows(err):
		return nil, err
	}
	y.UpdatedAt = time.Time{}
	b, err := json.Marshal(y)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO enterprise_years (enterprise_id, year, data, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (enterprise_id, year) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
		enterpriseID, y.Year, string(b), sqldb.At(now))
	return old, err
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func jsonMarshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// keepRevocations returns certs with each certificate's revocation taken
// from old (the stored list, matched by type and issue date), never from
// the caller: a revocation is made by RevokeCertificate alone, and editing
// a profile or importing it again neither sets nor clears one.
func keepRevocations(old, certs []Certificate) []Certificate {
	if certs == nil {
		return nil
	}
	out := make([]Certificate, len(certs))
	for i, c := range certs {
		c.Revoked = Date{}
		for _, o := range old {
			if o.Type == c.Type && o.Issued.Equal(c.Issued.Time) && !o.Revoked.IsZero() {
				c.Revoked = o.Revoked
				break
			}
		}
		out[i] = c
	}
	return out
}
