package market_test

import (
	"context"
	"fmt"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// publish creates, submits and approves a listing of owner's.
func (f *fixture) publish(owner, reviewer account.Actor, k market.Kind, in market.Input) market.Listing {
	f.t.Helper()
	ctx := context.Background()
	l, err := f.svc.CreateListing(ctx, owner, k, in)
	if err != nil {
		f.t.Fatalf("create listing: %v", err)
	}
	if _, err := f.svc.Submit(ctx, owner, l.ID); err != nil {
		f.t.Fatalf("submit: %v", err)
	}
	if l, err = f.svc.Approve(ctx, reviewer, l.ID); err != nil {
		f.t.Fatalf("approve: %v", err)
	}
	return l
}

func interest(listingID int64) market.DealInput {
	return market.DealInput{ListingID: listingID, Message: "我们希望获得该技术的实施许可，请联系。",
		Contact: market.Contact{Name: "李经理", Phone: "0512-57000000"}}
}

func amount(v float64) *float64 { return &v }

func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	if e := apperr.As(err); e != nil {
		for _, fe := range e.Fields {
			out[fe.Field] = fe.Key
		}
	}
	return out
}

func TestDealWorkflow(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inst := f.actor("inst", account.RoleInstitution, "320505")
		firm := f.actor("firm", account.RoleEnterprise, "320583")
		stranger := f.actor("stranger", account.RoleInvestor, "320583")
		broker := f.actor("broker", account.RoleBroker, "320508")
		city := f.actor("city", account.RoleStaff, "320500")
		gx := f.actor("gx", account.RoleCounty, "320505")
		ks := f.actor("ks", account.RoleCounty, "320583")
		l := f.publish(inst, city, market.Achievement, achievement("精密零件表面缺陷在线检测系统"))

		// Validation names every bad field; the owner and non-members may not.
		_, err := f.svc.CreateDeal(ctx, firm, market.DealInput{ListingID: l.ID, Contact: market.Contact{Email: "bad"}})
		got := fieldsOf(err)
		for field, key := range map[string]string{"message": "error.required", "contact_name": "error.required", "contact_email": "market.email_bad"} {
			if got[field] != key {
				t.Errorf("bad interest: field %s = %q, want %q (all %v)", field, got[field], key, got)
			}
		}
		_, err = f.svc.CreateDeal(ctx, inst, interest(l.ID))
		wantKind(t, "owner expresses interest", err, apperr.Forbidden)
		_, err = f.svc.CreateDeal(ctx, city, interest(l.ID))
		wantKind(t, "staff expresses interest", err, apperr.Forbidden)
		_, err = f.svc.CreateDeal(ctx, firm, interest(l.ID+1000))
		wantKind(t, "interest in a missing listing", err, apperr.NotFound)

		d, err := f.svc.CreateDeal(ctx, firm, interest(l.ID))
		if err != nil {
			t.Fatalf("create deal: %v", err)
		}
		if d.State != market.DealIntent || d.OwnerID != inst.UserID || d.MemberID != firm.UserID || d.RegionCode != "320505" {
			t.Errorf("new deal = %+v", d)
		}
		_, err = f.svc.CreateDeal(ctx, firm, interest(l.ID))
		wantKind(t, "second open deal", err, apperr.Conflict)
		inbox, err := f.inbox(inst)
		if err != nil || inbox.Unread != 3 || inbox.Items[0].Link != market.DealLink(d.ID) || inbox.Items[0].Kind != "deal.create" {
			t.Errorf("owner's inbox = %+v, %v; want the deal's notice on top of the submission's and the approval's", inbox, err)
		}

		// Who sees it: parties and staff in scope; anyone else gets 404.
		for name, who := range map[string]account.Actor{"stranger": stranger, "broker not assigned": broker, "other county": ks, "public": account.Anonymous} {
			_, err := f.svc.GetDeal(ctx, who, d.ID)
			wantKind(t, name+" reads the deal", err, apperr.NotFound)
			_, err = f.svc.StepDeal(ctx, who, d.ID, market.DealNegotiate, market.DealStep{})
			wantKind(t, name+" negotiates", err, apperr.NotFound)
		}
		for name, who := range map[string]account.Actor{"owner": inst, "member": firm, "city": city, "county": gx} {
			if _, err := f.svc.GetDeal(ctx, who, d.ID); err != nil {
				t.Errorf("%s reads the deal: %v", name, err)
			}
		}

		// Only staff in scope assign a broker, and only a broker account.
		_, err = f.svc.StepDeal(ctx, inst, d.ID, market.DealAssignBroker, market.DealStep{BrokerID: broker.UserID})
		wantKind(t, "owner assigns a broker", err, apperr.Forbidden)
		_, err = f.svc.StepDeal(ctx, gx, d.ID, market.DealAssignBroker, market.DealStep{BrokerID: stranger.UserID})
		if fieldsOf(err)["broker_id"] != "market.deal_broker_invalid" {
			t.Errorf("assigning an investor = %v, want a broker_id error", err)
		}
		d, err = f.svc.StepDeal(ctx, gx, d.ID, market.DealAssignBroker, market.DealStep{BrokerID: broker.UserID})
		if err != nil || d.BrokerID != broker.UserID || d.State != market.DealIntent {
			t.Fatalf("assign broker = %+v, %v", d, err)
		}
		if n, _ := f.notices.UnreadCount(ctx, broker); n != 1 {
			t.Errorf("broker's notices = %d, want 1", n)
		}
		// Staff see and assign, but do not move the deal.
		_, err = f.svc.StepDeal(ctx, city, d.ID, market.DealNegotiate, market.DealStep{})
		wantKind(t, "staff negotiates", err, apperr.Forbidden)
		if got := market.DealActionsFor(city, d); len(got) != 1 || got[0] != market.DealAssignBroker {
			t.Errorf("city's actions = %v, want assign-broker", got)
		}

		// The state machine.
		_, err = f.svc.StepDeal(ctx, firm, d.ID, market.DealRegister, market.DealStep{})
		wantKind(t, "register from intent", err, apperr.Conflict)
		if d, err = f.svc.StepDeal(ctx, broker, d.ID, market.DealNegotiate, market.DealStep{Note: "约定下周面谈"}); err != nil || d.State != market.DealNegotiating {
			t.Fatalf("negotiate = %+v, %v", d, err)
		}
		_, err = f.svc.StepDeal(ctx, firm, d.ID, market.DealNegotiate, market.DealStep{})
		wantKind(t, "negotiate twice", err, apperr.Conflict)
		_, err = f.svc.StepDeal(ctx, firm, d.ID, market.DealSign, market.DealStep{})
		if fieldsOf(err)["amount"] == "" {
			t.Errorf("sign without an amount = %v, want an amount error", err)
		}
		if d, err = f.svc.StepDeal(ctx, firm, d.ID, market.DealSign, market.DealStep{Amount: amount(120.5)}); err != nil || d.State != market.DealSigned || *d.Amount != 120.5 {
			t.Fatalf("sign = %+v, %v", d, err)
		}
		_, err = f.svc.StepDeal(ctx, inst, d.ID, market.DealRegister, market.DealStep{ContractID: 999})
		if fieldsOf(err)["contract_id"] != "market.deal_contract_invalid" {
			t.Errorf("register with a missing contract = %v", err)
		}
		c, err := f.svc.RegisterContract(ctx, gx, contract("license", "2026-11-01", "320505", 120.5, 100))
		if err != nil {
			t.Fatal(err)
		}
		if d, err = f.svc.StepDeal(ctx, inst, d.ID, market.DealRegister, market.DealStep{ContractID: c.ID}); err != nil || d.State != market.DealRegistered || d.ContractID != c.ID || d.ContractNumber != c.Number {
			t.Fatalf("register = %+v, %v", d, err)
		}
		_, err = f.svc.StepDeal(ctx, firm, d.ID, market.DealTerminate, market.DealStep{Reason: "反悔"})
		wantKind(t, "terminate a registered deal", err, apperr.Conflict)
		wantSteps := []market.DealState{market.DealIntent, market.DealIntent, market.DealNegotiating, market.DealSigned, market.DealRegistered}
		if len(d.Events) != len(wantSteps) {
			t.Fatalf("history = %d rows, want %d", len(d.Events), len(wantSteps))
		}
		for i, e := range d.Events {
			if e.To != wantSteps[i] {
				t.Errorf("history[%d] = %s → %s (%s), want → %s", i, e.From, e.To, e.Action, wantSteps[i])
			}
		}
		if d.Events[2].Note != "约定下周面谈" || d.Events[2].ActorID != broker.UserID {
			t.Errorf("negotiate event = %+v", d.Events[2])
		}
		var audits int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE object_type = 'deal' AND object_id = ?", fmt.Sprint(d.ID)).Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if audits != 5 {
			t.Errorf("audit rows = %d, want 5", audits)
		}

		// Terminate needs a reason, from any state that is not final.
		d2, err := f.svc.CreateDeal(ctx, stranger, interest(l.ID))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.StepDeal(ctx, inst, d2.ID, market.DealTerminate, market.DealStep{Reason: "  "})
		if fieldsOf(err)["termination_reason"] != "error.required" {
			t.Errorf("terminate without a reason = %v", err)
		}
		d2, err = f.svc.StepDeal(ctx, inst, d2.ID, market.DealTerminate, market.DealStep{Reason: "双方未就价格达成一致"})
		if err != nil || d2.State != market.DealTerminated || d2.Reason != "双方未就价格达成一致" {
			t.Fatalf("terminate = %+v, %v", d2, err)
		}
		// A terminated deal leaves room for a new one; the contract cannot be reused.
		d3, err := f.svc.CreateDeal(ctx, stranger, interest(l.ID))
		if err != nil {
			t.Fatalf("interest after termination: %v", err)
		}
		if _, err := f.svc.StepDeal(ctx, stranger, d3.ID, market.DealSign, market.DealStep{Amount: amount(10)}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.StepDeal(ctx, stranger, d3.ID, market.DealRegister, market.DealStep{ContractID: c.ID})
		if fieldsOf(err)["contract_id"] != "market.deal_contract_taken" {
			t.Errorf("reusing a contract = %v", err)
		}

		// Lists follow the same visibility.
		list, total, err := f.svc.FindDeals(ctx, firm, market.DealFilter{})
		if err != nil || total != 1 || list[0].ID != d.ID {
			t.Errorf("firm's deals = %d, %v", total, err)
		}
		if _, total, _ := f.svc.FindDeals(ctx, inst, market.DealFilter{Role: "owner"}); total != 3 {
			t.Errorf("owner's deals = %d, want 3", total)
		}
		if _, total, _ := f.svc.FindDeals(ctx, ks, market.DealFilter{}); total != 0 {
			t.Errorf("another county's deals = %d, want 0", total)
		}
		if _, total, _ := f.svc.FindDeals(ctx, city, market.DealFilter{State: market.DealTerminated}); total != 1 {
			t.Errorf("city's terminated deals = %d, want 1", total)
		}
		counts, err := f.svc.DealCounts(ctx, gx, market.DealFilter{})
		if err != nil || counts[market.DealRegistered] != 1 || counts[market.DealTerminated] != 1 || counts[market.DealSigned] != 1 {
			t.Errorf("county's counts = %v, %v", counts, err)
		}
		_, _, err = f.svc.FindDeals(ctx, account.Anonymous, market.DealFilter{})
		wantKind(t, "public lists deals", err, apperr.Unauthenticated)
	})
}

func TestBrokerStatistics(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inst := f.actor("inst", account.RoleInstitution, "320505")
		city := f.actor("city", account.RoleStaff, "320500")
		b1 := f.actor("b1", account.RoleBroker, "320508")
		b2 := f.actor("b2", account.RoleBroker, "320583")
		l := f.publish(inst, city, market.Achievement, achievement("精密零件表面缺陷在线检测系统"))
		steps := []struct {
			broker account.Actor
			sign   float64 // 0: do not sign
			finish string  // "", register or terminate
		}{
			{b1, 100.10, ""}, {b1, 50.25, "register"}, {b1, 0, "terminate"}, {b1, 0, ""}, {b2, 12.34, ""},
		}
		for i, s := range steps {
			m := f.actor("m"+string(rune('a'+i)), account.RoleEnterprise, "320583")
			d, err := f.svc.CreateDeal(ctx, m, interest(l.ID))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.StepDeal(ctx, city, d.ID, market.DealAssignBroker, market.DealStep{BrokerID: s.broker.UserID}); err != nil {
				t.Fatal(err)
			}
			if s.sign > 0 {
				if _, err := f.svc.StepDeal(ctx, s.broker, d.ID, market.DealSign, market.DealStep{Amount: amount(s.sign)}); err != nil {
					t.Fatal(err)
				}
			}
			switch s.finish {
			case "register":
				_, err = f.svc.StepDeal(ctx, m, d.ID, market.DealRegister, market.DealStep{})
			case "terminate":
				_, err = f.svc.StepDeal(ctx, m, d.ID, market.DealTerminate, market.DealStep{Reason: "需求变化"})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		f.actor("b3", account.RoleBroker, "320583")
		list, err := f.svc.Brokers(ctx, inst)
		if err != nil || len(list) != 3 {
			t.Fatalf("Brokers = %d, %v; want 3", len(list), err)
		}
		byName := map[string]market.BrokerStats{}
		for _, b := range list {
			byName[b.Username] = b
		}
		if b := byName["b1"]; b.Handled != 4 || b.Completed != 2 || b.Amount != 150.35 {
			t.Errorf("b1 = %+v, want 4 handled, 2 completed, 150.35 万元", b)
		}
		if b := byName["b3"]; b.Handled != 0 || b.Amount != 0 {
			t.Errorf("b3 = %+v, want nothing", b)
		}
		if list[0].Username != "b1" {
			t.Errorf("first broker = %s, want b1 (largest amount)", list[0].Username)
		}
		b, err := f.svc.GetBroker(ctx, inst, b2.UserID)
		if err != nil || b.Completed != 1 || b.Amount != 12.34 {
			t.Errorf("GetBroker(b2) = %+v, %v", b, err)
		}
		_, err = f.svc.GetBroker(ctx, inst, inst.UserID)
		wantKind(t, "GetBroker of an institution", err, apperr.NotFound)
		// A broker sees the deals it handles, and only those.
		if _, total, _ := f.svc.FindDeals(ctx, b2, market.DealFilter{}); total != 1 {
			t.Errorf("b2's deals = %d, want 1", total)
		}
	})
}
