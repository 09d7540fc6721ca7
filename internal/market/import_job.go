package market

import (
	"bytes"
	"context"

	"kechuang/internal/account"
	"kechuang/internal/job"
)

// ImportJobKind is the job kind of a listing import.
const ImportJobKind = "market.import_listings"

type importJobHeader struct {
	Filename string        `json:"filename"`
	Options  ImportOptions `json:"options"`
}

// EncodeImportPayload packs an uploaded file and its options into a job
// payload (job.PackUpload).
func EncodeImportPayload(filename string, opt ImportOptions, file []byte) []byte {
	p, err := job.PackUpload(importJobHeader{Filename: filename, Options: opt}, file)
	if err != nil {
		panic(err) // the header is plain data; marshalling cannot fail
	}
	return p
}

// ImportJob is the job.Handler of ImportJobKind: it imports the uploaded
// file as the user who enqueued it (who owns the listings), reporting
// progress, and commits the rows together with the job's "done"
// (job.Run.InTx). A file whose rows were not applied (all-or-nothing with
// bad rows) ends done with its problems in the result.
func (s *Service) ImportJob(ctx context.Context, run *job.Run) error {
	var h importJobHeader
	file, err := job.UnpackUpload(run.Payload(), &h)
	if err != nil {
		return err
	}
	o := run.Owner()
	actor := account.Actor{UserID: o.ID, Username: o.Name, Role: account.Role(o.Role), Region: o.Region}
	progress := func(done, total int) { run.Progress(done, total, "") }
	res, err := s.importListings(ctx, actor, bytes.NewReader(file), int64(len(file)), h.Filename, h.Options, progress,
		run.InTx, func(res ImportResult) error { return run.SetResult(res) })
	if err != nil {
		return err
	}
	if !res.Applied {
		return run.SetResult(res)
	}
	return nil
}
