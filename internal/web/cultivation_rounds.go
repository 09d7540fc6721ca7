package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/workday"
)

// roundRoutes are the application rounds (申报批次) of the cultivation
// module: the staff and applicant pages, the public notice with its
// objection form, and the API.
func (s *Server) roundRoutes(rt *router) {
	rt.signedIn("GET /cultivation/rounds", s.handleRoundList)
	rt.signedIn("POST /cultivation/rounds", s.handleRoundCreate)
	rt.signedIn("GET /cultivation/rounds/objections", s.handleObjectionList)
	rt.signedIn("POST /cultivation/rounds/objections/{id}/answer", s.handleObjectionAnswer)
	rt.signedIn("GET /cultivation/rounds/{id}", s.handleRound)
	rt.signedIn("GET /cultivation/rounds/{id}/export.xlsx", s.handleRoundExport)
	rt.signedIn("POST /cultivation/rounds/{id}/start-notice", s.handleRoundStartNotice)
	rt.signedIn("POST /cultivation/rounds/{id}/close", s.handleRoundClose)
	rt.signedIn("GET /cultivation/rounds/{id}/apply", s.handleRoundApplyForm)
	rt.signedIn("POST /cultivation/rounds/{id}/applications", s.handleRoundApply)
	rt.signedIn("GET /cultivation/rounds/{id}/applications/{appId}", s.handleRoundApplication)
	rt.signedIn("POST /cultivation/rounds/{id}/applications/{appId}/{step}", s.handleRoundStep)
	rt.signedIn("POST /cultivation/rounds/{id}/applications/{appId}/files", s.handleRoundFileUpload, bodyLimit(uploadBodyBytes))
	rt.signedIn("GET /cultivation/rounds/{id}/applications/{appId}/files/{fileId}", s.handleRoundFile)
	rt.open("GET /cultivation/rounds/{id}/notice", s.handleRoundNotice)
	rt.open("POST /cultivation/rounds/{id}/objections", s.handleRoundObject)

	rt.api("GET /api/v1/rounds", s.handleAPIRounds)
	rt.api("POST /api/v1/rounds", s.handleAPIRoundCreate)
	rt.api("GET /api/v1/rounds/{id}", s.handleAPIRound)
	rt.api("GET /api/v1/rounds/{id}/applications", s.handleAPIRoundApplications)
	rt.api("POST /api/v1/rounds/{id}/applications", s.handleAPIRoundApply)
	for _, step := range []string{cultivation.StepRecommend, cultivation.StepReturn, cultivation.StepAccept, cultivation.StepReject, cultivation.StepSendBack} {
		rt.api("POST /api/v1/rounds/{id}/applications/{appId}/"+strings.ReplaceAll(step, "_", "-"), s.handleAPIApplicationStep(step))
	}
	rt.api("GET /api/v1/rounds/{id}/notice", s.handleAPIRoundNotice)
	rt.api("POST /api/v1/rounds/{id}/start-notice", s.handleAPIRoundStep(s.Cultivation.StartNotice))
	rt.api("POST /api/v1/rounds/{id}/close", s.handleAPIRoundStep(s.Cultivation.CloseRound))
	rt.api("GET /api/v1/objections", s.handleAPIObjections)
	rt.api("POST /api/v1/objections", s.handleAPIObjectionCreate)
	rt.api("POST /api/v1/objections/{id}/answer", s.handleAPIObjectionAnswer)
}

// appID reads the {appId} of an application route.
func appID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("appId"), 10, 64)
	if err != nil || id < 1 {
		return 0, apperr.New(apperr.NotFound, "round.application_not_found")
	}
	return id, nil
}

// objectionClient is what objection throttling counts by: a hash of the
// client's address, so that no address is stored.
func objectionClient(r *http.Request) string {
	sum := sha256.Sum256([]byte("round-objection:" + clientAddr(r)))
	return hex.EncodeToString(sum[:16])
}

type roundListData struct {
	Rounds     []cultivation.Round
	Pager      pager
	CanCreate  bool
	CanObject  bool
	RuleSets   []string
	Levels     []cultivation.RoundLevels
	Form       map[string]string
	Errors     map[string]string
	Error      string
	DefaultFmt string
}

// handleRoundList lists the rounds and, for bureau staff, the form that
// opens a new one.
func (s *Server) handleRoundList(w http.ResponseWriter, r *http.Request) {
	s.roundListPage(w, r, http.StatusOK, nil, nil)
}

func (s *Server) roundListPage(w http.ResponseWriter, r *http.Request, status int, form map[string]string, formErr error) {
	st := state(r)
	q := newQuery(r)
	f := cultivation.RoundFilter{Year: q.Int("year", 0, 0, 2100), State: cultivation.RoundState(q.Enum("state", "open", "notice", "closed"))}
	f.Page, f.PerPage = q.Page(25, 100)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Cultivation.FindRounds(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if form == nil {
		year := strconv.Itoa(s.Now().Year())
		form = map[string]string{"year": year, "notice_days": strconv.Itoa(cultivation.DefaultNoticeDays),
			"number_format": cultivation.DefaultNumberFormat, "levels": string(cultivation.LevelsCountyCity), "rule_set": "tech-sme"}
	}
	data := roundListData{Rounds: list, Pager: newPager(r, f.Page, f.PerPage, total), CanCreate: s.Cultivation.CanCreateRound(st.actor),
		CanObject: s.Cultivation.CanViewObjections(st.actor), RuleSets: cultivation.RoundRuleSets, Levels: cultivation.RoundLevelChoices,
		Form: form, DefaultFmt: cultivation.DefaultNumberFormat}
	if formErr != nil {
		data.Errors, data.Error = formErrors(st.lang, formErr), errorText(st.lang, formErr)
	}
	s.render(w, r, status, "cultivation/rounds", s.newPage(r, "round.rounds", "cultivation", data))
}

// formDateField reads a YYYY-MM-DD form field into d, adding a field
// error when it is not a date.
func formDateField(r *http.Request, name string, d *workday.Date, fields *[]apperr.FieldError) {
	v, err := formDate(r, name)
	if err != nil {
		*fields = append(*fields, apperr.Field(name, "error.date_format"))
	}
	*d = v
}

// handleRoundCreate opens a round from the list page's form.
func (s *Server) handleRoundCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	form := map[string]string{}
	for _, k := range []string{"rule_set", "year", "title", "opens", "closes", "levels", "notice_days", "number_format"} {
		form[k] = r.PostFormValue(k)
	}
	in := cultivation.RoundInput{RuleSet: form["rule_set"], Title: form["title"], Levels: cultivation.RoundLevels(form["levels"]),
		NumberFormat: form["number_format"]}
	var fields []apperr.FieldError
	var err error
	if in.Year, err = strconv.Atoi(strings.TrimSpace(form["year"])); err != nil {
		fields = append(fields, apperr.Field("year", "error.number"))
	}
	if v := strings.TrimSpace(form["notice_days"]); v != "" {
		if in.NoticeDays, err = strconv.Atoi(v); err != nil {
			fields = append(fields, apperr.Field("notice_days", "error.number"))
		}
	}
	formDateField(r, "opens", &in.Opens, &fields)
	formDateField(r, "closes", &in.Closes, &fields)
	var round cultivation.Round
	if len(fields) > 0 {
		err = apperr.Fields(fields...)
	} else {
		round, err = s.Cultivation.CreateRound(r.Context(), st.actor, in)
	}
	if isFormError(err) {
		s.roundListPage(w, r, formStatus(err), form, err)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/rounds/"+strconv.FormatInt(round.ID, 10), http.StatusSeeOther)
}

type roundData struct {
	Round        cultivation.Round
	Counts       []cultivation.StageCount
	States       []cultivation.AppState
	Applications []cultivation.Application
	Filter       cultivation.ApplicationFilter
	Pager        pager
	CanObject    bool
	Error        string
}

// handleRound shows a round: its facts, the counts per county and stage,
// the applications in the viewer's scope and the steps the viewer may
// take.
func (s *Server) handleRound(w http.ResponseWriter, r *http.Request) {
	s.roundPage(w, r, http.StatusOK, "")
}

func (s *Server) roundPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := newQuery(r)
	f := cultivation.ApplicationFilter{State: cultivation.AppState(q.Enum("state", appStateNames()...)), Region: q.RegionCode("region")}
	f.Page, f.PerPage = q.Page(25, 200)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	round, err := s.Cultivation.GetRound(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	apps, total, err := s.Cultivation.FindApplications(r.Context(), st.actor, id, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	counts, err := s.Cultivation.StageCounts(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := roundData{Round: round, Counts: counts, States: cultivation.AppStates, Applications: apps, Filter: f,
		Pager: newPager(r, f.Page, f.PerPage, total), CanObject: s.Cultivation.CanViewObjections(st.actor), Error: msg}
	s.render(w, r, status, "cultivation/round", s.newPage(r, "round.round", "cultivation", data))
}

func appStateNames() []string {
	out := make([]string, len(cultivation.AppStates))
	for i, st := range cultivation.AppStates {
		out[i] = string(st)
	}
	return out
}

// handleRoundExport sends a round's applications in the viewer's scope
// (one state or all) as the province's .xlsx list.
func (s *Server) handleRoundExport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := newQuery(r)
	stateFilter := cultivation.AppState(q.Enum("state", appStateNames()...))
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.Cultivation.ExportApplications(r.Context(), st.actor, id, stateFilter, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	name := "round-" + strconv.FormatInt(id, 10)
	if stateFilter != "" {
		name += "-" + string(stateFilter)
	}
	sendXLSX(w, name+".xlsx", buf.Bytes())
}

// handleRoundStartNotice starts the round's 公示.
func (s *Server) handleRoundStartNotice(w http.ResponseWriter, r *http.Request) {
	s.roundStep(w, r, s.Cultivation.StartNotice)
}

// handleRoundClose closes the round and issues the registry numbers.
func (s *Server) handleRoundClose(w http.ResponseWriter, r *http.Request) {
	s.roundStep(w, r, s.Cultivation.CloseRound)
}

func (s *Server) roundStep(w http.ResponseWriter, r *http.Request, step func(ctx context.Context, a account.Actor, id int64) (cultivation.Round, error)) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, err = step(r.Context(), st.actor, id)
	if apperr.KindOf(err) == apperr.Conflict {
		s.roundPage(w, r, http.StatusConflict, errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/rounds/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// conditionRow is one condition of the rule set on the application form
// or page, with the evidence given for it.
type conditionRow struct {
	ID, Name, Required, Status string
	Evidence                   []cultivation.Evidence
	Files                      []cultivation.EvidenceFile
}

type roundApplyData struct {
	Round       cultivation.Round
	Enterprise  *cultivation.Enterprise
	Enterprises []cultivation.Enterprise
	Conditions  []conditionRow
	Verdict     string
	Version     string
	Form        map[string]string
	Errors      map[string]string
	Error       string
}

// handleRoundApplyForm shows the application form: for an enterprise its
// own firm, prefilled from the registry, with its self-assessment against
// the round's rule set and a line of evidence for each condition; staff
// choose a firm of their county first.
func (s *Server) handleRoundApplyForm(w http.ResponseWriter, r *http.Request) {
	s.roundApplyPage(w, r, http.StatusOK, nil, nil)
}

func (s *Server) roundApplyPage(w http.ResponseWriter, r *http.Request, status int, form map[string]string, formErr error) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	round, err := s.Cultivation.GetRound(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := roundApplyData{Round: round, Form: form}
	if data.Form == nil {
		data.Form = map[string]string{}
	}
	if formErr != nil {
		data.Errors, data.Error = formErrors(st.lang, formErr), errorText(st.lang, formErr)
	}
	enterpriseID := newQuery(r).ID("enterprise")
	if v := data.Form["enterprise_id"]; v != "" {
		enterpriseID, _ = strconv.ParseInt(v, 10, 64)
	}
	list, _, err := s.Cultivation.FindEnterprises(r.Context(), st.actor, cultivation.EnterpriseFilter{PerPage: 200})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data.Enterprises = list
	if enterpriseID == 0 && len(list) == 1 {
		enterpriseID = list[0].ID
	}
	if enterpriseID != 0 {
		e, err := s.Cultivation.GetEnterprise(r.Context(), st.actor, enterpriseID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		data.Enterprise = &e
		res, err := s.Cultivation.PreviewAssessment(r.Context(), st.actor, e.ID, s.Now())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, ar := range res.Results {
			if ar.RuleSet != round.RuleSet {
				continue
			}
			data.Verdict, data.Version = string(ar.Verdict), ar.Version
			for _, c := range ar.Conditions {
				if c.Condition == nil {
					continue
				}
				data.Conditions = append(data.Conditions, conditionRow{ID: c.ID, Name: c.Name, Required: c.Required, Status: c.Status.String()})
			}
		}
	}
	s.render(w, r, status, "cultivation/round_apply", s.newPage(r, "round.apply", "cultivation", data))
}

// handleRoundApply files an application from the form: the firm, a
// statement and, per condition, the evidence's name and reference.
func (s *Server) handleRoundApply(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, err)
		return
	}
	form := map[string]string{"enterprise_id": r.PostFormValue("enterprise_id"), "statement": r.PostFormValue("statement")}
	in := cultivation.ApplicationInput{Statement: form["statement"]}
	if v := strings.TrimSpace(form["enterprise_id"]); v != "" {
		in.EnterpriseID, _ = strconv.ParseInt(v, 10, 64)
	}
	conds, names, refs := r.PostForm["evidence_condition"], r.PostForm["evidence_name"], r.PostForm["evidence_ref"]
	for i := range names {
		ev := cultivation.Evidence{Name: names[i]}
		if i < len(conds) {
			ev.Condition = conds[i]
		}
		if i < len(refs) {
			ev.Ref = refs[i]
		}
		form["evidence_name."+ev.Condition] = ev.Name
		form["evidence_ref."+ev.Condition] = ev.Ref
		in.Evidence = append(in.Evidence, ev)
	}
	app, err := s.Cultivation.CreateApplication(r.Context(), st.actor, id, in)
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
		s.roundApplyPage(w, r, formStatus(err), form, err)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/rounds/"+strconv.FormatInt(id, 10)+"/applications/"+strconv.FormatInt(app.ID, 10), http.StatusSeeOther)
}

type roundApplicationData struct {
	Round       cultivation.Round
	Application cultivation.Application
	Conditions  []conditionRow
	General     []cultivation.Evidence
	// GeneralFiles are the files uploaded for the application as a whole.
	GeneralFiles []cultivation.EvidenceFile
	MaxFileMB    int
	Gaps         []string
	Error        string
	Errors       map[string]string
}

// handleRoundApplication shows one application: the registry snapshot,
// the frozen self-assessment with the evidence per condition, the record,
// and the county's checklist or the city's review forms.
func (s *Server) handleRoundApplication(w http.ResponseWriter, r *http.Request) {
	s.roundApplicationPage(w, r, http.StatusOK, nil)
}

func (s *Server) roundApplicationPage(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	aid, err := appID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	round, err := s.Cultivation.GetRound(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	app, err := s.Cultivation.GetApplication(r.Context(), st.actor, id, aid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := roundApplicationData{Round: round, Application: app, MaxFileMB: cultivation.MaxEvidenceFileBytes >> 20}
	var frozen struct {
		Conditions []struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Required string `json:"required"`
			Status   string `json:"status"`
		} `json:"conditions"`
		Gaps []string `json:"gaps"`
	}
	if err := json.Unmarshal(app.Assessment, &frozen); err != nil {
		s.writeError(w, r, err)
		return
	}
	data.Gaps = frozen.Gaps
	for _, c := range frozen.Conditions {
		row := conditionRow{ID: c.ID, Name: c.Name, Required: c.Required, Status: c.Status}
		for _, e := range app.Evidence {
			if e.Condition == c.ID {
				row.Evidence = append(row.Evidence, e)
			}
		}
		data.Conditions = append(data.Conditions, row)
	}
	for _, e := range app.Evidence {
		if e.Condition == "" {
			data.General = append(data.General, e)
		}
	}
	for i := range data.Conditions {
		for _, f := range app.Files {
			if f.Condition == data.Conditions[i].ID {
				data.Conditions[i].Files = append(data.Conditions[i].Files, f)
			}
		}
	}
	for _, f := range app.Files {
		if f.Condition == "" {
			data.GeneralFiles = append(data.GeneralFiles, f)
		}
	}
	if formErr != nil {
		data.Errors, data.Error = formErrors(st.lang, formErr), errorText(st.lang, formErr)
	}
	s.render(w, r, status, "cultivation/round_application", s.newPage(r, "round.application", "cultivation", data))
}

// handleRoundStep takes a step of an application from its page.
func (s *Server) handleRoundStep(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	aid, err := appID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	step := strings.ReplaceAll(r.PathValue("step"), "-", "_")
	in := cultivation.StepInput{Reason: r.PostFormValue("reason"), Checklist: cultivation.Checklist{
		Complete: r.PostFormValue("complete") == "on", Consistent: r.PostFormValue("consistent") == "on", Evidence: r.PostFormValue("evidence") == "on"}}
	_, err = s.Cultivation.StepApplication(r.Context(), st.actor, id, aid, step, in)
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
		s.roundApplicationPage(w, r, formStatus(err), err)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/rounds/"+strconv.FormatInt(id, 10)+"/applications/"+strconv.FormatInt(aid, 10), http.StatusSeeOther)
}

type roundNoticeData struct {
	Notice cultivation.Notice
	Form   map[string]string
	Errors map[string]string
	Error  string
	Sent   bool
}

// handleRoundNotice is a round's public notice (公示), open to anyone: the
// firms accepted and, during the period, the objection form.
func (s *Server) handleRoundNotice(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	sent := q.Bool("sent")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.roundNoticePage(w, r, http.StatusOK, nil, nil, sent)
}

func (s *Server) roundNoticePage(w http.ResponseWriter, r *http.Request, status int, form map[string]string, formErr error, sent bool) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.Cultivation.PublicNotice(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := roundNoticeData{Notice: n, Form: form, Sent: sent}
	if data.Form == nil {
		data.Form = map[string]string{}
	}
	if formErr != nil {
		data.Errors, data.Error = formErrors(st.lang, formErr), errorText(st.lang, formErr)
	}
	s.render(w, r, status, "cultivation/round_notice", s.newPage(r, "round.public_notice", "cultivation", data))
}

// handleRoundObject takes an objection from the public notice's form.
func (s *Server) handleRoundObject(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"application_id", "name", "contact", "reason", "evidence"} {
		form[k] = r.PostFormValue(k)
	}
	in := cultivation.ObjectionInput{RoundID: id, Name: form["name"], Contact: form["contact"], Reason: form["reason"], Evidence: form["evidence"]}
	if v := strings.TrimSpace(form["application_id"]); v != "" {
		in.ApplicationID, _ = strconv.ParseInt(v, 10, 64)
	}
	_, err = s.Cultivation.SubmitObjection(r.Context(), in, objectionClient(r))
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict || apperr.KindOf(err) == apperr.TooMany {
		status := formStatus(err)
		if apperr.KindOf(err) == apperr.TooMany {
			status = http.StatusTooManyRequests
			setRetryAfter(w, err)
		}
		s.roundNoticePage(w, r, status, form, err, false)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/rounds/"+strconv.FormatInt(id, 10)+"/notice?sent=true", http.StatusSeeOther)
}

type objectionListData struct {
	Objections []cultivation.Objection
	Filter     cultivation.ObjectionFilter
	Pager      pager
	Error      string
}

// handleObjectionList lists the objections in the staff member's view,
// unanswered first, each with its answer form when the viewer may answer.
func (s *Server) handleObjectionList(w http.ResponseWriter, r *http.Request) {
	s.objectionListPage(w, r, http.StatusOK, "")
}

func (s *Server) objectionListPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	st := state(r)
	q := newQuery(r)
	f := cultivation.ObjectionFilter{RoundID: q.ID("round"), Open: q.Bool("open")}
	f.Page, f.PerPage = q.Page(25, 100)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Cultivation.FindObjections(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := objectionListData{Objections: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total), Error: msg}
	s.render(w, r, status, "cultivation/round_objections", s.newPage(r, "round.objections", "cultivation", data))
}

// handleObjectionAnswer answers an objection from the list.
func (s *Server) handleObjectionAnswer(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, err = s.Cultivation.AnswerObjection(r.Context(), st.actor, id, r.PostFormValue("answer"), r.PostFormValue("upheld") == "true")
	if isFormError(err) || apperr.KindOf(err) == apperr.Conflict {
		s.objectionListPage(w, r, formStatus(err), errorText(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	redirectBack(w, r, "/cultivation/rounds/objections")
}

// handleRoundFileUpload uploads one evidence file to an application, for
// one condition or the application as a whole.
func (s *Server) handleRoundFileUpload(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	aid, err := appID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.roundApplicationPage(w, r, http.StatusUnprocessableEntity, apperr.Fields(apperr.Field("file", "import.no_file")))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, cultivation.MaxEvidenceFileBytes+1))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, err = s.Cultivation.AddEvidenceFile(r.Context(), st.actor, id, aid, r.FormValue("condition"), hdr.Filename, data)
	if isFormError(err) {
		s.roundApplicationPage(w, r, http.StatusUnprocessableEntity, err)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/rounds/"+strconv.FormatInt(id, 10)+"/applications/"+strconv.FormatInt(aid, 10)+"#evidence-files", http.StatusSeeOther)
}

// handleRoundFile sends an evidence file to whoever may see the
// application, always as a download with its sniffed type.
func (s *Server) handleRoundFile(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	aid, err := appID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	fid, err := strconv.ParseInt(r.PathValue("fileId"), 10, 64)
	if err != nil || fid < 1 {
		s.writeError(w, r, apperr.New(apperr.NotFound, "round.file_not_found"))
		return
	}
	f, err := s.Cultivation.GetEvidenceFile(r.Context(), state(r).actor, id, aid, fid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	sendFile(w, f.ContentType, f.Filename, f.Data)
}
