package account_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/region"
	"kechuang/internal/secret"
	"kechuang/internal/sqldb"
)

// newServiceWith is newService with cfg on top of the test defaults.
func newServiceWith(t *testing.T, db *sqldb.DB, cfg account.Config) (*account.Service, *clock) {
	t.Helper()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(context.Background(), data.FS); err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	cfg.Now, cfg.Hash = c.Now, fastHash
	if cfg.SecretKey.IsZero() {
		cfg.SecretKey = secret.NewKey()
	}
	return account.NewService(db, rs, cfg), c
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) *apperr.Error {
	t.Helper()
	if got := apperr.KindOf(err); got != kind {
		t.Fatalf("%s: error = %v, want kind %s", what, err, kind)
	}
	return apperr.As(err)
}

// TestLockIsPerAddress guards issue #18 §2: five anonymous requests from
// one address locked admin for everyone.
func TestLockIsPerAddress(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newServiceWith(t, db, account.Config{MFARoles: []account.Role{}})
		ctx := context.Background()
		mustCreate(t, s, account.NewUser{Username: "boss", Role: account.RoleAdmin})
		for i := 1; i <= 4; i++ {
			_, _, err := s.Login(ctx, "boss", "wrong-Password-1", "203.0.113.9", "")
			wantKind(t, fmt.Sprintf("failure %d", i), err, apperr.Unauthenticated)
		}
		_, _, err := s.Login(ctx, "boss", "wrong-Password-1", "203.0.113.9", "")
		if e := wantKind(t, "fifth failure", err, apperr.Locked); e.RetryAfter <= 0 {
			t.Errorf("fifth failure RetryAfter = %v, want > 0", e.RetryAfter)
		}
		_, _, err = s.Login(ctx, "boss", "Kechuang-2026", "203.0.113.9", "")
		wantKind(t, "right password from the attacking address", err, apperr.Locked)
		if _, _, err := s.Login(ctx, "boss", "Kechuang-2026", "198.51.100.7", ""); err != nil {
			t.Fatalf("right password from another address = %v, want a session", err)
		}
		// A name without an account is throttled the same way, so the
		// answers do not tell which names exist.
		for i := 1; i <= 5; i++ {
			_, _, err = s.Login(ctx, "nobody", "wrong-Password-1", "203.0.113.9", "")
		}
		wantKind(t, "fifth failure of an unknown name", err, apperr.Locked)
	})
}

func TestAccountWideLockNotifiesSecurity(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		var mu sync.Mutex
		var told []string
		cfg := account.Config{MFARoles: []account.Role{}, AccountLockAfter: 8,
			OnAccountLocked: func(ctx context.Context, tx *sqldb.Tx, locked account.User, to int64) error {
				mu.Lock()
				defer mu.Unlock()
				told = append(told, fmt.Sprintf("%s→%d", locked.Username, to))
				return nil
			}}
		s, c := newServiceWith(t, db, cfg)
		ctx := context.Background()
		sec1 := mustCreate(t, s, account.NewUser{Username: "sec1", Role: account.RoleSecurity})
		sec2 := mustCreate(t, s, account.NewUser{Username: "sec2", Role: account.RoleSecurity})
		mustCreate(t, s, account.NewUser{Username: "target", Role: account.RoleStaff, RegionCode: "320500"})
		// Eight failures from four addresses, two each: no address is locked
		// out, but together they lock the account for everyone.
		var err error
		for i := range 8 {
			_, _, err = s.Login(ctx, "target", "wrong-Password-1", fmt.Sprintf("192.0.2.%d", i%4), "")
		}
		wantKind(t, "eighth failure", err, apperr.Locked)
		_, _, err = s.Login(ctx, "target", "Kechuang-2026", "198.51.100.200", "")
		wantKind(t, "right password from a fresh address while locked", err, apperr.Locked)
		want := fmt.Sprintf("target→%d target→%d", sec1.ID, sec2.ID)
		if got := strings.Join(told, " "); got != want {
			t.Errorf("security administrators told = %q, want %q (once each)", got, want)
		}
		var locks int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'user.lock'").Scan(&locks); err != nil || locks != 1 {
			t.Errorf("user.lock audit rows = %d, %v; want 1", locks, err)
		}
		c.Add(15*time.Minute + time.Second)
		if _, _, err := s.Login(ctx, "target", "Kechuang-2026", "198.51.100.200", ""); err != nil {
			t.Errorf("login after the lock = %v", err)
		}
	})
}

func TestThrottles(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		t.Run("per address over many names", func(t *testing.T) {
			s, _ := newServiceWith(t, db, account.Config{MFARoles: []account.Role{}, AddrLimit: 6})
			ctx := context.Background()
			var err error
			for i := range 6 {
				_, _, err = s.Login(ctx, fmt.Sprintf("spray%d", i), "wrong-Password-1", "203.0.113.50", "")
				wantKind(t, fmt.Sprintf("spray %d", i), err, apperr.Unauthenticated)
			}
			_, _, err = s.Login(ctx, "spray99", "wrong-Password-1", "203.0.113.50", "")
			if e := wantKind(t, "seventh name from one address", err, apperr.TooMany); e.RetryAfter <= 0 || e.RetryAfter > 15*time.Minute {
				t.Errorf("RetryAfter = %v, want within 15 minutes", e.RetryAfter)
			}
		})
		t.Run("per account per hour", func(t *testing.T) {
			s, c := newServiceWith(t, db, account.Config{MFARoles: []account.Role{}, HourlyLimit: 6, AccountLockAfter: 1000})
			ctx := context.Background()
			mustCreate(t, s, account.NewUser{Username: "hourly", Role: account.RoleInvestor})
			for i := range 6 {
				c.Add(5 * time.Minute)
				_, _, err := s.Login(ctx, "hourly", "wrong-Password-1", fmt.Sprintf("192.0.2.%d", i), "")
				wantKind(t, fmt.Sprintf("failure %d", i), err, apperr.Unauthenticated)
			}
			_, _, err := s.Login(ctx, "hourly", "Kechuang-2026", "192.0.2.100", "")
			wantKind(t, "seventh attempt in the hour", err, apperr.TooMany)
		})
	})
}

func TestHashSlotsRefuseAtOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, sqldb.SQLite)
	s, _ := newServiceWith(t, db, account.Config{MFARoles: []account.Role{}, HashConcurrency: 2})
	ctx := context.Background()
	mustCreate(t, s, account.NewUser{Username: "busy", Role: account.RoleInvestor})
	release := s.FillHashSlots()
	start := time.Now()
	_, _, err := s.Login(ctx, "busy", "Kechuang-2026", "127.0.0.1", "")
	if e := wantKind(t, "login while every slot is taken", err, apperr.TooMany); e.RetryAfter <= 0 {
		t.Errorf("RetryAfter = %v, want > 0", e.RetryAfter)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusal took %v, want at once", d)
	}
	release()
	if _, _, err := s.Login(ctx, "busy", "Kechuang-2026", "127.0.0.1", ""); err != nil {
		t.Errorf("login after the slots are free = %v", err)
	}
}

// enrol enrols u's second factor and returns its base32 secret and the
// recovery codes.
func enrol(t *testing.T, s *account.Service, a account.Actor, now time.Time) (string, []string) {
	t.Helper()
	ctx := context.Background()
	enr, err := s.BeginMFA(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmMFA(ctx, a, "000000"); !apperr.Is(err, apperr.Invalid) && account.TOTPCode(enr.Secret, now) != "000000" {
		t.Fatalf("ConfirmMFA(wrong code) = %v, want Invalid", err)
	}
	codes, err := s.ConfirmMFA(ctx, a, account.TOTPCode(enr.Secret, now))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != account.RecoveryCodeCount {
		t.Fatalf("recovery codes = %d, want %d", len(codes), account.RecoveryCodeCount)
	}
	return enr.Secret, codes
}

func TestSecondFactorLogin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, c := newServiceWith(t, db, account.Config{})
		ctx := context.Background()
		u := mustCreate(t, s, account.NewUser{Username: "kezhang", Role: account.RoleStaff, RegionCode: "320500"})

		// Staff must enrol: the password alone opens a session that may
		// only enrol.
		sess, actor, err := s.Login(ctx, "kezhang", "Kechuang-2026", "10.0.0.1", "")
		if err != nil || !actor.MustEnrolMFA {
			t.Fatalf("first login = %+v, %v; want a session that must enrol", actor, err)
		}
		if a, _, err := s.Authenticate(ctx, sess.Token); err != nil || !a.MustEnrolMFA {
			t.Fatalf("Authenticate before enrolment = %+v, %v; want MustEnrolMFA", a, err)
		}
		sec, codes := enrol(t, s, actor, c.Now())
		var stored string
		if err := db.QueryRowContext(ctx, "SELECT secret FROM user_mfa WHERE user_id = ?", u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToUpper(stored), sec[:12]) {
			t.Errorf("stored secret %q holds the plain secret", stored)
		}
		if a, _, err := s.Authenticate(ctx, sess.Token); err != nil || a.MustEnrolMFA {
			t.Fatalf("Authenticate after enrolment = %+v, %v; want no MustEnrolMFA", a, err)
		}

		// Now the password is only the first step.
		c.Add(time.Minute)
		_, _, err = s.Login(ctx, "kezhang", "Kechuang-2026", "10.0.0.1", "")
		var need *account.SecondFactorNeeded
		if !errors.As(err, &need) || need.Challenge == "" {
			t.Fatalf("login with password = %v, want SecondFactorNeeded", err)
		}
		_, _, err = s.LoginSecondFactor(ctx, need.Challenge, "123456", "10.0.0.1", "")
		wantKind(t, "wrong code", err, apperr.Unauthenticated)
		var failures int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM login_failures WHERE username = 'kezhang'").Scan(&failures); err != nil || failures != 1 {
			t.Errorf("failed second factor counted %d times, %v; want 1", failures, err)
		}
		code := account.TOTPCode(sec, c.Now())
		sess2, a2, err := s.LoginSecondFactor(ctx, need.Challenge, code, "10.0.0.1", "")
		if err != nil || sess2.Token == "" || a2.UserID != u.ID {
			t.Fatalf("right code = %+v, %v", a2, err)
		}
		// The challenge is spent and the code cannot be replayed.
		_, _, err = s.LoginSecondFactor(ctx, need.Challenge, code, "10.0.0.1", "")
		wantKind(t, "spent challenge", err, apperr.Unauthenticated)
		_, _, err = s.Login(ctx, "kezhang", "Kechuang-2026", "10.0.0.1", "")
		errors.As(err, &need)
		_, _, err = s.LoginSecondFactor(ctx, need.Challenge, code, "10.0.0.1", "")
		wantKind(t, "replayed code", err, apperr.Unauthenticated)

		// A recovery code works once.
		_, _, err = s.Login(ctx, "kezhang", "Kechuang-2026", "10.0.0.1", "")
		errors.As(err, &need)
		if _, _, err := s.LoginSecondFactor(ctx, need.Challenge, strings.ToUpper(codes[3]), "10.0.0.1", ""); err != nil {
			t.Fatalf("recovery code = %v", err)
		}
		_, _, err = s.Login(ctx, "kezhang", "Kechuang-2026", "10.0.0.1", "")
		errors.As(err, &need)
		_, _, err = s.LoginSecondFactor(ctx, need.Challenge, codes[3], "10.0.0.1", "")
		wantKind(t, "used recovery code", err, apperr.Unauthenticated)

		// A challenge expires.
		_, _, err = s.Login(ctx, "kezhang", "Kechuang-2026", "10.0.0.2", "")
		errors.As(err, &need)
		c.Add(6 * time.Minute)
		_, _, err = s.LoginSecondFactor(ctx, need.Challenge, account.TOTPCode(sec, c.Now()), "10.0.0.2", "")
		if e := wantKind(t, "late code", err, apperr.Unauthenticated); e.Key != "session.mfa_expired" {
			t.Errorf("late code key = %s, want session.mfa_expired", e.Key)
		}
	})
}

func TestResetMFA(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, c := newServiceWith(t, db, account.Config{})
		ctx := context.Background()
		sec := mustCreate(t, s, account.NewUser{Username: "sec", Role: account.RoleSecurity})
		adm := mustCreate(t, s, account.NewUser{Username: "adm", Role: account.RoleAdmin})
		u := mustCreate(t, s, account.NewUser{Username: "ent", Role: account.RoleEnterprise, RegionCode: "320583"})
		entActor := account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Region: u.RegionCode}
		enrol(t, s, entActor, c.Now())
		secActor := account.Actor{UserID: sec.ID, Username: sec.Username, Role: account.RoleSecurity}
		admActor := account.Actor{UserID: adm.ID, Username: adm.Username, Role: account.RoleAdmin}
		wantKind(t, "admin resets", s.ResetMFA(ctx, admActor, u.ID), apperr.Forbidden)
		wantKind(t, "security resets itself", s.ResetMFA(ctx, secActor, sec.ID), apperr.Invalid)
		wantKind(t, "unknown user", s.ResetMFA(ctx, secActor, 99999), apperr.NotFound)
		if err := s.ResetMFA(ctx, secActor, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(ctx, "ent", "Kechuang-2026", "", ""); err != nil {
			t.Errorf("login after reset = %v, want the password alone (members need no second factor)", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'user.reset_mfa' AND object_id = ?",
			fmt.Sprint(u.ID)).Scan(&n); err != nil || n != 1 {
			t.Errorf("user.reset_mfa audit rows = %d, %v; want 1", n, err)
		}
	})
}

func TestMFAExemptAndRoles(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, sqldb.SQLite)
	s, _ := newServiceWith(t, db, account.Config{MFARoles: []account.Role{account.RoleAuditor}, MFAExempt: []string{"Demo-Auditor"}})
	ctx := context.Background()
	mustCreate(t, s, account.NewUser{Username: "demo-auditor", Role: account.RoleAuditor})
	mustCreate(t, s, account.NewUser{Username: "aud2", Role: account.RoleAuditor})
	mustCreate(t, s, account.NewUser{Username: "st", Role: account.RoleStaff, RegionCode: "320500"})
	tests := []struct {
		user string
		want bool
	}{{"demo-auditor", false}, {"aud2", true}, {"st", false}}
	for _, tt := range tests {
		_, a, err := s.Login(ctx, tt.user, "Kechuang-2026", "", "")
		if err != nil || a.MustEnrolMFA != tt.want {
			t.Errorf("Login(%s) MustEnrolMFA = %v, %v; want %v", tt.user, a.MustEnrolMFA, err, tt.want)
		}
	}
}

func TestSessionsLimitListAndEnd(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, c := newServiceWith(t, db, account.Config{MFARoles: []account.Role{}})
		ctx := context.Background()
		mustCreate(t, s, account.NewUser{Username: "aud", Role: account.RoleAuditor})
		first, _, err := s.Login(ctx, "aud", "Kechuang-2026", "10.0.0.1", "browser A")
		if err != nil {
			t.Fatal(err)
		}
		c.Add(time.Second)
		second, _, err := s.Login(ctx, "aud", "Kechuang-2026", "10.0.0.2", "browser B")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Authenticate(ctx, first.Token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("auditor's first session after a second login = %v, want ended (limit 1)", err)
		}
		if _, _, err := s.Authenticate(ctx, second.Token); err != nil {
			t.Errorf("auditor's second session = %v, want valid", err)
		}

		// Members have no limit; each sees and ends only their own.
		mustCreate(t, s, account.NewUser{Username: "inv", Role: account.RoleInvestor})
		mustCreate(t, s, account.NewUser{Username: "other", Role: account.RoleInvestor})
		s1, inv, _ := s.Login(ctx, "inv", "Kechuang-2026", "10.0.0.1", "phone")
		c.Add(time.Second)
		s2, _, _ := s.Login(ctx, "inv", "Kechuang-2026", "10.0.0.3", "laptop")
		so, other, _ := s.Login(ctx, "other", "Kechuang-2026", "10.0.0.4", "")
		list, err := s.FindSessions(ctx, inv, s2.Token)
		if err != nil || len(list) != 2 || !list[0].Current || list[0].UserAgent != "laptop" || list[1].ClientAddr != "10.0.0.1" {
			t.Fatalf("FindSessions = %+v, %v; want laptop (current) then phone", list, err)
		}
		others, _ := s.FindSessions(ctx, other, so.Token)
		wantKind(t, "end another user's session", s.EndSession(ctx, inv, others[0].ID), apperr.NotFound)
		if err := s.EndSession(ctx, inv, list[1].ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Authenticate(ctx, s1.Token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("ended session = %v, want Unauthenticated", err)
		}

		// The security administrator ends all of a user's sessions.
		sec := mustCreate(t, s, account.NewUser{Username: "sec", Role: account.RoleSecurity})
		secActor := account.Actor{UserID: sec.ID, Username: "sec", Role: account.RoleSecurity}
		if _, err := s.EndUserSessions(ctx, other, inv.UserID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("member ends another's sessions = %v, want Forbidden", err)
		}
		n, err := s.EndUserSessions(ctx, secActor, inv.UserID)
		if err != nil || n != 1 {
			t.Errorf("EndUserSessions = %d, %v; want 1", n, err)
		}
		if _, _, err := s.Authenticate(ctx, s2.Token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("session after EndUserSessions = %v, want Unauthenticated", err)
		}
	})
}
