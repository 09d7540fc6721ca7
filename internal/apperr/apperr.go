package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error by what the caller can do about it.
type Kind string

// The kinds, with the HTTP status web maps them to in parentheses.
const (
	Invalid         Kind = "invalid"         // bad input (422)
	NotFound        Kind = "not-found"       // absent or outside the actor's scope (404)
	Conflict        Kind = "conflict"        // duplicate or stale state (409)
	Forbidden       Kind = "forbidden"       // role lacks the permission (403)
	Unauthenticated Kind = "unauthenticated" // no valid session (401)
	Locked          Kind = "locked"          // account temporarily locked (423)
	TooMany         Kind = "too-many"        // too many attempts or a busy server: try again later (429)
	Internal        Kind = "internal"        // a bug or an outage (500)
)

// FieldError names one bad field, optionally in one row of an import.
type FieldError struct {
	Row   int    `json:"row,omitempty"` // 1-based data row; 0 when not an import
	Field string `json:"field"`
	Key   string `json:"key"` // i18n message key
	Args  []any  `json:"-"`
}

// Error is the error type shared by domain packages and web.
type Error struct {
	Kind   Kind
	Key    string // i18n message key, e.g. "account.password_too_short"
	Args   []any
	Fields []FieldError
	Cause  error
	// RetryAfter, when positive, is how long the caller should wait before
	// trying again (Locked, TooMany); web sends it as Retry-After.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	msg := string(e.Kind) + ": " + e.Key
	if len(e.Args) > 0 {
		msg += fmt.Sprint(e.Args)
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// New returns an error of the kind with a message key and its arguments.
func New(kind Kind, key string, args ...any) *Error {
	return &Error{Kind: kind, Key: key, Args: args}
}

// Retry returns e with RetryAfter set to d, for chaining after New.
func (e *Error) Retry(d time.Duration) *Error {
	e.RetryAfter = d
	return e
}

// Wrap returns an error of the kind that wraps cause.
func Wrap(kind Kind, cause error, key string, args ...any) *Error {
	return &Error{Kind: kind, Key: key, Args: args, Cause: cause}
}

// Fields returns an Invalid error listing every bad field.
func Fields(fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Key: "error.invalid_fields", Fields: fields}
}

// Field is a shorthand for one FieldError.
func Field(field, key string, args ...any) FieldError {
	return FieldError{Field: field, Key: key, Args: args}
}

// KindOf returns the kind of the first *Error in err's chain, Internal when
// there is none, and "" for a nil error.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err's kind is kind.
func Is(err error, kind Kind) bool { return KindOf(err) == kind }

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
