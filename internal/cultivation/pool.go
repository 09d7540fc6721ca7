package cultivation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
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

// ConfirmTier records the tier staff confirm for an enterprise, usually the
// one its assessment proposed, and keeps the change in the pool history.
func (s *Service) ConfirmTier(ctx context.Context, a account.Actor, id int64, tier, note string) error {
	tier, note = strings.TrimSpace(tier), strings.TrimSpace(note)
	if !validTier(tier) {
		return apperr.Fields(apperr.Field("tier", "cultivation.tier_invalid"))
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
		basis := "manual"
		if tier == e.ProposedTier {
			basis = "assessment"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pool_entries (enterprise_id, tier, previous_tier, basis, note, confirmed_by, confirmed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, tier, e.Tier, basis, note, a.UserID, sqldb.At(s.now())); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE enterprises SET tier = ?, updated_at = ? WHERE id = ?", tier, sqldb.At(s.now()), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "pool.confirm", ObjectType: "enterprise", ObjectID: idText(id), ObjectName: e.Name,
			RegionCode: e.RegionCode, Before: map[string]string{"tier": e.Tier}, After: map[string]string{"tier": tier, "basis": basis, "note": note}})
	})
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

// PoolBoard is the pool at a glance: confirmed counts per tier, and the
// enterprises whose assessment proposes a tier staff have not confirmed.
type PoolBoard struct {
	Counts  []TierCount  `json:"counts"`
	Pending []Enterprise `json:"pending"`
}

// TierCount is the number of enterprises confirmed in a tier ("" = none yet).
type TierCount struct {
	Tier  string `json:"tier"`
	Count int    `json:"count"`
}

// PoolBoard returns the board for the actor's region, optionally narrowed to
// regionCode. Pending lists at most 100 enterprises.
func (s *Service) PoolBoard(ctx context.Context, a account.Actor, regionCode string) (PoolBoard, error) {
	if !s.CanViewPool(a) {
		return PoolBoard{}, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	scope := region.Prefix(a.Scope())
	if regionCode != "" && a.InScope(regionCode) {
		scope = region.Prefix(regionCode)
	}
	counts := map[string]int{}
	rows, err := s.db.QueryContext(ctx, "SELECT tier, COUNT(*) FROM enterprises WHERE region_code LIKE ? GROUP BY tier", scope+"%")
	if err != nil {
		return PoolBoard{}, err
	}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return PoolBoard{}, err
		}
		counts[t] = n
	}
	rows.Close()
	board := PoolBoard{Pending: []Enterprise{}}
	for _, t := range append([]string{""}, Tiers...) {
		board.Counts = append(board.Counts, TierCount{Tier: t, Count: counts[t]})
	}
	prow, err := s.db.QueryContext(ctx, "SELECT "+enterpriseColumns+` FROM enterprises WHERE region_code LIKE ?
		AND proposed_tier <> '' AND proposed_tier <> tier ORDER BY name LIMIT 100`, scope+"%")
	if err != nil {
		return PoolBoard{}, err
	}
	defer prow.Close()
	for prow.Next() {
		e, err := scanEnterprise(prow, pii.From(s.db))
		if err != nil {
			return PoolBoard{}, err
		}
		board.Pending = append(board.Pending, e)
	}
	return board, prow.Err()
}
