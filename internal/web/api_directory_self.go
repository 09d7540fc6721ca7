package web

import (
	"net/http"

	"kechuang/internal/directory"
)

// handleAPIMyExpert answers GET /api/v1/me/expert: the record linked to
// the caller's account, in full.
func (s *Server) handleAPIMyExpert(w http.ResponseWriter, r *http.Request) {
	a, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	e, err := s.Directory.MyExpert(r.Context(), a)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// handleAPIMyExpertExport answers GET /api/v1/me/expert/export: everything
// stored about the caller as an expert (audited).
func (s *Server) handleAPIMyExpertExport(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiActor(w, r); !ok {
		return
	}
	x, err := s.myExpertExport(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, x)
}

// deletionRequestBody is the body of a deletion request.
type deletionRequestBody struct {
	Reason string `json:"reason"`
}

// handleAPIMyExpertDeletionRequest answers POST
// /api/v1/me/expert/deletion-request.
func (s *Server) handleAPIMyExpertDeletionRequest(w http.ResponseWriter, r *http.Request) {
	a, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var b deletionRequestBody
	if err := decodeJSON(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.Directory.MyExpert(r.Context(), a)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.Directory.RequestExpertDeletion(r.Context(), a, e.ID, b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

// handleAPIDeletionRequests answers GET /api/v1/expert-deletion-requests:
// staff read those of their region, others their own.
func (s *Server) handleAPIDeletionRequests(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiActor(w, r); !ok {
		return
	}
	apiList(s, w, r, func(r *http.Request) (directory.DeletionFilter, error) {
		q := newQuery(r)
		f := directory.DeletionFilter{State: q.Enum("state", directory.DeletionPending, directory.DeletionDone, directory.DeletionRefused),
			Region: q.RegionCode("region"), Paging: dirPaging(q)}
		return f, q.Err()
	}, func(f *directory.DeletionFilter) *directory.Paging { return &f.Paging },
		func(r *http.Request, f directory.DeletionFilter) ([]directory.DeletionRequest, int, error) {
			return s.Directory.FindDeletionRequests(r.Context(), state(r).actor, f)
		})
}

// deletionDecisionBody is the body of a decision on a deletion request.
type deletionDecisionBody struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
}

// handleAPIDeletionDecide answers POST
// /api/v1/expert-deletion-requests/{id}/decide.
func (s *Server) handleAPIDeletionDecide(w http.ResponseWriter, r *http.Request) {
	a, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var b deletionDecisionBody
	if err := decodeJSON(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.Directory.DecideExpertDeletion(r.Context(), a, id, b.Approve, b.Note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
