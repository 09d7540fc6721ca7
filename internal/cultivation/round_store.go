package cultivation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

const roundColumns = `r.id, r.rule_set, r.year, r.title, r.region_code, r.opens, r.closes, r.levels, r.notice_days,
	r.number_format, r.state, r.notice_from, r.notice_until, r.created_at, r.updated_at, r.closed_at`

func scanRound(row interface{ Scan(...any) error }) (Round, error) {
	var r Round
	var from, until string
	var created, updated, closed sqldb.Time
	if err := row.Scan(&r.ID, &r.RuleSet, &r.Year, &r.Title, &r.RegionCode, &r.Opens, &r.Closes, &r.Levels, &r.NoticeDays,
		&r.NumberFormat, &r.State, &from, &until, &created, &updated, &closed); err != nil {
		return Round{}, err
	}
	var err error
	if from != "" {
		if r.NoticeFrom, err = workday.ParseDate(from); err != nil {
			return Round{}, fmt.Errorf("round %d notice_from: %w", r.ID, err)
		}
	}
	if until != "" {
		if r.NoticeUntil, err = workday.ParseDate(until); err != nil {
			return Round{}, fmt.Errorf("round %d notice_until: %w", r.ID, err)
		}
	}
	r.CreatedAt, r.UpdatedAt, r.ClosedAt = created.Time, updated.Time, closed.Time
	r.Actions = []string{}
	return r, nil
}

func getRound(ctx context.Context, q sqldb.Querier, id int64) (Round, error) {
	r, err := scanRound(q.QueryRowContext(ctx, "SELECT "+roundColumns+" FROM rounds r WHERE r.id = ?", id))
	if sqldb.IsNoRows(err) {
		return Round{}, apperr.New(apperr.NotFound, "round.not_found")
	}
	if err != nil {
		return Round{}, fmt.Errorf("get round %d: %w", id, err)
	}
	return r, nil
}

func dateOrEmpty(d workday.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

const appColumns = `a.id, a.round_id, a.enterprise_id, a.region_code, a.state, a.origin, a.rule_version, a.verdict,
	a.assessment, a.snapshot, a.evidence, a.checklist, a.statement, a.reason, a.registry_number, a.created_at, a.updated_at`

// appSnapshot is the registry record as the firm applied with it.
type appSnapshot struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
	RegionCode string `json:"region_code"`
	Domain     string `json:"domain"`
	Industry   string `json:"industry"`
	Founded    string `json:"founded"`
}

func snapshotOf(e Enterprise) appSnapshot {
	return appSnapshot{Name: e.Name, CreditCode: e.CreditCode, RegionCode: e.RegionCode, Domain: e.Domain,
		Industry: e.Industry, Founded: dateText(e.Founded)}
}

func scanApplication(row interface{ Scan(...any) error }) (Application, appSnapshot, error) {
	var a Application
	var assessment, snapshot, evidence, checklist string
	var created, updated sqldb.Time
	if err := row.Scan(&a.ID, &a.RoundID, &a.EnterpriseID, &a.RegionCode, &a.State, &a.Origin, &a.RuleVersion, &a.Verdict,
		&assessment, &snapshot, &evidence, &checklist, &a.Statement, &a.Reason, &a.RegistryNumber, &created, &updated); err != nil {
		return Application{}, appSnapshot{}, err
	}
	var snap appSnapshot
	if err := json.Unmarshal([]byte(snapshot), &snap); err != nil {
		return Application{}, snap, fmt.Errorf("application %d snapshot: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(evidence), &a.Evidence); err != nil {
		return Application{}, snap, fmt.Errorf("application %d evidence: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(checklist), &a.Checklist); err != nil {
		return Application{}, snap, fmt.Errorf("application %d checklist: %w", a.ID, err)
	}
	if a.Evidence == nil {
		a.Evidence = []Evidence{}
	}
	a.Assessment = json.RawMessage(assessment)
	a.EnterpriseName, a.CreditCode, a.Domain = snap.Name, snap.CreditCode, snap.Domain
	a.CreatedAt, a.UpdatedAt = created.Time, updated.Time
	a.Actions = []string{}
	return a, snap, nil
}

func getApplication(ctx context.Context, q sqldb.Querier, roundID, id int64) (Application, appSnapshot, error) {
	a, snap, err := scanApplication(q.QueryRowContext(ctx, "SELECT "+appColumns+" FROM round_applications a WHERE a.id = ? AND a.round_id = ?",
		id, roundID))
	if sqldb.IsNoRows(err) {
		return Application{}, snap, apperr.New(apperr.NotFound, "round.application_not_found")
	}
	if err != nil {
		return Application{}, snap, fmt.Errorf("get application %d: %w", id, err)
	}
	return a, snap, nil
}

func insertAppEvent(ctx context.Context, tx *sqldb.Tx, appID int64, action string, from, to AppState, note string,
	actorID int64, actorName string, at time.Time) error {
	var actor any
	if actorID != 0 {
		actor = actorID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO round_events (application_id, action, from_state, to_state, note, actor_id, actor_name, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, appID, action, string(from), string(to), note, actor, actorName, sqldb.At(at))
	if err != nil {
		return fmt.Errorf("insert round event: %w", err)
	}
	return nil
}

func appEvents(ctx context.Context, q sqldb.Querier, appID int64) ([]AppEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT action, from_state, to_state, note, actor_name, at FROM round_events
		WHERE application_id = ? ORDER BY id`, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AppEvent{}
	for rows.Next() {
		var e AppEvent
		var at sqldb.Time
		if err := rows.Scan(&e.Action, &e.From, &e.To, &e.Note, &e.ActorName, &at); err != nil {
			return nil, err
		}
		e.At = at.Time
		out = append(out, e)
	}
	return out, rows.Err()
}

const objectionColumns = `o.id, o.round_id, r.title, COALESCE(o.application_id, 0), o.region_code, o.name, o.contact, o.reason,
	o.evidence, o.answer, o.upheld, o.answered_at, o.created_at`

func scanObjection(row interface{ Scan(...any) error }, k *pii.Keyring) (Objection, error) {
	var o Objection
	var answered, created sqldb.Time
	if err := row.Scan(&o.ID, &o.RoundID, &o.RoundTitle, &o.ApplicationID, &o.RegionCode, &o.Name, &o.Contact, &o.Reason,
		&o.Evidence, &o.Answer, &o.Upheld, &answered, &created); err != nil {
		return Objection{}, err
	}
	contact, err := k.Open(objectionContact, o.Contact)
	if err != nil {
		return Objection{}, fmt.Errorf("objection %d contact: %w", o.ID, err)
	}
	o.Contact = contact
	o.AnsweredAt, o.CreatedAt = answered.Time, created.Time
	o.Answered = !answered.Time.IsZero()
	return o, nil
}

func getObjection(ctx context.Context, q sqldb.Querier, id int64) (Objection, error) {
	o, err := scanObjection(q.QueryRowContext(ctx, "SELECT "+objectionColumns+" FROM round_objections o JOIN rounds r ON r.id = o.round_id WHERE o.id = ?", id),
		pii.From(q))
	if sqldb.IsNoRows(err) {
		return Objection{}, apperr.New(apperr.NotFound, "round.objection_not_found")
	}
	if err != nil {
		return Objection{}, fmt.Errorf("get objection %d: %w", id, err)
	}
	return o, nil
}

// regionNames caches county names for one request.
type regionNames struct {
	db    *sqldb.DB
	names map[string]string
}

func (s *Service) regionNames() *regionNames {
	return &regionNames{db: s.db, names: map[string]string{}}
}

func (n *regionNames) name(ctx context.Context, code string) string {
	if v, ok := n.names[code]; ok {
		return v
	}
	v := code
	if r, err := region.NewService(n.db).Get(ctx, code); err == nil {
		v = r.Name
	}
	n.names[code] = v
	return v
}

// likePrefix returns a LIKE pattern for the codes inside scope.
func likePrefix(scope string) string {
	return strings.ReplaceAll(region.Prefix(scope), "%", "") + "%"
}
