package directory

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// Fund is a fund of the region (政府引导基金, 产业基金, 天使基金,
// 创业投资基金): its manager, scale (认缴 subscribed, 实缴 paid, 万元),
// stages and focus domains, and its portfolio. Its owner (the manager's
// account) edits it and the portfolio; staff in scope too.
type Fund struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Type        string     `json:"type"`
	Manager     string     `json:"manager,omitempty"` // 基金管理人
	ManagerCode string     `json:"manager_code,omitempty"`
	Subscribed  float64    `json:"subscribed"` // 认缴规模, 万元
	Paid        float64    `json:"paid"`       // 实缴规模, 万元
	Stages      []string   `json:"stages"`
	Domains     []string   `json:"domains"`
	Established string     `json:"established,omitempty"`
	Summary     string     `json:"summary,omitempty"`
	Contact     Contact    `json:"contact"`
	RegionCode  string     `json:"region_code"`
	Visibility  Visibility `json:"visibility"`
	OwnerID     int64      `json:"owner_id,omitempty"`
	Perms       Perms      `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// FundInput is what creating or changing a fund takes.
type FundInput struct {
	Name        string
	Type        string
	Manager     string
	ManagerCode string
	Subscribed  float64
	Paid        float64 // at most Subscribed
	Stages      []string
	Domains     []string
	Established string
	Summary     string
	Contact     Contact
	RegionCode  string // a city or county
	Visibility  Visibility
	OwnerID     int64 // set by staff: an enabled member account
}

// maxAmount bounds amounts in 万元 (1 万亿元): a typo guard, not policy.
const maxAmount = 1e8

// Validate normalizes the input and returns every bad field at once (the
// region and owner are checked against the database on write).
func (in *FundInput) Validate(ref *Reference, now time.Time) error {
	var c checker
	in.check(&c, ref, now)
	return c.err()
}

func (in *FundInput) check(c *checker, ref *Reference, now time.Time) {
	c.text("name", &in.Name, maxName, true)
	c.choice("type", &in.Type, ref.FundTypes, true)
	c.text("manager", &in.Manager, maxName, false)
	c.creditCode("manager_code", &in.ManagerCode)
	c.amount("subscribed", in.Subscribed, true, maxAmount)
	c.amount("paid", in.Paid, false, maxAmount)
	if in.Paid > in.Subscribed {
		c.add("paid", "directory.paid_over_subscribed")
	}
	c.codes("stages", &in.Stages, ref.Stages.Has)
	c.codes("domains", &in.Domains, ref.ValidDomain)
	c.date("established", &in.Established, false, now)
	c.text("summary", &in.Summary, maxSummary, false)
	in.Contact.check(c)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	c.visibility(&in.Visibility, VisiblePublic)
}

// FundFilter selects funds. Zero fields do not filter.
type FundFilter struct {
	Query  string // part of the name or manager
	Type   string
	Stage  string
	Domain string
	Region string
	Paging
}

const fundColumns = `id, name, type, manager, manager_code, subscribed, paid, stages, domains, established, summary,
	contact_name, contact_phone, contact_email, region_code, visibility, COALESCE(owner_id, 0), created_at, updated_at`

func scanFund(r rowScanner) (Fund, error) {
	var f Fund
	var stages, domains string
	var created, updated sqldb.Time
	err := r.Scan(&f.ID, &f.Name, &f.Type, &f.Manager, &f.ManagerCode, &f.Subscribed, &f.Paid, &stages, &domains,
		&f.Established, &f.Summary, &f.Contact.Name, &f.Contact.Phone, &f.Contact.Email, &f.RegionCode, &f.Visibility,
		&f.OwnerID, &created, &updated)
	f.Stages, f.Domains, f.CreatedAt, f.UpdatedAt = splitCodes(stages), splitCodes(domains), created.Time, updated.Time
	return f, err
}

func getFund(ctx context.Context, q sqldb.Querier, id int64) (Fund, error) {
	return getOne(ctx, q, "fund", "SELECT "+fundColumns+" FROM funds WHERE id = ?", id, scanFund)
}

func (f Fund) view(a account.Actor) (Fund, bool) {
	p, sees, contact, owner := ownedView(a, f.state())
	if !sees {
		return Fund{}, false
	}
	f.Perms = p
	if !contact {
		f.Contact = Contact{}
	}
	if !owner {
		f.OwnerID = 0
	}
	return f, true
}

func (f Fund) state() ownedState { return ownedState{f.RegionCode, f.Visibility, f.OwnerID} }

var funds = ownedKind[Fund]{object: "fund", table: "funds", county: false, get: getFund,
	state: Fund.state, audit: Fund.auditView}

func (f Fund) auditView() map[string]any {
	return map[string]any{"name": f.Name, "type": f.Type, "manager": f.Manager, "manager_code": f.ManagerCode,
		"subscribed": f.Subscribed, "paid": f.Paid, "stages": f.Stages, "domains": f.Domains, "established": f.Established,
		"region_code": f.RegionCode, "visibility": f.Visibility, "owner_id": f.OwnerID, "contact_name": f.Contact.Name}
}

// fundArgs are the stored columns of in, the contact's phone and e-mail
// sealed with k when the statement runs.
func fundArgs(in FundInput, k *pii.Keyring) []any {
	return []any{in.Name, in.Type, in.Manager, in.ManagerCode, in.Subscribed, in.Paid, joinCodes(in.Stages), joinCodes(in.Domains),
		in.Established, in.Summary, in.Contact.Name, k.Value(fundPhone, in.Contact.Phone), k.Value(fundEmail, in.Contact.Email), in.RegionCode, string(in.Visibility),
		nullID(in.OwnerID)}
}

// CreateFund adds a fund. Staff may, in their region.
func (s *Service) CreateFund(ctx context.Context, a account.Actor, in FundInput) (Fund, error) {
	if !IsManager(a) {
		return Fund{}, onlyManagers(a)
	}
	var out Fund
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var c checker
		in.check(&c, s.ref, s.now())
		if err := s.checkOwned(ctx, tx, &c, a, funds.county, nil, Perms{}, in.RegionCode, &in.OwnerID); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		var err error
		out, err = s.insertFund(ctx, tx, a, in)
		return err
	})
	return out, err
}

// insertFund stores a checked fund in tx, the contact's phone and e-mail
// sealed, with its audit row; the form, the API and the import create
// funds through it.
func (s *Service) insertFund(ctx context.Context, tx *sqldb.Tx, a account.Actor, in FundInput) (Fund, error) {
	now := sqldb.At(s.now())
	id, err := tx.InsertID(ctx, `INSERT INTO funds (name, type, manager, manager_code, subscribed, paid, stages, domains,
		established, summary, contact_name, contact_phone, contact_email, region_code, visibility, owner_id, created_by,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append(fundArgs(in, pii.From(tx)), a.UserID, now, now)...)
	if err != nil {
		return Fund{}, fmt.Errorf("insert fund: %w", err)
	}
	out, err := getFund(ctx, tx, id)
	if err != nil {
		return Fund{}, err
	}
	out, _ = out.view(a)
	return out, audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "fund.create", ObjectType: "fund",
		ObjectID: idText(id), RegionCode: out.RegionCode, After: out.auditView()})
}

// GetFund returns a fund the actor may see.
func (s *Service) GetFund(ctx context.Context, a account.Actor, id int64) (Fund, error) {
	f, err := getFund(ctx, s.db, id)
	if err != nil {
		return Fund{}, err
	}
	if f, ok := f.view(a); ok {
		return f, nil
	}
	return Fund{}, notFound()
}

// FindFunds lists the funds the actor may see that match f, by name.
func (s *Service) FindFunds(ctx context.Context, a account.Actor, f FundFilter) ([]Fund, int, error) {
	see, args := seeWhere(a, "", "owner_id = ?", a.UserID)
	where := []string{see}
	where, args = textWhere(where, args, f.Query, "name", "manager")
	if f.Type != "" {
		where, args = append(where, "type = ?"), append(args, f.Type)
	}
	where, args = codeWhere(where, args, "stages", f.Stage)
	where, args = domainWhere(where, args, "domains", f.Domain)
	where, args = regionWhere(where, args, "region_code", f.Region)
	list, total, err := findPage(ctx, s.db, "funds", fundColumns, "funds", where, args, "name, id", f.Paging, scanFund)
	if err != nil {
		return nil, 0, err
	}
	return list, total, viewAll("fund", list, func(x Fund) (Fund, bool) { return x.view(a) })
}

// UpdateFund replaces a fund's profile. Its owner and staff in scope may;
// only staff change the owner or move it.
func (s *Service) UpdateFund(ctx context.Context, a account.Actor, id int64, in FundInput) (Fund, error) {
	var out Fund
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, p, err := funds.edit(ctx, tx, a, id, false)
		if err != nil {
			return err
		}
		keep(&in.RegionCode, &in.Visibility, old.RegionCode, old.Visibility)
		var c checker
		in.check(&c, s.ref, s.now())
		st := old.state()
		if err := s.checkOwned(ctx, tx, &c, a, funds.county, &st, p, in.RegionCode, &in.OwnerID); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE funds SET name = ?, type = ?, manager = ?, manager_code = ?, subscribed = ?,
			paid = ?, stages = ?, domains = ?, established = ?, summary = ?, contact_name = ?, contact_phone = ?,
			contact_email = ?, region_code = ?, visibility = ?, owner_id = ?, updated_at = ? WHERE id = ?`,
			append(fundArgs(in, pii.From(tx)), sqldb.At(s.now()), id)...); err != nil {
			return fmt.Errorf("update fund %d: %w", id, err)
		}
		if out, err = getFund(ctx, tx, id); err != nil {
			return err
		}
		out, _ = out.view(a)
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "fund.update", ObjectType: "fund",
			ObjectID: idText(id), RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// DeleteFund removes a fund with its portfolio. Staff in scope may.
func (s *Service) DeleteFund(ctx context.Context, a account.Actor, id int64) error {
	return funds.remove(ctx, s.db, a, id)
}

// Investment is one row of a fund's portfolio: an enterprise, the round,
// the amount (万元) and the day. Amount is nil for visitors who neither
// edit the fund nor are staff in scope: amounts are commercial data.
type Investment struct {
	ID           int64    `json:"id"`
	FundID       int64    `json:"fund_id"`
	Name         string   `json:"name"`
	CreditCode   string   `json:"credit_code,omitempty"`
	EnterpriseID int64    `json:"enterprise_id,omitempty"`
	Round        string   `json:"round"`
	Amount       *float64 `json:"amount"`
	InvestedOn   string   `json:"invested_on"`
	Note         string   `json:"note,omitempty"`
	Perms        Perms    `json:"-"`
}

// InvestmentInput is what adding or changing a portfolio row takes.
type InvestmentInput struct {
	Name       string // may be empty when the registry knows the credit code
	CreditCode string
	Round      string
	Amount     float64 // 万元, positive
	InvestedOn string  // YYYY-MM-DD, not before the fund was established
	Note       string
}

func (in *InvestmentInput) check(c *checker, ref *Reference, f Fund, now time.Time) {
	c.text("name", &in.Name, maxName, true)
	c.creditCode("credit_code", &in.CreditCode)
	c.choice("round", &in.Round, ref.Rounds, true)
	c.amount("investment_amount", in.Amount, true, maxAmount)
	on := c.date("invested_on", &in.InvestedOn, true, now)
	if est, err := time.Parse(dateLayout, f.Established); err == nil && !on.IsZero() && on.Before(est) {
		c.add("invested_on", "directory.investment_before_fund", f.Established)
	}
	c.text("note", &in.Note, maxSummary, false)
}

// InvestmentFilter selects portfolio rows. Zero fields do not filter.
type InvestmentFilter struct {
	Query string // part of the enterprise's name or credit code
	Round string
	Paging
}

const investmentColumns = `id, fund_id, name, credit_code, enterprise_id, round, amount, invested_on, note`

func scanInvestment(r rowScanner) (Investment, error) {
	var i Investment
	var amount float64
	err := r.Scan(&i.ID, &i.FundID, &i.Name, &i.CreditCode, &i.EnterpriseID, &i.Round, &amount, &i.InvestedOn, &i.Note)
	i.Amount = &amount
	return i, err
}

func getInvestment(ctx context.Context, q sqldb.Querier, id int64) (Investment, error) {
	return getOne(ctx, q, "investment", "SELECT "+investmentColumns+" FROM fund_investments WHERE id = ?", id, scanInvestment)
}

func (i Investment) auditView() map[string]any {
	return map[string]any{"fund_id": i.FundID, "name": i.Name, "credit_code": i.CreditCode, "enterprise_id": i.EnterpriseID,
		"round": i.Round, "amount": i.Amount, "invested_on": i.InvestedOn}
}

// AddInvestment adds a row to a fund's portfolio. The fund's owner and
// staff in scope may. A credit code the registry knows links the row to
// the registry enterprise (and fills an empty name).
func (s *Service) AddInvestment(ctx context.Context, a account.Actor, fundID int64, in InvestmentInput) (Investment, error) {
	var c checker
	enterpriseID, err := s.linkEnterprise(ctx, &c, "credit_code", in.CreditCode, &in.Name)
	if err != nil {
		return Investment{}, err
	}
	var out Investment
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		f, p, err := funds.edit(ctx, tx, a, fundID, false)
		if err != nil {
			return err
		}
		f.Perms = p
		now := s.now()
		in.check(&c, s.ref, f, now)
		if err := c.err(); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO fund_investments (fund_id, name, credit_code, enterprise_id, round, amount,
			invested_on, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fundID, in.Name, in.CreditCode,
			enterpriseID, in.Round, in.Amount, in.InvestedOn, in.Note, sqldb.At(now), sqldb.At(now))
		if err != nil {
			return fmt.Errorf("insert investment: %w", err)
		}
		if out, err = getInvestment(ctx, tx, id); err != nil {
			return err
		}
		out.Perms = f.Perms
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "investment.create", ObjectType: "fund",
			ObjectID: idText(fundID), RegionCode: f.RegionCode, After: out.auditView()})
	})
	return out, err
}

// editInvestment loads a portfolio row and its fund inside tx for a write
// by the fund's editors.
func editInvestment(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64) (Investment, Fund, error) {
	i, err := getInvestment(ctx, tx, id)
	if err != nil {
		return Investment{}, Fund{}, err
	}
	f, p, err := funds.edit(ctx, tx, a, i.FundID, false)
	if err != nil {
		return Investment{}, Fund{}, err
	}
	f.Perms = p
	i.Perms = f.Perms
	return i, f, nil
}

// UpdateInvestment replaces a portfolio row. The fund's owner and staff in
// scope may.
func (s *Service) UpdateInvestment(ctx context.Context, a account.Actor, id int64, in InvestmentInput) (Investment, error) {
	var c checker
	enterpriseID, err := s.linkEnterprise(ctx, &c, "credit_code", in.CreditCode, &in.Name)
	if err != nil {
		return Investment{}, err
	}
	var out Investment
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, f, err := editInvestment(ctx, tx, a, id)
		if err != nil {
			return err
		}
		now := s.now()
		in.check(&c, s.ref, f, now)
		if err := c.err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fund_investments SET name = ?, credit_code = ?, enterprise_id = ?, round = ?,
			amount = ?, invested_on = ?, note = ?, updated_at = ? WHERE id = ?`, in.Name, in.CreditCode, enterpriseID, in.Round,
			in.Amount, in.InvestedOn, in.Note, sqldb.At(now), id); err != nil {
			return fmt.Errorf("update investment %d: %w", id, err)
		}
		if out, err = getInvestment(ctx, tx, id); err != nil {
			return err
		}
		out.Perms = f.Perms
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "investment.update", ObjectType: "fund",
			ObjectID: idText(f.ID), RegionCode: f.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// DeleteInvestment removes a portfolio row. The fund's owner and staff in
// scope may.
func (s *Service) DeleteInvestment(ctx context.Context, a account.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, f, err := editInvestment(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM fund_investments WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete investment %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "investment.delete", ObjectType: "fund",
			ObjectID: idText(f.ID), RegionCode: f.RegionCode, Before: old.auditView()})
	})
}

// FindInvestments lists a fund's portfolio, newest first, to anyone who may
// see the fund; amounts only to its editors and staff in scope.
func (s *Service) FindInvestments(ctx context.Context, a account.Actor, fundID int64, f InvestmentFilter) ([]Investment, int, error) {
	fund, err := s.GetFund(ctx, a, fundID)
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"fund_id = ?"}, []any{fundID}
	where, args = textWhere(where, args, f.Query, "name", "credit_code")
	if f.Round != "" {
		where, args = append(where, "round = ?"), append(args, f.Round)
	}
	list, total, err := findPage(ctx, s.db, "investments", investmentColumns, "fund_investments", where, args,
		"invested_on DESC, id DESC", f.Paging, scanInvestment)
	if err != nil {
		return nil, 0, err
	}
	amounts := fund.Perms.Edit || seesAll(a, fund.RegionCode)
	for k := range list {
		list[k].Perms = fund.Perms
		if !amounts {
			list[k].Amount = nil
		}
	}
	return list, total, nil
}

// RoundCount is the portfolio rows of one round.
type RoundCount struct {
	Round  string   `json:"round"`
	Count  int      `json:"count"`
	Amount *float64 `json:"amount"`
}

// PortfolioSummary is a fund's portfolio in figures. Amounts (and the share
// of the paid-in scale invested) are nil when the viewer may not see
// amounts.
type PortfolioSummary struct {
	Investments int          `json:"investments"`
	Enterprises int          `json:"enterprises"` // distinct, by credit code or else name
	Amount      *float64     `json:"amount"`
	Deployed    *Ratio       `json:"deployed"` // amount / paid-in scale
	ByRound     []RoundCount `json:"by_round"`
	First       string       `json:"first,omitempty"` // earliest investment day
	Last        string       `json:"last,omitempty"`
}

// SummarizePortfolio sums a fund's portfolio rows: counts, distinct
// enterprises, amounts per round in the order of rounds, the first and
// last day, and the share of the paid-in scale invested. Rows whose Amount
// is nil (hidden) leave every amount nil.
func SummarizePortfolio(rows []Investment, paid float64, rounds Choices) PortfolioSummary {
	out := PortfolioSummary{Investments: len(rows), ByRound: []RoundCount{}}
	hidden := slices.ContainsFunc(rows, func(i Investment) bool { return i.Amount == nil })
	seen := map[string]bool{}
	var total float64
	byRound := map[string]*RoundCount{}
	for _, r := range rows {
		key := r.CreditCode
		if key == "" {
			key = "name:" + r.Name
		}
		seen[key] = true
		rc := byRound[r.Round]
		if rc == nil {
			rc = &RoundCount{Round: r.Round}
			if !hidden {
				rc.Amount = new(float64)
			}
			byRound[r.Round] = rc
		}
		rc.Count++
		if !hidden {
			*rc.Amount += *r.Amount
			total += *r.Amount
		}
		if out.First == "" || r.InvestedOn < out.First {
			out.First = r.InvestedOn
		}
		if r.InvestedOn > out.Last {
			out.Last = r.InvestedOn
		}
	}
	out.Enterprises = len(seen)
	for _, c := range rounds {
		if rc := byRound[c.Code]; rc != nil {
			out.ByRound = append(out.ByRound, *rc)
			delete(byRound, c.Code)
		}
	}
	var stale []RoundCount // rounds no longer in the reference data
	for _, rc := range byRound {
		stale = append(stale, *rc)
	}
	slices.SortFunc(stale, func(a, b RoundCount) int { return strings.Compare(a.Round, b.Round) })
	out.ByRound = append(out.ByRound, stale...)
	if !hidden {
		// Amounts are entered to the cent of a 万元; the databases may sum
		// in different orders, so round what is shown.
		total = math.Round(total*100) / 100
		out.Amount = &total
		for i := range out.ByRound {
			*out.ByRound[i].Amount = math.Round(*out.ByRound[i].Amount*100) / 100
		}
		if paid > 0 {
			out.Deployed = &Ratio{Num: total, Den: paid}
		}
	}
	return out
}

// Portfolio returns the summary of a fund's whole portfolio to anyone who
// may see the fund; amounts only to its editors and staff in scope.
func (s *Service) Portfolio(ctx context.Context, a account.Actor, fundID int64) (PortfolioSummary, error) {
	fund, err := s.GetFund(ctx, a, fundID)
	if err != nil {
		return PortfolioSummary{}, err
	}
	rows, err := queryAll(ctx, s.db, "portfolio", "SELECT "+investmentColumns+" FROM fund_investments WHERE fund_id = ? ORDER BY id",
		[]any{fundID}, scanInvestment)
	if err != nil {
		return PortfolioSummary{}, err
	}
	if !fund.Perms.Edit && !seesAll(a, fund.RegionCode) {
		for k := range rows {
			rows[k].Amount = nil
		}
	}
	return SummarizePortfolio(rows, fund.Paid, s.ref.Rounds), nil
}

// PortfolioEntry is an investment another module records in the portfolio
// of an investor's fund (the market's investment pipeline on reaching 已投).
type PortfolioEntry struct {
	Name       string  // the enterprise
	Round      string  // a fund round code (Reference.Rounds)
	Amount     float64 // 万元
	InvestedOn string  // YYYY-MM-DD
	Note       string
}

// RecordPortfolio adds entry, inside the caller's transaction, to the
// portfolio of the fund the investor owns (the first by id when several);
// it returns the fund's id, or 0 when the investor owns no fund and
// nothing was written. The caller has already decided that the investor
// may record it; the row is audited as investment.create.
func RecordPortfolio(ctx context.Context, tx *sqldb.Tx, a account.Actor, investorID int64, e PortfolioEntry, now time.Time) (int64, error) {
	var fundID int64
	var regionCode string
	err := tx.QueryRowContext(ctx, "SELECT id, region_code FROM funds WHERE owner_id = ? ORDER BY id LIMIT 1", investorID).
		Scan(&fundID, &regionCode)
	if sqldb.IsNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("fund of investor %d: %w", investorID, err)
	}
	id, err := tx.InsertID(ctx, `INSERT INTO fund_investments (fund_id, name, credit_code, enterprise_id, round, amount,
		invested_on, note, created_at, updated_at) VALUES (?, ?, '', 0, ?, ?, ?, ?, ?, ?)`, fundID, e.Name, e.Round, e.Amount,
		e.InvestedOn, e.Note, sqldb.At(now), sqldb.At(now))
	if err != nil {
		return 0, fmt.Errorf("insert investment: %w", err)
	}
	out, err := getInvestment(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	return fundID, audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "investment.create", ObjectType: "fund",
		ObjectID: idText(fundID), RegionCode: regionCode, After: out.auditView()})
}
