package web

import (
	"net/http"

	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
)

type poolData struct {
	Board cultivation.PoolBoard
	Chart string
	Tiers []string
}

// handleCultivationPool shows the pool board: how many firms sit on each
// tier, and the firms whose assessment proposes a tier not yet confirmed.
func (s *Server) handleCultivationPool(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	regionCode, err := regionParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	board, err := s.Cultivation.PoolBoard(r.Context(), st.actor, regionCode)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var names []string
	var counts []int
	for _, c := range board.Counts {
		name := c.Tier
		if name == "" {
			name = i18n.T(st.lang, "cultivation.tier_none")
		}
		names, counts = append(names, name), append(counts, c.Count)
	}
	data := poolData{Board: board, Chart: barChart(names, counts, 130, map[string]any{"minInterval": 1}), Tiers: cultivation.Tiers}
	s.render(w, r, http.StatusOK, "cultivation/pool", s.newPage(r, "cultivation.pool", "cultivation", data))
}
