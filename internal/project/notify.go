package project

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// The hooks below mark where phase 2 sends in-app notices through the
// shared notice package (issue #10). Each runs inside the transaction of
// the change it reports, so a notice commits with it.

// notifyStage tells the responsible unit's members (and, for 预审 and 调整,
// the staff who decide) that p took action.
func (s *Service) notifyStage(ctx context.Context, tx *sqldb.Tx, p Project, action string) error {
	var to []int64
	var err error
	switch action {
	case ActSubmit, ActAdjust:
		to, err = deciders(ctx, tx, p)
	default:
		to, err = unitMemberIDs(ctx, tx, p.UnitID)
	}
	if err != nil {
		return err
	}
	to = slices.DeleteFunc(to, func(id int64) bool { return id == p.RequestedBy && (action == ActSubmit || action == ActAdjust) })
	return s.send(ctx, tx, to, notice.Message{Kind: "project." + action, Key: "project.notice.stage",
		Args: []notice.Arg{notice.Text(p.Name), notice.Code("project.act." + action), notice.Code("project.stage." + string(p.Stage))},
		Link: fmt.Sprintf("/projects/%d", p.ID)})
}

// deciders returns the active staff who may approve p's 预审 or 调整: bureau
// and county staff whose region covers the project's.
func deciders(ctx context.Context, q sqldb.Querier, p Project) ([]int64, error) {
	regions := append([]string{p.RegionCode}, ancestors(p.RegionCode)...)
	args := []any{string(account.RoleStaff), string(account.RoleCounty), false}
	for _, r := range regions {
		args = append(args, r)
	}
	return queryAll(ctx, q, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, "SELECT id FROM users WHERE role IN (?, ?) AND disabled = ? AND region_code IN (?"+strings.Repeat(", ?", len(regions)-1)+") ORDER BY id",
		args...)
}

// notifyLight tells the responsible unit's members and the lead official
// that p's light changed from old to light.
// A project entering the library green, or leaving it, is no news.
func (s *Service) notifyLight(ctx context.Context, tx *sqldb.Tx, p Project, old, light Light, reasons []Reason) error {
	if light == LightNone || (old == LightNone && light == LightGreen) {
		return nil
	}
	to, err := unitMemberIDs(ctx, tx, p.UnitID)
	if err != nil {
		return err
	}
	if p.LeadUserID != 0 && !slices.Contains(to, p.LeadUserID) {
		to = append(to, p.LeadUserID)
	}
	return s.send(ctx, tx, to, notice.Message{Kind: "project.light", Key: "project.notice.light",
		Args: []notice.Arg{notice.Text(p.Name), notice.Code("project.light." + string(old)), notice.Code("project.light." + string(light))},
		Link: fmt.Sprintf("/projects/%d", p.ID)})
}

// unitMemberIDs returns the ids of the accounts acting for a unit.
func unitMemberIDs(ctx context.Context, q sqldb.Querier, unitID int64) ([]int64, error) {
	return queryAll(ctx, q, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, "SELECT user_id FROM gov_unit_members WHERE unit_id = ? ORDER BY user_id", unitID)
}

// send sends m to every user of to, at the service's clock.
func (s *Service) send(ctx context.Context, tx *sqldb.Tx, to []int64, m notice.Message) error {
	m.At = s.now()
	for _, id := range to {
		m.To = id
		if err := notice.Send(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// remindReport reminds the responsible unit that p owes month's report by
// deadline. Sweep calls it daily in the ReminderDays before the deadline.
// The sweep runs hourly: each member is reminded of each project at most
// once in 20 hours, counted from the notices already sent.
func (s *Service) remindReport(ctx context.Context, p ProjectRef, month string, deadline workday.Date) error {
	kind := fmt.Sprintf("project.report_reminder.%d", p.ID)
	since := s.now().Add(-20 * time.Hour)
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		members, err := unitMemberIDs(ctx, tx, p.UnitID)
		if err != nil {
			return err
		}
		var to []int64
		for _, id := range members {
			n, err := notice.Sent(ctx, tx, id, kind, since)
			if err != nil {
				return err
			}
			if n == 0 {
				to = append(to, id)
			}
		}
		return s.send(ctx, tx, to, notice.Message{Kind: kind, Key: "project.notice.report_reminder",
			Args: []notice.Arg{notice.Text(p.Name), notice.Text(month), notice.Text(deadline.String())},
			Link: fmt.Sprintf("/projects/%d/report?month=%s", p.ID, month)})
	})
}

// notifySupervision tells the addressed unit's members (open, return,
// escalate) or the staff who opened the order (reply) about step.
func (s *Service) notifySupervision(ctx context.Context, tx *sqldb.Tx, sv Supervision, step string) error {
	var to []int64
	switch step {
	case StepOpen, StepReturn, StepEscalate:
		var err error
		if to, err = unitMemberIDs(ctx, tx, sv.UnitID); err != nil {
			return err
		}
	case StepReply:
		if sv.OpenedBy != 0 {
			to = []int64{sv.OpenedBy}
		}
	default:
		return nil
	}
	return s.send(ctx, tx, to, notice.Message{Kind: "supervision." + step, Key: "project.notice.supervision." + step,
		Args: []notice.Arg{notice.Code("project.level." + string(sv.Level)), notice.Text(sv.Problem)},
		Link: fmt.Sprintf("/supervisions/%d", sv.ID)})
}

// notifyRequest tells the enterprise (respond, resolve) or the unit's
// members (assign) about step of a service request.
func (s *Service) notifyRequest(ctx context.Context, tx *sqldb.Tx, r Request, step string) error {
	var to []int64
	switch step {
	case ReqAssign, ReqReassign:
		var err error
		if to, err = unitMemberIDs(ctx, tx, r.UnitID); err != nil {
			return err
		}
	case ReqRespond, ReqResolve:
		if r.RequesterID != 0 {
			to = []int64{r.RequesterID}
		}
	default:
		return nil
	}
	return s.send(ctx, tx, to, notice.Message{Kind: "service_request." + step, Key: "project.notice.request." + step,
		Args: []notice.Arg{notice.Text(r.Title)}, Link: fmt.Sprintf("/service-requests/%d", r.ID)})
}
