package workbench_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/workbench"
)

// TestProvidersMakeTheList: a module adds its to-dos by registering a
// provider; the list keeps those with a count, urgent first and otherwise
// in the providers' order; a provider's failure names it; only bureau and
// county staff have a workbench.
func TestProvidersMakeTheList(t *testing.T) {
	t.Parallel()
	s := workbench.NewService(nil)
	s.Register(workbench.ProviderFunc{ID: "market.review", F: func(_ context.Context, a account.Actor) ([]workbench.Todo, error) {
		return []workbench.Todo{{Key: "workbench.todo.review.achievement", Count: 3, Link: "/market/review"}}, nil
	}})
	// A module built later (challenges) registers the same way; its count
	// depends on the actor's scope.
	s.Register(workbench.ProviderFunc{ID: "challenge.review", F: func(_ context.Context, a account.Actor) ([]workbench.Todo, error) {
		n := 0
		if a.Role == account.RoleStaff {
			n = 2
		}
		return []workbench.Todo{{Key: "challenge.todo", Count: n, Link: "/challenges?state=submitted", Urgent: true},
			{Key: "challenge.none", Count: 0, Link: "/challenges"}}, nil
	}})
	if got := strings.Join(s.Providers(), " "); got != "market.review challenge.review" {
		t.Errorf("providers = %q", got)
	}
	for _, tc := range []struct {
		name  string
		actor account.Actor
		want  string
	}{
		{"city staff", account.Actor{UserID: 1, Role: account.RoleStaff, Region: "320500"}, "/challenges?state=submitted /market/review"},
		{"county user", account.Actor{UserID: 2, Role: account.RoleCounty, Region: "320583"}, "/market/review"},
		{"enterprise", account.Actor{UserID: 3, Role: account.RoleEnterprise, Region: "320583"}, ""},
		{"administrator", account.Actor{UserID: 4, Role: account.RoleAdmin}, ""},
		{"visitor", account.Actor{}, ""},
	} {
		h, err := s.Home(context.Background(), tc.actor)
		if err != nil {
			t.Fatal(err)
		}
		var links []string
		for _, td := range h.Todos {
			links = append(links, td.Link)
		}
		if got := strings.Join(links, " "); got != tc.want {
			t.Errorf("%s: to-dos %q, want %q", tc.name, got, tc.want)
		}
		if s.CanView(tc.actor) != (tc.want != "") {
			t.Errorf("%s: CanView = %v", tc.name, s.CanView(tc.actor))
		}
	}
	s.Register(workbench.ProviderFunc{ID: "broken", F: func(context.Context, account.Actor) ([]workbench.Todo, error) {
		return nil, errors.New("database gone")
	}})
	if _, err := s.Home(context.Background(), account.Actor{UserID: 1, Role: account.RoleStaff, Region: "320500"}); err == nil ||
		!strings.Contains(err.Error(), "broken") {
		t.Errorf("a failing provider = %v", err)
	}
}
