package federation

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// instance is one kechuang instance of the test: its own database, market
// and federation service behind an httptest server that routes the
// protocol paths the way web does.
type instance struct {
	t      *testing.T
	db     *sqldb.DB
	market *market.Service
	fed    *Service
	accts  *account.Service
	srv    *httptest.Server
	clock  *clock
	admin  account.Actor
	// down answers 503 to everything; lastFeed is the last feed body served.
	down     atomic.Bool
	tamper   atomic.Bool // append a byte to feed bodies after signing
	mu       sync.Mutex
	lastFeed string
}

func newInstance(t *testing.T, d sqldb.Dialect, name, home string, lim Limits) *instance {
	t.Helper()
	ctx := context.Background()
	in := &instance{t: t, db: dbtest.Open(t, d), clock: &clock{now: time.Now()}}
	rs := region.NewService(in.db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	ref, err := market.LoadReference(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	in.accts = account.NewService(in.db, rs, account.Config{Now: in.clock.Now, Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	in.market = market.NewService(in.db, ref, home, in.clock.Now)
	in.srv = httptest.NewServer(http.HandlerFunc(in.serve))
	t.Cleanup(in.srv.Close)
	in.fed = NewService(Config{DB: in.db, Market: in.market, Name: name, Region: home, BaseURL: in.srv.URL, Limits: lim})
	in.admin = in.user("admin", account.RoleAdmin, "")
	return in
}

func (in *instance) user(name string, role account.Role, regionCode string) account.Actor {
	in.t.Helper()
	u, err := in.accts.CreateUser(context.Background(), account.System, account.NewUser{Username: name, DisplayName: name,
		Organization: name + "（测试）", Role: role, RegionCode: regionCode, Password: "Kechuang-2026"})
	if err != nil {
		in.t.Fatalf("create %s: %v", name, err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, Role: role, Region: regionCode}
}

func (in *instance) serve(w http.ResponseWriter, r *http.Request) {
	if in.down.Load() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	switch r.URL.Path {
	case InstancePath:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(in.fed.InstanceDocument(in.srv.URL))
	case FeedPath:
		resp, err := in.fed.ServeFeed(r.Context(), Request{Method: r.Method, TargetURI: in.srv.URL + r.URL.RequestURI(), Header: r.Header},
			r.URL.Query().Get("after"))
		if err != nil {
			status := map[apperr.Kind]int{apperr.Unauthenticated: 401, apperr.Forbidden: 403, apperr.Invalid: 422, apperr.TooMany: 429}[apperr.KindOf(err)]
			if status == 0 {
				status = 500
			}
			http.Error(w, err.Error(), status)
			return
		}
		in.mu.Lock()
		in.lastFeed = string(resp.Body)
		in.mu.Unlock()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.Status)
		if in.tamper.Load() {
			resp.Body = append(resp.Body, ' ')
		}
		_, _ = w.Write(resp.Body)
	case InboxPath:
		body, _ := io.ReadAll(r.Body)
		resp, err := in.fed.ServeInbox(r.Context(), Request{Method: r.Method, TargetURI: in.srv.URL + r.URL.RequestURI(), Header: r.Header, Body: body})
		if err != nil {
			status := map[apperr.Kind]int{apperr.Unauthenticated: 401, apperr.Forbidden: 403, apperr.Invalid: 422, apperr.NotFound: 404,
				apperr.TooMany: 429, apperr.Conflict: 409}[apperr.KindOf(err)]
			if status == 0 {
				in.t.Logf("inbox: %v", err)
				status = 500
			}
			http.Error(w, err.Error(), status)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.Status)
		_, _ = w.Write(resp.Body)
	default:
		http.NotFound(w, r)
	}
}

// peerWith adds other as an internal peer and approves it.
func (in *instance) peerWith(other *instance, approve bool) Peer {
	in.t.Helper()
	ctx := context.Background()
	p, err := in.fed.AddPeer(ctx, in.admin, PeerInput{URL: other.srv.URL, Internal: true})
	if err != nil {
		in.t.Fatalf("add peer %s: %v", other.srv.URL, err)
	}
	if approve {
		if p, err = in.fed.ApprovePeer(ctx, in.admin, p.ID); err != nil {
			in.t.Fatalf("approve peer: %v", err)
		}
	}
	return p
}

func (in *instance) remote(all bool) []RemoteListing {
	in.t.Helper()
	out, _, err := in.fed.FindRemote(context.Background(), in.admin, RemoteFilter{All: all, PerPage: 100})
	if err != nil {
		in.t.Fatal(err)
	}
	return out
}

// publish creates, submits and approves an achievement in the instance.
func (in *instance) publish(owner, reviewer account.Actor, title string) market.Listing {
	in.t.Helper()
	ctx := context.Background()
	l, err := in.market.CreateListing(ctx, owner, market.Achievement, market.Input{Title: title,
		Summary: "一种基于机器视觉的精密零件表面缺陷在线检测系统，检测精度达到0.01毫米。", Keywords: []string{"机器视觉", "缺陷检测"},
		Domain: "先进制造与自动化/高性能、智能化仪器仪表", Industry: "C40", TRL: 6, Team: "张教授团队（私密）",
		Modes: []string{"license"}, Contact: market.Contact{Name: "陈老师", Phone: "0512-65881234", Email: "chen@example.cn"}})
	if err != nil {
		in.t.Fatalf("create: %v", err)
	}
	if _, err := in.market.Submit(ctx, owner, l.ID); err != nil {
		in.t.Fatalf("submit: %v", err)
	}
	if l, err = in.market.Approve(ctx, reviewer, l.ID); err != nil {
		in.t.Fatalf("approve: %v", err)
	}
	return l
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != kind {
		t.Errorf("%s = %v, want %s", what, err, kind)
	}
}

// TestThreeInstances runs city A (苏州), city B (无锡) and the province
// (江苏) in one process: peering with mutual approval, sync, update and
// withdrawal propagation, a peer down and back, removal.
func TestThreeInstances(t *testing.T) {
	t.Parallel()
	for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a := newInstance(t, d, "苏州科创", "320500", Limits{})
			b := newInstance(t, d, "无锡科创", "320200", Limits{})
			prov := newInstance(t, d, "江苏科创", "320000", Limits{})

			// A adds B: the fingerprint shown is B's key.
			pb := a.peerWith(b, false)
			if pb.State != Pending || pb.Fingerprint != Fingerprint(b.fed.Keys().CurrentPublic()) || pb.RegionCode != "320200" || pb.Name != "无锡科创" {
				t.Fatalf("peer B as added = %+v", pb)
			}
			if _, err := a.fed.AddPeer(ctx, a.admin, PeerInput{URL: b.srv.URL + "/", Internal: true}); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("adding B twice = %v, want Invalid (peer_exists)", err)
			}
			staff := a.user("staff", account.RoleStaff, "320500")
			_, err := a.fed.AddPeer(ctx, staff, PeerInput{URL: b.srv.URL, Internal: true})
			wantKind(t, "staff adds a peer", err, apperr.Forbidden)
			_, err = a.fed.ApprovePeer(ctx, staff, pb.ID)
			wantKind(t, "staff approves a peer", err, apperr.Forbidden)
			if err := a.fed.SyncPeer(ctx, pb.ID); !errors.Is(err, errNotApproved) {
				t.Errorf("pull of a pending peer = %v, want not approved", err)
			}
			if _, err := a.fed.ApprovePeer(ctx, a.admin, pb.ID); err != nil {
				t.Fatal(err)
			}
			_, err = a.fed.ApprovePeer(ctx, a.admin, pb.ID)
			wantKind(t, "approve twice", err, apperr.Conflict)

			// B has not added A: its feed refuses A (unknown key), and so
			// A stays approved, with the error shown.
			bOwner := b.user("ent", account.RoleEnterprise, "320214")
			bStaff := b.user("staff", account.RoleStaff, "320200")
			l1 := b.publish(bOwner, bStaff, "精密零件表面缺陷在线检测系统")
			if err := a.fed.SyncPeer(ctx, pb.ID); err == nil {
				t.Fatal("pull before B approved A succeeded")
			}
			// B adds A but has not approved it yet: 403, A is still waiting.
			pa := b.peerWith(a, false)
			err = a.fed.SyncPeer(ctx, pb.ID)
			if !errors.Is(err, errNotApproved) {
				t.Fatalf("pull before B approved = %v, want not approved", err)
			}
			if p, _ := a.fed.GetPeer(ctx, a.admin, pb.ID); p.State != Approved || p.LastError == "" {
				t.Errorf("peer B after a refused pull = %s %q, want approved with the error", p.State, p.LastError)
			}
			if _, err := b.fed.ApprovePeer(ctx, b.admin, pa.ID); err != nil {
				t.Fatal(err)
			}
			if err := a.fed.SyncPeer(ctx, pb.ID); err != nil {
				t.Fatalf("pull after mutual approval: %v", err)
			}
			got := a.remote(false)
			if len(got) != 1 || got[0].Title != l1.Title || got[0].Origin != b.srv.URL || got[0].OriginID != l1.ID ||
				got[0].RegionCode != "320214" || got[0].OriginName != "无锡科创" {
				t.Fatalf("A's remote listings = %+v", got)
			}
			if p, _ := a.fed.GetPeer(ctx, a.admin, pb.ID); p.State != Active || p.Cursor == 0 || p.LastSyncAt.IsZero() || p.Listings != 1 {
				t.Errorf("peer B after a pull = %+v", p)
			}
			// Never a contact, a team or an owner id in the feed.
			b.mu.Lock()
			feed := b.lastFeed
			b.mu.Unlock()
			for _, private := range []string{"陈老师", "0512-65881234", "chen@example.cn", "张教授团队", "owner_id", "contact", "review_note"} {
				if strings.Contains(feed, private) {
					t.Errorf("B's feed carries %q: %s", private, feed)
				}
			}

			// A second pull changes nothing; the same events replayed
			// (cursor reset) are stored once.
			if _, err := a.db.ExecContext(ctx, "UPDATE federation_peers SET feed_cursor = 0 WHERE id = ?", pb.ID); err != nil {
				t.Fatal(err)
			}
			if err := a.fed.SyncPeer(ctx, pb.ID); err != nil {
				t.Fatal(err)
			}
			if got := a.remote(true); len(got) != 1 {
				t.Errorf("after a replayed feed A holds %d remote listings, want 1", len(got))
			}

			// Update: B renews the listing later; the new expiry arrives.
			b.clock.Add(48 * time.Hour)
			renewed, err := b.market.Renew(ctx, bOwner, l1.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.fed.SyncPeer(ctx, pb.ID); err != nil {
				t.Fatal(err)
			}
			if got := a.remote(false); len(got) != 1 || !got[0].ExpiresAt.Equal(renewed.ExpiresAt) {
				t.Errorf("after renewal A holds %+v, want expiry %v", got, renewed.ExpiresAt)
			}

			// The province peers with both cities and sees both.
			aOwner := a.user("ent", account.RoleEnterprise, "320505")
			l2 := a.publish(aOwner, staff, "注塑件缩痕智能调控工艺")
			for _, city := range []*instance{a, b} {
				p := prov.peerWith(city, true)
				back := city.peerWith(prov, true)
				_ = back
				if err := prov.fed.SyncPeer(ctx, p.ID); err != nil {
					t.Fatalf("province pulls %s: %v", city.srv.URL, err)
				}
			}
			if got := prov.remote(false); len(got) != 2 {
				t.Errorf("province holds %d remote listings, want 2 (%+v)", len(got), got)
			}
			// The same achievement offered in A too: the province flags the
			// near-duplicate across regions; unrelated ones are not flagged.
			twinA := a.publish(aOwner, staff, l1.Title)
			if err := prov.fed.SyncPeer(ctx, 1); err != nil {
				t.Fatal(err)
			}
			for _, r := range prov.remote(false) {
				switch {
				case r.OriginID == twinA.ID && r.Origin == a.srv.URL:
					if r.TwinTitle != l1.Title || !strings.HasPrefix(r.TwinURL, b.srv.URL+"/market/listings/") {
						t.Errorf("A's copy of B's listing at the province: twin %q %q", r.TwinTitle, r.TwinURL)
					}
				case r.TwinTitle != "":
					t.Errorf("%s flagged as a twin of %s", r.Title, r.TwinTitle)
				}
			}

			// Withdrawal propagates.
			if _, err := b.market.Withdraw(ctx, bOwner, l1.ID); err != nil {
				t.Fatal(err)
			}
			if err := a.fed.SyncPeer(ctx, pb.ID); err != nil {
				t.Fatal(err)
			}
			if got := a.remote(false); len(got) != 0 {
				t.Errorf("after withdrawal A shows %+v", got)
			}
			if got := a.remote(true); len(got) != 1 || got[0].State != "withdrawn" {
				t.Errorf("after withdrawal A holds %+v, want it withdrawn", got)
			}

			// B goes down: A backs off and is not due; B comes back with a
			// new listing and A catches up.
			b.down.Store(true)
			if err := a.fed.SyncPeer(ctx, pb.ID); err == nil {
				t.Fatal("pull of a peer that is down succeeded")
			}
			p, _ := a.fed.GetPeer(ctx, a.admin, pb.ID)
			if p.State != Failing || p.Failures != 1 || !p.NextAttemptAt.After(time.Now()) {
				t.Errorf("peer down = %s failures %d next %v", p.State, p.Failures, p.NextAttemptAt)
			}
			a.fed.SyncDue(ctx).Wait()
			if p2, _ := a.fed.GetPeer(ctx, a.admin, pb.ID); p2.Failures != 1 {
				t.Errorf("a backing-off peer was pulled before it was due (failures %d)", p2.Failures)
			}
			b.down.Store(false)
			l3 := b.publish(bOwner, bStaff, "工业废水膜分离回收装置")
			if err := a.fed.SyncPeer(ctx, pb.ID); err != nil {
				t.Fatalf("pull after B came back: %v", err)
			}
			if got := a.remote(false); len(got) != 1 || got[0].OriginID != l3.ID {
				t.Errorf("after B came back A shows %+v", got)
			}
			if p, _ := a.fed.GetPeer(ctx, a.admin, pb.ID); p.State != Active || p.Failures != 0 {
				t.Errorf("peer back = %s failures %d", p.State, p.Failures)
			}
			_ = l2

			// Removing B removes its records, and is audited.
			if err := a.fed.RemovePeer(ctx, a.admin, pb.ID); err != nil {
				t.Fatal(err)
			}
			if got := a.remote(true); len(got) != 0 {
				t.Errorf("after removing B, A holds %+v", got)
			}
			_, err = a.fed.GetPeer(ctx, a.admin, pb.ID)
			wantKind(t, "removed peer", err, apperr.NotFound)
			var n int
			if err := a.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'peer.%'").Scan(&n); err != nil || n < 3 {
				t.Errorf("peer audit rows = %d, %v; want add, approve, remove", n, err)
			}
		})
	}
}
