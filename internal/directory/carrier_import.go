package directory

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
)

// CarrierImportJobKind is the job kind of a carrier import.
const CarrierImportJobKind = "directory.import_carriers"

// Carrier import modes.
const (
	ImportAllOrNothing = importer.AllOrNothing // any bad row: nothing is written
	ImportValidRows    = importer.ValidRows    // bad rows are reported and skipped
)

// CarrierImportOptions choose how a carrier file is imported.
type CarrierImportOptions struct {
	Mode string `json:"Mode"` // ImportAllOrNothing (default) or ImportValidRows
}

// ImportMode returns the mode (importer.Options).
func (o CarrierImportOptions) ImportMode() string { return o.Mode }

// CarrierImportResult reports a carrier import: carriers created (in
// Result.Created) and rows skipped because the carrier already exists.
type CarrierImportResult struct {
	importer.Result
	Existing int `json:"existing"`
}

// Counts returns the rows that named an existing carrier, for the
// import's audit row.
func (r CarrierImportResult) Counts() map[string]int { return map[string]int{"existing": r.Existing} }

// carrierImporter is the import kit as the carrier import uses it.
type carrierImporter = importer.Importer[CarrierImportOptions, carrierRow, CarrierImportResult, *CarrierImportResult]

// The key of the import: a carrier is the same carrier when its county
// and its name are.
const carrierKeyNote = "载体名称，必填；同一区县内以“所属区县 + 载体名称”识别载体：已存在的载体不重复创建，也不被修改，重复导入同一文件不产生任何变化"

// CarrierImportColumns are the columns of the carrier import, in template
// order: the fields of the carrier form, kinds and levels by their Chinese
// labels.
func (s *Service) CarrierImportColumns() []sheet.Column {
	var kinds, levels []string
	for _, k := range s.ref.CarrierKinds {
		kinds = append(kinds, k.ZH)
	}
	for _, l := range s.ref.CarrierLevels {
		levels = append(levels, l.ZH)
	}
	kindExample, levelExample := "", ""
	if len(kinds) > 0 {
		kindExample = kinds[0]
	}
	if len(levels) > 0 {
		levelExample = levels[0]
	}
	return []sheet.Column{
		{Key: "name", Header: "载体名称", Required: true, Note: carrierKeyNote, Example: "示例众创空间"},
		{Key: "county", Header: "所属区县", Required: true, Note: "区县名称或 6 位代码，如 昆山市 或 320583；须在您的管辖范围内", Example: "昆山市"},
		{Key: "kind", Header: "载体类型", Required: true, Allowed: kinds, Example: kindExample},
		{Key: "level", Header: "认定级别", Allowed: levels, Note: "未认定则留空", Example: levelExample},
		{Key: "operator", Header: "运营主体", Example: "昆山示例孵化管理有限公司"},
		{Key: "operator_code", Header: "运营主体统一社会信用代码", Note: "18 位", Example: "91320583MA1XYK123X"},
		{Key: "area", Header: "面积（平方米）", Note: "孵化器、加速器、科技园区等按面积计，须大于 0", Example: "2000"},
		{Key: "stations", Header: "工位数", Note: "众创空间按工位计，须大于 0", Example: "120"},
		{Key: "rooms", Header: "房间数", Example: "10"},
		{Key: "opened", Header: "启用日期", Note: "YYYY-MM-DD", Example: "2020-06-01"},
		{Key: "summary", Header: "简介"},
		{Key: "contact_name", Header: "联系人", Example: "张三"},
		{Key: "contact_phone", Header: "联系电话", Note: "加密保存", Example: "0512-12345678"},
		{Key: "contact_email", Header: "联系邮箱", Note: "加密保存", Example: "contact@example.com"},
	}
}

// AuthorizeCarrierImport returns an error unless the actor may import
// carriers: those who may create them (bureau and county staff).
func AuthorizeCarrierImport(a account.Actor) error {
	if !IsManager(a) {
		return onlyManagers(a)
	}
	return nil
}

// WriteCarrierImportTemplate writes the .xlsx template of the carrier
// import.
func (s *Service) WriteCarrierImportTemplate(w io.Writer) error {
	return sheet.WriteTemplate(w, s.CarrierImportColumns())
}

func newCarrierImporter(s *Service) *carrierImporter {
	return importer.New(s.db, importer.Spec[CarrierImportOptions, carrierRow, CarrierImportResult, *CarrierImportResult]{
		Kind: CarrierImportJobKind, Action: "carrier.import", ExampleKey: "name",
		Columns: s.CarrierImportColumns(), Authorize: AuthorizeCarrierImport, Begin: s.beginCarrierImport,
	})
}

// QueueCarrierImport queues the import of an uploaded file as a job of the
// actor and returns the job's id. An actor who may not import gets an
// error at once.
func (s *Service) QueueCarrierImport(ctx context.Context, a account.Actor, filename string, opt CarrierImportOptions,
	file []byte) (int64, error) {
	return s.carrierImports.Queue(ctx, a, filename, opt, file)
}

// ImportCarriers reads an .xlsx or .csv of carriers and creates, in one
// transaction, those not yet in the directory (by county and name), each
// checked as the carrier form checks it and recorded in the audit log.
// See importer.Importer.Run for the errors.
func (s *Service) ImportCarriers(ctx context.Context, a account.Actor, r io.ReaderAt, size int64, filename string,
	opt CarrierImportOptions, progress func(done, total int)) (CarrierImportResult, error) {
	return s.carrierImports.Run(ctx, a, importer.File{R: r, Size: size, Name: filename}, opt, progress)
}

// ConfigureImports gives the directory's imports their job service and
// limits and registers their job handlers; call it once before the job
// service starts.
func (s *Service) ConfigureImports(cfg importer.Config) {
	s.carrierImports.Configure(cfg)
	s.institutionImports.Configure(cfg)
	s.expertImports.Configure(cfg)
	s.serviceOrgImports.Configure(cfg)
	s.fundImports.Configure(cfg)
}

type carrierKey struct{ region, name string }

type carrierRow struct {
	in    CarrierInput
	key   carrierKey
	known bool // the carrier exists: the row changes nothing
}

type carrierBatch struct {
	s        *Service
	a        account.Actor
	res      *CarrierImportResult
	counties map[string]string // county name or code → code, of the actor's scope
	existing map[carrierKey]bool
	seen     map[carrierKey]int // first row of each key in the file
}

func (s *Service) beginCarrierImport(ctx context.Context, a account.Actor, _ CarrierImportOptions, _ importer.Header,
	res *CarrierImportResult) (importer.Batch[carrierRow], error) {
	counties, err := s.countiesInScope(ctx, a)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT region_code, name FROM carriers")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	existing := map[carrierKey]bool{}
	for rows.Next() {
		var k carrierKey
		if err := rows.Scan(&k.region, &k.name); err != nil {
			return nil, err
		}
		existing[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return &carrierBatch{s: s, a: a, res: res, counties: counties, existing: existing, seen: map[carrierKey]int{}}, nil
}

// countiesInScope maps the names and codes of the counties the actor
// manages to their codes.
func (s *Service) countiesInScope(ctx context.Context, a account.Actor) (map[string]string, error) {
	rs := region.NewService(s.db)
	if a.Role == account.RoleCounty {
		r, err := rs.Get(ctx, a.Region)
		if err != nil {
			return nil, err
		}
		return region.CodeLookup([]region.Region{r}), nil
	}
	home := a.Region
	if home == "" {
		var err error
		if home, err = s.home(ctx); err != nil || home == "" {
			return map[string]string{}, err
		}
	}
	list, err := rs.Children(ctx, home)
	if err != nil {
		return nil, err
	}
	var counties []region.Region
	for _, r := range list {
		if region.LevelOf(r.Code) == region.County && a.InScope(r.Code) {
			counties = append(counties, r)
		}
	}
	return region.CodeLookup(counties), nil
}

// Parse reads one row and checks it as the carrier form is checked.
func (b *carrierBatch) Parse(r *importer.Row) carrierRow {
	ref := b.s.ref
	var row carrierRow
	in := &row.in
	in.Name = r.Cell("name")
	if v := r.Cell("kind"); v != "" {
		in.Kind = v
		for _, k := range ref.CarrierKinds {
			if k.ZH == v || k.Code == v {
				in.Kind = k.Code
			}
		}
	}
	if v := r.Cell("level"); v != "" {
		in.Level = v
		for _, l := range ref.CarrierLevels {
			if l.ZH == v || l.Code == v {
				in.Level = l.Code
			}
		}
	}
	in.Operator = r.Cell("operator")
	in.OperatorCode = strings.ToUpper(r.Cell("operator_code"))
	number := func(key string) float64 {
		v := r.Cell(key)
		if v == "" {
			return 0
		}
		f, ok := sheet.ParseNumber(v)
		if !ok {
			r.Problem(key, fmt.Sprintf("“%s”不是数字", v))
			return 0
		}
		return f
	}
	whole := func(key string) int {
		f := number(key)
		n := int(f)
		if float64(n) != f {
			r.Problem(key, "应为整数")
		}
		return n
	}
	in.Capacity = Space{Area: number("area"), Stations: whole("stations"), Rooms: whole("rooms")}
	if v := r.Cell("opened"); v != "" {
		if t, ok := sheet.ParseDate(v); ok {
			in.Opened = t.Format(dateLayout)
		} else {
			in.Opened = v
		}
	}
	in.Summary = r.Cell("summary")
	in.Contact = Contact{Name: r.Cell("contact_name"), Phone: r.Cell("contact_phone"), Email: r.Cell("contact_email")}
	if v := r.Cell("county"); v != "" {
		code, ok := b.counties[v]
		if !ok {
			r.Problem("county", fmt.Sprintf("“%s”不是您管辖范围内的区县", v))
		}
		in.RegionCode = code
	} else {
		r.Problem("county", i18n.T(i18n.Chinese, "error.required"))
	}
	var c checker
	in.check(&c, ref, b.s.now())
	for _, fe := range c.fields {
		r.Problem(fe.Field, i18n.T(i18n.Chinese, fe.Key, fe.Args...))
	}
	row.key = carrierKey{in.RegionCode, in.Name}
	return row
}

// Admit skips a carrier the directory already has and refuses a second
// row of the same carrier.
func (b *carrierBatch) Admit(_ context.Context, r *importer.Row, row carrierRow) error {
	if r.Bad() {
		return nil
	}
	if first, dup := b.seen[row.key]; dup {
		r.Problem("name", fmt.Sprintf("与第 %d 行重复（同一区县同名载体）", first))
		return nil
	}
	b.seen[row.key] = r.Num
	return nil
}

// Apply creates the row's carrier unless it exists.
func (b *carrierBatch) Apply(ctx context.Context, tx *sqldb.Tx, row carrierRow) error {
	if b.existing[row.key] {
		b.res.Existing++
		return nil
	}
	if !Manages(b.a, row.in.RegionCode) || region.LevelOf(row.in.RegionCode) != region.County {
		return apperr.New(apperr.Invalid, "directory.region_outside_scope")
	}
	if _, err := b.s.insertCarrier(ctx, tx, b.a, row.in); err != nil {
		return err
	}
	b.existing[row.key] = true
	b.res.Created++
	return nil
}
