package importer

import (
	"bytes"
	"context"
	"fmt"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/job"
)

// payloadHeader is the JSON before the file in a job payload.
type payloadHeader[O any] struct {
	Filename string `json:"filename"`
	Options  O      `json:"options"`
}

// Queue queues an import of file as a job of the actor and returns its id.
// It refuses at once (apperr.Forbidden) an actor who may not import; the
// job checks the actor's account again when it runs. The file is checked
// only when the job reads it.
func (im *Importer[O, R, T, PT]) Queue(ctx context.Context, a account.Actor, filename string, opt O, file []byte) (int64, error) {
	if err := im.spec.Authorize(a); err != nil {
		return 0, err
	}
	if im.jobs == nil {
		return 0, apperr.Wrap(apperr.Internal, fmt.Errorf("import %s: no job service configured", im.spec.Kind), "error.internal")
	}
	payload, err := job.PackUpload(payloadHeader[O]{Filename: filename, Options: opt}, file)
	if err != nil {
		return 0, err
	}
	return im.jobs.EnqueueNow(ctx, a.Audit(), im.spec.Kind, a.Region, payload)
}

// handle is the job.Handler of the import. It runs as the job's owner as
// the account is now — a user disabled, or whose role or region changed,
// since the job was queued fails it (account.Recheck) — reports progress,
// and commits the rows together with the job's "done" (job.Run.InTx). A
// file whose rows were not applied (all or nothing with bad rows) ends
// done with its problems in the result; a file that cannot be read to its
// end fails the job, the result saying why.
func (im *Importer[O, R, T, PT]) handle(ctx context.Context, run *job.Run) error {
	var h payloadHeader[O]
	file, err := job.UnpackUpload(run.Payload(), &h)
	if err != nil {
		return err
	}
	a, err := account.Recheck(ctx, im.db, run.Owner())
	if err != nil {
		return err
	}
	progress := func(done, total int) { run.Progress(done, total, "") }
	out, err := im.run(ctx, a, File{R: bytes.NewReader(file), Size: int64(len(file)), Name: h.Filename}, h.Options,
		progress, run.InTx, func(out *T) error { return run.SetResult(out) })
	res := PT(&out).Base()
	if err != nil {
		// Whatever was set inside the rolled-back transaction said
		// "applied"; keep only a result that explains the failure.
		if res.Failure == "" {
			_ = run.SetResult(nil)
			return err
		}
		_ = run.SetResult(&out) // a plain struct: marshalling cannot fail
		return err
	}
	if !res.Applied {
		return run.SetResult(&out)
	}
	return nil
}
