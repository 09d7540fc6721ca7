package market_test

import (
	"bytes"
	"context"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// Small real file heads: enough for content sniffing.
var (
	pdfBytes  = []byte("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	pngBytes  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	htmlBytes = []byte("<html><script>alert(1)</script></html>")
)

func TestAttachments(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		owner := f.actor("inst", account.RoleInstitution, "320505")
		other := f.actor("inst2", account.RoleInstitution, "320505")
		staff := f.actor("city", account.RoleStaff, "320500")
		l, err := f.svc.CreateListing(ctx, owner, market.Achievement, achievement("带附件的科技成果"))
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			who      account.Actor
			filename string
			data     []byte
			want     apperr.Kind
		}{
			{name: "pdf", who: owner, filename: "成果简介.pdf", data: pdfBytes},
			{name: "png", who: owner, filename: "样品照片.PNG", data: pngBytes},
			{name: "html disguised as pdf", who: owner, filename: "x.pdf", data: htmlBytes, want: apperr.Invalid},
			{name: "pdf named as image", who: owner, filename: "x.png", data: pdfBytes, want: apperr.Invalid},
			{name: "empty", who: owner, filename: "x.pdf", data: nil, want: apperr.Invalid},
			{name: "too large", who: owner, filename: "x.pdf", data: append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte{' '}, market.MaxAttachmentBytes)...), want: apperr.Invalid},
			{name: "not the owner", who: other, filename: "x.pdf", data: pdfBytes, want: apperr.NotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.AddAttachment(ctx, tt.who, l.ID, tt.filename, tt.data)
				if got := apperr.KindOf(err); got != tt.want {
					t.Errorf("AddAttachment(%s) = %v, want kind %q", tt.filename, err, tt.want)
				}
			})
		}
		files, err := f.svc.Attachments(ctx, owner, l.ID)
		if err != nil || len(files) != 2 || files[0].ContentType != "application/pdf" || files[1].ContentType != "image/png" {
			t.Fatalf("Attachments = %+v, %v", files, err)
		}
		// A draft's files are private; once published, anyone reads them.
		if _, err := f.svc.GetAttachment(ctx, account.Anonymous, files[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("anonymous reading a draft's file = %v, want NotFound", err)
		}
		if _, err := f.svc.Submit(ctx, owner, l.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(ctx, staff, l.ID); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.GetAttachment(ctx, account.Anonymous, files[0].ID)
		if err != nil || !bytes.Equal(got.Data, pdfBytes) {
			t.Errorf("anonymous reading a published file = %d bytes, %v", len(got.Data), err)
		}
		// Published: the owner can no longer change the files.
		if _, err := f.svc.AddAttachment(ctx, owner, l.ID, "x.pdf", pdfBytes); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("adding to a published listing = %v, want Forbidden", err)
		}
		if err := f.svc.DeleteAttachment(ctx, owner, files[0].ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("deleting from a published listing = %v, want Forbidden", err)
		}
	})
}

func TestAttachmentCountLimit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		owner := f.actor("inst", account.RoleInstitution, "320505")
		l, err := f.svc.CreateListing(ctx, owner, market.Achievement, achievement("附件数量上限"))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < market.MaxAttachmentsPerOne; i++ {
			if _, err := f.svc.AddAttachment(ctx, owner, l.ID, "a.pdf", pdfBytes); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.AddAttachment(ctx, owner, l.ID, "a.pdf", pdfBytes); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("one attachment too many = %v, want Invalid", err)
		}
		files, _ := f.svc.Attachments(ctx, owner, l.ID)
		if err := f.svc.DeleteAttachment(ctx, owner, files[0].ID); err != nil {
			t.Errorf("delete = %v", err)
		}
		if _, err := f.svc.AddAttachment(ctx, owner, l.ID, "a.pdf", pdfBytes); err != nil {
			t.Errorf("add after a delete = %v", err)
		}
	})
}
