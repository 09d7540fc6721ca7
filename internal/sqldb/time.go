package sqldb

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// timeLayout is fixed-width so that text order is time order on both
// databases.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Time is a UTC instant stored as fixed-width text ("2026-11-23T16:30:00.000000Z").
// The zero Time is stored as NULL.
type Time struct{ time.Time }

// At wraps t.
func At(t time.Time) Time { return Time{t.UTC()} }

// FormatTime formats t the way Time stores it, for comparisons in SQL.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// Value implements driver.Valuer.
func (t Time) Value() (driver.Value, error) {
	if t.IsZero() {
		return nil, nil
	}
	return FormatTime(t.Time), nil
}

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.Time = time.Time{}
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	case time.Time:
		t.Time = v.UTC()
		return nil
	}
	return fmt.Errorf("sqldb.Time: cannot scan %T", src)
}

func (t *Time) parse(s string) error {
	v, err := time.Parse(timeLayout, s)
	if err != nil {
		v, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("sqldb.Time: %w", err)
		}
	}
	t.Time = v.UTC()
	return nil
}
