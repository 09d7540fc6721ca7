package project

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// Config holds the module's rules that an installation may set. Zero
// fields take the defaults given.
type Config struct {
	// ReportDeadlineDay is the day of the month by which the month's report
	// is due (1–28, default 25).
	ReportDeadlineDay int
	// ReminderDays is how many days before the deadline the units that
	// have not reported are reminded (default 3).
	ReminderDays int
	// Lights are the traffic-light thresholds.
	Lights LightRules
	// RespondDays and ResolveDays are the service-request SLA in working
	// days after assignment (default 3 and 15).
	RespondDays, ResolveDays int
	// SupervisionDays is the deadline, in working days, of a 督办 order
	// opened by a service-request breach (default 5).
	SupervisionDays int
	// EscalationDays is the new deadline, in working days from the day of
	// escalation, of an overdue order raised one level (default 5).
	EscalationDays int
}

func (c Config) withDefaults() Config {
	if c.ReportDeadlineDay < 1 || c.ReportDeadlineDay > 28 {
		c.ReportDeadlineDay = 25
	}
	if c.ReminderDays <= 0 {
		c.ReminderDays = 3
	}
	c.Lights = c.Lights.withDefaults()
	if c.RespondDays <= 0 {
		c.RespondDays = 3
	}
	if c.ResolveDays <= 0 {
		c.ResolveDays = 15
	}
	if c.SupervisionDays <= 0 {
		c.SupervisionDays = 5
	}
	if c.EscalationDays <= 0 {
		c.EscalationDays = 5
	}
	return c
}

// Deps are what a Service is built from.
type Deps struct {
	DB       *sqldb.DB
	Accounts *account.Service     // looks up unit members and lead officials
	Registry *cultivation.Service // the enterprise registry
	Regions  *region.Service      // region names for the ledger and the leaders' view
	Types    *Types
	Calendar *workday.Calendar
	Config   Config
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service owns projects, reports, lights, supervision orders, service
// requests, products and the key-enterprise library. Every method takes
// the acting user; a record outside its scope is apperr.NotFound.
type Service struct {
	db       *sqldb.DB
	accounts *account.Service
	registry *cultivation.Service
	regions  *region.Service
	types    *Types
	cal      *workday.Calendar
	cfg      Config
	now      func() time.Time
	imports  *projectImporter
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Service{db: d.DB, accounts: d.Accounts, registry: d.Registry, regions: d.Regions, types: d.Types,
		cal: d.Calendar, cfg: d.Config.withDefaults(), now: d.Now}
	s.imports = newImporter(s)
	return s
}

// Types returns the project types.
func (s *Service) Types() *Types { return s.types }

// Config returns the rules in force, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// Calendar returns the working-day calendar the deadlines count on.
func (s *Service) Calendar() *workday.Calendar { return s.cal }

// today is the current day in Beijing.
func (s *Service) today() workday.Date { return workday.DateOf(s.now()) }

// isGov reports whether the actor is bureau or county staff: the people
// who manage projects, supervise and serve enterprises in their region.
func isGov(a account.Actor) bool {
	return a.LoggedIn() && (a.Role == account.RoleStaff || a.Role == account.RoleCounty)
}

// readsRegion reports whether the actor may see the module's records of
// regionCode: staff in scope and the administrator.
func readsRegion(a account.Actor, regionCode string) bool {
	if a.LoggedIn() && a.Role == account.RoleAdmin {
		return true
	}
	return isGov(a) && a.InScope(regionCode)
}

// managesRegion reports whether the actor may change the module's records
// of regionCode.
func managesRegion(a account.Actor, regionCode string) bool { return isGov(a) && a.InScope(regionCode) }

// CanCreateProject reports whether the actor may create projects (in its
// region).
func CanCreateProject(a account.Actor) bool { return isGov(a) }

// CanManageUnits reports whether the actor may create units and name their
// members (in its region).
func CanManageUnits(a account.Actor) bool { return isGov(a) }

// CanOpenSupervision reports whether the actor may open 督办 orders.
func CanOpenSupervision(a account.Actor) bool { return isGov(a) }

// CanSubmitRequest reports whether the actor may submit service requests:
// enterprise accounts, for the registry enterprises linked to them.
func CanSubmitRequest(a account.Actor) bool { return a.LoggedIn() && a.Role == account.RoleEnterprise }

// CanViewModule reports whether the actor sees the module's lists and the
// leaders' view.
func CanViewModule(a account.Actor) bool {
	return isGov(a) || (a.LoggedIn() && a.Role == account.RoleAdmin)
}

// scopeLike returns the LIKE pattern of the actor's region scope for
// column region_code.
func scopeLike(a account.Actor) string { return region.Prefix(a.Scope()) + "%" }

// ancestors returns the codes of the city and province above a county or
// city code, nearest first.
func ancestors(code string) []string {
	var out []string
	if len(code) != 6 {
		return nil
	}
	if city := code[:4] + "00"; city != code {
		out = append(out, city)
	}
	if prov := code[:2] + "0000"; prov != code {
		out = append(out, prov)
	}
	return out
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }

// htmlTag finds markup: texts are plain, and markup is refused rather than
// stripped so that what was written is what readers see.
var htmlTag = regexp.MustCompile(`<\s*/?\s*[a-zA-Z!]`)

// cleanText trims s, unifies its line ends and checks its length (in
// characters) and that it holds no markup. required makes "" an error.
func cleanText(field, s string, limit int, required bool) (string, *apperr.FieldError) {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
	switch {
	case s == "" && required:
		fe := apperr.Field(field, "error.required")
		return s, &fe
	case utf8.RuneCountInString(s) > limit:
		fe := apperr.Field(field, "error.too_long", limit)
		return s, &fe
	case htmlTag.MatchString(s):
		fe := apperr.Field(field, "project.no_html")
		return s, &fe
	}
	return s, nil
}

// collect gathers field errors.
type collect []apperr.FieldError

func (c *collect) add(fe *apperr.FieldError) {
	if fe != nil {
		*c = append(*c, *fe)
	}
}

func (c *collect) field(field, key string, args ...any) {
	*c = append(*c, apperr.Field(field, key, args...))
}

func (c collect) err() error {
	if len(c) == 0 {
		return nil
	}
	return apperr.Fields(c...)
}

// Evidence is a reference to a file that shows work done: an attachment
// stored elsewhere, by name and reference.
type Evidence struct {
	Name string `json:"name"`
	Ref  string `json:"ref"`
}

const maxEvidence = 10

func cleanEvidence(field string, in []Evidence) ([]Evidence, *apperr.FieldError) {
	out := []Evidence{}
	for _, e := range in {
		e.Name, e.Ref = strings.TrimSpace(e.Name), strings.TrimSpace(e.Ref)
		if e.Name == "" && e.Ref == "" {
			continue
		}
		if e.Ref == "" || utf8.RuneCountInString(e.Name) > 100 || len(e.Ref) > 200 || htmlTag.MatchString(e.Name) {
			fe := apperr.Field(field, "project.evidence_invalid")
			return nil, &fe
		}
		out = append(out, e)
	}
	if len(out) > maxEvidence {
		fe := apperr.Field(field, "project.evidence_too_many", maxEvidence)
		return nil, &fe
	}
	return out, nil
}

// nullID is id as a nullable column value.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// userName is the SQL for a user's shown name, given the users alias.
func userName(alias string) string {
	return fmt.Sprintf("COALESCE(NULLIF(%[1]s.display_name, ''), %[1]s.username, '')", alias)
}
