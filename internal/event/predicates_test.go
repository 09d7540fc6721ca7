package event_test

import (
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/event"
	"kechuang/internal/sqldb"
)

// TestPagePredicatesMatchTheRules: for every role, what the predicates the
// pages ask (CanCreate, CanRegister, the event's actions) say matches what
// the methods do.
func TestPagePredicatesMatchTheRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		city := f.actor("city", account.RoleStaff, "320500")
		e := f.published(city, matchmaking("预测试对接会", 50, 2, 2))
		regions := map[account.Role]string{account.RoleStaff: "320500", account.RoleCounty: "320506", account.RoleEnterprise: "320505",
			account.RoleInstitution: "320505", account.RoleBroker: "320508", account.RoleInvestor: "320506"}
		for _, role := range account.Roles {
			a := f.actor("p_"+string(role), role, regions[role])
			t.Run(string(role), func(t *testing.T) {
				_, err := f.svc.CreateEvent(ctx, a, matchmaking("预测试", 5, 1, 1))
				if created := err == nil; created != event.CanCreate(a) {
					t.Errorf("CanCreate = %v, CreateEvent error %v", event.CanCreate(a), err)
				}
				got, err := f.svc.GetEvent(ctx, a, e.ID)
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = f.svc.Registrations(ctx, a, e.ID, event.RegistrationFilter{})
				if manage := err == nil; manage != got.Can("manage") {
					t.Errorf("manage action = %v, Registrations error %v", got.Can("manage"), err)
				} else if err != nil && !apperr.Is(err, apperr.NotFound) {
					t.Errorf("Registrations refused with %v, want NotFound", err)
				}
				_, err = f.svc.Register(ctx, a, e.ID, contact("联系人"))
				if registered := err == nil; registered != got.Can("register") || registered != event.CanRegister(a) {
					t.Errorf("register action = %v, CanRegister = %v, Register error %v", got.Can("register"), event.CanRegister(a), err)
				}
			})
		}
	})
}
