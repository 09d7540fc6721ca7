package federation

import (
	"bytes"
	"context"
	"encoding/json"
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
	audit.RegisterActions("federation.interest_send", "federation.interest_receive", "federation.answer_send", "federation.answer_receive")
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
	Note         string `json:"note"`
}

const (
	maxNote       = 2000
	maxInboxBytes = 64 << 10
)

// Interest is one message of the inbox as a user sees it: an interest
// received for one of the user's listings, or sent by the user about a
// remote listing, with its answer.
type Interest struct {
	ID           int64     `json:"id"`
	Direction    string    `json:"direction"` // in: received here; out: sent from here
	PeerName     string    `json:"peer_name"`
	ListingID    int64     `json:"listing_id"`
	Title        string    `json:"title"`
	Organization string    `json:"organization"`
	Note         string    `json:"note"`
	Answered     bool      `json:"answered"`
	Answer       string    `json:"answer,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
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
	var title string
	err = s.db.QueryRowContext(ctx, `SELECT r.peer_id, r.origin_id, r.title FROM federation_listings r
		WHERE r.id = ? AND r.state = 'published' AND (r.expires_at IS NULL OR r.expires_at > ?)`, remoteID, sqldb.FormatTime(s.now())).
		Scan(&peerID, &originID, &title)
	if sqldb.IsNoRows(err) {
		return apperr.New(apperr.NotFound, "federation.listing_not_found")
	}
	if err != nil {
		return err
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
		id, err := tx.InsertID(ctx, `INSERT INTO federation_messages (peer_id, direction, kind, msg_id, listing_id, remote_id, user_id,
			title, organization, note, created_at) VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, MessageInterest, msg.ID, originID, remoteID, a.UserID, title, org, sealed, sqldb.At(s.now()))
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
			AND r.reply_to = m.msg_id AND r.direction <> m.direction ORDER BY r.id LIMIT 1), ''), m.created_at
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
			&in.Answered, &in.Answer, &at); err != nil {
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
// published listing of this instance (NotFound otherwise); it is kept and
// its owner told by a notice. An answer must reply to an interest sent to
// that peer from here; the member who sent it is told. A message id seen
// before from the same peer is acknowledged and changes nothing. The
// acknowledgement (202) is signed.
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
	if msg.Note, err = checkNote(msg.Note); err != nil {
		return Response{}, err
	}
	now := s.now()
	who := audit.Actor{Name: truncate(peer.URL, 100), Role: "peer"}
	switch msg.Type {
	case MessageInterest:
		l, lerr := s.market.GetListing(ctx, account.Anonymous, msg.ListingID)
		if lerr != nil || l.State != market.Published {
			return Response{}, apperr.New(apperr.NotFound, "federation.listing_not_found")
		}
		err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			id, err := insertIncoming(ctx, tx, peer.ID, msg, l.ID, l.OwnerID, l.Title, now)
			if err != nil || id == 0 {
				return err
			}
			if err := notice.Send(ctx, tx, notice.Message{To: l.OwnerID, Kind: "federation.interest", Key: "federation.notice.interest",
				Args: []notice.Arg{notice.Text(peer.Name), notice.Text(msg.Organization), notice.Text(l.Title)},
				Body: notice.Text(msg.Note), Link: "/market/remote-interests", At: now}); err != nil {
				return err
			}
			return audit.Record(ctx, tx, who, audit.Event{Action: "federation.interest_receive", ObjectType: "federation_message",
				ObjectID: strconv.FormatInt(id, 10), ObjectName: l.Title, RegionCode: l.RegionCode,
				After: map[string]any{"peer": peer.URL, "listing_id": l.ID, "organization": msg.Organization}})
		})
	case MessageAnswer:
		err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
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
			if err != nil || id == 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE federation_messages SET answered = ? WHERE id = ?", true, sentID); err != nil {
				return err
			}
			if err := notice.Send(ctx, tx, notice.Message{To: member, Kind: "federation.answer", Key: "federation.notice.answer",
				Args: []notice.Arg{notice.Text(peer.Name), notice.Text(title)}, Body: notice.Text(msg.Note),
				Link: "/market/remote-interests", At: now}); err != nil {
				return err
			}
			return audit.Record(ctx, tx, who, audit.Event{Action: "federation.answer_receive", ObjectType: "federation_message",
				ObjectID: strconv.FormatInt(id, 10), ObjectName: title, After: map[string]any{"peer": peer.URL}})
		})
	default:
		return Response{}, apperr.Fields(apperr.Field("type", "federation.message_invalid"))
	}
	if err != nil {
		return Response{}, err
	}
	return s.signResponse(req, http.StatusAccepted, []byte(`{"accepted":true}`))
}

// insertIncoming keeps a received message; it returns 0 when the peer sent
// that message id before.
func insertIncoming(ctx context.Context, tx *sqldb.Tx, peerID int64, msg InboxMessage, listingID, userID int64, title string, now time.Time) (int64, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM federation_messages WHERE peer_id = ? AND direction = 'in' AND msg_id = ?",
		peerID, msg.ID).Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	note, err := sealNote(tx, msg.Note)
	if err != nil {
		return 0, err
	}
	return tx.InsertID(ctx, `INSERT INTO federation_messages (peer_id, direction, kind, msg_id, reply_to, listing_id, user_id, title,
		organization, note, created_at) VALUES (?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		peerID, msg.Type, msg.ID, msg.InReplyTo, listingID, userID, title, msg.Organization, note, sqldb.At(now))
}
