package directory

import "kechuang/internal/account"

// ShowsContact reports whether the actor reads the phone and e-mail of
// the expert e (as GetExpert returned it to the actor): staff in scope and
// the expert's own account, not the institution's editors or visitors. An
// edit form offers the contact fields only then.
func (e Expert) ShowsContact(a account.Actor) bool {
	return e.Perms.Manage || (a.LoggedIn() && e.AccountID != 0 && e.AccountID == a.UserID)
}
