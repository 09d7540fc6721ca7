package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	cause := errors.New("driver: unique violation")
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{name: "nil", err: nil, want: ""},
		{name: "plain error is internal", err: cause, want: Internal},
		{name: "direct", err: New(NotFound, "x"), want: NotFound},
		{name: "wrapped with %w", err: fmt.Errorf("get user: %w", Wrap(Conflict, cause, "dup")), want: Conflict},
		{name: "fields", err: Fields(Field("username", "required")), want: Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestWrapKeepsCause(t *testing.T) {
	t.Parallel()
	cause := errors.New("boom")
	err := fmt.Errorf("outer: %w", Wrap(Internal, cause, "k"))
	if !errors.Is(err, cause) {
		t.Errorf("errors.Is(err, cause) = false, want true")
	}
	if e := As(err); e == nil || e.Key != "k" {
		t.Errorf("As(err) = %v, want key k", e)
	}
}
