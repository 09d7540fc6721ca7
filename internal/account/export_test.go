package account

import "time"

// TOTPCode returns the code an authenticator shows at now for the base32
// secret, for tests that play the authenticator.
func TOTPCode(secret string, now time.Time) string {
	key, err := base32NoPad.DecodeString(secret)
	if err != nil {
		panic(err)
	}
	return hotp(key, totpStep(now), totpDigits)
}

// FillHashSlots takes every password-hashing slot and returns the release.
func (s *Service) FillHashSlots() func() {
	for range cap(s.hashSlots) {
		s.hashSlots <- struct{}{}
	}
	return func() {
		for range cap(s.hashSlots) {
			<-s.hashSlots
		}
	}
}
