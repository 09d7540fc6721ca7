package market

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/directory"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Stage is where an investor's interest in a financing need is in the
// investment pipeline.
type Stage string

// The stages: 意向 → 尽调 → 投决 → 已投, or 终止.
const (
	StageIntent     Stage = "intent"     // 意向: expressed, awaiting the firm
	StageDiligence  Stage = "diligence"  // 尽调: the firm accepted
	StageDecision   Stage = "decision"   // 投决: before the investment committee
	StageInvested   Stage = "invested"   // 已投
	StageTerminated Stage = "terminated" // 终止, with a reason
)

// Stages lists the stages in pipeline order.
var Stages = []Stage{StageIntent, StageDiligence, StageDecision, StageInvested, StageTerminated}

// party is who takes a pipeline step.
type party int

const (
	byInvestor party = 1 << iota
	byFirm
)

// interestStep is one pipeline step: the stages each party may take it
// from, the stage it leads to, and whether it needs a reason.
type interestStep struct {
	from   map[party][]Stage
	to     Stage
	reason bool
}

// InterestActions are the pipeline steps, each at
// POST /api/v1/investment-interests/{id}/{action}.
var InterestActions = []string{"accept", "decline", "decide", "invest", "terminate"}

var interestSteps = map[string]interestStep{
	// The firm accepts (the investor then sees the business plan and
	// starts due diligence) or declines.
	"accept":  {from: map[party][]Stage{byFirm: {StageIntent}}, to: StageDiligence},
	"decline": {from: map[party][]Stage{byFirm: {StageIntent}}, to: StageTerminated, reason: true},
	// The investor takes the deal to its committee, and records the
	// investment.
	"decide": {from: map[party][]Stage{byInvestor: {StageDiligence}}, to: StageDecision},
	"invest": {from: map[party][]Stage{byInvestor: {StageDecision}}, to: StageInvested},
	// Either side ends it, with a reason; the investor also before the
	// firm answered.
	"terminate": {from: map[party][]Stage{byInvestor: {StageIntent, StageDiligence, StageDecision},
		byFirm: {StageDiligence, StageDecision}}, to: StageTerminated, reason: true},
}

// Interest is an investor's interest in a financing need.
type Interest struct {
	ID           int64   `json:"id"`
	ListingID    int64   `json:"listing_id"`
	ListingTitle string  `json:"listing_title"`
	OwnerID      int64   `json:"owner_id"`
	OwnerName    string  `json:"owner_name"`
	InvestorID   int64   `json:"investor_id"`
	InvestorName string  `json:"investor_name"`
	Note         string  `json:"note"`
	Stage        Stage   `json:"stage"`
	Reason       string  `json:"reason,omitempty"`
	FundID       int64   `json:"fund_id,omitempty"`
	Amount       float64 `json:"amount"` // the financing need's amount, 万元
	Round        string  `json:"round"`
	RegionCode   string  `json:"region_code"`
	// Actions are the steps the caller may take now.
	Actions   []string        `json:"actions"`
	Events    []InterestEvent `json:"events,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// InterestEvent is one step of an interest's history.
type InterestEvent struct {
	Action    string    `json:"action"`
	From      Stage     `json:"from,omitempty"`
	To        Stage     `json:"to"`
	Reason    string    `json:"reason,omitempty"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name,omitempty"`
	At        time.Time `json:"at"`
}

// InterestFilter selects interests. ListingID limits to one financing
// need; Stage to one stage. Without ListingID the caller's own are
// listed: an investor's interests, a firm's incoming ones, the interests
// in staff's scope.
type InterestFilter struct {
	ListingID int64
	Stage     Stage
	Page      int
	PerPage   int
}

const maxInterestNote = 1000

const interestColumns = `i.id, i.listing_id, l.title, l.owner_id, COALESCE(NULLIF(o.organization, ''), o.display_name, ''),
	i.investor_id, COALESCE(NULLIF(v.organization, ''), v.display_name, ''), i.note, i.stage, i.reason, COALESCE(i.fund_id, 0),
	COALESCE(l.amount, 0), l.round, i.region_code, i.created_at, i.updated_at`

const interestFrom = ` FROM investment_interests i JOIN listings l ON l.id = i.listing_id
	LEFT JOIN users o ON o.id = l.owner_id LEFT JOIN users v ON v.id = i.investor_id`

func scanInterest(row interface{ Scan(...any) error }) (Interest, error) {
	var x Interest
	var created, updated sqldb.Time
	err := row.Scan(&x.ID, &x.ListingID, &x.ListingTitle, &x.OwnerID, &x.OwnerName, &x.InvestorID, &x.InvestorName, &x.Note,
		&x.Stage, &x.Reason, &x.FundID, &x.Amount, &x.Round, &x.RegionCode, &created, &updated)
	x.CreatedAt, x.UpdatedAt = created.Time, updated.Time
	return x, err
}

func getInterest(ctx context.Context, q sqldb.Querier, id int64) (Interest, error) {
	x, err := scanInterest(q.QueryRowContext(ctx, "SELECT "+interestColumns+interestFrom+" WHERE i.id = ?", id))
	if sqldb.IsNoRows(err) {
		return Interest{}, apperr.New(apperr.NotFound, "market.interest.not_found")
	}
	if err != nil {
		return Interest{}, fmt.Errorf("get interest %d: %w", id, err)
	}
	return x, nil
}

// partyOf is the side the actor takes in an interest, 0 for none.
func partyOf(a account.Actor, x Interest) party {
	switch {
	case !a.LoggedIn():
		return 0
	case a.UserID == x.InvestorID:
		return byInvestor
	case a.UserID == x.OwnerID:
		return byFirm
	}
	return 0
}

// seesInterest reports whether the actor may see the interest: its two
// parties, staff in the listing's scope and the administrator.
func seesInterest(a account.Actor, x Interest) bool {
	return partyOf(a, x) != 0 || (IsReviewer(a) && a.InScope(x.RegionCode)) || a.Role == account.RoleAdmin
}

// interestActions lists the steps the actor may take on x now.
func interestActions(a account.Actor, x Interest) []string {
	out := []string{}
	p := partyOf(a, x)
	for _, name := range InterestActions {
		for _, st := range interestSteps[name].from[p] {
			if st == x.Stage {
				out = append(out, name)
			}
		}
	}
	return out
}

func (x Interest) auditView() map[string]any {
	return map[string]any{"listing_id": x.ListingID, "investor_id": x.InvestorID, "stage": x.Stage, "reason": x.Reason,
		"fund_id": x.FundID}
}

// interestLink is the page of an interest.
func interestLink(id int64) string { return "/market/interests/" + idText(id) }

// acceptedInvestor reports whether the investor's interest in financing
// need listingID was accepted by the firm and is still under way or
// invested: such an investor reads the business plan.
func acceptedInvestor(ctx context.Context, q sqldb.Querier, listingID, investorID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM investment_interests WHERE listing_id = ? AND investor_id = ?
		AND stage IN ('diligence', 'decision', 'invested')`, listingID, investorID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("accepted investor: %w", err)
	}
	return n > 0, nil
}

// CanExpressInterest reports whether the actor may express investment
// interest in l now: a logged-in investor, on a published financing need,
// without an interest under way on it already.
func (s *Service) CanExpressInterest(ctx context.Context, a account.Actor, l Listing) bool {
	if a.Role != account.RoleInvestor || !a.LoggedIn() || l.Kind != Financing || l.State != Published {
		return false
	}
	n, err := openInterests(ctx, s.db, l.ID, a.UserID)
	return err == nil && n == 0
}

func openInterests(ctx context.Context, q sqldb.Querier, listingID, investorID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM investment_interests WHERE listing_id = ? AND investor_id = ?
		AND stage <> 'terminated'`, listingID, investorID).Scan(&n)
	return n, err
}

// ExpressInterest records an investor's interest in a published financing
// need, with a note to the firm (required, at most 1000 characters), and
// tells the firm. Only investors may; a listing the investor cannot see or
// that is not a financing need is NotFound; a second interest under way on
// the same need is a Conflict.
func (s *Service) ExpressInterest(ctx context.Context, a account.Actor, listingID int64, note string) (Interest, error) {
	if !a.LoggedIn() {
		return Interest{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	if a.Role != account.RoleInvestor {
		return Interest{}, apperr.New(apperr.Forbidden, "market.interest.investors_only")
	}
	note = normalizeText(note)
	var out Interest
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		l, err := s.getForWrite(ctx, tx, a, listingID)
		if err != nil {
			return err
		}
		if l.Kind != Financing {
			return apperr.New(apperr.NotFound, "market.listing_not_found")
		}
		if l.State != Published {
			return apperr.New(apperr.Conflict, "market.interest.listing_closed")
		}
		switch {
		case note == "":
			return apperr.Fields(apperr.Field("note", "error.required"))
		case utf8.RuneCountInString(note) > maxInterestNote:
			return apperr.Fields(apperr.Field("note", "error.too_long", maxInterestNote))
		case htmlTag.MatchString(note):
			return apperr.Fields(apperr.Field("note", "market.no_html"))
		}
		if n, err := openInterests(ctx, tx, l.ID, a.UserID); err != nil {
			return err
		} else if n > 0 {
			return apperr.New(apperr.Conflict, "market.interest.duplicate")
		}
		id, err := tx.InsertID(ctx, `INSERT INTO investment_interests (listing_id, investor_id, note, stage, region_code,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, l.ID, a.UserID, note, StageIntent, l.RegionCode,
			sqldb.At(now), sqldb.At(now))
		if err != nil {
			return fmt.Errorf("insert interest: %w", err)
		}
		if err := addInterestEvent(ctx, tx, id, "express", "", StageIntent, "", a.UserID, now); err != nil {
			return err
		}
		if out, err = getInterest(ctx, tx, id); err != nil {
			return err
		}
		if err := notice.Send(ctx, tx, notice.Message{To: l.OwnerID, Kind: "investment.express", Key: "market.interest.notice.express",
			Args: []notice.Arg{notice.Text(out.InvestorName), notice.Text(l.Title)}, Body: notice.Text(note),
			Link: interestLink(id), At: now}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "investment.express", ObjectType: "investment_interest",
			ObjectID: idText(id), ObjectName: l.Title, RegionCode: l.RegionCode, After: out.auditView()})
	})
	if err != nil {
		return Interest{}, err
	}
	out.Actions = interestActions(a, out)
	return out, nil
}

func addInterestEvent(ctx context.Context, tx *sqldb.Tx, id int64, action string, from, to Stage, reason string, actor int64,
	now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO investment_interest_events (interest_id, action, from_stage, to_stage, reason,
		actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)`, id, action, string(from), string(to), reason, actor, sqldb.At(now))
	if err != nil {
		return fmt.Errorf("interest %d event: %w", id, err)
	}
	return nil
}

// portfolioRound maps a financing round to the closest round of the
// directory's fund portfolio.
var portfolioRound = map[string]string{"seed": "angel", "angel": "angel", "pre-a": "pre-a", "a": "a", "b": "b",
	"c-plus": "c", "strategic": "strategic"}

// StepInterest takes pipeline step action on interest id. The firm
// accepts or declines an interest at 意向; the investor moves it to 投决 and
// records the investment (已投), which adds the row to the portfolio of
// the investor's fund when the investor owns one; either side terminates
// it with a reason. Someone who may not see the interest gets NotFound,
// the wrong party Forbidden, the wrong stage Conflict. The other party
// gets a notice.
func (s *Service) StepInterest(ctx context.Context, a account.Actor, id int64, action, reason string) (Interest, error) {
	st, ok := interestSteps[action]
	if !ok {
		return Interest{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	reason = normalizeText(reason)
	var out Interest
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		old, err := getInterest(ctx, tx, id)
		if err != nil {
			return err
		}
		if !seesInterest(a, old) {
			return apperr.New(apperr.NotFound, "market.interest.not_found")
		}
		p := partyOf(a, old)
		from, ok := st.from[p]
		if !ok {
			return apperr.New(apperr.Forbidden, "market.interest.not_your_step")
		}
		allowed := false
		for _, f := range from {
			allowed = allowed || f == old.Stage
		}
		if !allowed {
			return apperr.New(apperr.Conflict, "market.interest.wrong_stage", i18n.T(i18n.Chinese, "market.stage."+string(old.Stage)))
		}
		if st.reason {
			switch {
			case reason == "":
				return apperr.Fields(apperr.Field("reason", "error.required"))
			case utf8.RuneCountInString(reason) > maxInterestNote:
				return apperr.Fields(apperr.Field("reason", "error.too_long", maxInterestNote))
			}
		} else {
			reason = ""
		}
		fundID := old.FundID
		if st.to == StageInvested {
			if fundID, err = directory.RecordPortfolio(ctx, tx, a, old.InvestorID, directory.PortfolioEntry{Name: old.OwnerName,
				Round: portfolioRound[old.Round], Amount: old.Amount, InvestedOn: now.Format("2006-01-02"),
				Note: "科技大市场融资需求：" + old.ListingTitle}, now); err != nil {
				return err
			}
		}
		var fund any
		if fundID != 0 {
			fund = fundID
		}
		if _, err := tx.ExecContext(ctx, "UPDATE investment_interests SET stage = ?, reason = ?, fund_id = ?, updated_at = ? WHERE id = ?",
			st.to, reason, fund, sqldb.At(now), id); err != nil {
			return fmt.Errorf("interest %d to %s: %w", id, st.to, err)
		}
		if err := addInterestEvent(ctx, tx, id, action, old.Stage, st.to, reason, a.UserID, now); err != nil {
			return err
		}
		if out, err = getInterest(ctx, tx, id); err != nil {
			return err
		}
		to := out.OwnerID
		if p == byFirm {
			to = out.InvestorID
		}
		m := notice.Message{To: to, Kind: "investment." + action, Key: "market.interest.notice." + action,
			Args: []notice.Arg{notice.Text(out.ListingTitle)}, Link: interestLink(id), At: now}
		if reason != "" {
			m.Body = notice.Code("market.interest.reason", notice.Text(reason))
		}
		if err := notice.Send(ctx, tx, m); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "investment." + action, ObjectType: "investment_interest",
			ObjectID: idText(id), ObjectName: out.ListingTitle, RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	if err != nil {
		return Interest{}, err
	}
	out.Actions = interestActions(a, out)
	return out, nil
}

// GetInterest returns an interest with its history to its two parties and
// staff in scope; anyone else gets NotFound.
func (s *Service) GetInterest(ctx context.Context, a account.Actor, id int64) (Interest, error) {
	x, err := getInterest(ctx, s.db, id)
	if err != nil {
		return Interest{}, err
	}
	if !seesInterest(a, x) {
		return Interest{}, apperr.New(apperr.NotFound, "market.interest.not_found")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT e.action, e.from_stage, e.to_stage, e.reason, COALESCE(e.actor_id, 0),
		COALESCE(NULLIF(u.organization, ''), u.display_name, ''), e.at FROM investment_interest_events e
		LEFT JOIN users u ON u.id = e.actor_id WHERE e.interest_id = ? ORDER BY e.id`, id)
	if err != nil {
		return Interest{}, fmt.Errorf("interest %d history: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev InterestEvent
		var at sqldb.Time
		if err := rows.Scan(&ev.Action, &ev.From, &ev.To, &ev.Reason, &ev.ActorID, &ev.ActorName, &at); err != nil {
			return Interest{}, err
		}
		ev.At = at.Time
		x.Events = append(x.Events, ev)
	}
	if err := rows.Err(); err != nil {
		return Interest{}, err
	}
	x.Actions = interestActions(a, x)
	return x, nil
}

// InterestSide names the list FindInterests gives the actor without a
// listing, for pages to title it: "mine" for an investor, "incoming" for
// a firm, "scope" for staff and the administrator.
func InterestSide(a account.Actor) string {
	switch {
	case a.Role == account.RoleInvestor:
		return "mine"
	case CanOwn(a, Financing):
		return "incoming"
	}
	return "scope"
}

// CanInvest reports whether the actor takes part in the pipeline as an
// investor (for pages to offer the list of their interests).
func CanInvest(a account.Actor) bool { return a.Role == account.RoleInvestor && a.LoggedIn() }

// FindInterests lists interests as the actor may see them: with
// f.ListingID, those on one financing need (all of them for its owner and
// staff in scope, the caller's own for an investor; NotFound when the
// caller cannot see the listing); otherwise an investor's own, a firm's
// incoming, or those in staff's scope.
func (s *Service) FindInterests(ctx context.Context, a account.Actor, f InterestFilter) ([]Interest, int, error) {
	if !a.LoggedIn() {
		return nil, 0, apperr.New(apperr.Unauthenticated, "session.required")
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 || f.PerPage > 100 {
		f.PerPage = 20
	}
	var where []string
	var args []any
	staff := IsReviewer(a) || a.Role == account.RoleAdmin
	if f.ListingID != 0 {
		l, err := s.GetListing(ctx, a, f.ListingID)
		if err != nil {
			return nil, 0, err
		}
		if l.Kind != Financing {
			return nil, 0, apperr.New(apperr.NotFound, "market.listing_not_found")
		}
		where, args = append(where, "i.listing_id = ?"), append(args, l.ID)
		if !isOwner(a, l) && !canReview(a, l) && a.Role != account.RoleAdmin {
			where, args = append(where, "i.investor_id = ?"), append(args, a.UserID)
		}
	} else if staff {
		where, args = append(where, "i.region_code LIKE ?"), append(args, region.Prefix(a.Scope())+"%")
	} else {
		where, args = append(where, "(i.investor_id = ? OR l.owner_id = ?)"), append(args, a.UserID, a.UserID)
	}
	if f.Stage != "" {
		where, args = append(where, "i.stage = ?"), append(args, string(f.Stage))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*)"+interestFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count interests: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+interestColumns+interestFrom+cond+" ORDER BY i.updated_at DESC, i.id DESC LIMIT ? OFFSET ?",
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find interests: %w", err)
	}
	defer rows.Close()
	out := []Interest{}
	for rows.Next() {
		x, err := scanInterest(rows)
		if err != nil {
			return nil, 0, err
		}
		x.Actions = interestActions(a, x)
		out = append(out, x)
	}
	return out, total, rows.Err()
}
