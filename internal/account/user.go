package account

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/apperr"
	"kechuang/internal/region"
)

// User is an account.
type User struct {
	ID                 int64     `json:"id"`
	Username           string    `json:"username"`
	DisplayName        string    `json:"display_name"`
	Organization       string    `json:"organization,omitempty"`
	Role               Role      `json:"role"`
	RegionCode         string    `json:"region_code,omitempty"`
	MustChangePassword bool      `json:"must_change_password"`
	Disabled           bool      `json:"disabled"`
	FailedLogins       int       `json:"failed_logins"`
	LockedUntil        time.Time `json:"locked_until,omitzero"`
	LastLoginAt        time.Time `json:"last_login_at,omitzero"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
	// PasswordChangedAt is when the password was last set; the policy's
	// MaxAge counts from it.
	PasswordChangedAt time.Time `json:"-"`
}

// Locked reports whether the account is locked at now.
func (u User) Locked(now time.Time) bool { return u.LockedUntil.After(now) }

// NewUser is what creating an account takes.
type NewUser struct {
	Username     string
	DisplayName  string
	Organization string
	Role         Role
	RegionCode   string
	Password     string
	// MustChangePassword forces a change at the first login; set for
	// passwords an administrator chose or generated.
	MustChangePassword bool
}

var usernamePattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]{1,31}$`)

// Validate checks every field, the password against policy, and returns all
// problems at once.
func (n *NewUser) Validate(policy PasswordPolicy) error {
	n.Username = strings.TrimSpace(n.Username)
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	n.Organization = strings.TrimSpace(n.Organization)
	n.RegionCode = strings.TrimSpace(n.RegionCode)
	var fields []apperr.FieldError
	if !usernamePattern.MatchString(n.Username) {
		fields = append(fields, apperr.Field("username", "account.username_format"))
	}
	fields = append(fields, checkProfile(n.DisplayName, n.Organization, n.Role, n.RegionCode)...)
	if err := policy.Check("password", n.Password, n.Username); err != nil {
		fields = append(fields, apperr.As(err).Fields...)
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

func checkProfile(displayName, organization string, role Role, regionCode string) []apperr.FieldError {
	var fields []apperr.FieldError
	if utf8.RuneCountInString(displayName) > 64 {
		fields = append(fields, apperr.Field("display_name", "error.too_long", 64))
	}
	if utf8.RuneCountInString(organization) > 128 {
		fields = append(fields, apperr.Field("organization", "error.too_long", 128))
	}
	if !role.Valid() {
		fields = append(fields, apperr.Field("role", "account.role_invalid"))
	}
	switch {
	case regionCode == "" && role.NeedsRegion():
		fields = append(fields, apperr.Field("region_code", "account.region_required"))
	case regionCode != "" && !region.ValidCode(regionCode):
		fields = append(fields, apperr.Field("region_code", "region.code_format"))
	case role == RoleCounty && region.LevelOf(regionCode) != region.County:
		fields = append(fields, apperr.Field("region_code", "account.county_needs_county"))
	}
	return fields
}

// UserUpdate changes an account's profile; nil fields stay as they are.
type UserUpdate struct {
	DisplayName  *string
	Organization *string
	Role         *Role
	RegionCode   *string
}

// UserFilter selects accounts.
type UserFilter struct {
	Query   string // part of the user name, display name or organization
	Role    Role
	Region  string // region prefix
	Page    int
	PerPage int
}

// Normalize clamps paging to sane values: page ≥ 1, 1–200 per page (50 by
// default).
func (f *UserFilter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.PerPage > 200 {
		f.PerPage = 200
	}
}
