package account

import (
	"context"
	"fmt"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// Recheck reads again, from q, the user whom owner (as recorded when a
// job was queued) names, and returns the actor that user is now. A job
// calls it when it starts, so that it never uses a right its owner has
// lost since: a user disabled or removed since is apperr.Forbidden
// "account.owner_disabled"; one whose role or region changed is
// apperr.Forbidden "account.owner_changed". The system actor (ID 0) is
// returned as System.
func Recheck(ctx context.Context, q sqldb.Querier, owner audit.Actor) (Actor, error) {
	if owner.ID == 0 {
		return System, nil
	}
	u, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", owner.ID))
	if sqldb.IsNoRows(err) {
		return Actor{}, apperr.New(apperr.Forbidden, "account.owner_disabled")
	}
	if err != nil {
		return Actor{}, fmt.Errorf("recheck user %d: %w", owner.ID, err)
	}
	switch {
	case u.Disabled:
		return Actor{}, apperr.New(apperr.Forbidden, "account.owner_disabled")
	case string(u.Role) != owner.Role || u.RegionCode != owner.Region:
		return Actor{}, apperr.New(apperr.Forbidden, "account.owner_changed")
	}
	return Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Region: u.RegionCode,
		MustChangePassword: u.MustChangePassword}, nil
}
