package directory

import (
	"context"
	"fmt"

	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// Service organisations, carriers and funds are owned records: staff in
// scope create and manage them, and the owner account they assign edits
// them. This file holds what the three share.

// ownedState is what the shared rules need of an owned record.
type ownedState struct {
	region string
	vis    Visibility
	owner  int64
}

// ownedPerms: the owner account edits; staff in scope also manage.
func ownedPerms(a account.Actor, regionCode string, ownerID int64) Perms {
	m := Manages(a, regionCode)
	return Perms{Edit: m || (a.LoggedIn() && ownerID != 0 && ownerID == a.UserID), Manage: m}
}

// ownedView decides the actor's view of an owned record: its perms, whether
// it sees the record at all, the contact (logged-in accounts) and the owner
// (editors and staff).
func ownedView(a account.Actor, st ownedState) (p Perms, sees, contact, owner bool) {
	p = ownedPerms(a, st.region, st.owner)
	return p, canSee(a, st.vis, st.region, p.Edit), a.LoggedIn(), p.Edit || seesAll(a, st.region)
}

// ownedKind describes one table of owned records for the writes they
// share.
type ownedKind[T any] struct {
	object string // audit object type, e.g. "carrier"
	table  string
	county bool // the record lies in a county (else a city or county)
	get    func(context.Context, sqldb.Querier, int64) (T, error)
	state  func(T) ownedState
	audit  func(T) map[string]any
}

// edit loads a record inside tx for a write by the actor: NotFound unless
// the actor edits it (with manage, unless it is staff in scope). It returns
// the actor's perms on it.
func (k ownedKind[T]) edit(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64, manage bool) (T, Perms, error) {
	var zero T
	x, err := k.get(ctx, tx, id)
	if err != nil {
		return zero, Perms{}, err
	}
	st := k.state(x)
	p := ownedPerms(a, st.region, st.owner)
	if !p.Edit || (manage && !p.Manage) {
		return zero, Perms{}, notFound()
	}
	return x, p, nil
}

// remove deletes a record with what hangs on it (ON DELETE CASCADE). Staff
// in scope may.
func (k ownedKind[T]) remove(ctx context.Context, db *sqldb.DB, a account.Actor, id int64) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, _, err := k.edit(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+k.table+" WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete %s %d: %w", k.object, id, err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: k.object + ".delete", ObjectType: k.object,
			ObjectID: idText(id), RegionCode: k.state(old).region, Before: k.audit(old)})
	})
}

// checkOwned applies, after a record's own checks, the rules every write of
// an owned record shares: its region (inside the actor's scope for staff;
// kept by an owner who is not staff) and its owner (set by staff only: an
// enabled member account). old is nil on create. On update, a region
// and visibility left empty keep the stored ones: call keep before the
// record's own checks default the visibility.
func (s *Service) checkOwned(ctx context.Context, tx *sqldb.Tx, c *checker, a account.Actor, county bool, old *ownedState, p Perms,
	regionCode string, ownerID *int64) error {
	if old == nil {
		if err := s.checkRegionInto(ctx, tx, c, a, regionCode, county); err != nil {
			return err
		}
		return s.checkOwnerInto(ctx, tx, c, *ownerID)
	}
	if !p.Manage && *ownerID != 0 && *ownerID != old.owner {
		c.add("owner_id", "directory.editors_decide")
	}
	if !p.Manage {
		*ownerID = old.owner
	}
	if err := s.checkMove(ctx, tx, c, a, p, old.region, regionCode, county); err != nil {
		return err
	}
	if *ownerID != old.owner {
		return s.checkOwnerInto(ctx, tx, c, *ownerID)
	}
	return nil
}

// checkOwnerInto adds an owner's field error to c: an owner must be an
// enabled member account.
func (s *Service) checkOwnerInto(ctx context.Context, q sqldb.Querier, c *checker, id int64) error {
	fields, err := checkOwner(ctx, q, "owner_id", id, memberRoles...)
	c.fields = append(c.fields, fields...)
	return err
}
