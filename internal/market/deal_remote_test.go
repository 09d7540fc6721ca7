package market_test

import (
	"context"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// TestOpenRemoteDeal: an interest of another instance's member opens a
// deal like a local one (owner's notice, history, audit), with the
// counterpart recorded instead of a local user; more than one counterpart
// may be interested at once; listings that are not public, financing
// needs and bad messages are refused; the owner moves the deal as usual
// and the steps are there for federation to send back.
func TestOpenRemoteDeal(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inst := f.actor("inst", account.RoleInstitution, "320505")
		city := f.actor("city", account.RoleStaff, "320500")
		other := f.actor("other", account.RoleInstitution, "320583")
		l := f.publish(inst, city, market.Achievement, achievement("精密零件表面缺陷在线检测系统"))
		firm := f.actor("firm", account.RoleEnterprise, "320505")
		fin := f.publish(firm, city, market.Financing, financing("精密检测设备产线扩建融资"))
		draft, err := f.svc.CreateListing(ctx, inst, market.Achievement, achievement("尚未提交的成果"))
		if err != nil {
			t.Fatal(err)
		}
		peer := audit.Actor{Name: "https://kc.wuxi.example.gov.cn", Role: "peer"}
		open := func(id int64, org, msg string) (market.Deal, error) {
			var d market.Deal
			err := db.InTx(ctx, func(tx *sqldb.Tx) error {
				var err error
				d, err = f.svc.OpenRemoteDeal(ctx, tx, peer, market.RemoteDealInput{ListingID: id, Message: msg,
					Member: market.RemoteMember{Origin: "https://kc.wuxi.example.gov.cn", OriginName: "无锡市科创平台", Organization: org}})
				return err
			})
			return d, err
		}
		for _, c := range []struct {
			name string
			id   int64
			msg  string
			want apperr.Kind
		}{
			{"a draft", draft.ID, "想了解", apperr.NotFound},
			{"a missing listing", l.ID + 1000, "想了解", apperr.NotFound},
			{"a financing need", fin.ID, "想了解", apperr.Conflict},
			{"an empty message", l.ID, "  ", apperr.Invalid},
			{"HTML", l.ID, "<script>alert(1)</script>", apperr.Invalid},
		} {
			_, err := open(c.id, "某公司", c.msg)
			wantKind(t, c.name, err, c.want)
		}
		d, err := open(l.ID, "无锡某精密机械有限公司", "我司有意向洽谈许可")
		if err != nil {
			t.Fatal(err)
		}
		if d.MemberID != 0 || d.OwnerID != inst.UserID || d.MemberName != "无锡某精密机械有限公司" || d.Remote == nil ||
			d.Remote.OriginName != "无锡市科创平台" || d.State != market.DealIntent || d.Contact.Name != "" {
			t.Fatalf("remote deal = %+v (remote %+v)", d, d.Remote)
		}
		// A second organization of the same instance may be interested too.
		if _, err := open(l.ID, "无锡另一家公司", "也想了解"); err != nil {
			t.Errorf("a second remote counterpart: %v", err)
		}
		in, err := f.inbox(inst)
		if err != nil || len(in.Items) < 2 || !strings.Contains(in.Items[1].Title, "无锡某精密机械有限公司（无锡市科创平台）") ||
			in.Items[1].Link != market.DealLink(d.ID) || in.Items[1].Body != "我司有意向洽谈许可" {
			t.Errorf("owner's notices = %+v, %v", in.Items, err)
		}
		_, err = f.svc.GetDeal(ctx, other, d.ID)
		wantKind(t, "another county's user reads it", err, apperr.NotFound)
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'deal.create' AND actor_name = ?", peer.Name).Scan(&n); err != nil || n != 2 {
			t.Errorf("deal.create audit rows by the peer = %d, %v", n, err)
		}
		// The owner moves it; the steps are there to send back.
		if _, err := f.svc.StepDeal(ctx, inst, d.ID, market.DealNegotiate, market.DealStep{Note: "欢迎来访"}); err != nil {
			t.Fatal(err)
		}
		_, steps, err := f.svc.RemoteDealSteps(ctx, d.ID, 0)
		if err != nil || len(steps) != 1 || steps[0].To != market.DealNegotiating || steps[0].Note != "欢迎来访" {
			t.Fatalf("steps = %+v, %v", steps, err)
		}
		if _, later, _ := f.svc.RemoteDealSteps(ctx, d.ID, steps[0].ID); len(later) != 0 {
			t.Errorf("steps after the last = %+v", later)
		}
		// The owner's deal list shows both, with their counterparts.
		ds, total, err := f.svc.FindDeals(ctx, inst, market.DealFilter{Role: "owner"})
		if err != nil || total != 2 || ds[0].Remote == nil || ds[1].Remote == nil {
			t.Errorf("owner's deals = %d %+v, %v", total, ds, err)
		}

		// Interest from another region in an anonymous listing is held for
		// the broker it is entrusted to, exactly as a local one: the owner
		// neither sees the deal nor hears of it until it is forwarded.
		broker := f.actor("anonbroker", account.RoleBroker, "320505")
		shy := f.actor("shyowner", account.RoleInstitution, "320505")
		al := f.publish(shy, city, market.Achievement, anonInput(achievement("匿名发布的高温合金叶片修复工艺"), broker.UserID))
		hd, err := open(al.ID, "无锡某航空部件有限公司", "希望了解修复工艺")
		if err != nil {
			t.Fatal(err)
		}
		if !hd.Held || hd.BrokerID != broker.UserID {
			t.Errorf("remote interest in an anonymous listing: held %v broker %d, want held with broker %d", hd.Held, hd.BrokerID, broker.UserID)
		}
		_, err = f.svc.GetDeal(ctx, shy, hd.ID)
		wantKind(t, "the anonymous owner reads a held remote interest", err, apperr.NotFound)
		in, err = f.inbox(shy)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range in.Items {
			if n.Link == market.DealLink(hd.ID) {
				t.Errorf("the anonymous owner was told of a held interest: %+v", n)
			}
		}
		if in, err := f.inbox(broker); err != nil || len(in.Items) != 1 || in.Items[0].Link != market.DealLink(hd.ID) {
			t.Errorf("the broker's notices = %+v, %v", in.Items, err)
		}
		if _, err := f.svc.StepDeal(ctx, broker, hd.ID, market.DealForward, market.DealStep{}); err != nil {
			t.Fatalf("the broker forwards the remote interest: %v", err)
		}
		if _, err := f.svc.GetDeal(ctx, shy, hd.ID); err != nil {
			t.Errorf("the owner reads the forwarded remote interest: %v", err)
		}
	})
}
