package web

import (
	"net/http"

	"kechuang/internal/directory"
)

// The directory's JSON API: the lists read the same filters as the pages,
// a record outside the caller's view is 404, and writes go through the
// service's rules.

type contactBody struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

func (c contactBody) contact() directory.Contact {
	return directory.Contact{Name: c.Name, Phone: c.Phone, Email: c.Email}
}

type institutionBody struct {
	Name        string      `json:"name"`
	CreditCode  string      `json:"credit_code"`
	Type        string      `json:"type"`
	Level       string      `json:"level"`
	RegionCode  string      `json:"region_code"`
	Visibility  string      `json:"visibility"`
	Disciplines []string    `json:"disciplines"`
	Domains     []string    `json:"domains"`
	Summary     string      `json:"summary"`
	Website     string      `json:"website"`
	TTO         string      `json:"tto"`
	Contact     contactBody `json:"contact"`
}

func (b institutionBody) input() directory.InstitutionInput {
	return directory.InstitutionInput{Name: b.Name, CreditCode: b.CreditCode, Type: b.Type, Level: b.Level,
		RegionCode: b.RegionCode, Visibility: directory.Visibility(b.Visibility), Disciplines: b.Disciplines,
		Domains: b.Domains, Summary: b.Summary, Website: b.Website, TTO: b.TTO, Contact: b.Contact.contact()}
}

type expertBody struct {
	Name          string   `json:"name"`
	InstitutionID int64    `json:"institution_id"`
	Affiliation   string   `json:"affiliation"`
	Title         string   `json:"title"`
	Disciplines   []string `json:"disciplines"`
	Research      string   `json:"research"`
	Keywords      []string `json:"keywords"`
	Achievements  []string `json:"achievements"`
	Patents       []string `json:"patents"`
	Roles         []string `json:"roles"`
	RegionCode    string   `json:"region_code"`
	Visibility    string   `json:"visibility"`
	// Phone and Email, when either is sent, replace the stored ones;
	// sending neither keeps them.
	Phone *string `json:"phone"`
	Email *string `json:"email"`
}

func (b expertBody) input() directory.ExpertInput {
	in := directory.ExpertInput{Name: b.Name, InstitutionID: b.InstitutionID, Affiliation: b.Affiliation, Title: b.Title,
		Disciplines: b.Disciplines, Research: b.Research, Keywords: b.Keywords, Achievements: b.Achievements,
		Patents: b.Patents, Roles: b.Roles, RegionCode: b.RegionCode, Visibility: directory.Visibility(b.Visibility)}
	if b.Phone != nil || b.Email != nil {
		in.Contact = &directory.ExpertContact{}
		if b.Phone != nil {
			in.Contact.Phone = *b.Phone
		}
		if b.Email != nil {
			in.Contact.Email = *b.Email
		}
	}
	return in
}

type serviceOrgBody struct {
	Name           string      `json:"name"`
	CreditCode     string      `json:"credit_code"`
	Type           string      `json:"type"`
	Services       []string    `json:"services"`
	Fields         []string    `json:"fields"`
	Qualifications []string    `json:"qualifications"`
	Summary        string      `json:"summary"`
	Contact        contactBody `json:"contact"`
	RegionCode     string      `json:"region_code"`
	Visibility     string      `json:"visibility"`
	OwnerID        int64       `json:"owner_id"`
}

func (b serviceOrgBody) input() directory.ServiceOrgInput {
	return directory.ServiceOrgInput{Name: b.Name, CreditCode: b.CreditCode, Type: b.Type, Services: b.Services,
		Fields: b.Fields, Qualifications: b.Qualifications, Summary: b.Summary, Contact: b.Contact.contact(),
		RegionCode: b.RegionCode, Visibility: directory.Visibility(b.Visibility), OwnerID: b.OwnerID}
}

type carrierBody struct {
	Name         string          `json:"name"`
	Kind         string          `json:"kind"`
	Level        string          `json:"level"`
	Operator     string          `json:"operator"`
	OperatorCode string          `json:"operator_code"`
	Capacity     directory.Space `json:"capacity"`
	Opened       string          `json:"opened"`
	Summary      string          `json:"summary"`
	Contact      contactBody     `json:"contact"`
	RegionCode   string          `json:"region_code"`
	Visibility   string          `json:"visibility"`
	OwnerID      int64           `json:"owner_id"`
}

func (b carrierBody) input() directory.CarrierInput {
	return directory.CarrierInput{Name: b.Name, Kind: b.Kind, Level: b.Level, Operator: b.Operator,
		OperatorCode: b.OperatorCode, Capacity: b.Capacity, Opened: b.Opened, Summary: b.Summary,
		Contact: b.Contact.contact(), RegionCode: b.RegionCode, Visibility: directory.Visibility(b.Visibility),
		OwnerID: b.OwnerID}
}

type fundBody struct {
	Name        string      `json:"name"`
	Type        string      `json:"type"`
	Manager     string      `json:"manager"`
	ManagerCode string      `json:"manager_code"`
	Subscribed  float64     `json:"subscribed"`
	Paid        float64     `json:"paid"`
	Stages      []string    `json:"stages"`
	Domains     []string    `json:"domains"`
	Established string      `json:"established"`
	Summary     string      `json:"summary"`
	Contact     contactBody `json:"contact"`
	RegionCode  string      `json:"region_code"`
	Visibility  string      `json:"visibility"`
	OwnerID     int64       `json:"owner_id"`
}

func (b fundBody) input() directory.FundInput {
	return directory.FundInput{Name: b.Name, Type: b.Type, Manager: b.Manager, ManagerCode: b.ManagerCode,
		Subscribed: b.Subscribed, Paid: b.Paid, Stages: b.Stages, Domains: b.Domains, Established: b.Established,
		Summary: b.Summary, Contact: b.Contact.contact(), RegionCode: b.RegionCode,
		Visibility: directory.Visibility(b.Visibility), OwnerID: b.OwnerID}
}

// apiList answers a list request: the filter read by filter, the page
// found by find.
func apiList[F any, T any](s *Server, w http.ResponseWriter, r *http.Request, filter func(*http.Request) (F, error),
	paging func(*F) *directory.Paging, find func(*http.Request, F) ([]T, int, error)) {
	f, err := filter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := find(r, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := paging(&f)
	p.Normalize()
	writeJSON(w, http.StatusOK, listResponse[T]{Total: total, Page: p.Page, PerPage: p.PerPage, Items: nonNil(list)})
}

// apiGet answers GET /…/{id}.
func apiGet[T any](s *Server, w http.ResponseWriter, r *http.Request, get func(*http.Request, int64) (T, error)) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := get(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, x)
}

// apiCreate answers POST with a body B; status 201 with the record.
func apiCreate[B any, T any](s *Server, w http.ResponseWriter, r *http.Request, create func(*http.Request, B) (T, error)) {
	if _, ok := s.apiActor(w, r); !ok {
		return
	}
	var b B
	if err := decodeJSON(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := create(r, b)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, x)
}

// apiUpdate answers PUT /…/{id} with a body B.
func apiUpdate[B any, T any](s *Server, w http.ResponseWriter, r *http.Request, update func(*http.Request, int64, B) (T, error)) {
	_, id, ok := s.apiActorID(w, r)
	if !ok {
		return
	}
	var b B
	if err := decodeJSON(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := update(r, id, b)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, x)
}

func (s *Server) handleAPIInstitutions(w http.ResponseWriter, r *http.Request) {
	apiList(s, w, r, s.institutionFilter, func(f *directory.InstitutionFilter) *directory.Paging { return &f.Paging },
		func(r *http.Request, f directory.InstitutionFilter) ([]directory.Institution, int, error) {
			return s.Directory.FindInstitutions(r.Context(), state(r).actor, f)
		})
}

func (s *Server) handleAPIInstitution(w http.ResponseWriter, r *http.Request) {
	apiGet(s, w, r, func(r *http.Request, id int64) (directory.Institution, error) {
		return s.Directory.GetInstitution(r.Context(), state(r).actor, id)
	})
}

func (s *Server) handleAPIInstitutionCreate(w http.ResponseWriter, r *http.Request) {
	apiCreate(s, w, r, func(r *http.Request, b institutionBody) (directory.Institution, error) {
		return s.Directory.CreateInstitution(r.Context(), state(r).actor, b.input())
	})
}

func (s *Server) handleAPIInstitutionUpdate(w http.ResponseWriter, r *http.Request) {
	apiUpdate(s, w, r, func(r *http.Request, id int64, b institutionBody) (directory.Institution, error) {
		return s.Directory.UpdateInstitution(r.Context(), state(r).actor, id, b.input())
	})
}

func (s *Server) handleAPIExperts(w http.ResponseWriter, r *http.Request) {
	apiList(s, w, r, s.expertFilter, func(f *directory.ExpertFilter) *directory.Paging { return &f.Paging },
		func(r *http.Request, f directory.ExpertFilter) ([]directory.Expert, int, error) {
			return s.Directory.FindExperts(r.Context(), state(r).actor, f)
		})
}

func (s *Server) handleAPIExpert(w http.ResponseWriter, r *http.Request) {
	apiGet(s, w, r, func(r *http.Request, id int64) (directory.Expert, error) {
		return s.Directory.GetExpert(r.Context(), state(r).actor, id)
	})
}

func (s *Server) handleAPIExpertCreate(w http.ResponseWriter, r *http.Request) {
	apiCreate(s, w, r, func(r *http.Request, b expertBody) (directory.Expert, error) {
		return s.Directory.CreateExpert(r.Context(), state(r).actor, b.input())
	})
}

func (s *Server) handleAPIExpertUpdate(w http.ResponseWriter, r *http.Request) {
	apiUpdate(s, w, r, func(r *http.Request, id int64, b expertBody) (directory.Expert, error) {
		return s.Directory.UpdateExpert(r.Context(), state(r).actor, id, b.input())
	})
}

func (s *Server) handleAPIServiceOrgs(w http.ResponseWriter, r *http.Request) {
	apiList(s, w, r, s.serviceOrgFilter, func(f *directory.ServiceOrgFilter) *directory.Paging { return &f.Paging },
		func(r *http.Request, f directory.ServiceOrgFilter) ([]directory.ServiceOrg, int, error) {
			return s.Directory.FindServiceOrgs(r.Context(), state(r).actor, f)
		})
}

func (s *Server) handleAPIServiceOrg(w http.ResponseWriter, r *http.Request) {
	apiGet(s, w, r, func(r *http.Request, id int64) (directory.ServiceOrg, error) {
		return s.Directory.GetServiceOrg(r.Context(), state(r).actor, id)
	})
}

func (s *Server) handleAPIServiceOrgCreate(w http.ResponseWriter, r *http.Request) {
	apiCreate(s, w, r, func(r *http.Request, b serviceOrgBody) (directory.ServiceOrg, error) {
		return s.Directory.CreateServiceOrg(r.Context(), state(r).actor, b.input())
	})
}

func (s *Server) handleAPIServiceOrgUpdate(w http.ResponseWriter, r *http.Request) {
	apiUpdate(s, w, r, func(r *http.Request, id int64, b serviceOrgBody) (directory.ServiceOrg, error) {
		return s.Directory.UpdateServiceOrg(r.Context(), state(r).actor, id, b.input())
	})
}

func (s *Server) handleAPICarriers(w http.ResponseWriter, r *http.Request) {
	apiList(s, w, r, s.carrierFilter, func(f *directory.CarrierFilter) *directory.Paging { return &f.Paging },
		func(r *http.Request, f directory.CarrierFilter) ([]directory.Carrier, int, error) {
			return s.Directory.FindCarriers(r.Context(), state(r).actor, f)
		})
}

func (s *Server) handleAPICarrier(w http.ResponseWriter, r *http.Request) {
	apiGet(s, w, r, func(r *http.Request, id int64) (directory.Carrier, error) {
		return s.Directory.GetCarrier(r.Context(), state(r).actor, id)
	})
}

func (s *Server) handleAPICarrierCreate(w http.ResponseWriter, r *http.Request) {
	apiCreate(s, w, r, func(r *http.Request, b carrierBody) (directory.Carrier, error) {
		return s.Directory.CreateCarrier(r.Context(), state(r).actor, b.input())
	})
}

func (s *Server) handleAPICarrierUpdate(w http.ResponseWriter, r *http.Request) {
	apiUpdate(s, w, r, func(r *http.Request, id int64, b carrierBody) (directory.Carrier, error) {
		return s.Directory.UpdateCarrier(r.Context(), state(r).actor, id, b.input())
	})
}

func (s *Server) handleAPIFunds(w http.ResponseWriter, r *http.Request) {
	apiList(s, w, r, s.fundFilter, func(f *directory.FundFilter) *directory.Paging { return &f.Paging },
		func(r *http.Request, f directory.FundFilter) ([]directory.Fund, int, error) {
			return s.Directory.FindFunds(r.Context(), state(r).actor, f)
		})
}

func (s *Server) handleAPIFund(w http.ResponseWriter, r *http.Request) {
	apiGet(s, w, r, func(r *http.Request, id int64) (directory.Fund, error) {
		return s.Directory.GetFund(r.Context(), state(r).actor, id)
	})
}

func (s *Server) handleAPIFundCreate(w http.ResponseWriter, r *http.Request) {
	apiCreate(s, w, r, func(r *http.Request, b fundBody) (directory.Fund, error) {
		return s.Directory.CreateFund(r.Context(), state(r).actor, b.input())
	})
}

func (s *Server) handleAPIFundUpdate(w http.ResponseWriter, r *http.Request) {
	apiUpdate(s, w, r, func(r *http.Request, id int64, b fundBody) (directory.Fund, error) {
		return s.Directory.UpdateFund(r.Context(), state(r).actor, id, b.input())
	})
}
