package challenge

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/directory"
	"kechuang/internal/market"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

// ReviewerRole is the directory's expert role of the review pool (评审专家).
const ReviewerRole = "reviewer"

// The conflict-of-interest codes found automatically.
const (
	ConflictApplicant     = "applicant"      // the reviewer's own account applied
	ConflictInstitution   = "institution"    // same institution or enterprise as the applicant or a team member
	ConflictDeal          = "deal"           // a signed deal between the reviewer and the applicant in the market
	ConflictCoApplication = "co_application" // the reviewer is on a team of the applicant's applications
)

// Reviewer is one seat of a challenge's panel: an expert of the directory
// with an account. Flags are the conflicts found with each application
// (by application id); a reviewer does not score or see those, nor any
// once they declared a conflict.
type Reviewer struct {
	ID          int64              `json:"id"`
	ExpertID    int64              `json:"expert_id"`
	UserID      int64              `json:"-"`
	Name        string             `json:"name"`
	Affiliation string             `json:"affiliation"`
	Flags       map[int64][]string `json:"-"`
	// Conflicts lists Flags by application, for the API.
	Conflicts   []ConflictFlag `json:"conflicts"`
	Declared    bool           `json:"declared"`
	Conflict    bool           `json:"conflict"`
	Declaration string         `json:"declaration,omitempty"`
	DeclaredAt  time.Time      `json:"declared_at,omitzero"`
	// Scored counts the applications the reviewer scored.
	Scored int `json:"scored"`
}

// ConflictFlag is the conflicts found between a reviewer and one
// application.
type ConflictFlag struct {
	ApplicationID int64    `json:"application_id"`
	Codes         []string `json:"codes"`
}

// scores reports whether the reviewer may see and score the application.
func (r Reviewer) scores(appID int64) bool {
	return r.Declared && !r.Conflict && len(r.Flags[appID]) == 0
}

// Scores reports whether the reviewer may see and score the application.
func (r Reviewer) Scores(appID int64) bool { return r.scores(appID) }

const reviewerColumns = `r.id, r.expert_id, r.user_id, r.name, r.affiliation, r.flags, r.declared, r.conflict, r.declaration,
	r.declared_at, (SELECT COUNT(*) FROM challenge_scores s WHERE s.reviewer_id = r.id)`

func scanReviewer(row rowScanner) (Reviewer, error) {
	var r Reviewer
	var flags string
	var declared sqldb.Time
	if err := row.Scan(&r.ID, &r.ExpertID, &r.UserID, &r.Name, &r.Affiliation, &flags, &r.Declared, &r.Conflict, &r.Declaration,
		&declared, &r.Scored); err != nil {
		return Reviewer{}, err
	}
	var raw map[string][]string
	if err := json.Unmarshal([]byte(flags), &raw); err != nil {
		return Reviewer{}, fmt.Errorf("reviewer %d flags: %w", r.ID, err)
	}
	r.Flags, r.Conflicts = map[int64][]string{}, []ConflictFlag{}
	for k, v := range raw {
		id, _ := strconv.ParseInt(k, 10, 64)
		r.Flags[id] = v
		r.Conflicts = append(r.Conflicts, ConflictFlag{ApplicationID: id, Codes: v})
	}
	sort.Slice(r.Conflicts, func(i, j int) bool { return r.Conflicts[i].ApplicationID < r.Conflicts[j].ApplicationID })
	r.DeclaredAt = declared.Time
	return r, nil
}

func reviewerOf(ctx context.Context, q sqldb.Querier, challengeID, userID int64) (Reviewer, error) {
	r, err := scanReviewer(q.QueryRowContext(ctx, "SELECT "+reviewerColumns+
		" FROM challenge_reviewers r WHERE r.challenge_id = ? AND r.user_id = ?", challengeID, userID))
	if sqldb.IsNoRows(err) {
		return Reviewer{}, notFound()
	}
	return r, err
}

func panelOf(ctx context.Context, q sqldb.Querier, challengeID int64) ([]Reviewer, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+reviewerColumns+" FROM challenge_reviewers r WHERE r.challenge_id = ? ORDER BY r.id",
		challengeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Reviewer{}
	for rows.Next() {
		r, err := scanReviewer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// normOrg reduces an organisation's name for comparison.
func normOrg(s string) string {
	s = strings.Join(strings.Fields(s), "")
	s = strings.NewReplacer("（演示）", "", "(演示)", "", "（", "(", "）", ")").Replace(s)
	return strings.ToLower(s)
}

// Conflicts returns the conflict codes between an expert (with its
// account) and an application: the expert applied; the expert's
// institution is the applicant's or a team member's; they signed a deal
// in the market; the expert is on a team of the applicant's
// applications (teams lists the teams of all of them).
func Conflicts(e directory.Expert, app Application, teams [][]Member, dealt bool) []string {
	var out []string
	if e.AccountID != 0 && e.AccountID == app.ApplicantID {
		out = append(out, ConflictApplicant)
	}
	if aff := normOrg(e.Affiliation); aff != "" {
		same := aff == normOrg(app.OrgName)
		for _, m := range app.Team {
			same = same || aff == normOrg(m.Affiliation)
		}
		if same {
			out = append(out, ConflictInstitution)
		}
	}
	if dealt {
		out = append(out, ConflictDeal)
	}
	for _, team := range teams {
		if slices.ContainsFunc(team, func(m Member) bool { return m.Name == e.Name }) {
			out = append(out, ConflictCoApplication)
			break
		}
	}
	return out
}

// fieldMatch rates how well an expert's disciplines and interests match
// the challenge's field: 2 a discipline, 1 a keyword or the research, 0
// none.
func fieldMatch(e directory.Expert, field string) int {
	if slices.Contains(e.Disciplines, field) {
		return 2
	}
	for _, k := range e.Keywords {
		if strings.Contains(k, field) || strings.Contains(field, k) {
			return 1
		}
	}
	if strings.Contains(e.Research, field) {
		return 1
	}
	return 0
}

// MaxPanel bounds a panel's size.
const MaxPanel = 15

// DrawPanel draws the challenge's review panel from the directory's
// 评审专家 that have an account (staff link an expert's record to a user
// account on the directory's expert page), replacing a panel that has not
// scored yet. Region rule: experts of the challenge's city only, and for
// a county's challenge those from outside the county first. Field rule:
// experts whose discipline, keywords or research match the challenge's
// field first. Conflicts with each application are found and stored, and
// experts with fewer conflicts go first. Staff in scope, while the
// applications are closed or being screened; each reviewer is told.
func (s *Service) DrawPanel(ctx context.Context, a account.Actor, challengeID int64, size int) ([]Reviewer, error) {
	if size < 1 || size > MaxPanel {
		return nil, apperr.Fields(apperr.Field("size", "challenge.panel_size", MaxPanel))
	}
	c, err := s.challengeFor(ctx, s.db, a, challengeID)
	if err != nil {
		return nil, err
	}
	if !manages(a, c) {
		return nil, notFound()
	}
	if c.Stage != Closed && c.Stage != Screening {
		return nil, apperr.New(apperr.Conflict, "challenge.action_not_allowed")
	}
	// The pool is the whole city's: it is read as the city's bureau staff
	// see it, since a county's staff draw from experts they do not manage.
	city := c.RegionCode[:4]
	pool := account.Actor{UserID: a.UserID, Username: a.Username, Role: account.RoleStaff, Region: city + "00"}
	experts, _, err := s.directory.FindExperts(ctx, pool, directory.ExpertFilter{Role: ReviewerRole,
		Paging: directory.Paging{PerPage: 200}})
	if err != nil {
		return nil, err
	}
	apps, err := listApplications(ctx, s.db, challengeID)
	if err != nil {
		return nil, err
	}
	teams := map[int64][][]Member{}
	for _, app := range apps {
		if _, ok := teams[app.ApplicantID]; ok {
			continue
		}
		if teams[app.ApplicantID], err = teamsOf(ctx, s.db, app.ApplicantID); err != nil {
			return nil, err
		}
	}
	type candidate struct {
		e     directory.Expert
		match int
		local bool
		flags map[string][]string
		n     int
	}
	var cands []candidate
	for _, e := range experts {
		if e.AccountID == 0 || !strings.HasPrefix(e.RegionCode, city) {
			continue
		}
		cd := candidate{e: e, match: fieldMatch(e, c.Field), local: c.RegionCode != city+"00" && e.RegionCode == c.RegionCode,
			flags: map[string][]string{}}
		for _, app := range apps {
			dealt, err := market.HaveDealt(ctx, s.db, e.AccountID, app.ApplicantID)
			if err != nil {
				return nil, err
			}
			if f := Conflicts(e, app, teams[app.ApplicantID], dealt); len(f) > 0 {
				cd.flags[idText(app.ID)], cd.n = f, cd.n+1
			}
		}
		cands = append(cands, cd)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		x, y := cands[i], cands[j]
		switch {
		case x.match != y.match:
			return x.match > y.match
		case x.n != y.n:
			return x.n < y.n
		case x.local != y.local:
			return !x.local
		}
		return x.e.ID < y.e.ID
	})
	if len(cands) == 0 {
		return nil, apperr.New(apperr.Conflict, "challenge.no_reviewers")
	}
	if len(cands) > size {
		cands = cands[:size]
	}
	now := s.now()
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var scored int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM challenge_scores s JOIN challenge_reviewers r ON r.id = s.reviewer_id
			WHERE r.challenge_id = ?`, c.ID).Scan(&scored); err != nil {
			return err
		}
		if scored > 0 {
			return apperr.New(apperr.Conflict, "challenge.panel_scored")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM challenge_reviewers WHERE challenge_id = ?", c.ID); err != nil {
			return err
		}
		var names []string
		for _, cd := range cands {
			if _, err := tx.ExecContext(ctx, `INSERT INTO challenge_reviewers (challenge_id, expert_id, user_id, name, affiliation,
				flags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ID, cd.e.ID, cd.e.AccountID, cd.e.Name, cd.e.Affiliation,
				mustJSON(cd.flags), sqldb.At(now)); err != nil {
				return err
			}
			names = append(names, cd.e.Name)
			if err := notice.Send(ctx, tx, notice.Message{To: cd.e.AccountID, Kind: "challenge.panel", Key: "challenge.notice.panel",
				Args: []notice.Arg{notice.Text(c.Title)}, Link: "/challenges/" + idText(c.ID) + "/review", At: now}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge_panel.draw", ObjectType: "challenge",
			ObjectID: idText(c.ID), ObjectName: c.Title, RegionCode: c.RegionCode,
			After: map[string]any{"reviewers": names, "size": size}})
	})
	if err != nil {
		return nil, err
	}
	return panelOf(ctx, s.db, c.ID)
}

// teamsOf returns the teams of every application the user made.
func teamsOf(ctx context.Context, q sqldb.Querier, userID int64) ([][]Member, error) {
	rows, err := q.QueryContext(ctx, "SELECT team FROM challenge_applications WHERE applicant_id = ?", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]Member
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var team []Member
		if err := json.Unmarshal([]byte(raw), &team); err != nil {
			return nil, err
		}
		out = append(out, team)
	}
	return out, rows.Err()
}

// Declare records a reviewer's own declaration before scoring: no
// conflict, or a conflict with its reason, which withdraws the reviewer
// from the challenge. Once only; the panel's reviewers only.
func (s *Service) Declare(ctx context.Context, a account.Actor, challengeID int64, conflict bool, text string) (Reviewer, error) {
	var c collect
	c.text("declaration", &text, 500, conflict)
	if err := c.err(); err != nil {
		return Reviewer{}, err
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		ch, err := s.challengeFor(ctx, tx, a, challengeID)
		if err != nil {
			return err
		}
		r, err := reviewerOf(ctx, tx, challengeID, a.UserID)
		if err != nil {
			return err
		}
		if r.Declared || !ch.Stage.after(Screening) || ch.Stage.after(Notice) {
			return apperr.New(apperr.Conflict, "challenge.declared_already")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE challenge_reviewers SET declared = ?, conflict = ?, declaration = ?, declared_at = ?
			WHERE id = ?`, true, conflict, text, sqldb.At(now), r.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge_panel.declare", ObjectType: "challenge",
			ObjectID: idText(ch.ID), ObjectName: ch.Title, RegionCode: ch.RegionCode,
			After: map[string]any{"reviewer": r.Name, "conflict": conflict, "declaration": text}})
	})
	if err != nil {
		return Reviewer{}, err
	}
	return reviewerOf(ctx, s.db, challengeID, a.UserID)
}

// ScoreInput is a reviewer's scorecard of one application: one score
// (0–100) per criterion of the scheme, in its order.
type ScoreInput struct {
	ApplicationID int64     `json:"application_id"`
	Scores        []float64 `json:"scores"`
	Comment       string    `json:"comment"`
}

// Score is a submitted scorecard.
type Score struct {
	ReviewerID    int64     `json:"reviewer_id"`
	Reviewer      string    `json:"reviewer"`
	ApplicationID int64     `json:"application_id"`
	Scores        []float64 `json:"scores"`
	Total         float64   `json:"total"`
	Comment       string    `json:"comment"`
	CreatedAt     time.Time `json:"created_at"`
}

// SubmitScore records (or replaces) the reviewer's scorecard of an
// application during the 专家评审 or 答辩: a declared reviewer without a
// conflict with it, one score per criterion.
func (s *Service) SubmitScore(ctx context.Context, a account.Actor, challengeID int64, in ScoreInput) (Score, error) {
	var c collect
	c.text("comment", &in.Comment, 1000, false)
	if err := c.err(); err != nil {
		return Score{}, err
	}
	now := s.now()
	var out Score
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		ch, err := s.challengeFor(ctx, tx, a, challengeID)
		if err != nil {
			return err
		}
		r, err := reviewerOf(ctx, tx, challengeID, a.UserID)
		if err != nil {
			return err
		}
		app, err := getApplication(ctx, tx, challengeID, in.ApplicationID)
		if err != nil || app.State != AppPassed || !r.scores(app.ID) {
			if !r.Declared {
				return apperr.New(apperr.Conflict, "challenge.declare_first")
			}
			return apperr.Fields(apperr.Field("application_id", "challenge.not_scorable"))
		}
		if ch.Stage != Reviewing && ch.Stage != Defense {
			return apperr.New(apperr.Conflict, "challenge.action_not_allowed")
		}
		if len(in.Scores) != len(ch.Criteria) {
			return apperr.Fields(apperr.Field("scores", "challenge.scores_count", len(ch.Criteria)))
		}
		for _, v := range in.Scores {
			if v < 0 || v > 100 || v != v {
				return apperr.Fields(apperr.Field("scores", "challenge.score_range"))
			}
		}
		total := Weighted(ch.Criteria, in.Scores)
		if _, err := tx.ExecContext(ctx, "DELETE FROM challenge_scores WHERE reviewer_id = ? AND application_id = ?", r.ID, app.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO challenge_scores (reviewer_id, application_id, scores, total, comment, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, r.ID, app.ID, mustJSON(in.Scores), total, in.Comment, sqldb.At(now)); err != nil {
			return err
		}
		out = Score{ReviewerID: r.ID, Reviewer: r.Name, ApplicationID: app.ID, Scores: in.Scores, Total: total, Comment: in.Comment,
			CreatedAt: now}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge_panel.score", ObjectType: "challenge_application",
			ObjectID: idText(app.ID), ObjectName: ch.Title, RegionCode: ch.RegionCode,
			After: map[string]any{"reviewer": r.Name, "scores": in.Scores, "total": total}})
	})
	return out, err
}

func scoresOf(ctx context.Context, q sqldb.Querier, challengeID int64) ([]Score, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.reviewer_id, r.name, s.application_id, s.scores, s.total, s.comment, s.created_at
		FROM challenge_scores s JOIN challenge_reviewers r ON r.id = s.reviewer_id WHERE r.challenge_id = ?
		ORDER BY s.application_id, r.id`, challengeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Score{}
	for rows.Next() {
		var sc Score
		var raw string
		var created sqldb.Time
		if err := rows.Scan(&sc.ReviewerID, &sc.Reviewer, &sc.ApplicationID, &raw, &sc.Total, &sc.Comment, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(raw), &sc.Scores); err != nil {
			return nil, err
		}
		sc.CreatedAt = created.Time
		out = append(out, sc)
	}
	return out, rows.Err()
}

// Review is a challenge's review as one actor may see it: staff the whole
// panel with its conflict flags, every scorecard and the ranking; a
// reviewer its own seat and scorecards.
type Review struct {
	Reviewers []Reviewer `json:"reviewers"`
	Scores    []Score    `json:"scores"`
	Ranking   []Result   `json:"ranking"`
	// Me is the actor's own seat, if the actor sits on the panel.
	Me *Reviewer `json:"me,omitempty"`
}

// CanSeeReview reports whether the actor may open the challenge's review:
// staff in scope or a reviewer of its panel.
func (s *Service) CanSeeReview(ctx context.Context, a account.Actor, c Challenge) bool {
	if manages(a, c) {
		return true
	}
	_, err := reviewerOf(ctx, s.db, c.ID, a.UserID)
	return a.LoggedIn() && err == nil
}

// GetReview returns the challenge's review as the actor may see it;
// anyone neither staff in scope nor on the panel gets NotFound.
func (s *Service) GetReview(ctx context.Context, a account.Actor, challengeID int64) (Review, error) {
	c, err := s.challengeFor(ctx, s.db, a, challengeID)
	if err != nil {
		return Review{}, err
	}
	v, err := s.viewOf(ctx, s.db, a, c)
	if err != nil {
		return Review{}, err
	}
	if !v.staff && v.reviewer == nil {
		return Review{}, notFound()
	}
	out := Review{Reviewers: []Reviewer{}, Scores: []Score{}, Ranking: []Result{}, Me: v.reviewer}
	scores, err := scoresOf(ctx, s.db, challengeID)
	if err != nil {
		return Review{}, err
	}
	if !v.staff {
		out.Reviewers = append(out.Reviewers, *v.reviewer)
		for _, sc := range scores {
			if sc.ReviewerID == v.reviewer.ID {
				out.Scores = append(out.Scores, sc)
			}
		}
		return out, nil
	}
	if out.Reviewers, err = panelOf(ctx, s.db, challengeID); err != nil {
		return Review{}, err
	}
	out.Scores = scores
	apps, err := listApplications(ctx, s.db, challengeID)
	if err != nil {
		return Review{}, err
	}
	out.Ranking = ranking(c, apps, scores)
	return out, nil
}

// ranking aggregates the scores of the applications that passed.
func ranking(c Challenge, apps []Application, scores []Score) []Result {
	totals := map[int64][]float64{}
	for _, sc := range scores {
		totals[sc.ApplicationID] = append(totals[sc.ApplicationID], sc.Total)
	}
	var rs []Result
	for _, app := range apps {
		if app.State != AppPassed && app.State != AppSelected {
			continue
		}
		score, trimmed := Aggregate(totals[app.ID])
		rs = append(rs, Result{ApplicationID: app.ID, Label: app.OrgName, Reviewers: len(totals[app.ID]), Score: score,
			Trimmed: trimmed, Selected: app.ID == c.SelectedID})
	}
	return Rank(rs)
}
