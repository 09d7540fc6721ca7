package web

import (
	"context"
	"io"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
)

// cultivationImport is the enterprise and yearly indicator import
// (/cultivation/import) of bureau and county staff.
func (s *Server) cultivationImport() *importPage {
	template := func(_ context.Context, _ account.Actor, w io.Writer) error { return cultivation.WriteImportTemplate(w) }
	queue := func(ctx context.Context, a account.Actor, filename string, form func(string) string, file []byte) (int64, error) {
		opt := cultivation.ImportOptions{Mode: form("mode"), YuanAmounts: form("unit") == "yuan"}
		return s.Cultivation.QueueImport(ctx, a, filename, opt, file)
	}
	// The amounts' unit, for headers that name none.
	unit := importField{Name: "unit", Label: "import.unit", Hint: "import.unit_hint",
		Choices: []importLink{{"wan", "unit.wan_yuan"}, {"yuan", "unit.yuan"}}}
	return &importPage{module: "cultivation", title: "cultivation.import", kind: cultivation.ImportJobKind,
		authorize: cultivation.AuthorizeImport, writeTemplate: template, queue: queue,
		back: "cultivation.title", done: importLink{"/cultivation", "cultivation.title"}, hint: "import.template_hint",
		fields: []importField{unit}, download: "企业及年度指标导入模板", report: "导入错误报告",
		counts: []importCount{{"created", "import.created"}, {"updated", "import.updated"}, {"years", "import.years"}}}
}
