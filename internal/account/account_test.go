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
	tests := []struct {
		name, password, username string
		wantKey                  string
	}{
		{name: "good", password: "Kechuang-2026", wantKey: ""},
		{name: "chinese counts as other class", password: "科创平台abc12345", wantKey: ""},
		{name: "nine characters", password: "Abc-12345", wantKey: "account.password_too_short"},
		{name: "exactly ten", password: "Abc-123456", wantKey: ""},
		{name: "two classes", password: "abcdefgh1234", wantKey: "account.password_classes"},
		{name: "equals user name", password: "Zhang.San.01", username: "zhang.san.01", wantKey: "account.password_is_username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := account.CheckPasswordPolicy("password", tt.password, tt.username)
			got := ""
			if e := apperr.As(err); e != nil {
				got = e.Fields[0].Key
			}
			if got != tt.wantKey {
				t.Errorf("CheckPasswordPolicy(%q) = %q, want %q", tt.password, got, tt.wantKey)
			}
		})
	}
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
	if p := account.GeneratePassword(); account.CheckPasswordPolicy("p", p, "") != nil {
		t.Errorf("GeneratePassword() = %q fails the policy", p)
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
		want := "session.login session.locked session.login_failed session.login_failed session.login_failed session.login_failed"
		if got := strings.Join(actions, " "); got != want {
			t.Errorf("audit actions = %q, want %q", got, want)
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
