package market

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// DealLink returns the page of a deal.
func DealLink(id int64) string { return "/market/deals/" + idText(id) }

// IsDealParty reports whether the actor takes part in the deal: the
// listing's owner, the interested member or the assigned broker. Parties
// move the deal along. The owner of an anonymous listing is a party only
// once the interest is forwarded (Held is false).
func IsDealParty(a account.Actor, d Deal) bool {
	if !a.LoggedIn() {
		return false
	}
	return (a.UserID == d.OwnerID && !d.Held) || a.UserID == d.MemberID || (d.BrokerID != 0 && a.UserID == d.BrokerID)
}

// seesDealOwner reports whether the actor may know who owns the deal's
// listing: always, unless the deal is Anonymous; then only the owner, the
// broker, staff in scope and the administrator.
func seesDealOwner(a account.Actor, d Deal) bool {
	return !d.Anonymous || (a.LoggedIn() && a.UserID == d.OwnerID) || (d.BrokerID != 0 && a.UserID == d.BrokerID) ||
		canAssignBroker(a, d) || a.Role == account.RoleAdmin
}

// dealView is the deal as the actor may see it: the owner of an anonymous
// listing, and the name on the owner's history rows, blanked for those
// seesDealOwner leaves out.
func dealView(a account.Actor, d Deal) Deal {
	if seesDealOwner(a, d) {
		return d
	}
	owner := d.OwnerID
	d.OwnerID, d.OwnerName = 0, ""
	if d.Events != nil {
		events := make([]DealEvent, len(d.Events))
		for i, e := range d.Events {
			if e.ActorID == owner {
				e.ActorID, e.ActorName = 0, ""
			}
			events[i] = e
		}
		d.Events = events
	}
	return d
}

// canForward reports whether the actor may forward a held interest: the
// deal's broker or staff in its scope.
func canForward(a account.Actor, d Deal) bool {
	return d.Held && (canAssignBroker(a, d) || (a.LoggedIn() && d.BrokerID != 0 && a.UserID == d.BrokerID))
}

// canAssignBroker reports whether the actor is staff in the deal's scope.
func canAssignBroker(a account.Actor, d Deal) bool { return IsReviewer(a) && a.InScope(d.RegionCode) }

// canReadDeal reports whether the actor may see the deal and its history:
// its parties, staff in scope and the administrator.
func canReadDeal(a account.Actor, d Deal) bool {
	return IsDealParty(a, d) || canAssignBroker(a, d) || (a.Role == account.RoleAdmin && a.LoggedIn())
}

// dealRules lists, for each action, the states it leaves from and the state
// it leads to; assign-broker keeps the state.
var dealRules = map[string]struct {
	from []DealState
	to   DealState
}{
	DealNegotiate:    {[]DealState{DealIntent}, DealNegotiating},
	DealSign:         {[]DealState{DealIntent, DealNegotiating}, DealSigned},
	DealRegister:     {[]DealState{DealSigned}, DealRegistered},
	DealTerminate:    {[]DealState{DealIntent, DealNegotiating, DealSigned}, DealTerminated},
	DealAssignBroker: {[]DealState{DealIntent, DealNegotiating, DealSigned}, ""},
	DealForward:      {[]DealState{DealIntent}, ""},
	DealReveal:       {[]DealState{DealIntent, DealNegotiating, DealSigned, DealRegistered}, ""},
}

// heldActions are the actions a held interest allows: the member may
// withdraw it, the broker or staff forward it (or assign a broker first).
var heldActions = []string{DealTerminate, DealAssignBroker, DealForward}

// mayTake reports whether the actor may take action on the deal, the state
// aside.
func mayTake(a account.Actor, d Deal, action string) bool {
	if d.Held && !slices.Contains(heldActions, action) {
		return false
	}
	switch action {
	case DealAssignBroker:
		return canAssignBroker(a, d)
	case DealForward:
		return canForward(a, d)
	case DealReveal:
		return d.Anonymous && !d.Held && a.LoggedIn() && a.UserID == d.OwnerID
	}
	return IsDealParty(a, d)
}

// DealActionsFor returns the actions the actor may take on the deal now,
// for pages to show: parties move it, staff in scope assign a broker.
func DealActionsFor(a account.Actor, d Deal) []string {
	var out []string
	for _, action := range DealActions {
		if !slices.Contains(dealRules[action].from, d.State) {
			continue
		}
		if mayTake(a, d, action) {
			out = append(out, action)
		}
	}
	return out
}

func (d Deal) auditView() map[string]any {
	m := map[string]any{"listing_id": d.ListingID, "owner_id": d.OwnerID, "member_id": d.MemberID, "broker_id": d.BrokerID,
		"state": d.State, "region_code": d.RegionCode, "contract_id": d.ContractID, "reason": d.Reason}
	if d.Held {
		m["held"] = true
	}
	if d.Anonymous {
		m["anonymous"] = true
	}
	if d.Amount != nil {
		m["amount"] = *d.Amount
	}
	return m
}

const dealColumns = `d.id, d.listing_id, l.title, l.kind, d.region_code, d.owner_id,
	COALESCE(NULLIF(o.organization, ''), o.display_name, ''), COALESCE(d.member_id, 0), COALESCE(NULLIF(m.organization, ''), m.display_name, rm.organization, ''),
	COALESCE(d.broker_id, 0), COALESCE(NULLIF(b.display_name, ''), b.username, ''), d.state, d.message, d.contact_name,
	d.contact_phone, d.contact_email, d.amount, COALESCE(d.contract_id, 0), COALESCE(c.number, ''), d.reason, d.signed_at, d.closed_at, d.created_at, d.updated_at,
	l.anonymous, l.revealed_at, d.held, d.forwarded_at, d.owner_revealed_at,
	COALESCE(rm.origin, ''), COALESCE(rm.origin_name, '')`

const dealJoins = ` FROM deals d JOIN listings l ON l.id = d.listing_id LEFT JOIN users o ON o.id = d.owner_id
	LEFT JOIN users m ON m.id = d.member_id LEFT JOIN users b ON b.id = d.broker_id LEFT JOIN contracts c ON c.id = d.contract_id
	LEFT JOIN deal_remote_members rm ON rm.deal_id = d.id`

// scanDeal reads one row, opening the contact with k (pii).
func scanDeal(row interface{ Scan(...any) error }, k *pii.Keyring) (Deal, error) {
	var d Deal
	var amount sql.NullFloat64
	var signed, closed, created, updated, listingRevealed, forwarded, revealed sqldb.Time
	var anonymous bool
	var origin, originName string
	err := row.Scan(&d.ID, &d.ListingID, &d.ListingTitle, &d.ListingKind, &d.RegionCode, &d.OwnerID, &d.OwnerName, &d.MemberID,
		&d.MemberName, &d.BrokerID, &d.BrokerName, &d.State, &d.Message, &d.Contact.Name, &d.Contact.Phone, &d.Contact.Email,
		&amount, &d.ContractID, &d.ContractNumber, &d.Reason, &signed, &closed, &created, &updated,
		&anonymous, &listingRevealed, &d.Held, &forwarded, &revealed, &origin, &originName)
	if err != nil {
		return Deal{}, err
	}
	if origin != "" {
		d.Remote = &RemoteMember{Origin: origin, OriginName: originName, Organization: d.MemberName}
	}
	if err := k.OpenAll(dealPhone, &d.Contact.Phone, dealEmail, &d.Contact.Email); err != nil {
		return Deal{}, fmt.Errorf("deal %d contact: %w", d.ID, err)
	}
	if amount.Valid {
		v := amount.Float64
		d.Amount = &v
	}
	d.SignedAt, d.ClosedAt, d.CreatedAt, d.UpdatedAt = signed.Time, closed.Time, created.Time, updated.Time
	d.ForwardedAt, d.OwnerRevealedAt = forwarded.Time, revealed.Time
	d.Anonymous = anonymous && listingRevealed.Time.IsZero() && d.OwnerRevealedAt.IsZero()
	return d, nil
}

func getDeal(ctx context.Context, q sqldb.Querier, id int64) (Deal, error) {
	d, err := scanDeal(q.QueryRowContext(ctx, "SELECT "+dealColumns+dealJoins+" WHERE d.id = ?", id), pii.From(q))
	if sqldb.IsNoRows(err) {
		return Deal{}, apperr.New(apperr.NotFound, "market.deal_not_found")
	}
	if err != nil {
		return Deal{}, fmt.Errorf("get deal %d: %w", id, err)
	}
	return d, nil
}

func dealEvents(ctx context.Context, q sqldb.Querier, id int64) ([]DealEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.deal_id, e.action, e.from_state, e.to_state, COALESCE(e.actor_id, 0),
		COALESCE(NULLIF(u.display_name, ''), u.username, ''), e.note, e.at FROM deal_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.deal_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("deal %d history: %w", id, err)
	}
	defer rows.Close()
	out := []DealEvent{}
	for rows.Next() {
		var e DealEvent
		var at sqldb.Time
		if err := rows.Scan(&e.ID, &e.DealID, &e.Action, &e.From, &e.To, &e.ActorID, &e.ActorName, &e.Note, &at); err != nil {
			return nil, err
		}
		e.At = at.Time
		out = append(out, e)
	}
	return out, rows.Err()
}

func insertDealEvent(ctx context.Context, tx *sqldb.Tx, e DealEvent) error {
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO deal_events (deal_id, from_state, to_state, actor_id, action, note, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.DealID, string(e.From), string(e.To), actor, e.Action, e.Note, sqldb.At(e.At))
	if err != nil {
		return fmt.Errorf("insert deal event: %w", err)
	}
	return nil
}

// notifyDeal sends the notice m about the deal to each of users except
// the actor and users already notified.
func notifyDeal(ctx context.Context, tx *sqldb.Tx, a account.Actor, d Deal, m notice.Message, users ...int64) error {
	seen := map[int64]bool{a.UserID: true, 0: true}
	m.Link = DealLink(d.ID)
	for _, u := range users {
		if seen[u] {
			continue
		}
		seen[u] = true
		m.To = u
		if err := notice.Send(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

func dealText(s string, limit int) (string, error) {
	s = normalizeText(s)
	if utf8.RuneCountInString(s) > limit {
		return "", apperr.Fields(apperr.Field("note", "error.too_long", limit))
	}
	if htmlTag.MatchString(s) {
		return "", apperr.Fields(apperr.Field("note", "market.no_html"))
	}
	return s, nil
}

// CreateDeal records a member's interest in a published listing (意向)
// and sends the listing's owner a notice. Any logged-in member may, except
// the listing's owner (Forbidden); a listing the actor cannot see or that
// is not published is NotFound; an open deal of the same member on the
// same listing is a Conflict; bad fields come back together as Invalid.
func (s *Service) CreateDeal(ctx context.Context, a account.Actor, in DealInput) (Deal, error) {
	if !a.LoggedIn() {
		return Deal{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	if !IsMember(a) {
		return Deal{}, apperr.New(apperr.Forbidden, "market.deal_members_only")
	}
	in.normalize()
	var out Deal
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		l, err := getListing(ctx, tx, in.ListingID, now)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err != nil || !canRead(a, l) {
			return apperr.New(apperr.NotFound, "market.listing_not_found")
		}
		if isOwner(a, l) {
			return apperr.New(apperr.Forbidden, "market.deal_own_listing")
		}
		if l.State != Published {
			return apperr.New(apperr.Conflict, "market.deal_listing_closed")
		}
		if l.Kind == Financing {
			// Investors follow a financing need through the investment
			// pipeline (ExpressInterest), not a technology deal.
			return apperr.New(apperr.Conflict, "market.deal_not_financing")
		}
		if err := in.validate(); err != nil {
			return err
		}
		out, err = openDeal(ctx, tx, a, a.UserID, l, in, notice.Text(in.Message), now)
		return err
	})
	return dealView(a, out), err
}

// openDeal records member's interest in the published listing l: the deal,
// its first event, the owner's notice (with body as its second line) and
// the audit row. An open deal of the same member on l is a Conflict.
//
// Interest in an anonymous listing is held: the deal starts with the
// broker the listing is entrusted to, and the notice goes to that broker
// or, without one, to the staff of the listing's region instead of the
// owner; they forward it (StepDeal DealForward).
func openDeal(ctx context.Context, tx *sqldb.Tx, a account.Actor, member int64, l Listing, in DealInput, body notice.Arg,
	now time.Time) (Deal, error) {
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM deals WHERE listing_id = ? AND member_id = ?
			AND state NOT IN ('registered', 'terminated')`, l.ID, member).Scan(&open); err != nil {
		return Deal{}, fmt.Errorf("count open deals: %w", err)
	}
	if open > 0 {
		return Deal{}, apperr.New(apperr.Conflict, "market.deal_exists")
	}
	keys := pii.From(tx)
	phone, err := keys.Seal(dealPhone, in.Contact.Phone)
	if err != nil {
		return Deal{}, err
	}
	email, err := keys.Seal(dealEmail, in.Contact.Email)
	if err != nil {
		return Deal{}, err
	}
	held := l.Anonymous
	var broker any
	if held && l.BrokerID != 0 {
		broker = l.BrokerID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO deals (listing_id, owner_id, member_id, region_code, state, message, contact_name,
			contact_phone, contact_email, held, broker_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.OwnerID, member, l.RegionCode, string(DealIntent), in.Message, in.Contact.Name, phone, email, held, broker,
		sqldb.At(now), sqldb.At(now))
	if apperr.Is(err, apperr.Conflict) {
		return Deal{}, apperr.Wrap(apperr.Conflict, err, "market.deal_exists") // a concurrent request won
	}
	if err != nil {
		return Deal{}, fmt.Errorf("insert deal: %w", err)
	}
	if err := insertDealEvent(ctx, tx, DealEvent{DealID: id, Action: "create", To: DealIntent, ActorID: a.UserID, At: now}); err != nil {
		return Deal{}, err
	}
	out, err := getDeal(ctx, tx, id)
	if err != nil {
		return Deal{}, err
	}
	m := notice.Message{Kind: "deal.create", Key: "market.notice.deal_interest",
		Args: []notice.Arg{notice.Text(out.MemberName), kindArg(l.Kind), notice.Text(l.Title)}, Body: body, At: now}
	to := []int64{l.OwnerID}
	if held {
		m.Kind, m.Key = "deal.held", "market.notice.deal_held"
		if to, err = dealIntermediaries(ctx, tx, out); err != nil {
			return Deal{}, err
		}
	}
	if err := notifyDeal(ctx, tx, a, out, m, to...); err != nil {
		return Deal{}, err
	}
	return out, audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "deal.create", ObjectType: "deal", ObjectID: idText(id), ObjectName: l.Title,
		RegionCode: out.RegionCode, After: out.auditView()})
}

// dealIntermediaries returns who forwards a held interest: the deal's
// broker or, without one, the active staff and county staff whose region
// contains the deal's.
func dealIntermediaries(ctx context.Context, q sqldb.Querier, d Deal) ([]int64, error) {
	if d.BrokerID != 0 {
		return []int64{d.BrokerID}, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT id, region_code FROM users WHERE role IN (?, ?) AND disabled = ? ORDER BY id",
		string(account.RoleStaff), string(account.RoleCounty), false)
	if err != nil {
		return nil, fmt.Errorf("staff of region: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		if code != "" && region.Contains(code, d.RegionCode) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// GetDeal returns a deal with its history. Only its parties, staff in its
// scope and the administrator see it; anyone else gets NotFound.
func (s *Service) GetDeal(ctx context.Context, a account.Actor, id int64) (Deal, error) {
	d, err := getDeal(ctx, s.db, id)
	if err != nil {
		return Deal{}, err
	}
	if !canReadDeal(a, d) {
		return Deal{}, apperr.New(apperr.NotFound, "market.deal_not_found")
	}
	if d.Events, err = dealEvents(ctx, s.db, id); err != nil {
		return Deal{}, err
	}
	return dealView(a, d), nil
}

// StepDeal takes one action on a deal: negotiate, sign (step.Amount in 万元
// required), register (step.ContractID optional: a registered contract in
// the home region not linked to another deal), terminate (step.Reason
// required) — by its parties — or assign-broker (step.BrokerID, a broker
// account) by staff in the deal's scope. Every step adds a history row and
// an audit row and notifies the other parties. A deal the actor may not
// see is NotFound, a step it may not take Forbidden, a step from the wrong
// state a Conflict.
func (s *Service) StepDeal(ctx context.Context, a account.Actor, id int64, action string, step DealStep) (Deal, error) {
	rule, ok := dealRules[action]
	if !ok {
		return Deal{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	var out Deal
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := getDeal(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canReadDeal(a, old) {
			return apperr.New(apperr.NotFound, "market.deal_not_found")
		}
		if action == DealAssignBroker && !canAssignBroker(a, old) {
			return apperr.New(apperr.Forbidden, "market.deal_only_staff_assign")
		}
		switch {
		case old.Held && !slices.Contains(heldActions, action):
			return apperr.New(apperr.Conflict, "market.deal_held")
		case action == DealForward && !old.Held:
			return apperr.New(apperr.Conflict, "market.deal_not_held")
		case action == DealReveal && !old.Anonymous:
			return apperr.New(apperr.Conflict, "market.deal_not_anonymous")
		case !mayTake(a, old, action):
			return apperr.New(apperr.Forbidden, "market.deal_not_party")
		}
		if !slices.Contains(rule.from, old.State) {
			return apperr.New(apperr.Conflict, "market.deal_wrong_state", i18n.T(i18n.Chinese, "market.deal_state."+string(old.State)))
		}
		note, err := dealText(step.Note, maxDealNote)
		if err != nil {
			return err
		}
		// body is the note as the notices carry it: a note the system
		// writes is a code, so that each reader sees it in their language.
		body := notice.Text(note)
		now := s.now()
		to := rule.to
		if to == "" {
			to = old.State
		}
		sets := []string{"state = ?", "updated_at = ?"}
		args := []any{string(to), sqldb.At(now)}
		var recipients []int64
		switch action {
		case DealSign:
			if !validAmount(step.Amount) {
				return apperr.Fields(apperr.Field("amount", "market.amount_positive"))
			}
			sets, args = append(sets, "amount = ?", "signed_at = ?"), append(args, *step.Amount, sqldb.At(now))
			if note == "" {
				note = i18n.T(i18n.Chinese, "market.deal_amount_note", formatWan(*step.Amount))
				body = notice.Code("market.deal_amount_note", notice.Text(formatWan(*step.Amount)))
			}
		case DealRegister:
			if step.ContractID != 0 {
				if err := s.checkDealContract(ctx, tx, a, id, step.ContractID); err != nil {
					return err
				}
				sets, args = append(sets, "contract_id = ?"), append(args, step.ContractID)
			}
			sets, args = append(sets, "closed_at = ?"), append(args, sqldb.At(now))
		case DealTerminate:
			reason := normalizeText(step.Reason)
			switch {
			case reason == "":
				return apperr.Fields(apperr.Field("termination_reason", "error.required"))
			case utf8.RuneCountInString(reason) > maxDealNote:
				return apperr.Fields(apperr.Field("termination_reason", "error.too_long", maxDealNote))
			case htmlTag.MatchString(reason):
				return apperr.Fields(apperr.Field("termination_reason", "market.no_html"))
			}
			sets, args = append(sets, "reason = ?", "closed_at = ?"), append(args, reason, sqldb.At(now))
			if note == "" {
				note, body = reason, notice.Text(reason)
			}
		case DealAssignBroker:
			name, err := brokerName(ctx, tx, step.BrokerID)
			if err != nil {
				return err
			}
			sets, args = append(sets, "broker_id = ?"), append(args, step.BrokerID)
			if note == "" {
				note = i18n.T(i18n.Chinese, "market.deal_broker_note", name)
				body = notice.Code("market.deal_broker_note", notice.Text(name))
			}
			recipients = append(recipients, step.BrokerID)
		case DealForward:
			sets, args = append(sets, "held = ?", "forwarded_at = ?"), append(args, false, sqldb.At(now))
		case DealReveal:
			sets, args = append(sets, "owner_revealed_at = ?"), append(args, sqldb.At(now))
		}
		_, err = tx.ExecContext(ctx, "UPDATE deals SET "+strings.Join(sets, ", ")+" WHERE id = ?", append(args, id)...)
		if apperr.Is(err, apperr.Conflict) {
			// Only the contract is unique among the columns set here.
			return apperr.Fields(apperr.Field("contract_id", "market.deal_contract_taken"))
		}
		if err != nil {
			return fmt.Errorf("update deal %d: %w", id, err)
		}
		if err := insertDealEvent(ctx, tx, DealEvent{DealID: id, Action: action, From: old.State, To: to, ActorID: a.UserID,
			Note: note, At: now}); err != nil {
			return err
		}
		if out, err = getDeal(ctx, tx, id); err != nil {
			return err
		}
		m := notice.Message{Kind: "deal." + action, Key: "market.notice.deal_step",
			Args: []notice.Arg{notice.Text(out.ListingTitle), notice.Code("market.deal_action." + action)}, Body: body, At: now}
		if action == DealForward {
			// The owner hears of the interest now, as of any other.
			m.Key, m.Args = "market.notice.deal_interest", []notice.Arg{notice.Text(out.MemberName), kindArg(out.ListingKind),
				notice.Text(out.ListingTitle)}
			if note == "" {
				m.Body = notice.Text(out.Message)
			}
		}
		if !out.Held {
			recipients = append(recipients, old.OwnerID) // a held interest stays hidden from the owner
		}
		recipients = append(recipients, old.MemberID, old.BrokerID)
		if err := notifyDeal(ctx, tx, a, out, m, recipients...); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "deal." + action, ObjectType: "deal", ObjectID: idText(id), ObjectName: out.ListingTitle,
			RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	if err != nil {
		return Deal{}, err
	}
	return s.GetDeal(ctx, a, id)
}

func formatWan(v float64) string { return strconv.FormatFloat(round2(v), 'f', -1, 64) }

// brokerName checks that id is an enabled broker account and returns its
// name.
func brokerName(ctx context.Context, q sqldb.Querier, id int64) (string, error) {
	var name string
	var role string
	var disabled bool
	err := q.QueryRowContext(ctx, "SELECT COALESCE(NULLIF(display_name, ''), username), role, disabled FROM users WHERE id = ?", id).
		Scan(&name, &role, &disabled)
	if sqldb.IsNoRows(err) || (err == nil && (role != string(account.RoleBroker) || disabled)) {
		return "", apperr.Fields(apperr.Field("broker_id", "market.deal_broker_invalid"))
	}
	if err != nil {
		return "", fmt.Errorf("check broker %d: %w", id, err)
	}
	return name, nil
}

// checkDealContract accepts a registered contract of the home region (and
// of the actor's scope, for staff) that no other deal links to.
func (s *Service) checkDealContract(ctx context.Context, tx *sqldb.Tx, a account.Actor, dealID, contractID int64) error {
	c, err := getContract(ctx, tx, contractID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && (!region.Contains(s.home, c.RegionCode) ||
		(IsReviewer(a) && !a.InScope(c.RegionCode)))) {
		return apperr.Fields(apperr.Field("contract_id", "market.deal_contract_invalid"))
	}
	if err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM deals WHERE contract_id = ? AND id <> ?", contractID, dealID).Scan(&n); err != nil {
		return fmt.Errorf("count deals of contract: %w", err)
	}
	if n > 0 {
		return apperr.Fields(apperr.Field("contract_id", "market.deal_contract_taken"))
	}
	return nil
}

// dealWhere is the actor's view of deals: its own (as owner, member or
// broker) for members; its scope for staff; everything for the
// administrator.
func dealWhere(a account.Actor, f DealFilter) ([]string, []any, error) {
	var where []string
	var args []any
	switch {
	case !a.LoggedIn():
		return nil, nil, apperr.New(apperr.Unauthenticated, "session.required")
	case a.Role == account.RoleAdmin:
	case IsReviewer(a):
		where, args = append(where, "d.region_code LIKE ?"), append(args, region.Prefix(a.Scope())+"%")
	default:
		switch f.Role {
		case "owner":
			where, args = append(where, "d.owner_id = ? AND d.held = ?"), append(args, a.UserID, false)
		case "member":
			where, args = append(where, "d.member_id = ?"), append(args, a.UserID)
		case "broker":
			where, args = append(where, "d.broker_id = ?"), append(args, a.UserID)
		default:
			where, args = append(where, "((d.owner_id = ? AND d.held = ?) OR d.member_id = ? OR d.broker_id = ?)"),
				append(args, a.UserID, false, a.UserID, a.UserID)
		}
	}
	if f.ListingID != 0 {
		where, args = append(where, "d.listing_id = ?"), append(args, f.ListingID)
	}
	if f.BrokerID != 0 {
		where, args = append(where, "d.broker_id = ?"), append(args, f.BrokerID)
	}
	if f.Region != "" {
		where, args = append(where, "d.region_code LIKE ?"), append(args, region.Prefix(f.Region)+"%")
	}
	return where, args, nil
}

// FindDeals lists the deals the actor may see matching f, most recently
// changed first: members see their own, staff those of their scope.
func (s *Service) FindDeals(ctx context.Context, a account.Actor, f DealFilter) ([]Deal, int, error) {
	f.Normalize()
	where, args, err := dealWhere(a, f)
	if err != nil {
		return nil, 0, err
	}
	var bad []apperr.FieldError
	if f.State != "" && !f.State.Valid() {
		bad = append(bad, apperr.Field("state", "market.deal_state_unknown"))
	}
	if f.Role != "" && f.Role != "owner" && f.Role != "member" && f.Role != "broker" {
		bad = append(bad, apperr.Field("role", "market.deal_role_unknown"))
	}
	if len(bad) > 0 {
		return nil, 0, apperr.Fields(bad...)
	}
	if f.State != "" {
		where, args = append(where, "d.state = ?"), append(args, string(f.State))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM deals d"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count deals: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+dealColumns+dealJoins+cond+" ORDER BY d.updated_at DESC, d.id DESC LIMIT ? OFFSET ?",
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find deals: %w", err)
	}
	defer rows.Close()
	out := []Deal{}
	for rows.Next() {
		d, err := scanDeal(rows, pii.From(s.db))
		if err != nil {
			return nil, 0, err
		}
		// Lists show contacts masked; GetDeal shows them whole.
		d.Contact = d.Contact.Masked()
		out = append(out, dealView(a, d))
	}
	return out, total, rows.Err()
}

// DealCounts counts the deals FindDeals would list for f, by state (f.State
// and paging are ignored).
func (s *Service) DealCounts(ctx context.Context, a account.Actor, f DealFilter) (map[DealState]int, error) {
	where, args, err := dealWhere(a, f)
	if err != nil {
		return nil, err
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	return countBy[DealState](ctx, s.db, "count deals by state", "SELECT d.state, COUNT(*) FROM deals d"+cond+" GROUP BY d.state", args...)
}

const brokerStatsQuery = `SELECT u.id, u.username, COALESCE(NULLIF(u.display_name, ''), u.username), u.organization, u.region_code,
	COUNT(d.id), COALESCE(SUM(CASE WHEN d.state IN ('signed', 'registered') THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN d.state IN ('signed', 'registered') THEN d.amount ELSE 0 END), 0)
	FROM users u LEFT JOIN deals d ON d.broker_id = u.id WHERE u.role = 'broker' AND u.disabled = ?`

const brokerStatsGroup = ` GROUP BY u.id, u.username, u.display_name, u.organization, u.region_code`

func scanBrokerStats(row interface{ Scan(...any) error }) (BrokerStats, error) {
	var b BrokerStats
	err := row.Scan(&b.ID, &b.Username, &b.Name, &b.Organization, &b.RegionCode, &b.Handled, &b.Completed, &b.Amount)
	// The databases may add floats in different orders; amounts are entered
	// to the cent of a 万元.
	b.Amount = round2(b.Amount)
	return b, err
}

// Brokers lists the enabled broker accounts (科技经纪人) with the number of
// deals each handles, how many were completed (signed or registered) and
// their amounts in 万元. Any logged-in user may read the list.
func (s *Service) Brokers(ctx context.Context, a account.Actor) ([]BrokerStats, error) {
	if !a.LoggedIn() {
		return nil, apperr.New(apperr.Unauthenticated, "session.required")
	}
	rows, err := s.db.QueryContext(ctx, brokerStatsQuery+brokerStatsGroup+" ORDER BY 8 DESC, 6 DESC, u.id", false)
	if err != nil {
		return nil, fmt.Errorf("broker statistics: %w", err)
	}
	defer rows.Close()
	out := []BrokerStats{}
	for rows.Next() {
		b, err := scanBrokerStats(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// GetBroker returns one broker's profile and statistics; an id that is not
// an enabled broker is NotFound.
func (s *Service) GetBroker(ctx context.Context, a account.Actor, id int64) (BrokerStats, error) {
	if !a.LoggedIn() {
		return BrokerStats{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	b, err := scanBrokerStats(s.db.QueryRowContext(ctx, brokerStatsQuery+" AND u.id = ?"+brokerStatsGroup, false, id))
	if sqldb.IsNoRows(err) {
		return BrokerStats{}, apperr.New(apperr.NotFound, "market.broker_not_found")
	}
	if err != nil {
		return BrokerStats{}, fmt.Errorf("broker %d: %w", id, err)
	}
	return b, nil
}
