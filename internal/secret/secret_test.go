package secret

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	k := NewKey()
	sealed, err := k.Seal([]byte("JBSWY3DPEHPK3PXP"), "user_mfa:1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "JBSWY3DP") {
		t.Fatalf("Seal = %q contains the plaintext", sealed)
	}
	got, err := k.Open(sealed, "user_mfa:1")
	if err != nil || string(got) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("Open = %q, %v, want the plaintext", got, err)
	}
	tests := []struct {
		name   string
		key    Key
		sealed string
		ad     string
	}{
		{name: "another row", key: k, sealed: sealed, ad: "user_mfa:2"},
		{name: "another key", key: NewKey(), sealed: sealed, ad: "user_mfa:1"},
		{name: "changed byte", key: k, sealed: flip(sealed), ad: "user_mfa:1"},
		{name: "not base64", key: k, sealed: "!!", ad: "user_mfa:1"},
		{name: "no key", key: Key{}, sealed: sealed, ad: "user_mfa:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.key.Open(tt.sealed, tt.ad); err == nil {
				t.Errorf("Open(%s) succeeded, want an error", tt.name)
			}
		})
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[len(b)-2] == 'A' {
		b[len(b)-2] = 'B'
	} else {
		b[len(b)-2] = 'A'
	}
	return string(b)
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	k := NewKey()
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{name: "base64", in: k.String()},
		{name: "base64 with newline", in: k.String() + "\n"},
		{name: "hex", in: strings.Repeat("ab", 32)},
		{name: "short", in: "abc", wantErr: true},
		{name: "zero", in: strings.Repeat("00", 32), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKey(tt.in)
			if (err != nil) != tt.wantErr {
				t.Errorf("ParseKey(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestLoadOrCreate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "secret.key")
	k1, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreate = %v, created %v; want a new key", err, created)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	k2, created, err := LoadOrCreate(path)
	if err != nil || created || k2 != k1 {
		t.Fatalf("second LoadOrCreate = %v, created %v, same %v; want the same key read back", err, created, k2 == k1)
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreate(path); err == nil {
		t.Error("LoadOrCreate on a bad file succeeded, want an error")
	}
}
