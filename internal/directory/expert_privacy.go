package directory

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// ConsentInput is a consent to record: the public fields (none withdraws
// every earlier consent), the version of the notice the expert read and,
// for a consent given in writing, the day it was given.
type ConsentInput struct {
	Fields []string
	// NoticeVersion: the expert's own account consents to the current
	// notice (empty means it); an editor recording a written consent names
	// the version on the form.
	NoticeVersion string
	// GivenOn (YYYY-MM-DD) is the day a written consent was signed; the
	// expert's own consent is given now.
	GivenOn string
}

// RecordExpertConsent records the expert's consent to show Fields publicly
// (or, with no fields, the withdrawal of consent) and makes it the consent
// in force. The expert's own account consents in the app to the current
// notice; staff in scope and the institution's accounts record a consent
// given in writing (method "recorded"). A consent must include the name.
func (s *Service) RecordExpertConsent(ctx context.Context, a account.Actor, id int64, in ConsentInput) (Expert, error) {
	var out Expert
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		old, v, x, err := s.editExpert(ctx, tx, a, id)
		if err != nil {
			return err
		}
		now := s.now()
		var c checker
		c.codes("fields", &in.Fields, s.ref.PublicFields.Has)
		if len(in.Fields) > 0 && !containsCode(in.Fields, FieldName) {
			c.add("fields", "directory.consent_needs_name")
		}
		in.NoticeVersion = strings.TrimSpace(in.NoticeVersion)
		method, given := ConsentSelf, now
		if x.self {
			if in.NoticeVersion == "" {
				in.NoticeVersion = s.ref.Notice.Version
			}
			if in.NoticeVersion != s.ref.Notice.Version {
				c.add("notice_version", "directory.notice_outdated", s.ref.Notice.Version)
			}
		} else {
			method = ConsentRecorded
			c.text("notice_version", &in.NoticeVersion, 32, true)
			given = c.date("given_on", &in.GivenOn, true, now)
		}
		if err := c.err(); err != nil {
			return err
		}
		// Keep the fields in the reference order, so that two equal
		// consents store equal strings.
		var fields []string
		for _, f := range s.ref.PublicFields {
			if containsCode(in.Fields, f.Code) {
				fields = append(fields, f.Code)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO expert_consents (expert_id, fields, notice_version, method, given_at,
			recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, id, joinCodes(fields), in.NoticeVersion, method,
			sqldb.At(given), nullID(a.UserID), sqldb.At(now)); err != nil {
			return fmt.Errorf("insert consent: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE experts SET consent_fields = ?, consent_version = ?, consent_at = ?,
			updated_at = ? WHERE id = ?`, joinCodes(fields), in.NoticeVersion, sqldb.At(given), sqldb.At(now), id); err != nil {
			return fmt.Errorf("store consent: %w", err)
		}
		if out, err = getExpert(ctx, tx, id); err != nil {
			return err
		}
		out, _ = out.view(v)
		action := "expert.consent"
		if len(fields) == 0 {
			action = "expert.consent_withdrawn"
		}
		var before any
		if old.Consent != nil {
			before = map[string]any{"fields": old.Consent.Fields, "notice_version": old.Consent.NoticeVersion}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: action, ObjectType: "expert", ObjectID: idText(id),
			RegionCode: old.RegionCode, Before: before,
			After: map[string]any{"fields": fields, "notice_version": in.NoticeVersion, "method": method}})
	})
	return out, err
}

func containsCode(list []string, code string) bool {
	for _, x := range list {
		if x == code {
			return true
		}
	}
	return false
}

func scanConsent(r rowScanner) (Consent, error) {
	var c Consent
	var fields string
	var given, recorded sqldb.Time
	err := r.Scan(&fields, &c.NoticeVersion, &c.Method, &given, &c.RecordedBy, &recorded)
	c.Fields, c.GivenAt, c.RecordedAt = splitCodes(fields), given.Time, recorded.Time
	return c, err
}

func loadConsents(ctx context.Context, q sqldb.Querier, id int64) ([]Consent, error) {
	return queryAll(ctx, q, "expert consents", `SELECT fields, notice_version, method, given_at, COALESCE(recorded_by, 0),
		recorded_at FROM expert_consents WHERE expert_id = ? ORDER BY id`, []any{id}, scanConsent)
}

// ExpertConsents returns every consent the expert gave or withdrew, oldest
// first. The expert, its editors and staff in scope may read it.
func (s *Service) ExpertConsents(ctx context.Context, a account.Actor, id int64) ([]Consent, error) {
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return nil, err
	}
	e, err := getExpert(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if x := accessTo(v, e); !x.staff && !x.self && !x.institution {
		return nil, notFound()
	}
	return loadConsents(ctx, s.db, id)
}

// Deletion request states.
const (
	DeletionPending = "pending"
	DeletionDone    = "done"
	DeletionRefused = "refused"
)

// DeletionRequest is an expert's request to delete their record (PIPL
// art. 47). It outlives the record: once done, ExpertID is 0 and nothing in
// it names the person.
type DeletionRequest struct {
	ID          int64     `json:"id"`
	ExpertID    int64     `json:"expert_id,omitempty"`
	ExpertName  string    `json:"expert_name,omitempty"` // while the record exists
	RegionCode  string    `json:"region_code"`
	Reason      string    `json:"reason,omitempty"`
	State       string    `json:"state"`
	Note        string    `json:"note,omitempty"` // why it was refused
	RequestedBy int64     `json:"requested_by,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
	DecidedAt   time.Time `json:"decided_at,omitzero"`
}

// DeletionFilter selects deletion requests. Zero fields do not filter.
type DeletionFilter struct {
	State  string
	Region string
	Paging
}

const deletionColumns = `r.id, COALESCE(r.expert_id, 0), COALESCE(e.name, ''), r.region_code, r.reason, r.state, r.note,
	COALESCE(r.requested_by, 0), r.requested_at, r.decided_at`

const deletionFrom = "expert_deletion_requests r LEFT JOIN experts e ON e.id = r.expert_id"

func scanDeletion(r rowScanner) (DeletionRequest, error) {
	var d DeletionRequest
	var requested, decided sqldb.Time
	err := r.Scan(&d.ID, &d.ExpertID, &d.ExpertName, &d.RegionCode, &d.Reason, &d.State, &d.Note, &d.RequestedBy,
		&requested, &decided)
	d.RequestedAt, d.DecidedAt = requested.Time, decided.Time
	return d, err
}

func getDeletion(ctx context.Context, q sqldb.Querier, id int64) (DeletionRequest, error) {
	return getOne(ctx, q, "deletion request", "SELECT "+deletionColumns+" FROM "+deletionFrom+" WHERE r.id = ?", id, scanDeletion)
}

// RequestExpertDeletion asks for the expert's record to be deleted. Only
// the expert's own account may (editors delete with DeleteExpert); the
// profile leaves public view at once, and staff in scope decide
// (DecideExpertDeletion). A second request while one is pending is a
// Conflict.
func (s *Service) RequestExpertDeletion(ctx context.Context, a account.Actor, id int64, reason string) (DeletionRequest, error) {
	var out DeletionRequest
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		e, _, x, err := s.editExpert(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !x.self {
			return apperr.New(apperr.Forbidden, "directory.only_expert")
		}
		var c checker
		c.text("deletion_reason", &reason, maxSummary, false)
		if err := c.err(); err != nil {
			return err
		}
		now := sqldb.At(s.now())
		rid, err := tx.InsertID(ctx, `INSERT INTO expert_deletion_requests (expert_id, region_code, requested_by, reason, state,
			requested_at) VALUES (?, ?, ?, ?, 'pending', ?)`, id, e.RegionCode, a.UserID, reason, now)
		if apperr.Is(err, apperr.Conflict) {
			return apperr.New(apperr.Conflict, "directory.deletion_pending")
		}
		if err != nil {
			return fmt.Errorf("insert deletion request: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE experts SET deletion_requested_at = ? WHERE id = ?", now, id); err != nil {
			return fmt.Errorf("mark deletion request: %w", err)
		}
		if out, err = getDeletion(ctx, tx, rid); err != nil {
			return err
		}
		if err := s.noticeDeciders(ctx, tx, e.RegionCode); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "expert.deletion_requested", ObjectType: "expert",
			ObjectID: idText(id), RegionCode: e.RegionCode, After: map[string]any{"request_id": rid}})
	})
	return out, err
}

// FindDeletionRequests lists deletion requests, newest first: staff see
// those of their region, an expert's account its own.
func (s *Service) FindDeletionRequests(ctx context.Context, a account.Actor, f DeletionFilter) ([]DeletionRequest, int, error) {
	if !a.LoggedIn() {
		return nil, 0, apperr.New(apperr.Unauthenticated, "session.required")
	}
	var where []string
	var args []any
	switch {
	case seesAll(a, ""):
	case IsManager(a):
		where, args = regionWhere(where, args, "r.region_code", a.Scope())
	default:
		where, args = append(where, "r.requested_by = ?"), append(args, a.UserID)
	}
	if f.State != "" {
		where, args = append(where, "r.state = ?"), append(args, f.State)
	}
	where, args = regionWhere(where, args, "r.region_code", f.Region)
	return findPage(ctx, s.db, "deletion requests", deletionColumns, deletionFrom, where, args, "r.id DESC", f.Paging, scanDeletion)
}

// DecideExpertDeletion settles a pending deletion request: approve deletes
// the expert record with its consent history; refuse keeps it (a legal
// duty to retain, say) and needs a note saying why, which the expert
// reads. Staff in scope may; a request already settled is a Conflict.
func (s *Service) DecideExpertDeletion(ctx context.Context, a account.Actor, requestID int64, approve bool, note string) (DeletionRequest, error) {
	var out DeletionRequest
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		d, err := getDeletion(ctx, tx, requestID)
		if err != nil {
			return err
		}
		if !Manages(a, d.RegionCode) {
			return notFound()
		}
		if d.State != DeletionPending {
			return apperr.New(apperr.Conflict, "directory.deletion_settled")
		}
		var c checker
		c.text("note", &note, maxSummary, !approve)
		if err := c.err(); err != nil {
			return err
		}
		if approve {
			e, err := getExpert(ctx, tx, d.ExpertID)
			if err != nil {
				return err
			}
			if err := s.deleteExpert(ctx, tx, a, e); err != nil {
				return err
			}
		} else {
			if _, err := tx.ExecContext(ctx, `UPDATE expert_deletion_requests SET state = 'refused', note = ?, decided_by = ?,
				decided_at = ? WHERE id = ?`, note, a.UserID, sqldb.At(s.now()), requestID); err != nil {
				return fmt.Errorf("refuse deletion: %w", err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE experts SET deletion_requested_at = NULL WHERE id = ?", d.ExpertID); err != nil {
				return fmt.Errorf("unmark deletion request: %w", err)
			}
			if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "expert.deletion_refused", ObjectType: "expert",
				ObjectID: idText(d.ExpertID), RegionCode: d.RegionCode, After: map[string]any{"request_id": requestID}}); err != nil {
				return err
			}
		}
		if out, err = getDeletion(ctx, tx, requestID); err != nil {
			return err
		}
		return s.noticeDeletion(ctx, tx, d, approve, note)
	})
	return out, err
}

// noticeDeciders tells the staff who may decide a deletion request of
// regionCode (bureau staff over it, the county's staff) that one waits.
// The notice names no one: notices outlive the record.
func (s *Service) noticeDeciders(ctx context.Context, tx *sqldb.Tx, regionCode string) error {
	type decider struct {
		id     int64
		region string
	}
	list, err := queryAll(ctx, tx, "deciders", "SELECT id, region_code FROM users WHERE disabled = ? AND role IN (?, ?) ORDER BY id",
		[]any{false, string(account.RoleStaff), string(account.RoleCounty)}, func(r rowScanner) (decider, error) {
			var d decider
			return d, r.Scan(&d.id, &d.region)
		})
	if err != nil {
		return err
	}
	for _, d := range list {
		if d.region != "" && !region.Contains(d.region, regionCode) {
			continue
		}
		if err := notice.Send(ctx, tx, notice.Message{To: d.id, Kind: "expert.deletion_requested",
			Key: "directory.notice.deletion_requested", Link: "/directory/deletion-requests?state=pending", At: s.now()}); err != nil {
			return err
		}
	}
	return nil
}

// noticeDeletion tells the account that asked for the deletion how it was
// decided: done (the record is gone, so the notice names no person and
// links to the directory), or refused with the reason, linking to the
// record.
func (s *Service) noticeDeletion(ctx context.Context, tx *sqldb.Tx, d DeletionRequest, approve bool, note string) error {
	if d.RequestedBy == 0 {
		return nil // the account was deleted meanwhile
	}
	m := notice.Message{To: d.RequestedBy, Kind: "expert.deletion_done", Key: "directory.notice.deletion_done",
		Link: "/directory", At: s.now()}
	if !approve {
		m.Kind, m.Key = "expert.deletion_refused", "directory.notice.deletion_refused"
		m.Body = notice.Code("directory.notice.deletion_reason", notice.Text(note))
		m.Link = "/directory/experts/" + idText(d.ExpertID)
	}
	return notice.Send(ctx, tx, m)
}

// ExpertExport is everything the platform holds about an expert, for the
// expert's right to a copy (PIPL art. 45).
type ExpertExport struct {
	Expert           Expert            `json:"expert"`
	Consents         []Consent         `json:"consents"`
	DeletionRequests []DeletionRequest `json:"deletion_requests"`
	Notice           Notice            `json:"notice"` // the notice in force
	ExportedAt       time.Time         `json:"exported_at"`
}

// ExportExpert returns the expert's whole record with its consent history
// and deletion requests. The expert's own account and staff in scope may;
// the export is audited.
func (s *Service) ExportExpert(ctx context.Context, a account.Actor, id int64) (ExpertExport, error) {
	var out ExpertExport
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		v, err := s.viewer(ctx, tx, a)
		if err != nil {
			return err
		}
		e, err := getExpert(ctx, tx, id)
		if err != nil {
			return err
		}
		if x := accessTo(v, e); !x.self && !x.staff {
			return notFound()
		}
		out.Expert, _ = e.view(v)
		if out.Consents, err = loadConsents(ctx, tx, id); err != nil {
			return err
		}
		if out.DeletionRequests, err = queryAll(ctx, tx, "deletion requests", "SELECT "+deletionColumns+" FROM "+deletionFrom+
			" WHERE r.expert_id = ? ORDER BY r.id", []any{id}, scanDeletion); err != nil {
			return err
		}
		out.Notice, out.ExportedAt = s.ref.Notice, s.now()
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "expert.export", ObjectType: "expert",
			ObjectID: idText(id), RegionCode: e.RegionCode})
	})
	return out, err
}

// WriteExpertExport writes an expert's export (ExportExpert) as .xlsx: the
// record, the consent history and the deletion requests, one sheet each,
// with Chinese headers.
func (s *Service) WriteExpertExport(w io.Writer, x ExpertExport) error {
	e := x.Expert
	yesNo := func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	}
	at := func(t time.Time) any {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
	}
	name := s.regionNamer(context.Background())
	record := [][]any{
		{"编号", e.ID}, {"姓名", e.Name}, {"所属机构", e.Affiliation}, {"职称", e.Title}, {"所属地区", name(e.RegionCode)},
		{"学科", joinList(e.Disciplines)}, {"学科已确认", yesNo(e.DisciplinesConfirmed)}, {"研究方向", e.Research},
		{"关键词", joinList(e.Keywords)}, {"代表性成果", joinList(e.Achievements)}, {"专利", joinList(e.Patents)},
		{"专家角色", labels(s.ref.ExpertRoles, e.Roles)}, {"可见范围", visibilityLabel(e.Visibility)},
		{"手机号", e.Phone}, {"电子邮箱", e.Email}, {"关联账号编号", e.AccountID},
		{"删除申请提出时间", at(e.DeletionRequestedAt)}, {"创建时间", at(e.CreatedAt)}, {"更新时间", at(e.UpdatedAt)},
		{"导出时间", at(x.ExportedAt)}, {"现行隐私告知书版本", x.Notice.Version},
	}
	var consents [][]any
	for _, c := range x.Consents {
		fields := labels(s.ref.PublicFields, c.Fields)
		if len(c.Fields) == 0 {
			fields = "（撤回同意）"
		}
		consents = append(consents, []any{fields, c.NoticeVersion, s.ref.ConsentMethods.Label(i18n.Chinese, c.Method), at(c.GivenAt), at(c.RecordedAt)})
	}
	states := map[string]string{DeletionPending: "待处理", DeletionDone: "已删除", DeletionRefused: "未同意"}
	var requests [][]any
	for _, d := range x.DeletionRequests {
		requests = append(requests, []any{d.ID, states[d.State], d.Reason, d.Note, at(d.RequestedAt), at(d.DecidedAt)})
	}
	return sheet.WriteXLSX(w,
		sheet.Sheet{Name: "专家档案", Header: []string{"项目", "内容"}, Rows: record, ColWidths: []float64{18, 60}},
		sheet.Sheet{Name: "同意记录", Header: []string{"同意公开的信息", "告知书版本", "方式", "同意日期", "登记时间"}, Rows: consents},
		sheet.Sheet{Name: "删除申请", Header: []string{"编号", "状态", "理由", "处理说明", "提出时间", "处理时间"}, Rows: requests})
}

// CanDecideDeletions reports whether the actor decides experts' deletion
// requests (of its region): bureau and county staff.
func (s *Service) CanDecideDeletions(a account.Actor) bool { return IsManager(a) }
