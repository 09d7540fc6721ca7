package cultivation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// Limits on an application's evidence files.
const (
	MaxEvidenceFileBytes = 5 << 20
	MaxEvidenceFiles     = 20
)

// evidenceTypes maps the content types accepted (sniffed from the bytes)
// to the file extensions that may carry them.
var evidenceTypes = map[string][]string{
	"application/pdf": {".pdf"},
	"image/png":       {".png"},
	"image/jpeg":      {".jpg", ".jpeg"},
}

// EvidenceFile is an uploaded evidence file of an application; Data is
// loaded only by GetEvidenceFile.
type EvidenceFile struct {
	ID          int64     `json:"id"`
	Condition   string    `json:"condition"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
	Data        []byte    `json:"-"`
}

// checkEvidenceFile refuses empty and oversized files and any whose bytes
// are not a PDF, PNG or JPEG or whose name says otherwise; the client's
// declared type is never trusted.
func checkEvidenceFile(filename string, data []byte) (string, error) {
	if len(data) == 0 {
		return "", apperr.Fields(apperr.Field("file", "market.attachment_empty"))
	}
	if len(data) > MaxEvidenceFileBytes {
		return "", apperr.Fields(apperr.Field("file", "market.attachment_too_large", MaxEvidenceFileBytes>>20))
	}
	if filename == "" || utf8.RuneCountInString(filename) > 120 || strings.ContainsAny(filename, "/\\\x00") {
		return "", apperr.Fields(apperr.Field("file", "market.attachment_name"))
	}
	ct, _, _ := strings.Cut(http.DetectContentType(data), ";")
	if exts, ok := evidenceTypes[ct]; !ok || !slices.Contains(exts, strings.ToLower(filepath.Ext(filename))) {
		return "", apperr.Fields(apperr.Field("file", "round.file_type"))
	}
	return ct, nil
}

// attaches reports whether the actor may add evidence files to app: the
// firm's account or county staff of its county, before the county has
// recommended it (submitted, or sent back to the county).
func attaches(a account.Actor, r Round, app Application, owner int64) bool {
	if r.State != RoundOpen || (app.State != AppSubmitted && app.State != AppSentBack) {
		return false
	}
	return (a.Role == account.RoleEnterprise && owner == a.UserID) || (a.Role == account.RoleCounty && a.InScope(app.RegionCode))
}

// AddEvidenceFile uploads one evidence file to an application for one of
// the conditions of its frozen assessment ("" for the whole application),
// at most MaxEvidenceFiles per application. An application outside the
// actor's view is NotFound; one the actor may not add to, Forbidden.
func (s *Service) AddEvidenceFile(ctx context.Context, a account.Actor, roundID, appID int64, condition, filename string, data []byte) (EvidenceFile, error) {
	filename = filepath.Base(strings.TrimSpace(filename))
	condition = strings.TrimSpace(condition)
	var out EvidenceFile
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		r, err := s.roundFor(ctx, tx, a, roundID)
		if err != nil {
			return err
		}
		app, _, owner, err := s.appFor(ctx, tx, a, r, appID)
		if err != nil {
			return err
		}
		if !attaches(a, r, app, owner) {
			return apperr.New(apperr.Forbidden, "round.file_not_allowed")
		}
		ct, err := checkEvidenceFile(filename, data)
		if err != nil {
			return err
		}
		var frozen struct {
			Conditions []struct {
				ID string `json:"id"`
			} `json:"conditions"`
		}
		if err := json.Unmarshal(app.Assessment, &frozen); err != nil {
			return fmt.Errorf("application %d assessment: %w", appID, err)
		}
		known := condition == ""
		for _, c := range frozen.Conditions {
			known = known || c.ID == condition
		}
		if !known {
			return apperr.Fields(apperr.Field("condition", "round.evidence_condition_unknown", condition))
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM round_files WHERE application_id = ?", appID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxEvidenceFiles {
			return apperr.Fields(apperr.Field("file", "round.too_many_files", MaxEvidenceFiles))
		}
		sum := sha256.Sum256(data)
		now := s.now()
		out = EvidenceFile{Condition: condition, Filename: filename, ContentType: ct, Size: int64(len(data)),
			SHA256: hex.EncodeToString(sum[:]), CreatedAt: now}
		if out.ID, err = tx.InsertID(ctx, `INSERT INTO round_files (application_id, condition_id, filename, content_type, size, sha256,
			data, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, appID, condition, filename, ct, out.Size, out.SHA256,
			data, a.UserID, sqldb.At(now)); err != nil {
			return fmt.Errorf("insert evidence file: %w", err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "round_application.attach", ObjectType: "round_application",
			ObjectID: idText(appID), ObjectName: app.EnterpriseName, RegionCode: app.RegionCode,
			After: map[string]any{"file": out.ID, "condition": condition, "filename": filename, "size": out.Size, "sha256": out.SHA256}})
	})
	return out, err
}

func evidenceFiles(ctx context.Context, q sqldb.Querier, appID int64) ([]EvidenceFile, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, condition_id, filename, content_type, size, sha256, created_at FROM round_files
		WHERE application_id = ? ORDER BY id`, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []EvidenceFile{}
	for rows.Next() {
		var f EvidenceFile
		var at sqldb.Time
		if err := rows.Scan(&f.ID, &f.Condition, &f.Filename, &f.ContentType, &f.Size, &f.SHA256, &at); err != nil {
			return nil, err
		}
		f.CreatedAt = at.Time
		out = append(out, f)
	}
	return out, rows.Err()
}

// GetEvidenceFile returns an evidence file with its bytes to whoever may
// see the application; otherwise NotFound.
func (s *Service) GetEvidenceFile(ctx context.Context, a account.Actor, roundID, appID, fileID int64) (EvidenceFile, error) {
	r, err := s.roundFor(ctx, s.db, a, roundID)
	if err != nil {
		return EvidenceFile{}, err
	}
	if _, _, _, err := s.appFor(ctx, s.db, a, r, appID); err != nil {
		return EvidenceFile{}, err
	}
	var f EvidenceFile
	var at sqldb.Time
	err = s.db.QueryRowContext(ctx, `SELECT id, condition_id, filename, content_type, size, sha256, created_at, data FROM round_files
		WHERE id = ? AND application_id = ?`, fileID, appID).Scan(&f.ID, &f.Condition, &f.Filename, &f.ContentType, &f.Size, &f.SHA256, &at, &f.Data)
	if sqldb.IsNoRows(err) {
		return EvidenceFile{}, apperr.New(apperr.NotFound, "round.file_not_found")
	}
	if err != nil {
		return EvidenceFile{}, fmt.Errorf("get evidence file %d: %w", fileID, err)
	}
	f.CreatedAt = at.Time
	return f, nil
}
