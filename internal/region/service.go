package region

import (
	"context"
	"fmt"
	"io/fs"

	"kechuang/internal/apperr"
	"kechuang/internal/sqldb"
)

// Service reads and loads regions.
type Service struct {
	db *sqldb.DB
}

// NewService returns a Service on db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db} }

// EnsureLoaded fills the regions table from fsys when it is empty, and
// returns how many rows it inserted.
func (s *Service) EnsureLoaded(ctx context.Context, fsys fs.FS) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM regions").Scan(&n); err != nil {
		return 0, fmt.Errorf("count regions: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	regions, err := Load(fsys)
	if err != nil {
		return 0, fmt.Errorf("load regions: %w", err)
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, r := range regions {
			// Two nodes starting at once on an empty database both load
			// the tables; the second waits for the first and adds nothing.
			if _, err := tx.ExecContext(ctx, "INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
				r.Code, r.Name, r.Level, r.ParentCode); err != nil {
				return fmt.Errorf("insert region %s: %w", r.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(regions), nil
}

// Get returns the region with code, or apperr.NotFound.
func (s *Service) Get(ctx context.Context, code string) (Region, error) {
	var r Region
	err := s.db.QueryRowContext(ctx, "SELECT code, name, level, parent_code FROM regions WHERE code = ?", code).
		Scan(&r.Code, &r.Name, &r.Level, &r.ParentCode)
	if sqldb.IsNoRows(err) {
		return Region{}, apperr.New(apperr.NotFound, "region.not_found", code)
	}
	if err != nil {
		return Region{}, fmt.Errorf("get region %s: %w", code, err)
	}
	return r, nil
}

// Children returns the direct subdivisions of code in code order; the empty
// code returns the provinces.
func (s *Service) Children(ctx context.Context, code string) ([]Region, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT code, name, level, parent_code FROM regions WHERE parent_code = ? ORDER BY code", code)
	if err != nil {
		return nil, fmt.Errorf("list regions under %s: %w", code, err)
	}
	defer rows.Close()
	var out []Region
	for rows.Next() {
		var r Region
		if err := rows.Scan(&r.Code, &r.Name, &r.Level, &r.ParentCode); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FullName returns the names from province down to code, e.g. "江苏省 苏州市
// 虎丘区"; an unknown code returns the code itself.
func (s *Service) FullName(ctx context.Context, code string) string {
	var names []string
	for c := code; c != ""; {
		r, err := s.Get(ctx, c)
		if err != nil {
			break
		}
		names = append([]string{r.Name}, names...)
		c = r.ParentCode
	}
	if len(names) == 0 {
		return code
	}
	out := names[0]
	for _, n := range names[1:] {
		if n == "市辖区" || n == "县" {
			continue
		}
		out += " " + n
	}
	return out
}
