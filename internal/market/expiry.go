package market

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"kechuang/internal/audit"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

// ExpiryNotice is how long before its expiry the owner of a published
// listing is told to renew it.
const ExpiryNotice = 30 * 24 * time.Hour

// NotifyExpiring sends the owner of every published listing that expires
// within ExpiryNotice (or has expired) one notice per validity period, and
// returns how many it sent. Several nodes may run it at once: the mark is
// claimed with a conditional UPDATE, so a listing is noticed only once.
func (s *Service) NotifyExpiring(ctx context.Context) (int, error) {
	now := s.now()
	type due struct {
		id, owner int64
		kind      Kind
		title     string
		region    string
		expires   sqldb.Time
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, owner_id, kind, title, region_code, expires_at FROM listings
		WHERE state = ? AND expiry_notified = ? AND expires_at <= ? ORDER BY id`, Published, false, sqldb.FormatTime(now.Add(ExpiryNotice)))
	if err != nil {
		return 0, fmt.Errorf("find expiring listings: %w", err)
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.owner, &d.kind, &d.title, &d.region, &d.expires); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range list {
		err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			res, err := tx.ExecContext(ctx, "UPDATE listings SET expiry_notified = ? WHERE id = ? AND expiry_notified = ?", true, d.id, false)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // another node got there first
			}
			day := d.expires.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
			if err := notice.Send(ctx, tx, notice.Message{To: d.owner, Kind: "listing.expiring", Key: "market.notice.expiring",
				Args: []notice.Arg{kindArg(d.kind), notice.Text(d.title), notice.Text(day)}, Link: Link(d.id), At: now}); err != nil {
				return err
			}
			sent++
			return audit.Record(ctx, tx, audit.System, audit.Event{Action: "listing.expiry_notice", ObjectType: "listing",
				ObjectName: d.title, ObjectID: idText(d.id), RegionCode: d.region, After: map[string]string{"expires": day}})
		})
		if err != nil {
			return sent, fmt.Errorf("expiry notice for listing %d: %w", d.id, err)
		}
	}
	return sent, nil
}

// NotifyExpiringEvery runs NotifyExpiring every interval until ctx ends.
func (s *Service) NotifyExpiringEvery(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.NotifyExpiring(ctx); err != nil && ctx.Err() == nil {
			log.Warn("expiry notices", "err", err)
		} else if n > 0 {
			log.Info("expiry notices sent", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
