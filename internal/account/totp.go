package account

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP (RFC 6238) as every authenticator app implements it: HMAC-SHA-1,
// six digits, 30-second steps. Codes of the step before and after are
// accepted for clock drift; a step once accepted is never accepted again.
const (
	totpDigits = 6
	totpPeriod = 30 // seconds
	totpSkew   = 1  // steps either side
	// totpSecretLen is 160 bits, the length RFC 4226 recommends.
	totpSecretLen = 20
	// totpIssuer names the platform in authenticator apps.
	totpIssuer = "Kechuang"
)

var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// totpStep returns the time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// hotp returns the code of counter under key with digits digits (RFC 4226
// section 5.3, which RFC 6238 applies to time steps).
func hotp(key []byte, counter int64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// matchTOTP returns the step within totpSkew of now whose code is code and
// that is later than after, or 0 when there is none.
func matchTOTP(key []byte, code string, now time.Time, after int64) int64 {
	if len(code) != totpDigits {
		return 0
	}
	step := totpStep(now)
	for s := step - totpSkew; s <= step+totpSkew; s++ {
		if s > after && hmac.Equal([]byte(hotp(key, s, totpDigits)), []byte(code)) {
			return s
		}
	}
	return 0
}

// totpURI is the otpauth:// URI an authenticator app reads from the QR
// code (the Key Uri Format of Google Authenticator, which others follow).
func totpURI(username string, key []byte) string {
	label := url.PathEscape(totpIssuer + ":" + username)
	v := url.Values{}
	v.Set("secret", base32NoPad.EncodeToString(key))
	v.Set("issuer", totpIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", fmt.Sprint(totpDigits))
	v.Set("period", fmt.Sprint(totpPeriod))
	return "otpauth://totp/" + label + "?" + v.Encode()
}

// normalizeCode removes the spaces and dashes people type into codes and
// lower-cases them.
func normalizeCode(code string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(strings.TrimSpace(code)))
}
