package challenge

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/directory"
	"kechuang/internal/notice"
	"kechuang/internal/project"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// ProjectType is the project library's type a signed challenge creates.
const ProjectType = "challenge"

// Deps are what a Service is built from.
type Deps struct {
	DB        *sqldb.DB
	Accounts  *account.Service
	Directory *directory.Service // the expert pool the panel is drawn from
	Projects  *project.Service   // where a signed challenge's project goes
	Calendar  *workday.Calendar  // the 公示期 counts working days
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service owns challenges, their applications, panels, scores and
// objections. Every method takes the acting user; a record outside its
// view is apperr.NotFound.
type Service struct {
	db        *sqldb.DB
	accounts  *account.Service
	directory *directory.Service
	projects  *project.Service
	cal       *workday.Calendar
	now       func() time.Time
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{db: d.DB, accounts: d.Accounts, directory: d.Directory, projects: d.Projects, cal: d.Calendar, now: d.Now}
}

func (s *Service) today() workday.Date { return workday.DateOf(s.now()) }

// Today is the current day in Beijing on the service's clock.
func (s *Service) Today() workday.Date { return s.today() }

func idText(id int64) string { return strconv.FormatInt(id, 10) }

func notFound() error { return apperr.New(apperr.NotFound, "challenge.not_found") }

// isGov reports whether the actor is bureau or county staff.
func isGov(a account.Actor) bool {
	return a.LoggedIn() && (a.Role == account.RoleStaff || a.Role == account.RoleCounty)
}

// manages reports whether the actor is staff in the challenge's scope:
// they review it, run its stages and read its applications.
func manages(a account.Actor, c Challenge) bool { return isGov(a) && a.InScope(c.RegionCode) }

// reads reports whether the actor may see the challenge: everyone once
// published, its author and the staff in scope before.
func reads(a account.Actor, c Challenge) bool {
	return c.Stage.Public() || manages(a, c) || (a.LoggedIn() && c.PublisherID == a.UserID)
}

// CanCreate reports whether the actor may draft a challenge: staff a 政府榜,
// an enterprise a 企业榜.
func (s *Service) CanCreate(a account.Actor) bool { return isGov(a) || CanApply(a) }

// KindFor is the kind of challenge the actor drafts.
func KindFor(a account.Actor) Kind {
	if isGov(a) {
		return KindGov
	}
	return KindEnterprise
}

// CanApply reports whether the actor may apply to challenges (揭榜): an
// enterprise or an institution.
func CanApply(a account.Actor) bool {
	return a.LoggedIn() && (a.Role == account.RoleEnterprise || a.Role == account.RoleInstitution)
}

// CanManage reports whether the actor runs the challenge.
func (s *Service) CanManage(a account.Actor, c Challenge) bool { return manages(a, c) }

// CanView reports whether the actor may open the challenge list: anyone.
func (s *Service) CanView(account.Actor) bool { return true }

// CanEdit reports whether the actor may change the challenge's terms: its
// author while it is a draft. Published terms never change.
func CanEdit(a account.Actor, c Challenge) bool {
	return c.Stage == Draft && a.LoggedIn() && c.PublisherID == a.UserID
}

// AcceptsApplications reports whether the challenge takes applications on
// day d.
func (c Challenge) AcceptsApplications(d workday.Date) bool {
	return c.Stage == Published && !d.After(c.ApplyUntil)
}

// NoticeOpen reports whether the 公示 takes objections on day d.
func (c Challenge) NoticeOpen(d workday.Date) bool {
	return c.Stage == Notice && !d.Before(c.NoticeFrom) && !d.After(c.NoticeUntil)
}

// stageActions lists the actions the actor may take on c now.
func stageActions(a account.Actor, c Challenge) []string {
	out := []string{}
	for _, act := range Actions {
		t := transitions[act]
		if !slices.Contains(t.from, c.Stage) {
			continue
		}
		switch {
		case act == ActSubmit:
			if !CanEdit(a, c) {
				continue
			}
		case !manages(a, c):
			continue
		case act == ActDefense && !c.Defense:
			continue
		case act == ActNotice && c.Defense && c.Stage == Reviewing:
			continue
		}
		out = append(out, act)
	}
	return out
}

const challengeColumns = `c.id, c.kind, c.title, c.problem, c.indicators, c.field, c.budget, c.period_months, c.eligibility,
	c.ip_terms, c.payment_terms, c.criteria, c.blind, c.defense, c.notice_days, c.apply_until, c.region_code,
	COALESCE(c.publisher_id, 0), c.publisher_name, c.stage, c.return_note, c.notice_from, c.notice_until,
	COALESCE(c.selected_id, 0), COALESCE(c.project_id, 0), c.published_at, c.created_at, c.updated_at`

type rowScanner interface{ Scan(...any) error }

func scanChallenge(row rowScanner) (Challenge, error) {
	var c Challenge
	var inds, crit string
	var published sqldb.Time
	var created, updated sqldb.Time
	err := row.Scan(&c.ID, &c.Kind, &c.Title, &c.Problem, &inds, &c.Field, &c.Budget, &c.PeriodMonths, &c.Eligibility,
		&c.IPTerms, &c.PaymentTerms, &crit, &c.Blind, &c.Defense, &c.NoticeDays, &c.ApplyUntil, &c.RegionCode,
		&c.PublisherID, &c.PublisherName, &c.Stage, &c.ReturnNote, &c.NoticeFrom, &c.NoticeUntil, &c.SelectedID,
		&c.ProjectID, &published, &created, &updated)
	if err != nil {
		return Challenge{}, err
	}
	if err := json.Unmarshal([]byte(inds), &c.Indicators); err != nil {
		return Challenge{}, fmt.Errorf("challenge %d indicators: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(crit), &c.Criteria); err != nil {
		return Challenge{}, fmt.Errorf("challenge %d criteria: %w", c.ID, err)
	}
	c.PublishedAt, c.CreatedAt, c.UpdatedAt = published.Time, created.Time, updated.Time
	return c, nil
}

func getChallenge(ctx context.Context, q sqldb.Querier, id int64) (Challenge, error) {
	c, err := scanChallenge(q.QueryRowContext(ctx, "SELECT "+challengeColumns+" FROM challenges c WHERE c.id = ?", id))
	if sqldb.IsNoRows(err) {
		return Challenge{}, notFound()
	}
	return c, err
}

// challengeFor returns the challenge if the actor may see it.
func (s *Service) challengeFor(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (Challenge, error) {
	c, err := getChallenge(ctx, q, id)
	if err != nil {
		return Challenge{}, err
	}
	if !reads(a, c) {
		return Challenge{}, notFound()
	}
	c.Actions = stageActions(a, c)
	return c, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs and slices always marshal
	}
	return string(b)
}

func (c Challenge) auditView() map[string]any {
	return map[string]any{"kind": c.Kind, "title": c.Title, "field": c.Field, "budget": c.Budget, "period_months": c.PeriodMonths,
		"criteria": c.Criteria, "blind": c.Blind, "defense": c.Defense, "notice_days": c.NoticeDays, "apply_until": c.ApplyUntil,
		"ip_terms": c.IPTerms, "payment_terms": c.PaymentTerms, "stage": c.Stage}
}

// publisherName is the organisation the actor's account names.
func (s *Service) publisherName(ctx context.Context, a account.Actor) string {
	u, err := s.accounts.GetUser(ctx, account.System, a.UserID)
	if err != nil || u.Organization == "" {
		return a.DisplayName
	}
	return u.Organization
}

// CreateChallenge drafts a challenge: staff a 政府榜 of their region, an
// enterprise a 企业榜 of its own region (the kind follows the actor). Bad
// fields come back together as Invalid.
func (s *Service) CreateChallenge(ctx context.Context, a account.Actor, in Input) (Challenge, error) {
	if !s.CanCreate(a) {
		return Challenge{}, apperr.New(apperr.Forbidden, "challenge.only_publishers")
	}
	in.Kind = KindFor(a)
	if err := in.Validate(); err != nil {
		return Challenge{}, err
	}
	if !region.ValidCode(a.Region) || region.LevelOf(a.Region) == region.Province {
		return Challenge{}, apperr.New(apperr.Invalid, "challenge.region_missing")
	}
	if in.PublisherName == "" {
		in.PublisherName = s.publisherName(ctx, a)
	}
	now := s.now()
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO challenges (kind, title, problem, indicators, field, budget, period_months,
			eligibility, ip_terms, payment_terms, criteria, blind, defense, notice_days, apply_until, region_code, publisher_id,
			publisher_name, stage, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.Kind, in.Title, in.Problem, mustJSON(in.Indicators), in.Field, in.Budget, in.PeriodMonths, in.Eligibility,
			in.IPTerms, in.PaymentTerms, mustJSON(in.Criteria), in.Blind, in.Defense, in.NoticeDays, in.ApplyUntil, a.Region,
			a.UserID, in.PublisherName, Draft, sqldb.At(now), sqldb.At(now))
		if err != nil {
			return err
		}
		c, err := getChallenge(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge.create", ObjectType: "challenge", ObjectID: idText(id),
			ObjectName: c.Title, RegionCode: c.RegionCode, After: c.auditView()})
	})
	if err != nil {
		return Challenge{}, err
	}
	return s.GetChallenge(ctx, a, id)
}

// UpdateChallenge changes a draft's terms (its author only; a published
// challenge's terms are fixed: Conflict).
func (s *Service) UpdateChallenge(ctx context.Context, a account.Actor, id int64, in Input) (Challenge, error) {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		c, err := s.challengeFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if c.PublisherID != a.UserID {
			return apperr.New(apperr.Forbidden, "challenge.only_author")
		}
		if c.Stage != Draft {
			return apperr.New(apperr.Conflict, "challenge.terms_fixed")
		}
		in.Kind = c.Kind
		if err := in.Validate(); err != nil {
			return err
		}
		if in.PublisherName == "" {
			in.PublisherName = c.PublisherName
		}
		if _, err := tx.ExecContext(ctx, `UPDATE challenges SET title = ?, problem = ?, indicators = ?, field = ?, budget = ?,
			period_months = ?, eligibility = ?, ip_terms = ?, payment_terms = ?, criteria = ?, blind = ?, defense = ?,
			notice_days = ?, apply_until = ?, publisher_name = ?, updated_at = ? WHERE id = ?`,
			in.Title, in.Problem, mustJSON(in.Indicators), in.Field, in.Budget, in.PeriodMonths, in.Eligibility, in.IPTerms,
			in.PaymentTerms, mustJSON(in.Criteria), in.Blind, in.Defense, in.NoticeDays, in.ApplyUntil, in.PublisherName,
			sqldb.At(s.now()), id); err != nil {
			return err
		}
		after, err := getChallenge(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge.update", ObjectType: "challenge", ObjectID: idText(id),
			ObjectName: after.Title, RegionCode: c.RegionCode, Before: c.auditView(), After: after.auditView()})
	})
	if err != nil {
		return Challenge{}, err
	}
	return s.GetChallenge(ctx, a, id)
}

// GetChallenge returns a challenge the actor may see, with its stage
// history and the actions the actor may take.
func (s *Service) GetChallenge(ctx context.Context, a account.Actor, id int64) (Challenge, error) {
	c, err := s.challengeFor(ctx, s.db, a, id)
	if err != nil {
		return Challenge{}, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT action, stage_from, stage_to, note, actor_name, at FROM challenge_steps
		WHERE challenge_id = ? ORDER BY id`, id)
	if err != nil {
		return Challenge{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var st Step
		var at sqldb.Time
		if err := rows.Scan(&st.Action, &st.From, &st.To, &st.Note, &st.ActorName, &at); err != nil {
			return Challenge{}, err
		}
		st.At = at.Time
		c.Steps = append(c.Steps, st)
	}
	return c, rows.Err()
}

// FindChallenges lists the challenges the actor sees, newest first: the
// published ones, plus the drafts the actor wrote or reviews.
func (s *Service) FindChallenges(ctx context.Context, a account.Actor, f Filter) ([]Challenge, int, error) {
	if f.PerPage < 1 || f.PerPage > 100 {
		f.PerPage = 20
	}
	if f.Page < 1 {
		f.Page = 1
	}
	vis := []string{"c.stage NOT IN ('draft', 'review')"}
	var args []any
	if a.LoggedIn() {
		vis = append(vis, "c.publisher_id = ?")
		args = append(args, a.UserID)
	}
	if isGov(a) {
		vis = append(vis, "c.region_code LIKE ?")
		args = append(args, region.Prefix(a.Scope())+"%")
	}
	where := []string{"(" + strings.Join(vis, " OR ") + ")"}
	if f.Query != "" {
		where, args = append(where, "c.title LIKE ?"), append(args, "%"+f.Query+"%")
	}
	if f.Kind != "" {
		where, args = append(where, "c.kind = ?"), append(args, f.Kind)
	}
	if f.Stage != "" {
		where, args = append(where, "c.stage = ?"), append(args, f.Stage)
	}
	if f.Mine {
		where, args = append(where, `(c.publisher_id = ? OR EXISTS (SELECT 1 FROM challenge_applications x
			WHERE x.challenge_id = c.id AND x.applicant_id = ?) OR EXISTS (SELECT 1 FROM challenge_reviewers r
			WHERE r.challenge_id = c.id AND r.user_id = ?))`), append(args, a.UserID, a.UserID, a.UserID)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM challenges c WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+challengeColumns+" FROM challenges c WHERE "+cond+
		" ORDER BY c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?", append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Challenge{}
	for rows.Next() {
		c, err := scanChallenge(rows)
		if err != nil {
			return nil, 0, err
		}
		c.Actions = stageActions(a, c)
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// StepInput is what a stage action takes besides its name.
type StepInput struct {
	Note string `json:"note"`
	// ApplicationID names the selected application (notice).
	ApplicationID int64 `json:"application_id"`
	// UnitID is the project's responsible unit (sign).
	UnitID int64 `json:"unit_id"`
}

// Step takes a stage action on a challenge. The author submits a draft;
// the staff in its scope take every other action. Each action checks its
// stage's rules (Conflict when they do not hold): applications are all
// screened before the review, the panel has a reviewer, the notice names
// an application that passed, signing waits for the end of the 公示, the
// answers to every objection and the selected team's signature, and
// creates the project; 实施 starts it and 验收 completes it. Each step is
// recorded with its date, audit row and notices.
func (s *Service) Step(ctx context.Context, a account.Actor, id int64, action string, in StepInput) (Challenge, error) {
	t, ok := transitions[action]
	if !ok {
		return Challenge{}, apperr.New(apperr.Invalid, "challenge.action_unknown")
	}
	var c collect
	c.text("note", &in.Note, 500, action == ActReturn)
	if err := c.err(); err != nil {
		return Challenge{}, err
	}
	now := s.now()
	today := workday.DateOf(now)
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		ch, err := s.challengeFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !slices.Contains(ch.Actions, action) {
			if !slices.Contains(t.from, ch.Stage) {
				return apperr.New(apperr.Conflict, "challenge.action_not_allowed")
			}
			return apperr.New(apperr.Forbidden, "challenge.only_staff")
		}
		set := []string{"stage = ?", "updated_at = ?"}
		args := []any{t.to, sqldb.At(now)}
		after := map[string]any{"stage": t.to}
		switch action {
		case ActSubmit:
			set = append(set, "return_note = ''")
		case ActReturn:
			set, args = append(set, "return_note = ?"), append(args, in.Note)
		case ActApprove:
			if ch.ApplyUntil.Before(today) {
				return apperr.New(apperr.Conflict, "challenge.apply_until_past")
			}
			set, args = append(set, "published_at = ?"), append(args, sqldb.At(now))
		case ActReview:
			if err := s.readyForReview(ctx, tx, ch.ID); err != nil {
				return err
			}
		case ActDefense:
			if err := s.allScored(ctx, tx, ch); err != nil {
				return err
			}
		case ActNotice:
			if err := s.allScored(ctx, tx, ch); err != nil {
				return err
			}
			if err := checkSelectable(ctx, tx, ch.ID, in.ApplicationID); err != nil {
				return err
			}
			until, _ := cultivation.NoticeUntil(s.cal, today, ch.NoticeDays)
			set, args = append(set, "notice_from = ?", "notice_until = ?", "selected_id = ?"), append(args, today, until, in.ApplicationID)
			after["notice_from"], after["notice_until"], after["selected_id"] = today.String(), until.String(), in.ApplicationID
			if _, err := tx.ExecContext(ctx, "UPDATE challenge_applications SET state = ?, updated_at = ? WHERE id = ?",
				AppSelected, sqldb.At(now), in.ApplicationID); err != nil {
				return err
			}
		case ActSign:
			pid, err := s.sign(ctx, tx, a, ch, in.UnitID, today)
			if err != nil {
				return err
			}
			set, args = append(set, "project_id = ?"), append(args, pid)
			after["project_id"] = pid
		case ActImplement:
			if _, err := s.projects.TransitionTx(ctx, tx, a, ch.ProjectID, project.ActStart, ""); err != nil {
				return err
			}
		case ActAccept:
			if _, err := s.projects.TransitionTx(ctx, tx, a, ch.ProjectID, project.ActComplete, in.Note); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE challenges SET "+strings.Join(set, ", ")+" WHERE id = ?", append(args, id)...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO challenge_steps (challenge_id, action, stage_from, stage_to, note, actor_id,
			actor_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, action, ch.Stage, t.to, in.Note, a.UserID, actorName(a),
			sqldb.At(now)); err != nil {
			return err
		}
		if err := s.tellStep(ctx, tx, ch, action, in, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge." + action, ObjectType: "challenge",
			ObjectID: idText(id), ObjectName: ch.Title, RegionCode: ch.RegionCode, Before: map[string]any{"stage": ch.Stage},
			After: after})
	})
	if err != nil {
		return Challenge{}, err
	}
	return s.GetChallenge(ctx, a, id)
}

func actorName(a account.Actor) string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.Username
}

// readyForReview checks that every application was screened, one passed
// and the panel has a reviewer.
func (s *Service) readyForReview(ctx context.Context, q sqldb.Querier, id int64) error {
	var open, passed, panel int
	if err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM challenge_applications WHERE challenge_id = ? AND state = 'submitted'),
		(SELECT COUNT(*) FROM challenge_applications WHERE challenge_id = ? AND state = 'passed'),
		(SELECT COUNT(*) FROM challenge_reviewers WHERE challenge_id = ?)`, id, id, id).Scan(&open, &passed, &panel); err != nil {
		return err
	}
	switch {
	case open > 0:
		return apperr.New(apperr.Conflict, "challenge.unscreened", open)
	case passed == 0:
		return apperr.New(apperr.Conflict, "challenge.none_passed")
	case panel == 0:
		return apperr.New(apperr.Conflict, "challenge.no_panel")
	}
	return nil
}

// allScored checks that every application that passed has a score.
func (s *Service) allScored(ctx context.Context, q sqldb.Querier, c Challenge) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM challenge_applications a WHERE a.challenge_id = ?
		AND a.state = 'passed' AND NOT EXISTS (SELECT 1 FROM challenge_scores s WHERE s.application_id = a.id)`, c.ID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return apperr.New(apperr.Conflict, "challenge.unscored", n)
	}
	return nil
}

func checkSelectable(ctx context.Context, q sqldb.Querier, challengeID, appID int64) error {
	var state string
	err := q.QueryRowContext(ctx, "SELECT state FROM challenge_applications WHERE id = ? AND challenge_id = ?", appID, challengeID).Scan(&state)
	if sqldb.IsNoRows(err) || (err == nil && state != string(AppPassed)) {
		return apperr.Fields(apperr.Field("application_id", "challenge.select_passed"))
	}
	return err
}

// sign checks that the challenge may be signed and creates its project
// from the selected application: the milestones are the application's.
func (s *Service) sign(ctx context.Context, tx *sqldb.Tx, a account.Actor, c Challenge, unitID int64, today workday.Date) (int64, error) {
	if !today.After(c.NoticeUntil) {
		return 0, apperr.New(apperr.Conflict, "challenge.notice_running", c.NoticeUntil.String())
	}
	var open int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM challenge_objections WHERE challenge_id = ? AND answered_at IS NULL",
		c.ID).Scan(&open); err != nil {
		return 0, err
	}
	if open > 0 {
		return 0, apperr.New(apperr.Conflict, "challenge.objections_open", open)
	}
	app, err := getApplication(ctx, tx, c.ID, c.SelectedID)
	if err != nil {
		return 0, err
	}
	if app.SignedAt.IsZero() {
		return 0, apperr.New(apperr.Conflict, "challenge.team_not_signed")
	}
	if unitID == 0 {
		return 0, apperr.Fields(apperr.Field("unit_id", "error.required"))
	}
	end := today.AddMonths(c.PeriodMonths)
	var ms []project.MilestoneInput
	for _, m := range app.Milestones {
		ms = append(ms, project.MilestoneInput{Name: m.Name, PlannedDate: m.Due, Owner: app.OrgName})
		if m.Due.After(end) {
			end = m.Due
		}
	}
	team := []project.TeamMember{}
	for i, m := range app.Team {
		if i == 30 {
			break
		}
		team = append(team, project.TeamMember{Name: m.Name, Title: m.Role})
	}
	p, err := s.projects.CreateSelectedTx(ctx, tx, a, project.ProjectInput{Type: ProjectType, Name: c.Title, RegionCode: c.RegionCode,
		UnitID: unitID, Team: team, TotalInvestment: app.Budget, PlannedStart: today, PlannedEnd: end,
		Description: "揭榜方：" + app.OrgName + "\n" + c.Problem, Milestones: ms}, "揭榜挂帅签约："+c.Title)
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}

// tellStep sends the notices of a stage step: the author hears of the
// review of a 榜单, every applicant of the 公示 and its outcome, the
// selected team of the signing.
func (s *Service) tellStep(ctx context.Context, tx *sqldb.Tx, c Challenge, action string, in StepInput, now time.Time) error {
	link := "/challenges/" + idText(c.ID)
	switch action {
	case ActApprove, ActReturn:
		if c.PublisherID == 0 {
			return nil
		}
		var body notice.Arg
		if in.Note != "" {
			body = notice.Code("challenge.notice.reason", notice.Text(in.Note))
		}
		return notice.Send(ctx, tx, notice.Message{To: c.PublisherID, Kind: "challenge." + action,
			Key: "challenge.notice." + action, Args: []notice.Arg{notice.Text(c.Title)}, Body: body, Link: link, At: now})
	case ActNotice, ActSign:
		apps, err := applicantsOf(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		for _, ap := range apps {
			key := "challenge.notice.not_selected"
			if ap.id == in.ApplicationID || (action == ActSign && ap.id == c.SelectedID) {
				key = "challenge.notice.selected"
			}
			if action == ActSign {
				if ap.id != c.SelectedID {
					continue
				}
				key = "challenge.notice.signed"
			}
			if err := notice.Send(ctx, tx, notice.Message{To: ap.user, Kind: "challenge." + action, Key: key,
				Args: []notice.Arg{notice.Text(c.Title)}, Link: link, At: now}); err != nil {
				return err
			}
		}
	}
	return nil
}

type applicantRef struct{ id, user int64 }

func applicantsOf(ctx context.Context, q sqldb.Querier, challengeID int64) ([]applicantRef, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, applicant_id FROM challenge_applications WHERE challenge_id = ? ORDER BY id", challengeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []applicantRef
	for rows.Next() {
		var r applicantRef
		if err := rows.Scan(&r.id, &r.user); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
