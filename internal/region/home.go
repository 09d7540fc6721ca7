package region

import (
	"context"
	"fmt"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// homeRegionKey is the settings row that holds the home region.
const homeRegionKey = "home_region"

// HomeRegion returns the instance's home region (the city or county it
// serves, e.g. 320500), or "" when none is configured. Pages and services
// must cope with "": a fresh server starts without one.
func (s *Service) HomeRegion(ctx context.Context) (string, error) {
	var code string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", homeRegionKey).Scan(&code)
	if sqldb.IsNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read home region: %w", err)
	}
	return code, nil
}

// SetHomeRegion makes code the instance's home region. code must be a city-
// or county-level region of the loaded tables: anything else is an
// apperr.Invalid on the field home_region, and nothing changes. A change is
// audited (home_region.set) in the same transaction; setting the stored
// value again writes nothing. Who may call is the caller's decision: today
// only the command line, as audit.System.
func (s *Service) SetHomeRegion(ctx context.Context, who audit.Actor, code string) error {
	if !ValidCode(code) {
		return apperr.Fields(apperr.Field("home_region", "region.code_format"))
	}
	r, err := s.Get(ctx, code)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Fields(apperr.Field("home_region", "region.not_found", code))
	}
	if err != nil {
		return err
	}
	if r.Level != City && r.Level != County {
		return apperr.Fields(apperr.Field("home_region", "region.home_level", r.Name))
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", homeRegionKey).Scan(&old)
		if err != nil && !sqldb.IsNoRows(err) {
			return fmt.Errorf("read home region: %w", err)
		}
		if old == code {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, homeRegionKey, code); err != nil {
			return fmt.Errorf("store home region: %w", err)
		}
		var before any
		if old != "" {
			before = map[string]string{"home_region": old}
		}
		return audit.Record(ctx, tx, who, audit.Event{Action: "home_region.set", ObjectType: "setting", ObjectID: homeRegionKey,
			RegionCode: code, Before: before, After: map[string]string{"home_region": code}})
	})
}
