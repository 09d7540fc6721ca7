package challenge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
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
	"kechuang/internal/workday"
)

// AppState is where an application is.
type AppState string

// The application states.
const (
	AppSubmitted AppState = "submitted" // awaiting 形式审查
	AppPassed    AppState = "passed"    // passed 形式审查: reviewed by the panel
	AppFailed    AppState = "failed"    // failed 形式审查, with the reason
	AppSelected  AppState = "selected"  // named in the 公示
)

// Member is one member of an applying team.
type Member struct {
	Name        string `json:"name"`
	Role        string `json:"role"`
	Affiliation string `json:"affiliation"`
}

// Milestone is one milestone an application commits to: it becomes a
// node of the project when the challenge is signed.
type Milestone struct {
	Name string       `json:"name"`
	Due  workday.Date `json:"due"`
}

// Application is one 揭榜 application. In a blind review a reviewer sees it
// without OrgName and team names (Blind is then true).
type Application struct {
	ID            int64        `json:"id"`
	ChallengeID   int64        `json:"challenge_id"`
	Seq           int          `json:"seq"` // 1, 2, … in order of submission: the label of a blind review
	ApplicantID   int64        `json:"-"`
	OrgName       string       `json:"org_name"`
	Team          []Member     `json:"team"`
	Proposal      string       `json:"proposal"`
	Budget        float64      `json:"budget"` // 万元
	Milestones    []Milestone  `json:"milestones"`
	AcceptedTerms bool         `json:"accepted_terms"`
	State         AppState     `json:"state"`
	CheckNote     string       `json:"check_note,omitempty"`
	SignedAt      time.Time    `json:"signed_at,omitzero"`
	Blind         bool         `json:"blind"`
	Attachments   []Attachment `json:"attachments"`
	CreatedAt     time.Time    `json:"created_at"`
	// Mine is true for the applicant's own application.
	Mine bool `json:"mine"`
}

// Attachment is a file of an application; Data is loaded only by
// GetAttachment.
type Attachment struct {
	ID            int64     `json:"id"`
	ApplicationID int64     `json:"application_id"`
	Filename      string    `json:"filename"`
	ContentType   string    `json:"content_type"`
	Size          int64     `json:"size"`
	CreatedAt     time.Time `json:"created_at"`
	Data          []byte    `json:"-"`
}

// MaxAttachments is how many files one application may carry; each is
// bounded as market attachments are (market.MaxAttachmentBytes).
const MaxAttachments = 5

// ApplicationInput is an application as submitted.
type ApplicationInput struct {
	OrgName       string      `json:"org_name"`
	Team          []Member    `json:"team"`
	Proposal      string      `json:"proposal"`
	Budget        float64     `json:"budget"`
	Milestones    []Milestone `json:"milestones"`
	AcceptedTerms bool        `json:"accepted_terms"`
}

const (
	maxTeam       = 30
	maxMilestones = 20
	maxName       = 64
)

// Validate trims and checks an application, all problems at once: the
// terms must be accepted, the milestones dated.
func (in *ApplicationInput) Validate() error {
	var c collect
	in.OrgName = strings.Join(strings.Fields(in.OrgName), " ")
	c.text("org_name", &in.OrgName, maxPublisher, true)
	c.text("proposal", &in.Proposal, maxLong, true)
	var team []Member
	for _, m := range in.Team {
		m.Name, m.Role, m.Affiliation = strings.TrimSpace(m.Name), strings.TrimSpace(m.Role), strings.TrimSpace(m.Affiliation)
		if m.Name != "" || m.Role != "" || m.Affiliation != "" {
			team = append(team, m)
		}
	}
	in.Team = team
	switch {
	case len(team) == 0:
		c.field("team", "error.required")
	case len(team) > maxTeam:
		c.field("team", "challenge.too_many", maxTeam)
	default:
		for i, m := range team {
			if m.Name == "" || utf8.RuneCountInString(m.Name) > maxName || utf8.RuneCountInString(m.Role) > maxName ||
				utf8.RuneCountInString(m.Affiliation) > maxPublisher || htmlTag.MatchString(m.Name+m.Role+m.Affiliation) {
				c.field("team", "challenge.line_invalid", i+1)
				break
			}
		}
	}
	if in.Budget <= 0 || in.Budget > maxBudget || in.Budget != in.Budget {
		c.field("budget", "challenge.budget_range", strconv.Itoa(maxBudget))
	}
	switch {
	case len(in.Milestones) == 0:
		c.field("milestones", "error.required")
	case len(in.Milestones) > maxMilestones:
		c.field("milestones", "challenge.too_many", maxMilestones)
	default:
		for i := range in.Milestones {
			m := &in.Milestones[i]
			m.Name = strings.TrimSpace(m.Name)
			if m.Name == "" || utf8.RuneCountInString(m.Name) > maxName || htmlTag.MatchString(m.Name) || m.Due.IsZero() {
				c.field("milestones", "challenge.line_invalid", i+1)
				break
			}
		}
	}
	if !in.AcceptedTerms {
		c.field("accepted_terms", "challenge.terms_not_accepted")
	}
	return c.err()
}

var sepRE = regexp.MustCompile(`\s*[,，;；|]\s*`)

// ParseTeam reads a team written one member a line as "姓名，职务，单位".
func ParseTeam(text string) []Member {
	var out []Member
	for _, l := range lines(text) {
		p := append(sepRE.Split(l, 3), "", "")
		out = append(out, Member{Name: p[0], Role: p[1], Affiliation: p[2]})
	}
	return out
}

// FormatTeam writes a team as ParseTeam reads it.
func FormatTeam(team []Member) string {
	var b strings.Builder
	for _, m := range team {
		fmt.Fprintf(&b, "%s，%s，%s\n", m.Name, m.Role, m.Affiliation)
	}
	return b.String()
}

// ParseMilestones reads milestones written one a line as "名称，YYYY-MM-DD";
// a line it cannot read is an Invalid error on field naming the line.
func ParseMilestones(field, text string) ([]Milestone, error) {
	var out []Milestone
	for i, l := range lines(text) {
		cut := strings.LastIndexAny(l, " ,，;；|\t")
		if cut < 0 {
			return nil, apperr.Fields(apperr.Field(field, "challenge.line_invalid", i+1))
		}
		rest := strings.TrimLeft(l[cut:], " ,，;；|\t")
		d, err := workday.ParseDate(strings.TrimSpace(rest))
		if err != nil {
			return nil, apperr.Fields(apperr.Field(field, "challenge.line_invalid", i+1))
		}
		out = append(out, Milestone{Name: strings.TrimRight(l[:cut], " ,，;；|\t"), Due: d})
	}
	return out, nil
}

// FormatMilestones writes milestones as ParseMilestones reads them.
func FormatMilestones(ms []Milestone) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s，%s\n", m.Name, m.Due)
	}
	return b.String()
}

const appColumns = `a.id, a.challenge_id, a.applicant_id, a.org_name, a.team, a.proposal, a.budget, a.milestones, a.accepted_terms,
	a.state, a.check_note, a.signed_at, a.created_at,
	(SELECT COUNT(*) FROM challenge_applications b WHERE b.challenge_id = a.challenge_id AND b.id <= a.id)`

func scanApplication(row rowScanner) (Application, error) {
	var app Application
	var team, ms string
	var signed, created sqldb.Time
	if err := row.Scan(&app.ID, &app.ChallengeID, &app.ApplicantID, &app.OrgName, &team, &app.Proposal, &app.Budget, &ms,
		&app.AcceptedTerms, &app.State, &app.CheckNote, &signed, &created, &app.Seq); err != nil {
		return Application{}, err
	}
	if err := json.Unmarshal([]byte(team), &app.Team); err != nil {
		return Application{}, fmt.Errorf("application %d team: %w", app.ID, err)
	}
	if err := json.Unmarshal([]byte(ms), &app.Milestones); err != nil {
		return Application{}, fmt.Errorf("application %d milestones: %w", app.ID, err)
	}
	app.SignedAt, app.CreatedAt = signed.Time, created.Time
	app.Attachments = []Attachment{}
	return app, nil
}

func getApplication(ctx context.Context, q sqldb.Querier, challengeID, id int64) (Application, error) {
	app, err := scanApplication(q.QueryRowContext(ctx, "SELECT "+appColumns+
		" FROM challenge_applications a WHERE a.id = ? AND a.challenge_id = ?", id, challengeID))
	if sqldb.IsNoRows(err) {
		return Application{}, notFound()
	}
	return app, err
}

func listApplications(ctx context.Context, q sqldb.Querier, challengeID int64) ([]Application, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+appColumns+" FROM challenge_applications a WHERE a.challenge_id = ? ORDER BY a.id",
		challengeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		app, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, app)
	}
	return out, rows.Err()
}

// appView is how one actor may see a challenge's applications.
type appView struct {
	staff    bool
	reviewer *Reviewer // the actor's seat on the panel, if any
}

func (s *Service) viewOf(ctx context.Context, q sqldb.Querier, a account.Actor, c Challenge) (appView, error) {
	v := appView{staff: manages(a, c)}
	if a.LoggedIn() {
		r, err := reviewerOf(ctx, q, c.ID, a.UserID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return v, err
		}
		if err == nil {
			v.reviewer = &r
		}
	}
	return v, nil
}

// sees reports whether the view may read the application: its applicant,
// staff in scope, or a reviewer of the panel once the review started, for
// the applications that passed the screening and with which the reviewer
// has no conflict (found or declared).
func (v appView) sees(a account.Actor, c Challenge, app Application) bool {
	if (a.LoggedIn() && app.ApplicantID == a.UserID) || v.staff {
		return true
	}
	r := v.reviewer
	return r != nil && c.Stage.after(Reviewing) && (app.State == AppPassed || app.State == AppSelected) && r.scores(app.ID)
}

// shown returns the application as the view shows it: blind to a reviewer
// when the challenge says so.
func (v appView) shown(a account.Actor, c Challenge, app Application) Application {
	app.Mine = a.LoggedIn() && app.ApplicantID == a.UserID
	if c.Blind && !app.Mine && !v.staff {
		app.Blind, app.OrgName = true, ""
		for i := range app.Team {
			app.Team[i].Name, app.Team[i].Affiliation = "", ""
		}
		app.Attachments = []Attachment{}
	}
	return app
}

// GetApplication returns an application the actor may see (its applicant,
// staff in the challenge's scope, the panel's reviewers without a
// conflict), with its attachments; anyone else gets NotFound.
func (s *Service) GetApplication(ctx context.Context, a account.Actor, challengeID, id int64) (Application, error) {
	c, err := s.challengeFor(ctx, s.db, a, challengeID)
	if err != nil {
		return Application{}, err
	}
	app, err := getApplication(ctx, s.db, challengeID, id)
	if err != nil {
		return Application{}, err
	}
	v, err := s.viewOf(ctx, s.db, a, c)
	if err != nil {
		return Application{}, err
	}
	if !v.sees(a, c, app) {
		return Application{}, notFound()
	}
	if app.Attachments, err = attachments(ctx, s.db, id); err != nil {
		return Application{}, err
	}
	return v.shown(a, c, app), nil
}

// FindApplications lists the applications of a challenge the actor may
// see (an applicant only its own).
func (s *Service) FindApplications(ctx context.Context, a account.Actor, challengeID int64) ([]Application, error) {
	c, err := s.challengeFor(ctx, s.db, a, challengeID)
	if err != nil {
		return nil, err
	}
	all, err := listApplications(ctx, s.db, challengeID)
	if err != nil {
		return nil, err
	}
	v, err := s.viewOf(ctx, s.db, a, c)
	if err != nil {
		return nil, err
	}
	out := []Application{}
	for _, app := range all {
		if v.sees(a, c, app) {
			out = append(out, v.shown(a, c, app))
		}
	}
	return out, nil
}

// CreateApplication applies to a published challenge before its deadline
// (Conflict otherwise): an enterprise or an institution, once per
// challenge, accepting the published terms.
func (s *Service) CreateApplication(ctx context.Context, a account.Actor, challengeID int64, in ApplicationInput) (Application, error) {
	if !CanApply(a) {
		return Application{}, apperr.New(apperr.Forbidden, "challenge.only_applicants")
	}
	if err := in.Validate(); err != nil {
		return Application{}, err
	}
	now := s.now()
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		c, err := s.challengeFor(ctx, tx, a, challengeID)
		if err != nil {
			return err
		}
		if !c.AcceptsApplications(workday.DateOf(now)) {
			return apperr.New(apperr.Conflict, "challenge.not_accepting")
		}
		if c.PublisherID == a.UserID {
			return apperr.New(apperr.Conflict, "challenge.own_challenge")
		}
		id, err = tx.InsertID(ctx, `INSERT INTO challenge_applications (challenge_id, applicant_id, org_name, team, proposal, budget,
			milestones, accepted_terms, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, a.UserID, in.OrgName, mustJSON(in.Team), in.Proposal, in.Budget, mustJSON(in.Milestones), true, AppSubmitted,
			sqldb.At(now), sqldb.At(now))
		if apperr.Is(err, apperr.Conflict) {
			return apperr.New(apperr.Conflict, "challenge.applied_already")
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge_application.apply", ObjectType: "challenge_application",
			ObjectID: idText(id), ObjectName: c.Title, RegionCode: c.RegionCode,
			After: map[string]any{"challenge_id": c.ID, "org_name": in.OrgName, "budget": in.Budget, "accepted_terms": true}})
	})
	if err != nil {
		return Application{}, err
	}
	return s.GetApplication(ctx, a, challengeID, id)
}

// CheckApplication records the 形式审查 of an application (staff in scope,
// while the challenge is in 形式审查): passed, or failed with the reason,
// which the applicant is told.
func (s *Service) CheckApplication(ctx context.Context, a account.Actor, challengeID, id int64, pass bool, note string) (Application, error) {
	var c collect
	c.text("note", &note, 500, !pass)
	if err := c.err(); err != nil {
		return Application{}, err
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		ch, err := s.challengeFor(ctx, tx, a, challengeID)
		if err != nil {
			return err
		}
		if !manages(a, ch) {
			return notFound()
		}
		if ch.Stage != Screening {
			return apperr.New(apperr.Conflict, "challenge.action_not_allowed")
		}
		app, err := getApplication(ctx, tx, challengeID, id)
		if err != nil {
			return err
		}
		state := AppFailed
		if pass {
			state = AppPassed
		}
		if _, err := tx.ExecContext(ctx, "UPDATE challenge_applications SET state = ?, check_note = ?, updated_at = ? WHERE id = ?",
			state, note, sqldb.At(now), id); err != nil {
			return err
		}
		if err := notice.Send(ctx, tx, notice.Message{To: app.ApplicantID, Kind: "challenge.check",
			Key: "challenge.notice.check_" + string(state), Args: []notice.Arg{notice.Text(ch.Title)},
			Link: "/challenges/" + idText(ch.ID) + "/applications/" + idText(id), At: now}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge_application.check", ObjectType: "challenge_application",
			ObjectID: idText(id), ObjectName: ch.Title, RegionCode: ch.RegionCode, Before: map[string]any{"state": app.State},
			After: map[string]any{"state": state, "note": note}})
	})
	if err != nil {
		return Application{}, err
	}
	return s.GetApplication(ctx, a, challengeID, id)
}

// SignApplication is the selected team's signature of the agreement on
// the published terms, once the 公示 is over: staff then sign the
// challenge (ActSign), which creates the project.
func (s *Service) SignApplication(ctx context.Context, a account.Actor, challengeID, id int64) (Application, error) {
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		ch, err := s.challengeFor(ctx, tx, a, challengeID)
		if err != nil {
			return err
		}
		app, err := getApplication(ctx, tx, challengeID, id)
		if err != nil || app.ApplicantID != a.UserID {
			return notFound()
		}
		if ch.Stage != Notice || app.State != AppSelected || !app.SignedAt.IsZero() {
			return apperr.New(apperr.Conflict, "challenge.action_not_allowed")
		}
		if !workday.DateOf(now).After(ch.NoticeUntil) {
			return apperr.New(apperr.Conflict, "challenge.notice_running", ch.NoticeUntil.String())
		}
		if _, err := tx.ExecContext(ctx, "UPDATE challenge_applications SET signed_at = ?, updated_at = ? WHERE id = ?",
			sqldb.At(now), sqldb.At(now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge_application.sign", ObjectType: "challenge_application",
			ObjectID: idText(id), ObjectName: ch.Title, RegionCode: ch.RegionCode, After: map[string]any{"signed_at": now}})
	})
	if err != nil {
		return Application{}, err
	}
	return s.GetApplication(ctx, a, challengeID, id)
}

// CanSign reports whether the actor, as the selected team, may sign now.
func (s *Service) CanSign(a account.Actor, c Challenge, app Application, today workday.Date) bool {
	return app.Mine && c.Stage == Notice && app.State == AppSelected && app.SignedAt.IsZero() && today.After(c.NoticeUntil)
}

func attachments(ctx context.Context, q sqldb.Querier, appID int64) ([]Attachment, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, application_id, filename, content_type, size, created_at FROM challenge_attachments
		WHERE application_id = ? ORDER BY id`, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		var at Attachment
		var created sqldb.Time
		if err := rows.Scan(&at.ID, &at.ApplicationID, &at.Filename, &at.ContentType, &at.Size, &created); err != nil {
			return nil, err
		}
		at.CreatedAt = created.Time
		out = append(out, at)
	}
	return out, rows.Err()
}

// AddAttachment attaches a file to the applicant's own application while
// the challenge takes applications, at most MaxAttachments, each checked
// as market attachments are (market.CheckAttachment).
func (s *Service) AddAttachment(ctx context.Context, a account.Actor, challengeID, appID int64, filename string, data []byte) (Attachment, error) {
	filename = filepath.Base(strings.TrimSpace(filename))
	ct, err := market.CheckAttachment(filename, data)
	if err != nil {
		return Attachment{}, err
	}
	now := s.now()
	var out Attachment
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		ch, err := s.challengeFor(ctx, tx, a, challengeID)
		if err != nil {
			return err
		}
		app, err := getApplication(ctx, tx, challengeID, appID)
		if err != nil || app.ApplicantID != a.UserID {
			return notFound()
		}
		if !ch.AcceptsApplications(workday.DateOf(now)) {
			return apperr.New(apperr.Conflict, "challenge.not_accepting")
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM challenge_attachments WHERE application_id = ?", appID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxAttachments {
			return apperr.Fields(apperr.Field("file", "challenge.attachments_too_many", MaxAttachments))
		}
		sum := sha256.Sum256(data)
		id, err := tx.InsertID(ctx, `INSERT INTO challenge_attachments (application_id, filename, content_type, size, sha256, data,
			created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, appID, filename, ct, len(data), hex.EncodeToString(sum[:]), data, sqldb.At(now))
		if err != nil {
			return err
		}
		out = Attachment{ID: id, ApplicationID: appID, Filename: filename, ContentType: ct, Size: int64(len(data)), CreatedAt: now}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge_application.attach", ObjectType: "challenge_application",
			ObjectID: idText(appID), ObjectName: filename, RegionCode: ch.RegionCode,
			After: map[string]any{"filename": filename, "size": len(data), "sha256": hex.EncodeToString(sum[:])}})
	})
	return out, err
}

// GetAttachment returns an attachment with its bytes to whoever may read
// its application unblinded (its applicant, staff in scope, reviewers of
// an open review).
func (s *Service) GetAttachment(ctx context.Context, a account.Actor, id int64) (Attachment, error) {
	var at Attachment
	var challengeID int64
	var created sqldb.Time
	err := s.db.QueryRowContext(ctx, `SELECT t.id, t.application_id, t.filename, t.content_type, t.size, t.data, t.created_at,
		a.challenge_id FROM challenge_attachments t JOIN challenge_applications a ON a.id = t.application_id WHERE t.id = ?`, id).Scan(
		&at.ID, &at.ApplicationID, &at.Filename, &at.ContentType, &at.Size, &at.Data, &created, &challengeID)
	if sqldb.IsNoRows(err) {
		return Attachment{}, notFound()
	}
	if err != nil {
		return Attachment{}, err
	}
	at.CreatedAt = created.Time
	app, err := s.GetApplication(ctx, a, challengeID, at.ApplicationID)
	if err != nil {
		return Attachment{}, err
	}
	if !slices.ContainsFunc(app.Attachments, func(x Attachment) bool { return x.ID == id }) {
		return Attachment{}, notFound()
	}
	return at, nil
}
