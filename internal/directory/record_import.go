package directory

import (
	"context"
	"fmt"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/i18n"
	"kechuang/internal/importer"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
)

// The imports of institutions, experts, service organisations and funds
// share their options, their result and the way a cell becomes a field;
// each has its own columns, key and batch (institution_import.go,
// expert_import.go, serviceorg_import.go, fund_import.go), as the carrier
// import has (carrier_import.go). Every import is bureau or county staff's:
// a row whose region lies outside the importer's scope is a row error, and
// a row that names a record the directory already has (by the import's
// stated key) changes nothing, so importing one file twice creates nothing
// the second time.

// Job kinds of the directory's record imports.
const (
	InstitutionImportJobKind = "directory.import_institutions"
	ExpertImportJobKind      = "directory.import_experts"
	ServiceOrgImportJobKind  = "directory.import_service_orgs"
	FundImportJobKind        = "directory.import_funds"
)

// ImportOptions choose how a file of directory records is imported.
type ImportOptions struct {
	Mode string `json:"Mode"` // ImportAllOrNothing (default) or ImportValidRows
}

// ImportMode returns the mode (importer.Options).
func (o ImportOptions) ImportMode() string { return o.Mode }

// ImportResult reports an import of directory records: records created
// (in Result.Created) and rows skipped because the record already exists.
type ImportResult struct {
	importer.Result
	Existing int `json:"existing"`
}

// Counts returns the rows that named an existing record, for the import's
// audit row.
func (r ImportResult) Counts() map[string]int { return map[string]int{"existing": r.Existing} }

// recordImporter is the import kit as the record imports use it.
type recordImporter[R any] = importer.Importer[ImportOptions, R, ImportResult, *ImportResult]

// AuthorizeRecordImport returns an error unless the actor may import
// institutions, experts, service organisations or funds: those who create
// them, bureau and county staff.
func AuthorizeRecordImport(a account.Actor) error {
	if !IsManager(a) {
		return onlyManagers(a)
	}
	return nil
}

// CanImport reports whether the actor may import directory records, for
// the lists' import links.
func (s *Service) CanImport(a account.Actor) bool { return AuthorizeRecordImport(a) == nil }

func newRecordImporter[R any](s *Service, kind, action string, cols []sheet.Column,
	begin func(context.Context, account.Actor, ImportOptions, importer.Header, *ImportResult) (importer.Batch[R], error)) *recordImporter[R] {
	return importer.New(s.db, importer.Spec[ImportOptions, R, ImportResult, *ImportResult]{
		Kind: kind, Action: action, ExampleKey: "name", Columns: cols, Authorize: AuthorizeRecordImport, Begin: begin,
	})
}

// regionsInScope maps the names and codes of the regions the actor may
// place a record in to their codes: the counties of its scope and, with
// city, the home city itself for bureau staff.
func (s *Service) regionsInScope(ctx context.Context, a account.Actor, city bool) (map[string]string, error) {
	out, err := s.countiesInScope(ctx, a)
	if err != nil || !city || a.Role != account.RoleStaff {
		return out, err
	}
	home := a.Region
	if home == "" {
		if home, err = s.home(ctx); err != nil || home == "" {
			return out, err
		}
	}
	if region.LevelOf(home) != region.City {
		return out, nil
	}
	r, err := region.NewService(s.db).Get(ctx, home)
	if err != nil {
		return nil, err
	}
	for k, v := range region.CodeLookup([]region.Region{r}) {
		if _, taken := out[k]; !taken {
			out[k] = v
		}
	}
	return out, nil
}

// regionCell reads the region column key through regions (names and codes
// in the actor's scope); an empty cell is a problem when required.
func regionCell(r *importer.Row, key string, regions map[string]string, required bool) string {
	v := r.Cell(key)
	if v == "" {
		if required {
			r.Problem(key, i18n.T(i18n.Chinese, "error.required"))
		}
		return ""
	}
	code, ok := regions[v]
	if !ok {
		r.Problem(key, fmt.Sprintf("“%s”不是您管辖范围内的区县", v))
	}
	return code
}

// choiceCell reads a reference choice by its Chinese or English label or
// its code; anything else is returned as written for the form's check to
// name.
func choiceCell(r *importer.Row, key string, cs Choices) string {
	v := r.Cell(key)
	for _, c := range cs {
		if v != "" && (v == c.ZH || strings.EqualFold(v, c.EN) || v == c.Code) {
			return c.Code
		}
	}
	return v
}

// choicesCell reads a list of reference choices, as choiceCell reads one.
func choicesCell(r *importer.Row, key string, cs Choices) []string {
	var out []string
	for _, v := range splitCell(r.Cell(key)) {
		code := v
		for _, c := range cs {
			if v == c.ZH || strings.EqualFold(v, c.EN) || v == c.Code {
				code = c.Code
			}
		}
		out = append(out, code)
	}
	return out
}

// visibilityCell reads the visibility by its label (公开, 注册用户可见,
// 仅管理人员可见) or code; empty is public.
func visibilityCell(r *importer.Row, key string) Visibility {
	v := r.Cell(key)
	for _, x := range Visibilities {
		k := "directory.visibility." + string(x)
		if v == string(x) || v == i18n.T(i18n.Chinese, k) || strings.EqualFold(v, i18n.T(i18n.English, k)) {
			return x
		}
	}
	return Visibility(v)
}

// visibilityLabels are the visibility column's allowed values.
func visibilityLabels() []string {
	out := make([]string, len(Visibilities))
	for i, v := range Visibilities {
		out[i] = i18n.T(i18n.Chinese, "directory.visibility."+string(v))
	}
	return out
}

// splitCell splits a list cell at 、 , ， ; ； and line breaks.
func splitCell(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		switch r {
		case '、', ',', '，', ';', '；', '\n', '\r':
			return true
		}
		return false
	})
}

// numberCell reads a number; empty is 0, text that is not a number a
// problem.
func numberCell(r *importer.Row, key string) float64 {
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

// dateCell reads a day as YYYY-MM-DD (or a spreadsheet date); anything
// else is returned as written for the form's check to name.
func dateCell(r *importer.Row, key string) string {
	v := r.Cell(key)
	if v == "" {
		return ""
	}
	if t, ok := sheet.ParseDate(v); ok {
		return t.Format(dateLayout)
	}
	return v
}

// reportChecks turns the form's field errors into problems of the row, in
// the column of the same key.
func reportChecks(r *importer.Row, c *checker) {
	for _, fe := range c.fields {
		r.Problem(fe.Field, i18n.T(i18n.Chinese, fe.Key, fe.Args...))
	}
}

// Shared column notes.
const (
	noteList       = "多项以“、”分隔"
	noteVisibility = "留空为公开"
	noteSealed     = "加密保存，导出时脱敏"
	noteCounty     = "区县名称或 6 位代码，如 昆山市 或 320583；须在您的管辖范围内"
)

// contactColumns are the contact person's columns of every record but
// experts.
var contactColumns = []sheet.Column{
	{Key: "contact_name", Header: "联系人", Example: "张三"},
	{Key: "contact_phone", Header: "联系电话", Note: noteSealed, Example: "0512-12345678"},
	{Key: "contact_email", Header: "联系邮箱", Note: noteSealed, Example: "contact@example.com"},
}

func contactCells(r *importer.Row) Contact {
	return Contact{Name: r.Cell("contact_name"), Phone: r.Cell("contact_phone"), Email: r.Cell("contact_email")}
}

func labelsOf(cs Choices) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ZH
	}
	return out
}

func firstLabel(cs Choices) string {
	if len(cs) == 0 {
		return ""
	}
	return cs[0].ZH
}

// importKey is the key of a record an import matches rows against: a
// credit code or, without one, a name (and what else the import states).
type importKey struct{ a, b string }
