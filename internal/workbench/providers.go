package workbench

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/indicator"
	"kechuang/internal/market"
	"kechuang/internal/project"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Deps are the services the providers of the existing modules count with.
type Deps struct {
	DB          *sqldb.DB
	Market      *market.Service
	Cultivation *cultivation.Service
	Projects    *project.Service
	Indicators  *indicator.Service
	Now         func() time.Time
}

// NewDefault returns the workbench with the providers of the modules that
// exist: the market's review queue, the cultivation pool and application
// rounds, the project library (overdue milestones, red projects), 督办,
// service requests and the indicator reports. Later modules Register
// theirs.
func NewDefault(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := NewService(d.Indicators)
	p := providers{d}
	s.Register(ProviderFunc{ID: "market.review", F: p.review})
	s.Register(ProviderFunc{ID: "cultivation.pool", F: p.pool})
	s.Register(ProviderFunc{ID: "cultivation.rounds", F: p.rounds})
	s.Register(ProviderFunc{ID: "project.library", F: p.projects})
	s.Register(ProviderFunc{ID: "project.supervisions", F: p.supervisions})
	s.Register(ProviderFunc{ID: "project.requests", F: p.requests})
	s.Register(ProviderFunc{ID: "indicator.reports", F: p.indicatorReports})
	return s
}

type providers struct{ Deps }

func (p providers) today() string { return p.Now().In(chinaTime).Format("2006-01-02") }

var chinaTime = time.FixedZone("CST", 8*3600)

// review: listings awaiting review in scope, by kind, with the oldest
// waiting time. One query per kind on the covering index of the queue
// (migration 0056), so that only the queue is read however many listings
// are published.
func (p providers) review(ctx context.Context, a account.Actor) ([]Todo, error) {
	if p.Market == nil || !market.IsReviewer(a) {
		return nil, nil
	}
	var out []Todo
	for _, k := range []market.Kind{market.Achievement, market.Demand, market.Financing} {
		var n int
		var oldest *sqldb.Time
		// A range on the region code (codes are digits, "~" sorts after
		// them) lets the covering index listings_review_queue answer.
		prefix := region.Prefix(a.Scope())
		if err := p.DB.QueryRowContext(ctx, `SELECT COUNT(*), MIN(submitted_at) FROM listings
			WHERE kind = ? AND state = 'submitted' AND region_code >= ? AND region_code < ?`,
			string(k), prefix, prefix+"~").Scan(&n, &oldest); err != nil {
			return nil, fmt.Errorf("count listings awaiting review: %w", err)
		}
		if n == 0 {
			continue
		}
		t := Todo{Key: "workbench.todo.review." + string(k), Module: "market", Count: n, Link: "/market/review?kind=" + string(k)}
		if oldest != nil && !oldest.IsZero() {
			t.Oldest = p.Now().Sub(oldest.Time)
			t.Urgent = t.Oldest > 5*24*time.Hour
		}
		out = append(out, t)
	}
	return out, nil
}

// pool: the proposed tier changes awaiting confirmation (city staff
// decide them).
func (p providers) pool(ctx context.Context, a account.Actor) ([]Todo, error) {
	if p.Cultivation == nil || !p.Cultivation.CanDecideProposals(a) {
		return nil, nil
	}
	b, err := p.Cultivation.PoolBoard(ctx, a, cultivation.PoolFilter{PerPage: 1})
	if err != nil {
		return nil, err
	}
	return []Todo{{Key: "workbench.todo.pool", Module: "cultivation", Count: b.PendingTotal, Link: "/cultivation/pool"}}, nil
}

// stageStates are the application states waiting for the actor's level:
// the county reviews what firms submitted and what the city sent back,
// the city what the counties recommended.
func stageStates(a account.Actor) []cultivation.AppState {
	switch a.Role {
	case account.RoleCounty:
		return []cultivation.AppState{cultivation.AppSubmitted, cultivation.AppSentBack}
	case account.RoleStaff:
		return []cultivation.AppState{cultivation.AppRecommended}
	}
	return nil
}

// rounds: applications at the actor's stage in each open round.
func (p providers) rounds(ctx context.Context, a account.Actor) ([]Todo, error) {
	states := stageStates(a)
	if p.Cultivation == nil || len(states) == 0 || !p.Cultivation.CanViewRounds(a) {
		return nil, nil
	}
	var out []Todo
	for _, st := range []cultivation.RoundState{cultivation.RoundOpen, cultivation.RoundNotice} {
		rounds, _, err := p.Cultivation.FindRounds(ctx, a, cultivation.RoundFilter{State: st, PerPage: 50})
		if err != nil {
			return nil, err
		}
		for _, r := range rounds {
			for _, state := range states {
				_, n, err := p.Cultivation.FindApplications(ctx, a, r.ID, cultivation.ApplicationFilter{State: state, PerPage: 1})
				if err != nil {
					return nil, err
				}
				out = append(out, Todo{Key: "workbench.todo.round." + string(state), Args: []any{r.Title}, Module: "cultivation", Count: n,
					Link: "/cultivation/rounds/" + strconv.FormatInt(r.ID, 10) + "?state=" + string(state)})
			}
		}
	}
	return out, nil
}

// projects: pending milestones past their date and red projects still in
// the library.
func (p providers) projects(ctx context.Context, a account.Actor) ([]Todo, error) {
	if p.Projects == nil || !project.CanViewModule(a) {
		return nil, nil
	}
	var n int
	var oldest *string
	if err := p.DB.QueryRowContext(ctx, `SELECT COUNT(*), MIN(m.planned_date) FROM milestones m JOIN projects p ON p.id = m.project_id
		WHERE p.region_code LIKE ? AND p.stage NOT IN ('completed', 'exited') AND m.state = 'pending' AND m.planned_date < ?`,
		region.Prefix(a.Scope())+"%", p.today()).Scan(&n, &oldest); err != nil {
		return nil, fmt.Errorf("count overdue milestones: %w", err)
	}
	overdue := Todo{Key: "workbench.todo.milestones", Module: "projects", Count: n, Link: "/projects#overdue-list", Urgent: true}
	if oldest != nil {
		if d, err := time.ParseInLocation("2006-01-02", *oldest, chinaTime); err == nil {
			overdue.Oldest = p.Now().Sub(d)
		}
	}
	_, red, err := p.Projects.FindProjects(ctx, a, project.ProjectFilter{Light: project.Light("red"), Open: true, PerPage: 1})
	if err != nil {
		return nil, err
	}
	return []Todo{overdue, {Key: "workbench.todo.red", Module: "projects", Count: red, Link: "/projects/list?light=red&open=true", Urgent: true}}, nil
}

// supervisions: 督办 orders addressed to the actor's units awaiting a
// reply, and open orders past their deadline in scope.
func (p providers) supervisions(ctx context.Context, a account.Actor) ([]Todo, error) {
	if p.Projects == nil || !project.CanViewModule(a) {
		return nil, nil
	}
	_, mine, err := p.Projects.FindSupervisions(ctx, a, project.SupervisionFilter{State: project.SupervisionOpen, Mine: true, PerPage: 1})
	if err != nil {
		return nil, err
	}
	_, overdue, err := p.Projects.FindSupervisions(ctx, a, project.SupervisionFilter{Overdue: true, PerPage: 1})
	if err != nil {
		return nil, err
	}
	return []Todo{
		{Key: "workbench.todo.supervision_mine", Module: "projects", Count: mine, Link: "/supervisions?state=open&mine=true"},
		{Key: "workbench.todo.supervision_overdue", Module: "projects", Count: overdue, Link: "/supervisions?overdue=true", Urgent: true},
	}, nil
}

// nearDays is how close to its limit a service request counts as near it.
const nearDays = 3

// requests: service requests awaiting assignment, those whose limit falls
// within nearDays, and those past it.
func (p providers) requests(ctx context.Context, a account.Actor) ([]Todo, error) {
	if p.Projects == nil || !project.CanViewModule(a) {
		return nil, nil
	}
	_, late, err := p.Projects.FindRequests(ctx, a, project.RequestFilter{Late: true, PerPage: 1})
	if err != nil {
		return nil, err
	}
	_, waiting, err := p.Projects.FindRequests(ctx, a, project.RequestFilter{State: project.RequestSubmitted, PerPage: 1})
	if err != nil {
		return nil, err
	}
	today := p.today()
	soon := p.Now().In(chinaTime).AddDate(0, 0, nearDays).Format("2006-01-02")
	var near int
	if err := p.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM service_requests WHERE region_code LIKE ? AND
		((state = 'assigned' AND respond_due >= ? AND respond_due <= ?) OR (state IN ('assigned', 'responded') AND resolve_due >= ? AND resolve_due <= ?))`,
		region.Prefix(a.Scope())+"%", today, soon, today, soon).Scan(&near); err != nil {
		return nil, fmt.Errorf("count service requests near their limit: %w", err)
	}
	return []Todo{
		{Key: "workbench.todo.request_waiting", Module: "projects", Count: waiting, Link: "/service-requests?state=submitted"},
		{Key: "workbench.todo.request_near", Args: []any{nearDays}, Module: "projects", Count: near, Link: "/service-requests?state=assigned"},
		{Key: "workbench.todo.request_late", Module: "projects", Count: late, Link: "/service-requests?late=true", Urgent: true},
	}, nil
}

// indicatorReports: last month's entered indicators not reported — a
// county user's own, or for city staff the counties missing.
func (p providers) indicatorReports(ctx context.Context, a account.Actor) ([]Todo, error) {
	if p.Indicators == nil || !p.Indicators.CanViewStatus(a) {
		return nil, nil
	}
	period := p.Indicators.CurrentMonth().Prev()
	st, err := p.Indicators.Status(ctx, a, period)
	if err != nil {
		return nil, err
	}
	key, link := "workbench.todo.indicator_missing", "/indicators/entries?period="+url.QueryEscape(period.String())
	if a.Role == account.RoleCounty {
		key = "workbench.todo.indicator_mine"
	}
	return []Todo{{Key: key, Args: []any{period.Label(), st.Deadline}, Module: "indicators", Count: st.Missing, Link: link, Urgent: st.Overdue}}, nil
}
