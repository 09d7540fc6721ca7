package cultivation

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Candidate is one firm of a spot check's population with its weight (1,
// plus FlagWeight for every open plausibility flag when the draw is
// weighted).
type Candidate struct {
	EnterpriseID int64 `json:"id"`
	Weight       int   `json:"weight"`
}

// DrawSize is how many of n firms a share of shareBP basis points (500 =
// 5 %) draws: the share rounded up, so that at least the stated share is
// checked, and never more than n.
func DrawSize(n, shareBP int) int {
	if n <= 0 || shareBP <= 0 {
		return 0
	}
	return min(n, (n*shareBP+9999)/10000)
}

// splitMix64 is the SplitMix64 generator (Steele, Lea, Flood 2014). It is
// written out here, not taken from math/rand, so that a recorded seed
// reproduces the same draw on any Go version and architecture.
type splitMix64 struct{ state uint64 }

func (r *splitMix64) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// below returns a uniform value in [0, n) by rejection, n > 0.
func (r *splitMix64) below(n uint64) uint64 {
	limit := math.MaxUint64 - math.MaxUint64%n // a multiple of n
	for {
		if x := r.next(); x < limit {
			return x % n
		}
	}
}

// Draw picks DrawSize(len, shareBP) firms of population without
// replacement, each with a chance proportional to its weight, in draw
// order. It depends only on the population (taken in ascending id, once
// per id, weights below 1 counted as 1), shareBP and seed: integer
// arithmetic throughout, so the same inputs give the same draw everywhere.
func Draw(population []Candidate, shareBP int, seed int64) []Candidate {
	pool := slices.Clone(population)
	slices.SortStableFunc(pool, func(a, b Candidate) int { return cmp.Compare(a.EnterpriseID, b.EnterpriseID) })
	pool = slices.CompactFunc(pool, func(a, b Candidate) bool { return a.EnterpriseID == b.EnterpriseID })
	var total uint64
	for i := range pool {
		pool[i].Weight = max(pool[i].Weight, 1)
		total += uint64(pool[i].Weight)
	}
	k := DrawSize(len(pool), shareBP)
	rng := splitMix64{state: uint64(seed)}
	out := make([]Candidate, 0, k)
	for range k {
		x := rng.below(total)
		i := 0
		for ; x >= uint64(pool[i].Weight); i++ {
			x -= uint64(pool[i].Weight)
		}
		out = append(out, pool[i])
		total -= uint64(pool[i].Weight)
		pool = slices.Delete(pool, i, i+1)
	}
	return out
}

// CheckPoint is one condition of a rule set a checker records a finding on.
type CheckPoint struct {
	ID   string `json:"id"`
	Name string `json:"name"` // in Chinese, as the API gives it
	// NameEN is Name in English, for English pages.
	NameEN string `json:"-"`
}

// CheckPointScore is the check point of a rule set passed on a score.
const CheckPointScore = "score"

// NameIn returns the check point's name in lang: the condition's name, or
// the score row's catalog label.
func (p CheckPoint) NameIn(lang string) string {
	return p.Label().In(lang)
}

// Label is the check point's name in both languages, for a message that
// names it.
func (p CheckPoint) Label() i18n.Pair {
	if p.ID == CheckPointScore {
		return i18n.Pair{Chinese: i18n.T(i18n.Chinese, "sanction.check_score"), English: i18n.T(i18n.English, "sanction.check_score")}
	}
	return i18n.Pair{Chinese: p.Name, English: p.NameEN}
}

// CheckPoints returns the rule set's top-level conditions, and "score"
// when it is passed on a score.
func (rs *RuleSet) CheckPoints() []CheckPoint {
	out := make([]CheckPoint, 0, len(rs.conditions)+1)
	for _, n := range rs.conditions {
		out = append(out, CheckPoint{ID: n.id, Name: n.name, NameEN: n.nameEN})
	}
	if rs.score != nil {
		out = append(out, CheckPoint{ID: CheckPointScore, Name: i18n.T(i18n.Chinese, "sanction.check_score")})
	}
	return out
}

// Finding results.
const (
	FindingPass = "pass"
	FindingFail = "fail"
	FindingNote = "note"
)

// Spot-check states, sources and firm outcomes.
const (
	SpotCheckOpen   = "open"
	SpotCheckClosed = "closed"
	SourceRegistry  = "registry"
	SourceList      = "list"
	SourceRound     = "round" // the firms a round accepted (公示 or 入库)
	OutcomePass     = "pass"
	OutcomeFail     = "fail"
)

// Finding is a checker's finding on one condition.
type Finding struct {
	Condition string `json:"condition"`
	Result    string `json:"result"`
	Note      string `json:"note"`
}

// SpotCheckFirm is one drawn firm with its findings.
type SpotCheckFirm struct {
	EnterpriseID int64       `json:"enterprise_id"`
	Name         string      `json:"name"`
	CreditCode   string      `json:"credit_code"`
	RegionCode   string      `json:"region_code"`
	Position     int         `json:"position"`
	Weight       int         `json:"weight"`
	OpenFlags    int         `json:"open_flags"`
	Findings     []Finding   `json:"findings"`
	Outcome      string      `json:"outcome"`
	CheckedBy    string      `json:"checked_by,omitempty"`
	CheckedAt    time.Time   `json:"checked_at,omitzero"`
	Revocation   *Revocation `json:"revocation,omitempty"`
}

// SpotCheck is one draw (抽查) and its progress. Drawn, Done and Failed
// count the drawn firms the reader sees (a county: its own).
type SpotCheck struct {
	ID             int64           `json:"id"`
	Title          string          `json:"title"`
	RuleSet        string          `json:"rule_set"`
	RegionCode     string          `json:"region_code"`
	ShareBP        int             `json:"share_bp"`
	Seed           int64           `json:"seed"`
	FlagWeight     int             `json:"flag_weight"`
	Source         string          `json:"source"`
	PopulationSize int             `json:"population_size"`
	State          string          `json:"state"`
	CreatedBy      string          `json:"created_by"`
	CreatedAt      time.Time       `json:"created_at"`
	ClosedAt       time.Time       `json:"closed_at,omitzero"`
	Drawn          int             `json:"drawn"`
	Done           int             `json:"done"`
	Failed         int             `json:"failed"`
	Population     []Candidate     `json:"population,omitempty"`
	Conditions     []CheckPoint    `json:"conditions,omitempty"`
	Firms          []SpotCheckFirm `json:"firms,omitempty"`
}

// SpotCheckInput is a new draw. Without EnterpriseIDs or RoundID the
// population is every firm in the actor's region holding a valid
// certificate of RuleSet today; with EnterpriseIDs, exactly those firms;
// with RoundID, the firms that round of RuleSet accepted (公示 or 入库).
// Seed nil draws a fresh seed, which is recorded.
type SpotCheckInput struct {
	Title         string  `json:"title"`
	RuleSet       string  `json:"rule_set"`
	ShareBP       int     `json:"share_bp"`
	Seed          *int64  `json:"seed"`
	FlagWeight    int     `json:"flag_weight"`
	EnterpriseIDs []int64 `json:"enterprise_ids"`
	RoundID       int64   `json:"round_id,omitempty"`
}

const (
	maxTitle         = 100
	maxFlagWeight    = 10
	maxPopulation    = 20000
	maxFindingNote   = 500
	maxSpotChecksPer = 100
)

// Validate checks a draw's parameters against the loaded rule sets.
func (in *SpotCheckInput) Validate(rb *RuleBook) error {
	in.Title = strings.TrimSpace(in.Title)
	var fields []apperr.FieldError
	fields = checkText(fields, "title", in.Title, maxTitle)
	if ladderCert(in.RuleSet) < 0 || len(rb.byID[in.RuleSet]) == 0 {
		fields = append(fields, apperr.Field("rule_set", "sanction.rule_set_invalid"))
	}
	if in.ShareBP < 1 || in.ShareBP > 10000 {
		fields = append(fields, apperr.Field("share_percent", "sanction.share_range"))
	}
	if in.FlagWeight < 0 || in.FlagWeight > maxFlagWeight {
		fields = append(fields, apperr.Field("flag_weight", "sanction.flag_weight_range", maxFlagWeight))
	}
	if in.Seed != nil && (*in.Seed < 0 || *in.Seed > MaxSeed) {
		fields = append(fields, apperr.Field("seed", "sanction.seed_range"))
	}
	if len(in.EnterpriseIDs) > maxPopulation {
		fields = append(fields, apperr.Field("enterprise_ids", "sanction.population_too_large", maxPopulation))
	}
	if in.RoundID < 0 || (in.RoundID > 0 && len(in.EnterpriseIDs) > 0) {
		fields = append(fields, apperr.Field("round_id", "sanction.population_one_source"))
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

// SharePercentBP converts a share in percent (5, 2.5) to basis points; a
// share with more than two decimals or outside (0, 100] is refused on
// share_percent.
func SharePercentBP(pct float64) (int, error) {
	bp := math.Round(pct * 100)
	if math.IsNaN(pct) || pct <= 0 || pct > 100 || math.Abs(bp-pct*100) > 1e-6 {
		return 0, apperr.Fields(apperr.Field("share_percent", "sanction.share_range"))
	}
	return int(bp), nil
}

// CanViewSpotChecks reports whether the actor opens the spot checks
// (FindSpotChecks): the administrator, bureau staff, and county staff, who
// see the checks that drew firms of their county and only those firms.
func (s *Service) CanViewSpotChecks(a account.Actor) bool { return oversees(a) }

// CanCreateSpotChecks reports whether the actor draws spot checks
// (CreateSpotCheck): bureau staff.
func (s *Service) CanCreateSpotChecks(a account.Actor) bool { return a.Role == account.RoleStaff }

// CanRecordFindings reports whether the actor records findings on a drawn
// firm of regionCode (RecordFindings): bureau staff and the county's staff.
func (s *Service) CanRecordFindings(a account.Actor, regionCode string) bool {
	return canManage(a, regionCode)
}

// MaxSeed is the largest seed: 2^53 − 1, so that a seed survives a trip
// through any JSON client's floating-point numbers.
const MaxSeed = 1<<53 - 1

func newSeed() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return int64(binary.LittleEndian.Uint64(b[:]) >> 11)
}

// openFlagCount counts e's plausibility flags nobody has checked.
func (s *Service) openFlagCount(ctx context.Context, q sqldb.Querier, e Enterprise) (int, error) {
	flags, err := s.flags(ctx, q, e)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range flags {
		if f.Check == nil {
			n++
		}
	}
	return n, nil
}

// population returns the draw's candidates and their firms by id.
func (s *Service) population(ctx context.Context, tx *sqldb.Tx, a account.Actor, in SpotCheckInput) ([]Enterprise, error) {
	today := s.now()
	var out []Enterprise
	if in.RoundID > 0 {
		r, err := s.roundFor(ctx, tx, a, in.RoundID)
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Fields(apperr.Field("round_id", "round.not_found"))
		}
		if err != nil {
			return nil, err
		}
		if r.RuleSet != in.RuleSet {
			return nil, apperr.Fields(apperr.Field("round_id", "sanction.round_rule_set_mismatch"))
		}
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT enterprise_id FROM round_applications WHERE round_id = ? AND state IN (?, ?)
			ORDER BY enterprise_id`, r.ID, string(AppAccepted), string(AppRegistered))
		if err != nil {
			return nil, fmt.Errorf("spot check population of round %d: %w", r.ID, err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		in.EnterpriseIDs = ids
		if len(ids) == 0 {
			return nil, nil
		}
	}
	if len(in.EnterpriseIDs) > 0 {
		seen := map[int64]bool{}
		for _, id := range in.EnterpriseIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			e, err := getEnterprise(ctx, tx, id)
			if err == nil && !canRead(a, e) {
				err = apperr.New(apperr.NotFound, "")
			}
			if apperr.Is(err, apperr.NotFound) {
				return nil, apperr.Fields(apperr.Field("enterprise_ids", "sanction.population_unknown", idText(id)))
			}
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	}
	// Certificates first, the whole record only for the certified firms.
	where, args := scopeWhere(a)
	rows, err := tx.QueryContext(ctx, "SELECT id, certificates FROM enterprises WHERE "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("spot check population: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var text string
		var certs []Certificate
		if err := rows.Scan(&id, &text); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(text), &certs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("enterprise %d certificates: %w", id, err)
		}
		if slices.ContainsFunc(CertificateStates(certs, today), func(c CertificateState) bool { return c.Type == in.RuleSet && c.Valid }) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		e, err := getEnterprise(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// CreateSpotCheck draws in.ShareBP of the population at random with a
// recorded seed (Draw), weighted toward open plausibility flags when
// in.FlagWeight > 0, and stores the draw with its population. Bureau staff
// only; an empty population is Invalid on rule_set (or enterprise_ids).
// Every drawn firm's account gets a notice.
func (s *Service) CreateSpotCheck(ctx context.Context, a account.Actor, in SpotCheckInput) (SpotCheck, error) {
	if !s.CanCreateSpotChecks(a) {
		return SpotCheck{}, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	if err := in.Validate(s.rules); err != nil {
		return SpotCheck{}, err
	}
	seed := newSeed()
	if in.Seed != nil {
		seed = *in.Seed
	}
	source := SourceRegistry
	switch {
	case in.RoundID > 0:
		source = SourceRound
	case len(in.EnterpriseIDs) > 0:
		source = SourceList
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		firms, err := s.population(ctx, tx, a, in)
		if err != nil {
			return err
		}
		if len(firms) == 0 {
			field := map[string]string{SourceRegistry: "rule_set", SourceList: "enterprise_ids", SourceRound: "round_id"}[source]
			return apperr.Fields(apperr.Field(field, "sanction.population_empty"))
		}
		byID := map[int64]Enterprise{}
		flags := map[int64]int{}
		pop := make([]Candidate, 0, len(firms))
		for _, e := range firms {
			byID[e.ID] = e
			w := 1
			if in.FlagWeight > 0 {
				n, err := s.openFlagCount(ctx, tx, e)
				if err != nil {
					return err
				}
				flags[e.ID] = n
				w += in.FlagWeight * n
			}
			pop = append(pop, Candidate{EnterpriseID: e.ID, Weight: w})
		}
		slices.SortFunc(pop, func(a, b Candidate) int { return cmp.Compare(a.EnterpriseID, b.EnterpriseID) })
		drawn := Draw(pop, in.ShareBP, seed)
		popJSON, err := json.Marshal(pop)
		if err != nil {
			return err
		}
		now := s.now()
		id, err = tx.InsertID(ctx, `INSERT INTO spot_checks (title, rule_set, region_code, share_bp, seed, flag_weight, source,
			population, population_size, state, created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.Title, in.RuleSet, a.Scope(), in.ShareBP, seed, in.FlagWeight, source, string(popJSON), len(pop), SpotCheckOpen,
			a.UserID, actorName(a), sqldb.At(now))
		if err != nil {
			return fmt.Errorf("insert spot check: %w", err)
		}
		names := make([]string, 0, len(drawn))
		for i, c := range drawn {
			e := byID[c.EnterpriseID]
			if _, err := tx.ExecContext(ctx, `INSERT INTO spot_check_firms (spot_check_id, enterprise_id, region_code, position, weight,
				open_flags) VALUES (?, ?, ?, ?, ?, ?)`, id, e.ID, e.RegionCode, i+1, c.Weight, flags[e.ID]); err != nil {
				return fmt.Errorf("insert drawn firm: %w", err)
			}
			names = append(names, e.Name)
			if e.AccountID != 0 {
				if err := notice.Send(ctx, tx, notice.Message{To: e.AccountID, Kind: "spot_check.draw", Key: "sanction.notice.drawn",
					Args: []notice.Arg{notice.Code("ruleset." + in.RuleSet), notice.Text(in.Title)},
					Link: "/cultivation/enterprises/" + idText(e.ID), At: now}); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "spot_check.create", ObjectType: "spot_check",
			ObjectID: idText(id), ObjectName: in.Title, RegionCode: a.Scope(),
			After: map[string]any{"rule_set": in.RuleSet, "share_bp": in.ShareBP, "seed": seed, "flag_weight": in.FlagWeight,
				"source": source, "population": len(pop), "drawn": names}})
	})
	if err != nil {
		return SpotCheck{}, err
	}
	return s.GetSpotCheck(ctx, a, id)
}

const spotCheckColumns = `c.id, c.title, c.rule_set, c.region_code, c.share_bp, c.seed, c.flag_weight, c.source, c.population_size,
	c.state, c.created_by_name, c.created_at, c.closed_at`

func scanSpotCheck(sc interface{ Scan(...any) error }) (SpotCheck, error) {
	var c SpotCheck
	var created, closed sqldb.Time
	err := sc.Scan(&c.ID, &c.Title, &c.RuleSet, &c.RegionCode, &c.ShareBP, &c.Seed, &c.FlagWeight, &c.Source, &c.PopulationSize,
		&c.State, &c.CreatedBy, &created, &closed)
	c.CreatedAt, c.ClosedAt = created.Time, closed.Time
	return c, err
}

// spotCheckScope limits the checks to those the actor sees: its region
// drew them, or they drew a firm of its region.
func spotCheckScope(a account.Actor) (string, []any) {
	p := region.Prefix(a.Scope()) + "%"
	return `(c.region_code LIKE ? OR EXISTS (SELECT 1 FROM spot_check_firms f WHERE f.spot_check_id = c.id AND f.region_code LIKE ?))`,
		[]any{p, p}
}

// counts fills Drawn, Done and Failed with the drawn firms of c in the
// actor's region.
func countFirms(ctx context.Context, q sqldb.Querier, a account.Actor, c *SpotCheck) error {
	return q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome <> '' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN outcome = 'fail' THEN 1 ELSE 0 END), 0) FROM spot_check_firms WHERE spot_check_id = ? AND region_code LIKE ?`,
		c.ID, region.Prefix(a.Scope())+"%").Scan(&c.Drawn, &c.Done, &c.Failed)
}

// FindSpotChecks lists the spot checks the actor sees, newest first.
func (s *Service) FindSpotChecks(ctx context.Context, a account.Actor, page, perPage int) ([]SpotCheck, int, error) {
	if !s.CanViewSpotChecks(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	page, perPage = pageOf(page, perPage)
	where, args := spotCheckScope(a)
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM spot_checks c WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count spot checks: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+spotCheckColumns+" FROM spot_checks c WHERE "+where+
		" ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?", append(args, perPage, (page-1)*perPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find spot checks: %w", err)
	}
	out := []SpotCheck{}
	for rows.Next() {
		c, err := scanSpotCheck(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if err := countFirms(ctx, s.db, a, &out[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// GetSpotCheck returns a spot check with the drawn firms the actor sees
// (a county: its own) and the conditions to record findings on. A check
// the actor does not see is NotFound.
func (s *Service) GetSpotCheck(ctx context.Context, a account.Actor, id int64) (SpotCheck, error) {
	if !s.CanViewSpotChecks(a) {
		return SpotCheck{}, apperr.New(apperr.NotFound, "sanction.spot_check_not_found")
	}
	return s.getSpotCheck(ctx, s.db, a, id)
}

func (s *Service) getSpotCheck(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (SpotCheck, error) {
	where, args := spotCheckScope(a)
	var popJSON string
	row := q.QueryRowContext(ctx, "SELECT "+spotCheckColumns+", c.population FROM spot_checks c WHERE c.id = ? AND "+where,
		append([]any{id}, args...)...)
	var c SpotCheck
	var created, closed sqldb.Time
	err := row.Scan(&c.ID, &c.Title, &c.RuleSet, &c.RegionCode, &c.ShareBP, &c.Seed, &c.FlagWeight, &c.Source, &c.PopulationSize,
		&c.State, &c.CreatedBy, &created, &closed, &popJSON)
	if sqldb.IsNoRows(err) {
		return SpotCheck{}, apperr.New(apperr.NotFound, "sanction.spot_check_not_found")
	}
	if err != nil {
		return SpotCheck{}, fmt.Errorf("get spot check %d: %w", id, err)
	}
	c.CreatedAt, c.ClosedAt = created.Time, closed.Time
	if a.InScope(c.RegionCode) {
		if err := json.Unmarshal([]byte(popJSON), &c.Population); err != nil {
			return SpotCheck{}, fmt.Errorf("spot check %d population: %w", id, err)
		}
	}
	if rs, err := s.rules.Select(c.RuleSet, "", c.CreatedAt); err == nil {
		c.Conditions = rs.CheckPoints()
	}
	rows, err := q.QueryContext(ctx, `SELECT f.enterprise_id, e.name, e.credit_code, f.region_code, f.position, f.weight, f.open_flags,
		f.findings, f.outcome, f.checked_by_name, f.checked_at FROM spot_check_firms f JOIN enterprises e ON e.id = f.enterprise_id
		WHERE f.spot_check_id = ? AND f.region_code LIKE ? ORDER BY f.position`, id, region.Prefix(a.Scope())+"%")
	if err != nil {
		return SpotCheck{}, fmt.Errorf("drawn firms: %w", err)
	}
	c.Firms = []SpotCheckFirm{}
	for rows.Next() {
		var f SpotCheckFirm
		var findings string
		var at sqldb.Time
		if err := rows.Scan(&f.EnterpriseID, &f.Name, &f.CreditCode, &f.RegionCode, &f.Position, &f.Weight, &f.OpenFlags,
			&findings, &f.Outcome, &f.CheckedBy, &at); err != nil {
			rows.Close()
			return SpotCheck{}, err
		}
		f.CheckedAt = at.Time
		if err := json.Unmarshal([]byte(findings), &f.Findings); err != nil {
			rows.Close()
			return SpotCheck{}, fmt.Errorf("findings: %w", err)
		}
		c.Firms = append(c.Firms, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return SpotCheck{}, err
	}
	for i, f := range c.Firms {
		if f.Outcome != OutcomeFail {
			continue
		}
		r, err := scanRevocation(q.QueryRowContext(ctx, "SELECT "+revocationColumns+
			" FROM revocations r JOIN enterprises e ON e.id = r.enterprise_id WHERE r.spot_check_id = ? AND r.enterprise_id = ?", id, f.EnterpriseID))
		if err == nil {
			c.Firms[i].Revocation = &r
		} else if !sqldb.IsNoRows(err) {
			return SpotCheck{}, err
		}
	}
	c.Drawn = len(c.Firms)
	for _, f := range c.Firms {
		if f.Outcome != "" {
			c.Done++
		}
		if f.Outcome == OutcomeFail {
			c.Failed++
		}
	}
	return c, nil
}

// FindingsInput records the findings on one drawn firm. Complete finishes
// the firm's check: every condition then needs a finding, and a "fail"
// among them revokes the certificate on RevokedOn (default today) for
// Reason (required then).
type FindingsInput struct {
	Findings  []Finding `json:"findings"`
	Complete  bool      `json:"complete"`
	Reason    string    `json:"reason"`
	RevokedOn Date      `json:"revoked_on"`
}

func (in *FindingsInput) validate(points []CheckPoint, today time.Time) (failed bool, err error) {
	in.Reason = strings.TrimSpace(in.Reason)
	var fields []apperr.FieldError
	seen := map[string]bool{}
	for i := range in.Findings {
		f := &in.Findings[i]
		f.Note = strings.TrimSpace(f.Note)
		name := fmt.Sprintf("findings[%d]", i)
		switch {
		case !slices.ContainsFunc(points, func(p CheckPoint) bool { return p.ID == f.Condition }):
			fields = append(fields, apperr.Field(name+".condition", "sanction.condition_unknown", f.Condition))
		case seen[f.Condition]:
			fields = append(fields, apperr.Field(name+".condition", "sanction.condition_twice", f.Condition))
		}
		seen[f.Condition] = true
		if !slices.Contains([]string{FindingPass, FindingFail, FindingNote}, f.Result) {
			fields = append(fields, apperr.Field(name+".result", "sanction.result_invalid"))
		}
		if f.Result != FindingPass && f.Note == "" {
			fields = append(fields, apperr.Field(name+".note", "error.required"))
		} else if utf8.RuneCountInString(f.Note) > maxFindingNote {
			fields = append(fields, apperr.Field(name+".note", "error.too_long", maxFindingNote))
		}
		failed = failed || f.Result == FindingFail
	}
	if in.Complete {
		for _, p := range points {
			if !seen[p.ID] {
				fields = append(fields, apperr.Field("findings", "sanction.findings_incomplete", p.Label()))
				break
			}
		}
	}
	if in.Complete && failed {
		fields = checkText(fields, "reason", in.Reason, maxSanctionReason)
		if in.RevokedOn.IsZero() {
			in.RevokedOn = Date{dayOf(today)}
		} else if in.RevokedOn.After(today) {
			fields = append(fields, apperr.Field("revoked_on", "sanction.revoked_future"))
		}
	}
	if len(fields) > 0 {
		return false, apperr.Fields(fields...)
	}
	return failed, nil
}

// RecordFindings stores the findings on a drawn firm. Bureau staff and
// the firm's county staff may (another county: NotFound); a finished
// firm's check is a Conflict. Completing with a failed condition revokes
// the firm's certificate of the check's rule set (see revoke); the check
// closes when its last firm is finished.
func (s *Service) RecordFindings(ctx context.Context, a account.Actor, checkID, enterpriseID int64, in FindingsInput) (SpotCheckFirm, error) {
	if !s.CanViewSpotChecks(a) {
		return SpotCheckFirm{}, apperr.New(apperr.NotFound, "sanction.spot_check_not_found")
	}
	var out SpotCheckFirm
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		c, err := s.getSpotCheck(ctx, tx, a, checkID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(c.Firms, func(f SpotCheckFirm) bool { return f.EnterpriseID == enterpriseID })
		if i < 0 {
			return apperr.New(apperr.NotFound, "sanction.firm_not_drawn")
		}
		firm := c.Firms[i]
		if !s.CanRecordFindings(a, firm.RegionCode) {
			return apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		if firm.Outcome != "" {
			return apperr.New(apperr.Conflict, "sanction.check_finished")
		}
		now := s.now()
		failed, err := in.validate(c.Conditions, now)
		if err != nil {
			return err
		}
		outcome := ""
		if in.Complete {
			outcome = OutcomePass
			if failed {
				outcome = OutcomeFail
			}
		}
		findings, err := json.Marshal(nonNilFindings(in.Findings))
		if err != nil {
			return err
		}
		// Only a firm still open is written, so that two checkers finishing
		// it at once cannot revoke twice: the second finds nothing to update.
		res, err := tx.ExecContext(ctx, `UPDATE spot_check_firms SET findings = ?, outcome = ?, checked_by = ?, checked_by_name = ?,
			checked_at = ? WHERE spot_check_id = ? AND enterprise_id = ? AND outcome = ''`, string(findings), outcome, a.UserID, actorName(a),
			sqldb.At(now), checkID, enterpriseID)
		if err != nil {
			return fmt.Errorf("record findings: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return apperr.New(apperr.Conflict, "sanction.check_finished")
		}
		if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "spot_check.findings", ObjectType: "spot_check",
			ObjectID: idText(checkID) + "/" + idText(enterpriseID), ObjectName: firm.Name, RegionCode: firm.RegionCode,
			Before: map[string]any{"findings": firm.Findings}, After: map[string]any{"findings": in.Findings, "outcome": outcome}}); err != nil {
			return err
		}
		if outcome == OutcomeFail {
			e, err := getEnterprise(ctx, tx, enterpriseID)
			if err != nil {
				return err
			}
			if _, err := s.revoke(ctx, tx, a, e, c.RuleSet, in.RevokedOn.Time, in.Reason, checkID); err != nil {
				return err
			}
		}
		var open int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM spot_check_firms WHERE spot_check_id = ? AND outcome = ''",
			checkID).Scan(&open); err != nil {
			return err
		}
		if open == 0 && c.State == SpotCheckOpen {
			if _, err := tx.ExecContext(ctx, "UPDATE spot_checks SET state = ?, closed_at = ? WHERE id = ?", SpotCheckClosed,
				sqldb.At(now), checkID); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "spot_check.close", ObjectType: "spot_check",
				ObjectID: idText(checkID), ObjectName: c.Title, RegionCode: c.RegionCode}); err != nil {
				return err
			}
		}
		after, err := s.getSpotCheck(ctx, tx, a, checkID)
		if err != nil {
			return err
		}
		out = after.Firms[slices.IndexFunc(after.Firms, func(f SpotCheckFirm) bool { return f.EnterpriseID == enterpriseID })]
		return nil
	})
	return out, err
}

func nonNilFindings(f []Finding) []Finding {
	if f == nil {
		return []Finding{}
	}
	return f
}

// SharePercent is the share as a page shows it: "5", "2.5".
func (c SpotCheck) SharePercent() string {
	return strconv.FormatFloat(float64(c.ShareBP)/100, 'f', -1, 64)
}
