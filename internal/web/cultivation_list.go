package web

import (
	"bytes"
	"net/http"

	"kechuang/internal/cultivation"
	"kechuang/internal/region"
)

// registryRow is one enterprise of the registry list with its standing
// and the proposal still open above it.
type registryRow struct {
	cultivation.Enterprise
	Standing cultivation.Standing
	Pending  string
}

type cultivationListData struct {
	Enterprises []registryRow
	Filter      cultivation.EnterpriseFilter
	Near        bool
	Pager       pager
	Counties    []region.Region
	Tiers       []string
	Domains     []string
	// What the toolbar offers: each is the viewer's permission to use it.
	CanCreate, CanImport, CanViewPool, CanViewTargets, CanViewRounds, CanExport, CanExportContacts bool
	CanViewSpotChecks                                                                              bool
}

// handleCultivationList shows the enterprise registry with filters and paging.
func (s *Server) handleCultivationList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.enterpriseFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
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
	rows := make([]registryRow, len(list))
	for i, e := range list {
		rows[i] = registryRow{Enterprise: e, Standing: e.Standing(s.Now()), Pending: e.PendingProposal(s.Now())}
	}
	data := cultivationListData{Domains: domains, Enterprises: rows, Filter: f, Near: f.NearRuleSet != "", Pager: newPager(r, f.Page, f.PerPage, total),
		Counties: s.countyChoices(r), Tiers: cultivation.Tiers,
		CanCreate: s.Cultivation.CanManageEnterprises(st.actor), CanImport: s.Cultivation.CanImport(st.actor),
		CanViewPool: s.Cultivation.CanViewPool(st.actor), CanViewTargets: s.Cultivation.CanViewTargets(st.actor),
		CanViewRounds: s.Cultivation.CanViewRounds(st.actor), CanViewSpotChecks: s.Cultivation.CanViewSpotChecks(st.actor),
		CanExport: s.Cultivation.CanExportReport(st.actor), CanExportContacts: s.Cultivation.CanExportContacts(st.actor)}
	s.render(w, r, http.StatusOK, "cultivation/list", s.newPage(r, "cultivation.title", "cultivation", data))
}

// handleCultivationExport sends the assessment report of ?region= (default:
// the user's whole region) as .xlsx, contacts masked; ?contacts=full
// unmasks them for those entitled, and the service audits it.
func (s *Server) handleCultivationExport(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	full := q.Enum("contacts", "masked", "full") == "full"
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	export := s.Cultivation.ExportAssessmentReport
	if full {
		export = s.Cultivation.ExportAssessmentReportWithContacts
	}
	var buf bytes.Buffer
	err := export(r.Context(), state(r).actor, r.URL.Query().Get("region"), &buf)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "企业测评报告.xlsx", buf.Bytes())
}
