package demo

import (
	"context"
	"fmt"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/sqldb"
)

// LoadSanctions adds, when there is no spot check yet, one finished spot
// check of the 高企 with one firm failed and its certificate revoked, one
// spot check in progress, and two blacklist entries, all through the
// cultivation service (so audit rows and notices are the real ones). The
// demo enterprise account's own firm is never failed or listed. It returns
// how many spot checks and listings it added.
func LoadSanctions(ctx context.Context, db *sqldb.DB, accounts *account.Service, svc *cultivation.Service, now time.Time) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM spot_checks").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	u, err := accounts.GetUserByName(ctx, account.System, "staff")
	if err != nil {
		return 0, fmt.Errorf("demo staff account: %w", err)
	}
	staff := account.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: account.RoleStaff, Region: HomeRegion}
	added := 0

	seed := int64(20261101)
	done, err := svc.CreateSpotCheck(ctx, staff, cultivation.SpotCheckInput{Title: "2026年度高新技术企业抽查（演示）", RuleSet: "high-tech",
		ShareBP: 1000, Seed: &seed, FlagWeight: 2})
	if err != nil {
		return added, fmt.Errorf("demo spot check: %w", err)
	}
	added++
	// The failed firm fails on the R&D ratio where the rule set has one.
	failOn := done.Conditions[len(done.Conditions)-1].ID
	for _, p := range done.Conditions {
		if p.ID == "rd_ratio" {
			failOn = p.ID
		}
	}
	var failed cultivation.SpotCheckFirm
	for _, f := range done.Firms {
		e, err := svc.GetEnterprise(ctx, staff, f.EnterpriseID)
		if err != nil {
			return added, err
		}
		in := cultivation.FindingsInput{Complete: true}
		fail := failed.EnterpriseID == 0 && e.AccountID == 0
		for i, p := range done.Conditions {
			finding := cultivation.Finding{Condition: p.ID, Result: cultivation.FindingPass}
			switch {
			case fail && p.ID == failOn:
				finding.Result, finding.Note = cultivation.FindingFail, "研发费用辅助账与记账凭证不符，部分研发人员无社保记录"
			case i == 0 && f.OpenFlags > 0:
				finding.Result, finding.Note = cultivation.FindingNote, "合理性提示已现场核实，数据属实"
			}
			in.Findings = append(in.Findings, finding)
		}
		if fail {
			in.Reason = "抽查发现研发费用归集弄虚作假（演示）"
			failed = f
		}
		if _, err := svc.RecordFindings(ctx, staff, done.ID, f.EnterpriseID, in); err != nil {
			return added, fmt.Errorf("demo findings: %w", err)
		}
	}

	// In progress: the 科小 (else the 高企) of 昆山, so that the demo county
	// account has drawn firms to check.
	seed2 := int64(20261115)
	progress, err := func() (cultivation.SpotCheck, error) {
		for _, rs := range []string{"tech-sme", "high-tech"} {
			var ids []int64
			firms, _, err := svc.FindEnterprises(ctx, staff, cultivation.EnterpriseFilter{Region: "320583", Page: 1, PerPage: 200})
			if err != nil {
				return cultivation.SpotCheck{}, err
			}
			for _, e := range firms {
				for _, c := range e.Standing(now).Certificates {
					if c.Type == rs && c.Valid {
						ids = append(ids, e.ID)
						break
					}
				}
			}
			if len(ids) == 0 {
				continue
			}
			return svc.CreateSpotCheck(ctx, staff, cultivation.SpotCheckInput{Title: "2026年度昆山市" + map[string]string{"tech-sme": "科技型中小企业",
				"high-tech": "高新技术企业"}[rs] + "抽查（演示）", RuleSet: rs, ShareBP: 2000, Seed: &seed2, FlagWeight: 1, EnterpriseIDs: ids})
		}
		return cultivation.SpotCheck{}, apperr.New(apperr.Invalid, "sanction.population_empty")
	}()
	if err != nil {
		return added, fmt.Errorf("demo spot check in progress: %w", err)
	}
	added++
	if len(progress.Firms) > 1 && len(progress.Conditions) > 0 {
		first := progress.Firms[0]
		if _, err := svc.RecordFindings(ctx, staff, progress.ID, first.EnterpriseID, cultivation.FindingsInput{Findings: []cultivation.Finding{
			{Condition: progress.Conditions[0].ID, Result: cultivation.FindingPass}}}); err != nil {
			return added, fmt.Errorf("demo findings in progress: %w", err)
		}
	}

	listings := []cultivation.BlacklistInput{
		{Kind: cultivation.BlacklistFraud, Reason: "高新技术企业抽查中研发费用归集弄虚作假（演示）", Document: "苏科高〔2026〕88号（演示）",
			EndsOn: cultivation.Date{Time: now.AddDate(3, 0, 0)}},
		{Kind: cultivation.BlacklistDishonest, Reason: "列入严重失信主体名单（演示）", Document: "苏州市社会信用体系建设领导小组办公室认定（演示）",
			EndsOn: cultivation.Date{Time: now.AddDate(1, 0, 0)}},
	}
	if failed.EnterpriseID != 0 {
		listings[0].EnterpriseID = failed.EnterpriseID
	}
	// The second listing (and the first, when no firm failed): firms of
	// another county than the failed one, without an account.
	firms, _, err := svc.FindEnterprises(ctx, staff, cultivation.EnterpriseFilter{Page: 1, PerPage: 200})
	if err != nil {
		return added, err
	}
	for i := range listings {
		for _, e := range firms {
			if listings[i].EnterpriseID != 0 {
				break
			}
			if e.AccountID == 0 && e.RegionCode != failed.RegionCode && e.ID != listings[0].EnterpriseID {
				listings[i].EnterpriseID = e.ID
			}
		}
		if listings[i].EnterpriseID == 0 {
			continue
		}
		if _, err := svc.AddToBlacklist(ctx, staff, listings[i]); err != nil {
			return added, fmt.Errorf("demo blacklist: %w", err)
		}
		added++
	}
	return added, nil
}
