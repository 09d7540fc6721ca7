package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// ErrTooLarge marks a feed page over Limits.MaxFeedBytes.
var ErrTooLarge = errors.New("federation: feed page too large")

// ErrBusy is returned by SyncPeer when the peer is being pulled already.
var ErrBusy = errors.New("federation: peer is being pulled")

// Run pulls every due peer, each in its own goroutine, every tick until ctx
// ends. A slow peer holds only its own goroutine (bounded by Timeout per
// request): the others are pulled on time.
func (s *Service) Run(ctx context.Context, tick time.Duration) {
	if tick <= 0 {
		tick = 15 * time.Second
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		s.SyncDue(ctx)
		if s.forwarding.CompareAndSwap(false, true) {
			// In its own goroutine: a slow peer holds it, not the pulls.
			go func() {
				defer s.forwarding.Store(false)
				if _, err := s.ForwardDealSteps(ctx); err != nil && ctx.Err() == nil {
					s.log.Info("federation: forward deal steps", "err", err)
				}
			}()
		}
		if err := s.PurgeNonces(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("federation: purge nonces", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SyncDue starts a pull of every approved peer whose next attempt is due
// and that is not being pulled already, and returns without waiting; the
// returned WaitGroup lets a caller (a test) wait.
func (s *Service) SyncDue(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	peers, err := findPeers(ctx, s.db, "WHERE p.state <> ? AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= ?)",
		Pending, sqldb.At(s.now()))
	if err != nil {
		s.log.Warn("federation: find due peers", "err", err)
		return &wg
	}
	for _, p := range peers {
		wg.Add(1)
		go func(id int64) {
			defer wg.Done()
			if err := s.SyncPeer(ctx, id); err != nil && !errors.Is(err, ErrBusy) {
				s.log.Info("federation: pull failed", "peer", id, "err", err)
			}
		}(id(p))
	}
	return &wg
}

func id(p Peer) int64 { return p.ID }

// SyncPeer pulls one approved peer's feed now, from its stored cursor, up
// to MaxPagesPerPull pages, applying each page and its cursor in one
// transaction (a crash resumes from the last page applied; an event
// applied twice changes nothing). It records the outcome on the peer:
// active and the next pull after PullInterval, or the error and a backoff.
func (s *Service) SyncPeer(ctx context.Context, peerID int64) error {
	s.mu.Lock()
	if s.busy[peerID] {
		s.mu.Unlock()
		return ErrBusy
	}
	s.busy[peerID] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.busy, peerID)
		s.mu.Unlock()
	}()
	p, err := getPeer(ctx, s.db, peerID)
	if err != nil {
		return err
	}
	if p.State == Pending {
		return errNotApproved
	}
	client := newClient(p.Internal, s.lim.Timeout)
	var pullErr error
	for i := 0; i < s.lim.MaxPagesPerPull; i++ {
		page, err := s.fetchPage(ctx, client, &p)
		if err != nil {
			pullErr = err
			break
		}
		if err := s.applyPage(ctx, p, page); err != nil {
			pullErr = err
			break
		}
		p.Cursor = page.Next
		if !page.More {
			break
		}
	}
	return s.recordOutcome(ctx, p, pullErr)
}

func (s *Service) recordOutcome(ctx context.Context, p Peer, pullErr error) error {
	now := s.now()
	if pullErr == nil {
		_, err := s.db.ExecContext(ctx, `UPDATE federation_peers SET state = ?, last_sync_at = ?, last_error = '', failures = 0,
			next_attempt_at = ?, updated_at = ? WHERE id = ?`, Active, sqldb.At(now), sqldb.At(now.Add(s.lim.PullInterval)), sqldb.At(now), p.ID)
		return err
	}
	failures := p.Failures + 1
	wait := s.lim.Backoff
	for i := 1; i < failures && wait < s.lim.MaxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, s.lim.MaxBackoff)
	state := Failing
	if errors.Is(pullErr, errNotApproved) {
		state = Approved
	}
	msg := truncate(pullErr.Error(), 300)
	if _, err := s.db.ExecContext(ctx, `UPDATE federation_peers SET state = ?, last_error = ?, failures = ?, next_attempt_at = ?,
		updated_at = ? WHERE id = ?`, state, msg, failures, sqldb.At(now.Add(wait)), sqldb.At(now), p.ID); err != nil {
		return errors.Join(pullErr, err)
	}
	return pullErr
}

// fetchPage asks the peer for its feed after p.Cursor and verifies the
// signed answer. When the answer is signed with a key the peer did not
// have, its instance document is read again: a rotation that promoted the
// known next key is accepted (and stored); any other key change is an
// error until an administrator removes and adds the peer again.
func (s *Service) fetchPage(ctx context.Context, client *http.Client, p *Peer) (FeedPage, error) {
	ctx, cancel := context.WithTimeout(ctx, s.lim.Timeout)
	defer cancel()
	target := p.URL + FeedPath + "?after=" + strconv.FormatInt(p.Cursor, 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return FeedPage{}, err
	}
	digest := ContentDigest(nil)
	input, sig, err := sign(s.keys.Current, message{method: http.MethodGet, targetURI: target, digest: digest}, requestComponents, s.now())
	if err != nil {
		return FeedPage{}, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Digest", digest)
	req.Header.Set("Signature-Input", input)
	req.Header.Set("Signature", sig)
	resp, err := client.Do(req)
	if err != nil {
		return FeedPage{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusForbidden {
		return FeedPage{}, errNotApproved
	}
	if resp.StatusCode != http.StatusOK {
		return FeedPage{}, fmt.Errorf("feed: status %d", resp.StatusCode)
	}
	if resp.ContentLength > s.lim.MaxFeedBytes {
		return FeedPage{}, ErrTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, s.lim.MaxFeedBytes+1))
	if err != nil {
		return FeedPage{}, err
	}
	if int64(len(body)) > s.lim.MaxFeedBytes {
		return FeedPage{}, ErrTooLarge
	}
	if err := s.verifyResponse(ctx, p, req.Method, target, resp, body); err != nil {
		return FeedPage{}, err
	}
	var page FeedPage
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&page); err != nil {
		return FeedPage{}, fmt.Errorf("feed: %w", err)
	}
	if err := checkPage(page, *p); err != nil {
		return FeedPage{}, err
	}
	return page, nil
}

func (s *Service) verifyResponse(ctx context.Context, p *Peer, method, target string, resp *http.Response, body []byte) error {
	sg, err := parseSignature(resp.Header.Get("Signature-Input"), resp.Header.Get("Signature"))
	if err != nil {
		return err
	}
	pub := keyByID(p.keys(), sg.keyID)
	// A signature with the next key means the peer rotated: read its new
	// pair now, while the promoted key is still known, so that the next
	// rotation is followed too.
	if pub == nil || (p.keyNext != nil && KeyID(p.keyNext) == sg.keyID) {
		if pub, err = s.refreshKeys(ctx, p, sg.keyID); err != nil {
			return err
		}
	}
	m := message{method: method, targetURI: target, status: resp.StatusCode, digest: resp.Header.Get("Content-Digest")}
	if err := verifySignature(sg, m, body, responseComponents, pub); err != nil {
		return err
	}
	if err := s.checkFresh(ctx, sg); err != nil {
		return err
	}
	return nil
}

func keyByID(keys []ed25519.PublicKey, id string) ed25519.PublicKey {
	for _, k := range keys {
		if KeyID(k) == id {
			return k
		}
	}
	return nil
}

// refreshKeys reads the peer's instance document after it signed with an
// unknown key.
func (s *Service) refreshKeys(ctx context.Context, p *Peer, keyID string) (ed25519.PublicKey, error) {
	doc, err := s.fetchInstance(ctx, p.URL, p.Internal)
	if err != nil {
		return nil, fmt.Errorf("%w: unknown key %s and no instance document: %w", ErrSignature, keyID, err)
	}
	cur, next, err := doc.publicKeys()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if KeyID(cur) != keyID || p.keyNext == nil || KeyID(p.keyNext) != keyID {
		return nil, fmt.Errorf("%w: the peer's key changed without rotation; remove and add it again", ErrSignature)
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE federation_peers SET key_current = ?, key_next = ?, updated_at = ? WHERE id = ?",
		encodePublic(cur), encodePublic(next), sqldb.At(s.now()), p.ID); err != nil {
		return nil, err
	}
	p.keyCurrent, p.keyNext = cur, next
	s.log.Info("federation: peer rotated its key", "peer", p.URL, "key_id", keyID)
	return cur, nil
}

// Limits of what a remote listing may hold, as market's own.
const (
	maxTitle = 100
	maxText  = 5000
	maxShort = 200
)

// checkPage refuses a page this instance will not store: another protocol,
// events of another origin (no relaying in version 1), sequence numbers not
// after the cursor or out of order, unknown types or kinds, oversized text.
func checkPage(page FeedPage, p Peer) error {
	bad := func(format string, args ...any) error { return fmt.Errorf("feed: "+format, args...) }
	if page.Protocol != Protocol {
		return bad("protocol %q", page.Protocol)
	}
	if page.Next < p.Cursor {
		return bad("next %d before the cursor %d", page.Next, p.Cursor)
	}
	last := p.Cursor
	for _, ev := range page.Events {
		if ev.Origin != p.URL {
			return bad("event %d from origin %q, not the peer", ev.Seq, ev.Origin)
		}
		if ev.Seq <= last || ev.Seq > page.Next {
			return bad("event %d out of order", ev.Seq)
		}
		last = ev.Seq
		switch ev.Type {
		case EventCreate, EventUpdate, EventWithdraw, EventExpire:
		default:
			return bad("event %d: unknown type %q", ev.Seq, ev.Type)
		}
		l := ev.Listing
		if !market.Kind(l.Kind).Valid() || l.ID <= 0 {
			return bad("event %d: listing kind %q id %d", ev.Seq, l.Kind, l.ID)
		}
		for _, f := range []struct {
			v string
			n int
		}{{l.Title, maxTitle}, {l.Summary, maxText}, {l.Expected, maxText}, {l.Domain, maxShort}, {l.Industry, maxShort},
			{l.Band, maxShort}, {l.Deadline, maxShort}, {l.Round, maxShort}, {l.RegionCode, 12}, {l.OwnerName, maxShort},
			{l.URL, maxURL}, {strings.Join(l.Keywords, ","), maxShort * 2}, {strings.Join(l.Modes, ","), maxShort * 2}} {
			if !utf8.ValidString(f.v) || utf8.RuneCountInString(f.v) > f.n || strings.ContainsRune(f.v, 0) {
				return bad("event %d: a field is too long or not text", ev.Seq)
			}
		}
		if l.URL != "" && !strings.HasPrefix(l.URL, p.URL+"/") {
			return bad("event %d: listing URL outside the origin", ev.Seq)
		}
		if (ev.Type == EventCreate || ev.Type == EventUpdate) && strings.TrimSpace(l.Title) == "" {
			return bad("event %d: no title", ev.Seq)
		}
	}
	return nil
}

// applyPage stores a page's events and the new cursor in one transaction.
// An event older than the stored version of its listing changes nothing.
func (s *Service) applyPage(ctx context.Context, p Peer, page FeedPage) error {
	now := s.now()
	// Near-duplicates are looked for before the transaction: SQLite has one
	// writer, and the lookups read other tables.
	twins := map[int64]twin{}
	for _, ev := range page.Events {
		if ev.Type == EventCreate || ev.Type == EventUpdate {
			tw, err := s.findTwin(ctx, ev)
			if err != nil {
				return err
			}
			twins[ev.Seq] = tw
		}
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, ev := range page.Events {
			l := ev.Listing
			switch ev.Type {
			case EventCreate, EventUpdate:
				_, err := tx.ExecContext(ctx, `INSERT INTO federation_listings (peer_id, origin, origin_id, seq, kind, state, title, summary,
					expected, keywords, domain, industry, trl, modes, band, price, deadline, amount, round, region_code, owner_name, url,
					twin_title, twin_url, published_at, expires_at, updated_at, received_at)
					VALUES (?, ?, ?, ?, ?, 'published', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (origin, origin_id) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, state = excluded.state,
					title = excluded.title, summary = excluded.summary, expected = excluded.expected, keywords = excluded.keywords,
					domain = excluded.domain, industry = excluded.industry, trl = excluded.trl, modes = excluded.modes,
					band = excluded.band, price = excluded.price, deadline = excluded.deadline, amount = excluded.amount,
					round = excluded.round, region_code = excluded.region_code, owner_name = excluded.owner_name, url = excluded.url,
					twin_title = excluded.twin_title, twin_url = excluded.twin_url,
					published_at = excluded.published_at, expires_at = excluded.expires_at, updated_at = excluded.updated_at,
					received_at = excluded.received_at
					WHERE federation_listings.seq < excluded.seq`,
					p.ID, ev.Origin, l.ID, ev.Seq, l.Kind, l.Title, l.Summary, l.Expected, strings.Join(l.Keywords, "\n"), l.Domain,
					l.Industry, l.TRL, strings.Join(l.Modes, "\n"), l.Band, l.Price, l.Deadline, nullAmount(l.Amount), l.Round,
					l.RegionCode, l.OwnerName, l.URL, twins[ev.Seq].title, twins[ev.Seq].url, sqldb.At(l.PublishedAt), sqldb.At(l.ExpiresAt), sqldb.At(ev.At), sqldb.At(now))
				if err != nil {
					return fmt.Errorf("apply event %d: %w", ev.Seq, err)
				}
			case EventWithdraw, EventExpire:
				state := "withdrawn"
				if ev.Type == EventExpire {
					state = "expired"
				}
				if _, err := tx.ExecContext(ctx, `UPDATE federation_listings SET state = ?, seq = ?, updated_at = ?, received_at = ?
					WHERE origin = ? AND origin_id = ? AND seq < ?`, state, ev.Seq, sqldb.At(ev.At), sqldb.At(now), ev.Origin, l.ID, ev.Seq); err != nil {
					return fmt.Errorf("apply event %d: %w", ev.Seq, err)
				}
			}
		}
		_, err := tx.ExecContext(ctx, "UPDATE federation_peers SET feed_cursor = ? WHERE id = ? AND feed_cursor <= ?", page.Next, p.ID, page.Next)
		return err
	})
}

func nullAmount(v float64) any {
	if v == 0 {
		return nil
	}
	return v
}

// DemoPeer is the invented peer the demo shows (package demo).
type DemoPeer struct {
	URL, Name, Region string
	Listings          []EventListing
	// Interest, when set, is received from the peer for this instance's
	// newest published achievement, as if sent by one of its members: it
	// opens a deal with a federated counterpart.
	Interest *DemoInterest
}

// DemoInterest is the demo peer's member's interest.
type DemoInterest struct{ Organization, Note string }

// LoadDemo records an invented, already active peer and its listings, as
// if pulled from it, when there are no peers yet: the demo has no network.
// The peer's next pull is set a century ahead, so that the pull loop never
// tries to reach it. It returns how many listings it stored.
func (s *Service) LoadDemo(ctx context.Context, d DemoPeer) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM federation_peers").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	now := s.now()
	keys := NewKeys()
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO federation_peers (url, name, region_code, protocol, key_current, key_next, state,
			last_sync_at, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.URL, d.Name, d.Region, Protocol, encodePublic(keys.CurrentPublic()), encodePublic(keys.NextPublic()), Active,
			sqldb.At(now), sqldb.At(now.AddDate(100, 0, 0)), sqldb.At(now), sqldb.At(now))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("demo peer: %w", err)
	}
	page := FeedPage{Protocol: Protocol, Origin: d.URL, RegionCode: d.Region}
	for i, l := range d.Listings {
		l.URL = d.URL + "/market/listings/" + strconv.FormatInt(l.ID, 10)
		if l.PublishedAt.IsZero() {
			l.PublishedAt, l.UpdatedAt, l.ExpiresAt = now, now, now.Add(market.Validity)
		}
		page.Events = append(page.Events, Event{Seq: int64(i + 1), Type: EventCreate, Origin: d.URL, OriginRegion: d.Region, At: now, Listing: l})
		page.Next = int64(i + 1)
	}
	p := Peer{ID: id, URL: d.URL}
	if err := checkPage(page, p); err != nil {
		return 0, err
	}
	if err := s.applyPage(ctx, p, page); err != nil {
		return 0, err
	}
	if d.Interest != nil {
		ls, _, err := s.market.FindListings(ctx, account.Anonymous, market.Filter{Kind: market.Achievement, PerPage: 1})
		if err != nil {
			return 0, err
		}
		if len(ls) > 0 {
			peer, err := getPeer(ctx, s.db, id)
			if err != nil {
				return 0, err
			}
			msg := InboxMessage{Protocol: Protocol, Type: MessageInterest, ID: "demo-interest", ListingID: ls[0].ID,
				Organization: d.Interest.Organization, Note: d.Interest.Note}
			if err := s.db.InTx(ctx, func(tx *sqldb.Tx) error { return s.receiveInterest(ctx, tx, peer, msg, ls[0], now) }); err != nil {
				return 0, fmt.Errorf("demo interest: %w", err)
			}
		}
	}
	return len(page.Events), nil
}

// twin is a near-duplicate of a remote listing: a published listing of
// this instance or of another origin.
type twin struct{ title, url string }

// findTwin looks for the listing an event's listing nearly duplicates
// (market.Similarity at least market.TwinThreshold) among this instance's
// published listings and the published listings of other origins: the
// same achievement offered in two regions. It compares with every
// candidate of the kind, which is fine for the volumes of one region.
func (s *Service) findTwin(ctx context.Context, ev Event) (twin, error) {
	l := ev.Listing
	var best twin
	id, title, score, err := s.market.NearestPublished(ctx, market.Kind(l.Kind), l.Title, l.Summary)
	if err != nil {
		return twin{}, err
	}
	if id != 0 {
		best = twin{title: title, url: "/market/listings/" + strconv.FormatInt(id, 10)}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT title, summary, url FROM federation_listings
		WHERE kind = ? AND origin <> ? AND state = 'published'`, l.Kind, ev.Origin)
	if err != nil {
		return twin{}, fmt.Errorf("remote twins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t, sum, u string
		if err := rows.Scan(&t, &sum, &u); err != nil {
			return twin{}, err
		}
		if sc := market.Similarity(l.Title, l.Summary, t, sum); sc >= market.TwinThreshold && sc > score {
			best, score = twin{title: t, url: u}, sc
		}
	}
	return best, rows.Err()
}
