package web

import (
	"bytes"
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
	s.render(w, r, http.StatusOK, "cultivation_list", s.newPage(r, "cultivation.title", "cultivation", data))
}

// countyChoices lists the counties the actor works in: its own county, or
// the counties of its city (of the home region for instance-wide roles).
func (s *Server) countyChoices(r *http.Request) []region.Region {
	a := state(r).actor
	if a.Role == account.RoleCounty {
		if c, err := s.Regions.Get(r.Context(), a.Region); err == nil {
			return []region.Region{c}
		}
		return nil
	}
	home := a.Region
	if home == "" {
		home = s.HomeRegion
	}
	if home == "" {
		return nil
	}
	kids, err := s.Regions.Children(r.Context(), home)
	if err != nil {
		return nil
	}
	return kids
}

// handleCultivationExport sends the assessment report of ?region= (default:
// the user's whole region) as .xlsx.
func (s *Server) handleCultivationExport(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	err := s.Cultivation.ExportAssessmentReport(r.Context(), state(r).actor, r.URL.Query().Get("region"), &buf)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "企业测评报告.xlsx", buf.Bytes())
}
