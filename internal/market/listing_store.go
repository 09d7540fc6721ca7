package market

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

const listingColumns = `l.id, l.kind, l.state, l.title, l.summary, l.expected, l.keywords, l.domain, l.industry, l.trl, l.ip,
	l.team, l.modes, l.price, l.band, l.deadline, l.region_code, l.owner_id,
	COALESCE(NULLIF(u.organization, ''), u.display_name, ''), l.contact_name, l.contact_phone, l.contact_email,
	l.amount, l.round, l.use_of_funds, l.valuation, l.review_note, COALESCE(l.twin_id, 0), l.twin_score, l.views, l.submitted_at, l.published_at, l.expires_at,
	l.created_at, l.updated_at, l.anonymous, l.revealed_at, COALESCE(l.anonymous_broker_id, 0),
	COALESCE(NULLIF(lb.display_name, ''), lb.username, '')`

const listingFrom = ` FROM listings l LEFT JOIN users u ON u.id = l.owner_id LEFT JOIN users lb ON lb.id = l.anonymous_broker_id`

// scanListing reads one row; now turns a published listing past its expiry
// into an expired one.
// The contact is opened with k (pii).
func scanListing(row interface{ Scan(...any) error }, now time.Time, k *pii.Keyring) (Listing, error) {
	var l Listing
	var keywords, ip, modes string
	var price, amount, valuation sql.NullFloat64
	var contact Contact
	var submitted, published, expires, created, updated, revealed sqldb.Time
	var anonymous bool
	err := row.Scan(&l.ID, &l.Kind, &l.State, &l.Title, &l.Summary, &l.Expected, &keywords, &l.Domain, &l.Industry, &l.TRL,
		&ip, &l.Team, &modes, &price, &l.Band, &l.Deadline, &l.RegionCode, &l.OwnerID, &l.OwnerName,
		&contact.Name, &contact.Phone, &contact.Email, &amount, &l.Round, &l.UseOfFunds, &valuation, &l.ReviewNote, &l.TwinID, &l.TwinScore, &l.Views,
		&submitted, &published, &expires, &created, &updated, &anonymous, &revealed, &l.BrokerID, &l.BrokerName)
	if err != nil {
		return Listing{}, err
	}
	l.RevealedAt = revealed.Time
	l.Anonymous = anonymous && l.RevealedAt.IsZero()
	if err := k.OpenAll(listingPhone, &contact.Phone, listingEmail, &contact.Email); err != nil {
		return Listing{}, fmt.Errorf("listing %d contact: %w", l.ID, err)
	}
	l.Keywords, l.Modes = splitList(keywords), splitList(modes)
	if err := json.Unmarshal([]byte(ip), &l.IP); err != nil {
		return Listing{}, fmt.Errorf("listing %d ip: %w", l.ID, err)
	}
	if price.Valid {
		p := price.Float64
		l.Price = &p
	}
	l.Amount = amount.Float64
	if valuation.Valid {
		v := valuation.Float64
		l.Valuation = &v
	}
	l.Contact = &contact
	l.SubmittedAt, l.PublishedAt, l.ExpiresAt = submitted.Time, published.Time, expires.Time
	l.CreatedAt, l.UpdatedAt = created.Time, updated.Time
	l.stored = l.State
	if l.State == Published && !l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt) {
		l.State = Expired
	}
	return l, nil
}

func splitList(s string) []string {
	out := []string{}
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// joinList stores a list comma-separated; commas inside an item become
// full-width so that the list splits back the same.
func joinList(list []string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = strings.ReplaceAll(s, ",", "，")
	}
	return strings.Join(parts, ",")
}

// contentArgs are the editable columns in the order of insertListing and
// updateListing, the contact's phone and e-mail sealed with k.
func contentArgs(in Input, band string, k *pii.Keyring) ([]any, error) {
	ip := in.IP
	if ip == nil {
		ip = []IP{}
	}
	b, err := json.Marshal(ip)
	if err != nil {
		return nil, err
	}
	phone, err := k.Seal(listingPhone, in.Contact.Phone)
	if err != nil {
		return nil, err
	}
	email, err := k.Seal(listingEmail, in.Contact.Email)
	if err != nil {
		return nil, err
	}
	return []any{in.Title, in.Summary, in.Expected, joinList(in.Keywords), in.Domain, in.Industry, in.TRL, string(b), in.Team,
		joinList(in.Modes), nullable(in.Price), band, in.Deadline, in.RegionCode, in.Contact.Name, phone, email,
		nullable(in.Amount), in.Round, in.UseOfFunds, nullable(in.Valuation), in.Anonymous, nullableID(in.BrokerID)}, nil
}

// nullableID is an optional reference as a column value.
func nullableID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullable is an optional number as a column value.
func nullable(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func insertListing(ctx context.Context, tx *sqldb.Tx, k Kind, ownerID int64, in Input, band string, now time.Time) (int64, error) {
	args, err := contentArgs(in, band, pii.From(tx))
	if err != nil {
		return 0, err
	}
	args = append([]any{k, Draft}, args...)
	args = append(args, ownerID, sqldb.At(now), sqldb.At(now))
	id, err := tx.InsertID(ctx, `INSERT INTO listings (kind, state, title, summary, expected, keywords, domain, industry, trl, ip,
		team, modes, price, band, deadline, region_code, contact_name, contact_phone, contact_email, amount, round, use_of_funds,
		valuation, anonymous, anonymous_broker_id, owner_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return 0, fmt.Errorf("insert listing: %w", err)
	}
	return id, recordChange(ctx, tx, id, now)
}

// recordChange appends to the change sequence the search index follows,
// in the transaction of the write it records.
//
// The rows are inserted just before the commit, under the audit chain's
// lock (audit.LockChain), so that sequence numbers are handed out in
// commit order. Were they taken at the write, as a PostgreSQL sequence
// hands them out, a transaction that took seq 10 could commit after one
// that took seq 11; an index that had meanwhile applied 11 would never
// look at 10 again, and that listing would stay stale on every node that
// caught up in between — a node of several, or one node under concurrent
// writers.
func recordChange(ctx context.Context, tx *sqldb.Tx, id int64, now time.Time) error {
	p, ok := tx.Local(pendingChangesKey{}).(*pendingChanges)
	if !ok {
		p = &pendingChanges{}
		tx.SetLocal(pendingChangesKey{}, p)
		tx.BeforeCommit(func(ctx context.Context) error {
			if err := audit.LockChain(ctx, tx); err != nil {
				return fmt.Errorf("record listing changes: %w", err)
			}
			for _, c := range p.changes {
				if _, err := tx.ExecContext(ctx, "INSERT INTO listing_changes (listing_id, at) VALUES (?, ?)", c.id, sqldb.At(c.at)); err != nil {
					return fmt.Errorf("record change of listing %d: %w", c.id, err)
				}
			}
			p.changes = nil
			return nil
		})
	}
	p.changes = append(p.changes, pendingChange{id, now})
	return nil
}

// pendingChanges are the listing changes a transaction records at its
// commit (recordChange).
type pendingChanges struct{ changes []pendingChange }

type pendingChange struct {
	id int64
	at time.Time
}

type pendingChangesKey struct{}

func updateListing(ctx context.Context, tx *sqldb.Tx, id int64, in Input, band string, now time.Time) error {
	args, err := contentArgs(in, band, pii.From(tx))
	if err != nil {
		return err
	}
	args = append(args, sqldb.At(now), id)
	_, err = tx.ExecContext(ctx, `UPDATE listings SET title = ?, summary = ?, expected = ?, keywords = ?, domain = ?, industry = ?,
		trl = ?, ip = ?, team = ?, modes = ?, price = ?, band = ?, deadline = ?, region_code = ?, contact_name = ?,
		contact_phone = ?, contact_email = ?, amount = ?, round = ?, use_of_funds = ?, valuation = ?, anonymous = ?,
		anonymous_broker_id = ?, updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("update listing %d: %w", id, err)
	}
	return recordChange(ctx, tx, id, now)
}

// transition is one workflow step's column changes.
type transition struct {
	state       State
	reviewNote  *string
	reviewerID  int64
	twinID      int64
	twinScore   float64
	setTwin     bool
	submittedAt time.Time
	publishedAt time.Time
	expiresAt   time.Time
	revealedAt  time.Time
}

func applyTransition(ctx context.Context, tx *sqldb.Tx, id int64, t transition, now time.Time) error {
	sets := []string{"state = ?", "updated_at = ?"}
	args := []any{t.state, sqldb.At(now)}
	if t.reviewNote != nil {
		sets, args = append(sets, "review_note = ?"), append(args, *t.reviewNote)
	}
	if t.reviewerID != 0 {
		sets, args = append(sets, "reviewer_id = ?"), append(args, t.reviewerID)
	}
	if t.setTwin {
		var twin any
		if t.twinID != 0 {
			twin = t.twinID
		}
		sets, args = append(sets, "twin_id = ?", "twin_score = ?"), append(args, twin, t.twinScore)
	}
	for _, c := range []struct {
		col string
		at  time.Time
	}{{"submitted_at", t.submittedAt}, {"published_at", t.publishedAt}, {"expires_at", t.expiresAt},
		{"revealed_at", t.revealedAt}} {
		if !c.at.IsZero() {
			sets, args = append(sets, c.col+" = ?"), append(args, sqldb.At(c.at))
		}
	}
	if !t.expiresAt.IsZero() {
		// A new validity period earns a new expiry notice.
		sets, args = append(sets, "expiry_notified = ?"), append(args, false)
	}
	_, err := tx.ExecContext(ctx, "UPDATE listings SET "+strings.Join(sets, ", ")+" WHERE id = ?", append(args, id)...)
	if err != nil {
		return fmt.Errorf("listing %d to %s: %w", id, t.state, err)
	}
	return recordChange(ctx, tx, id, now)
}

func getListing(ctx context.Context, q sqldb.Querier, id int64, now time.Time) (Listing, error) {
	l, err := scanListing(q.QueryRowContext(ctx, "SELECT "+listingColumns+listingFrom+" WHERE l.id = ?", id), now, pii.From(q))
	if sqldb.IsNoRows(err) {
		return Listing{}, apperr.New(apperr.NotFound, "market.listing_not_found")
	}
	if err != nil {
		return Listing{}, fmt.Errorf("get listing %d: %w", id, err)
	}
	return l, nil
}

// stateWhere selects a state as seen at now: published means not expired,
// expired means published and past expiry.
func stateWhere(s State, now time.Time) (string, []any) {
	switch s {
	case Published:
		return "l.state = 'published' AND l.expires_at > ?", []any{sqldb.FormatTime(now)}
	case Expired:
		return "l.state = 'published' AND l.expires_at <= ?", []any{sqldb.FormatTime(now)}
	}
	return "l.state = ?", []any{string(s)}
}

// where builds the filter conditions other than who may see what.
func filterWhere(f Filter, ref *Reference) ([]string, []any) {
	var where []string
	var args []any
	if f.Kind != "" {
		where, args = append(where, "l.kind = ?"), append(args, string(f.Kind))
	}
	if f.Domain != "" {
		where, args = append(where, "(l.domain = ? OR l.domain LIKE ?)"), append(args, f.Domain, escapeLike(f.Domain)+"/%")
	}
	if f.Region != "" {
		where, args = append(where, "l.region_code LIKE ?"), append(args, region.Prefix(f.Region)+"%")
	}
	if b, ok := ref.TRLBand(f.TRLBand); ok {
		where, args = append(where, "l.trl BETWEEN ? AND ?"), append(args, b.Min, b.Max)
	}
	if f.Mode != "" {
		where, args = append(where, "(',' || l.modes || ',') LIKE ?"), append(args, "%,"+escapeLike(f.Mode)+",%")
	}
	if f.Band != "" {
		where, args = append(where, "l.band = ?"), append(args, f.Band)
	}
	if f.Round != "" {
		where, args = append(where, "l.round = ?"), append(args, f.Round)
	}
	return where, args
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

func findListings(ctx context.Context, db *sqldb.DB, where []string, args []any, f Filter, now time.Time) ([]Listing, int, error) {
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM listings l"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count listings: %w", err)
	}
	order := " ORDER BY COALESCE(l.published_at, l.updated_at) DESC, l.id DESC"
	if f.Sort == "views" {
		order = " ORDER BY l.views DESC, l.id DESC"
	}
	rows, err := db.QueryContext(ctx, "SELECT "+listingColumns+listingFrom+cond+order+" LIMIT ? OFFSET ?",
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find listings: %w", err)
	}
	defer rows.Close()
	out := []Listing{}
	for rows.Next() {
		l, err := scanListing(rows, now, pii.From(db))
		if err != nil {
			return nil, 0, err
		}
		out = append(out, l)
	}
	return out, total, rows.Err()
}

// candidate is a listing compared for duplicates.
type candidate struct {
	id             int64
	title, summary string
}

// twinCandidates returns the listings of kind that a new submission could
// duplicate: everything that has been submitted and not withdrawn.
func twinCandidates(ctx context.Context, q sqldb.Querier, k Kind, except int64) ([]candidate, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, title, summary FROM listings
		WHERE kind = ? AND id <> ? AND state IN ('submitted', 'published', 'closed')`, string(k), except)
	if err != nil {
		return nil, fmt.Errorf("twin candidates: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.title, &c.summary); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
