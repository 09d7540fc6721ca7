package web

import (
	"context"
	"io"

	"kechuang/internal/account"
	"kechuang/internal/directory"
)

// carrierImport is the carrier import (/directory/import) of bureau and
// county staff.
func (s *Server) carrierImport() *importPage {
	template := func(_ context.Context, _ account.Actor, w io.Writer) error {
		return s.Directory.WriteCarrierImportTemplate(w)
	}
	queue := func(ctx context.Context, a account.Actor, filename string, form func(string) string, file []byte) (int64, error) {
		return s.Directory.QueueCarrierImport(ctx, a, filename, directory.CarrierImportOptions{Mode: form("mode")}, file)
	}
	return &importPage{module: "directory", title: "directory.carrier_import", kind: directory.CarrierImportJobKind,
		authorize: directory.AuthorizeCarrierImport, writeTemplate: template, queue: queue,
		back: "directory.title", done: importLink{"/directory/carriers", "directory.carriers"}, hint: "directory.carrier_import_hint",
		download: "孵化载体导入模板", report: "导入错误报告",
		counts: []importCount{{"created", "import.created"}, {"existing", "directory.carrier_import_existing"}}}
}
