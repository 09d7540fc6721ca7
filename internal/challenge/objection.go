package challenge

import (
	"context"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/cultivation"
	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// objectionContact is the sealed column of an objection's contact.
var objectionContact = pii.Column{Table: "challenge_objections", Name: "contact"}

// SealedColumns are the module's columns holding personal data: the
// wiring seals their legacy plain text at start (pii.SealAll).
var SealedColumns = []pii.Column{objectionContact}

// maxObjectionsPerChallenge caps one challenge's objections, so that a
// flood from many addresses cannot bury staff.
const maxObjectionsPerChallenge = 500

// PublicNotice is the public 公示 of a challenge: the selected team and
// the ranking, the period in working days and whether objections are
// taken today.
type PublicNotice struct {
	Challenge Challenge `json:"challenge"`
	Selected  string    `json:"selected"`
	Ranking   []Result  `json:"ranking"`
	Open      bool      `json:"open"`
}

// GetNotice returns the 公示 of a challenge that reached it (anyone, no
// login); before, NotFound.
func (s *Service) GetNotice(ctx context.Context, a account.Actor, id int64) (PublicNotice, error) {
	c, err := s.challengeFor(ctx, s.db, a, id)
	if err != nil {
		return PublicNotice{}, err
	}
	if !c.Stage.after(Notice) {
		return PublicNotice{}, notFound()
	}
	apps, err := listApplications(ctx, s.db, id)
	if err != nil {
		return PublicNotice{}, err
	}
	scores, err := scoresOf(ctx, s.db, id)
	if err != nil {
		return PublicNotice{}, err
	}
	out := PublicNotice{Challenge: c, Ranking: ranking(c, apps, scores), Open: c.NoticeOpen(s.today())}
	for _, app := range apps {
		if app.ID == c.SelectedID {
			out.Selected = app.OrgName
		}
	}
	return out, nil
}

// ObjectionInput is an objection (异议) sent from the public 公示.
type ObjectionInput struct {
	Name    string `json:"name"`
	Contact string `json:"contact"`
	Reason  string `json:"reason"`
}

// Objection is an objection with its answer; Contact is shown to staff
// only.
type Objection struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Contact    string    `json:"contact"`
	Reason     string    `json:"reason"`
	Answer     string    `json:"answer"`
	Upheld     bool      `json:"upheld"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	CreatedAt  time.Time `json:"created_at"`
}

// SubmitObjection records an objection to a challenge in its 公示 period
// (anyone; Conflict outside it). client is the sender's hashed address,
// throttled as the rounds' objections are (cultivation.ThrottleObjections).
func (s *Service) SubmitObjection(ctx context.Context, id int64, in ObjectionInput, client string) error {
	var c collect
	c.text("name", &in.Name, 50, true)
	c.text("contact", &in.Contact, 100, true)
	c.text("reason", &in.Reason, 2000, true)
	if err := c.err(); err != nil {
		return err
	}
	now := s.now()
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		ch, err := getChallenge(ctx, tx, id)
		if err != nil || !ch.Stage.after(Notice) {
			return notFound()
		}
		if !ch.NoticeOpen(s.today()) {
			return apperr.New(apperr.Conflict, "challenge.notice_closed")
		}
		if err := cultivation.ThrottleObjections(ctx, tx, "challenge_objections", client, now); err != nil {
			return err
		}
		var total int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM challenge_objections WHERE challenge_id = ?", id).Scan(&total); err != nil {
			return err
		}
		if total >= maxObjectionsPerChallenge {
			return apperr.New(apperr.TooMany, "round.objection_throttled").Retry(time.Hour)
		}
		contact, err := pii.From(tx).Seal(objectionContact, in.Contact)
		if err != nil {
			return err
		}
		oid, err := tx.InsertID(ctx, `INSERT INTO challenge_objections (challenge_id, name, contact, reason, client, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, in.Name, contact, in.Reason, client, sqldb.At(now))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Actor{Name: "anonymous", Role: "anonymous"}, audit.Event{Action: "challenge_objection.submit",
			ObjectType: "challenge_objection", ObjectID: idText(oid), ObjectName: ch.Title, RegionCode: ch.RegionCode,
			After: map[string]any{"challenge_id": id}})
	})
}

// FindObjections lists a challenge's objections, oldest first, to the
// staff in its scope (NotFound for anyone else).
func (s *Service) FindObjections(ctx context.Context, a account.Actor, id int64) ([]Objection, error) {
	c, err := s.challengeFor(ctx, s.db, a, id)
	if err != nil {
		return nil, err
	}
	if !manages(a, c) {
		return nil, notFound()
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, contact, reason, answer, upheld, answered_at, created_at
		FROM challenge_objections WHERE challenge_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Objection{}
	keys := pii.From(s.db)
	for rows.Next() {
		var o Objection
		var answered, created sqldb.Time
		if err := rows.Scan(&o.ID, &o.Name, &o.Contact, &o.Reason, &o.Answer, &o.Upheld, &answered, &created); err != nil {
			return nil, err
		}
		if o.Contact, err = keys.Open(objectionContact, o.Contact); err != nil {
			return nil, err
		}
		o.AnsweredAt, o.CreatedAt = answered.Time, created.Time
		out = append(out, o)
	}
	return out, rows.Err()
}

// AnswerObjection answers an objection (staff in scope); upheld says the
// objection stands, which staff then act on. Every objection must be
// answered before the challenge is signed.
func (s *Service) AnswerObjection(ctx context.Context, a account.Actor, challengeID, id int64, answer string, upheld bool) error {
	var c collect
	c.text("answer", &answer, 2000, true)
	if err := c.err(); err != nil {
		return err
	}
	now := s.now()
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		ch, err := s.challengeFor(ctx, tx, a, challengeID)
		if err != nil {
			return err
		}
		if !manages(a, ch) {
			return notFound()
		}
		res, err := tx.ExecContext(ctx, `UPDATE challenge_objections SET answer = ?, upheld = ?, answered_by = ?, answered_at = ?
			WHERE id = ? AND challenge_id = ? AND answered_at IS NULL`, answer, upheld, a.UserID, sqldb.At(now), id, challengeID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound()
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "challenge_objection.answer", ObjectType: "challenge_objection",
			ObjectID: idText(id), ObjectName: ch.Title, RegionCode: ch.RegionCode,
			After: map[string]any{"answer": answer, "upheld": upheld}})
	})
}
