package market

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/region"
)

// ContractType is a technology contract type of the Civil Code (民法典
// 第二十章), with its usual sub-types.
type ContractType struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Subtypes []string `json:"subtypes"`
	Note     string   `json:"note"`
}

// LoadContractTypes reads market/contract_types.json from fsys.
func LoadContractTypes(fsys fs.FS) ([]ContractType, error) {
	b, err := fs.ReadFile(fsys, "market/contract_types.json")
	if err != nil {
		return nil, err
	}
	var f struct {
		Types []ContractType `json:"types"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("market/contract_types.json: %w", err)
	}
	if len(f.Types) != 5 {
		return nil, fmt.Errorf("market/contract_types.json: %d types, want the 5 of the Civil Code", len(f.Types))
	}
	return f.Types, nil
}

// Contract is one registered technology contract (技术合同认定登记).
// Amounts are in 万元.
type Contract struct {
	ID           int64     `json:"id"`
	Number       string    `json:"number"`
	Type         string    `json:"contract_type"`
	Subtype      string    `json:"subtype,omitempty"`
	Title        string    `json:"title"`
	Seller       string    `json:"seller"`
	SellerCode   string    `json:"seller_code,omitempty"`
	Buyer        string    `json:"buyer"`
	BuyerCode    string    `json:"buyer_code,omitempty"`
	Amount       float64   `json:"amount"`
	TechAmount   float64   `json:"tech_amount"`
	SignedOn     string    `json:"signed_on"`
	Domain       string    `json:"domain,omitempty"`
	RegionCode   string    `json:"region_code"`
	ListingID    int64     `json:"listing_id,omitempty"`
	RegisteredBy string    `json:"registered_by,omitempty"`
	RegisteredAt time.Time `json:"registered_at"`
}

// validate checks a contract to register and returns every problem at once.
func (c *Contract) validate(types []ContractType, domains []Domain, now time.Time) error {
	c.Title, c.Seller, c.Buyer = strings.TrimSpace(c.Title), strings.TrimSpace(c.Seller), strings.TrimSpace(c.Buyer)
	c.SellerCode, c.BuyerCode = strings.ToUpper(strings.TrimSpace(c.SellerCode)), strings.ToUpper(strings.TrimSpace(c.BuyerCode))
	var fields []apperr.FieldError
	var typ *ContractType
	for i := range types {
		if types[i].Code == c.Type {
			typ = &types[i]
		}
	}
	if typ == nil {
		fields = append(fields, apperr.Field("contract_type", "market.contract_type_invalid"))
	} else if c.Subtype != "" && !contains(typ.Subtypes, c.Subtype) {
		fields = append(fields, apperr.Field("subtype", "market.contract_subtype_invalid", typ.Name))
	}
	for _, f := range []struct{ name, value string }{{"title", c.Title}, {"seller", c.Seller}, {"buyer", c.Buyer}} {
		switch n := utf8.RuneCountInString(f.value); {
		case n == 0:
			fields = append(fields, apperr.Field(f.name, "error.required"))
		case n > 200:
			fields = append(fields, apperr.Field(f.name, "error.too_long", 200))
		}
	}
	for _, f := range []struct{ name, value string }{{"seller_code", c.SellerCode}, {"buyer_code", c.BuyerCode}} {
		if f.value != "" {
			if err := cultivation.ValidateCreditCode(f.value); err != nil {
				fields = append(fields, apperr.Field(f.name, "cultivation.credit_code_invalid", err.Error()))
			}
		}
	}
	switch {
	case c.Amount <= 0 || math.IsNaN(c.Amount) || math.IsInf(c.Amount, 0):
		fields = append(fields, apperr.Field("amount", "market.amount_positive"))
	case c.TechAmount < 0 || math.IsNaN(c.TechAmount) || c.TechAmount > c.Amount:
		fields = append(fields, apperr.Field("tech_amount", "market.tech_amount_range"))
	}
	if t, err := time.Parse("2006-01-02", c.SignedOn); err != nil {
		fields = append(fields, apperr.Field("signed_on", "error.date_format"))
	} else if t.After(now) {
		fields = append(fields, apperr.Field("signed_on", "market.signed_future"))
	}
	if c.Domain != "" && !domainKnown(domains, c.Domain) {
		fields = append(fields, apperr.Field("domain", "market.domain_invalid"))
	}
	if !region.ValidCode(c.RegionCode) || region.LevelOf(c.RegionCode) != region.County {
		fields = append(fields, apperr.Field("region_code", "cultivation.region_county"))
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// domainKnown accepts a top-level domain name ("电子信息") or a
// "top/second" pair ("电子信息/软件").
func domainKnown(domains []Domain, s string) bool {
	top, sub, _ := strings.Cut(s, "/")
	for _, d := range domains {
		if d.Name == top {
			return sub == "" || contains(d.Children, sub)
		}
	}
	return false
}

// ContractFilter selects contracts. Zero fields do not filter.
type ContractFilter struct {
	Query   string // part of the title, seller, buyer or number
	Type    string
	Region  string
	From    string // signed on or after, YYYY-MM-DD
	To      string // signed on or before
	Page    int
	PerPage int
}

// Normalize clamps paging.
func (f *ContractFilter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage <= 0 {
		f.PerPage = 25
	}
	if f.PerPage > 200 {
		f.PerPage = 200
	}
}
