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
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// amountKeys are the money columns of the import: 万元 by default, 元 when
// the header says （元） or the user chose 元 for the whole file.
var amountKeys = []string{"revenue", "main_revenue", "hightech_revenue", "cost_total", "rd_expense", "rd_expense_domestic",
	"total_assets", "net_assets", "liabilities", "net_profit"}

// countKeys are the headcount and IP columns.
var countKeys = []string{"employees", "tech_staff", "rd_staff", "ip_class1", "ip_class2"}

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
	{Key: "ip_class1", Header: "Ⅰ类知识产权数", Note: "发明专利、植物新品种、集成电路布图设计等", Example: "2"},
	{Key: "ip_class2", Header: "Ⅱ类知识产权数", Note: "实用新型、外观设计、软件著作权", Example: "5"},
}

// AuthorizeImport returns apperr.Forbidden unless the actor may import
// enterprises (bureau and county staff); pages check it before queueing a
// job so that the refusal comes at once.
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
	ImportAllOrNothing = "all"   // any bad row: nothing is written
	ImportValidRows    = "valid" // bad rows are reported and skipped
)

// ImportOptions choose how a file is imported.
type ImportOptions struct {
	Mode string // ImportAllOrNothing (default) or ImportValidRows
	// YuanAmounts reads amount columns whose header names no unit as 元
	// instead of 万元.
	YuanAmounts bool
}

// ImportResult reports an import. Applied is false when nothing was
// written (all-or-nothing with bad rows, or an empty file).
type ImportResult struct {
	Rows        int             `json:"rows"`
	Valid       int             `json:"valid"`
	Created     int             `json:"created"`
	Updated     int             `json:"updated"`
	Years       int             `json:"years"`
	Applied     bool            `json:"applied"`
	Mode        string          `json:"mode"`
	Problems    []sheet.Problem `json:"problems"`
	ProblemRows int             `json:"problem_rows"`
}

// maxReportedProblems bounds the problems kept in a result; the count of
// bad rows is always exact.
const maxReportedProblems = 5000

type importRow struct {
	num     int
	code    string
	profile Enterprise
	county  string
	year    *YearRecord
	certs   []Certificate
	fields  map[string]bool // which profile columns the row filled
}

// ImportEnterprises reads an .xlsx or .csv of enterprises and yearly
// indicators and writes them in one transaction: an existing enterprise (by
// credit code) is updated with the columns the row fills, a new one is
// created, a year is inserted or replaced. Re-importing a file changes
// nothing the second time. progress, when not nil, is called with rows done
// out of rows total (reading counts as the first half).
func (s *Service) ImportEnterprises(ctx context.Context, a account.Actor, r io.ReaderAt, size int64, filename string,
	opt ImportOptions, progress func(done, total int)) (ImportResult, error) {
	return s.importEnterprises(ctx, a, r, size, filename, opt, progress, s.db.InTx, nil)
}

// txRunner runs fn in one transaction: sqldb.DB.InTx, or job.Run.InTx,
// which also marks the job done in that transaction.
type txRunner func(ctx context.Context, fn func(tx *sqldb.Tx) error) error

// importEnterprises is ImportEnterprises with the transaction supplied and a
// hook that sees the final result inside it, before it commits.
func (s *Service) importEnterprises(ctx context.Context, a account.Actor, r io.ReaderAt, size int64, filename string,
	opt ImportOptions, progress func(done, total int), inTx txRunner, beforeCommit func(ImportResult) error) (ImportResult, error) {
	if err := AuthorizeImport(a); err != nil {
		return ImportResult{}, err
	}
	if opt.Mode != ImportValidRows {
		opt.Mode = ImportAllOrNothing
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	rd, err := sheet.Open(r, size, filename, sheet.Limits{})
	if err != nil {
		return ImportResult{}, err
	}
	defer rd.Close()
	header := rd.Header()
	cols, headerErrs := sheet.MapHeader(header, ImportColumns)
	res := ImportResult{Mode: opt.Mode, Problems: []sheet.Problem{}}
	if len(headerErrs) > 0 {
		for _, fe := range headerErrs {
			res.Problems = append(res.Problems, sheet.Problem{Row: rd.HeaderRow(), Column: fe.Field, Reason: headerReason(fe)})
		}
		res.ProblemRows = 1
		return res, nil
	}
	yuan := map[string]bool{}
	for _, k := range amountKeys {
		if i, ok := cols[k]; ok {
			h := strings.ReplaceAll(strings.ReplaceAll(header[i], "(", "（"), ")", "）")
			yuan[k] = strings.Contains(h, "（元）") || (opt.YuanAmounts && !strings.Contains(h, "万元"))
		}
	}
	counties, err := s.countyLookup(ctx, a)
	if err != nil {
		return ImportResult{}, err
	}
	existing, err := s.enterpriseIndex(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	var rows []importRow
	seen := map[string]int{} // credit code + year → first row
	// defined holds the credit codes a good earlier row of the file creates,
	// so that later rows of the same new enterprise need not repeat its
	// name and county.
	defined := map[string]bool{}
	badRows := map[int]bool{}
	addProblem := func(row int, key, reason string) {
		badRows[row] = true
		if len(res.Problems) < maxReportedProblems {
			res.Problems = append(res.Problems, sheet.Problem{Row: row, Column: columnHeader(key), Reason: reason})
		}
	}
	now := s.now()
	for {
		cells, num, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ImportResult{}, err
		}
		if i, ok := cols["credit_code"]; ok && i < len(cells) && strings.TrimSpace(cells[i]) == ImportColumns[0].Example {
			continue // the template's example row, left in by the user
		}
		res.Rows++
		if res.Rows%1000 == 0 {
			progress(res.Rows/2, 0)
		}
		row := s.parseImportRow(cells, num, cols, yuan, counties, existing, defined, a, now, addProblem)
		if row.year != nil && row.code != "" {
			key := row.code + "/" + strconv.Itoa(row.year.Year)
			if first, dup := seen[key]; dup {
				addProblem(num, "year", fmt.Sprintf("与第 %d 行重复（同一企业同一年度）", first))
			} else {
				seen[key] = num
			}
		}
		if !badRows[num] {
			rows = append(rows, row)
			if row.profile.Name != "" && row.county != "" {
				defined[row.code] = true
			}
		}
	}
	res.ProblemRows = len(badRows)
	res.Valid = len(rows)
	total := res.Rows
	progress(total/2, total)
	if len(rows) == 0 || (opt.Mode == ImportAllOrNothing && res.ProblemRows > 0) {
		return res, nil
	}
	err = inTx(ctx, func(tx *sqldb.Tx) error {
		for i, row := range rows {
			if err := s.applyImportRow(ctx, tx, a, row, existing, &res, now); err != nil {
				return fmt.Errorf("第 %d 行：%w", row.num, err)
			}
			if i%500 == 0 {
				progress(total/2+i*total/2/len(rows), total)
			}
		}
		if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "enterprise.import", ObjectType: "import", ObjectID: filename,
			RegionCode: a.Region, After: map[string]any{"rows": res.Rows, "created": res.Created, "updated": res.Updated,
				"years": res.Years, "skipped_rows": res.ProblemRows, "mode": opt.Mode}}); err != nil {
			return err
		}
		res.Applied = true
		if beforeCommit != nil {
			return beforeCommit(res)
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	progress(total, total)
	return res, nil
}

func headerReason(fe apperr.FieldError) string {
	switch fe.Key {
	case "sheet.missing_column":
		return "缺少必需的列"
	case "sheet.unknown_column":
		return "无法识别的列，请使用模板中的表头"
	case "sheet.duplicate_column":
		return "该列出现了两次"
	}
	return fe.Key
}

func columnHeader(key string) string {
	for _, c := range ImportColumns {
		if c.Key == key {
			return c.Header
		}
	}
	return key
}

// countyLookup maps county names (with and without the 市/区/县 suffix) and
// codes to codes, for the counties the actor may import into.
func (s *Service) countyLookup(ctx context.Context, a account.Actor) (map[string]string, error) {
	counties, err := s.countiesInScope(ctx, a)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, c := range counties {
		out[c.Code] = c.Code
		out[c.Name] = c.Code
		if short := strings.TrimRight(c.Name, "市区县"); short != "" && short != c.Name {
			out[short] = c.Code
		}
	}
	return out, nil
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

func (s *Service) parseImportRow(cells []string, num int, cols map[string]int, yuan map[string]bool, counties map[string]string,
	existing map[string]indexedEnterprise, defined map[string]bool, a account.Actor, now time.Time,
	problem func(row int, key, reason string)) importRow {
	cell := func(key string) string {
		if i, ok := cols[key]; ok && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	row := importRow{num: num, fields: map[string]bool{}}
	row.code = strings.ToUpper(cell("credit_code"))
	if err := ValidateCreditCode(row.code); err != nil {
		problem(num, "credit_code", err.Error())
	}
	known, isKnown := existing[row.code]
	if isKnown && !a.InScope(known.region) {
		problem(num, "credit_code", "该企业已登记在您管辖范围之外的区县")
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
	if !isKnown && !defined[row.code] {
		if p.Name == "" {
			problem(num, "name", "新企业必须填写企业名称")
		}
		if row.county == "" && !row.fields["county"] {
			problem(num, "county", "新企业必须填写所属区县")
		}
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
		t, err := time.Parse(dateLayout, v)
		if err != nil || t.After(now) {
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
			t, err := time.Parse(dateLayout, v)
			if err != nil || t.After(now) {
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
