package market

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/sqldb"
)

// Notice is one in-app message to a user (站内信).
type Notice struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Link      string    `json:"link"`
	ReadAt    time.Time `json:"read_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

// Unread reports whether the notice has not been read.
func (n Notice) Unread() bool { return n.ReadAt.IsZero() }

func insertNotice(ctx context.Context, tx *sqldb.Tx, userID int64, n Notice, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notices (user_id, kind, title, body, link, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		userID, n.Kind, n.Title, n.Body, n.Link, sqldb.At(now))
	if err != nil {
		return fmt.Errorf("insert notice: %w", err)
	}
	return nil
}

func findNotices(ctx context.Context, db *sqldb.DB, userID int64, page, perPage int) ([]Notice, int, error) {
	var total int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM notices WHERE user_id = ?", userID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count notices: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT id, kind, title, body, link, read_at, created_at FROM notices
		WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`, userID, perPage, (page-1)*perPage)
	if err != nil {
		return nil, 0, fmt.Errorf("find notices: %w", err)
	}
	defer rows.Close()
	out := []Notice{}
	for rows.Next() {
		var n Notice
		var readAt, created sqldb.Time
		if err := rows.Scan(&n.ID, &n.Kind, &n.Title, &n.Body, &n.Link, &readAt, &created); err != nil {
			return nil, 0, err
		}
		n.ReadAt, n.CreatedAt = readAt.Time, created.Time
		out = append(out, n)
	}
	return out, total, rows.Err()
}

func countUnread(ctx context.Context, q sqldb.Querier, userID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM notices WHERE user_id = ? AND read_at IS NULL", userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unread notices: %w", err)
	}
	return n, nil
}
