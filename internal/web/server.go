package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"kechuang/internal/chain"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/challenge"
	"kechuang/internal/cultivation"
	"kechuang/internal/dashboard"
	"kechuang/internal/directory"
	"kechuang/internal/event"
	"kechuang/internal/federation"
	"kechuang/internal/indicator"
	"kechuang/internal/job"
	"kechuang/internal/market"
	"kechuang/internal/notice"
	"kechuang/internal/project"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
	"kechuang/internal/workbench"
)

// all: embeds the modules' partials (templates/<module>/_*.html), which a
// plain pattern leaves out for their leading underscore.
//
//go:embed all:templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed openapi.json
var openAPIDoc []byte

// Deps are the services and settings the web layer needs.
type Deps struct {
	DB       *sqldb.DB
	Accounts *account.Service
	Audit    *audit.Service
	Regions  *region.Service
	// Cultivation is the enterprise registry, assessments, pool and targets.
	Cultivation *cultivation.Service
	// Market is the technology market: listings, review, deals and matching.
	Market *market.Service
	// Projects is the project library (项目库): projects, monthly reports,
	// lights, 督办, service requests and products.
	Projects *project.Service
	// Challenges is 揭榜挂帅: challenges, applications, review panels,
	// the 公示 and the hand-over to the project library.
	Challenges *challenge.Service
	// Directory is the 资源库: institutions, experts, service
	// organisations, incubation carriers and funds.
	Directory *directory.Service
	// Chains is the 产业链图谱: chains, placements, strength, candidates.
	Chains *chain.Service
	// Federation is 跨区域共享: peers, the signed feed, remote listings.
	Federation *federation.Service
	// Events are 路演 and 对接会: registrations, meetings and their funnel.
	Events *event.Service
	// Dashboard is the 数据看板: every module's figures, the funnel and
	// the big screen.
	Dashboard *dashboard.Service
	// Indicators is 一表通: the indicator catalogue, entries, reports.
	Indicators *indicator.Service
	// Workbench is the staff home page: to-dos and key figures.
	Workbench *workbench.Service
	// Notices is every user's inbox (站内信) and the header's unread count.
	Notices *notice.Service
	// Search is the full-text index of published listings.
	Search *market.Indexer
	// Jobs runs long work (imports) with progress.
	Jobs    *job.Service
	Logger  *slog.Logger
	Version string
	// HomeRegion is the instance's own region (e.g. 320500), shown on pages
	// and offered first in region pickers.
	HomeRegion string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TrustedProxies are the addresses whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (serve --trusted-proxy).
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, opens /metrics to requests carrying it as a
	// bearer token; without it /metrics answers only loopback clients.
	MetricsToken string
}

// Server is the HTTP front of the platform.
type Server struct {
	Deps
	// mods are the sections of the platform in navigation order.
	mods      []module
	mux       *http.ServeMux
	pages     map[string]*template.Template
	static    *staticFiles
	metrics   *metrics
	apiRoutes []string // "METHOD /api/v1/path" of every API route, for the OpenAPI test
	// bodyLimits are the routes (by pattern) that accept bodies larger than
	// maxFormBytes, declared with bodyLimit.
	bodyLimits map[string]int64
	handler    http.Handler
}

// New builds the server and parses every template; a broken template is an
// error here, at start-up, not at the first request.
func New(d Deps) (*Server, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{Deps: d, mux: http.NewServeMux(), bodyLimits: map[string]int64{}}
	var err error
	if s.static, err = newStaticFiles(staticFS, "static"); err != nil {
		return nil, err
	}
	s.mods = s.modules()
	sortModules(s.mods)
	funcs := s.funcs()
	for _, m := range s.mods {
		for name, f := range m.Funcs {
			if _, dup := funcs[name]; dup {
				return nil, fmt.Errorf("web: template function %q of module %s is defined twice", name, m.Key)
			}
			funcs[name] = f
		}
	}
	if s.pages, err = parsePages(templateFS, funcs); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(d.DB, newWorkCollector(d.Jobs, d.Search, d.Logger))
	if d.Federation != nil {
		s.metrics.reg.MustRegister(newFederationCollector(d.Federation, d.Now, d.Logger))
	}
	rt := &router{s: s}
	for _, m := range s.mods {
		if !m.Ready && m.Path != "" {
			rt.placeholder(m)
		}
		if m.Routes != nil {
			m.Routes(rt)
		}
	}
	s.static.notFound = s.handleNotFound
	s.handler = s.middleware(s.mux)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// APIRoutes returns "METHOD /path" for every registered API route, sorted.
func (s *Server) APIRoutes() []string {
	out := append([]string(nil), s.apiRoutes...)
	sort.Strings(out)
	return out
}

// PurgeSessionsEvery deletes expired sessions, failed-login rows past their
// window and stale second-factor challenges every interval until ctx ends.
func (s *Server) PurgeSessionsEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Accounts.PurgeExpiredSessions(ctx); err != nil {
				s.Logger.Warn("purge sessions", "err", err)
			} else if n > 0 {
				s.Logger.Debug("purged sessions", "count", n)
			}
			if n, err := s.Accounts.PurgeLoginState(ctx); err != nil {
				s.Logger.Warn("purge failed logins", "err", err)
			} else if n > 0 {
				s.Logger.Debug("purged failed logins and challenges", "count", n)
			}
		}
	}
}

// parsePages parses every page template into a set of its own with the
// shell (layout.html, partials.html) and the modules' partials
// (templates/<module>/_*.html), so that every page can define "content"
// without clashing. A page at templates/<module>/<action>.html is rendered
// by the name "<module>/<action>"; the shell's own pages (home, error,
// placeholder) sit at the top as "home", "error", "placeholder".
func parsePages(fsys fs.FS, funcs template.FuncMap) (map[string]*template.Template, error) {
	partials, err := fs.Glob(fsys, "templates/*/_*.html")
	if err != nil {
		return nil, err
	}
	shared := append([]string{"templates/layout.html", "templates/partials.html"}, partials...)
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, shared...)
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	top, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	nested, err := fs.Glob(fsys, "templates/*/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range append(top, nested...) {
		if slices.Contains(shared, name) {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")] = t
	}
	return pages, nil
}
