package cultivation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/notice"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// UseCalendar sets the working-day calendar the 公示 period is counted on
// (the platform's one calendar, package workday). Without one, Monday to
// Friday are working days.
func (s *Service) UseCalendar(c *workday.Calendar) { s.calendar = c }

func (s *Service) today() workday.Date { return workday.DateOf(s.now()) }

// viewsRounds reports whether the actor follows application rounds: the
// administrator, bureau and county staff, and enterprises (their own
// applications only).
func viewsRounds(a account.Actor) bool {
	switch a.Role {
	case account.RoleAdmin, account.RoleStaff, account.RoleCounty, account.RoleEnterprise:
		return true
	}
	return false
}

// readsRound reports whether the actor may open round r: staff whose
// region contains the round's or lies inside it, the administrator and
// enterprises (a round is an open call).
func readsRound(a account.Actor, r Round) bool {
	switch a.Role {
	case account.RoleAdmin, account.RoleEnterprise:
		return true
	case account.RoleStaff, account.RoleCounty:
		return a.InScope(r.RegionCode) || region.Contains(r.RegionCode, a.Region)
	}
	return false
}

// runsRound reports whether the actor runs round r: bureau staff of its
// region (they create it, review the counties' recommendations, start the
// notice, answer objections and close it).
func runsRound(a account.Actor, r Round) bool {
	return a.Role == account.RoleStaff && a.InScope(r.RegionCode)
}

// CanViewRounds reports whether the actor may open the rounds pages
// (FindRounds).
func (s *Service) CanViewRounds(a account.Actor) bool { return viewsRounds(a) }

// CanCreateRound reports whether the actor may create rounds (CreateRound):
// bureau staff.
func (s *Service) CanCreateRound(a account.Actor) bool { return a.Role == account.RoleStaff }

// CanViewObjections reports whether the actor may list objections
// (FindObjections): bureau and county staff.
func (s *Service) CanViewObjections(a account.Actor) bool { return isStaff(a) }

// CreateRound opens a new application round in the actor's region. Only
// bureau staff may; the input's problems are an Invalid error naming each
// field.
func (s *Service) CreateRound(ctx context.Context, a account.Actor, in RoundInput) (Round, error) {
	if !s.CanCreateRound(a) {
		return Round{}, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	if err := in.Validate(s.now()); err != nil {
		return Round{}, err
	}
	var out Round
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO rounds (rule_set, year, title, region_code, opens, closes, levels, notice_days,
			number_format, state, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.RuleSet, in.Year, in.Title, a.Region, in.Opens, in.Closes, string(in.Levels), in.NoticeDays, in.NumberFormat,
			string(RoundOpen), a.UserID, sqldb.At(now), sqldb.At(now))
		if err != nil {
			return err
		}
		if out, err = getRound(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "round.create", ObjectType: "round", ObjectID: idText(id),
			ObjectName: in.Title, RegionCode: a.Region, After: in})
	})
	if err != nil {
		return Round{}, err
	}
	return s.withRoundActions(ctx, s.db, a, out)
}

// GetRound returns a round the actor may see, with the count of its
// applications in the actor's view and the steps the actor may take.
func (s *Service) GetRound(ctx context.Context, a account.Actor, id int64) (Round, error) {
	r, err := s.roundFor(ctx, s.db, a, id)
	if err != nil {
		return Round{}, err
	}
	return s.withRoundActions(ctx, s.db, a, r)
}

func (s *Service) roundFor(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (Round, error) {
	r, err := getRound(ctx, q, id)
	if err != nil {
		return Round{}, err
	}
	if !viewsRounds(a) || !readsRound(a, r) {
		return Round{}, apperr.New(apperr.NotFound, "round.not_found")
	}
	return r, nil
}

// appScope returns the SQL condition (on round_applications a) that keeps
// the applications the actor may see.
func appScope(a account.Actor) (string, []any) {
	switch a.Role {
	case account.RoleAdmin, account.RoleStaff, account.RoleCounty:
		if a.Scope() == "" {
			return "1 = 1", nil
		}
		return "a.region_code LIKE ?", []any{likePrefix(a.Scope())}
	case account.RoleEnterprise:
		return "a.enterprise_id IN (SELECT id FROM enterprises WHERE account_id = ?)", []any{a.UserID}
	}
	return "1 = 0", nil
}

func (s *Service) withRoundActions(ctx context.Context, q sqldb.Querier, a account.Actor, r Round) (Round, error) {
	where, args := appScope(a)
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM round_applications a WHERE a.round_id = ? AND "+where,
		append([]any{r.ID}, args...)...).Scan(&r.Applications); err != nil {
		return Round{}, fmt.Errorf("count applications: %w", err)
	}
	r.Actions = []string{}
	today := s.today()
	switch a.Role {
	case account.RoleEnterprise, account.RoleCounty, account.RoleStaff:
		if r.AcceptsApplications(today) {
			r.Actions = append(r.Actions, StepApply)
		}
	}
	if !runsRound(a, r) {
		return r, nil
	}
	switch r.State {
	case RoundOpen:
		pending, err := countApps(ctx, q, r.ID, AppSubmitted, AppRecommended, AppSentBack)
		if err != nil {
			return Round{}, err
		}
		if pending == 0 {
			r.Actions = append(r.Actions, "notice")
		}
	case RoundNotice:
		open, err := openObjections(ctx, q, r.ID)
		if err != nil {
			return Round{}, err
		}
		if open == 0 && today.After(r.NoticeUntil) {
			r.Actions = append(r.Actions, "close")
		}
	}
	return r, nil
}

func countApps(ctx context.Context, q sqldb.Querier, roundID int64, states ...AppState) (int, error) {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(states)), ", ")
	args := []any{roundID}
	for _, st := range states {
		args = append(args, string(st))
	}
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM round_applications WHERE round_id = ? AND state IN ("+marks+")", args...).Scan(&n)
	return n, err
}

func openObjections(ctx context.Context, q sqldb.Querier, roundID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM round_objections WHERE round_id = ? AND answered_at IS NULL", roundID).Scan(&n)
	return n, err
}

// RoundFilter selects rounds. Zero fields do not filter.
type RoundFilter struct {
	Year    int
	State   RoundState
	Page    int
	PerPage int
}

// FindRounds lists the rounds the actor may see, newest first.
func (s *Service) FindRounds(ctx context.Context, a account.Actor, f RoundFilter) ([]Round, int, error) {
	if !viewsRounds(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 25
	}
	where, args := []string{"1 = 1"}, []any{}
	if f.Year != 0 {
		where, args = append(where, "r.year = ?"), append(args, f.Year)
	}
	if f.State != "" {
		where, args = append(where, "r.state = ?"), append(args, string(f.State))
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+roundColumns+" FROM rounds r WHERE "+strings.Join(where, " AND ")+
		" ORDER BY r.year DESC, r.id DESC", args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find rounds: %w", err)
	}
	var all []Round
	for rows.Next() {
		r, err := scanRound(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		if readsRound(a, r) {
			all = append(all, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	total := len(all)
	lo := min((f.Page-1)*f.PerPage, total)
	page := all[lo:min(lo+f.PerPage, total)]
	out := make([]Round, 0, len(page))
	for _, r := range page {
		r, err := s.withRoundActions(ctx, s.db, a, r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, nil
}

// ownerOf returns the account linked to the enterprise, 0 when none.
func ownerOf(ctx context.Context, q sqldb.Querier, enterpriseID int64) (int64, error) {
	var owner *int64
	err := q.QueryRowContext(ctx, "SELECT account_id FROM enterprises WHERE id = ?", enterpriseID).Scan(&owner)
	if err != nil || owner == nil {
		return 0, err
	}
	return *owner, nil
}

// readsApp reports whether the actor may see an application of a firm
// whose account is owner.
func readsApp(a account.Actor, app Application, owner int64) bool {
	switch a.Role {
	case account.RoleAdmin, account.RoleStaff, account.RoleCounty:
		return a.InScope(app.RegionCode)
	case account.RoleEnterprise:
		return owner != 0 && owner == a.UserID
	}
	return false
}

// appActions returns the steps the actor may take on app now: county staff
// of its county check submitted and sent-back applications; bureau staff
// review recommended ones. Nothing moves once the round left "open".
func appActions(a account.Actor, r Round, app Application) []string {
	out := []string{}
	if r.State != RoundOpen {
		return out
	}
	switch app.State {
	case AppSubmitted, AppSentBack:
		if a.Role == account.RoleCounty && a.InScope(app.RegionCode) {
			out = append(out, StepRecommend, StepReturn)
		}
	case AppRecommended:
		if runsRound(a, r) && a.InScope(app.RegionCode) {
			out = append(out, StepAccept, StepReject, StepSendBack)
		}
	}
	return out
}

// appFor reads an application of round r the actor may see, with its
// actions; another county's application is NotFound.
func (s *Service) appFor(ctx context.Context, q sqldb.Querier, a account.Actor, r Round, id int64) (Application, appSnapshot, int64, error) {
	app, snap, err := getApplication(ctx, q, r.ID, id)
	if err != nil {
		return Application{}, snap, 0, err
	}
	owner, err := ownerOf(ctx, q, app.EnterpriseID)
	if err != nil {
		return Application{}, snap, 0, err
	}
	if !readsApp(a, app, owner) {
		return Application{}, snap, 0, apperr.New(apperr.NotFound, "round.application_not_found")
	}
	app.Actions = appActions(a, r, app)
	return app, snap, owner, nil
}

// GetApplication returns an application with its record and, for staff,
// the registry fields that changed since the firm applied.
func (s *Service) GetApplication(ctx context.Context, a account.Actor, roundID, id int64) (Application, error) {
	r, err := s.roundFor(ctx, s.db, a, roundID)
	if err != nil {
		return Application{}, err
	}
	app, snap, owner, err := s.appFor(ctx, s.db, a, r, id)
	if err != nil {
		return Application{}, err
	}
	if app.Events, err = appEvents(ctx, s.db, id); err != nil {
		return Application{}, err
	}
	if app.Files, err = evidenceFiles(ctx, s.db, id); err != nil {
		return Application{}, err
	}
	app.CanAttach = attaches(a, r, app, owner)
	if e, err := getEnterprise(ctx, s.db, app.EnterpriseID); err == nil {
		now := snapshotOf(e)
		for _, f := range []struct{ name, was, is string }{
			{"name", snap.Name, now.Name}, {"credit_code", snap.CreditCode, now.CreditCode},
			{"region_code", snap.RegionCode, now.RegionCode}, {"domain", snap.Domain, now.Domain},
			{"industry", snap.Industry, now.Industry}, {"founded", snap.Founded, now.Founded},
		} {
			if f.was != f.is {
				app.Mismatch = append(app.Mismatch, f.name)
			}
		}
	} else if !apperr.Is(err, apperr.NotFound) {
		return Application{}, err
	}
	return app, nil
}

// FindApplications lists a round's applications in the actor's view: a
// county its own applicants, the city all, an enterprise its own.
func (s *Service) FindApplications(ctx context.Context, a account.Actor, roundID int64, f ApplicationFilter) ([]Application, int, error) {
	r, err := s.roundFor(ctx, s.db, a, roundID)
	if err != nil {
		return nil, 0, err
	}
	f.Normalize()
	where, args := appScope(a)
	conds := []string{"a.round_id = ?", where}
	args = append([]any{r.ID}, args...)
	if f.State != "" {
		conds, args = append(conds, "a.state = ?"), append(args, string(f.State))
	}
	if f.Region != "" {
		conds, args = append(conds, "a.region_code LIKE ?"), append(args, likePrefix(f.Region))
	}
	cond := strings.Join(conds, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM round_applications a WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count applications: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+appColumns+" FROM round_applications a WHERE "+cond+
		" ORDER BY a.region_code, a.id LIMIT ? OFFSET ?", append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find applications: %w", err)
	}
	defer rows.Close()
	out := []Application{}
	for rows.Next() {
		app, _, err := scanApplication(rows)
		if err != nil {
			return nil, 0, err
		}
		app.Actions = appActions(a, r, app)
		out = append(out, app)
	}
	return out, total, rows.Err()
}

// StageCounts counts a round's applications in the actor's view per
// county and state, counties in code order.
func (s *Service) StageCounts(ctx context.Context, a account.Actor, roundID int64) ([]StageCount, error) {
	r, err := s.roundFor(ctx, s.db, a, roundID)
	if err != nil {
		return nil, err
	}
	where, args := appScope(a)
	rows, err := s.db.QueryContext(ctx, "SELECT a.region_code, a.state, COUNT(*) FROM round_applications a WHERE a.round_id = ? AND "+
		where+" GROUP BY a.region_code, a.state ORDER BY a.region_code", append([]any{r.ID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("stage counts: %w", err)
	}
	defer rows.Close()
	names := s.regionNames()
	out := []StageCount{}
	for rows.Next() {
		var code string
		var st AppState
		var n int
		if err := rows.Scan(&code, &st, &n); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].RegionCode != code {
			out = append(out, StageCount{RegionCode: code, RegionName: names.name(ctx, code), States: map[AppState]int{}})
		}
		out[len(out)-1].States[st] += n
		out[len(out)-1].Total += n
	}
	return out, rows.Err()
}

// CreateApplication files an application in an open round: an enterprise
// account for its own firm (EnterpriseID 0: the firm linked to it), or
// county or bureau staff for a firm of their region. The firm's registry
// record is copied and its self-assessment against the rule set in force
// today is frozen with the version. applicationBar refuses a firm that may
// not apply (Conflict naming the reason); evidence must name conditions of
// that assessment.
func (s *Service) CreateApplication(ctx context.Context, a account.Actor, roundID int64, in ApplicationInput) (Application, error) {
	switch a.Role {
	case account.RoleEnterprise, account.RoleCounty, account.RoleStaff:
	default:
		return Application{}, apperr.New(apperr.Forbidden, "round.only_applicants")
	}
	r, err := s.roundFor(ctx, s.db, a, roundID)
	if err != nil {
		return Application{}, err
	}
	today := s.today()
	if !r.AcceptsApplications(today) {
		return Application{}, apperr.New(apperr.Conflict, "round.not_accepting")
	}
	e, err := s.applicant(ctx, a, in.EnterpriseID)
	if err != nil {
		return Application{}, err
	}
	rs, err := s.rules.Select(r.RuleSet, "", today.Start())
	if errors.Is(err, ErrNoRuleSet) {
		return Application{}, apperr.New(apperr.Conflict, "round.no_rule_version")
	}
	if err != nil {
		return Application{}, err
	}
	years, err := loadYears(ctx, s.db, e.ID)
	if err != nil {
		return Application{}, err
	}
	result := Assess(rs, e.AssessmentInput(today.Start(), years))
	evidence, statement, err := checkApplication(in, result)
	if err != nil {
		return Application{}, err
	}
	assessment, err := json.Marshal(result)
	if err != nil {
		return Application{}, err
	}
	snap, _ := json.Marshal(snapshotOf(e))
	ev, _ := json.Marshal(evidence)
	origin := "county"
	if a.Role == account.RoleEnterprise {
		origin = "enterprise"
	}
	now := s.now()
	var id int64
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := s.applicationBar(ctx, tx, e.ID, r.RuleSet, r.Year); err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO round_applications (round_id, enterprise_id, region_code, state, origin, rule_version,
			verdict, assessment, snapshot, evidence, checklist, statement, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, e.ID, e.RegionCode, string(AppSubmitted), origin, rs.Version,
			string(result.Verdict), string(assessment), string(snap), string(ev), "{}", statement, a.UserID, sqldb.At(now), sqldb.At(now))
		if err != nil {
			return err
		}
		if err := insertAppEvent(ctx, tx, id, StepApply, "", AppSubmitted, "", a.UserID, actorName(a), now); err != nil {
			return err
		}
		if e.AccountID != 0 {
			if err := s.tellApplicant(ctx, tx, e.AccountID, r, id, e.Name, StepApply, "", now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "round_application.apply", ObjectType: "round_application",
			ObjectID: idText(id), ObjectName: e.Name, RegionCode: e.RegionCode,
			After: map[string]any{"round_id": r.ID, "enterprise_id": e.ID, "rule_version": rs.Version, "verdict": result.Verdict,
				"evidence": len(evidence)}})
	})
	if err != nil {
		return Application{}, err
	}
	return s.GetApplication(ctx, a, r.ID, id)
}

// applicant resolves the firm an actor applies for.
func (s *Service) applicant(ctx context.Context, a account.Actor, id int64) (Enterprise, error) {
	if a.Role == account.RoleEnterprise && id == 0 {
		err := s.db.QueryRowContext(ctx, "SELECT id FROM enterprises WHERE account_id = ? ORDER BY id LIMIT 1", a.UserID).Scan(&id)
		if sqldb.IsNoRows(err) {
			return Enterprise{}, apperr.New(apperr.Conflict, "round.no_linked_enterprise")
		}
		if err != nil {
			return Enterprise{}, err
		}
	}
	if id == 0 {
		return Enterprise{}, apperr.Fields(apperr.Field("enterprise_id", "error.required"))
	}
	e, err := s.GetEnterprise(ctx, a, id)
	if apperr.Is(err, apperr.NotFound) {
		return Enterprise{}, apperr.Fields(apperr.Field("enterprise_id", "cultivation.enterprise_not_found"))
	}
	if err != nil {
		return Enterprise{}, err
	}
	if a.Role != account.RoleEnterprise && !canManage(a, e.RegionCode) {
		return Enterprise{}, apperr.Fields(apperr.Field("enterprise_id", "cultivation.enterprise_not_found"))
	}
	return e, nil
}

// checkApplication trims and checks an application's evidence and
// statement against the frozen assessment.
func checkApplication(in ApplicationInput, result AssessmentResult) ([]Evidence, string, error) {
	conditions := map[string]bool{"": true}
	for _, c := range result.Conditions {
		if c.Condition != nil {
			conditions[c.ID] = true
		}
	}
	var fields []apperr.FieldError
	out := []Evidence{}
	for _, e := range in.Evidence {
		e.Condition, e.Name, e.Ref = strings.TrimSpace(e.Condition), strings.TrimSpace(e.Name), strings.TrimSpace(e.Ref)
		if e.Name == "" && e.Ref == "" {
			continue
		}
		switch {
		case !conditions[e.Condition]:
			fields = append(fields, apperr.Field("evidence", "round.evidence_condition_unknown", e.Condition))
		case e.Name == "":
			fields = append(fields, apperr.Field("evidence", "round.evidence_name_required"))
		case utf8.RuneCountInString(e.Name) > maxName:
			fields = append(fields, apperr.Field("evidence", "error.too_long", maxName))
		case utf8.RuneCountInString(e.Ref) > maxEvidenceRef:
			fields = append(fields, apperr.Field("evidence", "error.too_long", maxEvidenceRef))
		}
		out = append(out, e)
	}
	if len(out) > maxEvidence {
		fields = append(fields, apperr.Field("evidence", "round.too_much_evidence", maxEvidence))
	}
	statement := strings.TrimSpace(in.Statement)
	if utf8.RuneCountInString(statement) > maxStatement {
		fields = append(fields, apperr.Field("statement", "error.too_long", maxStatement))
	}
	if len(fields) > 0 {
		return nil, "", apperr.Fields(fields...)
	}
	return out, statement, nil
}

func actorName(a account.Actor) string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.Username
}

// tellApplicant sends the firm's account a notice of a step.
func (s *Service) tellApplicant(ctx context.Context, tx *sqldb.Tx, to int64, r Round, appID int64, firm, step, reason string, at time.Time) error {
	m := notice.Message{To: to, Kind: "round." + step, Key: "round.notice.step",
		Args: []notice.Arg{notice.Text(r.Title), notice.Text(firm), notice.Code("round.step." + step)},
		Link: fmt.Sprintf("/cultivation/rounds/%d/applications/%d", r.ID, appID), At: at}
	if reason != "" {
		m.Body = notice.Code("round.notice.reason", notice.Text(reason))
	}
	return notice.Send(ctx, tx, m)
}

// stepRules says, for each step, the states it starts from, where it
// leads and whether it needs a reason.
var stepRules = map[string]struct {
	from   []AppState
	to     AppState
	reason bool
}{
	StepRecommend: {[]AppState{AppSubmitted, AppSentBack}, AppRecommended, false},
	StepReturn:    {[]AppState{AppSubmitted, AppSentBack}, AppReturned, true},
	StepAccept:    {[]AppState{AppRecommended}, AppAccepted, false},
	StepReject:    {[]AppState{AppRecommended}, AppRejected, true},
	StepSendBack:  {[]AppState{AppRecommended}, AppSentBack, true},
}

// StepApplication takes a step of an application: the county's recommend
// (all of the 形式审查 checklist must hold) or return (with a reason), the
// city's accept, reject or send back (reject and send back with a
// reason). An application outside the actor's view is NotFound; a step the
// actor may not take is Forbidden, one the state does not allow Conflict.
// The applicant is told, and the step is audited.
func (s *Service) StepApplication(ctx context.Context, a account.Actor, roundID, id int64, step string, in StepInput) (Application, error) {
	rule, ok := stepRules[step]
	if !ok {
		return Application{}, apperr.New(apperr.NotFound, "round.application_not_found")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var fields []apperr.FieldError
	if rule.reason && in.Reason == "" {
		fields = append(fields, apperr.Field("reason", "error.required"))
	}
	if utf8.RuneCountInString(in.Reason) > maxReason {
		fields = append(fields, apperr.Field("reason", "error.too_long", maxReason))
	}
	if step == StepRecommend {
		for _, c := range []struct {
			name string
			ok   bool
		}{{"checklist.complete", in.Checklist.Complete}, {"checklist.consistent", in.Checklist.Consistent}, {"checklist.evidence", in.Checklist.Evidence}} {
			if !c.ok {
				fields = append(fields, apperr.Field(c.name, "round.checklist_unmet"))
			}
		}
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		r, err := s.roundFor(ctx, tx, a, roundID)
		if err != nil {
			return err
		}
		app, _, owner, err := s.appFor(ctx, tx, a, r, id)
		if err != nil {
			return err
		}
		if !slices.Contains(app.Actions, step) {
			if r.State == RoundOpen && slices.Contains(rule.from, app.State) {
				return apperr.New(apperr.Forbidden, "round.step_forbidden")
			}
			return apperr.New(apperr.Conflict, "round.step_not_allowed")
		}
		if len(fields) > 0 {
			return apperr.Fields(fields...)
		}
		if step == StepRecommend || step == StepAccept {
			// A firm blacklisted or revoked after it applied goes no further.
			if bar, err := sanctionBar(ctx, tx, app.EnterpriseID, r.RuleSet, r.Year, now); err != nil || bar != nil {
				if err != nil {
					return err
				}
				return bar
			}
		}
		checklist := app.Checklist
		if step == StepRecommend {
			checklist = in.Checklist
		}
		cl, _ := json.Marshal(checklist)
		reason := app.Reason
		if rule.reason {
			reason = in.Reason
		}
		if _, err := tx.ExecContext(ctx, "UPDATE round_applications SET state = ?, checklist = ?, reason = ?, updated_at = ? WHERE id = ?",
			string(rule.to), string(cl), reason, sqldb.At(now), id); err != nil {
			return err
		}
		if err := insertAppEvent(ctx, tx, id, step, app.State, rule.to, in.Reason, a.UserID, actorName(a), now); err != nil {
			return err
		}
		if owner != 0 {
			if err := s.tellApplicant(ctx, tx, owner, r, id, app.EnterpriseName, step, in.Reason, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "round_application." + step, ObjectType: "round_application",
			ObjectID: idText(id), ObjectName: app.EnterpriseName, RegionCode: app.RegionCode,
			Before: map[string]any{"state": app.State}, After: map[string]any{"state": rule.to, "reason": in.Reason, "checklist": checklist}})
	})
	if err != nil {
		return Application{}, err
	}
	return s.GetApplication(ctx, a, roundID, id)
}

// StartNotice starts a round's 公示 today, once every application is
// decided (none waits for the county or the city): it runs NoticeDays
// working days on the platform calendar. Bureau staff of the round only.
func (s *Service) StartNotice(ctx context.Context, a account.Actor, id int64) (Round, error) {
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		r, err := s.roundFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !runsRound(a, r) {
			return apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		if r.State != RoundOpen {
			return apperr.New(apperr.Conflict, "round.state_conflict")
		}
		pending, err := countApps(ctx, tx, r.ID, AppSubmitted, AppRecommended, AppSentBack)
		if err != nil {
			return err
		}
		if pending > 0 {
			return apperr.New(apperr.Conflict, "round.pending_applications", pending)
		}
		from := s.today()
		until, _ := NoticeUntil(s.calendar, from, r.NoticeDays)
		if _, err := tx.ExecContext(ctx, "UPDATE rounds SET state = ?, notice_from = ?, notice_until = ?, updated_at = ? WHERE id = ?",
			string(RoundNotice), from.String(), until.String(), sqldb.At(now), r.ID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT a.id, e.name, COALESCE(e.account_id, 0) FROM round_applications a
			JOIN enterprises e ON e.id = a.enterprise_id WHERE a.round_id = ? AND a.state = ?`, r.ID, string(AppAccepted))
		if err != nil {
			return err
		}
		type firm struct {
			id, owner int64
			name      string
		}
		var firms []firm
		for rows.Next() {
			var f firm
			if err := rows.Scan(&f.id, &f.name, &f.owner); err != nil {
				rows.Close()
				return err
			}
			firms = append(firms, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, f := range firms {
			if f.owner != 0 {
				if err := s.tellApplicant(ctx, tx, f.owner, r, f.id, f.name, "notice", "", now); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "round.notice", ObjectType: "round", ObjectID: idText(r.ID),
			ObjectName: r.Title, RegionCode: r.RegionCode,
			After: map[string]any{"notice_from": from.String(), "notice_until": until.String(), "firms": len(firms)}})
	})
	if err != nil {
		return Round{}, err
	}
	return s.GetRound(ctx, a, id)
}

// CloseRound closes a round after its 公示: the period must be over and
// every objection answered (Conflict otherwise). Each accepted application
// gets its registry number (FormatRegistryNumber; the sequence continues
// over the rule set's rounds of the year, per county), and the firm's
// registry record the certificate, issued today, so that its standing
// follows. Bureau staff of the round only.
func (s *Service) CloseRound(ctx context.Context, a account.Actor, id int64) (Round, error) {
	now := s.now()
	today := s.today()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		r, err := s.roundFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !runsRound(a, r) {
			return apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		if r.State != RoundNotice {
			return apperr.New(apperr.Conflict, "round.state_conflict")
		}
		if !today.After(r.NoticeUntil) {
			return apperr.New(apperr.Conflict, "round.notice_running", r.NoticeUntil.String())
		}
		open, err := openObjections(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "round.objections_open", open)
		}
		apps, err := acceptedApps(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		seq := map[string]int{}
		for _, app := range apps {
			n, ok := seq[app.RegionCode]
			if !ok {
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM round_applications a JOIN rounds r ON r.id = a.round_id
					WHERE r.rule_set = ? AND r.year = ? AND a.region_code = ? AND a.registry_number <> ''`,
					r.RuleSet, r.Year, app.RegionCode).Scan(&n); err != nil {
					return err
				}
			}
			n++
			seq[app.RegionCode] = n
			number := FormatRegistryNumber(r.NumberFormat, r.Year, app.RegionCode, n)
			if err := s.register(ctx, tx, a, r, app, number, today, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE rounds SET state = ?, closed_at = ?, updated_at = ? WHERE id = ?",
			string(RoundClosed), sqldb.At(now), sqldb.At(now), r.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "round.close", ObjectType: "round", ObjectID: idText(r.ID),
			ObjectName: r.Title, RegionCode: r.RegionCode, After: map[string]any{"registered": len(apps)}})
	})
	if err != nil {
		return Round{}, err
	}
	return s.GetRound(ctx, a, id)
}

func acceptedApps(ctx context.Context, q sqldb.Querier, roundID int64) ([]Application, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+appColumns+" FROM round_applications a WHERE a.round_id = ? AND a.state = ? ORDER BY a.region_code, a.id",
		roundID, string(AppAccepted))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Application
	for rows.Next() {
		app, _, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, app)
	}
	return out, rows.Err()
}

// register issues number to an accepted application and writes the
// certificate into the firm's registry record.
func (s *Service) register(ctx context.Context, tx *sqldb.Tx, a account.Actor, r Round, app Application, number string,
	today workday.Date, now time.Time) error {
	if _, err := tx.ExecContext(ctx, "UPDATE round_applications SET state = ?, registry_number = ?, updated_at = ? WHERE id = ?",
		string(AppRegistered), number, sqldb.At(now), app.ID); err != nil {
		return err
	}
	if err := insertAppEvent(ctx, tx, app.ID, StepRegister, AppAccepted, AppRegistered, number, a.UserID, actorName(a), now); err != nil {
		return err
	}
	var certs string
	var owner *int64
	if err := tx.QueryRowContext(ctx, "SELECT certificates, account_id FROM enterprises WHERE id = ?", app.EnterpriseID).Scan(&certs, &owner); err != nil {
		return fmt.Errorf("enterprise %d: %w", app.EnterpriseID, err)
	}
	var list []Certificate
	if err := json.Unmarshal([]byte(certs), &list); err != nil {
		return fmt.Errorf("enterprise %d certificates: %w", app.EnterpriseID, err)
	}
	cert := Certificate{Type: r.RuleSet, Issued: Date{today.Start()}, Number: number}
	list = append(list, cert)
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE enterprises SET certificates = ?, updated_at = ? WHERE id = ?", string(b), sqldb.At(now), app.EnterpriseID); err != nil {
		return err
	}
	if owner != nil {
		if err := s.tellApplicant(ctx, tx, *owner, r, app.ID, app.EnterpriseName, StepRegister, "", now); err != nil {
			return err
		}
	}
	if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "enterprise.certificate", ObjectType: "enterprise",
		ObjectID: idText(app.EnterpriseID), ObjectName: app.EnterpriseName, RegionCode: app.RegionCode,
		After: map[string]any{"type": cert.Type, "issued": today.String(), "number": number, "round_id": r.ID}}); err != nil {
		return err
	}
	return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "round_application.register", ObjectType: "round_application",
		ObjectID: idText(app.ID), ObjectName: app.EnterpriseName, RegionCode: app.RegionCode,
		Before: map[string]any{"state": AppAccepted}, After: map[string]any{"state": AppRegistered, "registry_number": number}})
}

// PublicNotice returns a round's public notice, for anyone: the firms
// accepted (and, once closed, registered with their numbers). A round not
// yet in 公示 is NotFound.
func (s *Service) PublicNotice(ctx context.Context, id int64) (Notice, error) {
	r, err := getRound(ctx, s.db, id)
	if err != nil {
		return Notice{}, err
	}
	if r.State == RoundOpen {
		return Notice{}, apperr.New(apperr.NotFound, "round.not_found")
	}
	today := s.today()
	n := Notice{RoundID: r.ID, Title: r.Title, RuleSet: r.RuleSet, Year: r.Year, State: r.State, NoticeFrom: r.NoticeFrom,
		NoticeUntil: r.NoticeUntil, NoticeDays: r.NoticeDays, Firms: []NoticeFirm{},
		Open: r.State == RoundNotice && !today.Before(r.NoticeFrom) && !today.After(r.NoticeUntil)}
	rows, err := s.db.QueryContext(ctx, "SELECT "+appColumns+" FROM round_applications a WHERE a.round_id = ? AND a.state IN (?, ?) ORDER BY a.region_code, a.id",
		r.ID, string(AppAccepted), string(AppRegistered))
	if err != nil {
		return Notice{}, err
	}
	defer rows.Close()
	names := s.regionNames()
	for rows.Next() {
		app, _, err := scanApplication(rows)
		if err != nil {
			return Notice{}, err
		}
		n.Firms = append(n.Firms, NoticeFirm{ApplicationID: app.ID, Name: app.EnterpriseName, CreditCode: app.CreditCode,
			County: names.name(ctx, app.RegionCode), Domain: app.Domain, RegistryNumber: app.RegistryNumber})
	}
	return n, rows.Err()
}

// SubmitObjection records an objection to a round in 公示 (anyone, no
// login). client identifies the sender's address for throttling (it is
// stored hashed by the caller's choice of value, never shown): more than a
// few objections an hour or a day from one address are TooMany. The round
// must be in its notice period (Conflict otherwise); an application named
// must be on the notice.
func (s *Service) SubmitObjection(ctx context.Context, in ObjectionInput, client string) (Objection, error) {
	if err := in.Validate(); err != nil {
		return Objection{}, err
	}
	now := s.now()
	today := s.today()
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		r, err := getRound(ctx, tx, in.RoundID)
		if err != nil || r.State == RoundOpen {
			return apperr.Fields(apperr.Field("round_id", "round.not_found"))
		}
		if r.State != RoundNotice || today.Before(r.NoticeFrom) || today.After(r.NoticeUntil) {
			return apperr.New(apperr.Conflict, "round.notice_not_open")
		}
		regionCode := r.RegionCode
		var appID any
		if in.ApplicationID != 0 {
			app, _, err := getApplication(ctx, tx, r.ID, in.ApplicationID)
			if err != nil || app.State != AppAccepted {
				return apperr.Fields(apperr.Field("application_id", "round.application_not_on_notice"))
			}
			regionCode, appID = app.RegionCode, app.ID
		}
		if err := ThrottleObjections(ctx, tx, "round_objections", client, now); err != nil {
			return err
		}
		var total int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM round_objections WHERE round_id = ?", r.ID).Scan(&total); err != nil {
			return err
		}
		if total >= objectionsPerRound {
			return apperr.New(apperr.TooMany, "round.objection_throttled").Retry(time.Hour)
		}
		contact, err := pii.From(tx).Seal(objectionContact, in.Contact)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO round_objections (round_id, application_id, region_code, name, contact, reason, evidence,
			client, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, appID, regionCode, in.Name, contact, in.Reason, in.Evidence,
			client, sqldb.At(now))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Actor{Name: "anonymous", Role: "anonymous"}, audit.Event{Action: "round_objection.submit",
			ObjectType: "round_objection", ObjectID: idText(id), ObjectName: r.Title, RegionCode: regionCode,
			After: map[string]any{"round_id": r.ID, "application_id": in.ApplicationID}})
	})
	if err != nil {
		return Objection{}, err
	}
	o, err := getObjection(ctx, s.db, id)
	if err != nil {
		return Objection{}, err
	}
	// The sender sees their objection as received, not the stored contact.
	o.Contact = ""
	return o, nil
}

// readsObjection reports whether the actor may see an objection: bureau
// staff of the round's region, county staff when it concerns their county.
func readsObjection(a account.Actor, o Objection) bool {
	return isStaff(a) && a.InScope(o.RegionCode)
}

// FindObjections lists the objections the actor may see, unanswered
// first, newest first.
func (s *Service) FindObjections(ctx context.Context, a account.Actor, f ObjectionFilter) ([]Objection, int, error) {
	if !s.CanViewObjections(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 25
	}
	conds, args := []string{"o.region_code LIKE ?"}, []any{likePrefix(a.Scope())}
	if f.RoundID != 0 {
		conds, args = append(conds, "o.round_id = ?"), append(args, f.RoundID)
	}
	if f.Open {
		conds = append(conds, "o.answered_at IS NULL")
	}
	cond := strings.Join(conds, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM round_objections o WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+objectionColumns+" FROM round_objections o JOIN rounds r ON r.id = o.round_id WHERE "+cond+
		" ORDER BY CASE WHEN o.answered_at IS NULL THEN 0 ELSE 1 END, o.id DESC LIMIT ? OFFSET ?", append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	keys := pii.From(s.db)
	out := []Objection{}
	for rows.Next() {
		o, err := scanObjection(rows, keys)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if err := s.fillObjection(ctx, s.db, a, &out[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func (s *Service) fillObjection(ctx context.Context, q sqldb.Querier, a account.Actor, o *Objection) error {
	if o.ApplicationID != 0 {
		var snap string
		if err := q.QueryRowContext(ctx, "SELECT snapshot FROM round_applications WHERE id = ?", o.ApplicationID).Scan(&snap); err != nil {
			return err
		}
		var sn appSnapshot
		if err := json.Unmarshal([]byte(snap), &sn); err != nil {
			return err
		}
		o.EnterpriseName = sn.Name
	}
	if !o.Answered {
		r, err := getRound(ctx, q, o.RoundID)
		if err != nil {
			return err
		}
		o.CanAnswer = runsRound(a, r) && r.State == RoundNotice
	}
	return nil
}

// AnswerObjection records bureau staff's answer to an objection. upheld
// means the objection stands: the application it names is rejected with
// the answer as the reason (and told). An objection already answered is a
// Conflict; one outside the actor's view NotFound.
func (s *Service) AnswerObjection(ctx context.Context, a account.Actor, id int64, answer string, upheld bool) (Objection, error) {
	answer = strings.TrimSpace(answer)
	if answer == "" {
		return Objection{}, apperr.Fields(apperr.Field("answer", "error.required"))
	}
	if utf8.RuneCountInString(answer) > maxAnswer {
		return Objection{}, apperr.Fields(apperr.Field("answer", "error.too_long", maxAnswer))
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		o, err := getObjection(ctx, tx, id)
		if err != nil {
			return err
		}
		if !readsObjection(a, o) {
			return apperr.New(apperr.NotFound, "round.objection_not_found")
		}
		if err := s.fillObjection(ctx, tx, a, &o); err != nil {
			return err
		}
		if o.Answered {
			return apperr.New(apperr.Conflict, "round.objection_answered")
		}
		if !o.CanAnswer {
			return apperr.New(apperr.Forbidden, "cultivation.only_staff")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE round_objections SET answer = ?, upheld = ?, answered_by = ?, answered_at = ? WHERE id = ?",
			answer, upheld, a.UserID, sqldb.At(now), id); err != nil {
			return err
		}
		if upheld && o.ApplicationID != 0 {
			r, err := getRound(ctx, tx, o.RoundID)
			if err != nil {
				return err
			}
			app, _, err := getApplication(ctx, tx, o.RoundID, o.ApplicationID)
			if err != nil {
				return err
			}
			if app.State == AppAccepted {
				if _, err := tx.ExecContext(ctx, "UPDATE round_applications SET state = ?, reason = ?, updated_at = ? WHERE id = ?",
					string(AppRejected), answer, sqldb.At(now), app.ID); err != nil {
					return err
				}
				if err := insertAppEvent(ctx, tx, app.ID, StepReject, AppAccepted, AppRejected, answer, a.UserID, actorName(a), now); err != nil {
					return err
				}
				owner, err := ownerOf(ctx, tx, app.EnterpriseID)
				if err != nil {
					return err
				}
				if owner != 0 {
					if err := s.tellApplicant(ctx, tx, owner, r, app.ID, app.EnterpriseName, StepReject, answer, now); err != nil {
						return err
					}
				}
				if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "round_application.reject", ObjectType: "round_application",
					ObjectID: idText(app.ID), ObjectName: app.EnterpriseName, RegionCode: app.RegionCode,
					Before: map[string]any{"state": AppAccepted}, After: map[string]any{"state": AppRejected, "objection_id": id}}); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "round_objection.answer", ObjectType: "round_objection",
			ObjectID: idText(id), ObjectName: o.RoundTitle, RegionCode: o.RegionCode, After: map[string]any{"upheld": upheld}})
	})
	if err != nil {
		return Objection{}, err
	}
	o, err := getObjection(ctx, s.db, id)
	if err != nil {
		return Objection{}, err
	}
	return o, s.fillObjection(ctx, s.db, a, &o)
}

// ThrottleObjections applies the public objection forms' brake to one
// sender: more than objectionsPerHour objections in the past hour or
// objectionsPerDay in the past day from client (a hashed address) in
// table are TooMany; and the table's address hashes older than a day are
// cleared, since they serve the throttle only. table is a constant of the
// calling module (round_objections, challenge_objections) with client and
// created_at columns; it runs in the caller's transaction.
func ThrottleObjections(ctx context.Context, tx *sqldb.Tx, table, client string, now time.Time) error {
	for _, lim := range []struct {
		since time.Time
		max   int
	}{{now.Add(-time.Hour), objectionsPerHour}, {now.Add(-24 * time.Hour), objectionsPerDay}} {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE client = ? AND created_at > ?",
			client, sqldb.At(lim.since)).Scan(&n); err != nil {
			return err
		}
		if n >= lim.max {
			return apperr.New(apperr.TooMany, "round.objection_throttled").Retry(time.Hour)
		}
	}
	_, err := tx.ExecContext(ctx, "UPDATE "+table+" SET client = '' WHERE client <> '' AND created_at <= ?",
		sqldb.At(now.Add(-24*time.Hour)))
	return err
}
