package web

import (
	"bytes"
	"net/http"

	"kechuang/internal/project"
	"kechuang/internal/workday"
)

type ledgerData struct {
	Ledger   project.Ledger
	Status   project.ReportStatus
	Filter   ledgerQuery
	Counties []countyOption
	Types    []project.Type
	Units    []project.Unit
	Export   string
}

// ledgerQuery is the ledger page's parameters as given.
type ledgerQuery struct {
	Month, Region, Type string
	Unit                int64
	Print               bool
	Query               string
}

// ledgerParams reads ?month= (default: the month whose report is due or
// this month), ?region=, ?unit=, ?type= and ?print=.
func (s *Server) ledgerParams(r *http.Request) (ledgerQuery, project.LedgerFilter, error) {
	q := newQuery(r)
	var types []string
	for _, ty := range s.Projects.Types().All() {
		types = append(types, ty.ID)
	}
	lq := ledgerQuery{Month: q.Text("month"), Region: q.RegionCode("region"), Type: q.Enum("type", types...), Unit: q.ID("unit"),
		Print: q.Bool("print")}
	if lq.Month == "" {
		lq.Month = workday.DateOf(s.Now()).String()[:7]
	}
	lq.Query = r.URL.Query().Encode()
	return lq, project.LedgerFilter{Region: lq.Region, UnitID: lq.Unit, Type: lq.Type}, q.Err()
}

// handleProjectLedger shows the month's ledger (台账), one row per project
// that owes the month's report, and who has not reported; ?print=true
// leaves the page's furniture out for printing.
func (s *Server) handleProjectLedger(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	lq, f, err := s.ledgerParams(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.Projects.Ledger(r.Context(), st.actor, lq.Month, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status, err := s.Projects.ReportStatus(r.Context(), st.actor, lq.Month, lq.Region)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	units, _, err := s.Projects.FindUnits(r.Context(), st.actor, project.UnitFilter{PerPage: 200})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := ledgerData{Ledger: l, Status: status, Filter: lq, Types: s.Projects.Types().All(), Units: units,
		Export: "/projects/ledger.xlsx?" + lq.Query}
	for _, c := range s.countyChoices(r) {
		data.Counties = append(data.Counties, countyOption{c.Code, c.Name})
	}
	name := "project/ledger"
	if lq.Print {
		name = "project/ledger_print"
	}
	pg := s.newPage(r, "project.ledger", "projects", data)
	pg.Title = l.Title
	s.render(w, r, http.StatusOK, name, pg)
}

// handleProjectLedgerExport sends the month's ledger as .xlsx in the
// layout bureaus use: the title row, 填报单位 and 填报日期, one row per
// project.
func (s *Server) handleProjectLedgerExport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	lq, f, err := s.ledgerParams(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.Projects.Ledger(r.Context(), st.actor, lq.Month, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := project.WriteLedger(&buf, l); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, l.Title+".xlsx", buf.Bytes())
}
