package project

import (
	"context"
	"log/slog"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/workday"
)

// SweepResult counts what one sweep did.
type SweepResult struct {
	Breaches      int `json:"breaches"`       // 督办 orders opened for service requests past a limit
	Escalated     int `json:"escalated"`      // overdue orders raised a level
	LightsChanged int `json:"lights_changed"` // projects whose light changed colour
	Reminders     int `json:"reminders"`      // projects reminded of a report due
}

// Sweep runs the module's scheduled work as the system, in this order:
// orders for service requests past their limits, escalation of overdue
// orders, the traffic lights, and reminders of the month's report in the
// ReminderDays before its deadline. Every step is safe to run on several
// nodes at once and to repeat; the scheduled job calls it (daily suffices,
// more often does no harm).
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var r SweepResult
	var err error
	if r.Breaches, err = s.CheckRequestDeadlines(ctx); err != nil {
		return r, err
	}
	if r.Escalated, err = s.EscalateOverdue(ctx); err != nil {
		return r, err
	}
	if r.LightsChanged, err = s.RefreshLights(ctx); err != nil {
		return r, err
	}
	r.Reminders, err = s.remindReports(ctx, workday.DateOf(s.now()))
	return r, err
}

// remindReports calls the reminder hook for every project that owes this
// month's report and has not filed it, when the deadline is at most
// ReminderDays away.
func (s *Service) remindReports(ctx context.Context, today workday.Date) (int, error) {
	month := monthOf(today)
	deadline, err := s.Deadline(month)
	if err != nil {
		return 0, err
	}
	if left := today.DaysUntil(deadline); left < 0 || left >= s.cfg.ReminderDays {
		return 0, nil
	}
	due, err := s.dueProjects(ctx, account.System, month, "", 0, "")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		if d.report != nil {
			continue
		}
		if err := s.remindReport(ctx, d.ref, month, deadline); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SweepEvery runs Sweep every interval until ctx ends, logging failures.
func (s *Service) SweepEvery(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r, err := s.Sweep(ctx)
			if err != nil {
				log.Warn("project sweep", "err", err)
				continue
			}
			log.Debug("project sweep", "breaches", r.Breaches, "escalated", r.Escalated, "lights_changed", r.LightsChanged,
				"reminders", r.Reminders)
		}
	}
}
