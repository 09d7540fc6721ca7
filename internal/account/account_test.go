package account_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// fastHash keeps tests quick; TestDefaultHashParams checks the real ones.
var fastHash = account.HashParams{Memory: 64, Time: 1, Threads: 1}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newService(t *testing.T, db *sqldb.DB) (*account.Service, *clock) {
	t.Helper()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(context.Background(), data.FS); err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	return account.NewService(db, rs, account.Config{Now: c.Now, Hash: fastHash}), c
}

func mustCreate(t *testing.T, s *account.Service, n account.NewUser) account.User {
	t.Helper()
	if n.Password == "" {
		n.Password = "Kechuang-2026"
	}
	u, err := s.CreateUser(context.Background(), account.System, n)
	if err != nil {
		t.Fatalf("CreateUser(%s) error = %v", n.Username, err)
	}
	return u
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	dengbao, asvs := account.PolicyDengbao, account.PolicyASVS
	tests := []struct {
		name, password, username string
		policy                   account.PasswordPolicy
		wantKey                  string
	}{
		{name: "good", password: "Kechuang-2026", policy: dengbao},
		{name: "chinese counts as other class", password: "科创平台abc12345", policy: dengbao},
		{name: "nine characters", password: "Hbq-73619", policy: dengbao, wantKey: "account.password_too_short"},
		{name: "exactly ten", password: "Hbq-736190", policy: dengbao},
		{name: "two classes", password: "abcdefgh1234", policy: dengbao, wantKey: "account.password_classes"},
		{name: "equals user name", password: "Zhang.San.01", username: "zhang.san.01", policy: dengbao, wantKey: "account.password_has_username"},
		// The five passwords #18 §4 saw accepted.
		{name: "leet password with symbols", password: "Passw0rd!!", policy: dengbao, wantKey: "account.password_common"},
		{name: "leet password with a year", password: "P@ssw0rd2026", policy: dengbao, wantKey: "account.password_common"},
		{name: "keyboard walk with digits", password: "Qwerty123!", policy: dengbao, wantKey: "account.password_common"},
		{name: "pinyin with a trailing capital", password: "woaini1314A", policy: dengbao, wantKey: "account.password_common"},
		{name: "contains the user name", password: "broker12345A", username: "broker", policy: dengbao, wantKey: "account.password_has_username"},
		{name: "contains the user name in capitals", password: "XX-BROKER-2026x", username: "broker", policy: asvs, wantKey: "account.password_has_username"},
		// Chinese habits.
		{name: "a123456 dressed", password: "A123456789!x", policy: dengbao, wantKey: "account.password_common"},
		{name: "keyboard walk 1qaz2wsx", password: "1qaz@WSX2026", policy: dengbao, wantKey: "account.password_common"},
		{name: "pinyin name and year", password: "Zhangwei@1988", policy: dengbao, wantKey: "account.password_common"},
		{name: "wodemima", password: "Wodemima#2026", policy: dengbao, wantKey: "account.password_common"},
		{name: "a date", password: "1988-08-08!!", policy: asvs, wantKey: "account.password_common"},
		{name: "digits before a word", password: "2026!Dragon", policy: dengbao, wantKey: "account.password_common"},
		// The asvs preset: length only, no composition rule.
		{name: "asvs eleven characters", password: "hbq-7361902", policy: asvs, wantKey: "account.password_too_short"},
		{name: "asvs lower-case phrase", password: "lanterns drift over taihu", policy: asvs},
		{name: "asvs common", password: "Password1234!", policy: asvs, wantKey: "account.password_common"},
		{name: "dengbao refuses the lower-case phrase", password: "lanterns drift over taihu", policy: dengbao, wantKey: "account.password_classes"},
		{name: "128 characters", password: "Ab-1" + strings.Repeat("密", 124), policy: dengbao},
		{name: "129 characters (a form would have cut a longer one)", password: "Ab-1" + strings.Repeat("密", 125), policy: dengbao, wantKey: "error.too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Check("password", tt.password, tt.username)
			got := ""
			if e := apperr.As(err); e != nil {
				if len(e.Fields) != 1 || e.Fields[0].Field != "password" {
					t.Fatalf("Check(%q) = %v, want one error naming the field", tt.password, err)
				}
				got = e.Fields[0].Key
			}
			if got != tt.wantKey {
				t.Errorf("%s.Check(%q, user %q) = %q, want %q", tt.policy.Name, tt.password, tt.username, got, tt.wantKey)
			}
		})
	}
}

func TestCommonPasswordList(t *testing.T) {
	t.Parallel()
	if n := account.CommonPasswordCount(); n < 10000 {
		t.Errorf("CommonPasswordCount() = %d, want at least 10,000", n)
	}
	for _, pw := range []string{"woaini", "a123456", "5201314", "1qaz2wsx", "qweasdzxc", "wodemima", "zhangwei", "20080808", "19880101"} {
		if !account.IsCommonPassword(pw) {
			t.Errorf("IsCommonPassword(%q) = false, want true", pw)
		}
	}
	for i := 0; i < 200; i++ {
		if p := account.GeneratePassword(); account.IsCommonPassword(p) {
			t.Errorf("GeneratePassword() = %q is common", p)
		}
	}
}

func TestPolicyNamed(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"": "dengbao", "dengbao": "dengbao", "asvs": "asvs"} {
		if p, err := account.PolicyNamed(name); err != nil || p.Name != want {
			t.Errorf("PolicyNamed(%q) = %v, %v; want %s", name, p.Name, err, want)
		}
	}
	if _, err := account.PolicyNamed("nist"); err == nil {
		t.Error("PolicyNamed(nist) = nil error, want one")
	}
}

func TestPasswordHistory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		u := mustCreate(t, s, account.NewUser{Username: "qian", Role: account.RoleEnterprise})
		actor := account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role}
		passwords := []string{"Kechuang-2026", "Hbq-736190a", "Hbq-736190b", "Hbq-736190c", "Hbq-736190d", "Hbq-736190e"}
		for i := 1; i < len(passwords); i++ {
			if err := s.ChangePassword(ctx, actor, "", passwords[i-1], passwords[i]); err != nil {
				t.Fatalf("change %d: %v", i, err)
			}
		}
		current := passwords[len(passwords)-1]
		// The last five (current included) are refused; the sixth-last is
		// allowed again.
		for _, old := range passwords[1 : len(passwords)-1] {
			err := s.ChangePassword(ctx, actor, "", current, old)
			if e := apperr.As(err); e == nil || e.Fields[0].Key != "account.password_reused" || e.Fields[0].Field != "new_password" {
				t.Errorf("reusing %s = %v, want account.password_reused on new_password", old, err)
			}
		}
		if err := s.ChangePassword(ctx, actor, "", current, passwords[0]); err != nil {
			t.Errorf("reusing the sixth-last password = %v, want it allowed", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM password_history WHERE user_id = ?", u.ID).Scan(&n); err != nil || n != 5 {
			t.Errorf("password_history rows = %d, %v; want 5 kept", n, err)
		}
	})
}

func TestPasswordExpiry(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		rs := region.NewService(db)
		if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
			t.Fatal(err)
		}
		c := &clock{now: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
		dengbao := account.NewService(db, rs, account.Config{Now: c.Now, Hash: fastHash})
		asvs := account.NewService(db, rs, account.Config{Now: c.Now, Hash: fastHash, Policy: account.PolicyASVS})
		u := mustCreate(t, dengbao, account.NewUser{Username: "sun", Role: account.RoleInvestor, Password: "Kechuang-2026-x"})

		c.Add(80 * 24 * time.Hour)
		_, a, err := dengbao.Login(ctx, "sun", "Kechuang-2026-x", "", "")
		if err != nil || a.MustChangePassword || a.PasswordDaysLeft != 10 {
			t.Fatalf("login on day 80 = %+v, %v; want a 10-day reminder and no forced change", a, err)
		}
		c.Add(10*24*time.Hour + time.Minute)
		sess, a, err := dengbao.Login(ctx, "sun", "Kechuang-2026-x", "", "")
		if err != nil || !a.PasswordExpired || !a.MustChangePassword {
			t.Fatalf("login after 90 days = %+v, %v; want expired and a forced change", a, err)
		}
		if a, _, err := dengbao.Authenticate(ctx, sess.Token); err != nil || !a.PasswordExpired {
			t.Errorf("Authenticate after 90 days = %+v, %v; want expired", a, err)
		}
		if _, a, err := asvs.Login(ctx, "sun", "Kechuang-2026-x", "", ""); err != nil || a.MustChangePassword || a.PasswordDaysLeft != 0 {
			t.Errorf("asvs login after 90 days = %+v, %v; want no expiry", a, err)
		}
		actor := account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role}
		if err := dengbao.ChangePassword(ctx, actor, sess.Token, "Kechuang-2026-x", "Hbq-736190a"); err != nil {
			t.Fatal(err)
		}
		if a, _, err := dengbao.Authenticate(ctx, sess.Token); err != nil || a.PasswordExpired || a.MustChangePassword {
			t.Errorf("Authenticate after the change = %+v, %v; want the expiry cleared", a, err)
		}
	})
}

func TestHashAndVerify(t *testing.T) {
	t.Parallel()
	hash, err := account.HashPassword("Kechuang-2026", account.DefaultHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("HashPassword() = %q, want argon2id PHC string with default parameters", hash)
	}
	for pw, want := range map[string]bool{"Kechuang-2026": true, "kechuang-2026": false, "": false} {
		if ok, err := account.VerifyPassword(hash, pw); ok != want || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if p := account.GeneratePassword(); account.PolicyDengbao.Check("p", p, "") != nil || account.PolicyASVS.Check("p", p, "") != nil {
		t.Errorf("GeneratePassword() = %q fails a policy", p)
	}
}

func TestCreateUserValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		mustCreate(t, s, account.NewUser{Username: "taken", Role: account.RoleStaff, RegionCode: "320500"})
		tests := []struct {
			name      string
			in        account.NewUser
			actor     account.Actor
			wantKind  apperr.Kind
			wantField string
		}{
			{name: "county user needs a county", in: account.NewUser{Username: "county1", Role: account.RoleCounty, RegionCode: "320500", Password: "Kechuang-2026"}, actor: account.System, wantKind: apperr.Invalid, wantField: "region_code"},
			{name: "staff needs a region", in: account.NewUser{Username: "staff1", Role: account.RoleStaff, Password: "Kechuang-2026"}, actor: account.System, wantKind: apperr.Invalid, wantField: "region_code"},
			{name: "unknown region", in: account.NewUser{Username: "staff2", Role: account.RoleStaff, RegionCode: "329900", Password: "Kechuang-2026"}, actor: account.System, wantKind: apperr.Invalid, wantField: "region_code"},
			{name: "bad role", in: account.NewUser{Username: "staff3", Role: "king", Password: "Kechuang-2026"}, actor: account.System, wantKind: apperr.Invalid, wantField: "role"},
			{name: "duplicate user name", in: account.NewUser{Username: "taken", Role: account.RoleEnterprise, Password: "Kechuang-2026"}, actor: account.System, wantKind: apperr.Invalid, wantField: "username"},
			{name: "staff cannot create users", in: account.NewUser{Username: "ent1", Role: account.RoleEnterprise, Password: "Kechuang-2026"}, actor: account.Actor{UserID: 1, Role: account.RoleStaff}, wantKind: apperr.Forbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.CreateUser(ctx, tt.actor, tt.in)
				if got := apperr.KindOf(err); got != tt.wantKind {
					t.Fatalf("CreateUser() error = %v, want kind %s", err, tt.wantKind)
				}
				if tt.wantField != "" && apperr.As(err).Fields[0].Field != tt.wantField {
					t.Errorf("CreateUser() fields = %+v, want field %s", apperr.As(err).Fields, tt.wantField)
				}
			})
		}
	})
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, c := newService(t, db)
		ctx := context.Background()
		mustCreate(t, s, account.NewUser{Username: "wang", Role: account.RoleEnterprise})
		for i := 1; i <= 4; i++ {
			if _, _, err := s.Login(ctx, "wang", "wrong-Password-1", "", ""); !apperr.Is(err, apperr.Unauthenticated) {
				t.Fatalf("failure %d: error = %v, want Unauthenticated", i, err)
			}
		}
		_, _, err := s.Login(ctx, "wang", "wrong-Password-1", "", "")
		if e := apperr.As(err); e == nil || e.Kind != apperr.Locked || e.Args[0] != 15 {
			t.Fatalf("fifth failure error = %v, want Locked with 15 minutes", err)
		}
		// Locked: even the right password is refused, with the time left.
		c.Add(14 * time.Minute)
		if _, _, err := s.Login(ctx, "wang", "Kechuang-2026", "", ""); !apperr.Is(err, apperr.Locked) {
			t.Fatalf("login while locked error = %v, want Locked", err)
		}
		c.Add(time.Minute + time.Second)
		if _, _, err := s.Login(ctx, "wang", "Kechuang-2026", "", ""); err != nil {
			t.Fatalf("login after the lock expired error = %v", err)
		}
		entries, _, err := audit.NewService(db).FindEntries(ctx, audit.Actor{Role: audit.ReaderRole}, audit.Filter{Action: "session."})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		want := "session.login session.locked"
		if got := strings.Join(actions, " "); got != want {
			t.Errorf("audit actions = %q, want %q", got, want)
		}
		// The failures themselves are security events, counted per minute
		// (#18 §6): five wrong passwords and one try while locked.
		events, _, err := audit.NewService(db).FindSecurityEvents(ctx, audit.Actor{Role: audit.ReaderRole},
			audit.SecurityFilter{Kind: audit.EventLoginFailed, Actor: "wang"})
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, e := range events {
			n += e.Count
		}
		if n != 6 || len(events) > 2 {
			t.Errorf("login_failed events for wang = %d in %d rows, want 6 in at most 2 (one per minute)", n, len(events))
		}
	})
}

func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, c := newService(t, db)
		ctx := context.Background()
		mustCreate(t, s, account.NewUser{Username: "li", Role: account.RoleInvestor})
		sess, _, err := s.Login(ctx, "li", "Kechuang-2026", "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		// Activity every 20 minutes keeps the session alive past 30 minutes.
		for i := 0; i < 3; i++ {
			c.Add(20 * time.Minute)
			if _, _, err := s.Authenticate(ctx, sess.Token); err != nil {
				t.Fatalf("Authenticate after %d×20 min active = %v", i+1, err)
			}
		}
		c.Add(30*time.Minute + time.Second)
		if _, _, err := s.Authenticate(ctx, sess.Token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("Authenticate after 30 idle minutes = %v, want Unauthenticated", err)
		}
		// The expired session is gone, not merely refused.
		if _, _, err := s.Authenticate(ctx, sess.Token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("second Authenticate = %v", err)
		}
	})
}

func TestDisableAndResetEndSessions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, _ := newService(t, db)
		ctx := context.Background()
		admin := mustCreate(t, s, account.NewUser{Username: "admin1", Role: account.RoleAdmin})
		adminActor := account.Actor{UserID: admin.ID, Username: admin.Username, Role: account.RoleAdmin}
		u := mustCreate(t, s, account.NewUser{Username: "zhao", Role: account.RoleBroker})
		sess, _, err := s.Login(ctx, "zhao", "Kechuang-2026", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetDisabled(ctx, adminActor, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Authenticate(ctx, sess.Token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("session of a disabled user = %v, want Unauthenticated", err)
		}
		if _, _, err := s.Login(ctx, "zhao", "Kechuang-2026", "", ""); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("login of a disabled user = %v, want Unauthenticated", err)
		}
		if err := s.SetDisabled(ctx, adminActor, u.ID, false); err != nil {
			t.Fatal(err)
		}
		temp, err := s.ResetPassword(ctx, adminActor, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		sess2, actor, err := s.Login(ctx, "zhao", temp, "", "")
		if err != nil || !actor.MustChangePassword {
			t.Fatalf("login with reset password = %+v, %v; want MustChangePassword", actor, err)
		}
		if err := s.ChangePassword(ctx, actor, sess2.Token, temp, "Neue-Passwort-9"); err != nil {
			t.Fatal(err)
		}
		if a, _, err := s.Authenticate(ctx, sess2.Token); err != nil || a.MustChangePassword {
			t.Errorf("after change: Authenticate = %+v, %v; want the session kept and the flag cleared", a, err)
		}
		if err := s.SetDisabled(ctx, adminActor, admin.ID, true); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("admin disabling itself = %v, want Invalid", err)
		}
		role := account.RoleStaff
		if _, err := s.UpdateUser(ctx, adminActor, admin.ID, account.UserUpdate{Role: &role}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("admin changing its own role = %v, want Invalid", err)
		}
	})
}

func TestActorScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		actor account.Actor
		code  string
		want  bool
	}{
		{name: "anonymous sees no private record", actor: account.Anonymous, code: "320505", want: false},
		{name: "admin sees all", actor: account.Actor{UserID: 1, Role: account.RoleAdmin}, code: "110101", want: true},
		{name: "staff sees its city's county", actor: account.Actor{UserID: 1, Role: account.RoleStaff, Region: "320500"}, code: "320583", want: true},
		{name: "county user sees its county", actor: account.Actor{UserID: 1, Role: account.RoleCounty, Region: "320583"}, code: "320583", want: true},
		{name: "county user does not see the next county", actor: account.Actor{UserID: 1, Role: account.RoleCounty, Region: "320583"}, code: "320585", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.actor.InScope(tt.code); got != tt.want {
				t.Errorf("%+v.InScope(%s) = %v, want %v", tt.actor, tt.code, got, tt.want)
			}
		})
	}
}
