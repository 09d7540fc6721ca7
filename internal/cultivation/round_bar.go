package cultivation

import (
	"context"
	"encoding/json"
	"fmt"

	"kechuang/internal/apperr"
	"kechuang/internal/sqldb"
)

// applicationBar is the one place that decides whether a firm may apply to
// a round of ruleSet in year. It returns the catalog key of the reason and
// barred = true when it may not. Today it bars a firm that
//
//   - holds a certificate of the rule set still valid today, or
//
//   - has an application of the rule set and year in any round that is not
//     returned or rejected (one application per firm, rule set and year).
//
//   - is on the blacklist today, or had a certificate of the rule set
//     revoked with a bar that still runs for year (sanctionBar).
//
// Every way of applying asks this one function, and the county's
// recommendation asks it again (a firm listed after it applied). q is the
// caller's transaction, so the answer holds when the application is
// written. The error is Conflict with the reason, in the reader's language.
func (s *Service) applicationBar(ctx context.Context, q sqldb.Querier, enterpriseID int64, ruleSet string, year int) error {
	if bar, err := sanctionBar(ctx, q, enterpriseID, ruleSet, year, s.now()); err != nil || bar != nil {
		if err != nil {
			return err
		}
		return bar
	}
	var certs string
	if err := q.QueryRowContext(ctx, "SELECT certificates FROM enterprises WHERE id = ?", enterpriseID).Scan(&certs); err != nil {
		return fmt.Errorf("application bar: enterprise %d: %w", enterpriseID, err)
	}
	var list []Certificate
	if err := json.Unmarshal([]byte(certs), &list); err != nil {
		return fmt.Errorf("application bar: enterprise %d certificates: %w", enterpriseID, err)
	}
	for _, st := range CertificateStates(list, s.now()) {
		if st.Type == ruleSet && st.Valid {
			return apperr.New(apperr.Conflict, "round.bar_certified")
		}
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM round_applications a JOIN rounds r ON r.id = a.round_id
		WHERE a.enterprise_id = ? AND r.rule_set = ? AND r.year = ? AND a.state NOT IN (?, ?)`,
		enterpriseID, ruleSet, year, string(AppReturned), string(AppRejected)).Scan(&n); err != nil {
		return fmt.Errorf("application bar: applications: %w", err)
	}
	if n > 0 {
		return apperr.New(apperr.Conflict, "round.bar_applied")
	}
	return nil
}
