package project

import (
	"context"
	"fmt"
	"io"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/importer"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// ImportColumns are the columns of the project import, in template order.
// One row is one project; a row is matched to the library by 项目名称 and
// 所属区县 together, so that importing a file twice creates nothing the
// second time.
var ImportColumns = []sheet.Column{
	{Key: "name", Header: "项目名称", Required: true,
		Note: "不超过 100 字；项目名称与所属区县相同的项目已在库中时，该行不再导入（重复导入不会产生重复项目）", Example: "示例新能源汽车零部件基地"},
	{Key: "type", Header: "项目类型", Required: true, Note: "招商引资项目、重大建设项目、科技计划项目、揭榜挂帅项目、央地合作项目之一", Example: "招商引资项目"},
	{Key: "county", Header: "所属区县", Required: true, Note: "您管辖范围内的区县（或市）名称或 6 位代码，如 昆山市 或 320583", Example: "昆山市"},
	{Key: "unit", Header: "责任单位", Required: true, Note: "已登记的责任单位全称，须负责该区县", Example: "昆山市商务局"},
	{Key: "lead", Header: "包联领导", Note: "姓名及职务，不超过 64 字", Example: "王副市长"},
	{Key: "total_investment", Header: "总投资（万元）", Note: "单位万元，不小于 0", Example: "12000"},
	{Key: "annual_investment", Header: "年度计划投资（万元）", Note: "单位万元，不大于总投资", Example: "6000"},
	{Key: "planned_start", Header: "计划开工日期", Required: true, Note: "YYYY-MM-DD", Example: "2026-01-01"},
	{Key: "planned_end", Header: "计划完成日期", Required: true, Note: "YYYY-MM-DD，不早于计划开工日期", Example: "2027-06-30"},
	{Key: "description", Header: "项目简介", Note: "不超过 2000 字", Example: "一期用地 120 亩"},
}

// fieldColumns maps the fields of ProjectInput's validation to the
// import's columns.
var fieldColumns = map[string]string{
	"name": "name", "type": "type", "region_code": "county", "unit_id": "unit", "lead_name": "lead",
	"total_investment": "total_investment", "annual_investment": "annual_investment", "plan_year": "annual_investment",
	"planned_start": "planned_start", "planned_end": "planned_end", "description": "description",
}

// AuthorizeImport returns apperr.Forbidden unless the actor may import
// projects: the staff who may create them.
func AuthorizeImport(a account.Actor) error {
	if !CanCreateProject(a) {
		return apperr.New(apperr.Forbidden, "project.only_staff")
	}
	return nil
}

// CanImport reports whether the actor may import projects.
func CanImport(a account.Actor) bool { return AuthorizeImport(a) == nil }

// WriteImportTemplate writes the .xlsx template of the project import.
func WriteImportTemplate(w io.Writer) error { return sheet.WriteTemplate(w, ImportColumns) }

// Import modes.
const (
	ImportAllOrNothing = importer.AllOrNothing // any bad row: nothing is written
	ImportValidRows    = importer.ValidRows    // bad rows are reported and skipped
)

// ImportJobKind is the job kind of a queued project import.
const ImportJobKind = "project.import_projects"

// ImportOptions choose how a file is imported.
type ImportOptions struct {
	Mode string `json:"Mode"` // ImportAllOrNothing (default) or ImportValidRows
}

// ImportMode returns the mode (importer.Options).
func (o ImportOptions) ImportMode() string { return o.Mode }

// ImportResult reports an import: the projects created (in Result) and the
// rows left alone because their project is already in the library.
type ImportResult struct {
	importer.Result
	Existing int `json:"existing"`
}

// Counts returns the rows skipped as already imported, for the audit row.
func (r ImportResult) Counts() map[string]int { return map[string]int{"existing": r.Existing} }

// importRow is one parsed row: the input as the project form would send
// it, less the unit, which is named.
type importRow struct {
	in   ProjectInput
	unit string
}

func (r importRow) key() string { return r.in.Name + "\x00" + r.in.RegionCode }

type projectImporter = importer.Importer[ImportOptions, importRow, ImportResult, *ImportResult]

func newImporter(s *Service) *projectImporter {
	return importer.New(s.db, importer.Spec[ImportOptions, importRow, ImportResult, *ImportResult]{
		Kind: ImportJobKind, Action: "project.import", ExampleKey: "name",
		Columns: ImportColumns, Authorize: AuthorizeImport, Begin: s.beginImport,
	})
}

// QueueImport queues the import of an uploaded file as a job of the actor
// and returns the job's id. An actor who may not import gets
// apperr.Forbidden at once.
func (s *Service) QueueImport(ctx context.Context, a account.Actor, filename string, opt ImportOptions, file []byte) (int64, error) {
	return s.imports.Queue(ctx, a, filename, opt, file)
}

// ImportProjects reads an .xlsx or .csv of projects and creates, in one
// transaction, each one not yet in the library (by name and county), with
// the same checks as the project form and an audit row each. See
// importer.Importer.Run for the errors.
func (s *Service) ImportProjects(ctx context.Context, a account.Actor, r io.ReaderAt, size int64, filename string,
	opt ImportOptions, progress func(done, total int)) (ImportResult, error) {
	return s.imports.Run(ctx, a, importer.File{R: r, Size: size, Name: filename}, opt, progress)
}

// ConfigureImports gives the project import its job service and limits and
// registers its job handler; call it once before the job service starts.
func (s *Service) ConfigureImports(cfg importer.Config) { s.imports.Configure(cfg) }

// projectBatch parses and applies the rows of one project import.
type projectBatch struct {
	s       *Service
	a       account.Actor
	res     *ImportResult
	today   workday.Date
	types   map[string]string // type name or id → id
	regions map[string]string // region name or code in the actor's scope → code
	units   map[string][]Unit // unit name → the units of that name the actor sees
	have    map[string]bool   // keys of the projects in the library
	seen    map[string]int    // key → first row of the file
}

// beginImport loads the types, the regions in the actor's scope, the units
// it sees and the keys of the projects already in the library.
func (s *Service) beginImport(ctx context.Context, a account.Actor, _ ImportOptions, _ importer.Header,
	res *ImportResult) (importer.Batch[importRow], error) {
	b := &projectBatch{s: s, a: a, res: res, today: s.today(), types: map[string]string{}, units: map[string][]Unit{},
		have: map[string]bool{}, seen: map[string]int{}}
	for _, t := range s.types.All() {
		b.types[t.ID], b.types[t.Name], b.types[strings.TrimSuffix(t.Name, "项目")] = t.ID, t.ID, t.ID
	}
	regions, err := s.regionsInScope(ctx, a)
	if err != nil {
		return nil, err
	}
	b.regions = region.CodeLookup(regions)
	units, err := queryAll(ctx, s.db, scanUnit, "SELECT "+unitColumns+" FROM gov_units ORDER BY id")
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		if readsUnit(a, u) {
			b.units[u.Name] = append(b.units[u.Name], u)
		}
	}
	prows, err := s.db.QueryContext(ctx, "SELECT name, region_code FROM projects WHERE region_code LIKE ?", scopeLike(a))
	if err != nil {
		return nil, err
	}
	defer prows.Close()
	for prows.Next() {
		var name, code string
		if err := prows.Scan(&name, &code); err != nil {
			return nil, err
		}
		b.have[name+"\x00"+code] = true
	}
	return b, prows.Err()
}

// regionsInScope returns the regions an import may name: a county user's
// county; for staff of a city its counties and the city itself; for
// province and instance-wide staff the counties of the home region.
func (s *Service) regionsInScope(ctx context.Context, a account.Actor) ([]region.Region, error) {
	if a.Role == account.RoleCounty {
		r, err := s.regions.Get(ctx, a.Region)
		if err != nil {
			return nil, err
		}
		return []region.Region{r}, nil
	}
	home := a.Region
	if home == "" {
		var err error
		if home, err = s.regions.HomeRegion(ctx); err != nil || home == "" {
			return nil, err
		}
	}
	out, err := s.regions.Children(ctx, home)
	if err != nil {
		return nil, err
	}
	if r, err := s.regions.Get(ctx, home); err == nil && region.LevelOf(home) != region.Province {
		out = append(out, r)
	}
	return out, nil
}

// Parse reads one row and checks it as the project form is checked.
func (b *projectBatch) Parse(r *importer.Row) importRow {
	row := importRow{unit: r.Cell("unit")}
	in := &row.in
	in.Name, in.LeadName, in.Description = r.Cell("name"), r.Cell("lead"), r.Cell("description")
	skip := map[string]bool{}
	if v := r.Cell("type"); v != "" {
		if id, ok := b.types[v]; ok {
			in.Type = id
		} else {
			r.Problem("type", fmt.Sprintf("“%s”不是项目类型", v))
			skip["type"] = true
		}
	}
	if v := r.Cell("county"); v != "" {
		if code, ok := b.regions[v]; ok {
			in.RegionCode = code
		} else {
			r.Problem("county", fmt.Sprintf("“%s”不是您管辖范围内的区县", v))
			skip["county"] = true
		}
	}
	for _, c := range []struct {
		key string
		to  *float64
	}{{"total_investment", &in.TotalInvestment}, {"annual_investment", &in.AnnualInvestment}} {
		if v := r.Cell(c.key); v != "" {
			f, ok := sheet.ParseNumber(v)
			if !ok {
				r.Problem(c.key, fmt.Sprintf("“%s”不是数字", v))
				skip[c.key] = true
				continue
			}
			*c.to = f
		}
	}
	for _, c := range []struct {
		key string
		to  *workday.Date
	}{{"planned_start", &in.PlannedStart}, {"planned_end", &in.PlannedEnd}} {
		if v := r.Cell(c.key); v != "" {
			t, ok := sheet.ParseDate(v)
			if !ok {
				r.Problem(c.key, fmt.Sprintf("“%s”不是有效日期（YYYY-MM-DD）", v))
				skip[c.key] = true
				continue
			}
			*c.to = workday.NewDate(t.Year(), t.Month(), t.Day())
		}
	}
	// The unit is matched by name in Admit; a placeholder lets the form's
	// validation pass over it here.
	if row.unit != "" {
		in.UnitID = -1
	}
	if err := in.validate(b.s.types, b.today); err != nil {
		e := apperr.As(err)
		if e == nil {
			r.Problem("", err.Error())
			return row
		}
		for _, fe := range e.Fields {
			col := fieldColumns[fe.Field]
			if skip[col] {
				continue // already reported as unreadable
			}
			r.Problem(col, i18n.T(i18n.Chinese, fe.Key, fe.Args...))
		}
	}
	in.UnitID = 0
	return row
}

// unitFor returns the unit of the row's name that may take its region.
func (b *projectBatch) unitFor(row importRow) (Unit, string) {
	units := b.units[row.unit]
	if len(units) == 0 {
		return Unit{}, i18n.T(i18n.Chinese, "project.unit_not_found")
	}
	for _, u := range units {
		if u.servesRegion(row.in.RegionCode) {
			return u, ""
		}
	}
	return Unit{}, i18n.T(i18n.Chinese, "project.unit_wrong_region")
}

// Admit checks a row against the rows before it and the units.
func (b *projectBatch) Admit(_ context.Context, r *importer.Row, row importRow) error {
	if r.Bad() {
		return nil
	}
	if _, reason := b.unitFor(row); reason != "" {
		r.Problem("unit", reason)
	}
	if first, dup := b.seen[row.key()]; dup {
		r.Problem("name", fmt.Sprintf("与第 %d 行重复（项目名称和所属区县相同）", first))
	} else {
		b.seen[row.key()] = r.Num
	}
	return nil
}

// Apply creates the row's project unless it is already in the library.
func (b *projectBatch) Apply(ctx context.Context, tx *sqldb.Tx, row importRow) error {
	if b.have[row.key()] {
		b.res.Existing++
		return nil
	}
	u, reason := b.unitFor(row)
	if reason != "" || !managesRegion(b.a, row.in.RegionCode) {
		return apperr.Fields(apperr.Field("region_code", "project.region_outside_scope"))
	}
	in := row.in
	in.UnitID = u.ID
	if _, err := b.s.insertChecked(ctx, tx, b.a, in); err != nil {
		return err
	}
	b.have[row.key()] = true
	b.res.Created++
	return nil
}
