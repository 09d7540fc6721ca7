package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

// TestInterestAcrossRegions: a member of city A is interested in a listing
// of city B; B's owner is told, answers, and the member is told; the
// owner's contact never travels unless written in the answer.
func TestInterestAcrossRegions(t *testing.T) {
	t.Parallel()
	for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a := newInstance(t, d, "苏州科创", "320500", Limits{})
			b := newInstance(t, d, "无锡科创", "320200", Limits{})
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
			if err := a.fed.SendInterest(ctx, member, remote[0].ID, "我司有意向洽谈许可"); err != nil {
				t.Fatalf("send interest: %v", err)
			}

			// At B: the owner is told and sees the interest; nobody else can answer it.
			ins, err := b.fed.FindInterests(ctx, owner)
			if err != nil || len(ins) != 1 || ins[0].Direction != "in" || ins[0].ListingID != l.ID || ins[0].Organization != "member（测试）" {
				t.Fatalf("owner's interests = %+v, %v", ins, err)
			}
			inbox, err := notice.NewService(b.db, b.clock.Now).Inbox(ctx, owner, i18n.Chinese, notice.Filter{})
			if err != nil || len(inbox.Items) == 0 || !strings.Contains(inbox.Items[0].Title, "苏州科创") {
				t.Errorf("owner's notices = %+v, %v", inbox.Items, err)
			}
			other := b.user("other", account.RoleInstitution, "320205")
			wantKind(t, "another county's user answers", b.fed.AnswerInterest(ctx, other, ins[0].ID, "您好"), apperr.NotFound)
			if err := b.fed.AnswerInterest(ctx, owner, ins[0].ID, "欢迎来访，电话 0510-8888 0000"); err != nil {
				t.Fatalf("answer: %v", err)
			}
			wantKind(t, "answer twice", b.fed.AnswerInterest(ctx, owner, ins[0].ID, "再答"), apperr.Conflict)

			// At A: the member sees the answer and is told.
			out, err := a.fed.FindInterests(ctx, member)
			if err != nil || len(out) != 1 || out[0].Direction != "out" || !out[0].Answered || !strings.Contains(out[0].Answer, "0510-8888") {
				t.Fatalf("member's interests = %+v, %v", out, err)
			}
			inbox, err = notice.NewService(a.db, a.clock.Now).Inbox(ctx, member, i18n.English, notice.Filter{})
			if err != nil || len(inbox.Items) == 0 || !strings.Contains(inbox.Items[0].Title, "无锡科创") {
				t.Errorf("member's notices = %+v, %v", inbox.Items, err)
			}
			// The owner's listing contact never reached A.
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
