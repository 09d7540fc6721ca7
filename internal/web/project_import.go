package web

import (
	"context"
	"io"

	"kechuang/internal/account"
	"kechuang/internal/project"
)

// projectImport is the project import (/projects/list/import) of the staff
// who may create projects. Its pages lie below the list, because
// /projects/import/{id} would conflict with /projects/{id}/edit.
func (s *Server) projectImport() *importPage {
	template := func(_ context.Context, _ account.Actor, w io.Writer) error { return project.WriteImportTemplate(w) }
	queue := func(ctx context.Context, a account.Actor, filename string, form func(string) string, file []byte) (int64, error) {
		return s.Projects.QueueImport(ctx, a, filename, project.ImportOptions{Mode: form("mode")}, file)
	}
	return &importPage{module: "projects", prefix: "/projects/list", title: "project.import", kind: project.ImportJobKind,
		authorize: project.AuthorizeImport, writeTemplate: template, queue: queue,
		back: "nav.projects", done: importLink{"/projects/list", "project.list"}, hint: "project.import_template_hint",
		download: "项目导入模板", report: "项目导入错误报告",
		counts: []importCount{{"created", "import.created_projects"}, {"existing", "import.existing"}}}
}
