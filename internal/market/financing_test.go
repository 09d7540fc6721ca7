package market_test

import (
	"context"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

func financing(title string) market.Input {
	return market.Input{Title: title, Summary: "公司专注动力电池高镍正极材料，已建成百吨级中试线，2025 年营收 3200 万元。",
		Keywords: []string{"正极材料", "锂电池"}, Domain: "新能源与节能", Industry: "C38", Amount: amount(3000), Round: "a",
		UseOfFunds: "扩建千吨级产线；补充研发投入。", Valuation: amount(30000),
		Contact: market.Contact{Name: "王总", Phone: "0512-66001234"}}
}

func TestFinancingValidation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		inst := f.actor("inst", account.RoleInstitution, "320583")
		inv := f.actor("inv", account.RoleInvestor, "320583")
		for _, a := range []account.Actor{inst, inv} {
			_, err := f.svc.CreateListing(ctx, a, market.Financing, financing("高镍正极材料扩产融资"))
			wantKind(t, "financing by "+string(a.Role), err, apperr.Forbidden)
		}
		tests := []struct {
			name  string
			edit  func(*market.Input)
			field string
			key   string
		}{
			{"no amount", func(in *market.Input) { in.Amount = nil }, "financing_amount", "error.required"},
			{"zero amount", func(in *market.Input) { in.Amount = amount(0) }, "financing_amount", "market.amount_range"},
			{"huge amount", func(in *market.Input) { in.Amount = amount(2e7) }, "financing_amount", "market.amount_range"},
			{"no round", func(in *market.Input) { in.Round = "" }, "round", "error.required"},
			{"unknown round", func(in *market.Input) { in.Round = "series-z" }, "round", "market.round_unknown"},
			{"no use of funds", func(in *market.Input) { in.UseOfFunds = " " }, "use_of_funds", "error.required"},
			{"long use of funds", func(in *market.Input) { in.UseOfFunds = strings.Repeat("长", 2001) }, "use_of_funds", "error.too_long"},
			{"negative valuation", func(in *market.Input) { in.Valuation = amount(-1) }, "valuation", "market.valuation_range"},
			{"demand fields", func(in *market.Input) { in.Modes = []string{"equity"} }, "kind", "market.not_financing_fields"},
		}
		for _, tt := range tests {
			in := financing("高镍正极材料扩产融资")
			tt.edit(&in)
			_, err := f.svc.CreateListing(ctx, ent, market.Financing, in)
			if got := fieldsOf(err); got[tt.field] != tt.key {
				t.Errorf("%s: fields = %v, want %s: %s", tt.name, got, tt.field, tt.key)
			}
		}
		// Financing fields on another kind are refused.
		d := demand("注塑件缩痕问题攻关")
		d.Round = "a"
		if got := fieldsOf(func() error { _, err := f.svc.CreateListing(ctx, ent, market.Demand, d); return err }()); got["kind"] != "market.financing_fields" {
			t.Errorf("demand with a round: fields = %v", got)
		}
	})
}

func TestFinancingWorkflowAndPlan(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		ent := f.actor("ent", account.RoleEnterprise, "320583")
		other := f.actor("other", account.RoleEnterprise, "320583")
		inv := f.actor("inv", account.RoleInvestor, "320505")
		ks := f.actor("ks", account.RoleCounty, "320583")
		wz := f.actor("wz", account.RoleCounty, "320506")
		l, err := f.svc.CreateListing(ctx, ent, market.Financing, financing("高镍正极材料扩产融资"))
		if err != nil {
			t.Fatal(err)
		}
		if l.Kind != market.Financing || l.Amount != 3000 || l.Round != "a" || l.Valuation == nil || *l.Valuation != 30000 ||
			l.UseOfFunds != "扩建千吨级产线；补充研发投入。" || l.Band != "gte1000" || len(l.Modes) != 0 {
			t.Fatalf("stored financing = %+v", l)
		}
		plan, err := f.svc.AddAttachment(ctx, ent, l.ID, "商业计划书.pdf", pdfBytes)
		if err != nil {
			t.Fatal(err)
		}
		// Review as any listing: another county's staff do not see it.
		if _, err := f.svc.Submit(ctx, ent, l.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Approve(ctx, wz, l.ID)
		wantKind(t, "approve by another county", err, apperr.NotFound)
		if _, err := f.svc.Approve(ctx, ks, l.ID); err != nil {
			t.Fatal(err)
		}
		// Listed and filtered by round.
		list, total, err := f.svc.FindListings(ctx, account.Anonymous, market.Filter{Kind: market.Financing, Round: "a"})
		if err != nil || total != 1 || list[0].ID != l.ID {
			t.Fatalf("financing round a = %d, %v", total, err)
		}
		if _, total, _ := f.svc.FindListings(ctx, account.Anonymous, market.Filter{Kind: market.Financing, Round: "b"}); total != 0 {
			t.Errorf("financing round b = %d, want 0", total)
		}
		// The business plan: the owner and staff in scope only.
		for _, tt := range []struct {
			name string
			who  account.Actor
			sees bool
		}{{"owner", ent, true}, {"county staff", ks, true}, {"other county", wz, false}, {"other firm", other, false},
			{"investor not accepted", inv, false}, {"anonymous", account.Anonymous, false}} {
			_, err := f.svc.GetAttachment(ctx, tt.who, plan.ID)
			files, lerr := f.svc.Attachments(ctx, tt.who, l.ID)
			if tt.sees && (err != nil || lerr != nil || len(files) != 1) {
				t.Errorf("%s reading the plan = %v, list %d, %v", tt.name, err, len(files), lerr)
			}
			if !tt.sees && (!apperr.Is(err, apperr.NotFound) || len(files) != 0) {
				t.Errorf("%s reading the plan = %v, list %d; want NotFound and none", tt.name, err, len(files))
			}
		}
		// Technology deals are not for financing needs.
		_, err = f.svc.CreateDeal(ctx, inv, interest(l.ID))
		wantKind(t, "deal on a financing need", err, apperr.Conflict)
	})
}
