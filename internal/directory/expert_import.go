package directory

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"kechuang/internal/account"
	"kechuang/internal/importer"
	"kechuang/internal/pii"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// The key of the expert import: name, institution (or employer) and phone.
// Experts have no public identifier, and a name alone is not one: two
// people of one university may share it. The phone is compared after the
// stored one is opened (it is sealed at rest) and with only its digits.
const expertKeyNote = "姓名，必填。以“姓名 + 所属机构（或工作单位）+ 手机号”识别专家：已在资源库中的专家不重复创建，也不被修改，重复导入同一文件不产生任何变化。" +
	"导入不能代替本人同意：导入的专家在本人同意公开（或记录其书面同意）之前不对外展示"

// ExpertImportColumns are the columns of the expert import, in template
// order: the fields of the expert form. There is no consent column:
// consent is the expert's to give (RecordExpertConsent), so an imported
// expert stays out of public view until it is recorded.
func (s *Service) ExpertImportColumns() []sheet.Column {
	ref := s.ref
	return []sheet.Column{
		{Key: "name", Header: "姓名", Required: true, Note: expertKeyNote, Example: "示例专家"},
		{Key: "institution_id", Header: "所属机构", Note: "资源库中机构的名称或统一社会信用代码；不在资源库中时留空并填写工作单位", Example: "苏州大学"},
		{Key: "affiliation", Header: "工作单位", Note: "所属机构不在资源库中时填写"},
		{Key: "job_title", Header: "职称", Example: "教授"},
		{Key: "region_code", Header: "所属区县", Note: "留空为所属机构的区县；" + noteCounty, Example: "姑苏区"},
		{Key: "disciplines", Header: "学科", Note: "一级学科名称，" + noteList + "；留空则由系统根据研究方向建议（待确认）", Example: "材料科学与工程"},
		{Key: "research", Header: "研究方向", Example: "高分子材料的结构与性能"},
		{Key: "keywords", Header: "关键词", Note: noteList, Example: "高分子、复合材料"},
		{Key: "achievements", Header: "代表性成果", Note: noteList},
		{Key: "patents", Header: "专利", Note: noteList},
		{Key: "roles", Header: "专家角色", Note: labelList(ref.ExpertRoles) + "；" + noteList, Example: firstLabel(ref.ExpertRoles)},
		{Key: "visibility", Header: "可见范围", Allowed: visibilityLabels(), Note: noteVisibility + "；无论如何，未经本人同意不公开"},
		{Key: "phone", Header: "手机号", Note: "个人信息，" + noteSealed + "，仅管理人员和本人可见", Example: "13800000000"},
		{Key: "email", Header: "电子邮箱", Note: "个人信息，" + noteSealed + "，仅管理人员和本人可见", Example: "expert@example.edu.cn"},
	}
}

// WriteExpertImportTemplate writes the .xlsx template of the expert
// import.
func (s *Service) WriteExpertImportTemplate(w io.Writer) error {
	return sheet.WriteTemplate(w, s.ExpertImportColumns())
}

// QueueExpertImport queues the import of an uploaded file of experts as a
// job of the actor and returns the job's id.
func (s *Service) QueueExpertImport(ctx context.Context, a account.Actor, filename string, opt ImportOptions, file []byte) (int64, error) {
	return s.expertImports.Queue(ctx, a, filename, opt, file)
}

// ImportExperts reads an .xlsx or .csv of experts and creates, in one
// transaction, those not yet in the directory (by name, institution and
// phone), each checked as the expert form checks it, contacts sealed, and
// recorded in the audit log without personal data. No imported expert is
// public until a consent is recorded. See importer.Importer.Run for the
// errors.
func (s *Service) ImportExperts(ctx context.Context, a account.Actor, r io.ReaderAt, size int64, filename string,
	opt ImportOptions, progress func(done, total int)) (ImportResult, error) {
	return s.expertImports.Run(ctx, a, importer.File{R: r, Size: size, Name: filename}, opt, progress)
}

// importInstitution is an institution as the expert import names it.
type importInstitution struct {
	id     int64
	region string
}

type expertRow struct {
	in  ExpertInput
	key importKey
}

type expertBatch struct {
	s        *Service
	v        viewer
	res      *ImportResult
	regions  map[string]string
	insts    map[string]importInstitution // by name and by credit code
	existing map[importKey]bool
	seen     map[importKey]int
}

// phoneDigits keeps the digits of a phone number, so that 138-0000-0000
// and 13800000000 are one number.
func phoneDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// expertKey is name, institution id (or employer) and phone digits.
func expertKey(name string, institution int64, affiliation, phone string) importKey {
	where := "employer:" + affiliation
	if institution != 0 {
		where = "institution:" + strconv.FormatInt(institution, 10)
	}
	return importKey{name, where + "|" + phoneDigits(phone)}
}

func (s *Service) beginExpertImport(ctx context.Context, a account.Actor, _ ImportOptions, _ importer.Header,
	res *ImportResult) (importer.Batch[expertRow], error) {
	v, err := s.viewer(ctx, s.db, a)
	if err != nil {
		return nil, err
	}
	regions, err := s.regionsInScope(ctx, a, false)
	if err != nil {
		return nil, err
	}
	insts := map[string]importInstitution{}
	type inst struct {
		id                 int64
		name, code, region string
	}
	list, err := queryAll(ctx, s.db, "institutions", "SELECT id, name, credit_code, region_code FROM institutions ORDER BY id", nil,
		func(r rowScanner) (inst, error) {
			var x inst
			return x, r.Scan(&x.id, &x.name, &x.code, &x.region)
		})
	if err != nil {
		return nil, err
	}
	for _, x := range list {
		ii := importInstitution{id: x.id, region: x.region}
		if _, taken := insts[x.name]; !taken {
			insts[x.name] = ii
		}
		if x.code != "" {
			insts[x.code] = ii
		}
	}
	existing := map[importKey]bool{}
	keys := pii.From(s.db)
	rows, err := s.db.QueryContext(ctx, "SELECT id, name, COALESCE(institution_id, 0), affiliation, phone FROM experts")
	if err != nil {
		return nil, fmt.Errorf("expert keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, institution int64
		var name, affiliation, phone string
		if err := rows.Scan(&id, &name, &institution, &affiliation, &phone); err != nil {
			return nil, err
		}
		if phone, err = keys.Open(expertPhone, phone); err != nil {
			return nil, fmt.Errorf("expert %d phone: %w", id, err)
		}
		existing[expertKey(name, institution, affiliation, phone)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return &expertBatch{s: s, v: v, res: res, regions: regions, insts: insts, existing: existing, seen: map[importKey]int{}}, nil
}

// Parse reads one row and checks it as the expert form is checked; the
// region defaults to the institution's and must lie in the importer's
// scope.
func (b *expertBatch) Parse(r *importer.Row) expertRow {
	ref := b.s.ref
	in := ExpertInput{
		Name: r.Cell("name"), Affiliation: r.Cell("affiliation"), Title: r.Cell("job_title"),
		Disciplines: splitCell(r.Cell("disciplines")), Research: r.Cell("research"), Keywords: splitCell(r.Cell("keywords")),
		Achievements: splitCell(r.Cell("achievements")), Patents: splitCell(r.Cell("patents")),
		Roles: choicesCell(r, "roles", ref.ExpertRoles), Visibility: visibilityCell(r, "visibility"),
		Contact: &ExpertContact{Phone: r.Cell("phone"), Email: r.Cell("email")},
	}
	instRegion := ""
	if v := r.Cell("institution_id"); v != "" {
		inst, ok := b.insts[v]
		if !ok {
			inst, ok = b.insts[strings.ToUpper(v)]
		}
		if ok {
			in.InstitutionID, instRegion, in.Affiliation = inst.id, inst.region, ""
		} else {
			r.Problem("institution_id", fmt.Sprintf("资源库中没有机构“%s”；不在资源库中的单位请填在“工作单位”列", v))
		}
	}
	in.RegionCode = regionCell(r, "region_code", b.regions, false)
	if r.Cell("region_code") == "" {
		switch {
		case instRegion == "":
			r.Problem("region_code", "所属机构不在资源库中时须填写所属区县")
		case !containsValue(b.regions, instRegion):
			r.Problem("region_code", "所属机构不在您的管辖范围内，请填写您管辖范围内的所属区县")
		default:
			in.RegionCode = instRegion
		}
	}
	var c checker
	in.check(&c, ref)
	reportChecks(r, &c)
	return expertRow{in: in, key: expertKey(in.Name, in.InstitutionID, in.Affiliation, in.Contact.Phone)}
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

// Admit refuses a second row of the same expert.
func (b *expertBatch) Admit(_ context.Context, r *importer.Row, row expertRow) error {
	if r.Bad() {
		return nil
	}
	if first, dup := b.seen[row.key]; dup {
		r.Problem("name", fmt.Sprintf("与第 %d 行重复（姓名、所属机构和手机号相同）", first))
		return nil
	}
	b.seen[row.key] = r.Num
	return nil
}

// Apply creates the row's expert unless the directory has it.
func (b *expertBatch) Apply(ctx context.Context, tx *sqldb.Tx, row expertRow) error {
	if b.existing[row.key] {
		b.res.Existing++
		return nil
	}
	if !Manages(b.v.Actor, row.in.RegionCode) {
		return fmt.Errorf("expert row: region %s outside the importer's scope", row.in.RegionCode)
	}
	if _, err := b.s.insertExpert(ctx, tx, b.v, row.in); err != nil {
		return err
	}
	b.existing[row.key] = true
	b.res.Created++
	return nil
}
