package directory

import (
	"context"
	"fmt"
	"io"

	"kechuang/internal/account"
	"kechuang/internal/importer"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// The key of the service organisation import: the 统一社会信用代码 when the
// row has one, else the name.
const serviceOrgKeyNote = "机构名称，必填。以“统一社会信用代码”识别机构，未填写代码时以机构名称识别：已在资源库中的机构不重复创建，也不被修改，重复导入同一文件不产生任何变化"

// ServiceOrgImportColumns are the columns of the service organisation
// import, in template order: the fields of its form, types by their
// Chinese labels.
func (s *Service) ServiceOrgImportColumns() []sheet.Column {
	ref := s.ref
	cols := []sheet.Column{
		{Key: "name", Header: "机构名称", Required: true, Note: serviceOrgKeyNote, Example: "示例知识产权代理有限公司"},
		{Key: "credit_code", Header: "统一社会信用代码", Note: "18 位；导入的识别键", Example: "91320583MA1XYK456X"},
		{Key: "type", Header: "机构类型", Required: true, Allowed: labelsOf(ref.ServiceOrgTypes), Example: firstLabel(ref.ServiceOrgTypes)},
		{Key: "region_code", Header: "所属区县", Required: true, Note: noteCounty, Example: "昆山市"},
		{Key: "services", Header: "服务内容", Note: noteList, Example: "专利代理、商标代理"},
		{Key: "fields", Header: "服务领域", Note: "高新技术领域名称，" + noteList, Example: "新材料"},
		{Key: "qualifications", Header: "资质", Note: noteList, Example: "专利代理机构执业许可"},
		{Key: "summary", Header: "简介"},
		{Key: "visibility", Header: "可见范围", Allowed: visibilityLabels(), Note: noteVisibility},
	}
	return append(cols, contactColumns...)
}

// WriteServiceOrgImportTemplate writes the .xlsx template of the service
// organisation import.
func (s *Service) WriteServiceOrgImportTemplate(w io.Writer) error {
	return sheet.WriteTemplate(w, s.ServiceOrgImportColumns())
}

// QueueServiceOrgImport queues the import of an uploaded file of service
// organisations as a job of the actor and returns the job's id.
func (s *Service) QueueServiceOrgImport(ctx context.Context, a account.Actor, filename string, opt ImportOptions, file []byte) (int64, error) {
	return s.serviceOrgImports.Queue(ctx, a, filename, opt, file)
}

// ImportServiceOrgs reads an .xlsx or .csv of service organisations and
// creates, in one transaction, those not yet in the directory (by credit
// code, or name without one), each checked as the form checks it and
// recorded in the audit log. See importer.Importer.Run for the errors.
func (s *Service) ImportServiceOrgs(ctx context.Context, a account.Actor, r io.ReaderAt, size int64, filename string,
	opt ImportOptions, progress func(done, total int)) (ImportResult, error) {
	return s.serviceOrgImports.Run(ctx, a, importer.File{R: r, Size: size, Name: filename}, opt, progress)
}

type serviceOrgRow struct {
	in  ServiceOrgInput
	key importKey
}

type serviceOrgBatch struct {
	s        *Service
	a        account.Actor
	res      *ImportResult
	regions  map[string]string
	existing map[importKey]bool
	seen     map[importKey]int
}

func (s *Service) beginServiceOrgImport(ctx context.Context, a account.Actor, _ ImportOptions, _ importer.Header,
	res *ImportResult) (importer.Batch[serviceOrgRow], error) {
	regions, err := s.regionsInScope(ctx, a, false)
	if err != nil {
		return nil, err
	}
	existing, err := s.loadCodesAndNames(ctx, "service_orgs")
	if err != nil {
		return nil, err
	}
	return &serviceOrgBatch{s: s, a: a, res: res, regions: regions, existing: existing, seen: map[importKey]int{}}, nil
}

// Parse reads one row and checks it as the service organisation form is
// checked.
func (b *serviceOrgBatch) Parse(r *importer.Row) serviceOrgRow {
	in := ServiceOrgInput{
		Name: r.Cell("name"), CreditCode: r.Cell("credit_code"), Type: choiceCell(r, "type", b.s.ref.ServiceOrgTypes),
		RegionCode: regionCell(r, "region_code", b.regions, true), Visibility: visibilityCell(r, "visibility"),
		Services: splitCell(r.Cell("services")), Fields: splitCell(r.Cell("fields")),
		Qualifications: splitCell(r.Cell("qualifications")), Summary: r.Cell("summary"), Contact: contactCells(r),
	}
	var c checker
	in.check(&c, b.s.ref)
	reportChecks(r, &c)
	return serviceOrgRow{in: in, key: codeOrName(in.CreditCode, in.Name)}
}

// Admit refuses a second row of the same organisation.
func (b *serviceOrgBatch) Admit(_ context.Context, r *importer.Row, row serviceOrgRow) error {
	if r.Bad() {
		return nil
	}
	if first, dup := b.seen[row.key]; dup {
		r.Problem("name", fmt.Sprintf("与第 %d 行重复（同一统一社会信用代码或同名机构）", first))
		return nil
	}
	b.seen[row.key] = r.Num
	return nil
}

// Apply creates the row's organisation unless the directory has it.
func (b *serviceOrgBatch) Apply(ctx context.Context, tx *sqldb.Tx, row serviceOrgRow) error {
	if b.existing[row.key] {
		b.res.Existing++
		return nil
	}
	if !Manages(b.a, row.in.RegionCode) || region.LevelOf(row.in.RegionCode) != region.County {
		return fmt.Errorf("service organisation %q: region %s outside the importer's scope", row.in.Name, row.in.RegionCode)
	}
	if _, err := b.s.insertServiceOrg(ctx, tx, b.a, row.in); err != nil {
		return err
	}
	b.existing[row.key], b.existing[importKey{b: row.in.Name}] = true, true
	b.res.Created++
	return nil
}
