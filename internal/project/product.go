package project

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Product is one product of a registry enterprise (重要产品库).
type Product struct {
	ID             int64  `json:"id"`
	EnterpriseID   int64  `json:"enterprise_id"`
	EnterpriseName string `json:"enterprise_name"`
	RegionCode     string `json:"region_code"`
	Name           string `json:"name"`
	Category       string `json:"category,omitempty"`
	Specification  string `json:"specification,omitempty"`
	Capacity       string `json:"capacity,omitempty"` // 产能 as stated, e.g. 年产5万吨
	// MarketShare is in percent; nil when unknown.
	MarketShare *float64 `json:"market_share"`
	// ChainNode is the industry-chain node (filled by the chain module).
	ChainNode string    `json:"chain_node,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ProductInput creates or changes a product.
type ProductInput struct {
	EnterpriseID  int64    `json:"enterprise_id"`
	Name          string   `json:"name"`
	Category      string   `json:"category"`
	Specification string   `json:"specification"`
	Capacity      string   `json:"capacity"`
	MarketShare   *float64 `json:"market_share"`
}

// ProductFilter selects products. Zero fields do not filter.
type ProductFilter struct {
	// Query is part of the product's name, category, specification or the
	// enterprise's name.
	Query        string
	Category     string
	EnterpriseID int64
	Region       string // region prefix
	Page         int
	PerPage      int
}

func (in *ProductInput) validate() error {
	var c collect
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Category = strings.Join(strings.Fields(in.Category), " ")
	switch {
	case in.Name == "":
		c.field("name", "error.required")
	case utf8.RuneCountInString(in.Name) > 100 || htmlTag.MatchString(in.Name):
		c.field("name", "error.too_long", 100)
	}
	if utf8.RuneCountInString(in.Category) > 32 || htmlTag.MatchString(in.Category) {
		c.field("category", "error.too_long", 32)
	}
	var fe *apperr.FieldError
	in.Specification, fe = cleanText("specification", in.Specification, 500, false)
	c.add(fe)
	in.Capacity, fe = cleanText("capacity", in.Capacity, 100, false)
	c.add(fe)
	if m := in.MarketShare; m != nil && (*m < 0 || *m > 100 || *m != *m) {
		c.field("market_share", "project.share_range")
	}
	if in.EnterpriseID == 0 {
		c.field("enterprise_id", "error.required")
	}
	return c.err()
}

// managesProducts reports whether the actor may change the products of e:
// staff in its scope and the enterprise's own account.
func managesProducts(a account.Actor, e cultivation.Enterprise) bool {
	return managesRegion(a, e.RegionCode) || (a.LoggedIn() && a.Role == account.RoleEnterprise && e.AccountID == a.UserID)
}

// CanManageProducts reports whether the actor may add and change e's
// products.
func CanManageProducts(a account.Actor, e cultivation.Enterprise) bool { return managesProducts(a, e) }

const productColumns = `p.id, p.enterprise_id, e.name, p.region_code, p.name, p.category, p.specification, p.capacity,
	p.market_share, p.chain_node, p.created_at, p.updated_at`

// The product library reads the registry's enterprise names: products are
// part of the registry's record, only kept by this module.
const productJoins = ` FROM products p JOIN enterprises e ON e.id = p.enterprise_id`

func scanProduct(row interface{ Scan(...any) error }) (Product, error) {
	var p Product
	var created, updated sqldb.Time
	if err := row.Scan(&p.ID, &p.EnterpriseID, &p.EnterpriseName, &p.RegionCode, &p.Name, &p.Category, &p.Specification,
		&p.Capacity, &p.MarketShare, &p.ChainNode, &created, &updated); err != nil {
		return Product{}, err
	}
	p.CreatedAt, p.UpdatedAt = created.Time, updated.Time
	return p, nil
}

func getProduct(ctx context.Context, q sqldb.Querier, id int64) (Product, error) {
	p, err := scanProduct(q.QueryRowContext(ctx, "SELECT "+productColumns+productJoins+" WHERE p.id = ?", id))
	if sqldb.IsNoRows(err) {
		return Product{}, apperr.New(apperr.NotFound, "project.product_not_found")
	}
	if err != nil {
		return Product{}, fmt.Errorf("get product %d: %w", id, err)
	}
	return p, nil
}

// enterpriseFor returns the registry enterprise the actor sees, or an
// Invalid error on enterprise_id.
func (s *Service) enterpriseFor(ctx context.Context, a account.Actor, id int64) (cultivation.Enterprise, error) {
	e, err := s.registry.GetEnterprise(ctx, a, id)
	if apperr.Is(err, apperr.NotFound) {
		return e, apperr.Fields(apperr.Field("enterprise_id", "project.enterprise_not_found", id))
	}
	return e, err
}

// CreateProduct adds a product to a registry enterprise. Staff in its
// scope and the enterprise's own account may.
func (s *Service) CreateProduct(ctx context.Context, a account.Actor, in ProductInput) (Product, error) {
	if err := in.validate(); err != nil {
		return Product{}, err
	}
	e, err := s.enterpriseFor(ctx, a, in.EnterpriseID)
	if err != nil {
		return Product{}, err
	}
	if !managesProducts(a, e) {
		return Product{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	var out Product
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := sqldb.At(s.now())
		id, err := tx.InsertID(ctx, `INSERT INTO products (enterprise_id, region_code, name, category, specification, capacity,
			market_share, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.RegionCode, in.Name, in.Category, in.Specification, in.Capacity, in.MarketShare, now, now)
		if err != nil {
			return err
		}
		if out, err = getProduct(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "product.create", ObjectType: "product", ObjectID: idText(id),
			RegionCode: e.RegionCode, After: in})
	})
	return out, err
}

// productToChange reads a product whose enterprise the actor manages.
func (s *Service) productToChange(ctx context.Context, a account.Actor, id int64) (Product, error) {
	p, err := getProduct(ctx, s.db, id)
	if err != nil {
		return Product{}, err
	}
	e, err := s.registry.GetEnterprise(ctx, a, p.EnterpriseID)
	if apperr.Is(err, apperr.NotFound) {
		return Product{}, apperr.New(apperr.NotFound, "project.product_not_found")
	}
	if err != nil {
		return Product{}, err
	}
	if !managesProducts(a, e) {
		return Product{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	return p, nil
}

// UpdateProduct changes a product (not its enterprise).
func (s *Service) UpdateProduct(ctx context.Context, a account.Actor, id int64, in ProductInput) (Product, error) {
	old, err := s.productToChange(ctx, a, id)
	if err != nil {
		return Product{}, err
	}
	in.EnterpriseID = old.EnterpriseID
	if err := in.validate(); err != nil {
		return Product{}, err
	}
	var out Product
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE products SET name = ?, category = ?, specification = ?, capacity = ?, market_share = ?,
			updated_at = ? WHERE id = ?`, in.Name, in.Category, in.Specification, in.Capacity, in.MarketShare, sqldb.At(s.now()), id); err != nil {
			return err
		}
		var err error
		if out, err = getProduct(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "product.update", ObjectType: "product", ObjectID: idText(id),
			RegionCode: out.RegionCode, Before: old, After: out})
	})
	return out, err
}

// DeleteProduct removes a product.
func (s *Service) DeleteProduct(ctx context.Context, a account.Actor, id int64) error {
	old, err := s.productToChange(ctx, a, id)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM products WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "product.delete", ObjectType: "product", ObjectID: idText(id),
			RegionCode: old.RegionCode, Before: old})
	})
}

// GetProduct returns a product of an enterprise the actor sees.
func (s *Service) GetProduct(ctx context.Context, a account.Actor, id int64) (Product, error) {
	p, err := getProduct(ctx, s.db, id)
	if err != nil {
		return Product{}, err
	}
	if _, err := s.registry.GetEnterprise(ctx, a, p.EnterpriseID); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return Product{}, apperr.New(apperr.NotFound, "project.product_not_found")
		}
		return Product{}, err
	}
	return p, nil
}

// FindProducts searches the products the actor may see: staff those of
// their region's enterprises, an enterprise account its own. By enterprise
// and name, with the total.
func (s *Service) FindProducts(ctx context.Context, a account.Actor, f ProductFilter) ([]Product, int, error) {
	normalizePage(&f.Page, &f.PerPage, 25)
	var where []string
	var args []any
	switch {
	case CanViewModule(a):
		where, args = append(where, "p.region_code LIKE ?"), append(args, scopeLike(a))
	case a.LoggedIn() && a.Role == account.RoleEnterprise:
		where, args = append(where, "e.account_id = ?"), append(args, a.UserID)
	default:
		return nil, 0, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		where = append(where, `(p.name LIKE ? ESCAPE '\' OR p.category LIKE ? ESCAPE '\' OR p.specification LIKE ? ESCAPE '\'
			OR e.name LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like, like)
	}
	if f.Category != "" {
		where, args = append(where, "p.category = ?"), append(args, f.Category)
	}
	if f.EnterpriseID != 0 {
		where, args = append(where, "p.enterprise_id = ?"), append(args, f.EnterpriseID)
	}
	if f.Region != "" {
		where, args = append(where, "p.region_code LIKE ?"), append(args, region.Prefix(f.Region)+"%")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	out, total, err := findPage(ctx, s.db, productColumns, productJoins, cond, "e.name, p.name, p.id", args, f.Page, f.PerPage, scanProduct)
	if err != nil {
		return nil, 0, fmt.Errorf("find products: %w", err)
	}
	return out, total, nil
}
