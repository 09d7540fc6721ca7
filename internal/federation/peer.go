package federation

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/sqldb"
)

// State is where a peer is in peering.
type State string

// The peer states. A peer is added pending; an administrator approves it
// after comparing its key fingerprint out of band; it becomes active when
// its feed answers us, which it does only once its administrator has
// approved us too (mutual allow list); failing while pulls fail.
const (
	Pending  State = "pending"
	Approved State = "approved"
	Active   State = "active"
	Failing  State = "failing"
)

// States lists the states in display order.
var States = []State{Pending, Approved, Active, Failing}

// allowed reports whether this instance serves its feed and inbox to a
// peer in state s.
func (s State) allowed() bool { return s == Approved || s == Active || s == Failing }

// Peer is another instance this one exchanges listings with.
type Peer struct {
	ID         int64  `json:"id"`
	URL        string `json:"url"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
	Protocol   string `json:"protocol"`
	// Fingerprint and NextFingerprint identify its current and next keys.
	Fingerprint     string    `json:"fingerprint"`
	NextFingerprint string    `json:"next_fingerprint"`
	State           State     `json:"state"`
	Internal        bool      `json:"internal"`
	Cursor          int64     `json:"cursor"`
	LastSyncAt      time.Time `json:"last_sync_at,omitzero"`
	LastError       string    `json:"last_error,omitempty"`
	Failures        int       `json:"failures"`
	NextAttemptAt   time.Time `json:"next_attempt_at,omitzero"`
	// Listings counts the peer's listings stored here.
	Listings  int       `json:"listings"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	keyCurrent, keyNext ed25519.PublicKey
}

// keys are the peer's public keys a signature may be made with.
func (p Peer) keys() []ed25519.PublicKey {
	var out []ed25519.PublicKey
	for _, k := range []ed25519.PublicKey{p.keyCurrent, p.keyNext} {
		if len(k) == ed25519.PublicKeySize {
			out = append(out, k)
		}
	}
	return out
}

// PeerInput is what an administrator gives to add a peer.
type PeerInput struct {
	URL string `json:"url"`
	// Internal allows private and loopback addresses for this peer (an
	// instance inside the same government network); off by default.
	Internal bool `json:"internal"`
}

const maxURL = 500

// normalizeURL checks a peer's base URL: https (http only for an internal
// peer), a host, no user, query or fragment; the trailing slash dropped.
func normalizeURL(raw string, internal bool) (string, error) {
	raw = strings.TrimSpace(raw)
	bad := apperr.Fields(apperr.Field("url", "federation.url_invalid"))
	if raw == "" {
		return "", apperr.Fields(apperr.Field("url", "error.required"))
	}
	if len(raw) > maxURL {
		return "", apperr.Fields(apperr.Field("url", "error.too_long", maxURL))
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", bad
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !internal {
			return "", apperr.Fields(apperr.Field("url", "federation.url_https"))
		}
	default:
		return "", bad
	}
	return u.Scheme + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.EscapedPath(), "/"), nil
}

const peerColumns = `p.id, p.url, p.name, p.region_code, p.protocol, p.key_current, p.key_next, p.state, p.internal,
	p.feed_cursor, p.last_sync_at, p.last_error, p.failures, p.next_attempt_at, p.created_at, p.updated_at,
	(SELECT COUNT(*) FROM federation_listings f WHERE f.peer_id = p.id)`

func scanPeer(row interface{ Scan(...any) error }) (Peer, error) {
	var p Peer
	var cur, next string
	var last, nextAt, created, updated sqldb.Time
	if err := row.Scan(&p.ID, &p.URL, &p.Name, &p.RegionCode, &p.Protocol, &cur, &next, &p.State, &p.Internal,
		&p.Cursor, &last, &p.LastError, &p.Failures, &nextAt, &created, &updated, &p.Listings); err != nil {
		return Peer{}, err
	}
	p.LastSyncAt, p.NextAttemptAt, p.CreatedAt, p.UpdatedAt = last.Time, nextAt.Time, created.Time, updated.Time
	if k, err := decodePublic(cur); err == nil {
		p.keyCurrent, p.Fingerprint = k, Fingerprint(k)
	}
	if k, err := decodePublic(next); err == nil {
		p.keyNext, p.NextFingerprint = k, Fingerprint(k)
	}
	return p, nil
}

func getPeer(ctx context.Context, q sqldb.Querier, id int64) (Peer, error) {
	p, err := scanPeer(q.QueryRowContext(ctx, "SELECT "+peerColumns+" FROM federation_peers p WHERE p.id = ?", id))
	if sqldb.IsNoRows(err) {
		return Peer{}, apperr.New(apperr.NotFound, "federation.peer_not_found")
	}
	if err != nil {
		return Peer{}, fmt.Errorf("get peer %d: %w", id, err)
	}
	return p, nil
}

func findPeers(ctx context.Context, q sqldb.Querier, where string, args ...any) ([]Peer, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+peerColumns+" FROM federation_peers p "+where+" ORDER BY p.id", args...)
	if err != nil {
		return nil, fmt.Errorf("find peers: %w", err)
	}
	defer rows.Close()
	var out []Peer
	for rows.Next() {
		p, err := scanPeer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// peerByKey finds the peer one of whose keys has keyID.
func peerByKey(ctx context.Context, q sqldb.Querier, keyID string) (Peer, ed25519.PublicKey, error) {
	peers, err := findPeers(ctx, q, "")
	if err != nil {
		return Peer{}, nil, err
	}
	for _, p := range peers {
		for _, k := range p.keys() {
			if KeyID(k) == keyID {
				return p, k, nil
			}
		}
	}
	return Peer{}, nil, sql.ErrNoRows
}

// PeerStats are the figures of one peer for monitoring.
type PeerStats struct {
	URL        string
	State      State
	LastSyncAt time.Time
	Listings   int
}

// Stats returns every peer's figures, for /metrics; no actor, since only
// the metrics endpoint (guarded by its token) calls it.
func (s *Service) Stats(ctx context.Context) ([]PeerStats, error) {
	peers, err := findPeers(ctx, s.db, "")
	if err != nil {
		return nil, err
	}
	out := make([]PeerStats, len(peers))
	for i, p := range peers {
		out[i] = PeerStats{URL: p.URL, State: p.State, LastSyncAt: p.LastSyncAt, Listings: p.Listings}
	}
	return out, nil
}
