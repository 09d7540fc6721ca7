package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/job"
	"kechuang/internal/market"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

//go:embed templates/*.html templates/*/*.html
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
	// Market is the technology market: listings, review and notices.
	Market *market.Service
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
}

// Server is the HTTP front of the platform.
type Server struct {
	Deps
	mux       *http.ServeMux
	pages     map[string]*template.Template
	static    *staticFiles
	metrics   *metrics
	apiRoutes []string // "METHOD /api/v1/path" of every API route, for the OpenAPI test
	handler   http.Handler
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
	s := &Server{Deps: d, mux: http.NewServeMux()}
	var err error
	if s.static, err = newStaticFiles(staticFS, "static"); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(templateFS, s.funcs()); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(d.DB)
	s.routes()
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

// PurgeSessionsEvery deletes expired sessions every interval until ctx ends.
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
		}
	}
}

func (s *Server) routes() {
	// Operations.
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
	s.mux.HandleFunc("GET /readyz", s.handleReadyz)
	s.mux.Handle("GET /metrics", s.metrics.handler())
	s.mux.Handle("GET /static/", s.static)

	// Pages.
	s.mux.HandleFunc("GET /{$}", s.handleHome)
	s.mux.HandleFunc("GET /login", s.handleLoginForm)
	s.mux.HandleFunc("POST /login", s.handleLogin)
	s.mux.HandleFunc("POST /logout", s.handleLogout)
	s.mux.HandleFunc("GET /lang/{lang}", s.handleLang)
	for _, m := range modules {
		if !m.Ready {
			s.mux.HandleFunc("GET "+m.Path, s.handleModulePlaceholder)
		}
	}
	s.mux.HandleFunc("GET /market", s.handleMarketHome)
	s.mux.HandleFunc("GET /market/listings/{id}", s.handleMarketListing)
	s.mux.HandleFunc("GET /market/new", s.requireLogin(s.handleMarketNew))
	s.mux.HandleFunc("POST /market/listings", s.requireLogin(s.handleMarketCreate))
	s.mux.HandleFunc("GET /market/listings/{id}/edit", s.requireLogin(s.handleMarketEdit))
	s.mux.HandleFunc("POST /market/listings/{id}", s.requireLogin(s.handleMarketUpdate))
	s.mux.HandleFunc("POST /market/listings/{id}/{action}", s.requireLogin(s.handleMarketListingAction))
	s.mux.HandleFunc("GET /market/mine", s.requireLogin(s.handleMarketMine))
	s.mux.HandleFunc("GET /market/review", s.requireLogin(s.handleMarketReview))
	s.mux.HandleFunc("GET /market/inbox", s.requireLogin(s.handleMarketInbox))
	s.mux.HandleFunc("POST /market/inbox/read", s.requireLogin(s.handleMarketNoticeRead))
	s.mux.HandleFunc("POST /market/inbox/{id}/read", s.requireLogin(s.handleMarketNoticeRead))
	s.mux.HandleFunc("POST /market/suggest", s.requireLogin(s.handleMarketSuggest))
	s.mux.HandleFunc("GET /cultivation", s.requireLogin(s.handleCultivationList))
	s.mux.HandleFunc("GET /cultivation/enterprises/new", s.requireLogin(s.handleEnterpriseNew))
	s.mux.HandleFunc("POST /cultivation/enterprises", s.requireLogin(s.handleEnterpriseCreate))
	s.mux.HandleFunc("GET /cultivation/enterprises/{id}", s.requireLogin(s.handleEnterprise))
	s.mux.HandleFunc("GET /cultivation/enterprises/{id}/edit", s.requireLogin(s.handleEnterpriseEdit))
	s.mux.HandleFunc("POST /cultivation/enterprises/{id}", s.requireLogin(s.handleEnterpriseUpdate))
	s.mux.HandleFunc("POST /cultivation/enterprises/{id}/years", s.requireLogin(s.handleEnterpriseYear))
	s.mux.HandleFunc("POST /cultivation/enterprises/{id}/assess", s.requireLogin(s.handleEnterpriseAssess))
	s.mux.HandleFunc("POST /cultivation/enterprises/{id}/tier", s.requireLogin(s.handleEnterpriseTier))
	s.mux.HandleFunc("GET /cultivation/pool", s.requireLogin(s.handleCultivationPool))
	s.mux.HandleFunc("GET /cultivation/targets", s.requireLogin(s.handleCultivationTargets))
	s.mux.HandleFunc("POST /cultivation/targets", s.requireLogin(s.handleCultivationTargetSet))
	s.mux.HandleFunc("GET /cultivation/rules", s.handleCultivationRules)
	s.mux.HandleFunc("GET /cultivation/export.xlsx", s.requireLogin(s.handleCultivationExport))
	s.mux.HandleFunc("GET /account", s.requireLogin(s.handleAccount))
	s.mux.HandleFunc("POST /account/password", s.requireLogin(s.handleAccountPassword))
	s.mux.HandleFunc("GET /admin/users", s.requireLogin(s.handleAdminUsers))
	s.mux.HandleFunc("POST /admin/users", s.requireLogin(s.handleAdminUserCreate))
	s.mux.HandleFunc("GET /admin/users/{id}", s.requireLogin(s.handleAdminUser))
	s.mux.HandleFunc("POST /admin/users/{id}", s.requireLogin(s.handleAdminUserUpdate))
	s.mux.HandleFunc("POST /admin/users/{id}/{action}", s.requireLogin(s.handleAdminUserAction))
	s.mux.HandleFunc("GET /audit", s.requireLogin(s.handleAuditLog))

	// JSON API.
	s.api("POST /api/v1/session", s.handleAPISessionCreate)
	s.api("DELETE /api/v1/session", s.handleAPISessionDelete)
	s.api("GET /api/v1/me", s.handleAPIMe)
	s.api("GET /api/v1/users", s.handleAPIUsers)
	s.api("POST /api/v1/users", s.handleAPIUserCreate)
	s.api("GET /api/v1/users/{id}", s.handleAPIUser)
	s.api("GET /api/v1/regions", s.handleAPIRegions)
	s.api("GET /api/v1/audit", s.handleAPIAudit)
	s.api("POST /api/v1/assessments", s.handleAPIAssessment)
	s.api("GET /api/v1/rule-sets", s.handleAPIRuleSets)
	s.api("GET /api/v1/enterprises", s.handleAPIEnterprises)
	s.api("POST /api/v1/enterprises", s.handleAPIEnterpriseCreate)
	s.api("GET /api/v1/enterprises/{id}", s.handleAPIEnterprise)
	s.api("PUT /api/v1/enterprises/{id}", s.handleAPIEnterpriseUpdate)
	s.api("PUT /api/v1/enterprises/{id}/years/{year}", s.handleAPIEnterpriseYear)
	s.api("POST /api/v1/enterprises/{id}/assess", s.handleAPIEnterpriseAssess)
	s.api("GET /api/v1/pool", s.handleAPIPool)
	s.api("GET /api/v1/targets", s.handleAPITargets)
	s.api("PUT /api/v1/targets", s.handleAPITargetSet)
	s.marketAPIRoutes()
	s.contractRoutes()
	s.attachmentRoutes()
	s.importRoutes()
	s.mux.HandleFunc("GET /market/search.xlsx", s.requireLogin(s.handleMarketSearchExport))
	s.dealRoutes()
	s.matchRoutes()
	s.mux.HandleFunc("GET /market/search", s.handleMarketSearch)
	s.api("GET /api/v1/search", s.handleAPISearch)
	s.api("POST /api/v1/suggest", s.handleAPISuggest)
	s.api("GET /api/v1/openapi.json", s.handleOpenAPI)
	s.mux.HandleFunc("/api/", s.handleAPINotFound)
}

func (s *Server) api(pattern string, h http.HandlerFunc) {
	s.apiRoutes = append(s.apiRoutes, pattern)
	s.mux.HandleFunc(pattern, h)
}

// parsePages parses layout.html with each page template into its own set,
// so that every page can define "content" without clashing.
func parsePages(fsys fs.FS, funcs template.FuncMap) (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// Pages in a folder are named by their path: templates/import/import.html
	// is "import/import".
	shared, err := fs.Glob(fsys, "templates/*/*.html")
	if err != nil {
		return nil, err
	}
	names = append(names, shared...)
	pages := map[string]*template.Template{}
	for _, name := range names {
		page := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if page == "layout" || page == "partials" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		pages[page] = t
	}
	return pages, nil
}
