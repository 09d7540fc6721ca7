package directory

import (
	"context"
	"fmt"
	"io"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// Exports write a list of directory records, with the list's filters and
// in the actor's view (what Find returns to it), as .xlsx whose headers
// are the import's, so that an export can be imported elsewhere. Phones
// and e-mail addresses are masked; CanExportContacts actors may ask for
// them whole, and each such export is audited (directory.export_contacts)
// before any byte of the file is written, as the enterprise export is.

// maxExportRows bounds one export: a list longer than this is cut, and the
// file says so in its last row.
const maxExportRows = 50000

// CanExport reports whether the actor may export directory lists: every
// logged-in account (visitors read the pages, but do not take the lists
// whole).
func (s *Service) CanExport(a account.Actor) bool { return a.LoggedIn() }

// CanExportContacts reports whether the actor may export directory lists
// with phones and e-mail addresses whole: bureau and county staff.
func (s *Service) CanExportContacts(a account.Actor) bool { return IsManager(a) }

// ExportOptions choose how a list is exported.
type ExportOptions struct {
	// FullContacts writes phones and e-mail addresses whole (audited); only
	// CanExportContacts actors may.
	FullContacts bool
}

// exportList gathers every page of a Find into rows, at most
// maxExportRows, and writes the sheet after the audit row of a
// full-contacts export.
func exportList[T any](ctx context.Context, s *Service, a account.Actor, opt ExportOptions, what, sheetName string,
	header []string, find func(Paging) ([]T, int, error), row func(T, func(string) string, func(string) string) []any,
	w io.Writer) error {
	if !s.CanExport(a) {
		return onlyMembers(a)
	}
	if opt.FullContacts && !s.CanExportContacts(a) {
		return apperr.New(apperr.Forbidden, "directory.only_staff")
	}
	phone, email := pii.MaskPhone, pii.MaskEmail
	if opt.FullContacts {
		phone = func(s string) string { return s }
		email = phone
	}
	var rows [][]any
	total := 0
	for page := 1; len(rows) < maxExportRows; page++ {
		list, n, err := find(Paging{Page: page, PerPage: 200})
		if err != nil {
			return err
		}
		total = n
		for _, x := range list {
			rows = append(rows, row(x, phone, email))
		}
		if len(list) == 0 || len(rows) >= n {
			break
		}
	}
	if len(rows) > maxExportRows {
		rows = rows[:maxExportRows]
	}
	if total > len(rows) {
		rows = append(rows, []any{fmt.Sprintf("（仅导出前 %d 条，共 %d 条）", len(rows), total)})
	}
	if opt.FullContacts {
		err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "directory.export_contacts", ObjectType: what,
				ObjectName: sheetName + "（完整联系方式）", RegionCode: a.Scope(),
				After: map[string]any{"records": len(rows), "unmasked": []string{"phone", "email"}}})
		})
		if err != nil {
			return fmt.Errorf("audit contact export: %w", err)
		}
	}
	return sheet.WriteXLSX(w, sheet.Sheet{Name: sheetName, Header: header, Rows: rows})
}

// onlyMembers refuses a visitor.
func onlyMembers(a account.Actor) error {
	if !a.LoggedIn() {
		return apperr.New(apperr.Unauthenticated, "session.required")
	}
	return apperr.New(apperr.Forbidden, "directory.only_staff")
}

// regionNamer returns the names of regions, looked up once each.
func (s *Service) regionNamer(ctx context.Context) func(string) string {
	names := map[string]string{}
	rs := region.NewService(s.db)
	return func(code string) string {
		if code == "" {
			return ""
		}
		n, ok := names[code]
		if !ok {
			n = code
			if r, err := rs.Get(ctx, code); err == nil {
				n = r.Name
			}
			names[code] = n
		}
		return n
	}
}

func joinList(vs []string) string { return strings.Join(vs, "、") }

func labels(cs Choices, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = cs.Label(i18n.Chinese, c)
	}
	return joinList(out)
}

func visibilityLabel(v Visibility) string {
	for _, l := range []struct {
		v Visibility
		s string
	}{{VisiblePublic, "公开"}, {VisibleMembers, "注册用户可见"}, {VisibleStaff, "仅管理人员可见"}} {
		if l.v == v {
			return l.s
		}
	}
	return string(v)
}

// ExportInstitutions writes the institutions Find would list for f (all
// pages) as .xlsx.
func (s *Service) ExportInstitutions(ctx context.Context, a account.Actor, f InstitutionFilter, opt ExportOptions, w io.Writer) error {
	name := s.regionNamer(ctx)
	header := []string{"机构名称", "统一社会信用代码", "机构类型", "级别", "所属区县", "学科", "高新技术领域", "简介", "网址", "技术转移机构",
		"可见范围", "联系人", "联系电话", "联系邮箱"}
	return exportList(ctx, s, a, opt, "institution", "创新机构", header, func(p Paging) ([]Institution, int, error) {
		f.Paging = p
		return s.FindInstitutions(ctx, a, f)
	}, func(i Institution, phone, email func(string) string) []any {
		return []any{i.Name, i.CreditCode, s.ref.InstitutionTypes.Label(i18n.Chinese, i.Type), s.ref.InstitutionLevels.Label(i18n.Chinese, i.Level),
			name(i.RegionCode), joinList(i.Disciplines), joinList(i.Domains), i.Summary, i.Website, i.TTO, visibilityLabel(i.Visibility),
			i.Contact.Name, phone(i.Contact.Phone), email(i.Contact.Email)}
	}, w)
}

// ExportExperts writes the experts Find would list for f (all pages) as
// .xlsx, each in the actor's view: a visitor's view holds only what the
// expert consented to show, and phones and e-mail addresses only reach
// staff in scope (masked unless FullContacts).
func (s *Service) ExportExperts(ctx context.Context, a account.Actor, f ExpertFilter, opt ExportOptions, w io.Writer) error {
	name := s.regionNamer(ctx)
	header := []string{"姓名", "所属机构", "职称", "所属区县", "学科", "研究方向", "关键词", "代表性成果", "专利", "专家角色",
		"可见范围", "公开同意", "手机号", "电子邮箱"}
	return exportList(ctx, s, a, opt, "expert", "专家", header, func(p Paging) ([]Expert, int, error) {
		f.Paging = p
		return s.FindExperts(ctx, a, f)
	}, func(e Expert, phone, email func(string) string) []any {
		consent := ""
		if e.Consent != nil {
			consent = "未同意公开"
			if len(e.Consent.Fields) > 0 {
				consent = labels(s.ref.PublicFields, e.Consent.Fields) + "（告知书 " + e.Consent.NoticeVersion + "）"
			}
		}
		return []any{e.Name, e.Affiliation, e.Title, name(e.RegionCode), joinList(e.Disciplines), e.Research, joinList(e.Keywords),
			joinList(e.Achievements), joinList(e.Patents), labels(s.ref.ExpertRoles, e.Roles), visibilityLabel(e.Visibility), consent,
			phone(e.Phone), email(e.Email)}
	}, w)
}

// ExportServiceOrgs writes the service organisations Find would list for f
// (all pages) as .xlsx.
func (s *Service) ExportServiceOrgs(ctx context.Context, a account.Actor, f ServiceOrgFilter, opt ExportOptions, w io.Writer) error {
	name := s.regionNamer(ctx)
	header := []string{"机构名称", "统一社会信用代码", "机构类型", "所属区县", "服务内容", "服务领域", "资质", "简介", "可见范围",
		"联系人", "联系电话", "联系邮箱"}
	return exportList(ctx, s, a, opt, "service_org", "科技服务机构", header, func(p Paging) ([]ServiceOrg, int, error) {
		f.Paging = p
		return s.FindServiceOrgs(ctx, a, f)
	}, func(o ServiceOrg, phone, email func(string) string) []any {
		return []any{o.Name, o.CreditCode, s.ref.ServiceOrgTypes.Label(i18n.Chinese, o.Type), name(o.RegionCode), joinList(o.Services),
			joinList(o.Fields), joinList(o.Qualifications), o.Summary, visibilityLabel(o.Visibility),
			o.Contact.Name, phone(o.Contact.Phone), email(o.Contact.Email)}
	}, w)
}

// ExportCarriers writes the carriers Find would list for f (all pages) as
// .xlsx.
func (s *Service) ExportCarriers(ctx context.Context, a account.Actor, f CarrierFilter, opt ExportOptions, w io.Writer) error {
	name := s.regionNamer(ctx)
	kinds := make(Choices, len(s.ref.CarrierKinds))
	for i, k := range s.ref.CarrierKinds {
		kinds[i] = k.Choice
	}
	header := []string{"载体名称", "所属区县", "载体类型", "认定级别", "运营主体", "运营主体统一社会信用代码", "面积（平方米）", "工位数",
		"房间数", "启用日期", "简介", "联系人", "联系电话", "联系邮箱"}
	return exportList(ctx, s, a, opt, "carrier", "孵化载体", header, func(p Paging) ([]Carrier, int, error) {
		f.Paging = p
		return s.FindCarriers(ctx, a, f)
	}, func(c Carrier, phone, email func(string) string) []any {
		return []any{c.Name, name(c.RegionCode), kinds.Label(i18n.Chinese, c.Kind), s.ref.CarrierLevels.Label(i18n.Chinese, c.Level),
			c.Operator, c.OperatorCode, c.Capacity.Area, c.Capacity.Stations, c.Capacity.Rooms, c.Opened, c.Summary,
			c.Contact.Name, phone(c.Contact.Phone), email(c.Contact.Email)}
	}, w)
}

// ExportFunds writes the funds Find would list for f (all pages) as .xlsx.
func (s *Service) ExportFunds(ctx context.Context, a account.Actor, f FundFilter, opt ExportOptions, w io.Writer) error {
	name := s.regionNamer(ctx)
	header := []string{"基金名称", "基金类型", "管理人", "管理人统一社会信用代码", "所属地区", "认缴规模（万元）", "实缴规模（万元）",
		"投资阶段", "投资领域", "成立日期", "简介", "可见范围", "联系人", "联系电话", "联系邮箱"}
	return exportList(ctx, s, a, opt, "fund", "基金", header, func(p Paging) ([]Fund, int, error) {
		f.Paging = p
		return s.FindFunds(ctx, a, f)
	}, func(x Fund, phone, email func(string) string) []any {
		return []any{x.Name, s.ref.FundTypes.Label(i18n.Chinese, x.Type), x.Manager, x.ManagerCode, name(x.RegionCode), x.Subscribed, x.Paid,
			labels(s.ref.Stages, x.Stages), joinList(x.Domains), x.Established, x.Summary, visibilityLabel(x.Visibility),
			x.Contact.Name, phone(x.Contact.Phone), email(x.Contact.Email)}
	}, w)
}
