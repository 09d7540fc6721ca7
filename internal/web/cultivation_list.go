package web

import (
	"net/http"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/region"
)

type cultivationListData struct {
	Enterprises []cultivation.Enterprise
	Filter      cultivation.EnterpriseFilter
	Near        bool
	Pager       pager
	Counties    []region.Region
	Tiers       []string
	Domains     []string
	CanCreate   bool
}

// handleCultivationList shows the enterprise registry with filters and paging.
func (s *Server) handleCultivationList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f := enterpriseFilter(r)
	list, total, err := s.Cultivation.FindEnterprises(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	domains, err := s.Cultivation.Domains(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	data := cultivationListData{Domains: domains, Enterprises: list, Filter: f, Near: f.NearRuleSet != "", Pager: newPager(r, f.Page, f.PerPage, total),
		Counties: s.countyChoices(r), Tiers: cultivation.Tiers,
		CanCreate: st.actor.Role == account.RoleStaff || st.actor.Role == account.RoleCounty}
	s.render(w, r, http.StatusOK, "cultivation/list", s.newPage(r, "cultivation.title", "cultivation", data))
}
