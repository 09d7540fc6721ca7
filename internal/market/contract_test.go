package market_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

func TestContractTypes(t *testing.T) {
	t.Parallel()
	types, err := market.LoadContractTypes(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"development", "transfer", "license", "consulting", "service"}
	for i, w := range want {
		if types[i].Code != w || types[i].Name == "" || len(types[i].Subtypes) == 0 {
			t.Errorf("type %d = %+v, want %s with a name and sub-types", i, types[i], w)
		}
	}
}

func contract(typ, signed, county string, amount, tech float64) market.Contract {
	return market.Contract{Type: typ, Title: "某技术合同", Seller: "苏州示例大学", Buyer: "昆山示例公司", Amount: amount,
		TechAmount: tech, SignedOn: signed, Domain: "电子信息", RegionCode: county}
}

func TestRegisterContractValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ks := f.actor("ks", account.RoleCounty, "320583")
		tests := []struct {
			name      string
			c         market.Contract
			wantField string
		}{
			{name: "unknown type", c: contract("gift", "2026-05-01", "320583", 10, 5), wantField: "contract_type"},
			{name: "tech amount above amount", c: contract("transfer", "2026-05-01", "320583", 10, 12), wantField: "tech_amount"},
			{name: "zero amount", c: contract("transfer", "2026-05-01", "320583", 0, 0), wantField: "amount"},
			{name: "signed in the future", c: contract("transfer", "2027-01-01", "320583", 10, 5), wantField: "signed_on"},
			{name: "bad date", c: contract("transfer", "2026/05/01", "320583", 10, 5), wantField: "signed_on"},
			{name: "another county", c: contract("transfer", "2026-05-01", "320585", 10, 5), wantField: "region_code"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.RegisterContract(context.Background(), ks, tt.c)
				e := apperr.As(err)
				if e == nil || len(e.Fields) == 0 || e.Fields[0].Field != tt.wantField {
					t.Errorf("RegisterContract() = %v, want an error on %s", err, tt.wantField)
				}
			})
		}
		firm := f.actor("firm", account.RoleEnterprise, "320583")
		if _, err := f.svc.RegisterContract(context.Background(), firm, contract("transfer", "2026-05-01", "320583", 10, 5)); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("an enterprise registering = %v, want Forbidden", err)
		}
	})
}

func TestContractStatisticsSums(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ks := f.actor("ks", account.RoleCounty, "320583")
		tc := f.actor("tc", account.RoleCounty, "320585")
		city := f.actor("city", account.RoleStaff, "320500")
		reg := []struct {
			who account.Actor
			c   market.Contract
		}{
			{ks, contract("transfer", "2026-01-15", "320583", 100.10, 80.05)},
			{ks, contract("transfer", "2026-03-02", "320583", 50.20, 50.20)},
			{ks, contract("development", "2026-03-20", "320583", 300, 250.5)},
			{tc, contract("service", "2026-03-09", "320585", 12.34, 10)},
			{tc, contract("license", "2025-12-31", "320585", 999, 999)}, // outside the period
		}
		var first market.Contract
		for i, r := range reg {
			c, err := f.svc.RegisterContract(ctx, r.who, r.c)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = c
			}
		}
		if first.Number != "3205832026000001" {
			t.Errorf("first number = %s, want 3205832026000001", first.Number)
		}
		st, err := f.svc.ContractStatistics(ctx, city, "2026-01-01", "2026-12-31", "")
		if err != nil {
			t.Fatal(err)
		}
		if st.Total.Count != 4 || st.Total.Amount != 462.64 || st.Total.TechAmount != 390.75 {
			t.Errorf("total = %+v, want 4 contracts, 462.64 and 390.75 万元", st.Total)
		}
		byKey := func(rows []market.StatRow) map[string]market.StatRow {
			m := map[string]market.StatRow{}
			for _, r := range rows {
				m[r.Key] = r
			}
			return m
		}
		if r := byKey(st.ByType)["transfer"]; r.Count != 2 || r.Amount != 150.3 || r.Label != "技术转让" {
			t.Errorf("transfer = %+v, want 2 contracts, 150.3 万元", r)
		}
		if r := byKey(st.ByMonth)["2026-03"]; r.Count != 3 || r.Amount != 362.54 {
			t.Errorf("2026-03 = %+v, want 3 contracts, 362.54 万元", r)
		}
		if r := byKey(st.ByCounty)["320583"]; r.Count != 3 || r.Label != "昆山市" {
			t.Errorf("昆山 = %+v", r)
		}
		// A county sees only its own contracts, and none of the other's.
		own, err := f.svc.ContractStatistics(ctx, tc, "2026-01-01", "2026-12-31", "")
		if err != nil || own.Total.Count != 1 {
			t.Errorf("太仓's statistics = %+v, %v; want its one contract", own.Total, err)
		}
		if _, err := f.svc.GetContract(ctx, tc, first.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("太仓 reading 昆山's contract = %v, want NotFound", err)
		}
		list, total, err := f.svc.FindContracts(ctx, ks, market.ContractFilter{Type: "transfer"})
		if err != nil || total != 2 || list[0].SignedOn != "2026-03-02" {
			t.Errorf("FindContracts = %d, %v", total, err)
		}
		var buf bytes.Buffer
		if err := market.WriteContractStats(&buf, st); err != nil {
			t.Fatal(err)
		}
		rd, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "stats.xlsx", sheet.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		var rows int
		for {
			if _, _, err := rd.Next(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			rows++
		}
		if rows != len(st.ByType)+1 {
			t.Errorf("first sheet rows = %d, want %d types and the total", rows, len(st.ByType))
		}
	})
}
