package market

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

// BrokerPerformance computes the directory's broker performance from the
// deals each broker in ids handles (directory.BrokerPerformance): deals
// handled (any state), signed (signed or registered, as Completed),
// registered, the technology amount (技术交易额) of the registered contracts
// the registered deals name, in 万元, and the median days from the interest
// (the deal's creation) to its signing, over the signed deals. Brokers
// without deals are absent. It reads figures only, no deal, so it needs no
// actor: the directory decides who sees a profile.
func (s *Service) BrokerPerformance(ctx context.Context, ids []int64) (map[int64]directory.Performance, error) {
	out := map[int64]directory.Performance{}
	if len(ids) == 0 {
		return out, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT d.broker_id, d.state, d.created_at, d.signed_at, COALESCE(c.tech_amount, 0)
		FROM deals d LEFT JOIN contracts c ON c.id = d.contract_id WHERE d.broker_id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("broker performance: %w", err)
	}
	defer rows.Close()
	days := map[int64][]float64{}
	for rows.Next() {
		var id int64
		var state DealState
		var created, signed sqldb.Time
		var tech float64
		if err := rows.Scan(&id, &state, &created, &signed, &tech); err != nil {
			return nil, fmt.Errorf("broker performance: %w", err)
		}
		p := out[id]
		p.Handled++
		if state.Completed() {
			p.Signed++
			if !signed.IsZero() {
				days[id] = append(days[id], signed.Sub(created.Time).Hours()/24)
			}
		}
		if state == DealRegistered {
			p.Registered++
			p.TechAmount += tech
		}
		out[id] = p
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id, p := range out {
		// The databases may add floats in different orders; amounts are
		// entered to the cent of a 万元.
		p.TechAmount = round2(p.TechAmount)
		if m, ok := median(days[id]); ok {
			m = math.Round(m*10) / 10
			p.MedianDays = &m
		}
		out[id] = p
	}
	return out, nil
}

// median is the middle value of vs (the mean of the two middle ones for
// an even count); false when vs is empty.
func median(vs []float64) (float64, bool) {
	if len(vs) == 0 {
		return 0, false
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2], true
	}
	return (vs[n/2-1] + vs[n/2]) / 2, true
}
