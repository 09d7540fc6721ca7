package directory

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/search"
	"kechuang/internal/sqldb"
)

// EnterpriseRef is a registry enterprise as the directory links it.
type EnterpriseRef struct {
	ID         int64
	CreditCode string
	Name       string
	RegionCode string
}

// Registry is the enterprise registry (企业库) as the directory needs it.
// cultivation owns the registry and comes after directory in the module
// order, so the directory cannot import it; the wiring passes an adapter
// over cultivation. Nil leaves tenants and portfolio rows unlinked, with
// the name and credit code as entered.
type Registry interface {
	// LookupEnterprise returns the registry enterprise with the credit
	// code: apperr.Invalid when the code itself is wrong (check digit),
	// apperr.NotFound when the registry has no such enterprise.
	LookupEnterprise(ctx context.Context, creditCode string) (EnterpriseRef, error)
}

// Performance is a broker's record in the market's deals: deals handled,
// signed and registered, the technology amount of the registered contracts
// (万元), and the median days from first interest to a signed contract
// (nil when none was signed).
type Performance struct {
	Handled    int      `json:"handled"`
	Signed     int      `json:"signed"`
	Registered int      `json:"registered"`
	TechAmount float64  `json:"tech_amount"`
	MedianDays *float64 `json:"median_days"`
}

// BrokerPerformance computes brokers' performance from the market's deals.
// market implements it (it may import directory, not the reverse) and the
// wiring passes it in; nil leaves Performance out of broker profiles.
type BrokerPerformance interface {
	// BrokerPerformance returns the performance of each broker account in
	// ids that handled any deal; brokers without deals may be absent.
	BrokerPerformance(ctx context.Context, ids []int64) (map[int64]Performance, error)
}

// Config holds what the service needs from outside the directory; every
// field but Home may be nil.
type Config struct {
	// Home returns the instance's home region ("" when none is set), which
	// every record's region must lie in: region.Service.HomeRegion.
	Home func(ctx context.Context) (string, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Classifier suggests an expert's disciplines from the research text:
	// the search index or classify.Default(). Nil suggests nothing.
	Classifier  search.Classifier
	Registry    Registry
	Performance BrokerPerformance
}

// Service owns the directory's records. Every method takes the acting user
// and decides from it what may be seen and changed: anonymous visitors see
// public records (and of experts only what they consented to show), members
// also members-only records, editors their own records, staff everything in
// their region scope. A record outside the actor's view — and a write to a
// record the actor may not edit — is apperr.NotFound.
type Service struct {
	db   *sqldb.DB
	ref  *Reference
	cfg  Config
	now  func() time.Time
	home func(ctx context.Context) (string, error)
	// carrierImports is the carrier import (carrier_import.go); the
	// others are the record imports (record_import.go).
	carrierImports     *carrierImporter
	institutionImports *recordImporter[institutionRow]
	expertImports      *recordImporter[expertRow]
	serviceOrgImports  *recordImporter[serviceOrgRow]
	fundImports        *recordImporter[fundRow]
}

// NewService returns a Service over db with the reference data ref.
func NewService(db *sqldb.DB, ref *Reference, cfg Config) *Service {
	s := &Service{db: db, ref: ref, cfg: cfg, now: cfg.Now, home: cfg.Home}
	if s.now == nil {
		s.now = time.Now
	}
	if s.home == nil {
		s.home = func(context.Context) (string, error) { return "", nil }
	}
	s.carrierImports = newCarrierImporter(s)
	s.institutionImports = newRecordImporter(s, InstitutionImportJobKind, "institution.import", s.InstitutionImportColumns(), s.beginInstitutionImport)
	s.expertImports = newRecordImporter(s, ExpertImportJobKind, "expert.import", s.ExpertImportColumns(), s.beginExpertImport)
	s.serviceOrgImports = newRecordImporter(s, ServiceOrgImportJobKind, "service_org.import", s.ServiceOrgImportColumns(), s.beginServiceOrgImport)
	s.fundImports = newRecordImporter(s, FundImportJobKind, "fund.import", s.FundImportColumns(), s.beginFundImport)
	return s
}

// Reference returns the loaded reference data.
func (s *Service) Reference() *Reference { return s.ref }

// Abilities is what the actor may start in the directory, for navigation
// and "new" buttons.
type Abilities struct {
	// Manage: create institutions, service organisations, carriers and
	// funds, and any expert, in the actor's region (bureau and county
	// staff).
	Manage bool `json:"manage"`
	// Institution is the institution the account acts for (0 for none):
	// it edits that institution and adds its platforms and experts.
	Institution int64 `json:"institution,omitempty"`
	// Expert is the expert record that describes the account (0 for
	// none): it reads, exports and corrects it, gives or withdraws
	// consent and may ask for its deletion.
	Expert int64 `json:"expert,omitempty"`
	// BrokerProfile: the account is a broker and keeps its own profile.
	BrokerProfile bool `json:"broker_profile"`
	// InvestorPreferences: the account is an investor and states its
	// preferences.
	InvestorPreferences bool `json:"investor_preferences"`
}

// Abilities returns what the actor may start.
func (s *Service) Abilities(ctx context.Context, a account.Actor) (Abilities, error) {
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return Abilities{}, err
	}
	out := Abilities{Manage: IsManager(a), Institution: v.institution,
		BrokerProfile: a.LoggedIn() && a.Role == account.RoleBroker, InvestorPreferences: a.LoggedIn() && a.Role == account.RoleInvestor}
	if a.LoggedIn() {
		err := s.db.QueryRowContext(ctx, "SELECT id FROM experts WHERE account_id = ?", a.UserID).Scan(&out.Expert)
		if err != nil && !sqldb.IsNoRows(err) {
			return Abilities{}, fmt.Errorf("expert of account %d: %w", a.UserID, err)
		}
	}
	return out, nil
}
