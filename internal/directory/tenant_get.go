package directory

import (
	"context"

	"kechuang/internal/account"
	"kechuang/internal/sqldb"
)

// GetTenant returns a tenant, in full, to the editors of its carrier (its
// owner and staff in scope), as UpdateTenant will check it; to anyone else
// it is NotFound. Pages load the tenant this way before recording its exit.
func (s *Service) GetTenant(ctx context.Context, a account.Actor, id int64) (Tenant, error) {
	var out Tenant
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		t, _, err := editTenant(ctx, tx, a, id)
		out = t
		return err
	})
	return out, err
}
