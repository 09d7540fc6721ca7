package account

import (
	"strings"
	"testing"
	"time"
)

// TestHOTPMatchesRFC6238 checks the SHA-1 test vectors of RFC 6238,
// appendix B (eight digits, key "12345678901234567890").
func TestHOTPMatchesRFC6238(t *testing.T) {
	t.Parallel()
	key := []byte("12345678901234567890")
	tests := []struct {
		name string
		unix int64
		want string
	}{
		{name: "59", unix: 59, want: "94287082"},
		{name: "1111111109", unix: 1111111109, want: "07081804"},
		{name: "1111111111", unix: 1111111111, want: "14050471"},
		{name: "1234567890", unix: 1234567890, want: "89005924"},
		{name: "2000000000", unix: 2000000000, want: "69279037"},
		{name: "20000000000", unix: 20000000000, want: "65353130"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hotp(key, totpStep(time.Unix(tt.unix, 0)), 8); got != tt.want {
				t.Errorf("hotp(T=%d) = %s, want %s", tt.unix, got, tt.want)
			}
		})
	}
}

func TestMatchTOTP(t *testing.T) {
	t.Parallel()
	key := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	step := totpStep(now)
	tests := []struct {
		name  string
		code  string
		after int64
		want  int64
	}{
		{name: "this step", code: hotp(key, step, 6), want: step},
		{name: "previous step (drift)", code: hotp(key, step-1, 6), want: step - 1},
		{name: "next step (drift)", code: hotp(key, step+1, 6), want: step + 1},
		{name: "two steps ago", code: hotp(key, step-2, 6), want: 0},
		{name: "replayed", code: hotp(key, step, 6), after: step, want: 0},
		{name: "wrong length", code: "12345", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchTOTP(key, tt.code, now, tt.after); got != tt.want {
				t.Errorf("matchTOTP(%s) = %d, want %d", tt.code, got, tt.want)
			}
		})
	}
}

func TestTOTPURI(t *testing.T) {
	t.Parallel()
	got := totpURI("wang", []byte("12345678901234567890"))
	for _, want := range []string{"otpauth://totp/Kechuang:wang?", "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "issuer=Kechuang", "digits=6", "period=30"} {
		if !strings.Contains(got, want) {
			t.Errorf("totpURI = %s, want it to contain %s", got, want)
		}
	}
}
