package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kechuang/internal/directory"
	"kechuang/internal/market"
)

type brokerListData struct {
	Items   []directory.BrokerProfile
	Filter  directory.BrokerFilter
	Pager   pager
	Regions []formOption
	Domains []formOption
	// Mine is the viewer's own account when it is a broker: a link to its
	// profile's form.
	Mine int64
}

// brokerFilter reads the list's query parameters.
func (s *Server) brokerFilter(r *http.Request) (directory.BrokerFilter, error) {
	q := newQuery(r)
	f := directory.BrokerFilter{Query: q.Text("q"), Grade: q.Enum("grade", s.dirCodes("broker_grade")...),
		Field: q.Text("field"), Region: q.RegionCode("region"), Paging: dirPaging(q)}
	return f, q.Err()
}

// handleBrokerList lists the broker profiles (技术经纪人) the viewer may see,
// with their performance from the deals.
func (s *Server) handleBrokerList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	f, err := s.brokerFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Directory.FindBrokerProfiles(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ab, err := s.Directory.Abilities(r.Context(), st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Normalize()
	data := brokerListData{Items: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total),
		Regions: regionOptions(s.regionChoices(r)), Domains: s.domainOptions()}
	if ab.BrokerProfile {
		data.Mine = st.actor.UserID
	}
	s.render(w, r, http.StatusOK, "directory/brokers", s.newPage(r, "directory.brokers", "directory", data))
}

type brokerProfileData struct {
	B    directory.BrokerProfile
	Done string
}

// handleBroker shows one broker's profile and performance.
func (s *Server) handleBroker(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.Directory.GetBrokerProfile(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "directory/broker", s.newPage(r, "directory.broker", "directory",
		brokerProfileData{B: b, Done: r.URL.Query().Get("done")}))
}

func (s *Server) brokerForm(r *http.Request, manage bool) []formField {
	lang := state(r).lang
	f := []formField{{Name: "certificate_no", Type: "text"},
		{Name: "grade", Type: "select", Options: s.choiceOptions(lang, "broker_grade"), Empty: "directory.none"},
		{Name: "organization", Type: "text"}, {Name: "fields", Type: "multi", Options: s.domainOptions()},
		{Name: "summary", Type: "textarea"}, {Name: "visibility", Type: "select", Options: s.choiceOptions(lang, "visibility")}}
	if manage {
		f = append(f, formField{Name: "region_code", Type: "select", Required: true, Options: regionOptions(s.regionChoices(r))})
	}
	return f
}

// handleBrokerEdit shows a broker's profile form to the broker and to staff
// in scope; a broker without a profile starts from a blank one. Anyone else
// gets 404.
func (s *Server) handleBrokerEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.Directory.BrokerProfileToEdit(r.Context(), state(r).actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	back := "/directory/brokers/" + strconv.FormatInt(id, 10)
	s.renderDirForm(w, r, http.StatusOK, "directory.edit_broker", dirFormData{Back: "/directory/brokers", Action: back,
		Fields: s.brokerForm(r, b.Perms.Manage), Values: url.Values{"certificate_no": {b.CertificateNo}, "grade": {b.Grade},
			"organization": {b.Organization}, "fields": b.Fields, "summary": {b.Summary}, "visibility": {string(b.Visibility)},
			"region_code": {b.RegionCode}}})
}

// handleBrokerUpdate saves a broker's profile form.
func (s *Server) handleBrokerUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := state(r)
	b, err := s.Directory.BrokerProfileToEdit(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := formValues(r)
	in := directory.BrokerInput{CertificateNo: v.Get("certificate_no"), Grade: v.Get("grade"), Organization: v.Get("organization"),
		Fields: multiOf(v, "fields"), Summary: v.Get("summary"), Visibility: directory.Visibility(v.Get("visibility"))}
	if b.Perms.Manage {
		in.RegionCode = v.Get("region_code")
	}
	back := "/directory/brokers/" + strconv.FormatInt(id, 10)
	data := dirFormData{Back: "/directory/brokers", Action: back, Fields: s.brokerForm(r, b.Perms.Manage), Values: v}
	_, err = s.Directory.PutBrokerProfile(r.Context(), st.actor, id, in)
	s.saveDirForm(w, r, err, "directory.edit_broker", data, back+"?done=updated")
}

// apiBroker is a broker account in the API: the market's deal statistics
// and, when the viewer may see it, the directory profile with the
// performance computed from the deals.
type apiBroker struct {
	market.BrokerStats
	Profile *directory.BrokerProfile `json:"profile,omitempty"`
}

// withProfiles adds the directory profiles the actor may see to the
// market's broker statistics.
func (s *Server) withProfiles(r *http.Request, list []market.BrokerStats) ([]apiBroker, error) {
	ids := make([]int64, len(list))
	for i, b := range list {
		ids[i] = b.ID
	}
	profiles, err := s.Directory.BrokerProfiles(r.Context(), state(r).actor, ids)
	if err != nil {
		return nil, err
	}
	out := make([]apiBroker, len(list))
	for i, b := range list {
		out[i] = apiBroker{BrokerStats: b}
		if p, ok := profiles[b.ID]; ok {
			out[i].Profile = &p
		}
	}
	return out, nil
}
