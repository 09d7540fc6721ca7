package workday

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// Layout is how a Date is written: "2026-02-24".
const Layout = "2006-01-02"

// Beijing is China Standard Time (UTC+8, no daylight saving), the zone in
// which a deadline's day begins and ends.
var Beijing = time.FixedZone("CST", 8*3600)

// Date is a calendar day. The zero Date means "no date"; it is written as
// null in JSON and NULL in SQL. Dates compare with ==, Before and After.
type Date struct {
	t time.Time // midnight UTC of the day; the zero time for the zero Date
}

// NewDate returns the day y-m-d; out-of-range values normalise as
// time.Date does (January 32 is February 1).
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DateOf returns the day on which the instant t falls in Beijing.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Beijing).Date()
	return NewDate(y, m, d)
}

// ParseDate reads "YYYY-MM-DD"; "" is the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MustParseDate is ParseDate for constants; it panics on a bad date.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String returns "YYYY-MM-DD", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(Layout)
}

// Year returns the year.
func (d Date) Year() int { return d.t.Year() }

// Month returns the month.
func (d Date) Month() time.Month { return d.t.Month() }

// Day returns the day of the month.
func (d Date) Day() int { return d.t.Day() }

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }

// AddDays returns the day n calendar days after d (before, for negative n).
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// AddMonths returns the day n months after d, normalised as time.AddDate
// does (January 31 plus one month is March 3 or 2).
func (d Date) AddMonths(n int) Date { return Date{d.t.AddDate(0, n, 0)} }

// DaysUntil returns the number of calendar days from d to e: 1 when e is the
// next day, negative when e lies before d.
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

// Before reports whether d lies before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d lies after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// Start returns the instant d begins in Beijing.
func (d Date) Start() time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, Beijing)
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

var dateType = reflect.TypeFor[Date]()

// UnmarshalJSON reads "YYYY-MM-DD" or null. A bad date is a
// *json.UnmarshalTypeError, so that the decoder names the field.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: dateType}
	}
	v, err := ParseDate(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: strconv.Quote(s), Type: dateType}
	}
	*d = v
	return nil
}

// Value implements driver.Valuer: "YYYY-MM-DD" text, NULL for the zero Date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan implements sql.Scanner for text columns (and PostgreSQL dates).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		p, err := ParseDate(v)
		*d = p
		return err
	case []byte:
		p, err := ParseDate(string(v))
		*d = p
		return err
	case time.Time:
		*d = NewDate(v.Date())
		return nil
	}
	return fmt.Errorf("workday.Date: cannot scan %T", src)
}
