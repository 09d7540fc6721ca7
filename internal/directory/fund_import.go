package directory

import (
	"context"
	"fmt"
	"io"

	"kechuang/internal/account"
	"kechuang/internal/importer"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// The key of the fund import: the fund's name with its manager's
// 统一社会信用代码, or with the manager's name when the row has no code.
const fundKeyNote = "基金名称，必填。以“基金名称 + 管理人统一社会信用代码”识别基金（未填代码时以“基金名称 + 管理人”识别）：已在资源库中的基金不重复创建，也不被修改，重复导入同一文件不产生任何变化"

// FundImportColumns are the columns of the fund import, in template order:
// the fields of the fund form, types and stages by their Chinese labels.
func (s *Service) FundImportColumns() []sheet.Column {
	ref := s.ref
	cols := []sheet.Column{
		{Key: "name", Header: "基金名称", Required: true, Note: fundKeyNote, Example: "示例天使投资基金"},
		{Key: "type", Header: "基金类型", Required: true, Allowed: labelsOf(ref.FundTypes), Example: firstLabel(ref.FundTypes)},
		{Key: "manager", Header: "管理人", Example: "苏州示例创业投资管理有限公司"},
		{Key: "manager_code", Header: "管理人统一社会信用代码", Note: "18 位；与基金名称一起作为导入的识别键", Example: "91320500MA1XYK789X"},
		{Key: "region_code", Header: "所属地区", Required: true, Note: "市或区县名称或 6 位代码；须在您的管辖范围内（区县工作人员只能填写本区县）", Example: "昆山市"},
		{Key: "subscribed", Header: "认缴规模（万元）", Required: true, Note: "大于 0", Example: "50000"},
		{Key: "paid", Header: "实缴规模（万元）", Note: "不超过认缴规模", Example: "20000"},
		{Key: "stages", Header: "投资阶段", Note: labelList(ref.Stages) + "；" + noteList, Example: firstLabel(ref.Stages)},
		{Key: "domains", Header: "投资领域", Note: "高新技术领域名称，" + noteList, Example: "新材料"},
		{Key: "established", Header: "成立日期", Note: "YYYY-MM-DD", Example: "2021-03-01"},
		{Key: "summary", Header: "简介"},
		{Key: "visibility", Header: "可见范围", Allowed: visibilityLabels(), Note: noteVisibility},
	}
	return append(cols, contactColumns...)
}

// labelList lists the Chinese labels of cs for a column note.
func labelList(cs Choices) string {
	out := ""
	for i, c := range cs {
		if i > 0 {
			out += "、"
		}
		out += c.ZH
	}
	return "可选：" + out
}

// WriteFundImportTemplate writes the .xlsx template of the fund import.
func (s *Service) WriteFundImportTemplate(w io.Writer) error {
	return sheet.WriteTemplate(w, s.FundImportColumns())
}

// QueueFundImport queues the import of an uploaded file of funds as a job
// of the actor and returns the job's id.
func (s *Service) QueueFundImport(ctx context.Context, a account.Actor, filename string, opt ImportOptions, file []byte) (int64, error) {
	return s.fundImports.Queue(ctx, a, filename, opt, file)
}

// ImportFunds reads an .xlsx or .csv of funds and creates, in one
// transaction, those not yet in the directory (by name and manager), each
// checked as the fund form checks it and recorded in the audit log. See
// importer.Importer.Run for the errors.
func (s *Service) ImportFunds(ctx context.Context, a account.Actor, r io.ReaderAt, size int64, filename string,
	opt ImportOptions, progress func(done, total int)) (ImportResult, error) {
	return s.fundImports.Run(ctx, a, importer.File{R: r, Size: size, Name: filename}, opt, progress)
}

type fundRow struct {
	in  FundInput
	key importKey
}

type fundBatch struct {
	s        *Service
	a        account.Actor
	res      *ImportResult
	regions  map[string]string
	existing map[importKey]bool
	seen     map[importKey]int
}

// fundKey is the fund's name with its manager's code, or its manager's
// name without one.
func fundKey(name, manager, code string) importKey {
	if code != "" {
		return importKey{name, "code:" + code}
	}
	return importKey{name, "name:" + manager}
}

func (s *Service) beginFundImport(ctx context.Context, a account.Actor, _ ImportOptions, _ importer.Header,
	res *ImportResult) (importer.Batch[fundRow], error) {
	regions, err := s.regionsInScope(ctx, a, true)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT name, manager, manager_code FROM funds")
	if err != nil {
		return nil, fmt.Errorf("fund keys: %w", err)
	}
	defer rows.Close()
	existing := map[importKey]bool{}
	for rows.Next() {
		var name, manager, code string
		if err := rows.Scan(&name, &manager, &code); err != nil {
			return nil, err
		}
		existing[fundKey(name, manager, code)] = true
		existing[fundKey(name, manager, "")] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return &fundBatch{s: s, a: a, res: res, regions: regions, existing: existing, seen: map[importKey]int{}}, nil
}

// Parse reads one row and checks it as the fund form is checked.
func (b *fundBatch) Parse(r *importer.Row) fundRow {
	ref := b.s.ref
	in := FundInput{
		Name: r.Cell("name"), Type: choiceCell(r, "type", ref.FundTypes), Manager: r.Cell("manager"),
		ManagerCode: r.Cell("manager_code"), RegionCode: regionCell(r, "region_code", b.regions, true),
		Subscribed: numberCell(r, "subscribed"), Paid: numberCell(r, "paid"), Stages: choicesCell(r, "stages", ref.Stages),
		Domains: splitCell(r.Cell("domains")), Established: dateCell(r, "established"), Summary: r.Cell("summary"),
		Visibility: visibilityCell(r, "visibility"), Contact: contactCells(r),
	}
	var c checker
	in.check(&c, ref, b.s.now())
	reportChecks(r, &c)
	return fundRow{in: in, key: fundKey(in.Name, in.Manager, in.ManagerCode)}
}

// Admit refuses a second row of the same fund.
func (b *fundBatch) Admit(_ context.Context, r *importer.Row, row fundRow) error {
	if r.Bad() {
		return nil
	}
	if first, dup := b.seen[row.key]; dup {
		r.Problem("name", fmt.Sprintf("与第 %d 行重复（基金名称和管理人相同）", first))
		return nil
	}
	b.seen[row.key] = r.Num
	return nil
}

// Apply creates the row's fund unless the directory has it.
func (b *fundBatch) Apply(ctx context.Context, tx *sqldb.Tx, row fundRow) error {
	if b.existing[row.key] {
		b.res.Existing++
		return nil
	}
	if !Manages(b.a, row.in.RegionCode) {
		return fmt.Errorf("fund %q: region %s outside the importer's scope", row.in.Name, row.in.RegionCode)
	}
	if _, err := b.s.insertFund(ctx, tx, b.a, row.in); err != nil {
		return err
	}
	b.existing[row.key] = true
	b.existing[fundKey(row.in.Name, row.in.Manager, "")] = true
	b.res.Created++
	return nil
}
