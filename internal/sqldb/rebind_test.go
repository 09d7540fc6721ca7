package sqldb

import "testing"

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    Dialect
		in   string
		want string
	}{
		{name: "sqlite untouched", d: SQLite, in: "a = ? AND b = ?", want: "a = ? AND b = ?"},
		{name: "postgres numbered", d: Postgres, in: "a = ? AND b = ?", want: "a = $1 AND b = $2"},
		{name: "quoted question mark kept", d: Postgres, in: "a = '?' AND b = ?", want: "a = '?' AND b = $1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rebind(tt.d, tt.in); got != tt.want {
				t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
