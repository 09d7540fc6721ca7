package market

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// maxMatchNote bounds the note of a decline.
const maxMatchNote = 200

// Answer is an owner's answer to one proposed match.
type Answer struct {
	CandidateKind string        `json:"candidate_kind"`
	CandidateID   int64         `json:"candidate_id"`
	Reason        DeclineReason `json:"reason,omitempty"` // declines only
	Note          string        `json:"note,omitempty"`
}

// MatchesLink is the page of a listing's matches.
func MatchesLink(id int64) string { return Link(id) + "/matches" }

// subjectFor loads the listing being answered for and checks the actor may
// answer: its owner or a broker on one of its deals. Others who may see
// its matches (staff in scope) get Forbidden; the rest NotFound.
func (s *Service) subjectFor(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64) (Listing, error) {
	if !a.LoggedIn() {
		return Listing{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	l, err := getListing(ctx, tx, id, s.now())
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Listing{}, err
	}
	if err != nil || !canRead(a, l) {
		return Listing{}, apperr.New(apperr.NotFound, "market.listing_not_found")
	}
	see, answer, err := s.seesMatches(ctx, tx, a, l)
	if err != nil {
		return Listing{}, err
	}
	if !see {
		return Listing{}, apperr.New(apperr.NotFound, "market.listing_not_found")
	}
	if !answer {
		return Listing{}, apperr.New(apperr.Forbidden, "market.match.answer_forbidden")
	}
	return l, nil
}

// outside is what an answer's candidate is, read before the transaction
// from the modules that own it (each has its own connection): the
// registered enterprise, the directory's expert or institution, or the
// investor; nil when the answer is not about one or it is not matchable.
type outside struct {
	prospect *cultivation.Prospect
	person   *person
	investor *investor
}

// candidate checks that the candidate can be proposed for l and returns
// it (a listing), its name and the users to tell: a published listing of
// the other kind, not the owner's own; for achievements a registered
// enterprise; for demands an expert or institution of the directory; for
// financing needs an investor.
func (s *Service) candidate(ctx context.Context, tx *sqldb.Tx, l Listing, kind string, id int64, o outside) (Listing, string, []int64, error) {
	p := o.prospect
	switch {
	case kind == CandidateListing && l.Kind != Financing:
		c, err := getListing(ctx, tx, id, s.now())
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return Listing{}, "", nil, err
		}
		if err != nil || c.Kind == l.Kind || c.Kind == Financing || c.OwnerID == l.OwnerID || c.State != Published {
			return Listing{}, "", nil, apperr.New(apperr.NotFound, "market.match.candidate_not_found")
		}
		return c, c.Title, []int64{c.OwnerID}, nil
	case kind == CandidateEnterprise && l.Kind == Achievement && p != nil:
		var to []int64
		if p.AccountID != 0 {
			to = append(to, p.AccountID)
		}
		return Listing{}, p.Name, to, nil
	case (kind == CandidateExpert || kind == CandidateInstitution) && l.Kind == Demand && o.person != nil:
		return Listing{}, o.person.Name, o.person.Accounts, nil
	case kind == CandidateInvestor && l.Kind == Financing && o.investor != nil:
		return Listing{}, o.investor.Name, []int64{o.investor.UserID}, nil
	}
	return Listing{}, "", nil, apperr.New(apperr.NotFound, "market.match.candidate_not_found")
}

// prospect reads an enterprise candidate from the registry, outside any
// transaction (the registry has its own connection): nil when the answer
// is not about an enterprise or it is not registered.
func (s *Service) prospect(ctx context.Context, ans Answer) (*cultivation.Prospect, error) {
	if ans.CandidateKind != CandidateEnterprise || s.registry == nil {
		return nil, nil
	}
	p, err := s.registry.GetProspect(ctx, ans.CandidateID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// insertFeedback records an answer; a pair answered before is a Conflict.
func insertFeedback(ctx context.Context, tx *sqldb.Tx, a account.Actor, l Listing, ans Answer, decision string, dealID int64,
	now time.Time) error {
	var deal any
	if dealID != 0 {
		deal = dealID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO match_feedback (listing_id, candidate_kind, candidate_id, owner_id, actor_id, domain,
		region_code, decision, reason, note, deal_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, ans.CandidateKind, ans.CandidateID, l.OwnerID, a.UserID, topDomain(l.Domain), l.RegionCode, decision,
		string(ans.Reason), ans.Note, deal, sqldb.At(now))
	if apperr.Is(err, apperr.Conflict) {
		return apperr.Wrap(apperr.Conflict, err, "market.match.answered")
	}
	if err != nil {
		return fmt.Errorf("record match answer: %w", err)
	}
	return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "match." + decision, ObjectType: "listing", ObjectID: idText(l.ID), ObjectName: l.Title,
		RegionCode: l.RegionCode, After: map[string]any{"candidate_kind": ans.CandidateKind, "candidate_id": ans.CandidateID,
			"reason": ans.Reason, "note": ans.Note, "deal_id": dealID}})
}

func answered(ctx context.Context, tx *sqldb.Tx, listingID int64, kind string, id int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM match_feedback WHERE listing_id = ? AND candidate_kind = ?
		AND candidate_id = ?`, listingID, kind, id).Scan(&n)
	return n > 0, err
}

// answer runs the transaction shared by accept and decline: it reads an
// enterprise candidate before the transaction, then checks who may answer
// for listing id, that the candidate may be proposed for it and that the
// pair is not answered yet; record then writes the answer into d, which
// comes with the listing, the candidate and the time filled in.
func (s *Service) answer(ctx context.Context, a account.Actor, id int64, ans Answer,
	record func(tx *sqldb.Tx, l, c Listing, tell []int64, d *Decision) error) (Decision, error) {
	var o outside
	var err error
	if o.prospect, err = s.prospect(ctx, ans); err != nil {
		return Decision{}, err
	}
	if o.person, err = s.findPerson(ctx, ans.CandidateKind, ans.CandidateID); err != nil {
		return Decision{}, err
	}
	if o.investor, err = s.findInvestor(ctx, ans.CandidateKind, ans.CandidateID); err != nil {
		return Decision{}, err
	}
	var out Decision
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		l, err := s.subjectFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		c, title, tell, err := s.candidate(ctx, tx, l, ans.CandidateKind, ans.CandidateID, o)
		if err != nil {
			return err
		}
		if done, err := answered(ctx, tx, l.ID, ans.CandidateKind, ans.CandidateID); err != nil || done {
			if err == nil {
				err = apperr.New(apperr.Conflict, "market.match.answered")
			}
			return err
		}
		d := Decision{ListingID: l.ID, CandidateKind: ans.CandidateKind, CandidateID: ans.CandidateID, Title: title, At: s.now()}
		if err := record(tx, l, c, tell, &d); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// AcceptMatch accepts a proposed match of listing id. A listing candidate
// becomes an expression of interest: a deal of the listing's owner on the
// candidate (or the owner's open deal there, if one exists). An enterprise
// candidate's account, if it has one, gets a notice, as do the accounts of
// an expert or institution and an investor. Only the owner or a
// broker on one of the listing's deals may answer (Forbidden); the
// listing must be published (Conflict); a pair answered before is a
// Conflict.
func (s *Service) AcceptMatch(ctx context.Context, a account.Actor, id int64, ans Answer) (Decision, error) {
	ans.Reason, ans.Note = "", ""
	return s.answer(ctx, a, id, ans, func(tx *sqldb.Tx, l, c Listing, tell []int64, d *Decision) error {
		if l.State != Published {
			return apperr.New(apperr.Conflict, "market.match.not_published")
		}
		if ans.CandidateKind == CandidateListing {
			err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM deals WHERE listing_id = ? AND member_id = ?
				AND state NOT IN ('registered', 'terminated')`, c.ID, l.OwnerID).Scan(&d.DealID)
			if err != nil {
				return fmt.Errorf("open deal: %w", err)
			}
			if d.DealID == 0 {
				in := DealInput{ListingID: c.ID, Message: i18n.T(i18n.Chinese, "market.match.deal_message",
					i18n.T(i18n.Chinese, "market.kind."+string(l.Kind)), l.Title, Link(l.ID))}
				if l.Contact != nil {
					in.Contact = *l.Contact
				}
				body := notice.Code("market.match.deal_message", kindArg(l.Kind), notice.Text(l.Title), notice.Text(Link(l.ID)))
				deal, err := openDeal(ctx, tx, a, l.OwnerID, c, in, body, d.At)
				if err != nil {
					return err
				}
				d.DealID = deal.ID
			}
		} else {
			key := map[string]string{CandidateEnterprise: "market.match.notice_enterprise", CandidateExpert: "market.match.notice_person",
				CandidateInstitution: "market.match.notice_person", CandidateInvestor: "market.match.notice_investor"}[ans.CandidateKind]
			owner := notice.Text(l.OwnerName)
			if l.Anonymous {
				owner = notice.Code("market.anonymous_owner") // the candidate learns the listing, not its owner
			}
			for _, to := range tell {
				n := notice.Message{To: to, Kind: "match.accept", Key: key,
					Args: []notice.Arg{owner, notice.Text(l.Title)}, Link: Link(l.ID), At: d.At}
				if err := notice.Send(ctx, tx, n); err != nil {
					return err
				}
			}
		}
		d.Decision = Accepted
		return insertFeedback(ctx, tx, a, l, ans, Accepted, d.DealID, d.At)
	})
}

// DeclineMatch declines a proposed match of listing id with a reason (and
// a note, required for 其他). The pair is never proposed again, and the
// reason strengthens its features in this owner's later rankings. Errors
// as AcceptMatch; a missing or unknown reason is Invalid.
func (s *Service) DeclineMatch(ctx context.Context, a account.Actor, id int64, ans Answer) (Decision, error) {
	ans.Note = normalizeText(ans.Note)
	var errs []apperr.FieldError
	if !ans.Reason.Valid() {
		errs = append(errs, apperr.Field("reason", "market.match.reason_required"))
	}
	switch {
	case ans.Reason == ReasonOther && ans.Note == "":
		errs = append(errs, apperr.Field("note", "market.match.note_required"))
	case utf8.RuneCountInString(ans.Note) > maxMatchNote:
		errs = append(errs, apperr.Field("note", "error.too_long", maxMatchNote))
	case htmlTag.MatchString(ans.Note):
		errs = append(errs, apperr.Field("note", "market.no_html"))
	}
	return s.answer(ctx, a, id, ans, func(tx *sqldb.Tx, l, _ Listing, _ []int64, d *Decision) error {
		// Who may answer and what is answered are checked first, so a
		// stranger learns nothing from the field errors.
		if len(errs) > 0 {
			return apperr.Fields(errs...)
		}
		d.Decision, d.Reason, d.Note = Declined, ans.Reason, ans.Note
		return insertFeedback(ctx, tx, a, l, ans, Declined, 0, d.At)
	})
}

// ReasonCount is how often one decline reason was given.
type ReasonCount struct {
	Reason DeclineReason `json:"reason"`
	Count  int           `json:"count"`
}

// DomainAnswers counts the answers for listings of one domain.
type DomainAnswers struct {
	Domain   string                `json:"domain"`
	Accepted int                   `json:"accepted"`
	Declined int                   `json:"declined"`
	Reasons  map[DeclineReason]int `json:"reasons"`
}

// MatchStats counts the owners' answers to proposed matches.
type MatchStats struct {
	Accepted int             `json:"accepted"`
	Declined int             `json:"declined"`
	Reasons  []ReasonCount   `json:"reasons"` // every reason, in DeclineReasons order
	Domains  []DomainAnswers `json:"domains"` // most answers first
}

// MatchStatistics counts answers: staff see their scope (narrowed to
// regionCode when given), the administrator everything, owners their own
// listings'. Others get Forbidden.
func (s *Service) MatchStatistics(ctx context.Context, a account.Actor, regionCode string) (MatchStats, error) {
	var where string
	var args []any
	switch {
	case a.Role == account.RoleAdmin || IsReviewer(a):
		scope := a.Scope()
		if regionCode != "" {
			if !region.ValidCode(regionCode) || !a.InScope(regionCode) {
				return MatchStats{}, apperr.New(apperr.NotFound, "error.not_found")
			}
			scope = regionCode
		}
		where, args = "region_code LIKE ?", []any{region.Prefix(scope) + "%"}
	case a.LoggedIn() && CanOwn(a, Achievement):
		where, args = "owner_id = ?", []any{a.UserID}
	default:
		return MatchStats{}, apperr.New(apperr.Forbidden, "market.match.stats_forbidden")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT domain, decision, reason, COUNT(*) FROM match_feedback WHERE `+where+`
		GROUP BY domain, decision, reason`, args...)
	if err != nil {
		return MatchStats{}, fmt.Errorf("match statistics: %w", err)
	}
	defer rows.Close()
	out := MatchStats{Reasons: []ReasonCount{}, Domains: []DomainAnswers{}}
	reasons := map[DeclineReason]int{}
	domains := map[string]*DomainAnswers{}
	for rows.Next() {
		var domain, decision, reason string
		var n int
		if err := rows.Scan(&domain, &decision, &reason, &n); err != nil {
			return MatchStats{}, err
		}
		d := domains[domain]
		if d == nil {
			d = &DomainAnswers{Domain: domain, Reasons: map[DeclineReason]int{}}
			domains[domain] = d
		}
		if decision == Accepted {
			out.Accepted += n
			d.Accepted += n
			continue
		}
		out.Declined += n
		d.Declined += n
		d.Reasons[DeclineReason(reason)] += n
		reasons[DeclineReason(reason)] += n
	}
	if err := rows.Err(); err != nil {
		return MatchStats{}, err
	}
	for _, r := range DeclineReasons {
		out.Reasons = append(out.Reasons, ReasonCount{Reason: r, Count: reasons[r]})
	}
	for _, d := range domains {
		out.Domains = append(out.Domains, *d)
	}
	sortDomainAnswers(out.Domains)
	return out, nil
}

func sortDomainAnswers(ds []DomainAnswers) {
	slices.SortFunc(ds, func(a, b DomainAnswers) int {
		if c := cmp.Compare(b.Accepted+b.Declined, a.Accepted+a.Declined); c != 0 {
			return c
		}
		return cmp.Compare(a.Domain, b.Domain)
	})
}

// SetMatchNotices turns the actor's match notices on or off.
func (s *Service) SetMatchNotices(ctx context.Context, a account.Actor, on bool) error {
	if !a.LoggedIn() {
		return apperr.New(apperr.Unauthenticated, "session.required")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if on {
			_, err = tx.ExecContext(ctx, "DELETE FROM match_optout WHERE user_id = ?", a.UserID)
		} else {
			_, err = tx.ExecContext(ctx, "INSERT INTO match_optout (user_id, created_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING",
				a.UserID, sqldb.At(s.now()))
		}
		if err != nil {
			return fmt.Errorf("match notice setting: %w", err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "match.notices", ObjectType: "user", ObjectID: idText(a.UserID),
			After: map[string]bool{"on": on}})
	})
}

// MatchNoticesOn reports whether the actor receives match notices.
func (s *Service) MatchNoticesOn(ctx context.Context, a account.Actor) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM match_optout WHERE user_id = ?", a.UserID).Scan(&n)
	return n == 0, err
}
