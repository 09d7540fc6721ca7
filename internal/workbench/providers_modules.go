package workbench

import (
	"context"
	"strconv"

	"kechuang/internal/account"
	"kechuang/internal/challenge"
	"kechuang/internal/event"
)

// ChallengeTodos are the 揭榜挂帅 steps that wait for the bureau or county
// staff in whose scope a challenge is: an enterprise's 榜单 to review,
// applications to screen once the call has closed, and a 公示 whose
// objections must be answered before the team signs. The counts come from
// the challenge service's own list, so they show only what the actor may
// open.
func ChallengeTodos(svc *challenge.Service) Provider {
	stages := []struct {
		stage challenge.Stage
		key   string
	}{
		{challenge.Vetting, "workbench.todo.challenge.review"},
		{challenge.Closed, "workbench.todo.challenge.closed"},
		{challenge.Screening, "workbench.todo.challenge.screening"},
		{challenge.Notice, "workbench.todo.challenge.notice"},
	}
	return ProviderFunc{ID: "challenge.stages", F: func(ctx context.Context, a account.Actor) ([]Todo, error) {
		if svc == nil || !a.LoggedIn() || (a.Role != account.RoleStaff && a.Role != account.RoleCounty) {
			return nil, nil
		}
		var out []Todo
		for _, st := range stages {
			_, n, err := svc.FindChallenges(ctx, a, challenge.Filter{Stage: st.stage, PerPage: 1})
			if err != nil {
				return nil, err
			}
			if n > 0 {
				out = append(out, Todo{Key: st.key, Module: "challenges", Count: n, Link: "/challenges?stage=" + string(st.stage)})
			}
		}
		return out, nil
	}}
}

// EventTodos are the registrations awaiting the organiser's decision, per
// coming event the actor organises (at most the 20 soonest).
func EventTodos(svc *event.Service) Provider {
	return ProviderFunc{ID: "event.registrations", F: func(ctx context.Context, a account.Actor) ([]Todo, error) {
		if svc == nil || !event.CanCreate(a) {
			return nil, nil
		}
		events, _, err := svc.FindEvents(ctx, a, event.Filter{Manage: true, When: "upcoming", PerPage: 20})
		if err != nil {
			return nil, err
		}
		var out []Todo
		for _, e := range events {
			_, n, err := svc.Registrations(ctx, a, e.ID, event.RegistrationFilter{State: event.RegPending, PerPage: 1})
			if err != nil {
				return nil, err
			}
			if n > 0 {
				out = append(out, Todo{Key: "workbench.todo.event.pending", Args: []any{e.Title}, Module: "events", Count: n,
					Link: "/events/" + strconv.FormatInt(e.ID, 10) + "/registrations?state=pending"})
			}
		}
		return out, nil
	}}
}
