package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// The event types of the feed.
const (
	EventCreate   = "create"
	EventUpdate   = "update"
	EventWithdraw = "withdraw"
	EventExpire   = "expire"
)

// EventListing is a listing as the feed carries it: public fields only.
// A withdraw or expire event carries only ID, Kind and URL.
type EventListing struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	URL         string    `json:"url"`
	Title       string    `json:"title,omitempty"`
	Summary     string    `json:"summary,omitempty"`
	Expected    string    `json:"expected,omitempty"`
	Keywords    []string  `json:"keywords,omitempty"`
	Domain      string    `json:"domain,omitempty"`
	Industry    string    `json:"industry,omitempty"`
	TRL         int       `json:"trl,omitempty"`
	Modes       []string  `json:"modes,omitempty"`
	Band        string    `json:"band,omitempty"`
	Price       *float64  `json:"price,omitempty"`
	Deadline    string    `json:"deadline,omitempty"`
	Amount      float64   `json:"financing_amount,omitempty"`
	Round       string    `json:"round,omitempty"`
	RegionCode  string    `json:"region_code,omitempty"`
	OwnerName   string    `json:"owner_name,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
}

// Event is one entry of the feed.
type Event struct {
	Seq          int64        `json:"seq"`
	Type         string       `json:"type"`
	Origin       string       `json:"origin"`
	OriginRegion string       `json:"origin_region"`
	At           time.Time    `json:"at"`
	Listing      EventListing `json:"listing"`
}

// FeedPage is one answer of the feed endpoint.
type FeedPage struct {
	Protocol   string  `json:"protocol"`
	Origin     string  `json:"origin"`
	RegionCode string  `json:"region_code"`
	Events     []Event `json:"events"`
	// Next is the cursor to ask for next (after=Next).
	Next int64 `json:"next"`
	// More is true when the page was full: ask again at once.
	More bool `json:"more"`
}

// Request is a signed request as the web layer received it.
type Request struct {
	Method    string
	TargetURI string // absolute: the instance's base URL and the request URI
	Header    http.Header
	Body      []byte
}

// Response is a signed answer for the web layer to write.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// eventFor turns a listing's latest public change into an event; ok is
// false when there is nothing a peer needs to hear.
func eventFor(c market.PublicChange, origin, region string) (Event, bool) {
	l := c.Listing
	ev := Event{Seq: c.Seq, Origin: origin, OriginRegion: region, At: l.UpdatedAt,
		Listing: EventListing{ID: l.ID, Kind: string(l.Kind), URL: origin + "/market/listings/" + strconv.FormatInt(l.ID, 10)}}
	switch l.State {
	case market.Published:
		ev.Type = EventUpdate
		if l.PublishedAt.Equal(l.UpdatedAt) {
			ev.Type = EventCreate
		}
		ev.Listing.Title, ev.Listing.Summary, ev.Listing.Expected = l.Title, l.Summary, l.Expected
		ev.Listing.Keywords, ev.Listing.Domain, ev.Listing.Industry, ev.Listing.TRL = l.Keywords, l.Domain, l.Industry, l.TRL
		ev.Listing.Modes, ev.Listing.Band, ev.Listing.Price, ev.Listing.Deadline = l.Modes, l.Band, l.Price, l.Deadline
		ev.Listing.Amount, ev.Listing.Round, ev.Listing.RegionCode, ev.Listing.OwnerName = l.Amount, l.Round, l.RegionCode, l.OwnerName
		ev.Listing.PublishedAt, ev.Listing.ExpiresAt, ev.Listing.UpdatedAt = l.PublishedAt, l.ExpiresAt, l.UpdatedAt
	case market.Expired:
		ev.Type = EventExpire
	default:
		ev.Type = EventWithdraw
	}
	return ev, true
}

// ServeFeed answers a peer's GET of the feed: the signature is verified
// (Unauthenticated when missing, wrong, stale or replayed), the peer must
// be approved here (Forbidden otherwise) and within its rate (TooMany),
// after must be a sequence number (Invalid). The answer is signed.
func (s *Service) ServeFeed(ctx context.Context, req Request, after string) (Response, error) {
	peer, err := s.verifyRequest(ctx, req)
	if err != nil {
		return Response{}, err
	}
	if err := s.checkRate(peer.ID); err != nil {
		return Response{}, err
	}
	cursor := int64(0)
	if after != "" {
		if cursor, err = strconv.ParseInt(after, 10, 64); err != nil || cursor < 0 {
			return Response{}, apperr.Fields(apperr.Field("after", "federation.after_invalid"))
		}
	}
	changes, last, more, err := s.market.PublicChanges(ctx, cursor, s.lim.PageEvents)
	if err != nil {
		return Response{}, err
	}
	origin := s.origin(req.TargetURI)
	page := FeedPage{Protocol: Protocol, Origin: origin, RegionCode: s.region, Events: []Event{}, Next: last, More: more}
	for _, c := range changes {
		if ev, ok := eventFor(c, origin, s.region); ok {
			page.Events = append(page.Events, ev)
		}
	}
	body, err := json.Marshal(page)
	if err != nil {
		return Response{}, err
	}
	return s.signResponse(req, http.StatusOK, body)
}

// origin is this instance's base URL: the configured one, or the scheme
// and host of the request's target URI.
func (s *Service) origin(targetURI string) string {
	if s.base != "" {
		return s.base
	}
	for i := len("https://"); i < len(targetURI); i++ {
		if targetURI[i] == '/' {
			return targetURI[:i]
		}
	}
	return targetURI
}

func (s *Service) signResponse(req Request, status int, body []byte) (Response, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	digest := ContentDigest(body)
	h.Set("Content-Digest", digest)
	input, sig, err := sign(s.keys.Current, message{method: req.Method, targetURI: req.TargetURI, status: status, digest: digest},
		responseComponents, s.now())
	if err != nil {
		return Response{}, err
	}
	h.Set("Signature-Input", input)
	h.Set("Signature", sig)
	return Response{Status: status, Header: h, Body: body}, nil
}

// verifyRequest checks a peer's signed request and returns the peer.
func (s *Service) verifyRequest(ctx context.Context, req Request) (Peer, error) {
	sg, err := parseSignature(req.Header.Get("Signature-Input"), req.Header.Get("Signature"))
	if err != nil {
		return Peer{}, apperr.Wrap(apperr.Unauthenticated, err, "federation.bad_signature")
	}
	peer, pub, err := peerByKey(ctx, s.db, sg.keyID)
	if sqldb.IsNoRows(err) {
		return Peer{}, apperr.New(apperr.Unauthenticated, "federation.unknown_key")
	}
	if err != nil {
		return Peer{}, err
	}
	m := message{method: req.Method, targetURI: req.TargetURI, digest: req.Header.Get("Content-Digest")}
	if err := verifySignature(sg, m, req.Body, requestComponents, pub); err != nil {
		return Peer{}, apperr.Wrap(apperr.Unauthenticated, err, "federation.bad_signature")
	}
	if err := s.checkFresh(ctx, sg); err != nil {
		return Peer{}, err
	}
	if peer.keyNext != nil && KeyID(peer.keyNext) == sg.keyID && peer.State.allowed() {
		// The peer rotated: store its new pair while the promoted key is
		// known. A failure here only delays that to the next request.
		if _, err := s.refreshKeys(ctx, &peer, sg.keyID); err != nil {
			s.log.Info("federation: peer signed with its next key; its document did not confirm the rotation", "peer", peer.URL, "err", err)
		}
	}
	if !peer.State.allowed() {
		return Peer{}, apperr.New(apperr.Forbidden, "federation.not_approved")
	}
	return peer, nil
}

// checkFresh refuses a signature created outside the window around now or
// whose nonce was seen before; it records the nonce. It runs after the
// signature verified, so that forgeries cannot fill the nonce store.
func (s *Service) checkFresh(ctx context.Context, sg signed) error {
	now := s.now()
	created := time.Unix(sg.created, 0)
	if created.Before(now.Add(-s.lim.Window)) || created.After(now.Add(s.lim.Window)) {
		return apperr.Wrap(apperr.Unauthenticated, ErrReplay, "federation.stale")
	}
	if len(sg.nonce) > 100 {
		return apperr.Wrap(apperr.Unauthenticated, ErrSignature, "federation.bad_signature")
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO federation_nonces (key_id, nonce, seen_at) VALUES (?, ?, ?)
		ON CONFLICT (key_id, nonce) DO NOTHING`, sg.keyID, sg.nonce, sqldb.At(now))
	if err != nil {
		return fmt.Errorf("record nonce: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return apperr.Wrap(apperr.Unauthenticated, ErrReplay, "federation.replay")
	}
	return nil
}

// PurgeNonces forgets nonces older than twice the window: a message that
// old is refused by its created time anyway.
func (s *Service) PurgeNonces(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM federation_nonces WHERE seen_at < ?", sqldb.At(s.now().Add(-2*s.lim.Window)))
	return err
}

// checkRate allows a peer ServeRate requests a minute.
func (s *Service) checkRate(peerID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	recent := s.served[peerID][:0]
	for _, t := range s.served[peerID] {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	if len(recent) >= s.lim.ServeRate {
		s.served[peerID] = recent
		return apperr.New(apperr.TooMany, "federation.rate").Retry(time.Minute - now.Sub(recent[0]))
	}
	s.served[peerID] = append(recent, now)
	return nil
}

var errNotApproved = errors.New("the peer has not approved this instance yet")
