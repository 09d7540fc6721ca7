package cultivation

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/importer"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// amountKeys are the money columns of the import: 万元 by default, 元 when
// the header says （元） or the user chose 元 for the whole file.
var amountKeys = []string{"revenue", "main_revenue", "hightech_revenue", "cost_total", "rd_expense", "rd_expense_domestic",
	"total_assets", "net_assets", "liabilities", "net_profit"}

// countKeys are the headcount and IP columns.
var countKeys = []string{"employees", "tech_staff", "rd_staff", "insured", "ip_class1", "ip_class2"}

// ImportColumns are the columns of the enterprise and yearly indicator
// import, in template order. One row is one enterprise and, when 年度 is
// filled, one year of its indicators.
var ImportColumns = []sheet.Column{
	{Key: "credit_code", Header: "统一社会信用代码", Required: true, Note: "18 位，按 GB 32100-2015 校验；同一企业多个年度可各占一行", Example: "91320583MA1XYK123X"},
	{Key: "name", Header: "企业名称", Note: "企业不在库中时必填", Example: "昆山示例科技有限公司"},
	{Key: "county", Header: "所属区县", Note: "区县名称或 6 位代码，如 昆山市 或 320583；企业不在库中时必填", Example: "昆山市"},
	{Key: "industry", Header: "行业代码", Note: "GB/T 4754-2017 门类或大类，如 C39", Example: "C39"},
	{Key: "domain", Header: "高新技术领域", Note: "国家重点支持的高新技术领域一级领域", Example: "电子信息"},
	{Key: "founded", Header: "成立日期", Note: "YYYY-MM-DD", Example: "2019-03-01"},
	{Key: "listed", Header: "是否上市", Allowed: []string{"是", "否"}, Example: "否"},
	{Key: "tags", Header: "标签", Note: "多个用顿号分隔，如 链主、种子企业", Example: "种子企业"},
	{Key: "cert_tech_sme", Header: "科技型中小企业入库日期", Note: "YYYY-MM-DD，没有则留空"},
	{Key: "cert_high_tech", Header: "高新技术企业证书日期", Note: "YYYY-MM-DD，没有则留空"},
	{Key: "year", Header: "年度", Note: "指标所属会计年度，如 2025；只导入企业信息时留空", Example: "2025"},
	{Key: "revenue", Header: "营业收入（万元）", Note: "金额默认单位为万元；表头写成“（元）”则按元", Example: "4000"},
	{Key: "main_revenue", Header: "主营业务收入（万元）", Example: "3800"},
	{Key: "hightech_revenue", Header: "高新技术产品（服务）收入（万元）", Example: "3000"},
	{Key: "cost_total", Header: "成本费用总额（万元）", Example: "3500"},
	{Key: "rd_expense", Header: "研发费用（万元）", Example: "128"},
	{Key: "rd_expense_domestic", Header: "境内研发费用（万元）", Example: "128"},
	{Key: "total_assets", Header: "资产总额（万元）", Example: "3000"},
	{Key: "net_assets", Header: "净资产（万元）", Example: "1800"},
	{Key: "liabilities", Header: "负债总额（万元）", Example: "1200"},
	{Key: "net_profit", Header: "净利润（万元）", Example: "260"},
	{Key: "employees", Header: "职工总数", Note: "全年月平均人数", Example: "80"},
	{Key: "tech_staff", Header: "科技人员数", Example: "20"},
	{Key: "rd_staff", Header: "研发人员数", Example: "15"},
	{Key: "insured", Header: "社保缴纳人数", Note: "当年缴纳社保的职工人数，可不填；只用于合理性提示", Example: "76"},
	{Key: "ip_class1", Header: "Ⅰ类知识产权数", Note: "发明专利、植物新品种、集成电路布图设计等", Example: "2"},
	{Key: "ip_class2", Header: "Ⅱ类知识产权数", Note: "实用新型、外观设计、软件著作权", Example: "5"},
}

// AuthorizeImport returns apperr.Forbidden unless the actor may import
// enterprises (bureau and county staff).
func AuthorizeImport(a account.Actor) error {
	if !isStaff(a) {
		return apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	return nil
}

// WriteImportTemplate writes the .xlsx template of the enterprise import.
func WriteImportTemplate(w io.Writer) error { return sheet.WriteTemplate(w, ImportColumns) }

// Import modes.
const (
	ImportAllOrNothing = importer.AllOrNothing // any bad row: nothing is written
	ImportValidRows    = importer.ValidRows    // bad rows are reported and skipped
)

// ImportJobKind is the job kind of an enterprise import.
const ImportJobKind = "cultivation.import"

// ImportOptions choose how a file is imported.
type ImportOptions struct {
	Mode string `json:"Mode"` // ImportAllOrNothing (default) or ImportValidRows
	// YuanAmounts reads amount columns whose header names no unit as 元
	// instead of 万元.
	YuanAmounts bool `json:"YuanAmounts"`
}

// ImportMode returns the mode (importer.Options).
func (o ImportOptions) ImportMode() string { return o.Mode }

// ImportResult reports an import: enterprises created and updated (in
// Result) and the years written. Applied is false when nothing was written
// (all-or-nothing with bad rows, or an empty file).
type ImportResult struct {
	importer.Result
	Years int `json:"years"`
}

// Counts returns the years written, for the import's audit row.
func (r ImportResult) Counts() map[string]int { return map[string]int{"years": r.Years} }

type importRow struct {
	num     int
	code    string
	profile Enterprise
	county  string
	year    *YearRecord
	certs   []Certificate
	fields  map[string]bool // which profile columns the row filled
}

// enterpriseImporter is the import kit as cultivation uses it.
type enterpriseImporter = importer.Importer[ImportOptions, importRow, ImportResult, *ImportResult]

func newImporter(s *Service) *enterpriseImporter {
	return importer.New(s.db, importer.Spec[ImportOptions, importRow, ImportResult, *ImportResult]{
		Kind: ImportJobKind, Action: "enterprise.import", ExampleKey: "credit_code",
		Columns: ImportColumns, Authorize: AuthorizeImport, Begin: s.beginImport,
	})
}

// QueueImport queues the import of an uploaded file as a job of the actor
// and returns the job's id; the job (kind ImportJobKind) runs
// ImportEnterprises as the actor as its account is then. An actor who may
// not import gets apperr.Forbidden at once.
func (s *Service) QueueImport(ctx context.Context, a account.Actor, filename string, opt ImportOptions, file []byte) (int64, error) {
	return s.imports.Queue(ctx, a, filename, opt, file)
}

// ImportEnterprises reads an .xlsx or .csv of enterprises and yearly
// indicators and writes them in one transaction: an existing enterprise (by
// credit code) is updated with the columns the row fills, a new one is
// created, a year is inserted or replaced. Re-importing a file changes
// nothing the second time. progress, when not nil, is called with rows done
// out of rows total (reading counts as the first half). See
// importer.Importer.Run for the errors.
func (s *Service) ImportEnterprises(ctx context.Context, a account.Actor, r io.ReaderAt, size int64, filename string,
	opt ImportOptions, progress func(done, total int)) (ImportResult, error) {
	return s.imports.Run(ctx, a, importer.File{R: r, Size: size, Name: filename}, opt, progress)
}

// ConfigureImports gives the enterprise import its job service and limits
// and registers its job handler; call it once before the job service
// starts. Without it ImportEnterprises still works and QueueImport fails.
func (s *Service) ConfigureImports(cfg importer.Config) { s.imports.Configure(cfg) }

// yearKey is one enterprise's year.
type yearKey struct {
	code string
	year int
}

// enterpriseBatch parses and applies the rows of one enterprise import.
type enterpriseBatch struct {
	s        *Service
	a        account.Actor
	res      *ImportResult
	now      time.Time
	yuan     map[string]bool // amount columns read in 元
	counties map[string]string
	existing map[string]indexedEnterprise
	seen     map[yearKey]int // first row of each enterprise and year
	// defined holds the credit codes a good earlier row of the file
	// creates, so that later rows of the same new enterprise need not
	// repeat its name and county.
	defined map[string]bool
}

// beginImport reads the units of the amount columns from the header and
// loads the counties in scope and the registry's credit codes.
func (s *Service) beginImport(ctx context.Context, a account.Actor, opt ImportOptions, h importer.Header,
	res *ImportResult) (importer.Batch[importRow], error) {
	yuan := map[string]bool{}
	for _, k := range amountKeys {
		if i, ok := h.Index[k]; ok {
			t := strings.ReplaceAll(strings.ReplaceAll(h.Cells[i], "(", "（"), ")", "）")
			yuan[k] = strings.Contains(t, "（元）") || (opt.YuanAmounts && !strings.Contains(t, "万元"))
		}
	}
	counties, err := s.countiesInScope(ctx, a)
	if err != nil {
		return nil, err
	}
	existing, err := s.enterpriseIndex(ctx)
	if err != nil {
		return nil, err
	}
	return &enterpriseBatch{s: s, a: a, res: res, now: s.now(), yuan: yuan, counties: region.CodeLookup(counties), existing: existing,
		seen: map[yearKey]int{}, defined: map[string]bool{}}, nil
}

// Parse reads one row.
func (b *enterpriseBatch) Parse(r *importer.Row) importRow {
	return parseImportRow(r, b.yuan, b.counties, b.now)
}

// Admit checks a row against the registry and the rows before it: the
// enterprise must lie in the actor's scope, a new one needs a name and a
// county (on this row or a good earlier one), and a year may appear once
// per enterprise.
func (b *enterpriseBatch) Admit(_ context.Context, r *importer.Row, row importRow) error {
	known, isKnown := b.existing[row.code]
	if isKnown && !b.a.InScope(known.region) {
		r.Problem("credit_code", "该企业已登记在您管辖范围之外的区县")
	}
	if !isKnown && !b.defined[row.code] {
		if row.profile.Name == "" {
			r.Problem("name", "新企业必须填写企业名称")
		}
		if row.county == "" && !row.fields["county"] {
			r.Problem("county", "新企业必须填写所属区县")
		}
	}
	if row.year != nil && row.code != "" {
		key := yearKey{row.code, row.year.Year}
		if first, dup := b.seen[key]; dup {
			r.Problem("year", fmt.Sprintf("与第 %d 行重复（同一企业同一年度）", first))
		} else {
			b.seen[key] = r.Num
		}
	}
	if !r.Bad() && row.profile.Name != "" && row.county != "" {
		b.defined[row.code] = true
	}
	return nil
}

// Apply writes one row.
func (b *enterpriseBatch) Apply(ctx context.Context, tx *sqldb.Tx, row importRow) error {
	return b.s.applyImportRow(ctx, tx, b.a, row, b.existing, b.res, b.now)
}

type indexedEnterprise struct {
	id     int64
	region string
	fresh  bool // created by the running import
}

// enterpriseIndex maps every credit code in the registry to its id and
// region, so that a file of 100,000 rows needs no query per row to decide
// between create and update.
func (s *Service) enterpriseIndex(ctx context.Context) (map[string]indexedEnterprise, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, credit_code, region_code FROM enterprises")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]indexedEnterprise{}
	for rows.Next() {
		var e indexedEnterprise
		var code string
		if err := rows.Scan(&e.id, &code, &e.region); err != nil {
			return nil, err
		}
		out[code] = e
	}
	return out, rows.Err()
}

// parseImportRow reads one row of the file alone: the checks against the
// registry and the other rows are Admit's.
func parseImportRow(r *importer.Row, yuan map[string]bool, counties map[string]string, now time.Time) importRow {
	cell := r.Cell
	num := r.Num
	problem := func(_ int, key, reason string) { r.Problem(key, reason) }
	row := importRow{num: num, fields: map[string]bool{}}
	row.code = strings.ToUpper(cell("credit_code"))
	if err := ValidateCreditCode(row.code); err != nil {
		problem(num, "credit_code", err.Error())
	}
	p := &row.profile
	p.CreditCode = row.code
	if v := cell("name"); v != "" {
		p.Name, row.fields["name"] = v, true
	}
	if v := cell("county"); v != "" {
		code, ok := counties[v]
		if !ok {
			problem(num, "county", fmt.Sprintf("“%s”不是您管辖范围内的区县", v))
		}
		row.county, row.fields["county"] = code, true
	}
	if v := strings.ToUpper(cell("industry")); v != "" {
		if !industryCode.MatchString(v) {
			problem(num, "industry", "应为国民经济行业分类代码，如 C39")
		}
		p.Industry, row.fields["industry"] = v, true
	}
	if v := cell("domain"); v != "" {
		p.Domain, row.fields["domain"] = v, true
	}
	if v := cell("founded"); v != "" {
		t, ok := sheet.ParseDate(v)
		if !ok || t.After(now) {
			problem(num, "founded", fmt.Sprintf("“%s”不是有效日期（YYYY-MM-DD，且不晚于今天）", v))
		}
		p.Founded, row.fields["founded"] = Date{t}, true
	}
	switch v := cell("listed"); v {
	case "":
	case "是", "Y", "y", "1", "true":
		p.Listed, row.fields["listed"] = true, true
	case "否", "N", "n", "0", "false":
		row.fields["listed"] = true
	default:
		problem(num, "listed", fmt.Sprintf("“%s”应为 是 或 否", v))
	}
	if v := cell("tags"); v != "" {
		for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' }) {
			if t = strings.TrimSpace(t); t != "" {
				p.Tags = append(p.Tags, t)
			}
		}
		row.fields["tags"] = true
	}
	for _, c := range []struct{ key, typ string }{{"cert_tech_sme", "tech-sme"}, {"cert_high_tech", "high-tech"}} {
		if v := cell(c.key); v != "" {
			t, ok := sheet.ParseDate(v)
			if !ok || t.After(now) {
				problem(num, c.key, fmt.Sprintf("“%s”不是有效日期（YYYY-MM-DD，且不晚于今天）", v))
				continue
			}
			row.certs = append(row.certs, Certificate{Type: c.typ, Issued: Date{t}})
		}
	}
	yearText := cell("year")
	if yearText == "" {
		for _, k := range append(append([]string{}, amountKeys...), countKeys...) {
			if cell(k) != "" {
				problem(num, "year", "填写了年度指标，必须填写年度")
				break
			}
		}
		return row
	}
	year, err := strconv.Atoi(yearText)
	if err != nil || year < 1980 || year > now.Year() {
		problem(num, "year", fmt.Sprintf("“%s”不是有效年度（1980–%d）", yearText, now.Year()))
		return row
	}
	y := &YearRecord{Year: year}
	num64 := func(key string, scale float64, allowNegative bool) *float64 {
		v := cell(key)
		if v == "" {
			return nil
		}
		f, ok := sheet.ParseNumber(v)
		if !ok {
			problem(num, key, fmt.Sprintf("“%s”不是数字", v))
			return nil
		}
		if f < 0 && !allowNegative {
			problem(num, key, "不能为负数")
			return nil
		}
		f *= scale
		return &f
	}
	scale := func(key string) float64 {
		if yuan[key] {
			return 1
		}
		return 10000
	}
	f := &y.Figures
	f.Revenue = num64("revenue", scale("revenue"), false)
	f.MainRevenue = num64("main_revenue", scale("main_revenue"), false)
	f.HightechRevenue = num64("hightech_revenue", scale("hightech_revenue"), false)
	f.CostTotal = num64("cost_total", scale("cost_total"), false)
	f.RDExpense = num64("rd_expense", scale("rd_expense"), false)
	f.RDExpenseDomestic = num64("rd_expense_domestic", scale("rd_expense_domestic"), false)
	f.TotalAssets = num64("total_assets", scale("total_assets"), false)
	f.NetAssets = num64("net_assets", scale("net_assets"), true)
	f.Liabilities = num64("liabilities", scale("liabilities"), false)
	f.NetProfit = num64("net_profit", scale("net_profit"), true)
	f.Employees = num64("employees", 1, false)
	f.TechStaff = num64("tech_staff", 1, false)
	f.RDStaff = num64("rd_staff", 1, false)
	whole := func(key string) *int {
		v := num64(key, 1, false)
		if v == nil {
			return nil
		}
		n := int(*v)
		if float64(n) != *v {
			problem(num, key, "应为整数")
			return nil
		}
		return &n
	}
	y.IP.Class1, y.IP.Class2 = whole("ip_class1"), whole("ip_class2")
	y.Insured = whole("insured")
	if f.RDExpense != nil && f.Revenue != nil && *f.RDExpense > *f.Revenue && *f.Revenue > 0 {
		problem(num, "rd_expense", "研发费用大于营业收入，请检查单位（万元/元）")
	}
	if f.TechStaff != nil && f.Employees != nil && *f.TechStaff > *f.Employees {
		problem(num, "tech_staff", "科技人员数大于职工总数")
	}
	row.year = y
	return row
}

func (s *Service) applyImportRow(ctx context.Context, tx *sqldb.Tx, a account.Actor, row importRow, existing map[string]indexedEnterprise,
	res *ImportResult, now time.Time) error {
	known, isKnown := existing[row.code]
	var id int64
	regionCode := known.region
	fresh := known.fresh
	if !isKnown {
		e := row.profile
		e.RegionCode = row.county
		e.Certificates = row.certs
		if e.Tags == nil {
			e.Tags = []string{}
		}
		if !canManage(a, e.RegionCode) || region.LevelOf(e.RegionCode) != region.County {
			return apperr.New(apperr.Invalid, "cultivation.region_outside_scope")
		}
		newID, err := insertEnterprise(ctx, tx, e, now)
		if err != nil {
			return err
		}
		id, regionCode = newID, e.RegionCode
		existing[row.code] = indexedEnterprise{id: id, region: e.RegionCode, fresh: true}
		fresh = true
		res.Created++
		if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "enterprise.create", ObjectType: "enterprise",
			ObjectName: e.Name, ObjectID: idText(id), RegionCode: e.RegionCode, After: e.auditView()}); err != nil {
			return err
		}
	} else {
		id = known.id
		if len(row.fields) > 0 || len(row.certs) > 0 {
			old, err := getEnterprise(ctx, tx, id)
			if err != nil {
				return err
			}
			e := old
			mergeProfile(&e, row)
			if e.RegionCode != old.RegionCode && !canManage(a, e.RegionCode) {
				return apperr.New(apperr.Invalid, "cultivation.region_outside_scope")
			}
			if changed(old, e) {
				if err := updateEnterprise(ctx, tx, e, now); err != nil {
					return err
				}
				res.Updated++
				if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "enterprise.update", ObjectType: "enterprise",
					ObjectName: e.Name, ObjectID: idText(id), RegionCode: e.RegionCode, Before: old.auditView(), After: e.auditView()}); err != nil {
					return err
				}
			}
		}
	}
	if row.year == nil {
		return nil
	}
	// A year seen twice in the file was refused while reading, so an
	// enterprise created by this import has no such year yet.
	old, err := upsertYear(ctx, tx, id, *row.year, now, fresh)
	if err != nil {
		return err
	}
	res.Years++
	action := "enterprise_year.create"
	var before any
	if old != nil {
		action, before = "enterprise_year.update", old
	}
	return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: action, ObjectType: "enterprise",
		ObjectID: idText(id) + "/" + strconv.Itoa(row.year.Year), RegionCode: regionCode, Before: before, After: row.year})
}

// mergeProfile copies the columns the row filled onto e, and adds its
// certificates unless e already holds one of that type and date.
func mergeProfile(e *Enterprise, row importRow) {
	p := row.profile
	if row.fields["name"] {
		e.Name = p.Name
	}
	if row.fields["county"] {
		e.RegionCode = row.county
	}
	if row.fields["industry"] {
		e.Industry = p.Industry
	}
	if row.fields["domain"] {
		e.Domain = p.Domain
	}
	if row.fields["founded"] {
		e.Founded = p.Founded
	}
	if row.fields["listed"] {
		e.Listed = p.Listed
	}
	if row.fields["tags"] {
		e.Tags = p.Tags
	}
	for _, c := range row.certs {
		dup := false
		for _, have := range e.Certificates {
			if have.Type == c.Type && have.Issued.Equal(c.Issued.Time) {
				dup = true
			}
		}
		if !dup {
			e.Certificates = append(e.Certificates, c)
		}
	}
}

func changed(a, b Enterprise) bool {
	x, _ := jsonMarshal(a.auditView())
	y, _ := jsonMarshal(b.auditView())
	return x != y
}
