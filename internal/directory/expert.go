package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/search"
	"kechuang/internal/sqldb"
)

// The public fields an expert may consent to show, as codes of
// Reference.PublicFields. A profile without FieldName is not shown at all.
const (
	FieldName         = "name"
	FieldInstitution  = "institution"
	FieldTitle        = "title"
	FieldDisciplines  = "disciplines"
	FieldResearch     = "research"
	FieldKeywords     = "keywords"
	FieldAchievements = "achievements"
	FieldPatents      = "patents"
	FieldRoles        = "roles"
	FieldRegion       = "region"
)

// How a consent was given.
const (
	ConsentSelf     = "self"     // by the expert's own account, in the app
	ConsentRecorded = "recorded" // in writing, recorded by an editor
)

// Consent is one consent an expert gave (or withdrew: no Fields) to show
// fields of the profile publicly, under the privacy notice of
// NoticeVersion.
type Consent struct {
	Fields        []string  `json:"fields"`
	NoticeVersion string    `json:"notice_version"`
	Method        string    `json:"method"`
	GivenAt       time.Time `json:"given_at"`
	RecordedBy    int64     `json:"recorded_by,omitempty"`
	RecordedAt    time.Time `json:"recorded_at"`
}

// Withdrawn reports whether the consent withdraws every field.
func (c Consent) Withdrawn() bool { return len(c.Fields) == 0 }

// Expert is a person of the expert pool (专家库): 评审专家, 创新创业导师,
// 科技特派员. Personal data under PIPL: visitors see only the fields the
// expert consented to show (Withheld names the rest) and never the phone,
// e-mail or account; staff in scope and the expert see everything; the
// accounts of the expert's institution edit the record but do not read its
// phone and e-mail.
type Expert struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	InstitutionID int64  `json:"institution_id,omitempty"`
	// Affiliation is the institution's name when InstitutionID is set,
	// else the employer as entered.
	Affiliation string   `json:"affiliation,omitempty"`
	Title       string   `json:"title,omitempty"`
	Disciplines []string `json:"disciplines"`
	// DisciplinesConfirmed is false while the disciplines are the
	// classifier's suggestion that no person has confirmed.
	DisciplinesConfirmed bool       `json:"disciplines_confirmed"`
	Research             string     `json:"research,omitempty"`
	Keywords             []string   `json:"keywords"`
	Achievements         []string   `json:"achievements"`
	Patents              []string   `json:"patents"`
	Roles                []string   `json:"roles"`
	RegionCode           string     `json:"region_code,omitempty"`
	Visibility           Visibility `json:"visibility,omitempty"`
	Phone                string     `json:"phone,omitempty"`
	Email                string     `json:"email,omitempty"`
	AccountID            int64      `json:"account_id,omitempty"`
	// Consent is the consent in force, nil when none was ever recorded;
	// shown to the expert, its editors and staff.
	Consent *Consent `json:"consent,omitempty"`
	// DeletionRequestedAt is set while the expert's deletion request is
	// pending; the profile is hidden from the public meanwhile.
	DeletionRequestedAt time.Time `json:"deletion_requested_at,omitzero"`
	// Withheld lists the public fields this view leaves out because the
	// expert did not consent to show them.
	Withheld  []string  `json:"withheld,omitempty"`
	Perms     Perms     `json:"-"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`

	instVisibility Visibility
	instRegion     string
}

// ExpertContact is an expert's phone and e-mail.
type ExpertContact struct {
	Phone string
	Email string
}

// ExpertInput is what creating or changing an expert takes.
type ExpertInput struct {
	Name string
	// InstitutionID links the expert to an institution of the directory;
	// an institution account may only name its own (0 means its own).
	InstitutionID int64
	Affiliation   string // employer when not an institution of the directory
	Title         string
	// Disciplines are CSL disciplines; sending them confirms them. Empty:
	// the service suggests them from Research (and keywords and
	// achievements) and stores them unconfirmed.
	Disciplines  []string
	Research     string
	Keywords     []string
	Achievements []string
	Patents      []string
	Roles        []string
	// RegionCode defaults to the institution's region.
	RegionCode string
	Visibility Visibility // default public; consent still decides what shows
	// Contact nil keeps the stored phone and e-mail: the institution's
	// editors, who may not read them, send nil.
	Contact *ExpertContact
}

func (in *ExpertInput) check(c *checker, ref *Reference) {
	c.text("name", &in.Name, maxShort, true)
	c.text("affiliation", &in.Affiliation, maxName, false)
	c.text("job_title", &in.Title, maxShort, false)
	c.codes("disciplines", &in.Disciplines, ref.ValidDiscipline)
	c.text("research", &in.Research, maxSummary, false)
	c.list("keywords", &in.Keywords)
	c.list("achievements", &in.Achievements)
	c.list("patents", &in.Patents)
	c.codes("roles", &in.Roles, ref.ExpertRoles.Has)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	c.visibility(&in.Visibility, VisiblePublic)
	if in.Contact != nil {
		c.contact("phone", &in.Contact.Phone, "email", &in.Contact.Email)
	}
	if in.InstitutionID < 0 {
		c.add("institution_id", "directory.institution_unknown")
	}
}

// Validate normalizes the input and returns every bad field at once.
func (in *ExpertInput) Validate(ref *Reference) error {
	var c checker
	in.check(&c, ref)
	return c.err()
}

// ExpertFilter selects experts. Zero fields do not filter. A visitor's
// filters on a field match only experts who consented to show that field,
// so that a filter cannot reveal what the profile withholds.
type ExpertFilter struct {
	Query         string // part of the name
	Discipline    string
	Role          string
	Region        string
	InstitutionID int64
	// Unconfirmed keeps experts whose disciplines await confirmation
	// (for their editors).
	Unconfirmed bool
	Paging
}

const expertColumns = `e.id, e.name, COALESCE(e.institution_id, 0), COALESCE(i.name, e.affiliation), e.title, e.disciplines,
	e.disciplines_confirmed, e.research, e.keywords, e.achievements, e.patents, e.roles, e.region_code, e.visibility, e.phone,
	e.email, COALESCE(e.account_id, 0), e.consent_fields, e.consent_version, e.consent_at, e.deletion_requested_at,
	e.created_at, e.updated_at, COALESCE(i.visibility, ''), COALESCE(i.region_code, '')`

const expertFrom = "experts e LEFT JOIN institutions i ON i.id = e.institution_id"

func scanExpert(row rowScanner) (Expert, error) {
	var e Expert
	var disciplines, keywords, achievements, patents, roles, consentFields, consentVersion string
	var consentAt, deletionAt, created, updated sqldb.Time
	err := row.Scan(&e.ID, &e.Name, &e.InstitutionID, &e.Affiliation, &e.Title, &disciplines, &e.DisciplinesConfirmed,
		&e.Research, &keywords, &achievements, &patents, &roles, &e.RegionCode, &e.Visibility, &e.Phone, &e.Email,
		&e.AccountID, &consentFields, &consentVersion, &consentAt, &deletionAt, &created, &updated, &e.instVisibility, &e.instRegion)
	if err != nil {
		return Expert{}, err
	}
	e.Disciplines, e.Keywords, e.Roles = splitCodes(disciplines), splitCodes(keywords), splitCodes(roles)
	if e.Achievements, err = splitJSON(achievements); err != nil {
		return Expert{}, err
	}
	if e.Patents, err = splitJSON(patents); err != nil {
		return Expert{}, err
	}
	if !consentAt.IsZero() {
		e.Consent = &Consent{Fields: splitCodes(consentFields), NoticeVersion: consentVersion, GivenAt: consentAt.Time}
	}
	e.DeletionRequestedAt, e.CreatedAt, e.UpdatedAt = deletionAt.Time, created.Time, updated.Time
	return e, nil
}

func getExpert(ctx context.Context, q sqldb.Querier, id int64) (Expert, error) {
	return getOne(ctx, q, "expert", "SELECT "+expertColumns+" FROM "+expertFrom+" WHERE e.id = ?", id, scanExpert)
}

// auditView holds no personal data: the audit log is append-only, and a
// deleted expert must leave nothing in it that names them.
func (e Expert) auditView() map[string]any {
	return map[string]any{"institution_id": e.InstitutionID, "roles": e.Roles, "region_code": e.RegionCode,
		"visibility": e.Visibility, "account_id": e.AccountID, "disciplines_confirmed": e.DisciplinesConfirmed}
}

// expertAccess is how the actor relates to an expert record.
type expertAccess struct {
	staff       bool // staff in scope or the administrator: reads everything
	self        bool // the expert's own account
	institution bool // an account of the expert's institution
}

func accessTo(v viewer, e Expert) expertAccess {
	return expertAccess{
		staff:       seesAll(v.Actor, e.RegionCode),
		self:        v.LoggedIn() && e.AccountID != 0 && e.AccountID == v.UserID,
		institution: v.institution != 0 && v.institution == e.InstitutionID,
	}
}

func (x expertAccess) perms(a account.Actor, e Expert) Perms {
	m := Manages(a, e.RegionCode)
	return Perms{Edit: m || x.self || x.institution, Manage: m}
}

// consented reports whether the current consent covers field.
func (e Expert) consented(field string) bool {
	return e.Consent != nil && slices.Contains(e.Consent.Fields, field)
}

// Public reports whether visitors may see the profile at all: its
// visibility is not staff, the expert consented to show at least the name,
// and no deletion request is pending.
func (e Expert) Public() bool {
	return e.Visibility != VisibleStaff && e.consented(FieldName) && e.DeletionRequestedAt.IsZero()
}

// view applies the actor's view: everything for staff in scope and the
// expert; everything but phone, e-mail and account for the institution's
// editors; the consented public fields for others who may see it.
func (e Expert) view(v viewer) (Expert, bool) {
	x := accessTo(v, e)
	e.Perms = x.perms(v.Actor, e)
	if e.InstitutionID != 0 && !canSee(v.Actor, e.instVisibility, e.instRegion, v.institution == e.InstitutionID) {
		e.InstitutionID = 0 // the name stays; a link would lead nowhere
	}
	switch {
	case x.staff || x.self:
		return e, true
	case x.institution:
		e.Phone, e.Email, e.AccountID = "", "", 0
		return e, true
	}
	if !e.Public() || !canSee(v.Actor, e.Visibility, e.RegionCode, false) {
		return Expert{}, false
	}
	return e.public(), true
}

// public keeps the consented fields and names the others in Withheld.
func (e Expert) public() Expert {
	out := Expert{ID: e.ID, Name: e.Name, Disciplines: []string{}, Keywords: []string{}, Achievements: []string{},
		Patents: []string{}, Roles: []string{}, Withheld: []string{}}
	keep := func(field string, copyField func()) {
		if e.consented(field) {
			copyField()
		} else {
			out.Withheld = append(out.Withheld, field)
		}
	}
	keep(FieldInstitution, func() { out.InstitutionID, out.Affiliation = e.InstitutionID, e.Affiliation })
	keep(FieldTitle, func() { out.Title = e.Title })
	keep(FieldDisciplines, func() { out.Disciplines, out.DisciplinesConfirmed = e.Disciplines, e.DisciplinesConfirmed })
	keep(FieldResearch, func() { out.Research = e.Research })
	keep(FieldKeywords, func() { out.Keywords = e.Keywords })
	keep(FieldAchievements, func() { out.Achievements = e.Achievements })
	keep(FieldPatents, func() { out.Patents = e.Patents })
	keep(FieldRoles, func() { out.Roles = e.Roles })
	keep(FieldRegion, func() { out.RegionCode = e.RegionCode })
	return out
}

// expertWhere returns the SQL conditions under which the actor sees an
// expert: priv, the rows it reads in full (staff region, own record,
// own institution), and see, priv or a consented visible profile.
func expertWhere(v viewer) (priv string, privArgs []any, see string, seeArgs []any) {
	if v.LoggedIn() && (v.Role == account.RoleAdmin || (IsManager(v.Actor) && v.Scope() == "")) {
		return "1 = 1", nil, "1 = 1", nil
	}
	var conds []string
	if IsManager(v.Actor) {
		conds, privArgs = append(conds, "e.region_code LIKE ?"), append(privArgs, region.Prefix(v.Scope())+"%")
	}
	if v.LoggedIn() {
		conds, privArgs = append(conds, "e.account_id = ?"), append(privArgs, v.UserID)
	}
	if v.institution != 0 {
		conds, privArgs = append(conds, "e.institution_id = ?"), append(privArgs, v.institution)
	}
	priv = "1 = 0"
	if len(conds) > 0 {
		priv = "(" + strings.Join(conds, " OR ") + ")"
	}
	vis := "e.visibility = 'public'"
	if v.LoggedIn() {
		vis = "e.visibility IN ('public', 'members')"
	}
	public := "(" + vis + " AND e.consent_fields LIKE '%,name,%' AND e.deletion_requested_at IS NULL)"
	return priv, privArgs, "(" + priv + " OR " + public + ")", slices.Clone(privArgs)
}

// FindExperts lists the experts the actor may see that match f, by name,
// each in the actor's view.
func (s *Service) FindExperts(ctx context.Context, a account.Actor, f ExpertFilter) ([]Expert, int, error) {
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return nil, 0, err
	}
	priv, privArgs, see, args := expertWhere(v)
	where := []string{see}
	// consentedTo limits a filter on field to the rows that show it.
	consentedTo := func(field string) {
		where = append(where, "("+priv+" OR e.consent_fields LIKE ?)")
		args = append(append(args, privArgs...), "%,"+field+",%")
	}
	where, args = textWhere(where, args, f.Query, "e.name")
	if f.Discipline != "" {
		where, args = codeWhere(where, args, "e.disciplines", f.Discipline)
		consentedTo(FieldDisciplines)
	}
	if f.Role != "" {
		where, args = codeWhere(where, args, "e.roles", f.Role)
		consentedTo(FieldRoles)
	}
	if f.Region != "" {
		where, args = regionWhere(where, args, "e.region_code", f.Region)
		consentedTo(FieldRegion)
	}
	if f.InstitutionID != 0 {
		where, args = append(where, "e.institution_id = ?"), append(args, f.InstitutionID)
		consentedTo(FieldInstitution)
	}
	if f.Unconfirmed {
		where, args = append(where, "e.disciplines_confirmed = ? AND "+priv), append(append(args, false), privArgs...)
	}
	list, total, err := findPage(ctx, s.db, "experts", expertColumns, expertFrom, where, args, "e.name, e.id", f.Paging, scanExpert)
	if err != nil {
		return nil, 0, err
	}
	return list, total, viewAll("expert", list, func(x Expert) (Expert, bool) { return x.view(v) })
}

// GetExpert returns an expert in the actor's view; an expert the actor may
// not see is NotFound.
func (s *Service) GetExpert(ctx context.Context, a account.Actor, id int64) (Expert, error) {
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return Expert{}, err
	}
	e, err := getExpert(ctx, s.db, id)
	if err != nil {
		return Expert{}, err
	}
	if e, ok := e.view(v); ok {
		return e, nil
	}
	return Expert{}, notFound()
}

// MyExpert returns the expert record linked to the actor's account, in
// full; NotFound when there is none.
func (s *Service) MyExpert(ctx context.Context, a account.Actor) (Expert, error) {
	if !a.LoggedIn() {
		return Expert{}, notFound()
	}
	var id int64
	err := s.db.QueryRowContext(ctx, "SELECT id FROM experts WHERE account_id = ?", a.UserID).Scan(&id)
	if sqldb.IsNoRows(err) {
		return Expert{}, notFound()
	}
	if err != nil {
		return Expert{}, fmt.Errorf("expert of account %d: %w", a.UserID, err)
	}
	return s.GetExpert(ctx, a, id)
}

// Suggestion limits, as on the market's listing form: below
// suggestMinRunes letters a classifier guesses wrong and looks confident.
const (
	suggestMinRunes       = 12
	suggestMinP           = 0.05
	suggestDisciplines    = 3
	suggestMaxBytes       = 16 << 10
	suggestFromAllFieldsN = 3 // achievements read besides the research text
)

// SuggestDisciplines proposes up to three CSL disciplines for an expert's
// research text (its first 16 KiB), most probable first, each with its
// probability; nothing for a text under 12 letters or without a
// classifier. Pages show them for the editor to confirm.
func (s *Service) SuggestDisciplines(text string) []search.Label {
	out := []search.Label{}
	if s.cfg.Classifier == nil {
		return out
	}
	text = strings.TrimSpace(text)
	if len(text) > suggestMaxBytes {
		text = strings.ToValidUTF8(text[:suggestMaxBytes], "")
	}
	n := 0
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	if n < suggestMinRunes {
		return out
	}
	for _, l := range s.cfg.Classifier.Classify(text).Disciplines {
		if len(out) == suggestDisciplines || l.P < suggestMinP {
			break
		}
		if s.ref.ValidDiscipline(l.Name) {
			out = append(out, l)
		}
	}
	return out
}

// suggestionText is what an expert's disciplines are suggested from.
func (in ExpertInput) suggestionText() string {
	parts := []string{in.Research, strings.Join(in.Keywords, "，")}
	parts = append(parts, in.Achievements[:min(len(in.Achievements), suggestFromAllFieldsN)]...)
	return strings.Join(parts, "\n")
}

// disciplines returns the disciplines to store and whether they are
// confirmed: the ones sent (confirmed), else the suggestion (not).
func (s *Service) disciplines(in ExpertInput) ([]string, bool) {
	if len(in.Disciplines) > 0 {
		return in.Disciplines, true
	}
	var out []string
	for _, l := range s.SuggestDisciplines(in.suggestionText()) {
		out = append(out, l.Name)
	}
	return out, false
}

// expertInstitution checks the institution an expert is linked to and
// returns its region: an institution account may name only its own
// (0 means its own); staff any institution of the directory.
func (s *Service) expertInstitution(ctx context.Context, q sqldb.Querier, c *checker, v viewer, in *ExpertInput, manager bool) (string, error) {
	if !manager && v.institution != 0 {
		if in.InstitutionID == 0 {
			in.InstitutionID = v.institution
		}
		if in.InstitutionID != v.institution {
			c.add("institution_id", "directory.institution_not_yours")
			return "", nil
		}
	}
	if in.InstitutionID == 0 {
		return "", nil
	}
	inst, err := getInstitution(ctx, q, in.InstitutionID)
	if apperr.Is(err, apperr.NotFound) {
		c.add("institution_id", "directory.institution_unknown")
		return "", nil
	}
	if err != nil {
		return "", err
	}
	in.Affiliation = ""
	return inst.RegionCode, nil
}

func expertArgs(in ExpertInput, disciplines []string, confirmed bool) []any {
	return []any{in.Name, nullID(in.InstitutionID), in.Affiliation, in.Title, joinCodes(disciplines), confirmed, in.Research,
		joinCodes(in.Keywords), joinJSON(in.Achievements), joinJSON(in.Patents), joinCodes(in.Roles), in.RegionCode,
		string(in.Visibility)}
}

// CreateExpert adds an expert. Staff may, in their region; an institution
// account may add experts of its institution. Without disciplines the
// service suggests them from the research text, unconfirmed. The expert is
// not shown publicly until a consent is recorded (RecordExpertConsent).
func (s *Service) CreateExpert(ctx context.Context, a account.Actor, in ExpertInput) (Expert, error) {
	var out Expert
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		v, err := s.viewer(ctx, tx, a)
		if err != nil {
			return err
		}
		if !IsManager(a) && v.institution == 0 {
			return onlyManagers(a)
		}
		var c checker
		in.check(&c, s.ref)
		instRegion, err := s.expertInstitution(ctx, tx, &c, v, &in, IsManager(a))
		if err != nil {
			return err
		}
		if in.RegionCode == "" {
			in.RegionCode = instRegion
		}
		if err := s.checkRegionInto(ctx, tx, &c, a, in.RegionCode, false); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		out, err = s.insertExpert(ctx, tx, v, in)
		return err
	})
	return out, err
}

// insertExpert stores a checked expert in tx, phone and e-mail sealed and
// disciplines suggested when none are given, with its audit row; the form,
// the API and the import create experts through it. The expert has no
// consent and is not public until one is recorded.
func (s *Service) insertExpert(ctx context.Context, tx *sqldb.Tx, v viewer, in ExpertInput) (Expert, error) {
	if in.Contact == nil {
		in.Contact = &ExpertContact{}
	}
	disciplines, confirmed := s.disciplines(in)
	now := sqldb.At(s.now())
	id, err := tx.InsertID(ctx, `INSERT INTO experts (name, institution_id, affiliation, title, disciplines,
		disciplines_confirmed, research, keywords, achievements, patents, roles, region_code, visibility, phone, email,
		created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append(expertArgs(in, disciplines, confirmed), pii.From(tx).Value(expertPhone, in.Contact.Phone), pii.From(tx).Value(expertEmail, in.Contact.Email), v.UserID, now, now)...)
	if err != nil {
		return Expert{}, fmt.Errorf("insert expert: %w", err)
	}
	out, err := getExpert(ctx, tx, id)
	if err != nil {
		return Expert{}, err
	}
	out, _ = out.view(v)
	return out, audit.Record(ctx, tx, v.Audit(), audit.Event{Action: "expert.create", ObjectType: "expert",
		ObjectID: idText(id), RegionCode: in.RegionCode, After: out.auditView()})
}

// editExpert loads an expert inside tx for a write by the actor: NotFound
// unless the actor edits it.
func (s *Service) editExpert(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64) (Expert, viewer, expertAccess, error) {
	v, err := s.viewer(ctx, tx, a)
	if err != nil {
		return Expert{}, v, expertAccess{}, err
	}
	e, err := getExpert(ctx, tx, id)
	if err != nil {
		return Expert{}, v, expertAccess{}, err
	}
	x := accessTo(v, e)
	e.Perms = x.perms(a, e)
	if !e.Perms.Edit {
		return Expert{}, v, x, notFound()
	}
	return e, v, x, nil
}

// UpdateExpert replaces an expert's profile. Staff in scope, the
// institution's accounts and the expert may. The expert corrects the
// profile but keeps the institution, roles, region and visibility, which
// the editors decide; only staff move it to another region.
func (s *Service) UpdateExpert(ctx context.Context, a account.Actor, id int64, in ExpertInput) (Expert, error) {
	var out Expert
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, v, x, err := s.editExpert(ctx, tx, a, id)
		if err != nil {
			return err
		}
		onlySelf := x.self && !x.institution && !old.Perms.Manage
		if onlySelf {
			// The expert's own account keeps what the editors decide;
			// left empty, those fields stay as they are.
			if in.InstitutionID == 0 {
				in.InstitutionID = old.InstitutionID
			}
			if in.Roles == nil {
				in.Roles = old.Roles
			}
		}
		keep(&in.RegionCode, &in.Visibility, old.RegionCode, old.Visibility)
		var c checker
		in.check(&c, s.ref)
		if onlySelf {
			if in.InstitutionID != old.InstitutionID {
				c.add("institution_id", "directory.editors_decide")
			}
			if joinCodes(in.Roles) != joinCodes(old.Roles) {
				c.add("roles", "directory.editors_decide")
			}
			if in.Visibility != old.Visibility {
				c.add("visibility", "directory.editors_decide")
			}
			if in.InstitutionID != 0 {
				in.Affiliation = ""
			}
		} else if _, err := s.expertInstitution(ctx, tx, &c, v, &in, old.Perms.Manage); err != nil {
			return err
		}
		if err := s.checkMove(ctx, tx, &c, a, old.Perms, old.RegionCode, in.RegionCode, false); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		if in.Contact == nil {
			in.Contact = &ExpertContact{Phone: old.Phone, Email: old.Email}
		}
		disciplines, confirmed := s.disciplines(in)
		if _, err := tx.ExecContext(ctx, `UPDATE experts SET name = ?, institution_id = ?, affiliation = ?, title = ?,
			disciplines = ?, disciplines_confirmed = ?, research = ?, keywords = ?, achievements = ?, patents = ?, roles = ?,
			region_code = ?, visibility = ?, phone = ?, email = ?, updated_at = ? WHERE id = ?`,
			append(expertArgs(in, disciplines, confirmed), pii.From(tx).Value(expertPhone, in.Contact.Phone), pii.From(tx).Value(expertEmail, in.Contact.Email), sqldb.At(s.now()), id)...); err != nil {
			return fmt.Errorf("update expert %d: %w", id, err)
		}
		if out, err = getExpert(ctx, tx, id); err != nil {
			return err
		}
		out, _ = out.view(v)
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "expert.update", ObjectType: "expert",
			ObjectID: idText(id), RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// DeleteExpert removes an expert with the consent history; a pending
// deletion request is marked done. Staff in scope and the institution's
// accounts may.
func (s *Service) DeleteExpert(ctx context.Context, a account.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, _, x, err := s.editExpert(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !old.Perms.Manage && !x.institution {
			return apperr.New(apperr.Forbidden, "directory.expert_delete_request")
		}
		return s.deleteExpert(ctx, tx, a, old)
	})
}

// deleteExpert deletes the row (consents go with it) after closing a
// pending deletion request, and writes the audit row.
func (s *Service) deleteExpert(ctx context.Context, tx *sqldb.Tx, a account.Actor, e Expert) error {
	if _, err := tx.ExecContext(ctx, `UPDATE expert_deletion_requests SET state = 'done', decided_by = ?, decided_at = ?
		WHERE expert_id = ? AND state = 'pending'`, nullID(a.UserID), sqldb.At(s.now()), e.ID); err != nil {
		return fmt.Errorf("close deletion request: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM experts WHERE id = ?", e.ID); err != nil {
		return fmt.Errorf("delete expert %d: %w", e.ID, err)
	}
	return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "expert.delete", ObjectType: "expert",
		ObjectID: idText(e.ID), RegionCode: e.RegionCode, Before: e.auditView()})
}

// LinkExpertAccount makes userID the expert's own account (0 unlinks): the
// account then reads, exports and corrects the record, gives or withdraws
// consent and may ask for deletion. Only staff in scope link, since the
// link grants the expert's personal data; the account must be an enabled
// member account not linked to another expert.
func (s *Service) LinkExpertAccount(ctx context.Context, a account.Actor, id, userID int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, _, _, err := s.editExpert(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !old.Perms.Manage {
			return apperr.New(apperr.Forbidden, "directory.only_staff")
		}
		if fields, err := checkOwner(ctx, tx, "user_id", userID, memberRoles...); err != nil || fields != nil {
			if err != nil {
				return err
			}
			return apperr.Fields(fields...)
		}
		_, err = tx.ExecContext(ctx, "UPDATE experts SET account_id = ?, updated_at = ? WHERE id = ?", nullID(userID), sqldb.At(s.now()), id)
		if apperr.Is(err, apperr.Conflict) {
			return apperr.Fields(apperr.Field("user_id", "directory.account_linked_elsewhere"))
		}
		if err != nil {
			return fmt.Errorf("link expert account: %w", err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "expert.link_account", ObjectType: "expert",
			ObjectID: idText(id), RegionCode: old.RegionCode, Before: map[string]any{"account_id": old.AccountID},
			After: map[string]any{"account_id": userID}})
	})
}

// LinkExpertAccountByName is LinkExpertAccount with the account named by
// its username, as staff type it on the expert page; "" unlinks. Only
// staff who manage the expert may (others learn nothing about usernames:
// NotFound); an unknown username is an Invalid error on username.
func (s *Service) LinkExpertAccountByName(ctx context.Context, a account.Actor, id int64, username string) error {
	e, err := getExpert(ctx, s.db, id)
	if err != nil {
		return err
	}
	if !Manages(a, e.RegionCode) {
		return notFound()
	}
	var userID int64
	if username = strings.TrimSpace(username); username != "" {
		err := s.db.QueryRowContext(ctx, "SELECT id FROM users WHERE username = ?", username).Scan(&userID)
		if sqldb.IsNoRows(err) {
			return apperr.Fields(apperr.Field("username", "directory.owner_invalid"))
		}
		if err != nil {
			return fmt.Errorf("account %q: %w", username, err)
		}
	}
	err = s.LinkExpertAccount(ctx, a, id, userID)
	if e := apperr.As(err); e != nil && len(e.Fields) > 0 {
		// The form's field is the username.
		for i := range e.Fields {
			e.Fields[i].Field = "username"
		}
	}
	return err
}
