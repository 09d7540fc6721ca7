package market

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// ContractTypes returns the Civil Code contract types.
func (s *Service) ContractTypes() []ContractType {
	types, err := LoadContractTypes(data.FS)
	if err != nil {
		panic(err) // embedded data; TestContractTypes keeps it valid
	}
	return types
}

// registers reports whether the actor may register contracts in regionCode:
// bureau and county staff inside their region, as 技术合同登记机构 do.
func registers(a account.Actor, regionCode string) bool {
	return registrar(a) && a.InScope(regionCode)
}

// registrar reports whether the actor registers contracts at all: bureau
// and county staff.
func registrar(a account.Actor) bool {
	return a.Role == account.RoleStaff || a.Role == account.RoleCounty
}

// CanRegisterContracts reports whether the actor may register contracts
// (RegisterContract, inside its region), for pages to offer the form.
func (s *Service) CanRegisterContracts(a account.Actor) bool { return registrar(a) }

// readsContracts reports whether the actor may see registered contracts.
func readsContracts(a account.Actor) bool {
	return a.Role == account.RoleAdmin || a.Role == account.RoleStaff || a.Role == account.RoleCounty
}

const contractColumns = `c.id, c.number, c.contract_type, c.subtype, c.title, c.seller, c.seller_code, c.buyer, c.buyer_code,
	c.amount, c.tech_amount, c.signed_on, c.domain, c.region_code, COALESCE(c.listing_id, 0), COALESCE(u.username, ''), c.registered_at`

func scanContract(row interface{ Scan(...any) error }) (Contract, error) {
	var c Contract
	var at sqldb.Time
	err := row.Scan(&c.ID, &c.Number, &c.Type, &c.Subtype, &c.Title, &c.Seller, &c.SellerCode, &c.Buyer, &c.BuyerCode,
		&c.Amount, &c.TechAmount, &c.SignedOn, &c.Domain, &c.RegionCode, &c.ListingID, &c.RegisteredBy, &at)
	c.RegisteredAt = at.Time
	return c, err
}

// RegisterContract records a technology contract (技术合同认定登记) and gives
// it a registration number: county code, year of signing and a sequence.
func (s *Service) RegisterContract(ctx context.Context, a account.Actor, c Contract) (Contract, error) {
	if err := c.validate(s.ContractTypes(), s.ref.Domains, s.now()); err != nil {
		return Contract{}, err
	}
	if !registers(a, c.RegionCode) {
		if registrar(a) {
			return Contract{}, apperr.Fields(apperr.Field("region_code", "cultivation.region_outside_scope"))
		}
		return Contract{}, apperr.New(apperr.Forbidden, "market.only_registrars")
	}
	var out Contract
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		prefix := c.RegionCode + c.SignedOn[:4]
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM contracts WHERE number LIKE ?", prefix+"%").Scan(&n); err != nil {
			return err
		}
		c.Number = fmt.Sprintf("%s%06d", prefix, n+1)
		var listing any
		if c.ListingID != 0 {
			listing = c.ListingID
		}
		id, err := tx.InsertID(ctx, `INSERT INTO contracts (number, contract_type, subtype, title, seller, seller_code, buyer,
			buyer_code, amount, tech_amount, signed_on, domain, region_code, listing_id, registered_by, registered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Number, c.Type, c.Subtype, c.Title, c.Seller, c.SellerCode,
			c.Buyer, c.BuyerCode, c.Amount, c.TechAmount, c.SignedOn, c.Domain, c.RegionCode, listing, a.UserID, sqldb.At(s.now()))
		if err != nil {
			return fmt.Errorf("insert contract: %w", err)
		}
		if out, err = getContract(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "contract.register", ObjectType: "contract",
			ObjectName: out.Title, ObjectID: fmt.Sprint(id), RegionCode: c.RegionCode, After: out})
	})
	return out, err
}

func getContract(ctx context.Context, q sqldb.Querier, id int64) (Contract, error) {
	c, err := scanContract(q.QueryRowContext(ctx, "SELECT "+contractColumns+
		" FROM contracts c LEFT JOIN users u ON u.id = c.registered_by WHERE c.id = ?", id))
	if sqldb.IsNoRows(err) {
		return Contract{}, apperr.New(apperr.NotFound, "market.contract_not_found")
	}
	return c, err
}

// GetContract returns a contract inside the actor's region.
func (s *Service) GetContract(ctx context.Context, a account.Actor, id int64) (Contract, error) {
	if !readsContracts(a) {
		return Contract{}, apperr.New(apperr.NotFound, "market.contract_not_found")
	}
	c, err := getContract(ctx, s.db, id)
	if err != nil {
		return Contract{}, err
	}
	if !a.InScope(c.RegionCode) {
		return Contract{}, apperr.New(apperr.NotFound, "market.contract_not_found")
	}
	return c, nil
}

func contractWhere(a account.Actor, f ContractFilter) (string, []any) {
	where := []string{"c.region_code LIKE ?"}
	args := []any{region.Prefix(a.Scope()) + "%"}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
		where = append(where, `(c.title LIKE ? ESCAPE '\' OR c.seller LIKE ? ESCAPE '\' OR c.buyer LIKE ? ESCAPE '\' OR c.number LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like, like)
	}
	if f.Type != "" {
		where, args = append(where, "c.contract_type = ?"), append(args, f.Type)
	}
	if f.Region != "" {
		where, args = append(where, "c.region_code LIKE ?"), append(args, region.Prefix(f.Region)+"%")
	}
	if f.From != "" {
		where, args = append(where, "c.signed_on >= ?"), append(args, f.From)
	}
	if f.To != "" {
		where, args = append(where, "c.signed_on <= ?"), append(args, f.To)
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// FindContracts lists the contracts inside the actor's region matching f,
// newest signing first.
func (s *Service) FindContracts(ctx context.Context, a account.Actor, f ContractFilter) ([]Contract, int, error) {
	if !readsContracts(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "market.only_registrars")
	}
	f.Normalize()
	cond, args := contractWhere(a, f)
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM contracts c"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count contracts: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+contractColumns+" FROM contracts c LEFT JOIN users u ON u.id = c.registered_by"+
		cond+" ORDER BY c.signed_on DESC, c.id DESC LIMIT ? OFFSET ?", append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find contracts: %w", err)
	}
	defer rows.Close()
	out := []Contract{}
	for rows.Next() {
		c, err := scanContract(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// StatRow is one group of the contract statistics.
type StatRow struct {
	Key        string  `json:"key"`
	Label      string  `json:"label"`
	Count      int     `json:"count"`
	Amount     float64 `json:"amount"`      // 合同成交额, 万元
	TechAmount float64 `json:"tech_amount"` // 技术交易额, 万元
}

// ContractStats are the registered contracts of a period grouped four ways.
type ContractStats struct {
	From     string    `json:"from"`
	To       string    `json:"to"`
	Total    StatRow   `json:"total"`
	ByType   []StatRow `json:"by_type"`
	ByDomain []StatRow `json:"by_domain"`
	ByCounty []StatRow `json:"by_county"`
	ByMonth  []StatRow `json:"by_month"`
}

// ContractStatistics sums the contracts signed in [from, to] (YYYY-MM-DD)
// inside the actor's region, narrowed to regionCode when given. The sums
// are computed by the database with the same SQL on both dialects.
func (s *Service) ContractStatistics(ctx context.Context, a account.Actor, from, to, regionCode string) (ContractStats, error) {
	if !readsContracts(a) {
		return ContractStats{}, apperr.New(apperr.Forbidden, "market.only_registrars")
	}
	if regionCode != "" && !a.InScope(regionCode) {
		return ContractStats{}, apperr.New(apperr.NotFound, "region.not_found", regionCode)
	}
	cond, args := contractWhere(a, ContractFilter{Region: regionCode, From: from, To: to})
	st := ContractStats{From: from, To: to}
	group := func(expr string) ([]StatRow, error) {
		rows, err := s.db.QueryContext(ctx, "SELECT "+expr+", COUNT(*), SUM(c.amount), SUM(c.tech_amount) FROM contracts c"+
			cond+" GROUP BY 1 ORDER BY 1", args...)
		if err != nil {
			return nil, fmt.Errorf("contract statistics: %w", err)
		}
		defer rows.Close()
		var out []StatRow
		for rows.Next() {
			var r StatRow
			if err := rows.Scan(&r.Key, &r.Count, &r.Amount, &r.TechAmount); err != nil {
				return nil, err
			}
			// Amounts are entered to the cent of a 万元; the two databases may
			// add floats in different orders, so round what they return.
			r.Amount, r.TechAmount = round2(r.Amount), round2(r.TechAmount)
			r.Label = r.Key
			out = append(out, r)
		}
		return out, rows.Err()
	}
	var err error
	if st.ByType, err = group("c.contract_type"); err != nil {
		return st, err
	}
	if st.ByDomain, err = group("c.domain"); err != nil {
		return st, err
	}
	if st.ByCounty, err = group("c.region_code"); err != nil {
		return st, err
	}
	if st.ByMonth, err = group("SUBSTR(c.signed_on, 1, 7)"); err != nil {
		return st, err
	}
	names := map[string]string{}
	for _, t := range s.ContractTypes() {
		names[t.Code] = t.Name
	}
	for i := range st.ByType {
		st.ByType[i].Label = names[st.ByType[i].Key]
	}
	for i := range st.ByDomain {
		if st.ByDomain[i].Key == "" {
			st.ByDomain[i].Label = "未填领域"
		}
	}
	rs := region.NewService(s.db)
	for i := range st.ByCounty {
		if r, err := rs.Get(ctx, st.ByCounty[i].Key); err == nil {
			st.ByCounty[i].Label = r.Name
		}
	}
	for _, r := range st.ByType {
		st.Total.Count += r.Count
		st.Total.Amount += r.Amount
		st.Total.TechAmount += r.TechAmount
	}
	st.Total.Amount, st.Total.TechAmount = round2(st.Total.Amount), round2(st.Total.TechAmount)
	st.Total.Key, st.Total.Label = "total", "合计"
	return st, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// WriteContractStats writes the statistics as an .xlsx with one sheet per
// grouping.
func WriteContractStats(w io.Writer, st ContractStats) error {
	header := []string{"分组", "合同数（项）", "合同成交额（万元）", "技术交易额（万元）"}
	sheetOf := func(name string, rows []StatRow) sheet.Sheet {
		out := sheet.Sheet{Name: name, Header: header, ColWidths: []float64{24, 14, 20, 20}}
		for _, r := range rows {
			out.Rows = append(out.Rows, []any{r.Label, r.Count, r.Amount, r.TechAmount})
		}
		out.Rows = append(out.Rows, []any{"合计", st.Total.Count, st.Total.Amount, st.Total.TechAmount})
		return out
	}
	return sheet.WriteXLSX(w, sheetOf("按合同类型", st.ByType), sheetOf("按技术领域", st.ByDomain),
		sheetOf("按区县", st.ByCounty), sheetOf("按月份", st.ByMonth))
}
