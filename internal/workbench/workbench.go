package workbench

import (
	"context"
	"fmt"
	"sort"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/indicator"
)

// Todo is one kind of work waiting for the user: how many, a label (a
// catalog key with arguments) and the filtered list behind the count.
type Todo struct {
	// Key is the catalog key of the label; Args its arguments.
	Key  string `json:"key"`
	Args []any  `json:"args,omitempty"`
	// Module is the web key of the module it belongs to (for grouping).
	Module string `json:"module"`
	Count  int    `json:"count"`
	Link   string `json:"link"`
	// Oldest is how long the oldest item has waited, when the provider
	// knows it.
	Oldest time.Duration `json:"oldest_seconds,omitempty"`
	// Urgent marks work past a deadline.
	Urgent bool `json:"urgent"`
}

// Provider is a source of to-dos: a module's work for the actor, counted
// in its scope. It returns nothing for an actor the module gives no work
// to, and only links the actor may open.
type Provider interface {
	// Name identifies the provider in errors.
	Name() string
	Todos(ctx context.Context, a account.Actor) ([]Todo, error)
}

// ProviderFunc adapts a function to Provider.
type ProviderFunc struct {
	ID string
	F  func(ctx context.Context, a account.Actor) ([]Todo, error)
}

// Name returns the provider's id.
func (p ProviderFunc) Name() string { return p.ID }

// Todos calls the function.
func (p ProviderFunc) Todos(ctx context.Context, a account.Actor) ([]Todo, error) { return p.F(ctx, a) }

// Figure is a key figure: its value this month, last month and in the same
// month a year before, with the changes.
type Figure struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	NameEN    string   `json:"name_en"`
	Unit      string   `json:"unit"`
	UnitEN    string   `json:"unit_en"`
	Value     *float64 `json:"value"`
	LastMonth *float64 `json:"last_month"`
	LastYear  *float64 `json:"last_year"`
	// MoM and YoY are the changes in percent (环比, 同比).
	MoM *float64 `json:"mom"`
	YoY *float64 `json:"yoy"`
}

// Home is the workbench of one user.
type Home struct {
	Period  string   `json:"period"`
	Todos   []Todo   `json:"todos"`
	Figures []Figure `json:"figures"`
}

// Service assembles the workbench from its providers and the indicator
// catalogue.
type Service struct {
	providers  []Provider
	indicators *indicator.Service
	// figures are the catalogue codes of the key figures.
	figures []string
}

// DefaultFigures are the key figures' catalogue codes.
var DefaultFigures = []string{"KJ01", "KJ03", "JS02", "XM02"}

// NewService returns a workbench without providers over the indicator
// service; Register adds them (NewDefault registers those of the modules
// that exist).
func NewService(ind *indicator.Service) *Service {
	return &Service{indicators: ind, figures: DefaultFigures}
}

// Register adds a provider of to-dos; modules call it once at wiring.
func (s *Service) Register(p Provider) { s.providers = append(s.providers, p) }

// Providers lists the registered providers' names.
func (s *Service) Providers() []string {
	var out []string
	for _, p := range s.providers {
		out = append(out, p.Name())
	}
	return out
}

// CanView reports whether the actor has a workbench: bureau and county
// staff.
func (s *Service) CanView(a account.Actor) bool {
	return a.LoggedIn() && (a.Role == account.RoleStaff || a.Role == account.RoleCounty)
}

// Home returns the actor's to-dos (those with a count, in the providers'
// order, urgent first) and key figures.
func (s *Service) Home(ctx context.Context, a account.Actor) (Home, error) {
	var h Home
	if !s.CanView(a) {
		return h, nil
	}
	for _, p := range s.providers {
		todos, err := p.Todos(ctx, a)
		if err != nil {
			return h, fmt.Errorf("workbench %s: %w", p.Name(), err)
		}
		for _, t := range todos {
			if t.Count > 0 {
				h.Todos = append(h.Todos, t)
			}
		}
	}
	sort.SliceStable(h.Todos, func(i, j int) bool { return h.Todos[i].Urgent && !h.Todos[j].Urgent })
	figs, period, err := s.keyFigures(ctx, a)
	if err != nil {
		return h, err
	}
	h.Figures, h.Period = figs, period
	return h, nil
}

// keyFigures reads the key figures of the last finished month in the
// actor's scope (a county user: its county; staff: the city) with the
// month before and the same month a year before.
func (s *Service) keyFigures(ctx context.Context, a account.Actor) ([]Figure, string, error) {
	if s.indicators == nil {
		return nil, "", nil
	}
	p := s.indicators.CurrentMonth().Prev()
	scope := ""
	if a.Role == account.RoleCounty {
		scope = a.Region
	}
	var vals [3]indicator.Values
	for i, q := range []indicator.Period{p, p.Prev(), p.YearAgo()} {
		v, err := s.indicators.ValuesOf(ctx, a, q, scope, s.figures)
		if err != nil {
			return nil, "", err
		}
		vals[i] = v
	}
	find := func(v indicator.Values, code string) *float64 {
		for _, x := range v.Values {
			if x.Code == code {
				return x.Value
			}
		}
		return nil
	}
	var out []Figure
	for _, code := range s.figures {
		ind, ok := s.indicators.Catalogue().Get(code)
		if !ok {
			continue
		}
		f := Figure{Code: code, Name: ind.Name, NameEN: ind.NameEN, Unit: ind.Unit, UnitEN: ind.UnitEN,
			Value: find(vals[0], code), LastMonth: find(vals[1], code), LastYear: find(vals[2], code)}
		f.MoM, f.YoY = change(f.LastMonth, f.Value), change(f.LastYear, f.Value)
		out = append(out, f)
	}
	return out, p.String(), nil
}

// change is the change from prev to cur in percent, one decimal; nil
// without both or from zero.
func change(prev, cur *float64) *float64 {
	if prev == nil || cur == nil || *prev == 0 {
		return nil
	}
	v := float64(int64((*cur/(*prev)-1)*1000+sign(*cur-*prev)*0.5)) / 10
	return &v
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}
