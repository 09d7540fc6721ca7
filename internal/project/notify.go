package project

import (
	"context"

	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// The hooks below mark where phase 2 sends in-app notices through the
// shared notice package (issue #10). Each runs inside the transaction of
// the change it reports, so a notice commits with it.

// notifyStage tells the responsible unit's members (and, for 预审 and 调整,
// the staff who decide) that p took action.
func (s *Service) notifyStage(ctx context.Context, tx *sqldb.Tx, p Project, action string) error {
	// TODO(#13): notify the unit's members and the deciding staff through the notice package.
	return nil
}

// notifyLight tells the responsible unit's members and the lead official
// that p's light changed from old to light.
func (s *Service) notifyLight(ctx context.Context, tx *sqldb.Tx, p Project, old, light Light, reasons []Reason) error {
	// TODO(#13): notify the unit's members and p.LeadUserID through the notice package.
	return nil
}

// remindReport reminds the responsible unit that p owes month's report by
// deadline. Sweep calls it daily in the ReminderDays before the deadline.
func (s *Service) remindReport(ctx context.Context, p ProjectRef, month string, deadline workday.Date) error {
	// TODO(#13): remind the unit's members through the notice package (once a day at most).
	return nil
}

// notifySupervision tells the addressed unit's members (open, return,
// escalate) or the staff who opened the order (reply) about step.
func (s *Service) notifySupervision(ctx context.Context, tx *sqldb.Tx, sv Supervision, step string) error {
	// TODO(#13): notify the unit's members or the opener through the notice package.
	return nil
}

// notifyRequest tells the enterprise (respond, resolve) or the unit's
// members (assign) about step of a service request.
func (s *Service) notifyRequest(ctx context.Context, tx *sqldb.Tx, r Request, step string) error {
	// TODO(#13): notify the requester or the unit's members through the notice package.
	return nil
}
