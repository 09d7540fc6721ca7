package cultivation

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// ExportAssessmentReport writes the assessment report of the enterprises in
// regionCode (the actor's whole region when empty) as .xlsx: one row per
// firm with its confirmed and proposed tier, per rule set the stored
// verdict and gaps, and the contact with phone and e-mail masked. Firms
// never assessed say so. Text cells are escaped against formula injection
// by the sheet writer.
func (s *Service) ExportAssessmentReport(ctx context.Context, a account.Actor, regionCode string, w io.Writer) error {
	return s.exportReport(ctx, a, regionCode, false, w)
}

// CanExportContacts reports whether the actor may export the assessment
// report with contacts unmasked: bureau and county staff, who manage the
// registry of their region (not the administrator, who runs the system
// rather than the programme).
func (s *Service) CanExportContacts(a account.Actor) bool { return isStaff(a) }

// ExportAssessmentReportWithContacts is ExportAssessmentReport with phone
// numbers and e-mail addresses whole. Only CanExportContacts actors may
// (Forbidden otherwise); every such export writes an audit row
// (enterprise.export_contacts, with the region and the number of firms)
// before any byte of the file.
func (s *Service) ExportAssessmentReportWithContacts(ctx context.Context, a account.Actor, regionCode string, w io.Writer) error {
	if !s.CanExportContacts(a) {
		return apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	return s.exportReport(ctx, a, regionCode, true, w)
}

func (s *Service) exportReport(ctx context.Context, a account.Actor, regionCode string, full bool, w io.Writer) error {
	if !s.CanExportReport(a) {
		return apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	scope := region.Prefix(a.Scope())
	if regionCode != "" {
		if !a.InScope(regionCode) {
			return apperr.New(apperr.NotFound, "region.not_found", regionCode)
		}
		scope = region.Prefix(regionCode)
	}
	if full {
		err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM enterprises WHERE region_code LIKE ?", scope+"%").Scan(&n); err != nil {
				return err
			}
			code := regionCode
			if code == "" {
				code = a.Scope()
			}
			return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "enterprise.export_contacts", ObjectType: "enterprise",
				ObjectName: "企业测评报告（完整联系方式）", RegionCode: code, After: map[string]any{"enterprises": n, "unmasked": []string{"contact_phone", "contact_email"}}})
		})
		if err != nil {
			return fmt.Errorf("audit contact export: %w", err)
		}
	}
	keys := pii.From(s.db)
	ruleIDs := s.rules.IDs()
	header := []string{"统一社会信用代码", "企业名称", "所属区县", "行业代码", "当前梯队", "测评建议梯队（待确认）", "下一梯队"}
	for _, id := range ruleIDs {
		name := id
		if list := s.rules.byID[id]; len(list) > 0 {
			name = list[len(list)-1].Name
		}
		header = append(header, name+" 结论", name+" 差距")
	}
	contactCol := len(header)
	header = append(header, "联系人", "联系电话", "联系邮箱")
	verdictText := map[Verdict]string{VerdictYes: "符合", VerdictPossible: "可能符合", VerdictNo: "不符合", VerdictUnknown: "数据不足"}
	names := map[string]string{}
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.credit_code, e.name, e.region_code, e.industry, e.tier, e.proposed_tier,
		e.proposed_next, e.certificates, e.listed, e.contact_name, e.contact_phone, e.contact_email,
		COALESCE(a.rule_set, ''), COALESCE(a.verdict, ''), COALESCE(a.result, '')
		FROM enterprises e LEFT JOIN assessments a ON a.enterprise_id = e.id
		WHERE e.region_code LIKE ? ORDER BY e.region_code, e.name, e.id, a.rule_set`, scope+"%")
	if err != nil {
		return err
	}
	defer rows.Close()
	var out [][]any
	var cur []any
	var curID int64 = -1
	col := map[string]int{}
	for i, id := range ruleIDs {
		col[id] = 7 + 2*i
	}
	for rows.Next() {
		var id int64
		var code, name, regionCode, industry, certs, ruleSet, verdict, result string
		var contact, phone, email string
		var e Enterprise
		if err := rows.Scan(&id, &code, &name, &regionCode, &industry, &e.Tier, &e.ProposedTier, &e.ProposedNext, &certs, &e.Listed,
			&contact, &phone, &email,
			&ruleSet, &verdict, &result); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(certs), &e.Certificates); err != nil {
			return fmt.Errorf("enterprise %d certificates: %w", id, err)
		}
		if id != curID {
			if cur != nil {
				out = append(out, cur)
			}
			curID = id
			county, ok := names[regionCode]
			if !ok {
				if r, err := region.NewService(s.db).Get(ctx, regionCode); err == nil {
					county = r.Name
				}
				names[regionCode] = county
			}
			cur = make([]any, len(header))
			today := s.now()
			copy(cur, []any{code, name, county, industry, cmp.Or(e.Standing(today).Tier, "未入库"), e.PendingProposal(today), e.ProposedNext})
			for i := 7; i < contactCol; i += 2 {
				cur[i] = "未测评"
			}
			if err := keys.OpenAll(enterprisePhone, &phone, enterpriseEmail, &email); err != nil {
				return fmt.Errorf("enterprise %d contact: %w", id, err)
			}
			if !full {
				phone, email = pii.MaskPhone(phone), pii.MaskEmail(email)
			}
			cur[contactCol], cur[contactCol+1], cur[contactCol+2] = contact, phone, email
		}
		if i, ok := col[ruleSet]; ok {
			cur[i] = verdictText[Verdict(verdict)]
			var r struct {
				Gaps []string `json:"gaps"`
			}
			if err := json.Unmarshal([]byte(result), &r); err == nil {
				cur[i+1] = strings.Join(r.Gaps, "；")
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if cur != nil {
		out = append(out, cur)
	}
	widths := []float64{22, 34, 12, 10, 16, 16, 18}
	for range ruleIDs {
		widths = append(widths, 12, 40)
	}
	widths = append(widths, 10, 16, 26)
	return sheet.WriteXLSX(w, sheet.Sheet{Name: "测评报告", Header: header, Rows: out, ColWidths: widths})
}
