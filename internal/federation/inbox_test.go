package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/market"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

// TestInterestAcrossRegions: a member of city A is interested in a listing
// of city B; at B it opens a deal for the owner exactly as a local interest
// does (notice, history, audit), with A's member as its federated
// counterpart; the owner accepts with a note, later terminates, and each
// step travels back signed to A, where the member sees the state and the
// note and is told. The owner's contact never travels unless written in a
// note; the member's neither.
func TestInterestAcrossRegions(t *testing.T) {
	t.Parallel()
	for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a := newInstance(t, d, "苏州科创", "320500", Limits{})
			b := newInstance(t, d, "无锡科创", "320200", Limits{Backoff: time.Millisecond})
			b.peerWith(a, true)
			pb := a.peerWith(b, true)
			owner := b.user("owner", account.RoleInstitution, "320214")
			l := b.publish(owner, b.user("staff", account.RoleStaff, "320200"), "高精度MEMS压力传感器封装工艺")
			if err := a.fed.SyncPeer(ctx, pb.ID); err != nil {
				t.Fatal(err)
			}
			remote := a.remote(false)
			if len(remote) != 1 {
				t.Fatalf("remote = %+v", remote)
			}
			member := a.user("member", account.RoleEnterprise, "320505")
			staff := a.user("astaff", account.RoleStaff, "320500")
			wantKind(t, "staff sends interest", a.fed.SendInterest(ctx, staff, remote[0].ID, "想了解"), apperr.Forbidden)
			wantKind(t, "empty note", a.fed.SendInterest(ctx, member, remote[0].ID, " "), apperr.Invalid)
			wantKind(t, "unknown listing", a.fed.SendInterest(ctx, member, 9999, "想了解"), apperr.NotFound)
			if err := a.fed.SendInterest(ctx, member, remote[0].ID, "我司有意向洽谈许可，联系人王经理 13912345678"); err != nil {
				t.Fatalf("send interest: %v", err)
			}
			wantKind(t, "a second open interest in the same listing", a.fed.SendInterest(ctx, member, remote[0].ID, "再次联系"), apperr.Conflict)
			if out, err := a.fed.FindInterests(ctx, member); err != nil || len(out) != 1 || out[0].DealState != "intent" || out[0].Answered {
				t.Errorf("member's interest once sent = %+v, %v", out, err)
			}

			// At B: a deal for the owner, with A's member as its counterpart.
			deals, _, err := b.market.FindDeals(ctx, owner, market.DealFilter{Role: "owner"})
			if err != nil || len(deals) != 1 {
				t.Fatalf("owner's deals = %+v, %v", deals, err)
			}
			deal, err := b.market.GetDeal(ctx, owner, deals[0].ID)
			if err != nil || deal.State != market.DealIntent || deal.ListingID != l.ID || deal.MemberID != 0 || deal.Remote == nil ||
				deal.Remote.Origin != a.srv.URL || deal.Remote.OriginName != "苏州科创" || deal.MemberName != "member（测试）" ||
				!strings.Contains(deal.Message, "洽谈许可") || len(deal.Events) != 1 {
				t.Fatalf("the deal at B = %+v (remote %+v), %v", deal, deal.Remote, err)
			}
			ins, err := b.fed.FindInterests(ctx, owner)
			if err != nil || len(ins) != 1 || ins[0].Direction != "in" || ins[0].ListingID != l.ID || ins[0].DealID != deal.ID {
				t.Fatalf("owner's interests = %+v, %v", ins, err)
			}
			inbox, err := notice.NewService(b.db, b.clock.Now).Inbox(ctx, owner, i18n.Chinese, notice.Filter{})
			if err != nil || len(inbox.Items) == 0 || !strings.Contains(inbox.Items[0].Title, "苏州科创") ||
				inbox.Items[0].Link != market.DealLink(deal.ID) {
				t.Errorf("owner's notices = %+v, %v", inbox.Items, err)
			}
			// Another county's user does not see the deal nor can answer.
			other := b.user("other", account.RoleInstitution, "320205")
			_, err = b.market.GetDeal(ctx, other, deal.ID)
			wantKind(t, "another county's user reads the deal", err, apperr.NotFound)
			wantKind(t, "another county's user answers", b.fed.AnswerInterest(ctx, other, ins[0].ID, "您好"), apperr.NotFound)
			// Audited on both sides.
			for _, c := range []struct {
				in     *instance
				action string
			}{{a, "federation.interest_send"}, {b, "federation.interest_receive"}, {b, "deal.create"}} {
				var n int
				if err := c.in.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = ?", c.action).Scan(&n); err != nil || n != 1 {
					t.Errorf("%s audit rows = %d, %v; want 1", c.action, n, err)
				}
			}

			// Nothing goes back before the owner acts.
			if n, err := b.fed.ForwardDealSteps(ctx); err != nil || n != 0 {
				t.Errorf("forward before a step = %d, %v", n, err)
			}
			// The owner accepts (洽谈) with a note carrying a contact.
			if _, err := b.market.StepDeal(ctx, owner, deal.ID, market.DealNegotiate, market.DealStep{Note: "欢迎来访，电话 0510-8888 0000"}); err != nil {
				t.Fatal(err)
			}
			if n, err := b.fed.ForwardDealSteps(ctx); err != nil || n != 1 {
				t.Fatalf("forward accept = %d, %v", n, err)
			}
			if n, err := b.fed.ForwardDealSteps(ctx); err != nil || n != 0 {
				t.Errorf("forward again = %d, %v; want nothing new", n, err)
			}
			out, err := a.fed.FindInterests(ctx, member)
			if err != nil || len(out) != 1 || out[0].Direction != "out" || !out[0].Answered || out[0].DealState != "negotiating" ||
				!strings.Contains(out[0].Answer, "0510-8888") {
				t.Fatalf("member's interests = %+v, %v", out, err)
			}
			inbox, err = notice.NewService(a.db, a.clock.Now).Inbox(ctx, member, i18n.English, notice.Filter{})
			if err != nil || len(inbox.Items) == 0 || !strings.Contains(inbox.Items[0].Title, "无锡科创") ||
				!strings.Contains(inbox.Items[0].Title, "Negotiating") {
				t.Errorf("member's notices = %+v, %v", inbox.Items, err)
			}
			// The owner ends it without a note: the state still travels.
			if _, err := b.market.StepDeal(ctx, owner, deal.ID, market.DealTerminate, market.DealStep{Reason: "已与本地企业签约"}); err != nil {
				t.Fatal(err)
			}
			// A is down: the step waits, and goes when A is back.
			a.down.Store(true)
			if n, err := b.fed.ForwardDealSteps(ctx); err == nil || n != 0 {
				t.Fatalf("forward to a peer that is down = %d, %v", n, err)
			}
			a.down.Store(false)
			time.Sleep(5 * time.Millisecond) // the backoff
			if n, err := b.fed.ForwardDealSteps(ctx); err != nil || n != 1 {
				t.Fatalf("forward terminate = %d, %v", n, err)
			}
			if out, _ := a.fed.FindInterests(ctx, member); len(out) != 1 || out[0].DealState != "terminated" {
				t.Errorf("member's interest after termination = %+v", out)
			}
			// Now closed, the member may express interest again.
			if err := a.fed.SendInterest(ctx, member, remote[0].ID, "贵方情况如有变化请告知"); err != nil {
				t.Errorf("interest after the deal closed: %v", err)
			}
			for _, c := range []struct {
				in     *instance
				action string
				want   int
			}{{b, "federation.deal_step_send", 2}, {a, "federation.answer_receive", 2}, {b, "deal.negotiate", 1}} {
				var n int
				if err := c.in.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = ?", c.action).Scan(&n); err != nil || n != c.want {
					t.Errorf("%s audit rows = %d, %v; want %d", c.action, n, err, c.want)
				}
			}
			// The owner's listing contact never reached A; the member's
			// phone in the note is sealed at rest at B.
			var n int
			if err := a.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM federation_messages WHERE note LIKE '%65881234%' OR organization LIKE '%陈老师%'").Scan(&n); err != nil || n != 0 {
				t.Errorf("the owner's contact reached A: %d, %v", n, err)
			}
		})
	}
}

// TestInboxReplays: a message posted twice is refused the second time; the
// same message id under a new signature is kept once; a message for an
// unknown listing is 404; unknown fields are refused.
func TestInboxReplays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newInstance(t, sqldb.SQLite, "苏州科创", "320500", Limits{})
	b := newInstance(t, sqldb.SQLite, "无锡科创", "320200", Limits{})
	b.peerWith(a, true)
	owner := b.user("owner", account.RoleInstitution, "320214")
	l := b.publish(owner, b.user("staff", account.RoleStaff, "320200"), "高精度MEMS压力传感器封装工艺")
	post := func(body any) (*http.Request, *http.Response) {
		t.Helper()
		raw, _ := json.Marshal(body)
		target := b.srv.URL + InboxPath
		digest := ContentDigest(raw)
		input, sig, err := sign(a.fed.keys.Current, message{method: "POST", targetURI: target, digest: digest}, requestComponents, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", target, bytes.NewReader(raw))
		req.Header.Set("Content-Digest", digest)
		req.Header.Set("Signature-Input", input)
		req.Header.Set("Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return req, resp
	}
	msg := InboxMessage{Protocol: Protocol, Type: MessageInterest, ID: "m1", ListingID: l.ID, Organization: "某公司", Note: "想了解"}
	req, resp := post(msg)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("interest: %d", resp.StatusCode)
	}
	// The very same request again: a replay.
	again, err := http.DefaultClient.Do(cloneRequest(t, req, msg))
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusUnauthorized {
		t.Errorf("replayed request: %d, want 401", again.StatusCode)
	}
	if _, resp := post(msg); resp.StatusCode != http.StatusAccepted {
		t.Errorf("same message, new signature: %d", resp.StatusCode)
	}
	if ins, _ := b.fed.FindInterests(ctx, owner); len(ins) != 1 {
		t.Errorf("owner holds %d interests, want 1", len(ins))
	}
	// The message replayed under a new signature opened one deal.
	if deals, _, err := b.market.FindDeals(ctx, owner, market.DealFilter{}); err != nil || len(deals) != 1 {
		t.Errorf("owner's deals after a replayed interest = %d, %v; want 1", len(deals), err)
	}
	// An answer reporting a state that is not a deal step is refused.
	if _, resp := post(InboxMessage{Protocol: Protocol, Type: MessageAnswer, ID: "a1", InReplyTo: "x", State: "intent"}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("answer with state intent: %d, want 422", resp.StatusCode)
	}
	msg.ID, msg.ListingID = "m2", 9999
	if _, resp := post(msg); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown listing: %d, want 404", resp.StatusCode)
	}
	if _, resp := post(map[string]any{"protocol": Protocol, "type": "interest", "id": "m3", "listing_id": l.ID, "note": "x", "phone": "1"}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown field: %d, want 422", resp.StatusCode)
	}
}

func cloneRequest(t *testing.T, req *http.Request, body any) *http.Request {
	t.Helper()
	raw, _ := json.Marshal(body)
	r, _ := http.NewRequest(req.Method, req.URL.String(), bytes.NewReader(raw))
	r.Header = req.Header.Clone()
	return r
}

// TestInterestRatePerPeer: a peer may send Limits.InterestsPerHour
// interests an hour; more are 429 and open no deal; an hour later it may
// send again. Another peer is not held back.
func TestInterestRatePerPeer(t *testing.T) {
	t.Parallel()
	for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			b := newInstance(t, d, "无锡科创", "320200", Limits{InterestsPerHour: 2})
			a := newInstance(t, d, "苏州科创", "320500", Limits{})
			c := newInstance(t, d, "南通科创", "320600", Limits{})
			owner := b.user("owner", account.RoleInstitution, "320214")
			l := b.publish(owner, b.user("staff", account.RoleStaff, "320200"), "高精度MEMS压力传感器封装工艺")
			for _, x := range []*instance{a, c} {
				b.peerWith(x, true)
				x.peerWith(b, true)
			}
			send := func(from *instance, id string) int {
				t.Helper()
				p, err := findPeers(ctx, from.db, "WHERE p.url = ?", b.srv.URL)
				if err != nil || len(p) != 1 {
					t.Fatalf("peer: %v", err)
				}
				err = from.fed.post(ctx, p[0], InboxMessage{Protocol: Protocol, Type: MessageInterest, ID: id, ListingID: l.ID,
					Organization: "某公司", Note: "想了解"})
				if err == nil {
					return http.StatusAccepted
				}
				if strings.Contains(err.Error(), "429") {
					return http.StatusTooManyRequests
				}
				t.Fatalf("post %s: %v", id, err)
				return 0
			}
			for i, want := range []int{202, 202, 429} {
				if got := send(a, fmt.Sprint("a", i)); got != want {
					t.Errorf("A's interest %d: %d, want %d", i, got, want)
				}
			}
			if got := send(c, "c0"); got != http.StatusAccepted {
				t.Errorf("C held back by A's rate: %d", got)
			}
			if deals, _, _ := b.market.FindDeals(ctx, owner, market.DealFilter{}); len(deals) != 3 {
				t.Errorf("deals = %d, want 3 (two of A, one of C)", len(deals))
			}
			// An hour later (the messages made older).
			if _, err := b.db.ExecContext(ctx, "UPDATE federation_messages SET created_at = ?", sqldb.At(time.Now().Add(-61*time.Minute))); err != nil {
				t.Fatal(err)
			}
			if got := send(a, "a9"); got != http.StatusAccepted {
				t.Errorf("A an hour later: %d", got)
			}
		})
	}
}
