package project

import (
	"context"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/sqldb"
)

// CreateSelectedTx adds, in the caller's transaction, a project that
// another module's process has already selected — a 揭榜挂帅 challenge at
// its signing — straight into the library (入库): the selection stood in
// for 预审. It checks what CreateProject checks (staff in the region's
// scope, the fields, the unit) and records the creation and the entry
// with their audit rows; note says where it came from. Lights and 督办
// follow it as any project of the library.
func (s *Service) CreateSelectedTx(ctx context.Context, tx *sqldb.Tx, a account.Actor, in ProjectInput, note string) (Project, error) {
	if !CanCreateProject(a) {
		return Project{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	if err := in.validate(s.types, s.today()); err != nil {
		return Project{}, err
	}
	if !managesRegion(a, in.RegionCode) {
		return Project{}, apperr.Fields(apperr.Field("region_code", "project.region_outside_scope"))
	}
	note, fe := cleanText("note", note, 500, false)
	if fe != nil {
		return Project{}, apperr.Fields(*fe)
	}
	p, err := s.insertChecked(ctx, tx, a, in)
	if err != nil {
		return Project{}, err
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, "UPDATE projects SET stage = ?, updated_at = ? WHERE id = ?", Stocked, sqldb.At(now), p.ID); err != nil {
		return Project{}, err
	}
	return s.recordStep(ctx, tx, a, p, ActApprove, note, map[string]any{"stage": Stocked, "note": note}, now)
}

// TransitionTx is Transition in the caller's transaction, for a module
// whose own step moves the project with it (a challenge's 实施 starts its
// project, its 验收 completes it).
func (s *Service) TransitionTx(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64, action, note string) (Project, error) {
	t, ok := transitions[action]
	if !ok || action == ActAdjust {
		return Project{}, apperr.New(apperr.Invalid, "project.action_unknown")
	}
	note, fe := cleanText("note", note, 500, t.note)
	if fe != nil {
		return Project{}, apperr.Fields(*fe)
	}
	return s.transition(ctx, tx, a, id, action, note)
}
