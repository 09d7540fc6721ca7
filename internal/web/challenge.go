package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/challenge"
	"kechuang/internal/i18n"
)

// challengeModule is 揭榜挂帅: the challenges with their terms and stages,
// applications, the review panel and its scorecards, the public 公示 with
// its objections, and the hand-over to the project library — pages and
// API.
func (s *Server) challengeModule() module {
	return module{Key: "challenges", Path: "/challenges", Order: 22, Card: true, Ready: true, Visible: s.Challenges.CanView,
		Funcs: template.FuncMap{
			"challengeStage": func(lang string, st any) string { return i18n.T(lang, "challenge.stage."+fmt.Sprint(st)) },
			"challengeKind":  func(lang string, k any) string { return i18n.T(lang, "challenge.kind."+fmt.Sprint(k)) },
			"challengeAct":   func(lang, act string) string { return i18n.T(lang, "challenge.act."+act) },
			"challengeStages": func() []challenge.Stage {
				return challenge.Stages
			},
			"conflictName": func(lang, code string) string { return i18n.T(lang, "challenge.conflict."+code) },
		},
		Routes: func(rt *router) {
			rt.open("GET /challenges", s.handleChallengeList)
			rt.signedIn("GET /challenges/new", s.handleChallengeNew)
			rt.signedIn("POST /challenges", s.handleChallengeCreate)
			rt.open("GET /challenges/{id}", s.handleChallenge)
			rt.signedIn("GET /challenges/{id}/edit", s.handleChallengeEdit)
			rt.signedIn("POST /challenges/{id}", s.handleChallengeUpdate)
			rt.signedIn("POST /challenges/{id}/step", s.handleChallengeStep)
			rt.signedIn("GET /challenges/{id}/apply", s.handleChallengeApplyForm)
			rt.signedIn("POST /challenges/{id}/applications", s.handleChallengeApply)
			rt.open("GET /challenges/{id}/applications/{app}", s.handleChallengeApplication)
			rt.signedIn("POST /challenges/{id}/applications/{app}/attachments", s.handleChallengeAttach, bodyLimit(uploadBodyBytes))
			rt.signedIn("POST /challenges/{id}/applications/{app}/check", s.handleChallengeCheck)
			rt.signedIn("POST /challenges/{id}/applications/{app}/sign", s.handleChallengeTeamSign)
			rt.signedIn("GET /challenge-files/{id}", s.handleChallengeAttachment)
			rt.signedIn("GET /challenges/{id}/review", s.handleChallengeReview)
			rt.signedIn("POST /challenges/{id}/panel", s.handleChallengePanel)
			rt.signedIn("POST /challenges/{id}/declaration", s.handleChallengeDeclare)
			rt.signedIn("POST /challenges/{id}/scores", s.handleChallengeScore)
			rt.open("GET /challenges/{id}/notice", s.handleChallengeNotice)
			rt.open("POST /challenges/{id}/objections", s.handleChallengeObject)
			rt.signedIn("POST /challenges/{id}/objections/{objection}/answer", s.handleChallengeAnswer)
			rt.api("GET /api/v1/challenges", s.handleAPIChallenges)
			rt.api("POST /api/v1/challenges", s.handleAPIChallengeCreate)
			rt.api("GET /api/v1/challenges/{id}", s.handleAPIChallenge)
			rt.api("POST /api/v1/challenges/{id}/steps", s.handleAPIChallengeStep)
			rt.api("GET /api/v1/challenges/{id}/applications", s.handleAPIChallengeApplications)
			rt.api("POST /api/v1/challenges/{id}/applications", s.handleAPIChallengeApply)
			rt.api("GET /api/v1/challenges/{id}/reviews", s.handleAPIChallengeReviews)
			rt.api("POST /api/v1/challenges/{id}/reviews", s.handleAPIChallengeScore)
		}}
}

// pathInt64 reads a numeric path value other than {id}.
func pathInt64(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n < 1 {
		return 0, apperr.New(apperr.NotFound, "challenge.not_found")
	}
	return n, nil
}

type challengeListData struct {
	Challenges []challenge.Challenge
	Filter     challenge.Filter
	Pager      pager
	Stages     []challenge.Stage
	Kinds      []challenge.Kind
	CanCreate  bool
}

// handleChallengeList lists the challenges the viewer sees: the published
// ones to everyone, drafts to their authors and the staff in scope.
func (s *Server) handleChallengeList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	q := newQuery(r)
	stages := make([]string, len(challenge.Stages))
	for i, x := range challenge.Stages {
		stages[i] = string(x)
	}
	f := challenge.Filter{Query: q.Text("q"), Kind: challenge.Kind(q.Enum("kind", "gov", "enterprise")),
		Stage: challenge.Stage(q.Enum("stage", stages...)), Mine: q.Bool("mine")}
	f.Page, f.PerPage = q.Page(20, 100)
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Challenges.FindChallenges(r.Context(), st.actor, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := challengeListData{Challenges: list, Filter: f, Pager: newPager(r, f.Page, f.PerPage, total), Stages: challenge.Stages,
		Kinds: challenge.Kinds, CanCreate: s.Challenges.CanCreate(st.actor)}
	s.render(w, r, http.StatusOK, "challenge/list", s.newPage(r, "nav.challenges", "challenges", data))
}

type challengeFormData struct {
	ID         int64
	Form       challenge.Input
	Indicators string
	Criteria   string
	Errors     map[string]string
	Kind       challenge.Kind
}

// defaultCriteria is the review scheme a new challenge's form proposes.
var defaultCriteria = []challenge.Criterion{{Name: "技术先进性", Weight: 30}, {Name: "方案可行性", Weight: 30},
	{Name: "团队能力", Weight: 20}, {Name: "经费合理性", Weight: 20}}

// handleChallengeNew shows the form of a new challenge; the optional
// query parameters title and problem prefill it (the 产业链 pages link here
// with a gap they found).
func (s *Server) handleChallengeNew(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	in := challenge.Input{Title: q.Text("title"), Problem: q.Text("problem"), Criteria: defaultCriteria, PeriodMonths: 24,
		NoticeDays: challenge.DefaultNoticeDays}
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.challengeFormPage(w, r, http.StatusOK, 0, in, "", "", nil)
}

func (s *Server) challengeFormPage(w http.ResponseWriter, r *http.Request, status int, id int64, in challenge.Input, inds, crit string,
	errs map[string]string) {
	st := state(r)
	if !s.Challenges.CanCreate(st.actor) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "challenge.only_publishers"))
		return
	}
	if inds == "" {
		inds = strings.Join(in.Indicators, "\n")
	}
	if crit == "" {
		crit = challenge.FormatCriteria(in.Criteria)
	}
	data := challengeFormData{ID: id, Form: in, Indicators: inds, Criteria: crit, Errors: errs, Kind: challenge.KindFor(st.actor)}
	title := "challenge.new"
	if id != 0 {
		title = "challenge.edit"
	}
	s.render(w, r, status, "challenge/form", s.newPage(r, title, "challenges", data))
}

// challengeForm reads the challenge form; errs holds the fields it could
// not read.
func challengeForm(r *http.Request, lang string) (challenge.Input, map[string]string) {
	v := formValues(r)
	errs := map[string]string{}
	in := challenge.Input{Title: v.Get("title"), Problem: r.PostFormValue("problem"), Indicators: challenge.Lines(r.PostFormValue("indicators")),
		Field: v.Get("field"), Eligibility: r.PostFormValue("eligibility"), IPTerms: r.PostFormValue("ip_terms"),
		PaymentTerms: r.PostFormValue("payment_terms"), Blind: v.Get("blind") == "true", Defense: v.Get("defense") == "true",
		PublisherName: v.Get("publisher_name")}
	in.Budget = formFloat(v, "budget", lang, errs)
	in.PeriodMonths = formInt(v, "period_months", lang, errs)
	in.NoticeDays = formInt(v, "notice_days", lang, errs)
	if d, err := formDate(r, "apply_until"); err != nil {
		errs["apply_until"] = i18n.T(lang, "error.date_format")
	} else {
		in.ApplyUntil = d
	}
	crit, err := challenge.ParseCriteria("criteria", r.PostFormValue("criteria"))
	if err != nil {
		for k, m := range formErrors(lang, err) {
			errs[k] = m
		}
	}
	in.Criteria = crit
	return in, errs
}

// handleChallengeCreate drafts a challenge from the form.
func (s *Server) handleChallengeCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	in, errs := challengeForm(r, st.lang)
	inds, crit := r.PostFormValue("indicators"), r.PostFormValue("criteria")
	if len(errs) > 0 {
		s.challengeFormPage(w, r, http.StatusUnprocessableEntity, 0, in, inds, crit, errs)
		return
	}
	c, err := s.Challenges.CreateChallenge(r.Context(), st.actor, in)
	if isFormError(err) {
		s.challengeFormPage(w, r, formStatus(err), 0, in, inds, crit, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/challenges/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// handleChallengeEdit shows a draft's form to its author.
func (s *Server) handleChallengeEdit(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Challenges.GetChallenge(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !challenge.CanEdit(st.actor, c) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "challenge.terms_fixed"))
		return
	}
	in := challenge.Input{Kind: c.Kind, Title: c.Title, Problem: c.Problem, Indicators: c.Indicators, Field: c.Field, Budget: c.Budget,
		PeriodMonths: c.PeriodMonths, Eligibility: c.Eligibility, IPTerms: c.IPTerms, PaymentTerms: c.PaymentTerms,
		Criteria: c.Criteria, Blind: c.Blind, Defense: c.Defense, NoticeDays: c.NoticeDays, ApplyUntil: c.ApplyUntil,
		PublisherName: c.PublisherName}
	s.challengeFormPage(w, r, http.StatusOK, id, in, "", "", nil)
}

// handleChallengeUpdate saves a draft's terms.
func (s *Server) handleChallengeUpdate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, errs := challengeForm(r, st.lang)
	inds, crit := r.PostFormValue("indicators"), r.PostFormValue("criteria")
	if len(errs) > 0 {
		s.challengeFormPage(w, r, http.StatusUnprocessableEntity, id, in, inds, crit, errs)
		return
	}
	_, err = s.Challenges.UpdateChallenge(r.Context(), st.actor, id, in)
	if isFormError(err) {
		s.challengeFormPage(w, r, formStatus(err), id, in, inds, crit, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/challenges/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
