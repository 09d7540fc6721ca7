package market

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

// RemoteMember is the federated counterpart of a deal: a member of another
// kechuang instance who expressed interest in a listing of this one
// through the federation inbox (docs/FEDERATION.md §8). It is recorded
// instead of a local user; no person's contact, only the organization and
// the instance it came from.
type RemoteMember struct {
	Origin       string `json:"origin"`
	OriginName   string `json:"origin_name"`
	Organization string `json:"organization"`
}

// RemoteDealInput is an interest received from another instance.
type RemoteDealInput struct {
	ListingID int64
	Member    RemoteMember
	Message   string
}

// OpenRemoteDeal opens a deal (意向) on a published listing for a member of
// another instance, in the caller's transaction, exactly as CreateDeal does
// for a local member: the deal and its first event, the owner's notice and
// the audit row, by who (the peer, authenticated by its signature in
// package federation, which alone calls this). The deal has no local
// member; its counterpart is m. A listing that is not public is NotFound,
// a financing need Conflict (investors follow those through the
// investment pipeline), a bad message Invalid on note.
func (s *Service) OpenRemoteDeal(ctx context.Context, tx *sqldb.Tx, who audit.Actor, in RemoteDealInput) (Deal, error) {
	now := s.now()
	l, err := getListing(ctx, tx, in.ListingID, now)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Deal{}, err
	}
	if err != nil || !isPublic(l) {
		return Deal{}, apperr.New(apperr.NotFound, "market.listing_not_found")
	}
	if l.Kind == Financing {
		return Deal{}, apperr.New(apperr.Conflict, "market.deal_not_financing")
	}
	msg := normalizeText(in.Message)
	switch {
	case msg == "":
		return Deal{}, apperr.Fields(apperr.Field("note", "error.required"))
	case utf8.RuneCountInString(msg) > maxDealMessage:
		return Deal{}, apperr.Fields(apperr.Field("note", "error.too_long", maxDealMessage))
	case htmlTag.MatchString(msg):
		return Deal{}, apperr.Fields(apperr.Field("note", "market.no_html"))
	}
	m := in.Member
	m.Organization, m.OriginName = strings.TrimSpace(m.Organization), strings.TrimSpace(m.OriginName)
	if m.Origin == "" {
		return Deal{}, fmt.Errorf("remote deal: no origin")
	}
	// Interest in an anonymous listing is held for its broker or the
	// region's staff, as a local one is (openDeal).
	held := l.Anonymous
	var broker any
	if held && l.BrokerID != 0 {
		broker = l.BrokerID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO deals (listing_id, owner_id, member_id, region_code, state, message, contact_name,
		held, broker_id, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, ?, '', ?, ?, ?, ?)`, l.ID, l.OwnerID, l.RegionCode,
		string(DealIntent), msg, held, broker, sqldb.At(now), sqldb.At(now))
	if err != nil {
		return Deal{}, fmt.Errorf("insert remote deal: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO deal_remote_members (deal_id, origin, origin_name, organization) VALUES (?, ?, ?, ?)",
		id, m.Origin, m.OriginName, m.Organization); err != nil {
		return Deal{}, fmt.Errorf("insert remote member: %w", err)
	}
	if err := insertDealEvent(ctx, tx, DealEvent{DealID: id, Action: "create", To: DealIntent, At: now}); err != nil {
		return Deal{}, err
	}
	out, err := getDeal(ctx, tx, id)
	if err != nil {
		return Deal{}, err
	}
	from := out.MemberName
	if m.OriginName != "" {
		from += "（" + m.OriginName + "）"
	}
	note := notice.Message{Kind: "deal.create", Key: "market.notice.deal_interest",
		Args: []notice.Arg{notice.Text(from), kindArg(l.Kind), notice.Text(l.Title)}, Body: notice.Text(msg), At: now}
	to := []int64{l.OwnerID}
	if held {
		note.Kind, note.Key = "deal.held", "market.notice.deal_held"
		if to, err = dealIntermediaries(ctx, tx, out); err != nil {
			return Deal{}, err
		}
	}
	if err := notifyDeal(ctx, tx, account.Anonymous, out, note, to...); err != nil {
		return Deal{}, err
	}
	after := out.auditView()
	after["remote_origin"], after["remote_organization"] = m.Origin, m.Organization
	return out, audit.Record(ctx, tx, who, audit.Event{Action: "deal.create", ObjectType: "deal", ObjectID: idText(id), ObjectName: l.Title,
		RegionCode: out.RegionCode, After: after})
}

// RemoteDealSteps are the steps of a deal with a federated counterpart
// after event id after, oldest first, for package federation to send back
// to the counterpart's instance. Only the parties' steps are returned
// (not the opening event).
func (s *Service) RemoteDealSteps(ctx context.Context, dealID, after int64) (Deal, []DealEvent, error) {
	d, err := getDeal(ctx, s.db, dealID)
	if err != nil {
		return Deal{}, nil, err
	}
	evs, err := dealEvents(ctx, s.db, dealID)
	if err != nil {
		return Deal{}, nil, err
	}
	var out []DealEvent
	for _, e := range evs {
		if e.ID > after && e.Action != "create" && e.Action != DealAssignBroker {
			out = append(out, e)
		}
	}
	return d, out, nil
}
