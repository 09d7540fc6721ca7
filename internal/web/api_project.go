package web

import (
	"net/http"

	"kechuang/internal/project"
)

// handleAPIProjects lists the projects the actor may see, with the list
// page's filters.
func (s *Server) handleAPIProjects(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := s.projectFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Projects.FindProjects(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range list {
		projectJSON(&list[i])
	}
	writeJSON(w, http.StatusOK, listResponse[project.Project]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// projectJSON fills the arrays the document promises, never null.
func projectJSON(p *project.Project) {
	p.Team, p.EnterpriseIDs, p.LightReasons = nonNil(p.Team), nonNil(p.EnterpriseIDs), nonNil(p.LightReasons)
	p.Actions = nonNil(p.Actions)
	for i := range p.Milestones {
		p.Milestones[i].Evidence = nonNil(p.Milestones[i].Evidence)
	}
}

// handleAPIProject returns one project with its milestones and history.
func (s *Server) handleAPIProject(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	p, err := s.Projects.GetProject(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	projectJSON(&p)
	writeJSON(w, http.StatusOK, p)
}

// handleAPIProjectCreate creates a project (milestones from its type's
// template unless given).
func (s *Server) handleAPIProjectCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in project.ProjectInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Projects.CreateProject(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	projectJSON(&p)
	writeJSON(w, http.StatusCreated, p)
}

// handleAPIProjectUpdate changes a project's profile.
func (s *Server) handleAPIProjectUpdate(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in project.ProjectInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Projects.UpdateProject(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	projectJSON(&p)
	writeJSON(w, http.StatusOK, p)
}

type transitionRequest struct {
	Action string `json:"action"`
	Note   string `json:"note"`
}

// handleAPIProjectTransition takes a lifecycle action.
func (s *Server) handleAPIProjectTransition(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var req transitionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Projects.Transition(r.Context(), actor, id, req.Action, req.Note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	projectJSON(&p)
	writeJSON(w, http.StatusOK, p)
}

// handleAPIMilestones lists a project's milestones.
func (s *Server) handleAPIMilestones(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	ms, err := s.Projects.Milestones(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range ms {
		ms[i].Evidence = nonNil(ms[i].Evidence)
	}
	writeJSON(w, http.StatusOK, nonNil(ms))
}

// handleAPIMilestoneCreate adds a milestone to a project.
func (s *Server) handleAPIMilestoneCreate(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in project.MilestoneInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.Projects.AddMilestone(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m.Evidence = nonNil(m.Evidence)
	writeJSON(w, http.StatusCreated, m)
}

// handleAPIMilestoneComplete marks a milestone done.
func (s *Server) handleAPIMilestoneComplete(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in project.MilestoneCompletion
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.Projects.CompleteMilestone(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m.Evidence = nonNil(m.Evidence)
	writeJSON(w, http.StatusOK, m)
}

type adjustmentRequest struct {
	project.Adjustment
	Note string `json:"note"`
}

// handleAPIProjectAdjustment proposes a change of plan (实施 → 调整); a
// second staff member approves it with the approve-adjustment action.
func (s *Server) handleAPIProjectAdjustment(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var req adjustmentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Projects.RequestAdjustment(r.Context(), actor, id, req.Adjustment, req.Note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	projectJSON(&p)
	writeJSON(w, http.StatusOK, p)
}
