package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/market"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

func init() {
	audit.RegisterActions("federation.interest_send", "federation.interest_receive", "federation.answer_send", "federation.answer_receive",
		"federation.deal_step_send")
}

// The inbox message types.
const (
	MessageInterest = "interest"
	MessageAnswer   = "answer"
)

// InboxMessage is what one instance posts to another's inbox.
type InboxMessage struct {
	Protocol string `json:"protocol"`
	Type     string `json:"type"`
	ID       string `json:"id"`
	// ListingID is, in an interest, the listing's id at the receiver.
	ListingID int64 `json:"listing_id,omitempty"`
	// InReplyTo is, in an answer, the id of the interest answered.
	InReplyTo string `json:"in_reply_to,omitempty"`
	// Organization names who is interested; never a person's contact.
	Organization string `json:"organization,omitempty"`
	// State is, in an answer that reports a step of the deal the interest
	// opened at the origin, the deal's state after it (a market deal
	// state: negotiating, signed, registered, terminated); the note may
	// then be empty.
	State string `json:"state,omitempty"`
	Note  string `json:"note"`
}

const (
	maxNote       = 2000
	maxInboxBytes = 64 << 10
)

// Interest is one message of the inbox as a user sees it: an interest
// received for one of the user's listings, or sent by the user about a
// remote listing, with its answer.
type Interest struct {
	ID           int64  `json:"id"`
	Direction    string `json:"direction"` // in: received here; out: sent from here
	PeerName     string `json:"peer_name"`
	ListingID    int64  `json:"listing_id"`
	Title        string `json:"title"`
	Organization string `json:"organization"`
	Note         string `json:"note"`
	Answered     bool   `json:"answered"`
	Answer       string `json:"answer,omitempty"`
	// DealID is, for an interest received, the deal it opened here;
	// DealState the deal's state (for one sent, as the origin reported it).
	DealID    int64     `json:"deal_id,omitempty"`
	DealState string    `json:"deal_state,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// CanExpressInterest reports whether the actor may send interest in a
// remote listing: the market's members, as for local listings.
func (s *Service) CanExpressInterest(a account.Actor) bool { return market.IsMember(a) }

func checkNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return "", apperr.Fields(apperr.Field("note", "error.required"))
	}
	if utf8.RuneCountInString(note) > maxNote {
		return "", apperr.Fields(apperr.Field("note", "error.too_long", maxNote))
	}
	return note, nil
}

// SendInterest sends the member's interest in a remote listing to its
// origin's inbox and keeps a copy. Only the member's organization and
// note are sent. A listing not (or no longer) shown is NotFound; a peer
// that cannot be reached or refuses is Conflict (federation.send_failed).
func (s *Service) SendInterest(ctx context.Context, a account.Actor, remoteID int64, note string) error {
	if !a.LoggedIn() {
		return apperr.New(apperr.Unauthenticated, "session.required")
	}
	if !s.CanExpressInterest(a) {
		return apperr.New(apperr.Forbidden, "federation.members_only")
	}
	note, err := checkNote(note)
	if err != nil {
		return err
	}
	var peerID, originID int64
	var title, kind string
	err = s.db.QueryRowContext(ctx, `SELECT r.peer_id, r.origin_id, r.title, r.kind FROM federation_listings r
		WHERE r.id = ? AND r.state = 'published' AND (r.expires_at IS NULL OR r.expires_at > ?)`, remoteID, sqldb.FormatTime(s.now())).
		Scan(&peerID, &originID, &title, &kind)
	if sqldb.IsNoRows(err) {
		return apperr.New(apperr.NotFound, "federation.listing_not_found")
	}
	if err != nil {
		return err
	}
	if market.Kind(kind) == market.Financing {
		return apperr.New(apperr.Conflict, "market.deal_not_financing")
	}
	// One open interest per member and listing, as one open deal per
	// member and listing locally.
	var open int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM federation_messages WHERE direction = 'out' AND kind = 'interest'
		AND user_id = ? AND remote_id = ? AND deal_state NOT IN ('registered', 'terminated')`, a.UserID, remoteID).Scan(&open); err != nil {
		return fmt.Errorf("count open interests: %w", err)
	}
	if open > 0 {
		return apperr.New(apperr.Conflict, "market.deal_exists")
	}
	p, err := getPeer(ctx, s.db, peerID)
	if err != nil {
		return err
	}
	// The member's organization, as a listing shows its owner's: a name
	// of a body, not a person's contact.
	var org string
	if err := s.db.QueryRowContext(ctx, "SELECT COALESCE(NULLIF(organization, ''), display_name, '') FROM users WHERE id = ?",
		a.UserID).Scan(&org); err != nil {
		return fmt.Errorf("member organization: %w", err)
	}
	org = truncate(org, maxShort)
	msg := InboxMessage{Protocol: Protocol, Type: MessageInterest, ID: newNonce(), ListingID: originID, Organization: org, Note: note}
	if err := s.post(ctx, p, msg); err != nil {
		s.log.Info("federation: send interest", "peer", p.URL, "err", err)
		return apperr.Wrap(apperr.Conflict, err, "federation.send_failed")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		sealed, err := sealNote(tx, note)
		if err != nil {
			return err
		}
		// Accepted: the origin opened a deal (意向) for its owner.
		id, err := tx.InsertID(ctx, `INSERT INTO federation_messages (peer_id, direction, kind, msg_id, listing_id, remote_id, user_id,
			title, organization, note, deal_state, created_at) VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, MessageInterest, msg.ID, originID, remoteID, a.UserID, title, org, sealed, string(market.DealIntent), sqldb.At(s.now()))
		if err != nil {
			return fmt.Errorf("keep sent interest: %w", err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "federation.interest_send", ObjectType: "federation_message",
			ObjectID: strconv.FormatInt(id, 10), ObjectName: title, After: map[string]any{"peer": p.URL, "listing_id": originID}})
	})
}

// FindInterests lists the actor's interests: received for the actor's
// listings and sent by the actor, newest first.
func (s *Service) FindInterests(ctx context.Context, a account.Actor) ([]Interest, error) {
	if !a.LoggedIn() {
		return nil, apperr.New(apperr.Unauthenticated, "session.required")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.direction, COALESCE(p.name, ''), m.listing_id, m.title, m.organization, m.note,
		m.answered, COALESCE((SELECT r.note FROM federation_messages r WHERE r.peer_id = m.peer_id AND r.kind = 'answer'
			AND r.reply_to = m.msg_id AND r.direction <> m.direction AND r.note <> '' ORDER BY r.id DESC LIMIT 1), ''),
		m.deal_id, m.deal_state, m.created_at
		FROM federation_messages m JOIN federation_peers p ON p.id = m.peer_id
		WHERE m.user_id = ? AND m.kind = 'interest' ORDER BY m.id DESC LIMIT 200`, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("find interests: %w", err)
	}
	defer rows.Close()
	var out []Interest
	for rows.Next() {
		var in Interest
		var at sqldb.Time
		if err := rows.Scan(&in.ID, &in.Direction, &in.PeerName, &in.ListingID, &in.Title, &in.Organization, &in.Note,
			&in.Answered, &in.Answer, &in.DealID, &in.DealState, &at); err != nil {
			return nil, err
		}
		if in.Note, err = openNote(s.db, in.Note); err != nil {
			return nil, err
		}
		if in.Answer, err = openNote(s.db, in.Answer); err != nil {
			return nil, err
		}
		in.CreatedAt = at.Time
		out = append(out, in)
	}
	return out, rows.Err()
}

// AnswerInterest sends the listing owner's answer to an interest received
// from another instance. Only the owner may (NotFound for anybody else);
// an interest answered already is Conflict. The owner's contact is sent
// only if the owner writes it in the note.
func (s *Service) AnswerInterest(ctx context.Context, a account.Actor, id int64, note string) error {
	if !a.LoggedIn() {
		return apperr.New(apperr.Unauthenticated, "session.required")
	}
	note, err := checkNote(note)
	if err != nil {
		return err
	}
	var peerID int64
	var msgID, title string
	var answered bool
	err = s.db.QueryRowContext(ctx, `SELECT peer_id, msg_id, title, answered FROM federation_messages
		WHERE id = ? AND user_id = ? AND direction = 'in' AND kind = 'interest'`, id, a.UserID).Scan(&peerID, &msgID, &title, &answered)
	if sqldb.IsNoRows(err) {
		return apperr.New(apperr.NotFound, "federation.interest_not_found")
	}
	if err != nil {
		return err
	}
	if answered {
		return apperr.New(apperr.Conflict, "federation.answered")
	}
	p, err := getPeer(ctx, s.db, peerID)
	if err != nil {
		return err
	}
	msg := InboxMessage{Protocol: Protocol, Type: MessageAnswer, ID: newNonce(), InReplyTo: msgID, Note: note}
	if err := s.post(ctx, p, msg); err != nil {
		s.log.Info("federation: send answer", "peer", p.URL, "err", err)
		return apperr.Wrap(apperr.Conflict, err, "federation.send_failed")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		sealed, err := sealNote(tx, note)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO federation_messages (peer_id, direction, kind, msg_id, reply_to, user_id, title, note,
			created_at) VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?)`, p.ID, MessageAnswer, msg.ID, msgID, a.UserID, title, sealed, sqldb.At(s.now())); err != nil {
			return fmt.Errorf("keep sent answer: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE federation_messages SET answered = ? WHERE id = ?", true, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "federation.answer_send", ObjectType: "federation_message",
			ObjectID: strconv.FormatInt(id, 10), ObjectName: title, After: map[string]any{"peer": p.URL}})
	})
}

// post sends a signed message to a peer's inbox and checks the signed
// acknowledgement.
func (s *Service) post(ctx context.Context, p Peer, msg InboxMessage) error {
	if !p.State.allowed() {
		return errNotApproved
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.lim.Timeout)
	defer cancel()
	target := p.URL + InboxPath
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	digest := ContentDigest(body)
	input, sig, err := sign(s.keys.Current, message{method: http.MethodPost, targetURI: target, digest: digest}, requestComponents, s.now())
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Digest", digest)
	req.Header.Set("Signature-Input", input)
	req.Header.Set("Signature", sig)
	resp, err := newClient(p.Internal, s.lim.Timeout).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	ack, err := io.ReadAll(io.LimitReader(resp.Body, maxInboxBytes+1))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("inbox: status %d", resp.StatusCode)
	}
	return s.verifyResponse(ctx, &p, http.MethodPost, target, resp, ack)
}

// ServeInbox receives a peer's signed message. An interest must name a
// published listing of this instance (NotFound otherwise); it opens a deal
// for the listing's owner exactly as a local member's interest does
// (market.OpenRemoteDeal: the owner's notice, the deal's history, the
// audit row), with the peer's member as its federated counterpart. A peer
// may send Limits.InterestsPerHour interests an hour (TooMany beyond). An
// answer must reply to an interest sent to that peer from here; the member
// who sent it is told, and the deal state it reports is kept. A message id
// seen before from the same peer is acknowledged and changes nothing: a
// replayed interest opens one deal. The acknowledgement (202) is signed.
func (s *Service) ServeInbox(ctx context.Context, req Request) (Response, error) {
	peer, err := s.verifyRequest(ctx, req)
	if err != nil {
		return Response{}, err
	}
	if err := s.checkRate(peer.ID); err != nil {
		return Response{}, err
	}
	if len(req.Body) > maxInboxBytes {
		return Response{}, apperr.Fields(apperr.Field("body", "error.too_long", maxInboxBytes))
	}
	var msg InboxMessage
	dec := json.NewDecoder(bytes.NewReader(req.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&msg); err != nil {
		return Response{}, apperr.Fields(apperr.Field("body", "federation.message_invalid"))
	}
	if msg.Protocol != Protocol || msg.ID == "" || len(msg.ID) > 100 || utf8.RuneCountInString(msg.Organization) > maxShort {
		return Response{}, apperr.Fields(apperr.Field("body", "federation.message_invalid"))
	}
	if msg.Type == MessageAnswer && msg.State != "" {
		// A reported deal step: its note may be empty.
		if !market.DealState(msg.State).Valid() || msg.State == string(market.DealIntent) {
			return Response{}, apperr.Fields(apperr.Field("state", "federation.message_invalid"))
		}
		if msg.Note = strings.TrimSpace(msg.Note); utf8.RuneCountInString(msg.Note) > maxNote {
			return Response{}, apperr.Fields(apperr.Field("note", "error.too_long", maxNote))
		}
	} else if msg.Note, err = checkNote(msg.Note); err != nil {
		return Response{}, err
	}
	if msg.Type == MessageInterest && msg.State != "" {
		return Response{}, apperr.Fields(apperr.Field("state", "federation.message_invalid"))
	}
	now := s.now()
	who := audit.Actor{Name: truncate(peer.URL, 100), Role: "peer"}
	seen := func(tx *sqldb.Tx) (bool, error) {
		var n int
		err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM federation_messages WHERE peer_id = ? AND direction = 'in' AND msg_id = ?",
			peer.ID, msg.ID).Scan(&n)
		return n > 0, err
	}
	switch msg.Type {
	case MessageInterest:
		l, lerr := s.market.GetListing(ctx, account.Anonymous, msg.ListingID)
		if lerr != nil || l.State != market.Published {
			return Response{}, apperr.New(apperr.NotFound, "federation.listing_not_found")
		}
		err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			if dup, err := seen(tx); err != nil || dup {
				return err
			}
			var recent int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM federation_messages WHERE peer_id = ? AND direction = 'in'
				AND kind = 'interest' AND created_at > ?`, peer.ID, sqldb.At(now.Add(-time.Hour))).Scan(&recent); err != nil {
				return err
			}
			if recent >= s.lim.InterestsPerHour {
				return apperr.New(apperr.TooMany, "federation.rate").Retry(time.Hour / time.Duration(s.lim.InterestsPerHour))
			}
			return s.receiveInterest(ctx, tx, peer, msg, l, now)
		})
		if apperr.Is(err, apperr.Conflict) {
			// The financing refusal, or the same message id inserted by a
			// concurrent request: that one is acknowledged.
			var n int
			if qerr := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM federation_messages WHERE peer_id = ? AND direction = 'in' AND msg_id = ?",
				peer.ID, msg.ID).Scan(&n); qerr == nil && n > 0 {
				err = nil
			}
		}
	case MessageAnswer:
		err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			if dup, err := seen(tx); err != nil || dup {
				return err
			}
			var sentID, member int64
			var title string
			err := tx.QueryRowContext(ctx, `SELECT id, user_id, title FROM federation_messages WHERE peer_id = ? AND direction = 'out'
				AND kind = 'interest' AND msg_id = ?`, peer.ID, msg.InReplyTo).Scan(&sentID, &member, &title)
			if sqldb.IsNoRows(err) {
				return apperr.New(apperr.NotFound, "federation.interest_not_found")
			}
			if err != nil {
				return err
			}
			id, err := insertIncoming(ctx, tx, peer.ID, msg, 0, member, title, now)
			if err != nil {
				return err
			}
			set, args := "answered = ?", []any{true}
			if msg.State != "" {
				set, args = set+", deal_state = ?", append(args, msg.State)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE federation_messages SET "+set+" WHERE id = ?", append(args, sentID)...); err != nil {
				return err
			}
			m := notice.Message{To: member, Kind: "federation.answer", Key: "federation.notice.answer",
				Args: []notice.Arg{notice.Text(peer.Name), notice.Text(title)}, Body: notice.Text(msg.Note),
				Link: "/market/remote-interests", At: now}
			if msg.State != "" {
				m.Kind, m.Key = "federation.deal_step", "federation.notice.deal_step"
				m.Args = append(m.Args, notice.Code("market.deal_state."+msg.State))
			}
			if err := notice.Send(ctx, tx, m); err != nil {
				return err
			}
			return audit.Record(ctx, tx, who, audit.Event{Action: "federation.answer_receive", ObjectType: "federation_message",
				ObjectID: strconv.FormatInt(id, 10), ObjectName: title, After: map[string]any{"peer": peer.URL, "state": msg.State}})
		})
	default:
		return Response{}, apperr.Fields(apperr.Field("type", "federation.message_invalid"))
	}
	if err != nil {
		return Response{}, err
	}
	return s.signResponse(req, http.StatusAccepted, []byte(`{"accepted":true}`))
}

// receiveInterest keeps an interest in the published listing l and opens
// its deal for the owner, in tx.
func (s *Service) receiveInterest(ctx context.Context, tx *sqldb.Tx, peer Peer, msg InboxMessage, l market.Listing, now time.Time) error {
	who := audit.Actor{Name: truncate(peer.URL, 100), Role: "peer"}
	id, err := insertIncoming(ctx, tx, peer.ID, msg, l.ID, l.OwnerID, l.Title, now)
	if err != nil {
		return err
	}
	d, err := s.market.OpenRemoteDeal(ctx, tx, who, market.RemoteDealInput{ListingID: l.ID, Message: msg.Note,
		Member: market.RemoteMember{Origin: peer.URL, OriginName: peer.Name, Organization: msg.Organization}})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE federation_messages SET deal_id = ?, deal_state = ? WHERE id = ?",
		d.ID, string(d.State), id); err != nil {
		return err
	}
	return audit.Record(ctx, tx, who, audit.Event{Action: "federation.interest_receive", ObjectType: "federation_message",
		ObjectID: strconv.FormatInt(id, 10), ObjectName: l.Title, RegionCode: l.RegionCode,
		After: map[string]any{"peer": peer.URL, "listing_id": l.ID, "organization": msg.Organization, "deal_id": d.ID}})
}

// insertIncoming keeps a received message (the caller checked that the
// peer did not send its id before).
func insertIncoming(ctx context.Context, tx *sqldb.Tx, peerID int64, msg InboxMessage, listingID, userID int64, title string, now time.Time) (int64, error) {
	note, err := sealNote(tx, msg.Note)
	if err != nil {
		return 0, err
	}
	return tx.InsertID(ctx, `INSERT INTO federation_messages (peer_id, direction, kind, msg_id, reply_to, listing_id, user_id, title,
		organization, note, deal_state, created_at) VALUES (?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		peerID, msg.Type, msg.ID, msg.InReplyTo, listingID, userID, title, msg.Organization, note, msg.State, sqldb.At(now))
}

// ForwardDealSteps sends back, to the instance of each federated
// counterpart, the steps its deals took here since the last one sent
// (accepted for negotiation, signed, registered, terminated), each as a
// signed answer with the deal's new state and the note its owner wrote
// (the owner's contact travels only if the owner wrote it there). A step
// whose peer cannot be reached is sent at a later call; the message id is
// the interest's and the step's, so that a step sent twice is kept once.
// The pull loop calls it; it returns how many steps it sent.
func (s *Service) ForwardDealSteps(ctx context.Context) (int, error) {
	type pending struct {
		id, peerID, dealID, forwarded int64
		msgID, title                  string
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, peer_id, deal_id, forwarded, msg_id, title FROM federation_messages
		WHERE direction = 'in' AND kind = 'interest' AND deal_id <> 0 AND deal_state NOT IN ('registered', 'terminated') ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("deals to forward: %w", err)
	}
	var todo []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.peerID, &p.dealID, &p.forwarded, &p.msgID, &p.title); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	failed := map[int64]bool{} // peers that failed in this call are tried at the next
	for _, p := range todo {
		if failed[p.peerID] || !s.forwardDue(p.peerID) {
			continue
		}
		_, steps, err := s.market.RemoteDealSteps(ctx, p.dealID, p.forwarded)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(steps) == 0 {
			continue
		}
		peer, err := getPeer(ctx, s.db, p.peerID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range steps {
			note := truncate(strings.TrimSpace(e.Note), maxNote)
			msg := InboxMessage{Protocol: Protocol, Type: MessageAnswer, ID: p.msgID + "." + strconv.FormatInt(e.ID, 10),
				InReplyTo: p.msgID, State: string(e.To), Note: note}
			if err := s.post(ctx, peer, msg); err != nil {
				s.log.Info("federation: forward deal step", "peer", peer.URL, "deal", p.dealID, "err", err)
				errs, failed[p.peerID] = append(errs, err), true
				s.forwardFailed(p.peerID)
				break
			}
			err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
				sealed, err := sealNote(tx, note)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO federation_messages (peer_id, direction, kind, msg_id, reply_to, title, note,
					deal_id, deal_state, created_at) VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (peer_id, direction, msg_id) DO NOTHING`,
					peer.ID, MessageAnswer, msg.ID, p.msgID, p.title, sealed, p.dealID, msg.State, sqldb.At(s.now())); err != nil {
					return fmt.Errorf("keep forwarded step: %w", err)
				}
				if _, err := tx.ExecContext(ctx, "UPDATE federation_messages SET forwarded = ?, deal_state = ?, answered = ? WHERE id = ?",
					e.ID, msg.State, true, p.id); err != nil {
					return err
				}
				return audit.Record(ctx, tx, audit.System, audit.Event{Action: "federation.deal_step_send", ObjectType: "deal",
					ObjectID: strconv.FormatInt(p.dealID, 10), ObjectName: p.title,
					After: map[string]any{"peer": peer.URL, "state": msg.State, "action": e.Action}})
			})
			if err != nil {
				errs = append(errs, err)
				break
			}
			sent++
			s.forwardFailed(-p.peerID) // a success clears the backoff
		}
	}
	return sent, errors.Join(errs...)
}

// forwardDue reports whether deal steps may be sent to the peer now: not
// while it is backing off after a failed send.
func (s *Service) forwardDue(peerID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.now().Before(s.fwdBackoff[peerID].next)
}

// forwardFailed backs sending to the peer off as pulls are (Limits.Backoff
// doubled per failure, at most MaxBackoff); a negative id clears it.
func (s *Service) forwardFailed(peerID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if peerID < 0 {
		delete(s.fwdBackoff, -peerID)
		return
	}
	b := s.fwdBackoff[peerID]
	wait := s.lim.Backoff
	for i := 0; i < b.n && wait < s.lim.MaxBackoff; i++ {
		wait *= 2
	}
	b.n++
	b.next = s.now().Add(min(wait, s.lim.MaxBackoff))
	s.fwdBackoff[peerID] = b
}
