package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/directory"
)

// handleExpertAccountLink links the expert record to the account staff
// name by its username (empty unlinks): that account then reads, copies
// and may ask to delete the record.
func (s *Server) handleExpertAccountLink(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	err = s.Directory.LinkExpertAccountByName(r.Context(), st.actor, id, formValues(r).Get("username"))
	if isFormError(err) {
		s.expertPageLinkError(w, r, formStatus(err), id, errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/experts/"+strconv.FormatInt(id, 10)+"?done=account_linked", http.StatusSeeOther)
}

// errDecision answers a decision form without a decision.
func errDecision() error { return apperr.Fields(apperr.Field("decision", "error.required")) }

// An expert's own account (linked by staff, directory.LinkExpertAccount)
// reads its whole record, takes a copy of everything stored about it and
// asks for its deletion (PIPL arts. 45 and 47); staff decide the requests.
// The service decides every step; these handlers only translate.

// handleMyExpert shows the record linked to the viewer's account: the
// expert page, which offers the copy and the deletion request to its
// expert.
func (s *Server) handleMyExpert(w http.ResponseWriter, r *http.Request) {
	e, err := s.Directory.MyExpert(r.Context(), state(r).actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.expertPage(w, r, http.StatusOK, e.ID, dirFormData{})
}

// myExpertExport loads the export of the viewer's own record.
func (s *Server) myExpertExport(r *http.Request) (directory.ExpertExport, error) {
	a := state(r).actor
	e, err := s.Directory.MyExpert(r.Context(), a)
	if err != nil {
		return directory.ExpertExport{}, err
	}
	return s.Directory.ExportExpert(r.Context(), a, e.ID)
}

// handleMyExpertExportJSON sends the copy of the viewer's record as a JSON
// download.
func (s *Server) handleMyExpertExportJSON(w http.ResponseWriter, r *http.Request) {
	x, err := s.myExpertExport(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sendFile(w, "application/json; charset=utf-8", "我的专家档案-"+time.Now().Format("20060102")+".json", body)
}

// handleMyExpertExportXLSX sends the copy of the viewer's record as .xlsx.
func (s *Server) handleMyExpertExportXLSX(w http.ResponseWriter, r *http.Request) {
	x, err := s.myExpertExport(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.Directory.WriteExpertExport(&buf, x); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "我的专家档案-"+time.Now().Format("20060102")+".xlsx", buf.Bytes())
}

// handleMyExpertDeletionRequest asks for the deletion of the viewer's
// record, with an optional reason.
func (s *Server) handleMyExpertDeletionRequest(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	e, err := s.Directory.MyExpert(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := formValues(r)
	_, err = s.Directory.RequestExpertDeletion(r.Context(), st.actor, e.ID, v.Get("deletion_reason"))
	if isFormError(err) {
		s.expertPageWith(w, r, formStatus(err), e.ID, dirFormData{}, errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/experts/"+strconv.FormatInt(e.ID, 10)+"?done=deletion_requested", http.StatusSeeOther)
}

type deletionListData struct {
	Items     []directory.DeletionRequest
	State     string
	Pager     pager
	CanDecide bool
	// Error is why the decision on ErrorFor was refused.
	Error    string
	ErrorFor int64
	Done     string
}

// handleDeletionRequests lists experts' deletion requests: staff those of
// their region, others their own.
func (s *Server) handleDeletionRequests(w http.ResponseWriter, r *http.Request) {
	s.deletionRequestsPage(w, r, http.StatusOK, 0, "")
}

func (s *Server) deletionRequestsPage(w http.ResponseWriter, r *http.Request, status int, errFor int64, errText string) {
	st := state(r)
	q := newQuery(r)
	f := directory.DeletionFilter{State: q.Enum("state", directory.DeletionPending, directory.DeletionDone, directory.DeletionRefused),
		Paging: dirPaging(q)}
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Directory.FindDeletionRequests(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	s.render(w, r, status, "directory/deletion_requests", s.newPage(r, "directory.deletion_requests", "directory",
		deletionListData{Items: list, State: f.State, Pager: newPager(r, f.Page, f.PerPage, total),
			CanDecide: s.Directory.CanDecideDeletions(st.actor), Error: errText, ErrorFor: errFor,
			Done: r.URL.Query().Get("done")}))
}

// handleDeletionDecide carries out (approve) or refuses, with a note, one
// deletion request.
func (s *Server) handleDeletionDecide(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	v := formValues(r)
	decision := v.Get("decision")
	if decision != "approve" && decision != "refuse" {
		s.deletionRequestsPage(w, r, http.StatusUnprocessableEntity, id, errorText(st.lang, errDecision()))
		return
	}
	_, err = s.Directory.DecideExpertDeletion(r.Context(), st.actor, id, decision == "approve", v.Get("note"))
	if isFormError(err) {
		s.deletionRequestsPage(w, r, formStatus(err), id, errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/directory/deletion-requests?done="+decision, http.StatusSeeOther)
}
