package web

import (
	"net/http"

	"kechuang/internal/project"
	"kechuang/internal/workday"
)

// The API of the project module's work around projects: monthly reports,
// 督办 orders, service requests (一企一策) and products.

// handleAPIReports lists a project's monthly reports, newest first.
func (s *Server) handleAPIReports(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	list, err := s.Projects.Reports(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range list {
		list[i].Problems = nonNil(list[i].Problems)
	}
	writeJSON(w, http.StatusOK, nonNil(list))
}

// handleAPIReportSubmit files (or corrects) a month's report.
func (s *Server) handleAPIReportSubmit(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in project.ReportInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.Projects.SubmitReport(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep.Problems = nonNil(rep.Problems)
	writeJSON(w, http.StatusOK, rep)
}

// supervisionFilter reads the 督办 list filters of the page and the API.
func supervisionFilter(r *http.Request) (project.SupervisionFilter, error) {
	q := newQuery(r)
	f := project.SupervisionFilter{
		State:     project.SupervisionState(q.Enum("state", string(project.SupervisionOpen), string(project.SupervisionReplied), string(project.SupervisionClosed))),
		Level:     project.Level(q.Enum("level", string(project.LevelGeneral), string(project.LevelKey), string(project.LevelListed))),
		Target:    project.Target(q.Enum("target_type", string(project.TargetProject), string(project.TargetMilestone), string(project.TargetRequest))),
		UnitID:    q.ID("unit"),
		ProjectID: q.ID("project"),
		Region:    q.RegionCode("region"),
		Overdue:   q.Bool("overdue"),
		Mine:      q.Bool("mine"),
	}
	f.Page, f.PerPage = q.Page(25, 200)
	return f, q.Err()
}

func supervisionJSON(v *project.Supervision) {
	v.Actions = nonNil(v.Actions)
	for i := range v.Events {
		v.Events[i].Evidence = nonNil(v.Events[i].Evidence)
	}
}

// handleAPISupervisions lists the 督办 orders the actor may see.
func (s *Server) handleAPISupervisions(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := supervisionFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Projects.FindSupervisions(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range list {
		supervisionJSON(&list[i])
	}
	writeJSON(w, http.StatusOK, listResponse[project.Supervision]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPISupervisionOpen opens a 督办 order.
func (s *Server) handleAPISupervisionOpen(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in project.SupervisionInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Projects.OpenSupervision(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	supervisionJSON(&v)
	writeJSON(w, http.StatusCreated, v)
}

// handleAPISupervision returns one order with its whole record.
func (s *Server) handleAPISupervision(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	v, err := s.Projects.GetSupervision(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	supervisionJSON(&v)
	writeJSON(w, http.StatusOK, v)
}

type supervisionStep struct {
	Note     string             `json:"note"`
	Progress string             `json:"progress"`
	Evidence []project.Evidence `json:"evidence"`
	Deadline workday.Date       `json:"deadline"`
}

// handleAPISupervisionStep takes one step of an order: reply (the unit),
// accept or return (staff).
func (s *Server) handleAPISupervisionStep(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, id, ok := s.apiActorID(w, r)
		if !ok {
			return
		}
		var in supervisionStep
		if err := decodeJSON(w, r, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
		var v project.Supervision
		var err error
		switch step {
		case project.StepReply:
			v, err = s.Projects.ReplySupervision(r.Context(), actor, id, project.SupervisionReply{Progress: in.Progress, Evidence: in.Evidence})
		case project.StepAccept:
			v, err = s.Projects.AcceptSupervision(r.Context(), actor, id, in.Note)
		case project.StepReturn:
			v, err = s.Projects.ReturnSupervision(r.Context(), actor, id, in.Note, in.Deadline)
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		supervisionJSON(&v)
		writeJSON(w, http.StatusOK, v)
	}
}

// requestFilter reads the service-request list filters.
func requestFilter(r *http.Request) (project.RequestFilter, error) {
	q := newQuery(r)
	var states, cats []string
	for _, st := range project.RequestStates {
		states = append(states, string(st))
	}
	for _, c := range project.RequestCategories {
		cats = append(cats, string(c))
	}
	f := project.RequestFilter{State: project.RequestState(q.Enum("state", states...)), Category: project.Category(q.Enum("category", cats...)),
		UnitID: q.ID("unit"), EnterpriseID: q.ID("enterprise"), Region: q.RegionCode("region"), Mine: q.Bool("mine"), Late: q.Bool("late")}
	f.Page, f.PerPage = q.Page(25, 200)
	return f, q.Err()
}

func requestJSON(rq *project.Request) { rq.Actions = nonNil(rq.Actions) }

// handleAPIRequests lists the service requests the actor may see.
func (s *Server) handleAPIRequests(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := requestFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Projects.FindRequests(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for i := range list {
		requestJSON(&list[i])
	}
	writeJSON(w, http.StatusOK, listResponse[project.Request]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIRequestSubmit submits an enterprise's service request.
func (s *Server) handleAPIRequestSubmit(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in project.RequestInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	rq, err := s.Projects.SubmitRequest(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	requestJSON(&rq)
	writeJSON(w, http.StatusCreated, rq)
}

// handleAPIRequest returns one request with its record.
func (s *Server) handleAPIRequest(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	rq, err := s.Projects.GetRequest(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	requestJSON(&rq)
	writeJSON(w, http.StatusOK, rq)
}

type requestStep struct {
	UnitID     int64  `json:"unit_id"`
	Note       string `json:"note"`
	Response   string `json:"response"`
	Resolution string `json:"resolution"`
	Rating     int    `json:"rating"`
	Comment    string `json:"rating_comment"`
}

// handleAPIRequestStep takes one step of a request: assign (staff),
// respond and resolve (the unit), confirm with a rating (the enterprise).
func (s *Server) handleAPIRequestStep(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, id, ok := s.apiActorID(w, r)
		if !ok {
			return
		}
		var in requestStep
		if err := decodeJSON(w, r, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
		rq, err := s.requestStep(r, actor, id, step, in)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		requestJSON(&rq)
		writeJSON(w, http.StatusOK, rq)
	}
}

// productFilter reads the product list filters.
func productFilter(r *http.Request) (project.ProductFilter, error) {
	q := newQuery(r)
	f := project.ProductFilter{Query: q.Text("q"), Category: q.Text("category"), EnterpriseID: q.ID("enterprise"), Region: q.RegionCode("region")}
	f.Page, f.PerPage = q.Page(25, 200)
	return f, q.Err()
}

// handleAPIProducts searches the products the actor may see.
func (s *Server) handleAPIProducts(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	f, err := productFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Projects.FindProducts(r.Context(), actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[project.Product]{Total: total, Page: f.Page, PerPage: f.PerPage, Items: nonNil(list)})
}

// handleAPIProductCreate adds a product to a registry enterprise.
func (s *Server) handleAPIProductCreate(w http.ResponseWriter, r *http.Request) {
	actor, ok := s.apiActor(w, r)
	if !ok {
		return
	}
	var in project.ProductInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Projects.CreateProduct(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

// handleAPIProduct returns one product.
func (s *Server) handleAPIProduct(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	p, err := s.Projects.GetProduct(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// handleAPIProductUpdate changes a product.
func (s *Server) handleAPIProductUpdate(w http.ResponseWriter, r *http.Request) {
	actor, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var in project.ProductInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Projects.UpdateProduct(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
