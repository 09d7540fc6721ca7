package market

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Service owns listings and their workflow, and sends owners notices
// (package notice) in the transaction of each step. Every method takes the
// acting user and decides from it what may be seen and changed; a listing
// the actor may not see is apperr.NotFound.
type Service struct {
	db   *sqldb.DB
	ref  *Reference
	home string
	now  func() time.Time
	// registry supplies candidate enterprises to matching; nil leaves
	// them out.
	registry Registry
	// people supplies experts, institutions and investors to matching;
	// nil leaves them out.
	people Directory
	// views are listing views counted since the last FlushViews.
	views viewCounter
	// imports is the listing import (the import kit's spec).
	imports *listingImporter
	// remote supplies other regions' listings to matching (UseRemote);
	// nil leaves them out.
	remote *remoteSource
}

// NewService returns a Service. home is the instance's home region, inside
// which users without a region pick their listing's county; now may be nil
// for time.Now.
func NewService(db *sqldb.DB, ref *Reference, home string, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{db: db, ref: ref, home: home, now: now, views: viewCounter{n: map[int64]int{}}}
	s.imports = newImporter(s)
	return s
}

// Reference returns the loaded reference data.
func (s *Service) Reference() *Reference { return s.ref }

// CanOwn reports whether the actor may publish listings of kind k:
// institutions and enterprises offer achievements, enterprises post demands
// and financing needs.
func CanOwn(a account.Actor, k Kind) bool {
	switch a.Role {
	case account.RoleEnterprise:
		return true
	case account.RoleInstitution:
		return k == Achievement
	}
	return false
}

// IsReviewer reports whether the actor reviews listings (in its scope).
func IsReviewer(a account.Actor) bool {
	return a.Role == account.RoleStaff || a.Role == account.RoleCounty
}

// Oversees reports whether the actor follows the market of its scope as a
// whole rather than its own part of it: reviewers (staff and county staff)
// and the administrator, who read the review queue (only reviewers act on
// it), every deal in scope, the match statistics and the new matches.
// Pages use it to choose the staff view of a page; the methods they call
// enforce the same rule.
func (s *Service) Oversees(a account.Actor) bool { return IsReviewer(a) || a.Role == account.RoleAdmin }

// IsMember reports whether the actor is a logged-in market member, who sees
// the contacts of published listings.
func IsMember(a account.Actor) bool {
	switch a.Role {
	case account.RoleEnterprise, account.RoleInstitution, account.RoleBroker, account.RoleInvestor:
		return a.LoggedIn()
	}
	return false
}

func canReview(a account.Actor, l Listing) bool { return IsReviewer(a) && a.InScope(l.RegionCode) }

func isOwner(a account.Actor, l Listing) bool { return a.LoggedIn() && l.OwnerID == a.UserID }

func isPublic(l Listing) bool { return l.Stored() == Published }

// canRead reports whether the actor may see the listing at all.
func canRead(a account.Actor, l Listing) bool {
	switch {
	case isPublic(l), isOwner(a, l):
		return true
	case a.Role == account.RoleAdmin:
		return l.State != Draft
	case canReview(a, l):
		return l.State != Draft
	}
	return false
}

// isListingBroker reports whether the actor is the broker an anonymous
// listing is entrusted to.
func isListingBroker(a account.Actor, l Listing) bool {
	return a.LoggedIn() && l.BrokerID != 0 && a.UserID == l.BrokerID && a.Role == account.RoleBroker
}

// SeesOwner reports whether the actor may know who owns the listing: of an
// anonymous listing only its owner, staff in scope, the administrator and
// the broker it is entrusted to; of any other listing everybody who may
// read it.
func SeesOwner(a account.Actor, l Listing) bool {
	return !l.Anonymous || isOwner(a, l) || canReview(a, l) || (a.Role == account.RoleAdmin && a.LoggedIn()) || isListingBroker(a, l)
}

// conceal blanks what names the owner of an anonymous listing: its id,
// name, contact and team.
func conceal(l Listing) Listing {
	l.OwnerID, l.OwnerName, l.Contact, l.Team = 0, "", nil, ""
	return l
}

// view is the listing as the actor may see it: the contact only for
// members, the owner and staff; the review details only for the owner and
// staff; the owner of an anonymous listing only for those SeesOwner names.
func view(a account.Actor, l Listing) Listing {
	staff := canReview(a, l) || a.Role == account.RoleAdmin
	if !(isOwner(a, l) || staff || (IsMember(a) && isPublic(l))) {
		l.Contact = nil
	}
	if !SeesOwner(a, l) {
		l = conceal(l)
	}
	if !isOwner(a, l) && !staff {
		l.ReviewNote, l.TwinID, l.TwinScore = "", 0, 0
	}
	return l
}

// CanEdit reports whether the actor may edit the listing now.
func CanEdit(a account.Actor, l Listing) bool {
	return isOwner(a, l) && (l.State == Draft || l.State == Returned)
}

// Actions returns the workflow actions the actor may take on the listing
// now, for pages to show buttons: submit, approve, return, withdraw, close,
// renew.
func Actions(a account.Actor, l Listing) []string {
	var out []string
	if isOwner(a, l) {
		switch l.State {
		case Draft, Returned:
			out = append(out, "submit")
		case Submitted:
			out = append(out, "withdraw")
		case Published:
			out = append(out, "renew", "close", "withdraw")
		case Expired:
			out = append(out, "renew", "withdraw")
		}
		if l.Anonymous && (l.State == Submitted || l.State == Published || l.State == Expired) {
			out = append(out, "reveal")
		}
	}
	if canReview(a, l) && l.State == Submitted {
		out = append(out, "approve", "return")
	}
	return out
}

func (l Listing) auditView() map[string]any {
	m := map[string]any{"kind": l.Kind, "state": l.Stored(), "title": l.Title, "domain": l.Domain, "industry": l.Industry,
		"trl": l.TRL, "modes": l.Modes, "band": l.Band, "region_code": l.RegionCode, "owner_id": l.OwnerID,
		"expires_at": l.ExpiresAt, "review_note": l.ReviewNote, "anonymous": l.Anonymous}
	if l.BrokerID != 0 {
		m["broker_id"] = l.BrokerID
	}
	if l.Kind == Financing {
		m["amount"], m["round"], m["valuation"] = l.Amount, l.Round, l.Valuation
	}
	return m
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }

// kindArg is a listing kind as a notice argument, shown in the reader's
// language.
func kindArg(k Kind) notice.Arg { return notice.Code("market.kind." + string(k)) }

// Link returns the page of a listing.
func Link(id int64) string { return "/market/listings/" + idText(id) }

// checkRegion returns a field error unless code is a county the owner may
// list in: its own county, a county of its region, or (without a region) a
// county of the home region.
func (s *Service) checkRegion(ctx context.Context, q sqldb.Querier, a account.Actor, code string) error {
	within := a.Region
	if within == "" {
		within = s.home
	}
	var level int
	err := q.QueryRowContext(ctx, "SELECT level FROM regions WHERE code = ?", code).Scan(&level)
	if sqldb.IsNoRows(err) || (err == nil && level != region.County) {
		return apperr.Fields(apperr.Field("region_code", "market.region_county"))
	}
	if err != nil {
		return fmt.Errorf("check region %s: %w", code, err)
	}
	if !region.Contains(within, code) {
		return apperr.Fields(apperr.Field("region_code", "market.region_outside"))
	}
	return nil
}

// prepare normalizes and validates an input and returns its band.
func (s *Service) prepare(ctx context.Context, q sqldb.Querier, a account.Actor, k Kind, in *Input) (string, error) {
	in.Normalize()
	if in.RegionCode == "" && region.ValidCode(a.Region) && region.LevelOf(a.Region) == region.County {
		in.RegionCode = a.Region
	}
	if err := in.Validate(k, s.ref, s.now()); err != nil {
		return "", err
	}
	if err := s.checkRegion(ctx, q, a, in.RegionCode); err != nil {
		return "", err
	}
	if in.BrokerID != 0 {
		if _, err := brokerName(ctx, q, in.BrokerID); err != nil {
			return "", err
		}
	}
	switch k {
	case Achievement:
		return s.ref.BandOf(in.Price), nil
	case Financing:
		// A financing need's band is that of the amount it seeks, so that
		// the band filter and facet work across kinds.
		return s.ref.BandOf(in.Amount), nil
	}
	return in.Band, nil
}

// CreateListing saves a new draft of kind k owned by the actor. Only
// institutions and enterprises (achievements) and enterprises (demands) may;
// bad fields come back together as an Invalid error.
func (s *Service) CreateListing(ctx context.Context, a account.Actor, k Kind, in Input) (Listing, error) {
	if !k.Valid() {
		return Listing{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	if !CanOwn(a, k) {
		return Listing{}, apperr.New(apperr.Forbidden, "market.only_owners")
	}
	var out Listing
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		band, err := s.prepare(ctx, tx, a, k, &in)
		if err != nil {
			return err
		}
		now := s.now()
		id, err := insertListing(ctx, tx, k, a.UserID, in, band, now)
		if err != nil {
			return err
		}
		if out, err = getListing(ctx, tx, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "listing.create", ObjectType: "listing",
			ObjectName: out.Title, ObjectID: idText(id), RegionCode: out.RegionCode, After: out.auditView()})
	})
	return out, err
}

// GetListing returns a listing as the actor may see it: published listings
// to everybody (contacts only to members), others to their owner and to
// staff in scope.
func (s *Service) GetListing(ctx context.Context, a account.Actor, id int64) (Listing, error) {
	l, err := getListing(ctx, s.db, id, s.now())
	if err != nil {
		return Listing{}, err
	}
	if !canRead(a, l) {
		return Listing{}, apperr.New(apperr.NotFound, "market.listing_not_found")
	}
	return view(a, l), nil
}

// getForWrite loads a listing inside tx and applies the read check.
func (s *Service) getForWrite(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64) (Listing, error) {
	l, err := getListing(ctx, tx, id, s.now())
	if err != nil {
		return Listing{}, err
	}
	if !canRead(a, l) {
		return Listing{}, apperr.New(apperr.NotFound, "market.listing_not_found")
	}
	return l, nil
}

// UpdateListing replaces the content of a draft or returned listing. Only
// its owner may; another state is a Conflict.
func (s *Service) UpdateListing(ctx context.Context, a account.Actor, id int64, in Input) (Listing, error) {
	var out Listing
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := s.getForWrite(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !isOwner(a, old) {
			return apperr.New(apperr.Forbidden, "market.not_owner")
		}
		if !CanEdit(a, old) {
			return apperr.New(apperr.Conflict, "market.not_editable")
		}
		band, err := s.prepare(ctx, tx, a, old.Kind, &in)
		if err != nil {
			return err
		}
		now := s.now()
		if err := updateListing(ctx, tx, id, in, band, now); err != nil {
			return err
		}
		if out, err = getListing(ctx, tx, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "listing.update", ObjectType: "listing",
			ObjectName: out.Title, ObjectID: idText(id), RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// step is one workflow transition: who may take it from which states, and
// what it writes.
type step struct {
	action   string
	reviewer bool    // taken by staff in scope; otherwise by the owner
	from     []State // states as seen now (Expired distinct from Published)
	apply    func(tx *sqldb.Tx, l Listing, now time.Time) (transition, error)
	notice   string // message key of the notice to the owner, "" for none
}

func (s *Service) run(ctx context.Context, a account.Actor, id int64, st step, reason string) (Listing, error) {
	var out Listing
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, err := s.getForWrite(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if st.reviewer && !canReview(a, old) || !st.reviewer && !isOwner(a, old) {
			if st.reviewer && IsReviewer(a) {
				return apperr.New(apperr.NotFound, "market.listing_not_found")
			}
			return apperr.New(apperr.Forbidden, "market.not_allowed")
		}
		ok := false
		for _, f := range st.from {
			ok = ok || old.State == f
		}
		if !ok {
			return apperr.New(apperr.Conflict, "market.wrong_state", i18n.T(i18n.Chinese, "market.state."+string(old.State)))
		}
		now := s.now()
		tr, err := st.apply(tx, old, now)
		if err != nil {
			return err
		}
		if err := applyTransition(ctx, tx, id, tr, now); err != nil {
			return err
		}
		if out, err = getListing(ctx, tx, id, now); err != nil {
			return err
		}
		if st.notice != "" {
			m := notice.Message{To: out.OwnerID, Kind: "listing." + st.action, Key: st.notice,
				Args: []notice.Arg{kindArg(out.Kind), notice.Text(out.Title)}, Link: Link(id), At: now}
			if reason != "" {
				m.Body = notice.Code("market.notice.reason", notice.Text(reason))
			}
			if err := notice.Send(ctx, tx, m); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "listing." + st.action, ObjectType: "listing",
			ObjectName: out.Title, ObjectID: idText(id), RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	if err != nil {
		return Listing{}, err
	}
	return view(a, out), nil
}

// Submit sends a draft or returned listing to review. A listing whose title
// and text nearly match an earlier one is marked with that twin for the
// reviewer; it is still submitted.
func (s *Service) Submit(ctx context.Context, a account.Actor, id int64) (Listing, error) {
	return s.run(ctx, a, id, step{action: "submit", notice: "market.notice.submitted", from: []State{Draft, Returned},
		apply: func(tx *sqldb.Tx, l Listing, now time.Time) (transition, error) {
			// Content saved by an older version may no longer pass: check again.
			if err := listingInput(l).Validate(l.Kind, s.ref, now); err != nil {
				return transition{}, err
			}
			twin, score, err := findTwin(ctx, tx, l)
			if err != nil {
				return transition{}, err
			}
			empty := ""
			return transition{state: Submitted, submittedAt: now, reviewNote: &empty, setTwin: true, twinID: twin, twinScore: score}, nil
		}}, "")
}

// findTwin returns the most similar earlier listing of the same kind when
// its similarity reaches twinThreshold.
func findTwin(ctx context.Context, q sqldb.Querier, l Listing) (int64, float64, error) {
	cands, err := twinCandidates(ctx, q, l.Kind, l.ID)
	if err != nil {
		return 0, 0, err
	}
	var best int64
	var bestScore float64
	tA, sA := bigrams(l.Title), bigrams(l.Summary)
	for _, c := range cands {
		score := 0.5*dice(tA, bigrams(c.title)) + 0.5*dice(sA, bigrams(c.summary))
		if score > bestScore {
			best, bestScore = c.id, score
		}
	}
	if bestScore < twinThreshold {
		return 0, 0, nil
	}
	return best, bestScore, nil
}

// listingInput is the editable content of a stored listing.
func listingInput(l Listing) Input {
	in := Input{Title: l.Title, Summary: l.Summary, Expected: l.Expected, Keywords: l.Keywords, Domain: l.Domain,
		Industry: l.Industry, TRL: l.TRL, IP: l.IP, Team: l.Team, Modes: l.Modes, Price: l.Price, Deadline: l.Deadline,
		RegionCode: l.RegionCode, Round: l.Round, UseOfFunds: l.UseOfFunds, Valuation: l.Valuation, Anonymous: l.Anonymous,
		BrokerID: l.BrokerID}
	if l.Kind == Demand {
		in.Band = l.Band
	}
	if l.Kind == Financing {
		amount := l.Amount
		in.Amount = &amount
	}
	if l.Contact != nil {
		in.Contact = *l.Contact
	}
	return in
}

// InputOf returns the editable content of a listing, to fill an edit form.
func InputOf(l Listing) Input { return listingInput(l) }

// Approve publishes a submitted listing for Validity. Staff in the
// listing's scope may; the owner gets a notice.
func (s *Service) Approve(ctx context.Context, a account.Actor, id int64) (Listing, error) {
	return s.run(ctx, a, id, step{action: "approve", reviewer: true, from: []State{Submitted}, notice: "market.notice.approved",
		apply: func(_ *sqldb.Tx, l Listing, now time.Time) (transition, error) {
			return transition{state: Published, reviewerID: a.UserID, publishedAt: now, expiresAt: now.Add(Validity)}, nil
		}}, "")
}

// Return sends a submitted listing back to its owner with the reviewer's
// reason, which is required.
func (s *Service) Return(ctx context.Context, a account.Actor, id int64, reason string) (Listing, error) {
	reason = normalizeText(reason)
	return s.run(ctx, a, id, step{action: "return", reviewer: true, from: []State{Submitted}, notice: "market.notice.returned",
		apply: func(_ *sqldb.Tx, l Listing, now time.Time) (transition, error) {
			if reason == "" {
				return transition{}, apperr.Fields(apperr.Field("reason", "error.required"))
			}
			if len([]rune(reason)) > 1000 {
				return transition{}, apperr.Fields(apperr.Field("reason", "error.too_long", 1000))
			}
			return transition{state: Returned, reviewerID: a.UserID, reviewNote: &reason}, nil
		}}, reason)
}

// Withdraw takes a submitted or published listing off the market. Only the
// owner may.
func (s *Service) Withdraw(ctx context.Context, a account.Actor, id int64) (Listing, error) {
	return s.run(ctx, a, id, step{action: "withdraw", notice: "market.notice.withdrawn", from: []State{Submitted, Published, Expired},
		apply: func(*sqldb.Tx, Listing, time.Time) (transition, error) { return transition{state: Withdrawn}, nil }}, "")
}

// Close marks a published listing as traded (已成交). Only the owner may.
func (s *Service) Close(ctx context.Context, a account.Actor, id int64) (Listing, error) {
	return s.run(ctx, a, id, step{action: "close", notice: "market.notice.closed", from: []State{Published, Expired},
		apply: func(*sqldb.Tx, Listing, time.Time) (transition, error) { return transition{state: Closed}, nil }}, "")
}

// Reveal ends the anonymity of an anonymous listing that is submitted,
// published or expired: from now on everybody who may read it sees its
// owner as on any listing. Only the owner may; it cannot be undone (the
// listing keeps revealed_at, and marking it anonymous again changes
// nothing). A listing that is not anonymous is a Conflict. Each deal's
// own reveal is RevealInDeal (StepDeal "reveal").
func (s *Service) Reveal(ctx context.Context, a account.Actor, id int64) (Listing, error) {
	return s.run(ctx, a, id, step{action: "reveal", from: []State{Submitted, Published, Expired},
		apply: func(_ *sqldb.Tx, l Listing, now time.Time) (transition, error) {
			if !l.Anonymous {
				return transition{}, apperr.New(apperr.Conflict, "market.not_anonymous")
			}
			return transition{state: l.Stored(), revealedAt: now}, nil
		}}, "")
}

// Renew keeps a published (or expired) listing on the market for another
// Validity from now. Only the owner may.
func (s *Service) Renew(ctx context.Context, a account.Actor, id int64) (Listing, error) {
	return s.run(ctx, a, id, step{action: "renew", notice: "market.notice.renewed", from: []State{Published, Expired},
		apply: func(_ *sqldb.Tx, _ Listing, now time.Time) (transition, error) {
			return transition{state: Published, expiresAt: now.Add(Validity)}, nil
		}}, "")
}

// FindListings lists listings matching f as the actor may see them. With
// f.Mine it lists the actor's own listings (of f.State when set); with only
// f.State it lists, for staff, the listings of that state in their scope
// (the review queue is State: Submitted); otherwise the public listings:
// published and not expired.
func (s *Service) FindListings(ctx context.Context, a account.Actor, f Filter) ([]Listing, int, error) {
	f.Normalize()
	now := s.now()
	where, args := filterWhere(f, s.ref)
	switch {
	case f.Mine:
		if !a.LoggedIn() {
			return nil, 0, apperr.New(apperr.Unauthenticated, "session.required")
		}
		where, args = append(where, "l.owner_id = ?"), append(args, a.UserID)
		if f.State != "" {
			w, wa := stateWhere(f.State, now)
			where, args = append(where, w), append(args, wa...)
		}
	case f.State != "":
		if !IsReviewer(a) && a.Role != account.RoleAdmin {
			return nil, 0, apperr.New(apperr.Forbidden, "market.only_staff")
		}
		if f.State == Draft {
			return []Listing{}, 0, nil // drafts are their owners' alone
		}
		where, args = append(where, "l.region_code LIKE ?"), append(args, region.Prefix(a.Scope())+"%")
		w, wa := stateWhere(f.State, now)
		where, args = append(where, w), append(args, wa...)
	default:
		w, wa := stateWhere(Published, now)
		where, args = append(where, w), append(args, wa...)
	}
	list, total, err := findListings(ctx, s.db, where, args, f, now)
	if err != nil {
		return nil, 0, err
	}
	for i := range list {
		list[i] = view(a, list[i])
		// Lists show contacts masked; GetListing shows them whole to
		// those entitled.
		if c := list[i].Contact; c != nil {
			m := c.Masked()
			list[i].Contact = &m
		}
	}
	return list, total, nil
}

// StateCounts counts the actor's own listings by state as seen now.
func (s *Service) StateCounts(ctx context.Context, a account.Actor) (map[State]int, error) {
	if !a.LoggedIn() {
		return map[State]int{}, nil
	}
	return countBy[State](ctx, s.db, "count own listings", `SELECT st, COUNT(*) FROM (SELECT CASE WHEN state = 'published' AND expires_at <= ?
		THEN 'expired' ELSE state END AS st FROM listings WHERE owner_id = ?) x GROUP BY st`, sqldb.FormatTime(s.now()), a.UserID)
}

// ReviewCounts counts the submitted listings in a reviewer's scope by kind.
func (s *Service) ReviewCounts(ctx context.Context, a account.Actor) (map[Kind]int, error) {
	if !IsReviewer(a) && a.Role != account.RoleAdmin {
		return map[Kind]int{}, nil
	}
	return countBy[Kind](ctx, s.db, "count review queue", `SELECT kind, COUNT(*) FROM listings WHERE state = 'submitted' AND region_code LIKE ?
		GROUP BY kind`, region.Prefix(a.Scope())+"%")
}

// countBy runs a "SELECT key, COUNT(*) … GROUP BY key" query into a map;
// what names the count in errors.
func countBy[K ~string](ctx context.Context, db *sqldb.DB, what, query string, args ...any) (map[K]int, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := map[K]int{}
	for rows.Next() {
		var k K
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out[k] = n
	}
	return out, rows.Err()
}

// DomainCount is how many public listings one top-level domain has.
type DomainCount struct {
	Domain string `json:"domain"`
	Count  int    `json:"count"`
}

// DomainCounts counts public listings of kind (all kinds when empty) by
// top-level domain, in the reference order, zeros included.
func (s *Service) DomainCounts(ctx context.Context, k Kind) ([]DomainCount, error) {
	w, args := stateWhere(Published, s.now())
	q := "SELECT l.domain, COUNT(*) FROM listings l WHERE " + w
	if k != "" {
		q, args = q+" AND l.kind = ?", append(args, string(k))
	}
	rows, err := s.db.QueryContext(ctx, q+" GROUP BY l.domain", args...)
	if err != nil {
		return nil, fmt.Errorf("count by domain: %w", err)
	}
	defer rows.Close()
	byTop := map[string]int{}
	for rows.Next() {
		var d string
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return nil, err
		}
		top, _, _ := strings.Cut(d, "/")
		byTop[top] += n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]DomainCount, 0, len(s.ref.Domains))
	for _, d := range s.ref.Domains {
		out = append(out, DomainCount{Domain: d.Name, Count: byTop[d.Name]})
	}
	return out, nil
}
