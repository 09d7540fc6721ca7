package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// Protocol is the protocol version this package speaks (docs/FEDERATION.md).
const Protocol = "kechuang-federation/1"

// The paths of the protocol, relative to an instance's base URL.
const (
	InstancePath = "/.well-known/kechuang"
	FeedPath     = "/federation/v1/feed"
	InboxPath    = "/federation/v1/inbox"
)

func init() {
	audit.RegisterActions("peer.add", "peer.approve", "peer.remove")
}

// Limits bound the exchange with peers; zero fields take the defaults.
type Limits struct {
	// PullInterval is how often a healthy peer's feed is pulled (5 min).
	PullInterval time.Duration
	// Backoff is the first wait after a failed pull, doubled per failure
	// up to MaxBackoff (30 s, 6 h).
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one exchange with a peer (20 s).
	Timeout time.Duration
	// Window is how far a signature's created time may be from now (5 min).
	Window time.Duration
	// MaxFeedBytes is the largest feed page accepted from a peer (4 MiB).
	MaxFeedBytes int64
	// PageEvents is how many events a served page holds at most (200).
	PageEvents int
	// MaxPagesPerPull caps the pages one pull reads from a peer (10); the
	// rest waits for the next pull.
	MaxPagesPerPull int
	// ServeRate is how many feed or inbox requests one peer may make per
	// minute (60); more are answered 429.
	ServeRate int
	// InterestsPerHour is how many interests one peer may send an hour
	// (30); more are answered 429.
	InterestsPerHour int
}

func (l Limits) withDefaults() Limits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.PullInterval, 5*time.Minute)
	def(&l.Backoff, 30*time.Second)
	def(&l.MaxBackoff, 6*time.Hour)
	def(&l.Timeout, 20*time.Second)
	def(&l.Window, 5*time.Minute)
	if l.MaxFeedBytes <= 0 {
		l.MaxFeedBytes = 4 << 20
	}
	if l.PageEvents <= 0 {
		l.PageEvents = 200
	}
	if l.MaxPagesPerPull <= 0 {
		l.MaxPagesPerPull = 10
	}
	if l.ServeRate <= 0 {
		l.ServeRate = 60
	}
	if l.InterestsPerHour <= 0 {
		l.InterestsPerHour = 30
	}
	return l
}

// Config is what the service is built from.
type Config struct {
	DB *sqldb.DB
	// Keys sign what this instance sends.
	Keys *Keys
	// Market is the source of the public feed.
	Market *market.Service
	// Name is the instance's name in its instance document; Region its
	// home region code.
	Name, Region string
	// BaseURL is the instance's public base URL (https://kc.example.gov.cn);
	// "" takes it from each request (scheme and Host).
	BaseURL string
	Now     func() time.Time
	Logger  *slog.Logger
	Limits  Limits
}

// backoff is a peer's wait after failed sends.
type backoff struct {
	next time.Time
	n    int
}

// Service is the federation of this instance with its peers.
type Service struct {
	db     *sqldb.DB
	keys   *Keys
	market *market.Service
	name   string
	region string
	base   string
	now    func() time.Time
	log    *slog.Logger
	lim    Limits

	mu     sync.Mutex
	busy   map[int64]bool        // peers being pulled now
	served map[int64][]time.Time // recent requests per peer, for ServeRate
	// forwarding is set while the pull loop's ForwardDealSteps runs;
	// fwdBackoff holds, per peer, when deal steps may be sent again.
	forwarding atomic.Bool
	fwdBackoff map[int64]backoff
}

// NewService returns the service.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Keys == nil {
		cfg.Keys = NewKeys()
	}
	return &Service{db: cfg.DB, keys: cfg.Keys, market: cfg.Market, name: cfg.Name, region: cfg.Region,
		base: cfg.BaseURL, now: cfg.Now, log: cfg.Logger, lim: cfg.Limits.withDefaults(),
		busy: map[int64]bool{}, served: map[int64][]time.Time{}, fwdBackoff: map[int64]backoff{}}
}

// BaseURL is the configured public base URL, "" when taken from requests.
func (s *Service) BaseURL() string { return s.base }

// Keys returns the instance's keys.
func (s *Service) Keys() *Keys { return s.keys }

// CanManagePeers reports whether the actor may see and change peers: the
// system administrator.
func (s *Service) CanManagePeers(a account.Actor) bool { return a.Role == account.RoleAdmin }

func (s *Service) authorize(a account.Actor) error {
	if !a.LoggedIn() {
		return apperr.New(apperr.Unauthenticated, "session.required")
	}
	if !s.CanManagePeers(a) {
		return apperr.New(apperr.Forbidden, "federation.admin_only")
	}
	return nil
}

// InstanceKey is one public key in the instance document.
type InstanceKey struct {
	ID          string `json:"id"`
	Use         string `json:"use"` // current or next
	Algorithm   string `json:"alg"`
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"`
}

// Instance is the instance document served at InstancePath.
type Instance struct {
	Protocol   string        `json:"protocol"`
	Name       string        `json:"name"`
	RegionCode string        `json:"region_code"`
	URL        string        `json:"url"`
	Endpoints  Endpoints     `json:"endpoints"`
	Keys       []InstanceKey `json:"keys"`
}

// Endpoints are an instance's absolute protocol URLs.
type Endpoints struct {
	Feed  string `json:"feed"`
	Inbox string `json:"inbox"`
}

// InstanceDocument returns this instance's document; base is the base URL
// the request came to, used when none is configured.
func (s *Service) InstanceDocument(base string) Instance {
	if s.base != "" {
		base = s.base
	}
	key := func(use string, pub []byte) InstanceKey {
		return InstanceKey{ID: KeyID(pub), Use: use, Algorithm: "ed25519", PublicKey: encodePublic(pub), Fingerprint: Fingerprint(pub)}
	}
	return Instance{Protocol: Protocol, Name: s.name, RegionCode: s.region, URL: base,
		Endpoints: Endpoints{Feed: base + FeedPath, Inbox: base + InboxPath},
		Keys:      []InstanceKey{key("current", s.keys.CurrentPublic()), key("next", s.keys.NextPublic())}}
}

// FindPeers lists every peer (administrators only).
func (s *Service) FindPeers(ctx context.Context, a account.Actor) ([]Peer, error) {
	if err := s.authorize(a); err != nil {
		return nil, err
	}
	return findPeers(ctx, s.db, "")
}

// GetPeer returns one peer (administrators only).
func (s *Service) GetPeer(ctx context.Context, a account.Actor, id int64) (Peer, error) {
	if err := s.authorize(a); err != nil {
		return Peer{}, err
	}
	return getPeer(ctx, s.db, id)
}

// AddPeer fetches the instance document at in.URL and records the peer as
// pending, with its keys, for an administrator to approve after comparing
// the fingerprint. A URL that cannot be fetched, or a document this
// protocol does not understand, is Invalid on url; a URL already added is
// Conflict.
func (s *Service) AddPeer(ctx context.Context, a account.Actor, in PeerInput) (Peer, error) {
	if err := s.authorize(a); err != nil {
		return Peer{}, err
	}
	u, err := normalizeURL(in.URL, in.Internal)
	if err != nil {
		return Peer{}, err
	}
	doc, err := s.fetchInstance(ctx, u, in.Internal)
	if err != nil {
		s.log.Info("federation: add peer: fetch instance document", "url", u, "err", err)
		key := "federation.fetch_failed"
		if isAddressError(err) {
			key = "federation.address_refused"
		}
		return Peer{}, apperr.Fields(apperr.Field("url", key))
	}
	cur, next, err := doc.publicKeys()
	if err != nil {
		return Peer{}, apperr.Fields(apperr.Field("url", "federation.document_invalid"))
	}
	if KeyID(cur) == KeyID(s.keys.CurrentPublic()) {
		return Peer{}, apperr.Fields(apperr.Field("url", "federation.self"))
	}
	now := s.now()
	var id int64
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO federation_peers (url, name, region_code, protocol, key_current, key_next, state,
			internal, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u, truncate(doc.Name, 100), truncate(doc.RegionCode, 12), doc.Protocol, encodePublic(cur), encodePublic(next),
			Pending, in.Internal, sqldb.At(now), sqldb.At(now))
		if apperr.KindOf(err) == apperr.Conflict {
			return apperr.Fields(apperr.Field("url", "federation.peer_exists"))
		}
		if err != nil {
			return fmt.Errorf("add peer: %w", err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "peer.add", ObjectType: "peer", ObjectID: strconv.FormatInt(id, 10),
			ObjectName: u, After: map[string]any{"url": u, "name": doc.Name, "region_code": doc.RegionCode,
				"fingerprint": Fingerprint(cur), "internal": in.Internal}})
	})
	if err != nil {
		return Peer{}, err
	}
	return getPeer(ctx, s.db, id)
}

// ApprovePeer puts a pending peer on the allow list: from now on its
// signed requests are served, and it is pulled. Another state is Conflict.
func (s *Service) ApprovePeer(ctx context.Context, a account.Actor, id int64) (Peer, error) {
	if err := s.authorize(a); err != nil {
		return Peer{}, err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p, err := getPeer(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.State != Pending {
			return apperr.New(apperr.Conflict, "federation.not_pending")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE federation_peers SET state = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?",
			Approved, sqldb.At(s.now()), id); err != nil {
			return fmt.Errorf("approve peer %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "peer.approve", ObjectType: "peer", ObjectID: strconv.FormatInt(id, 10),
			ObjectName: p.URL, Before: map[string]any{"state": p.State}, After: map[string]any{"state": Approved, "fingerprint": p.Fingerprint}})
	})
	if err != nil {
		return Peer{}, err
	}
	return getPeer(ctx, s.db, id)
}

// RemovePeer deletes a peer and every listing received from it.
func (s *Service) RemovePeer(ctx context.Context, a account.Actor, id int64) error {
	if err := s.authorize(a); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p, err := getPeer(ctx, tx, id)
		if err != nil {
			return err
		}
		// Explicitly, not only by cascade: SQLite enforces foreign keys only
		// when the connection asks it to.
		if _, err := tx.ExecContext(ctx, "DELETE FROM federation_listings WHERE peer_id = ?", id); err != nil {
			return fmt.Errorf("remove peer %d listings: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM federation_peers WHERE id = ?", id); err != nil {
			return fmt.Errorf("remove peer %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "peer.remove", ObjectType: "peer", ObjectID: strconv.FormatInt(id, 10),
			ObjectName: p.URL, Before: map[string]any{"url": p.URL, "state": p.State, "listings": p.Listings}})
	})
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// publicKeys reads the current and next keys of an instance document.
func (d Instance) publicKeys() (cur, next ed25519.PublicKey, err error) {
	if d.Protocol != Protocol {
		return nil, nil, fmt.Errorf("protocol %q is not %q", d.Protocol, Protocol)
	}
	for _, k := range d.Keys {
		if k.Algorithm != "ed25519" {
			continue
		}
		pub, err := decodePublic(k.PublicKey)
		if err != nil {
			return nil, nil, err
		}
		switch k.Use {
		case "current":
			cur = pub
		case "next":
			next = pub
		}
	}
	if cur == nil {
		return nil, nil, errors.New("no current ed25519 key")
	}
	return cur, next, nil
}

const maxInstanceBytes = 64 << 10

// fetchInstance reads a peer's instance document.
func (s *Service) fetchInstance(ctx context.Context, base string, internal bool) (Instance, error) {
	ctx, cancel := context.WithTimeout(ctx, s.lim.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+InstancePath, nil)
	if err != nil {
		return Instance{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := newClient(internal, s.lim.Timeout).Do(req)
	if err != nil {
		return Instance{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Instance{}, fmt.Errorf("instance document: status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxInstanceBytes+1))
	if err != nil {
		return Instance{}, err
	}
	if len(b) > maxInstanceBytes {
		return Instance{}, errors.New("instance document too large")
	}
	var doc Instance
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
		return Instance{}, fmt.Errorf("instance document: %w", err)
	}
	return doc, nil
}
