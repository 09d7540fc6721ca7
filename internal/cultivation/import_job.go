package cultivation

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"kechuang/internal/account"
	"kechuang/internal/job"
)

// ImportJobKind is the job kind of an enterprise import.
const ImportJobKind = "cultivation.import"

type importJobHeader struct {
	Filename string        `json:"filename"`
	Options  ImportOptions `json:"options"`
}

// EncodeImportPayload packs an uploaded file and its options into a job
// payload: a 4-byte length, the JSON header, then the file.
func EncodeImportPayload(filename string, opt ImportOptions, file []byte) []byte {
	h, _ := json.Marshal(importJobHeader{Filename: filename, Options: opt})
	out := make([]byte, 4, 4+len(h)+len(file))
	binary.BigEndian.PutUint32(out, uint32(len(h)))
	out = append(out, h...)
	return append(out, file...)
}

func decodeImportPayload(p []byte) (importJobHeader, []byte, error) {
	var h importJobHeader
	if len(p) < 4 {
		return h, nil, fmt.Errorf("import payload too short")
	}
	n := int(binary.BigEndian.Uint32(p))
	if 4+n > len(p) {
		return h, nil, fmt.Errorf("import payload header length %d out of range", n)
	}
	if err := json.Unmarshal(p[4:4+n], &h); err != nil {
		return h, nil, fmt.Errorf("import payload header: %w", err)
	}
	return h, p[4+n:], nil
}

// ImportJob is the job.Handler of ImportJobKind: it imports the uploaded
// file as the user who enqueued it, reporting progress, and commits the
// rows together with the job's "done" (job.Run.InTx). A file whose rows
// were not applied (all-or-nothing with bad rows) ends done with its
// problems in the result.
func (s *Service) ImportJob(ctx context.Context, run *job.Run) error {
	h, file, err := decodeImportPayload(run.Payload())
	if err != nil {
		return err
	}
	o := run.Owner()
	actor := account.Actor{UserID: o.ID, Username: o.Name, Role: account.Role(o.Role), Region: o.Region}
	progress := func(done, total int) { run.Progress(done, total, "") }
	res, err := s.importEnterprises(ctx, actor, bytes.NewReader(file), int64(len(file)), h.Filename, h.Options, progress,
		run.InTx, func(res ImportResult) error { return run.SetResult(res) })
	if err != nil {
		return err
	}
	if !res.Applied {
		return run.SetResult(res)
	}
	return nil
}
