package cultivation

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/notice"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

func init() { audit.RegisterActions("policy_claim.set", "policy_claim.clear") }

// Claim statuses a firm or staff may mark: applied for (已申报) and
// received (已兑现).
const (
	ClaimApplied  = "applied"
	ClaimReceived = "received"
)

// ClaimStatuses are the statuses of a policy claim, in order.
var ClaimStatuses = []string{ClaimApplied, ClaimReceived}

// maxClaimNote bounds a claim's note, in characters.
const maxClaimNote = 500

// UsePolicies hands the service the loaded policies (LoadPolicies); the
// wiring calls it once before serving.
func (s *Service) UsePolicies(pb *PolicyBook) { s.policies = pb }

// Policies returns the loaded policies (an empty book when none were
// loaded).
func (s *Service) Policies() *PolicyBook {
	if s.policies == nil {
		return &PolicyBook{byID: map[string]*Policy{}}
	}
	return s.policies
}

// CanViewPolicies reports whether the actor may open the policy pages
// (GetPolicy): everyone who reads the registry.
func (s *Service) CanViewPolicies(a account.Actor) bool { return readsRegistry(a) }

// CanViewPolicyUptake reports whether the actor sees, per county and
// policy, the firms eligible and not yet claiming (PolicyUptake,
// PolicySummary, ExportNoApplication): the administrator and bureau and
// county staff, each in its region.
func (s *Service) CanViewPolicyUptake(a account.Actor) bool { return oversees(a) }

// CanClaimPolicy reports whether the actor may mark e's policies as
// applied or received (SetPolicyClaim): staff in e's region and e's own
// account.
func (s *Service) CanClaimPolicy(a account.Actor, e Enterprise) bool { return s.CanFillYears(a, e) }

// ListPolicies returns the loaded policies, in id order, to those who may
// view them (CanViewPolicies).
func (s *Service) ListPolicies(a account.Actor) ([]*Policy, error) {
	if !s.CanViewPolicies(a) {
		return nil, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	return s.Policies().List(), nil
}

// GetPolicy returns a loaded policy; an unknown id is NotFound.
func (s *Service) GetPolicy(a account.Actor, id string) (*Policy, error) {
	if !s.CanViewPolicies(a) {
		return nil, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	p := s.Policies().Get(id)
	if p == nil {
		return nil, apperr.New(apperr.NotFound, "policy.not_found")
	}
	return p, nil
}

// PolicyClaim is a firm's mark on a policy.
type PolicyClaim struct {
	Status string    `json:"status"`
	Amount *float64  `json:"received_amount"` // the amount received, in 元, when given
	Note   string    `json:"note"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// EnterprisePolicy is one policy in force for a firm: how the firm stands
// against it, the amount, and the firm's claim.
type EnterprisePolicy struct {
	PolicyMatch
	Name          string       `json:"name"`
	NoApplication bool         `json:"no_application"`
	Claim         *PolicyClaim `json:"claim"`
	// NameEN is Name in English, for English pages.
	NameEN string `json:"-"`
}

// NameIn returns the policy's name in lang.
func (ep EnterprisePolicy) NameIn(lang string) string {
	if isEN(lang) && ep.NameEN != "" {
		return ep.NameEN
	}
	return ep.Name
}

// EnterprisePolicies evaluates the firm against every policy in force today
// that covers its region, eligible first, then those it may meet, then the
// rest. Whoever may read the firm may.
func (s *Service) EnterprisePolicies(ctx context.Context, a account.Actor, id int64) ([]EnterprisePolicy, error) {
	e, err := s.GetEnterprise(ctx, a, id)
	if err != nil {
		return nil, err
	}
	years, err := loadYears(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	claims, err := loadClaims(ctx, s.db, "enterprise_id = ?", id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	in := e.AssessmentInput(now, years)
	out := []EnterprisePolicy{}
	for _, p := range s.Policies().List() {
		if !p.InForce(now) || !p.Covers(e.RegionCode) {
			continue
		}
		ep := EnterprisePolicy{PolicyMatch: p.Evaluate(in), Name: p.Name, NameEN: p.NameEN, NoApplication: p.NoApplication}
		ep.Claim = claims[claimKey{id, p.ID}]
		out = append(out, ep)
	}
	sort.SliceStable(out, func(i, j int) bool { return matchRank(out[i].Status) < matchRank(out[j].Status) })
	return out, nil
}

func matchRank(st MatchStatus) int {
	switch st {
	case MatchEligible:
		return 0
	case MatchPossible:
		return 1
	}
	return 2
}

// ClaimUpdate is a mark to set: Status applied or received, or "" to
// clear the mark; Amount (元) only with received.
type ClaimUpdate struct {
	Status string   `json:"status"`
	Amount *float64 `json:"received_amount"`
	Note   string   `json:"note"`
}

// Validate checks the update's fields.
func (u *ClaimUpdate) Validate() error {
	var fields []apperr.FieldError
	u.Note = strings.TrimSpace(u.Note)
	if u.Status != "" && !contains(ClaimStatuses, u.Status) {
		fields = append(fields, apperr.Field("status", "policy.status_invalid"))
	}
	if u.Amount != nil {
		switch {
		case u.Status != ClaimReceived:
			fields = append(fields, apperr.Field("received_amount", "policy.amount_only_received"))
		case *u.Amount < 0 || *u.Amount > 1e11 || math.IsNaN(*u.Amount):
			fields = append(fields, apperr.Field("received_amount", "error.number"))
		}
	}
	if utf8.RuneCountInString(u.Note) > maxClaimNote {
		fields = append(fields, apperr.Field("note", "error.too_long", maxClaimNote))
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

// SetPolicyClaim marks the firm's claim on a policy (or clears it when
// u.Status is empty) and audits the change; a mark staff set is sent to
// the firm's account as a notice. The firm's own account and
// staff in its region may; a firm the actor cannot see and an unknown
// policy are NotFound. A policy that does not cover the firm's region is
// refused on the policy field.
func (s *Service) SetPolicyClaim(ctx context.Context, a account.Actor, id int64, policyID string, u ClaimUpdate) (*PolicyClaim, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var out *PolicyClaim
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		e, err := getEnterprise(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canRead(a, e) {
			return apperr.New(apperr.NotFound, "cultivation.enterprise_not_found")
		}
		p := s.Policies().Get(policyID)
		if p == nil {
			return apperr.New(apperr.NotFound, "policy.not_found")
		}
		if !s.CanClaimPolicy(a, e) {
			return apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		if !p.Covers(e.RegionCode) {
			return apperr.Fields(apperr.Field("policy", "policy.not_covered"))
		}
		old, err := loadClaims(ctx, tx, "enterprise_id = ? AND policy_id = ?", id, policyID)
		if err != nil {
			return err
		}
		before := old[claimKey{id, policyID}]
		now := s.now()
		action := "policy_claim.set"
		if u.Status == "" {
			if before == nil {
				return nil
			}
			action = "policy_claim.clear"
			if _, err := tx.ExecContext(ctx, "DELETE FROM policy_claims WHERE enterprise_id = ? AND policy_id = ?", id, policyID); err != nil {
				return fmt.Errorf("clear claim: %w", err)
			}
		} else {
			name := a.DisplayName
			if name == "" {
				name = a.Username
			}
			var amount any
			if u.Amount != nil {
				amount = *u.Amount
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO policy_claims (enterprise_id, policy_id, status, amount, note,
				updated_by, updated_by_name, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (enterprise_id, policy_id) DO UPDATE SET status = excluded.status, amount = excluded.amount,
				note = excluded.note, updated_by = excluded.updated_by, updated_by_name = excluded.updated_by_name,
				updated_at = excluded.updated_at`,
				id, policyID, u.Status, amount, u.Note, a.UserID, name, sqldb.At(now)); err != nil {
				return fmt.Errorf("store claim: %w", err)
			}
			out = &PolicyClaim{Status: u.Status, Amount: u.Amount, Note: u.Note, By: name, At: now}
			// Staff marking the firm's claim tell the firm's account.
			if e.AccountID != 0 && e.AccountID != a.UserID {
				if err := notice.Send(ctx, tx, notice.Message{To: e.AccountID, Kind: "policy.claim", Key: "policy.notice.claim",
					Args: []notice.Arg{notice.Text(p.Name), notice.Code("policy.claim." + u.Status)},
					Link: "/cultivation/enterprises/" + idText(id) + "#policies", At: now}); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: action, ObjectType: "enterprise", ObjectName: e.Name,
			ObjectID: idText(id) + "/" + policyID, RegionCode: e.RegionCode, Before: before, After: out})
	})
	return out, err
}

type claimKey struct {
	enterprise int64
	policy     string
}

func loadClaims(ctx context.Context, q sqldb.Querier, where string, args ...any) (map[claimKey]*PolicyClaim, error) {
	rows, err := q.QueryContext(ctx, `SELECT enterprise_id, policy_id, status, amount, note, updated_by_name, updated_at
		FROM policy_claims WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("load claims: %w", err)
	}
	defer rows.Close()
	out := map[claimKey]*PolicyClaim{}
	for rows.Next() {
		var k claimKey
		var c PolicyClaim
		var at sqldb.Time
		if err := rows.Scan(&k.enterprise, &k.policy, &c.Status, &c.Amount, &c.Note, &c.By, &at); err != nil {
			return nil, err
		}
		c.At = at.Time
		out[k] = &c
	}
	return out, rows.Err()
}

// CountyUptake counts, for one county and one policy, the firms that meet
// it, may meet it and have claimed it, and those eligible but not claiming
// with the amount they leave unclaimed.
type CountyUptake struct {
	RegionCode      string  `json:"region_code"`
	RegionName      string  `json:"region_name"`
	Eligible        int     `json:"eligible"`
	Possible        int     `json:"possible"`
	Claimed         int     `json:"claimed"`
	Received        int     `json:"received"`
	Unclaimed       int     `json:"unclaimed"`
	UnclaimedAmount float64 `json:"unclaimed_amount"`
}

// UptakeFirm is one firm on a policy's list.
type UptakeFirm struct {
	ID         int64       `json:"id"`
	Name       string      `json:"name"`
	CreditCode string      `json:"credit_code"`
	RegionCode string      `json:"region_code"`
	RegionName string      `json:"region_name"`
	Status     MatchStatus `json:"status"`
	Amount     *float64    `json:"amount"`
	Claim      string      `json:"claim"` // "", applied or received
}

// PolicyUptake is one policy's take-up in the actor's region.
type PolicyUptake struct {
	Policy   string         `json:"policy"`
	Counties []CountyUptake `json:"counties"`
	Total    CountyUptake   `json:"total"`
	// Firms are the firms eligible or possibly eligible (in county, when
	// given), eligible and unclaimed first; only PolicyUptake fills it.
	Firms []UptakeFirm `json:"-"`
}

// PolicySummary returns the take-up of every policy in force today in the
// actor's region, per county. County staff see their county only.
func (s *Service) PolicySummary(ctx context.Context, a account.Actor) ([]PolicyUptake, error) {
	if !s.CanViewPolicyUptake(a) {
		return nil, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	var ps []*Policy
	for _, p := range s.Policies().List() {
		if p.InForce(s.now()) {
			ps = append(ps, p)
		}
	}
	return s.uptake(ctx, a, ps, "")
}

// PolicyUptake returns one policy's take-up per county with its firms,
// limited to county when given. A county outside the actor's region is
// NotFound, as is an unknown policy.
func (s *Service) PolicyUptake(ctx context.Context, a account.Actor, policyID, county string) (PolicyUptake, error) {
	if !s.CanViewPolicyUptake(a) {
		return PolicyUptake{}, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	p := s.Policies().Get(policyID)
	if p == nil {
		return PolicyUptake{}, apperr.New(apperr.NotFound, "policy.not_found")
	}
	if county != "" && (!region.ValidCode(county) || !a.InScope(county)) {
		return PolicyUptake{}, apperr.New(apperr.NotFound, "policy.county_not_found")
	}
	out, err := s.uptake(ctx, a, []*Policy{p}, county)
	if err != nil {
		return PolicyUptake{}, err
	}
	return out[0], nil
}

// uptake evaluates every firm in the actor's region (in county, when
// given) against the policies. Matching runs in Go, so both databases give
// the same answer.
func (s *Service) uptake(ctx context.Context, a account.Actor, ps []*Policy, county string) ([]PolicyUptake, error) {
	where, args := scopeWhere(a)
	if county != "" {
		where += " AND region_code LIKE ?"
		args = append(args, region.Prefix(county)+"%")
	}
	firms, err := s.firmsWithYears(ctx, where, args)
	if err != nil {
		return nil, err
	}
	claims, err := loadClaims(ctx, s.db, "enterprise_id IN (SELECT id FROM enterprises WHERE "+where+")", args...)
	if err != nil {
		return nil, err
	}
	counties, err := s.countiesInScope(ctx, a)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, c := range counties {
		names[c.Code] = c.Name
	}
	now := s.now()
	out := make([]PolicyUptake, len(ps))
	for i, p := range ps {
		rows := map[string]*CountyUptake{}
		for _, c := range counties {
			if county == "" || c.Code == county {
				rows[c.Code] = &CountyUptake{RegionCode: c.Code, RegionName: c.Name}
			}
		}
		u := PolicyUptake{Policy: p.ID}
		for _, f := range firms {
			if !p.Covers(f.e.RegionCode) {
				continue
			}
			m := p.Evaluate(f.in(now))
			if m.Status == MatchIneligible {
				continue
			}
			code := countyOf(f.e.RegionCode)
			row := rows[code]
			if row == nil {
				row = &CountyUptake{RegionCode: code, RegionName: names[code]}
				rows[code] = row
			}
			claim := ""
			if c := claims[claimKey{f.e.ID, p.ID}]; c != nil {
				claim = c.Status
			}
			if m.Status == MatchPossible {
				row.Possible++
			} else {
				row.Eligible++
				switch claim {
				case "":
					row.Unclaimed++
					if m.Amount != nil {
						row.UnclaimedAmount += *m.Amount
					}
				case ClaimReceived:
					row.Received++
					row.Claimed++
				default:
					row.Claimed++
				}
			}
			u.Firms = append(u.Firms, UptakeFirm{ID: f.e.ID, Name: f.e.Name, CreditCode: f.e.CreditCode, RegionCode: f.e.RegionCode,
				RegionName: names[code], Status: m.Status, Amount: m.Amount, Claim: claim})
		}
		codes := make([]string, 0, len(rows))
		for code := range rows {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		u.Total = CountyUptake{RegionName: "合计"}
		for _, code := range codes {
			r := *rows[code]
			u.Counties = append(u.Counties, r)
			u.Total.Eligible += r.Eligible
			u.Total.Possible += r.Possible
			u.Total.Claimed += r.Claimed
			u.Total.Received += r.Received
			u.Total.Unclaimed += r.Unclaimed
			u.Total.UnclaimedAmount += r.UnclaimedAmount
		}
		if u.Counties == nil {
			u.Counties = []CountyUptake{}
		}
		sort.SliceStable(u.Firms, func(i, j int) bool { return firmRank(u.Firms[i]) < firmRank(u.Firms[j]) })
		out[i] = u
	}
	return out, nil
}

// firmRank puts eligible unclaimed firms first, then eligible claimed ones,
// then those that may meet the policy.
func firmRank(f UptakeFirm) int {
	switch {
	case f.Status == MatchEligible && f.Claim == "":
		return 0
	case f.Status == MatchEligible:
		return 1
	}
	return 2
}

// countyOf returns the county-level code (6 digits) of a region code.
func countyOf(code string) string {
	if len(code) > 6 {
		return code[:6]
	}
	return code
}

type firmYears struct {
	e     Enterprise
	years []YearRecord
}

func (f *firmYears) in(asOf time.Time) AssessmentInput { return f.e.AssessmentInput(asOf, f.years) }

// firmsWithYears loads the firms matching where with their year records,
// in two queries.
func (s *Service) firmsWithYears(ctx context.Context, where string, args []any) ([]*firmYears, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+enterpriseColumns+" FROM enterprises WHERE "+where+" ORDER BY name, id", args...)
	if err != nil {
		return nil, fmt.Errorf("policy firms: %w", err)
	}
	var firms []*firmYears
	byID := map[int64]*firmYears{}
	for rows.Next() {
		e, err := scanEnterprise(rows, pii.From(s.db))
		if err != nil {
			rows.Close()
			return nil, err
		}
		f := &firmYears{e: e}
		firms = append(firms, f)
		byID[e.ID] = f
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	yrows, err := s.db.QueryContext(ctx, `SELECT enterprise_id, year, data FROM enterprise_years
		WHERE enterprise_id IN (SELECT id FROM enterprises WHERE `+where+`) ORDER BY enterprise_id, year`, args...)
	if err != nil {
		return nil, fmt.Errorf("policy firm years: %w", err)
	}
	defer yrows.Close()
	for yrows.Next() {
		var id int64
		var year int
		var data string
		if err := yrows.Scan(&id, &year, &data); err != nil {
			return nil, err
		}
		var y YearRecord
		if err := json.Unmarshal([]byte(data), &y); err != nil {
			return nil, fmt.Errorf("year %d of enterprise %d: %w", year, id, err)
		}
		y.Year = year
		if f := byID[id]; f != nil {
			f.years = append(f.years, y)
		}
	}
	return firms, yrows.Err()
}

// ExportNoApplication writes the .xlsx list of firms in the actor's region
// (in county, when given) that qualify for a 免申即享 policy without
// applying, with the amount each is due. A policy that is not 免申即享 is
// refused; an unknown policy or a county outside the region is NotFound.
func (s *Service) ExportNoApplication(ctx context.Context, a account.Actor, policyID, county string, w io.Writer) error {
	u, err := s.PolicyUptake(ctx, a, policyID, county)
	if err != nil {
		return err
	}
	p := s.Policies().Get(policyID)
	if !p.NoApplication {
		return apperr.New(apperr.Invalid, "policy.not_no_application")
	}
	claimText := map[string]string{"": "未兑现", ClaimApplied: "已申报", ClaimReceived: "已兑现"}
	var rows [][]any
	total := 0.0
	for _, f := range u.Firms {
		if f.Status != MatchEligible {
			continue
		}
		var amount any
		if f.Amount != nil {
			amount = math.Round(*f.Amount/100) / 100
			total += *f.Amount
		}
		rows = append(rows, []any{len(rows) + 1, sheet.EscapeFormula(f.Name), f.CreditCode, f.RegionName, amount, claimText[f.Claim]})
	}
	rows = append(rows, []any{nil, "合计", nil, nil, math.Round(total/100) / 100, nil})
	number := ""
	if len(p.Documents) > 0 {
		number = p.Documents[0].Number
	}
	return sheet.WriteXLSX(w, sheet.Sheet{Name: "免申即享", Title: p.Name + " 免申即享企业名单",
		Preface: [][]any{{"政策依据", number}, {"发文机关", p.Issuer}, {"统计日期", s.now().Format(dateLayout)}},
		Header:  []string{"序号", "企业名称", "统一社会信用代码", "所在区县", "金额（万元）", "兑现状态"},
		Rows:    rows, ColWidths: []float64{8, 36, 24, 16, 14, 12}})
}
