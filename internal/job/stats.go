package job

import (
	"context"
	"fmt"
)

// Count is how many jobs of one kind are in one state.
type Count struct {
	Kind  string
	State State
	N     int
}

// Counts returns how many jobs of each kind are queued, running and failed
// (done jobs are not counted: they only grow), for the operations metrics.
func (s *Service) Counts(ctx context.Context) ([]Count, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT kind, state, COUNT(*) FROM jobs WHERE state <> ? GROUP BY kind, state ORDER BY kind, state", Done)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Kind, &c.State, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Kinds returns the registered job kinds, sorted.
func (s *Service) Kinds() []string { return s.kinds() }
