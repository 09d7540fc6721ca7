package account

import (
	"kechuang/internal/audit"
	"kechuang/internal/region"
)

// Role is what a user may do.
type Role string

// The roles. admin, security and auditor are the three separated
// administrators of 等保 (三员分立).
const (
	RoleAdmin       Role = "admin"       // system administrator
	RoleSecurity    Role = "security"    // security administrator: accounts and lockouts
	RoleAuditor     Role = "auditor"     // reads the audit log only
	RoleStaff       Role = "staff"       // bureau staff, whole home region
	RoleCounty      Role = "county"      // county staff, one county
	RoleEnterprise  Role = "enterprise"  // an enterprise
	RoleInstitution Role = "institution" // a university or research institute
	RoleBroker      Role = "broker"      // technology broker
	RoleInvestor    Role = "investor"    // investor
	// roleSystem acts for the command line and start-up; no user has it.
	roleSystem Role = "system"
)

// Roles lists the roles a user can have, in display order.
var Roles = []Role{RoleAdmin, RoleSecurity, RoleAuditor, RoleStaff, RoleCounty,
	RoleEnterprise, RoleInstitution, RoleBroker, RoleInvestor}

// Valid reports whether r is a role a user can have.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// NeedsRegion reports whether users of role r must have a region.
func (r Role) NeedsRegion() bool { return r == RoleStaff || r == RoleCounty }

// ManagesUsers reports whether role r may create and change accounts.
func (r Role) ManagesUsers() bool {
	return r == RoleAdmin || r == RoleSecurity || r == roleSystem
}

// CanManageUsers reports whether the actor may open the account management
// pages and create and change accounts.
func (s *Service) CanManageUsers(a Actor) bool { return a.Role.ManagesUsers() }

// Actor is who is acting: every Service method takes one and decides from it
// what may be seen and changed.
type Actor struct {
	UserID             int64
	Username           string
	DisplayName        string
	Role               Role
	Region             string // 6-digit code, "" for instance-wide roles
	MustChangePassword bool   // an administrator set the password, or it expired
	// PasswordExpired is set when the password is older than the policy's
	// MaxAge (MustChangePassword is then set too).
	PasswordExpired bool
	// PasswordDaysLeft counts the days until the password expires, when
	// that is within ExpiryWarning; 0 otherwise.
	PasswordDaysLeft int
	// MustEnrolMFA is set for a user whose role needs a second factor and
	// who has none yet: the session may only enrol one (and log out).
	MustEnrolMFA bool
}

// Anonymous is the public, not logged in.
var Anonymous = Actor{}

// System acts for the command line and start-up tasks.
var System = Actor{Username: "system", Role: roleSystem}

// LoggedIn reports whether the actor is a user.
func (a Actor) LoggedIn() bool { return a.UserID != 0 }

// Audit returns the actor as the audit log records it.
func (a Actor) Audit() audit.Actor {
	if a.Role == roleSystem {
		return audit.System
	}
	return audit.Actor{ID: a.UserID, Name: a.Username, Role: string(a.Role), Region: a.Region}
}

// Scope returns the region prefix inside which the actor may see non-public
// records: "" (everything) for the administrators and the system; the home
// region for staff; the county for county staff; the user's own region for
// everybody else (whose private records are further limited to their own).
func (a Actor) Scope() string {
	switch a.Role {
	case RoleAdmin, RoleSecurity, RoleAuditor, roleSystem:
		return ""
	}
	return a.Region
}

// InScope reports whether a record in regionCode lies inside the actor's
// region scope. Callers turn false into apperr.NotFound, never Forbidden.
func (a Actor) InScope(regionCode string) bool {
	if !a.LoggedIn() && a.Role != roleSystem {
		return false
	}
	return region.Contains(a.Scope(), regionCode)
}
