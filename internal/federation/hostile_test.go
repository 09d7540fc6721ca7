package federation

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/sqldb"
)

// hostile is a peer that serves a real instance document and whatever feed
// the test wants.
func hostile(t *testing.T, feed http.HandlerFunc) *httptest.Server {
	t.Helper()
	keys := NewKeys()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == InstancePath {
			doc := (&Service{keys: keys, name: "恶意实例", region: "110000"}).InstanceDocument(srv.URL)
			_ = json.NewEncoder(w).Encode(doc)
			return
		}
		feed(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// signedGet builds a feed request from a to b, signed at created.
func signedGet(t *testing.T, a, b *instance, created time.Time) Request {
	t.Helper()
	target := b.srv.URL + FeedPath + "?after=0"
	digest := ContentDigest(nil)
	input, sig, err := sign(a.fed.keys.Current, message{method: "GET", targetURI: target, digest: digest}, requestComponents, created)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Content-Digest", digest)
	h.Set("Signature-Input", input)
	h.Set("Signature", sig)
	return Request{Method: "GET", TargetURI: target, Header: h}
}

func TestSignaturesAndReplays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newInstance(t, sqldb.SQLite, "苏州科创", "320500", Limits{})
	b := newInstance(t, sqldb.SQLite, "无锡科创", "320200", Limits{})
	b.peerWith(a, true)

	req := signedGet(t, a, b, time.Now())
	if _, err := b.fed.ServeFeed(ctx, req, "0"); err != nil {
		t.Fatalf("a good request: %v", err)
	}
	if _, err := b.fed.ServeFeed(ctx, signedGet(t, a, b, time.Now()), "x"); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("after=x = %v, want Invalid", err)
	}
	_, err := b.fed.ServeFeed(ctx, req, "0")
	if !errors.Is(err, ErrReplay) {
		t.Errorf("the same request again = %v, want a replay", err)
	}
	_, err = b.fed.ServeFeed(ctx, signedGet(t, a, b, time.Now().Add(-10*time.Minute)), "0")
	if !errors.Is(err, ErrReplay) {
		t.Errorf("a request created 10 minutes ago = %v, want stale", err)
	}
	// Another target than the one signed: the signature does not verify.
	forged := signedGet(t, a, b, time.Now())
	forged.TargetURI = b.srv.URL + FeedPath + "?after=5"
	_, err = b.fed.ServeFeed(ctx, forged, "5")
	if !errors.Is(err, ErrSignature) || apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("a request with a changed target = %v, want a bad signature", err)
	}
	// A flipped signature byte.
	bad := signedGet(t, a, b, time.Now())
	s := bad.Header.Get("Signature")
	bad.Header.Set("Signature", s[:10]+strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, s[10:11])+s[11:])
	if _, err = b.fed.ServeFeed(ctx, bad, "0"); !errors.Is(err, ErrSignature) {
		t.Errorf("a corrupted signature = %v, want a bad signature", err)
	}
	// A stranger's key.
	stranger := newInstance(t, sqldb.SQLite, "陌生", "110000", Limits{})
	if _, err = b.fed.ServeFeed(ctx, signedGet(t, stranger, b, time.Now()), "0"); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("an unknown key = %v, want Unauthenticated", err)
	}
	if _, err = b.fed.ServeFeed(ctx, Request{Method: "GET", TargetURI: b.srv.URL + FeedPath, Header: http.Header{}}, ""); !errors.Is(err, ErrSignature) {
		t.Errorf("an unsigned request = %v, want a bad signature", err)
	}
	// A response whose body was changed after signing is refused by the
	// puller.
	a2 := newInstance(t, sqldb.SQLite, "苏州科创", "320500", Limits{})
	b.peerWith(a2, true)
	p := a2.peerWith(b, true)
	b.tamper.Store(true)
	if err := a2.fed.SyncPeer(ctx, p.ID); !errors.Is(err, ErrSignature) {
		t.Errorf("a tampered feed = %v, want a bad signature", err)
	}
}

func TestHostilePeers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newInstance(t, sqldb.SQLite, "苏州科创", "320500", Limits{MaxFeedBytes: 64 << 10, Timeout: 3 * time.Second})
	add := func(url string) Peer {
		t.Helper()
		p, err := a.fed.AddPeer(ctx, a.admin, PeerInput{URL: url, Internal: true})
		if err != nil {
			t.Fatal(err)
		}
		if p, err = a.fed.ApprovePeer(ctx, a.admin, p.ID); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("oversized feed", func(t *testing.T) {
		big := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"events":[` + strings.Repeat(`{"seq":1},`, 20000)))
		})
		if err := a.fed.SyncPeer(ctx, add(big.URL).ID); !errors.Is(err, ErrTooLarge) {
			t.Errorf("an oversized feed = %v, want ErrTooLarge", err)
		}
	})
	t.Run("redirect to a private address", func(t *testing.T) {
		redir := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		})
		p := add(redir.URL)
		if err := a.fed.SyncPeer(ctx, p.ID); !errors.Is(err, ErrRedirect) {
			t.Errorf("a redirecting feed = %v, want ErrRedirect", err)
		}
		if got, _ := a.fed.GetPeer(ctx, a.admin, p.ID); got.State != Failing {
			t.Errorf("state after a redirect = %s, want failing", got.State)
		}
	})
	t.Run("loopback without internal", func(t *testing.T) {
		srv := hostile(t, func(w http.ResponseWriter, r *http.Request) {})
		_, err := a.fed.AddPeer(ctx, a.admin, PeerInput{URL: strings.Replace(srv.URL, "http://", "https://", 1)})
		e := apperr.As(err)
		if e == nil || len(e.Fields) != 1 || e.Fields[0].Key != "federation.address_refused" {
			t.Errorf("adding a loopback peer not marked internal = %v, want address_refused", err)
		}
		if _, err := a.fed.AddPeer(ctx, a.admin, PeerInput{URL: srv.URL}); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("adding a plain-http public peer = %v, want Invalid", err)
		}
	})
	t.Run("a slow peer does not hold the others", func(t *testing.T) {
		release := make(chan struct{})
		slow := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		slowPeer := add(slow.URL)
		b := newInstance(t, sqldb.SQLite, "无锡科创", "320200", Limits{})
		b.peerWith(a, true)
		good := add(b.srv.URL)
		// Only these two are due.
		if _, err := a.db.ExecContext(ctx, "UPDATE federation_peers SET next_attempt_at = ? WHERE id NOT IN (?, ?)",
			sqldb.At(time.Now().Add(time.Hour)), slowPeer.ID, good.ID); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		wg := a.fed.SyncDue(ctx)
		deadline := time.Now().Add(2 * time.Second)
		for {
			p, _ := a.fed.GetPeer(ctx, a.admin, good.ID)
			if p.State == Active {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the good peer was not pulled while the slow one hung (state %s)", p.State)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := a.fed.SyncPeer(ctx, slowPeer.ID); !errors.Is(err, ErrBusy) {
			t.Errorf("a second pull of a peer being pulled = %v, want ErrBusy", err)
		}
		close(release)
		wg.Wait()
		t.Logf("good peer pulled within %v", time.Since(start))
	})
}

func TestDialRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"127.0.0.1:443", "10.1.2.3:443", "192.168.1.1:80", "169.254.169.254:80", "[::1]:443",
		"[fe80::1]:443", "0.0.0.0:80", "100.64.0.1:80", "[::ffff:127.0.0.1]:443"} {
		if err := dialControl("tcp", addr, nil); !errors.Is(err, ErrAddress) {
			t.Errorf("dialControl(%s) = %v, want ErrAddress", addr, err)
		}
	}
	for _, addr := range []string{"202.102.192.68:443", "[2400:3200::1]:443"} {
		if err := dialControl("tcp", addr, nil); err != nil {
			t.Errorf("dialControl(%s) = %v, want nil", addr, err)
		}
	}
}

func TestKeyFileAndRotation(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/federation.key"
	k, created, err := LoadOrCreateKeys(path)
	if err != nil || !created {
		t.Fatalf("LoadOrCreateKeys = %v, created %v", err, created)
	}
	again, created, err := LoadOrCreateKeys(path)
	if err != nil || created || KeyID(again.CurrentPublic()) != KeyID(k.CurrentPublic()) {
		t.Fatalf("second LoadOrCreateKeys = %v, created %v", err, created)
	}
	next := KeyID(k.NextPublic())
	k.Rotate()
	if KeyID(k.CurrentPublic()) != next {
		t.Error("Rotate did not promote the next key")
	}
	if err := SaveKeys(path, k); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := LoadOrCreateKeys(path); KeyID(got.CurrentPublic()) != next {
		t.Error("the rotated keys were not saved")
	}
}

// TestKeyRotation: a peer that promotes its next key is followed; a peer
// whose key changes to one it never announced is refused.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newInstance(t, sqldb.SQLite, "苏州科创", "320500", Limits{})
	b := newInstance(t, sqldb.SQLite, "无锡科创", "320200", Limits{})
	b.peerWith(a, true)
	p := a.peerWith(b, true)
	if err := a.fed.SyncPeer(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	next := Fingerprint(b.fed.Keys().NextPublic())
	b.fed.Keys().Rotate()
	if err := a.fed.SyncPeer(ctx, p.ID); err != nil {
		t.Fatalf("pull after B rotated: %v", err)
	}
	if got, _ := a.fed.GetPeer(ctx, a.admin, p.ID); got.Fingerprint != next || got.NextFingerprint != Fingerprint(b.fed.Keys().NextPublic()) {
		t.Errorf("after rotation A holds %s / %s, want %s", got.Fingerprint, got.NextFingerprint, next)
	}
	// A rotates too: B accepts A's requests signed with A's former next key.
	a.fed.Keys().Rotate()
	if err := a.fed.SyncPeer(ctx, p.ID); err != nil {
		t.Fatalf("pull after A rotated: %v", err)
	}
	if got, _ := b.fed.findPeerByURL(ctx, a.srv.URL); got.Fingerprint != Fingerprint(a.fed.Keys().CurrentPublic()) {
		t.Errorf("B did not store A's rotated key: %s", got.Fingerprint)
	}
	// Twice: each side follows the other's second rotation too.
	a.fed.Keys().Rotate()
	b.fed.Keys().Rotate()
	if err := a.fed.SyncPeer(ctx, p.ID); err != nil {
		t.Fatalf("pull after both rotated again: %v", err)
	}
	// B's keys replaced by unannounced ones: refused.
	*b.fed.Keys() = *NewKeys()
	if err := a.fed.SyncPeer(ctx, p.ID); !errors.Is(err, ErrSignature) {
		t.Errorf("pull after B changed its key without rotation = %v, want a bad signature", err)
	}
}

func (s *Service) findPeerByURL(ctx context.Context, u string) (Peer, error) {
	peers, err := findPeers(ctx, s.db, "WHERE p.url = ?", u)
	if err != nil || len(peers) != 1 {
		return Peer{}, errors.Join(err, errors.New("no such peer"))
	}
	return peers[0], nil
}

func TestServeRate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newInstance(t, sqldb.SQLite, "苏州科创", "320500", Limits{})
	b := newInstance(t, sqldb.SQLite, "无锡科创", "320200", Limits{ServeRate: 2})
	b.peerWith(a, true)
	for i := 0; i < 2; i++ {
		if _, err := b.fed.ServeFeed(ctx, signedGet(t, a, b, time.Now()), "0"); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	_, err := b.fed.ServeFeed(ctx, signedGet(t, a, b, time.Now()), "0")
	if e := apperr.As(err); e == nil || e.Kind != apperr.TooMany || e.RetryAfter <= 0 {
		t.Errorf("third request in a minute = %v, want TooMany with a Retry-After", err)
	}
}
