package cultivation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Tiers lists the tiers of the cultivation pool, lowest first.
var Tiers = []string{TierSeed, TierTechSME, TierHighTech, TierInnovative, TierSpecialized, TierLittleGiant, TierListReserve, TierListed}

func validTier(t string) bool {
	for _, x := range Tiers {
		if x == t {
			return true
		}
	}
	return false
}

// PoolEntry is one confirmed change of an enterprise's tier (培育库 history).
type PoolEntry struct {
	ID           int64     `json:"id"`
	EnterpriseID int64     `json:"enterprise_id"`
	Tier         string    `json:"tier"`
	PreviousTier string    `json:"previous_tier"`
	Basis        string    `json:"basis"`
	Note         string    `json:"note"`
	ConfirmedBy  string    `json:"confirmed_by"`
	ConfirmedAt  time.Time `json:"confirmed_at"`
}

// maxNote is the longest note a pool decision takes, in characters.
const maxNote = 500

// ConfirmTier records the tier staff confirm for an enterprise, usually the
// one its assessment proposed, and keeps the change in the pool history.
func (s *Service) ConfirmTier(ctx context.Context, a account.Actor, id int64, tier, note string) error {
	tier, note = strings.TrimSpace(tier), strings.TrimSpace(note)
	if !validTier(tier) {
		return apperr.Fields(apperr.Field("tier", "cultivation.tier_invalid"))
	}
	if utf8.RuneCountInString(note) > maxNote {
		return apperr.Fields(apperr.Field("note", "error.too_long", maxNote))
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		e, err := getEnterprise(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canRead(a, e) {
			return apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
		}
		if !canManage(a, e.RegionCode) {
			return apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		return confirmTier(ctx, tx, a, e, tier, note, s.now())
	})
}

// confirmTier writes a confirmed tier, its pool history row and audit row.
func confirmTier(ctx context.Context, tx *sqldb.Tx, a account.Actor, e Enterprise, tier, note string, now time.Time) error {
	basis := "manual"
	if tier == e.ProposedTier {
		basis = "assessment"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO pool_entries (enterprise_id, tier, previous_tier, basis, note, confirmed_by, confirmed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, tier, e.Tier, basis, note, a.UserID, sqldb.At(now)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE enterprises SET tier = ?, updated_at = ? WHERE id = ?", tier, sqldb.At(now), e.ID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "pool.confirm", ObjectType: "enterprise", ObjectID: idText(e.ID), ObjectName: e.Name,
		RegionCode: e.RegionCode, Before: map[string]string{"tier": e.Tier}, After: map[string]string{"tier": tier, "basis": basis, "note": note}})
}

// PoolHistory returns the enterprise's tier changes, newest first.
func (s *Service) PoolHistory(ctx context.Context, a account.Actor, id int64) ([]PoolEntry, error) {
	if _, err := s.GetEnterprise(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.enterprise_id, p.tier, p.previous_tier, p.basis, p.note,
		COALESCE(u.username, ''), p.confirmed_at FROM pool_entries p LEFT JOIN users u ON u.id = p.confirmed_by
		WHERE p.enterprise_id = ? ORDER BY p.id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("pool history: %w", err)
	}
	defer rows.Close()
	out := []PoolEntry{}
	for rows.Next() {
		var p PoolEntry
		var at sqldb.Time
		if err := rows.Scan(&p.ID, &p.EnterpriseID, &p.Tier, &p.PreviousTier, &p.Basis, &p.Note, &p.ConfirmedBy, &at); err != nil {
			return nil, err
		}
		p.ConfirmedAt = at.Time
		out = append(out, p)
	}
	return out, rows.Err()
}

// PoolBoard is the pool at a glance: how many firms stand on each tier, and
// one page of the firms whose assessment proposes a tier above their
// standing that staff have not confirmed.
type PoolBoard struct {
	Counts       []TierCount  `json:"counts"`
	Pending      []Enterprise `json:"pending"`
	PendingTotal int          `json:"pending_total"`
	Page         int          `json:"page"`
	PerPage      int          `json:"per_page"`
}

// TierCount is the number of enterprises standing on a tier ("" = 未入库).
type TierCount struct {
	Tier  string `json:"tier"`
	Count int    `json:"count"`
}

// PoolFilter narrows the board to a region inside the actor's (Region, a
// region code) and pages the pending proposals.
type PoolFilter struct {
	Region  string
	Page    int
	PerPage int
}

// Normalize clamps paging.
func (f *PoolFilter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	if f.PerPage > 200 {
		f.PerPage = 200
	}
}

// PoolBoard returns the board for the actor's region, narrowed to f.Region
// when that lies inside it. Counts place every firm by its standing (see
// Standing) on the service's today: a valid certificate counts without a
// confirmation. Pending lists, by name, the firms whose stored proposal is
// above their standing.
func (s *Service) PoolBoard(ctx context.Context, a account.Actor, f PoolFilter) (PoolBoard, error) {
	if !s.CanViewPool(a) {
		return PoolBoard{}, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	f.Normalize()
	scope := region.Prefix(a.Scope())
	if f.Region != "" && a.InScope(f.Region) {
		scope = region.Prefix(f.Region)
	}
	today := s.now()
	counts := map[string]int{}
	rows, err := s.db.QueryContext(ctx, `SELECT id, certificates, tier, listed, proposed_tier FROM enterprises
		WHERE region_code LIKE ? ORDER BY name, id`, scope+"%")
	if err != nil {
		return PoolBoard{}, fmt.Errorf("pool counts: %w", err)
	}
	var pendingIDs []int64
	for rows.Next() {
		var e Enterprise
		var certs string
		if err := rows.Scan(&e.ID, &certs, &e.Tier, &e.Listed, &e.ProposedTier); err != nil {
			rows.Close()
			return PoolBoard{}, err
		}
		if err := json.Unmarshal([]byte(certs), &e.Certificates); err != nil {
			rows.Close()
			return PoolBoard{}, fmt.Errorf("enterprise %d certificates: %w", e.ID, err)
		}
		counts[e.Standing(today).Tier]++
		if e.PendingProposal(today) != "" {
			pendingIDs = append(pendingIDs, e.ID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return PoolBoard{}, err
	}
	board := PoolBoard{Pending: []Enterprise{}, PendingTotal: len(pendingIDs), Page: f.Page, PerPage: f.PerPage}
	for _, t := range append([]string{""}, Tiers...) {
		board.Counts = append(board.Counts, TierCount{Tier: t, Count: counts[t]})
	}
	from := (f.Page - 1) * f.PerPage
	if from >= len(pendingIDs) {
		return board, nil
	}
	for _, id := range pendingIDs[from:min(from+f.PerPage, len(pendingIDs))] {
		e, err := getEnterprise(ctx, s.db, id)
		if err != nil {
			return PoolBoard{}, err
		}
		board.Pending = append(board.Pending, e.MaskContact()) // a list: contacts masked, as FindEnterprises does
	}
	return board, nil
}

// MaxBulkDecisions caps the enterprises one bulk decision may name.
const MaxBulkDecisions = 200

// CanDecideProposals reports whether the actor may confirm or reject pool
// proposals (ConfirmTier, DecideProposals): bureau and county staff, each
// for the firms of its region.
func (s *Service) CanDecideProposals(a account.Actor) bool { return isStaff(a) }

// BulkResult says what a bulk decision did: Decided firms had a pending
// proposal and got the decision, Skipped ones had none any more (decided
// meanwhile, or overtaken by a certificate).
type BulkResult struct {
	Decided int `json:"decided"`
	Skipped int `json:"skipped"`
}

// DecideProposals confirms (confirm true) or rejects the pending proposal of
// each enterprise in ids, in one transaction, with an audit row per firm
// ("pool.confirm" or "pool.reject"). Confirming sets the proposed tier as the
// confirmed one and records it in the pool history; rejecting clears the
// proposal until the next assessment. An id outside the actor's scope makes
// the whole batch NotFound; an empty or oversized list is Invalid on "ids".
func (s *Service) DecideProposals(ctx context.Context, a account.Actor, ids []int64, confirm bool, note string) (BulkResult, error) {
	note = strings.TrimSpace(note)
	var fields []apperr.FieldError
	if len(ids) == 0 {
		fields = append(fields, apperr.Field("ids", "cultivation.bulk_none"))
	} else if len(ids) > MaxBulkDecisions {
		fields = append(fields, apperr.Field("ids", "cultivation.bulk_too_many", MaxBulkDecisions))
	}
	if utf8.RuneCountInString(note) > maxNote {
		fields = append(fields, apperr.Field("note", "error.too_long", maxNote))
	}
	if len(fields) > 0 {
		return BulkResult{}, apperr.Fields(fields...)
	}
	if !s.CanDecideProposals(a) {
		return BulkResult{}, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	var res BulkResult
	today := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		seen := map[int64]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			e, err := getEnterprise(ctx, tx, id)
			if err != nil {
				return err
			}
			if !canRead(a, e) || !canManage(a, e.RegionCode) {
				return apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
			}
			proposed := e.PendingProposal(today)
			if proposed == "" {
				res.Skipped++
				continue
			}
			if confirm {
				if err := confirmTier(ctx, tx, a, e, proposed, note, today); err != nil {
					return err
				}
			} else {
				if _, err := tx.ExecContext(ctx, "UPDATE enterprises SET proposed_tier = '', updated_at = ? WHERE id = ?", sqldb.At(today), id); err != nil {
					return err
				}
				if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "pool.reject", ObjectType: "enterprise", ObjectID: idText(id),
					ObjectName: e.Name, RegionCode: e.RegionCode, Before: map[string]string{"proposed": proposed},
					After: map[string]string{"proposed": "", "note": note}}); err != nil {
					return err
				}
			}
			res.Decided++
		}
		return nil
	})
	if err != nil {
		return BulkResult{}, err
	}
	return res, nil
}
