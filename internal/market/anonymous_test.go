package market_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// secrets are the strings that name the owner of an anonymous listing in
// these tests: its account's display and organisation names and the
// listing's contact.
var anonSecrets = []string{"anonowner", "anonowner（测试）", "孙工", "0512-66001234", "sun@example.com", "李教授课题组"}

// anonInput makes in anonymous with a contact and team that must not leak.
func anonInput(in market.Input, broker int64) market.Input {
	in.Anonymous, in.BrokerID = true, broker
	in.Contact = market.Contact{Name: "孙工", Phone: "0512-66001234", Email: "sun@example.com"}
	if in.Team != "" {
		in.Team = "李教授课题组"
	}
	return in
}

// noSecret fails when v, as JSON, names the anonymous owner.
func noSecret(t *testing.T, what string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range anonSecrets {
		if strings.Contains(string(b), s) {
			t.Errorf("%s names the anonymous owner (%q): %s", what, s, b)
		}
	}
}

func TestAnonymousListingHidesItsOwner(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newMatchFixture(t, db)
		ctx := context.Background()
		owner := f.actor("anonowner", account.RoleInstitution, "320505")
		member := f.actor("member", account.RoleEnterprise, "320583")
		broker := f.actor("broker", account.RoleBroker, "320505")
		otherBroker := f.actor("broker2", account.RoleBroker, "320505")
		gx := f.actor("gx", account.RoleCounty, "320505")
		ks := f.actor("ks", account.RoleCounty, "320583")
		admin := f.actor("root", account.RoleAdmin, "")

		in := anonInput(batteryAchievement(cathodeTitle, cathodeSummary, "320505", []string{"license"}, 80, 6), broker.UserID)
		l := f.publish(owner, f.staff, market.Achievement, in)
		if !l.Anonymous || l.BrokerID != broker.UserID || l.BrokerName != "broker" {
			t.Fatalf("published = anonymous %v broker %d %q, want anonymous with broker %d", l.Anonymous, l.BrokerID, l.BrokerName, broker.UserID)
		}

		// Who sees the owner of one listing.
		for _, c := range []struct {
			name string
			who  account.Actor
			sees bool
		}{
			{"public", account.Anonymous, false},
			{"member", member, false},
			{"another broker", otherBroker, false},
			{"another county's staff", ks, false},
			{"owner", owner, true},
			{"entrusted broker", broker, true},
			{"county staff in scope", gx, true},
			{"city staff", f.staff, true},
			{"administrator", admin, true},
		} {
			got, err := f.svc.GetListing(ctx, c.who, l.ID)
			if err != nil {
				t.Fatalf("%s reads the listing: %v", c.name, err)
			}
			if !got.Anonymous {
				t.Errorf("%s: anonymous = false", c.name)
			}
			if sees := got.OwnerName != "" && got.OwnerID == owner.UserID; sees != c.sees {
				t.Errorf("%s sees the owner = %v (%d %q), want %v", c.name, sees, got.OwnerID, got.OwnerName, c.sees)
			}
			if !c.sees {
				noSecret(t, c.name+"'s listing", got)
				if got.Title != cathodeTitle || got.Summary != cathodeSummary {
					t.Errorf("%s: the text must stay public, got %q", c.name, got.Title)
				}
			} else if got.Contact == nil || got.Contact.Phone != "0512-66001234" {
				t.Errorf("%s: contact = %+v, want it whole", c.name, got.Contact)
			}
		}

		// Lists, the federation feed, search and matches.
		list, _, err := f.svc.FindListings(ctx, member, market.Filter{Kind: market.Achievement})
		if err != nil || len(list) != 1 {
			t.Fatalf("public list = %d, %v", len(list), err)
		}
		noSecret(t, "public list", list)
		changes, _, _, err := f.svc.PublicChanges(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range changes {
			found = found || c.Listing.ID == l.ID
		}
		if !found {
			t.Errorf("the anonymous listing is missing from the public feed")
		}
		noSecret(t, "public feed", changes)

		f.catchUp()
		res := f.x.Search(market.SearchQuery{Text: "原子层沉积 正极材料"})
		if res.Total == 0 || res.Hits[0].ID != l.ID {
			t.Errorf("search by its text = %+v, want the anonymous listing first", res.Hits)
		}
		noSecret(t, "search result", res)
		for _, q := range []string{"anonowner", "孙工", "李教授课题组"} {
			for _, h := range f.x.Search(market.SearchQuery{Text: q}).Hits {
				if h.ID == l.ID {
					t.Errorf("search for %q finds the anonymous listing: its owner is indexed", q)
				}
			}
		}
		page := f.matches(f.buyer, f.demand.ID)
		var m *market.Match
		for i := range page.Matches {
			if page.Matches[i].ID == l.ID {
				m = &page.Matches[i]
			}
		}
		if m == nil {
			t.Fatalf("matches of the demand = %+v, want the anonymous achievement", page.Matches)
		}
		if !m.Anonymous || m.OwnerName != "" || len(m.SharedTerms) == 0 {
			t.Errorf("anonymous match = anonymous %v owner %q terms %v", m.Anonymous, m.OwnerName, m.SharedTerms)
		}
		page.Subject = market.Listing{} // the buyer's own demand
		noSecret(t, "match page", page)

		// A broker staff assign to an interest in it sees the owner in
		// that deal, and the listing's matches, but not its owner there.
		d, err := f.svc.CreateDeal(ctx, member, interest(l.ID))
		if err != nil || d.BrokerID != broker.UserID {
			t.Fatalf("interest = %+v, %v; want it with the entrusted broker", d, err)
		}
		if _, err := f.svc.StepDeal(ctx, gx, d.ID, market.DealAssignBroker, market.DealStep{BrokerID: otherBroker.UserID}); err != nil {
			t.Fatal(err)
		}
		if got := mustDeal(t, f.fixture, otherBroker, d.ID); got.OwnerID != owner.UserID {
			t.Errorf("the deal's broker sees owner %d, want %d", got.OwnerID, owner.UserID)
		}
		bp, err := f.x.Matches(ctx, otherBroker, l.ID, 1)
		if err != nil || bp.Subject.OwnerID != 0 || len(bp.Matches) == 0 || bp.Matches[0].ID != f.demand.ID {
			t.Errorf("the deal broker's matches = owner %d, %v, %v; want the demand, the owner hidden", bp.Subject.OwnerID, matchIDs(bp.Matches), err)
		}
		noSecret(t, "deal broker's match page", bp)

		// Rules of the input.
		fin := market.Input{Title: "智能传感器产线扩产融资", Summary: "扩产融资。", Domain: "电子信息", Amount: amount(500), Round: "a",
			UseOfFunds: "产线建设", Contact: market.Contact{Name: "王总", Phone: "0512-1234567"}, Anonymous: true}
		_, err = f.svc.CreateListing(ctx, member, market.Financing, fin)
		if fieldsOf(err)["anonymous"] != "market.anonymous_financing" {
			t.Errorf("anonymous financing need = %v, want an anonymous field error", err)
		}
		_, err = f.svc.CreateListing(ctx, owner, market.Achievement, anonInput(achievement("另一项匿名成果测试"), member.UserID))
		if fieldsOf(err)["broker_id"] != "market.deal_broker_invalid" {
			t.Errorf("entrusting an enterprise = %v, want a broker_id field error", err)
		}
		plain := achievement("不匿名时委托无效的成果")
		plain.BrokerID = broker.UserID
		if got, err := f.svc.CreateListing(ctx, owner, market.Achievement, plain); err != nil || got.BrokerID != 0 || got.Anonymous {
			t.Errorf("broker without anonymity = %+v, %v; want it dropped", got, err)
		}

		// The owner reveals itself: once, audited, and everybody sees it.
		_, err = f.svc.Reveal(ctx, member, l.ID)
		wantKind(t, "member reveals", err, apperr.Forbidden)
		_, err = f.svc.Reveal(ctx, broker, l.ID)
		wantKind(t, "broker reveals", err, apperr.Forbidden)
		if got, err := f.svc.Reveal(ctx, owner, l.ID); err != nil || got.Anonymous || got.RevealedAt.IsZero() {
			t.Fatalf("reveal = %+v, %v", got, err)
		}
		_, err = f.svc.Reveal(ctx, owner, l.ID)
		wantKind(t, "second reveal", err, apperr.Conflict)
		if got, err := f.svc.GetListing(ctx, account.Anonymous, l.ID); err != nil || got.OwnerName != "anonowner（测试）" {
			t.Errorf("public after reveal = %q, %v", got.OwnerName, err)
		}
		var audits int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'listing.reveal' AND object_id = ?",
			idString(l.ID)).Scan(&audits); err != nil || audits != 1 {
			t.Errorf("reveal audit rows = %d, %v; want 1", audits, err)
		}
	})
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

func TestAnonymousInterestGoesThroughStaff(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		owner := f.actor("anonowner", account.RoleInstitution, "320505")
		member := f.actor("member", account.RoleEnterprise, "320583")
		broker := f.actor("broker", account.RoleBroker, "320505")
		city := f.actor("city", account.RoleStaff, "320500")
		gx := f.actor("gx", account.RoleCounty, "320505")
		ks := f.actor("ks", account.RoleCounty, "320583")
		l := f.publish(owner, city, market.Achievement, anonInput(achievement("精密零件表面缺陷在线检测系统"), 0))
		ownerNotices := func() int {
			n, err := f.notices.UnreadCount(ctx, owner)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := ownerNotices()

		d, err := f.svc.CreateDeal(ctx, member, interest(l.ID))
		if err != nil {
			t.Fatalf("create deal: %v", err)
		}
		if !d.Held || !d.Anonymous || d.OwnerID != 0 || d.OwnerName != "" || d.BrokerID != 0 {
			t.Errorf("member's new deal = %+v, want held and the owner hidden", d)
		}
		noSecret(t, "member's deal", d)
		if got := ownerNotices(); got != before {
			t.Errorf("owner's notices %d → %d: a held interest reached the owner", before, got)
		}
		for name, who := range map[string]account.Actor{"county staff": gx, "city staff": city} {
			inbox, err := f.inbox(who)
			if err != nil || inbox.Unread != 1 || inbox.Items[0].Kind != "deal.held" || inbox.Items[0].Link != market.DealLink(d.ID) {
				t.Errorf("%s's inbox = %+v, %v; want the held interest", name, inbox, err)
			}
		}
		if n, _ := f.notices.UnreadCount(ctx, ks); n != 0 {
			t.Errorf("another county's staff got %d notices", n)
		}

		// Until forwarded, the owner neither sees nor moves the deal;
		// another county's staff never see it.
		for name, who := range map[string]account.Actor{"owner": owner, "other county": ks} {
			_, err := f.svc.GetDeal(ctx, who, d.ID)
			wantKind(t, name+" reads the held deal", err, apperr.NotFound)
			_, err = f.svc.StepDeal(ctx, who, d.ID, market.DealNegotiate, market.DealStep{})
			wantKind(t, name+" negotiates the held deal", err, apperr.NotFound)
		}
		if list, total, err := f.svc.FindDeals(ctx, owner, market.DealFilter{}); err != nil || total != 0 || len(list) != 0 {
			t.Errorf("owner's deals = %d, %v; want none while held", total, err)
		}
		_, err = f.svc.StepDeal(ctx, member, d.ID, market.DealNegotiate, market.DealStep{})
		wantKind(t, "member negotiates a held deal", err, apperr.Conflict)
		_, err = f.svc.StepDeal(ctx, member, d.ID, market.DealForward, market.DealStep{})
		wantKind(t, "member forwards", err, apperr.Forbidden)
		if acts := market.DealActionsFor(gx, mustDeal(t, f, gx, d.ID)); !slices.Contains(acts, market.DealForward) {
			t.Errorf("county staff actions = %v, want forward", acts)
		}
		if got := mustDeal(t, f, gx, d.ID); got.OwnerID != owner.UserID || got.OwnerName == "" {
			t.Errorf("staff see owner %d %q, want the owner", got.OwnerID, got.OwnerName)
		}

		// Staff forward: the owner hears of it and the deal runs as any.
		fw, err := f.svc.StepDeal(ctx, gx, d.ID, market.DealForward, market.DealStep{Note: "已核实意向方资质"})
		if err != nil || fw.Held || fw.ForwardedAt.IsZero() || fw.State != market.DealIntent {
			t.Fatalf("forward = %+v, %v", fw, err)
		}
		_, err = f.svc.StepDeal(ctx, gx, d.ID, market.DealForward, market.DealStep{})
		wantKind(t, "second forward", err, apperr.Conflict)
		inbox, err := f.inbox(owner)
		if err != nil || inbox.Items[0].Kind != "deal.forward" || inbox.Items[0].Link != market.DealLink(d.ID) ||
			!strings.Contains(inbox.Items[0].Title, "member") {
			t.Errorf("owner's inbox after forward = %+v, %v", inbox.Items, err)
		}
		if list, total, err := f.svc.FindDeals(ctx, owner, market.DealFilter{Role: "owner"}); err != nil || total != 1 || list[0].ID != d.ID {
			t.Errorf("owner's deals after forward = %d, %v", total, err)
		}
		if _, err := f.svc.StepDeal(ctx, owner, d.ID, market.DealNegotiate, market.DealStep{Note: "欢迎洽谈"}); err != nil {
			t.Fatalf("owner negotiates: %v", err)
		}
		md := mustDeal(t, f, member, d.ID)
		if md.OwnerID != 0 || md.OwnerName != "" || !md.Anonymous {
			t.Errorf("member's deal after forward = owner %d %q, want still hidden", md.OwnerID, md.OwnerName)
		}
		for _, e := range md.Events {
			if e.ActorID == owner.UserID {
				t.Errorf("member reads the owner in the history: %+v", e)
			}
		}
		noSecret(t, "member's deal after negotiating", md)
		if list, _, err := f.svc.FindDeals(ctx, member, market.DealFilter{}); err != nil || len(list) != 1 {
			t.Fatalf("member's deals = %v, %v", list, err)
		} else {
			noSecret(t, "member's deal list", list)
		}

		// The owner reveals itself in this deal only.
		_, err = f.svc.StepDeal(ctx, member, d.ID, market.DealReveal, market.DealStep{})
		wantKind(t, "member reveals the owner", err, apperr.Forbidden)
		rv, err := f.svc.StepDeal(ctx, owner, d.ID, market.DealReveal, market.DealStep{})
		if err != nil || rv.Anonymous || rv.OwnerRevealedAt.IsZero() {
			t.Fatalf("reveal in deal = %+v, %v", rv, err)
		}
		if md := mustDeal(t, f, member, d.ID); md.OwnerName != "anonowner（测试）" {
			t.Errorf("member after reveal sees %q", md.OwnerName)
		}
		_, err = f.svc.StepDeal(ctx, owner, d.ID, market.DealReveal, market.DealStep{})
		wantKind(t, "second reveal in deal", err, apperr.Conflict)
		if got, err := f.svc.GetListing(ctx, member, l.ID); err != nil || got.OwnerName != "" {
			t.Errorf("the listing after a deal's reveal = %q, %v; want still anonymous", got.OwnerName, err)
		}
		var audits int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action IN ('deal.forward', 'deal.reveal') AND object_id = ?",
			idString(d.ID)).Scan(&audits); err != nil || audits != 2 {
			t.Errorf("forward and reveal audit rows = %d, %v; want 2", audits, err)
		}

		// With an entrusted broker, the interest goes to the broker, not
		// to the staff, and the broker forwards it.
		firm := f.actor("anonfirm", account.RoleEnterprise, "320505")
		l2 := f.publish(firm, city, market.Demand, anonInput(demand("注塑件缩痕控制工艺改进"), broker.UserID))
		staffBefore, _ := f.notices.UnreadCount(ctx, gx)
		firmBefore, _ := f.notices.UnreadCount(ctx, firm)
		d2, err := f.svc.CreateDeal(ctx, f.actor("member2", account.RoleInstitution, "320583"), interest(l2.ID))
		if err != nil || !d2.Held || d2.BrokerID != broker.UserID {
			t.Fatalf("deal on entrusted listing = %+v, %v", d2, err)
		}
		if n, _ := f.notices.UnreadCount(ctx, gx); n != staffBefore {
			t.Errorf("staff notices %d → %d; the broker should get the interest", staffBefore, n)
		}
		if inbox, err := f.inbox(broker); err != nil || inbox.Unread != 1 || inbox.Items[0].Kind != "deal.held" {
			t.Errorf("broker's inbox = %+v, %v", inbox, err)
		}
		if got := mustDeal(t, f, broker, d2.ID); got.OwnerName == "" {
			t.Errorf("the broker must see the owner")
		}
		if _, err := f.svc.StepDeal(ctx, broker, d2.ID, market.DealForward, market.DealStep{}); err != nil {
			t.Fatalf("broker forwards: %v", err)
		}
		if got, _ := f.notices.UnreadCount(ctx, firm); got != firmBefore+1 {
			t.Errorf("owner's notices %d → %d, want one forwarded interest", firmBefore, got)
		}
	})
}

func mustDeal(t *testing.T, f *fixture, a account.Actor, id int64) market.Deal {
	t.Helper()
	d, err := f.svc.GetDeal(context.Background(), a, id)
	if err != nil {
		t.Fatalf("GetDeal(%s): %v", a.Username, err)
	}
	return d
}
