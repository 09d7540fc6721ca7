package web

import (
	"net/http"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/project"
)

type requestListData struct {
	Requests   []project.Request
	Filter     project.RequestFilter
	Pager      pager
	Stats      []project.RequestStat
	States     []project.RequestState
	Categories []project.Category
	CanSubmit  bool
}

// handleRequestList lists the service requests in the actor's view: an
// enterprise its own, staff their region's with each unit's record.
func (s *Server) handleRequestList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := requestFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Projects.FindRequests(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := requestListData{Requests: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total), States: project.RequestStates,
		Categories: project.RequestCategories, CanSubmit: project.CanSubmitRequest(st.actor)}
	if project.CanViewModule(st.actor) {
		if data.Stats, err = s.Projects.RequestStats(r.Context(), st.actor, f.Region); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "project/requests", s.newPage(r, "project.requests", "projects", data))
}

type requestFormData struct {
	Form        project.RequestInput
	Errors      map[string]string
	Enterprises []cultivation.Enterprise
	Categories  []project.Category
}

// handleRequestNew shows the form an enterprise submits a request with.
func (s *Server) handleRequestNew(w http.ResponseWriter, r *http.Request) {
	s.requestFormPage(w, r, http.StatusOK, project.RequestInput{}, nil)
}

func (s *Server) requestFormPage(w http.ResponseWriter, r *http.Request, status int, in project.RequestInput, errs map[string]string) {
	st := state(r)
	if !project.CanSubmitRequest(st.actor) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "project.only_enterprises"))
		return
	}
	ents, _, err := s.Cultivation.FindEnterprises(r.Context(), st.actor, cultivation.EnterpriseFilter{PerPage: 50})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := requestFormData{Form: in, Errors: errs, Enterprises: ents, Categories: project.RequestCategories}
	s.render(w, r, status, "project/request_new", s.newPage(r, "project.request.new", "projects", data))
}

// handleRequestSubmit submits the enterprise's request.
func (s *Server) handleRequestSubmit(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	in := project.RequestInput{Category: project.Category(r.PostFormValue("category")), Title: r.PostFormValue("title"),
		Description: r.PostFormValue("description")}
	var err error
	if in.EnterpriseID, err = formID(r, "enterprise_id"); err != nil {
		s.requestFormPage(w, r, http.StatusUnprocessableEntity, in, formErrors(st.lang, err))
		return
	}
	rq, err := s.Projects.SubmitRequest(r.Context(), st.actor, in)
	if isFormError(err) {
		s.requestFormPage(w, r, http.StatusUnprocessableEntity, in, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/service-requests/"+strconv.FormatInt(rq.ID, 10), http.StatusSeeOther)
}

type requestData struct {
	Request project.Request
	Units   []project.Unit
	Error   string
	// CanSupervise: staff may open a 督办 order on the request.
	CanSupervise bool
	Levels       []project.Level
}

// handleRequest shows a request with its record and the steps the viewer
// may take.
func (s *Server) handleRequest(w http.ResponseWriter, r *http.Request) {
	s.requestPage(w, r, http.StatusOK, "")
}

func (s *Server) requestPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rq, err := s.Projects.GetRequest(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := requestData{Request: rq, Error: msg, Levels: project.Levels,
		CanSupervise: project.CanOpenSupervision(st.actor) && rq.UnitID != 0 && rq.State != project.RequestConfirmed}
	for _, a := range rq.Actions {
		if a == project.ReqAssign || a == project.ReqReassign {
			if data.Units, _, err = s.Projects.FindUnits(r.Context(), st.actor,
				project.UnitFilter{ForRegion: rq.RegionCode, ActiveOnly: true, PerPage: 200}); err != nil {
				s.writeError(w, r, err)
				return
			}
			break
		}
	}
	s.render(w, r, status, "project/request", s.newPage(r, "project.request", "projects", data))
}

// handleRequestStepForm takes a step of a request from its page.
func (s *Server) handleRequestStepForm(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		id, err := pathID(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		in := requestStep{Note: r.PostFormValue("note"), Response: r.PostFormValue("response"), Resolution: r.PostFormValue("resolution"),
			Comment: r.PostFormValue("rating_comment")}
		if in.UnitID, err = formID(r, "unit_id"); err == nil {
			if v := strings.TrimSpace(r.PostFormValue("rating")); v != "" {
				if in.Rating, err = strconv.Atoi(v); err != nil {
					err = apperr.Fields(apperr.Field("rating", "project.rating_range"))
				}
			}
		}
		if err == nil {
			_, err = s.requestStep(r, st.actor, id, step, in)
		}
		if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
			s.requestPage(w, r, formStatus(err), errorText(st.lang, err))
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		http.Redirect(w, r, "/service-requests/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	}
}

type productListData struct {
	Products []project.Product
	Filter   project.ProductFilter
	Pager    pager
}

// handleProductList searches the products (重要产品库).
func (s *Server) handleProductList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := productFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Projects.FindProducts(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := productListData{Products: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total)}
	s.render(w, r, http.StatusOK, "project/products", s.newPage(r, "project.products", "projects", data))
}
