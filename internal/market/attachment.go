package market

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// Attachment limits.
const (
	MaxAttachmentBytes   = 10 << 20
	MaxAttachmentsPerOne = 5
)

// attachmentTypes maps the content types accepted (as sniffed from the
// bytes) to the file extensions that may carry them.
var attachmentTypes = map[string][]string{
	"application/pdf": {".pdf"},
	"image/png":       {".png"},
	"image/jpeg":      {".jpg", ".jpeg"},
	"image/webp":      {".webp"},
}

// Attachment is a file attached to a listing; Data is loaded only by
// GetAttachment.
type Attachment struct {
	ID          int64     `json:"id"`
	ListingID   int64     `json:"listing_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
	Data        []byte    `json:"-"`
}

// checkAttachment refuses empty and oversized files, and any file whose
// bytes are not a PDF, PNG, JPEG or WebP or whose name says otherwise; the
// client's declared type is never trusted.
func checkAttachment(filename string, data []byte) (string, error) {
	if len(data) == 0 {
		return "", apperr.Fields(apperr.Field("file", "market.attachment_empty"))
	}
	if len(data) > MaxAttachmentBytes {
		return "", apperr.Fields(apperr.Field("file", "market.attachment_too_large", MaxAttachmentBytes>>20))
	}
	if filename == "" || utf8.RuneCountInString(filename) > 120 || strings.ContainsAny(filename, "/\\\x00") {
		return "", apperr.Fields(apperr.Field("file", "market.attachment_name"))
	}
	ct := http.DetectContentType(data)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	exts, ok := attachmentTypes[ct]
	if !ok || !contains(exts, strings.ToLower(filepath.Ext(filename))) {
		return "", apperr.Fields(apperr.Field("file", "market.attachment_type"))
	}
	return ct, nil
}

// AddAttachment attaches a file to a listing its owner may still edit
// (draft or returned), at most MaxAttachmentsPerOne per listing.
func (s *Service) AddAttachment(ctx context.Context, a account.Actor, listingID int64, filename string, data []byte) (Attachment, error) {
	filename = filepath.Base(strings.TrimSpace(filename))
	ct, err := checkAttachment(filename, data)
	if err != nil {
		return Attachment{}, err
	}
	sum := sha256.Sum256(data)
	var out Attachment
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		l, err := s.getForWrite(ctx, tx, a, listingID)
		if err != nil {
			return err
		}
		if !CanEdit(a, l) {
			return apperr.New(apperr.Forbidden, "market.attachment_not_editable")
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM attachments WHERE listing_id = ?", listingID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxAttachmentsPerOne {
			return apperr.Fields(apperr.Field("file", "market.attachment_count", MaxAttachmentsPerOne))
		}
		now := s.now()
		out = Attachment{ListingID: listingID, Filename: filename, ContentType: ct, Size: int64(len(data)),
			SHA256: hex.EncodeToString(sum[:]), CreatedAt: now}
		if out.ID, err = tx.InsertID(ctx, `INSERT INTO attachments (listing_id, filename, content_type, size, sha256, data,
			uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, listingID, filename, ct, out.Size, out.SHA256, data,
			a.UserID, sqldb.At(now)); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "listing.attach", ObjectType: "listing", ObjectID: idText(listingID), ObjectName: l.Title,
			RegionCode: l.RegionCode, After: map[string]any{"attachment": out.ID, "filename": filename, "size": out.Size, "sha256": out.SHA256}})
	})
	return out, err
}

// Attachments lists a listing's attachments to whoever may read the listing.
//
// The attachments of a financing need are its business plan, private to
// the owner, staff in scope and the investors whose interest the firm
// accepted (SeesBusinessPlan); anyone else reads an empty list.
func (s *Service) Attachments(ctx context.Context, a account.Actor, listingID int64) ([]Attachment, error) {
	l, err := s.GetListing(ctx, a, listingID)
	if err != nil {
		return nil, err
	}
	if ok, err := s.SeesBusinessPlan(ctx, a, l); err != nil || !ok {
		return []Attachment{}, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, listing_id, filename, content_type, size, sha256, created_at
		FROM attachments WHERE listing_id = ? ORDER BY id`, listingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		var at Attachment
		var created sqldb.Time
		if err := rows.Scan(&at.ID, &at.ListingID, &at.Filename, &at.ContentType, &at.Size, &at.SHA256, &created); err != nil {
			return nil, err
		}
		at.CreatedAt = created.Time
		out = append(out, at)
	}
	return out, rows.Err()
}

// GetAttachment returns one attachment with its bytes, if the actor may
// read its listing; otherwise apperr.NotFound.
func (s *Service) GetAttachment(ctx context.Context, a account.Actor, id int64) (Attachment, error) {
	var at Attachment
	var created sqldb.Time
	err := s.db.QueryRowContext(ctx, `SELECT id, listing_id, filename, content_type, size, sha256, created_at, data
		FROM attachments WHERE id = ?`, id).Scan(&at.ID, &at.ListingID, &at.Filename, &at.ContentType, &at.Size, &at.SHA256, &created, &at.Data)
	if sqldb.IsNoRows(err) {
		return Attachment{}, apperr.New(apperr.NotFound, "market.attachment_not_found")
	}
	if err != nil {
		return Attachment{}, err
	}
	l, err := s.GetListing(ctx, a, at.ListingID)
	if err != nil {
		return Attachment{}, apperr.New(apperr.NotFound, "market.attachment_not_found")
	}
	if ok, err := s.SeesBusinessPlan(ctx, a, l); err != nil {
		return Attachment{}, err
	} else if !ok {
		return Attachment{}, apperr.New(apperr.NotFound, "market.attachment_not_found")
	}
	at.CreatedAt = created.Time
	return at, nil
}

// SeesBusinessPlan reports whether the actor may read the attachments of
// listing l (which the actor can read): always for achievements and
// demands; for a financing need, whose attachments are its business plan,
// only its owner, staff in its scope, the administrator and investors
// whose interest the firm accepted.
func (s *Service) SeesBusinessPlan(ctx context.Context, a account.Actor, l Listing) (bool, error) {
	if l.Kind != Financing || isOwner(a, l) || canReview(a, l) || a.Role == account.RoleAdmin {
		return true, nil
	}
	if a.Role != account.RoleInvestor || !a.LoggedIn() {
		return false, nil
	}
	return acceptedInvestor(ctx, s.db, l.ID, a.UserID)
}

// DeleteAttachment removes an attachment from a listing its owner may
// still edit.
func (s *Service) DeleteAttachment(ctx context.Context, a account.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var listingID int64
		var filename string
		err := tx.QueryRowContext(ctx, "SELECT listing_id, filename FROM attachments WHERE id = ?", id).Scan(&listingID, &filename)
		if sqldb.IsNoRows(err) {
			return apperr.New(apperr.NotFound, "market.attachment_not_found")
		}
		if err != nil {
			return err
		}
		l, err := s.getForWrite(ctx, tx, a, listingID)
		if err != nil {
			return apperr.New(apperr.NotFound, "market.attachment_not_found")
		}
		if !CanEdit(a, l) {
			return apperr.New(apperr.Forbidden, "market.attachment_not_editable")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM attachments WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "listing.detach", ObjectType: "listing", ObjectID: idText(listingID), ObjectName: l.Title,
			RegionCode: l.RegionCode, Before: map[string]any{"attachment": id, "filename": filename}})
	})
}
