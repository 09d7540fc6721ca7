package project

import (
	"context"

	"kechuang/internal/sqldb"
)

// scanner is a row to scan: *sql.Row or *sql.Rows.
type scanner = interface{ Scan(...any) error }

// queryAll runs query and scans every row with scan; no rows is an empty,
// non-nil slice.
func queryAll[T any](ctx context.Context, q sqldb.Querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanID(r scanner) (int64, error) {
	var id int64
	err := r.Scan(&id)
	return id, err
}

// findPage returns one page of the rows of from+cond (from holds the FROM
// clause and its joins, which must not multiply rows) in order, and their
// total.
func findPage[T any](ctx context.Context, q sqldb.Querier, columns, from, cond, order string, args []any, page, perPage int,
	scan func(scanner) (T, error)) ([]T, int, error) {
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*)"+from+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	paged := append(append([]any{}, args...), perPage, (page-1)*perPage)
	list, err := queryAll(ctx, q, scan, "SELECT "+columns+from+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?", paged...)
	return list, total, err
}
