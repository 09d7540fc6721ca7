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

// recordImportPage is the import page of one of the directory's record
// types at /directory/imports/<name>: its template, its queue and its list.
func (s *Server) recordImportPage(name, title, kind, hint, list, listLabel, download string,
	write func(io.Writer) error,
	queue func(ctx context.Context, a account.Actor, filename string, opt directory.ImportOptions, file []byte) (int64, error)) *importPage {
	return &importPage{module: "directory", path: "/directory/imports/" + name, title: title, kind: kind,
		authorize:     directory.AuthorizeRecordImport,
		writeTemplate: func(_ context.Context, _ account.Actor, w io.Writer) error { return write(w) },
		queue: func(ctx context.Context, a account.Actor, filename string, form func(string) string, file []byte) (int64, error) {
			return queue(ctx, a, filename, directory.ImportOptions{Mode: form("mode")}, file)
		},
		back: "directory.title", done: importLink{list, listLabel}, hint: hint, download: download, report: "导入错误报告",
		counts: []importCount{{"created", "import.created"}, {"existing", "directory.import_existing"}}}
}

// recordImports are the imports of institutions, experts, service
// organisations and funds, for bureau and county staff.
func (s *Server) recordImports() []*importPage {
	d := s.Directory
	return []*importPage{
		s.recordImportPage("institutions", "directory.institution_import", directory.InstitutionImportJobKind,
			"directory.institution_import_hint", "/directory/institutions", "directory.institutions", "创新机构导入模板",
			d.WriteInstitutionImportTemplate, d.QueueInstitutionImport),
		s.recordImportPage("experts", "directory.expert_import", directory.ExpertImportJobKind,
			"directory.expert_import_hint", "/directory/experts", "directory.experts", "专家导入模板",
			d.WriteExpertImportTemplate, d.QueueExpertImport),
		s.recordImportPage("service-orgs", "directory.service_org_import", directory.ServiceOrgImportJobKind,
			"directory.service_org_import_hint", "/directory/service-orgs", "directory.service_orgs", "科技服务机构导入模板",
			d.WriteServiceOrgImportTemplate, d.QueueServiceOrgImport),
		s.recordImportPage("funds", "directory.fund_import", directory.FundImportJobKind,
			"directory.fund_import_hint", "/directory/funds", "directory.funds", "基金导入模板",
			d.WriteFundImportTemplate, d.QueueFundImport),
	}
}
