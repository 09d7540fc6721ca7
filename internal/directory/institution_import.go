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

// The key of the institution import: the 统一社会信用代码 when the row has
// one, else the name.
const institutionKeyNote = "机构名称，必填。以“统一社会信用代码”识别机构，未填写代码时以机构名称识别：已在资源库中的机构不重复创建，也不被修改，重复导入同一文件不产生任何变化"

// InstitutionImportColumns are the columns of the institution import, in
// template order: the fields of the institution form, types and levels by
// their Chinese labels.
func (s *Service) InstitutionImportColumns() []sheet.Column {
	ref := s.ref
	cols := []sheet.Column{
		{Key: "name", Header: "机构名称", Required: true, Note: institutionKeyNote, Example: "示例大学"},
		{Key: "credit_code", Header: "统一社会信用代码", Note: "18 位；导入的识别键，高校和科研院所填写事业单位法人的代码", Example: "12320500MB1234567X"},
		{Key: "type", Header: "机构类型", Required: true, Allowed: labelsOf(ref.InstitutionTypes), Example: firstLabel(ref.InstitutionTypes)},
		{Key: "level", Header: "级别", Allowed: labelsOf(ref.InstitutionLevels), Example: firstLabel(ref.InstitutionLevels)},
		{Key: "region_code", Header: "所属区县", Required: true, Note: noteCounty, Example: "昆山市"},
		{Key: "disciplines", Header: "学科", Note: "一级学科名称，" + noteList, Example: "材料科学与工程"},
		{Key: "domains", Header: "高新技术领域", Note: "高新技术领域名称，" + noteList, Example: "新材料"},
		{Key: "summary", Header: "简介"},
		{Key: "website", Header: "网址", Note: "以 http:// 或 https:// 开头", Example: "https://www.example.edu.cn"},
		{Key: "tto", Header: "技术转移机构", Example: "示例大学技术转移中心"},
		{Key: "visibility", Header: "可见范围", Allowed: visibilityLabels(), Note: noteVisibility},
	}
	return append(cols, contactColumns...)
}

// WriteInstitutionImportTemplate writes the .xlsx template of the
// institution import.
func (s *Service) WriteInstitutionImportTemplate(w io.Writer) error {
	return sheet.WriteTemplate(w, s.InstitutionImportColumns())
}

// QueueInstitutionImport queues the import of an uploaded file of
// institutions as a job of the actor and returns the job's id. An actor
// who may not import gets an error at once.
func (s *Service) QueueInstitutionImport(ctx context.Context, a account.Actor, filename string, opt ImportOptions, file []byte) (int64, error) {
	return s.institutionImports.Queue(ctx, a, filename, opt, file)
}

// ImportInstitutions reads an .xlsx or .csv of institutions and creates,
// in one transaction, those not yet in the directory (by credit code, or
// name without one), each checked as the institution form checks it and
// recorded in the audit log. See importer.Importer.Run for the errors.
func (s *Service) ImportInstitutions(ctx context.Context, a account.Actor, r io.ReaderAt, size int64, filename string,
	opt ImportOptions, progress func(done, total int)) (ImportResult, error) {
	return s.institutionImports.Run(ctx, a, importer.File{R: r, Size: size, Name: filename}, opt, progress)
}

type institutionRow struct {
	in  InstitutionInput
	key importKey
}

type institutionBatch struct {
	s        *Service
	a        account.Actor
	res      *ImportResult
	regions  map[string]string
	existing map[importKey]bool
	seen     map[importKey]int
}

// codeOrName is the key of a record identified by its credit code, or by
// its name when it has none.
func codeOrName(code, name string) importKey {
	if code != "" {
		return importKey{a: code}
	}
	return importKey{b: name}
}

// loadCodesAndNames loads the keys of the records of table: every credit
// code, and every name (a row without a code matches any record of that
// name).
func (s *Service) loadCodesAndNames(ctx context.Context, table string) (map[importKey]bool, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT credit_code, name FROM "+table)
	if err != nil {
		return nil, fmt.Errorf("%s keys: %w", table, err)
	}
	defer rows.Close()
	out := map[importKey]bool{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, err
		}
		if code != "" {
			out[importKey{a: code}] = true
		}
		out[importKey{b: name}] = true
	}
	return out, rows.Err()
}

func (s *Service) beginInstitutionImport(ctx context.Context, a account.Actor, _ ImportOptions, _ importer.Header,
	res *ImportResult) (importer.Batch[institutionRow], error) {
	regions, err := s.regionsInScope(ctx, a, false)
	if err != nil {
		return nil, err
	}
	existing, err := s.loadCodesAndNames(ctx, "institutions")
	if err != nil {
		return nil, err
	}
	return &institutionBatch{s: s, a: a, res: res, regions: regions, existing: existing, seen: map[importKey]int{}}, nil
}

// Parse reads one row and checks it as the institution form is checked.
func (b *institutionBatch) Parse(r *importer.Row) institutionRow {
	ref := b.s.ref
	in := InstitutionInput{
		Name: r.Cell("name"), CreditCode: r.Cell("credit_code"),
		Type: choiceCell(r, "type", ref.InstitutionTypes), Level: choiceCell(r, "level", ref.InstitutionLevels),
		RegionCode: regionCell(r, "region_code", b.regions, true), Visibility: visibilityCell(r, "visibility"),
		Disciplines: splitCell(r.Cell("disciplines")), Domains: splitCell(r.Cell("domains")),
		Summary: r.Cell("summary"), Website: r.Cell("website"), TTO: r.Cell("tto"), Contact: contactCells(r),
	}
	var c checker
	in.check(&c, ref)
	reportChecks(r, &c)
	return institutionRow{in: in, key: codeOrName(in.CreditCode, in.Name)}
}

// Admit refuses a second row of the same institution.
func (b *institutionBatch) Admit(_ context.Context, r *importer.Row, row institutionRow) error {
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

// Apply creates the row's institution unless the directory has it.
func (b *institutionBatch) Apply(ctx context.Context, tx *sqldb.Tx, row institutionRow) error {
	if b.existing[row.key] {
		b.res.Existing++
		return nil
	}
	if !Manages(b.a, row.in.RegionCode) || region.LevelOf(row.in.RegionCode) != region.County {
		return fmt.Errorf("institution %q: region %s outside the importer's scope", row.in.Name, row.in.RegionCode)
	}
	if _, err := b.s.insertInstitution(ctx, tx, b.a, row.in); err != nil {
		return err
	}
	b.existing[row.key], b.existing[importKey{b: row.in.Name}] = true, true
	b.res.Created++
	return nil
}
