package market

import (
	"context"

	"kechuang/internal/sqldb"
)

// CheckAttachment checks an uploaded file as listing attachments are
// checked (not empty, at most MaxAttachmentBytes, a PDF, PNG, JPEG or WebP
// by its bytes and its name) and returns its sniffed content type; other
// modules' uploads use it so that one rule bounds every file.
func CheckAttachment(filename string, data []byte) (string, error) {
	return checkAttachment(filename, data)
}

// HaveDealt reports whether the two users were the two sides of a deal
// that got as far as a signature (signed or registered), in either role:
// a past deal that makes one a conflicted reviewer of the other.
func HaveDealt(ctx context.Context, q sqldb.Querier, a, b int64) (bool, error) {
	if a == 0 || b == 0 {
		return false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM deals WHERE state IN ('signed', 'registered')
		AND ((owner_id = ? AND member_id = ?) OR (owner_id = ? AND member_id = ?))`, a, b, b, a).Scan(&n)
	return n > 0, err
}
