package app

import (
	"context"
	"errors"
	"fmt"
	"kechuang/internal/chain"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strconv"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/challenge"
	"kechuang/internal/cultivation"
	"kechuang/internal/dashboard"
	"kechuang/internal/directory"
	"kechuang/internal/event"
	"kechuang/internal/federation"
	"kechuang/internal/importer"
	"kechuang/internal/indicator"
	"kechuang/internal/job"
	"kechuang/internal/market"
	"kechuang/internal/notice"
	"kechuang/internal/pii"
	"kechuang/internal/project"
	"kechuang/internal/region"
	"kechuang/internal/search/classify"
	"kechuang/internal/secret"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
	"kechuang/internal/web"
	"kechuang/internal/workbench"
	"kechuang/internal/workday"
)

// Config is what the platform is built from. Only cmd/kechuang reads these
// from flags and environment.
type Config struct {
	// DB is an open, migrated database.
	DB *sqldb.DB
	// DataDir holds derived data (the search index snapshot); "" keeps the
	// index in memory only.
	DataDir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the services' logs; nil discards them.
	Logger *slog.Logger
	// Hash is the password hashing cost; the zero value is account's default.
	Hash account.HashParams
	// PasswordPolicy is the password rule set (account.PolicyNamed); the
	// zero value is account's default (dengbao).
	PasswordPolicy account.PasswordPolicy
	// AuditKey, when not empty, is attached to DB as the audit chain key
	// (audit.Open) before anything is written; empty means the caller has
	// attached one already (tests do, through dbtest).
	AuditKey []byte
	// HomeRegion, when not empty, is stored as the instance's home region
	// (validated and audited by region.Service.SetHomeRegion) before any
	// service reads it; "" keeps what is stored.
	HomeRegion string
	// Version is shown in the page footer.
	Version string
	// ImportMaxRows is the most data rows one imported file may hold; 0
	// means sheet.DefaultMaxRows.
	ImportMaxRows int
	// NoIndex leaves Search nil: `kechuang reindex` builds a new index from
	// the database without loading the old snapshot beside it.
	NoIndex bool
	// SecretKey seals second-factor secrets (package secret); cmd reads it
	// from --secret-key-file.
	SecretKey secret.Key
	// PIIKeys seal personal data (package pii); cmd reads them from
	// --pii-key-file. Nil keeps the keyring already attached to DB (tests
	// attach one through dbtest); New fails when there is none.
	PIIKeys *pii.Keyring
	// MFARoles must log in with a second factor; nil means
	// account.DefaultMFARoles, an empty non-nil slice none.
	MFARoles []account.Role
	// MFAExempt are user names that need no second factor (the demo's).
	MFAExempt []string
	// MaxSessions caps concurrent sessions per role; nil means
	// account.DefaultMaxSessions.
	MaxSessions map[account.Role]int
	// AccountLockAfter failures from any addresses lock an account for
	// everyone; 0 means account's default (20).
	AccountLockAfter int
	// Projects are the project module's rules (report deadline, light
	// thresholds, service-request limits); zero fields take its defaults.
	Projects project.Config
	// TrustedProxies and MetricsToken go to the web server (web.Deps).
	TrustedProxies []netip.Prefix
	MetricsToken   string
	// FederationKeys sign what this instance sends to its peers (package
	// federation); nil reads or creates DATA/federation.key, or, without
	// a data directory, makes keys that last as long as the process.
	FederationKeys *federation.Keys
	// PublicURL is the instance's public base URL in its instance
	// document; "" takes it from each request.
	PublicURL string
}

// App is the wired platform: every service, built once. Its Deps are what
// the web server gets; a module's service is one more field there, set in
// New.
type App struct {
	web.Deps
}

// ErrAuditKey marks an audit chain key New could not attach: too short, or
// not the key the database's chain was started with.
var ErrAuditKey = errors.New("audit key")

// New builds every service on cfg.DB: it loads the region tables when they
// are empty, stores cfg.HomeRegion when given, loads the shipped rule sets
// and market reference data, registers the job kinds and opens the search
// index (from its snapshot under cfg.DataDir, catching up with the
// database). A bad home region is an apperr.Invalid on home_region.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("app: no database")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := &App{web.Deps{DB: cfg.DB, Logger: cfg.Logger, Now: cfg.Now, Version: cfg.Version,
		TrustedProxies: cfg.TrustedProxies, MetricsToken: cfg.MetricsToken}}
	if len(cfg.AuditKey) > 0 {
		if _, err := audit.Open(ctx, a.DB, cfg.AuditKey); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrAuditKey, err)
		}
	}
	a.Regions = region.NewService(a.DB)
	if _, err := a.Regions.EnsureLoaded(ctx, data.FS); err != nil {
		return nil, err
	}
	if cfg.HomeRegion != "" {
		if err := a.Regions.SetHomeRegion(ctx, audit.System, cfg.HomeRegion); err != nil {
			return nil, err
		}
	}
	var err error
	if a.HomeRegion, err = a.Regions.HomeRegion(ctx); err != nil {
		return nil, err
	}
	a.Accounts = account.NewService(a.DB, a.Regions, account.Config{Now: cfg.Now, Hash: cfg.Hash,
		SecretKey: cfg.SecretKey, MFARoles: cfg.MFARoles, MFAExempt: cfg.MFAExempt, MaxSessions: cfg.MaxSessions,
		AccountLockAfter: cfg.AccountLockAfter, Policy: cfg.PasswordPolicy, OnAccountLocked: noticeLocked(cfg.Now)})
	// Every node of an installation must seal with one key (ErrSecretKey).
	if err := a.Accounts.CheckSecretKey(ctx); err != nil {
		return nil, err
	}
	a.Audit = audit.NewService(a.DB)
	a.Notices = notice.NewService(a.DB, cfg.Now)
	if err := sealPersonalData(ctx, cfg); err != nil {
		return nil, err
	}

	rules, err := cultivation.LoadRuleSets(data.FS)
	if err != nil {
		return nil, fmt.Errorf("load rule sets: %w", err)
	}
	a.Cultivation = cultivation.NewService(a.DB, rules, cfg.Now)
	policies, err := cultivation.LoadPolicies(data.FS)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	a.Cultivation.UsePolicies(policies)
	ref, err := market.LoadReference(data.FS)
	if err != nil {
		return nil, fmt.Errorf("load market reference data: %w", err)
	}
	a.Market = market.NewService(a.DB, ref, a.HomeRegion, cfg.Now)
	a.Market.UseRegistry(a.Cultivation)

	types, err := project.LoadTypes(data.FS)
	if err != nil {
		return nil, fmt.Errorf("load project types: %w", err)
	}
	cal, err := workday.Load(data.FS)
	if err != nil {
		return nil, fmt.Errorf("load holiday calendar: %w", err)
	}
	a.Cultivation.UseCalendar(cal)
	a.Projects = project.NewService(project.Deps{DB: a.DB, Accounts: a.Accounts, Registry: a.Cultivation, Regions: a.Regions,
		Types: types, Calendar: cal, Config: cfg.Projects, Now: cfg.Now})
	dirRef, err := directory.LoadReference(data.FS)
	if err != nil {
		return nil, fmt.Errorf("load directory reference data: %w", err)
	}
	classifier, err := classify.Default()
	if err != nil {
		return nil, err
	}
	a.Directory = directory.NewService(a.DB, dirRef, directory.Config{Home: a.Regions.HomeRegion, Now: cfg.Now,
		Classifier: classifier, Performance: a.Market})
	a.Market.UseDirectory(a.Directory)
	a.Events = event.NewService(a.DB, a.Market, cfg.Now)
	a.Challenges = challenge.NewService(challenge.Deps{DB: a.DB, Accounts: a.Accounts, Directory: a.Directory, Projects: a.Projects,
		Calendar: cal, Now: cfg.Now})
	if a.Chains, err = newChains(a, cfg.Now); err != nil {
		return nil, err
	}

	keys := cfg.FederationKeys
	if keys == nil && cfg.DataDir != "" {
		// Created quietly at first start (every command builds the app);
		// docs/FEDERATION.md says to keep it with the backups.
		if keys, _, err = federation.LoadOrCreateKeys(filepath.Join(cfg.DataDir, "federation.key")); err != nil {
			return nil, fmt.Errorf("federation keys: %w", err)
		}
	}
	a.Federation = federation.NewService(federation.Config{DB: a.DB, Keys: keys, Market: a.Market, Name: instanceName(ctx, a),
		Region: a.HomeRegion, BaseURL: cfg.PublicURL, Now: cfg.Now, Logger: a.Logger})
	// Other regions' listings take part in matching, with their origin.
	a.Market.UseRemote(a.Federation)
	// The dashboard's figures: one provider per module, in display order;
	// a module added later registers its own here.
	a.Dashboard = dashboard.NewService(a.DB, a.Regions, cfg.Now)
	a.Dashboard.Register(dashboard.MarketFigures(a.DB), dashboard.CultivationFigures(a.DB),
		dashboard.ProjectFigures(a.DB), dashboard.DirectoryFigures(a.DB))

	catalogue, err := indicator.LoadCatalogue(data.FS)
	if err != nil {
		return nil, fmt.Errorf("load indicator catalogue: %w", err)
	}
	a.Indicators = indicator.NewService(a.DB, catalogue, a.Regions, cfg.Now)
	a.Workbench = workbench.NewDefault(workbench.Deps{DB: a.DB, Market: a.Market, Cultivation: a.Cultivation,
		Projects: a.Projects, Indicators: a.Indicators, Now: cfg.Now})
	a.Workbench.Register(workbench.ChallengeTodos(a.Challenges))
	a.Workbench.Register(workbench.EventTodos(a.Events))

	a.Jobs = job.NewService(a.DB, a.Logger)
	imports := importer.Config{Jobs: a.Jobs, Limits: sheet.Limits{MaxRows: cfg.ImportMaxRows}}
	a.Cultivation.ConfigureImports(imports)
	a.Market.ConfigureImports(imports)
	a.Directory.ConfigureImports(imports)
	a.Projects.ConfigureImports(imports)

	if cfg.NoIndex {
		return a, nil
	}
	if a.Search, err = market.OpenIndexer(ctx, a.Market, cfg.DataDir, a.Logger); err != nil {
		return nil, fmt.Errorf("open search index: %w", err)
	}
	if _, err := a.Directory.OpenIndex(ctx, cfg.DataDir, a.Logger); err != nil {
		return nil, fmt.Errorf("open directory index: %w", err)
	}
	a.Chains.UseListingSearch(a.Search)
	// A link's candidates include other regions' achievements.
	a.Chains.UseRemote(a.Federation)
	return a, nil
}

// newChains loads the industry chains and their strength rules and builds
// the chain service over the modules whose records it places.
func newChains(a *App, now func() time.Time) (*chain.Service, error) {
	domains, err := chain.DomainNames(data.FS)
	if err != nil {
		return nil, err
	}
	book, err := chain.LoadBook(data.FS, "chains", domains)
	if err != nil {
		return nil, fmt.Errorf("load chains: %w", err)
	}
	rules, err := chain.LoadRules(data.FS, "chains/strength.json")
	if err != nil {
		return nil, fmt.Errorf("load chains: %w", err)
	}
	svc := chain.NewService(chain.Deps{DB: a.DB, Book: book, Rules: rules, Cultivation: a.Cultivation, Market: a.Market,
		Directory: a.Directory, Projects: a.Projects, Now: now})
	svc.SetDomains(domains)
	return svc, nil
}

// ErrPIIKey marks a personal-data keyring New cannot use: none given, or
// not the key the stored personal data was sealed with.
var ErrPIIKey = errors.New("personal-data key")

// SealedColumns are every column of personal data (package pii).
func SealedColumns() []pii.Column {
	var cols []pii.Column
	cols = append(cols, cultivation.SealedColumns...)
	cols = append(cols, market.SealedColumns...)
	cols = append(cols, event.SealedColumns...)
	cols = append(cols, job.SealedColumns...)
	cols = append(cols, federation.SealedColumns...)
	cols = append(cols, challenge.SealedColumns...)
	return append(cols, directory.SealedColumns...)
}

// sealPersonalData attaches cfg.PIIKeys, checks that they open what is
// stored, and seals what is still plain text or sealed with an earlier
// key: the step that brings rows written before sealing existed, or
// before a key rotation, under the current key.
func sealPersonalData(ctx context.Context, cfg Config) error {
	if cfg.PIIKeys != nil {
		pii.Attach(cfg.DB, cfg.PIIKeys)
	}
	keys := pii.From(cfg.DB)
	if keys == nil {
		return fmt.Errorf("%w: none configured", ErrPIIKey)
	}
	if err := pii.Check(ctx, cfg.DB, keys, SealedColumns()...); err != nil {
		return fmt.Errorf("%w: %w", ErrPIIKey, err)
	}
	if err := pii.CheckInstallation(ctx, cfg.DB); err != nil {
		return fmt.Errorf("%w: %w", ErrPIIKey, err)
	}
	n, err := pii.SealAll(ctx, cfg.DB, SealedColumns()...)
	if err != nil {
		return fmt.Errorf("seal personal data: %w", err)
	}
	if n > 0 {
		cfg.Logger.Info("sealed personal data under the current key", "values", n, "key_id", keys.ID())
	}
	return nil
}

// noticeLocked tells a security administrator that an account was locked
// for everyone after failed logins from many addresses.
func noticeLocked(now func() time.Time) func(ctx context.Context, tx *sqldb.Tx, u account.User, to int64) error {
	return func(ctx context.Context, tx *sqldb.Tx, u account.User, to int64) error {
		return notice.Send(ctx, tx, notice.Message{To: to, Kind: "account.locked", Key: "notice.account_locked",
			Args: []notice.Arg{notice.Text(u.Username)}, Link: "/admin/users/" + strconv.FormatInt(u.ID, 10), At: now()})
	}
}

// instanceName names the instance in its federation document after its
// home region (苏州市科创平台).
func instanceName(ctx context.Context, a *App) string {
	if a.HomeRegion == "" {
		return "kechuang"
	}
	if r, err := a.Regions.Get(ctx, a.HomeRegion); err == nil {
		return r.Name + "科创平台"
	}
	return "kechuang " + a.HomeRegion
}

// Server returns the web server on the app's services.
func (a *App) Server() (*web.Server, error) { return web.New(a.Deps) }
