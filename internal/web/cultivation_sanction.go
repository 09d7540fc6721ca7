package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
)

// sanctionRoutes registers the spot checks, the blacklist and the public
// list of sanctions (抽查、撤销、黑名单) with the cultivation module.
func (s *Server) sanctionRoutes(rt *router) {
	rt.signedIn("GET /cultivation/spot-checks", s.handleSpotCheckList)
	rt.signedIn("POST /cultivation/spot-checks", s.handleSpotCheckCreate)
	rt.signedIn("GET /cultivation/spot-checks/{id}", s.handleSpotCheck)
	rt.signedIn("GET /cultivation/spot-checks/{id}/firms/{enterpriseId}", s.handleSpotCheckFirm)
	rt.signedIn("POST /cultivation/spot-checks/{id}/firms/{enterpriseId}", s.handleSpotCheckFirmSave)
	rt.signedIn("GET /cultivation/blacklist", s.handleBlacklist)
	rt.signedIn("POST /cultivation/blacklist", s.handleBlacklistAdd)
	rt.signedIn("POST /cultivation/blacklist/{id}/removal", s.handleBlacklistRemove)
	rt.open("GET /cultivation/public/sanctions", s.handlePublicSanctions)
	rt.api("GET /api/v1/spot-checks", s.handleAPISpotChecks)
	rt.api("POST /api/v1/spot-checks", s.handleAPISpotCheckCreate)
	rt.api("GET /api/v1/spot-checks/{id}", s.handleAPISpotCheck)
	rt.api("PUT /api/v1/spot-checks/{id}/firms/{enterpriseId}", s.handleAPISpotCheckFindings)
	rt.api("GET /api/v1/blacklist", s.handleAPIBlacklist)
	rt.api("POST /api/v1/blacklist", s.handleAPIBlacklistAdd)
	rt.api("POST /api/v1/blacklist/{id}/removal", s.handleAPIBlacklistRemove)
}

// spotCheckRuleSets are the rule sets a spot check may draw from: those
// whose title is a certificate.
var spotCheckRuleSets = []string{"tech-sme", "high-tech", "innovative-sme", "specialized-sme", "little-giant"}

type spotCheckForm struct {
	Title, RuleSet, Share, Seed, FlagWeight, EnterpriseIDs, RoundID string
}

type spotChecksData struct {
	Checks    []cultivation.SpotCheck
	Pager     pager
	CanCreate bool
	CanList   bool
	RuleSets  []string
	// Rounds are the rounds whose accepted firms a draw may take.
	Rounds []cultivation.Round
	Form   spotCheckForm
	Errors map[string]string
}

const sanctionPerPage = 25

// handleSpotCheckList lists the spot checks, with the draw form for
// bureau staff.
func (s *Server) handleSpotCheckList(w http.ResponseWriter, r *http.Request) {
	s.spotCheckListPage(w, r, http.StatusOK, spotCheckForm{Share: "5", FlagWeight: "0"}, nil)
}

func (s *Server) spotCheckListPage(w http.ResponseWriter, r *http.Request, status int, form spotCheckForm, errs map[string]string) {
	st := state(r)
	q := newQuery(r)
	page := q.PageNumber()
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Cultivation.FindSpotChecks(r.Context(), st.actor, page, sanctionPerPage)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := spotChecksData{Checks: list, Pager: newPager(r, page, sanctionPerPage, total), CanCreate: s.Cultivation.CanCreateSpotChecks(st.actor),
		CanList: s.Cultivation.CanManageBlacklist(st.actor), RuleSets: spotCheckRuleSets, Form: form, Errors: errs}
	if data.CanCreate {
		if data.Rounds, _, err = s.Cultivation.FindRounds(r.Context(), st.actor, cultivation.RoundFilter{Page: 1, PerPage: 100}); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.render(w, r, status, "cultivation/spot_checks", s.newPage(r, "sanction.spot_checks", "cultivation", data))
}

// handleSpotCheckCreate draws a spot check from the form.
func (s *Server) handleSpotCheckCreate(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	form := spotCheckForm{Title: r.PostFormValue("title"), RuleSet: r.PostFormValue("rule_set"), Share: r.PostFormValue("share_percent"),
		Seed: r.PostFormValue("seed"), FlagWeight: r.PostFormValue("flag_weight"), EnterpriseIDs: r.PostFormValue("enterprise_ids"),
		RoundID: r.PostFormValue("round_id")}
	in := cultivation.SpotCheckInput{Title: form.Title, RuleSet: form.RuleSet}
	var fields []apperr.FieldError
	if share, err := formNumber(form.Share); err != nil || share == nil {
		fields = append(fields, apperr.Field("share_percent", "sanction.share_range"))
	} else if bp, err := cultivation.SharePercentBP(*share); err != nil {
		fields = append(fields, apperr.Field("share_percent", "sanction.share_range"))
	} else {
		in.ShareBP = bp
	}
	if v := strings.TrimSpace(form.Seed); v != "" {
		seed, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			fields = append(fields, apperr.Field("seed", "sanction.seed_range"))
		}
		in.Seed = &seed
	}
	if v := strings.TrimSpace(form.FlagWeight); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fields = append(fields, apperr.Field("flag_weight", "sanction.flag_weight_range", 10))
		}
		in.FlagWeight = n
	}
	if v := strings.TrimSpace(form.RoundID); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fields = append(fields, apperr.Field("round_id", "round.not_found"))
		}
		in.RoundID = id
	}
	for _, p := range splitList(strings.ReplaceAll(form.EnterpriseIDs, "\n", ",")) {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			fields = append(fields, apperr.Field("enterprise_ids", "sanction.population_unknown", p))
			break
		}
		in.EnterpriseIDs = append(in.EnterpriseIDs, id)
	}
	var err error
	var c cultivation.SpotCheck
	if len(fields) > 0 {
		err = apperr.Fields(fields...)
	} else {
		c, err = s.Cultivation.CreateSpotCheck(r.Context(), st.actor, in)
	}
	if isFormError(err) {
		s.spotCheckListPage(w, r, http.StatusUnprocessableEntity, form, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/spot-checks/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

type spotCheckData struct {
	Check     cultivation.SpotCheck
	CanRecord map[int64]bool
}

// handleSpotCheck shows a spot check and its drawn firms.
func (s *Server) handleSpotCheck(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Cultivation.GetSpotCheck(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	can := map[int64]bool{}
	for _, f := range c.Firms {
		can[f.EnterpriseID] = f.Outcome == "" && s.Cultivation.CanRecordFindings(st.actor, f.RegionCode)
	}
	s.render(w, r, http.StatusOK, "cultivation/spot_check", s.newPage(r, "sanction.spot_check", "cultivation", spotCheckData{Check: c, CanRecord: can}))
}

type spotCheckFirmData struct {
	Check     cultivation.SpotCheck
	Firm      cultivation.SpotCheckFirm
	Results   map[string]cultivation.Finding
	Choices   []string
	CanRecord bool
	Reason    string
	RevokedOn string
	Errors    map[string]string
}

// handleSpotCheckFirm shows the findings form of one drawn firm.
func (s *Server) handleSpotCheckFirm(w http.ResponseWriter, r *http.Request) {
	s.spotCheckFirmPage(w, r, http.StatusOK, nil, "", "", nil)
}

func (s *Server) spotCheckFirmPage(w http.ResponseWriter, r *http.Request, status int, findings []cultivation.Finding, reason, revokedOn string,
	errs map[string]string) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	eid, err := enterpriseIDParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Cultivation.GetSpotCheck(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := spotCheckFirmData{Check: c, Results: map[string]cultivation.Finding{}, Choices: []string{cultivation.FindingPass,
		cultivation.FindingFail, cultivation.FindingNote}, Reason: reason, RevokedOn: revokedOn, Errors: errs}
	found := false
	for _, f := range c.Firms {
		if f.EnterpriseID == eid {
			data.Firm, found = f, true
		}
	}
	if !found {
		s.writeError(w, r, apperr.New(apperr.NotFound, "sanction.firm_not_drawn"))
		return
	}
	data.CanRecord = data.Firm.Outcome == "" && s.Cultivation.CanRecordFindings(st.actor, data.Firm.RegionCode)
	if findings == nil {
		findings = data.Firm.Findings
	}
	for _, f := range findings {
		data.Results[f.Condition] = f
	}
	s.render(w, r, status, "cultivation/spot_check_firm", s.newPage(r, "sanction.findings", "cultivation", data))
}

// handleSpotCheckFirmSave records the findings form.
func (s *Server) handleSpotCheckFirmSave(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	eid, err := enterpriseIDParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Cultivation.GetSpotCheck(r.Context(), st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in := cultivation.FindingsInput{Complete: r.PostFormValue("complete") == "true", Reason: r.PostFormValue("reason")}
	for _, p := range c.Conditions {
		result := r.PostFormValue("result_" + p.ID)
		if result == "" {
			continue
		}
		in.Findings = append(in.Findings, cultivation.Finding{Condition: p.ID, Result: result, Note: r.PostFormValue("note_" + p.ID)})
	}
	revokedOn := strings.TrimSpace(r.PostFormValue("revoked_on"))
	if revokedOn != "" {
		d, perr := time.Parse("2006-01-02", revokedOn)
		if perr != nil {
			s.spotCheckFirmPage(w, r, http.StatusUnprocessableEntity, in.Findings, in.Reason, revokedOn,
				formErrors(st.lang, apperr.Fields(apperr.Field("revoked_on", "error.date_format"))))
			return
		}
		in.RevokedOn = cultivation.Date{Time: d}
	}
	_, err = s.Cultivation.RecordFindings(r.Context(), st.actor, id, eid, in)
	if isFormError(err) {
		s.spotCheckFirmPage(w, r, http.StatusUnprocessableEntity, in.Findings, in.Reason, revokedOn, findingErrors(st.lang, err, in.Findings))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/spot-checks/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// findingErrors names the form's errors by its rows: a finding's
// "findings[2].note" becomes "cond_<condition>", the row of that condition.
func findingErrors(lang string, err error, findings []cultivation.Finding) map[string]string {
	out := map[string]string{}
	e := apperr.As(err)
	if e == nil {
		return out
	}
	for _, f := range e.Fields {
		key := f.Field
		if rest, ok := strings.CutPrefix(key, "findings["); ok {
			if i, err := strconv.Atoi(rest[:strings.IndexByte(rest, ']')]); err == nil && i < len(findings) {
				key = "cond_" + findings[i].Condition
			}
		}
		out[key] = i18n.T(lang, f.Key, f.Args...)
	}
	return out
}

type blacklistForm struct {
	EnterpriseID, Kind, Reason, Document, StartsOn, EndsOn string
}

type blacklistData struct {
	Entries []cultivation.BlacklistEntry
	Pager   pager
	Kinds   []string
	Form    blacklistForm
	Errors  map[string]string
	Today   time.Time
}

// handleBlacklist shows the whole blacklist to those who manage it, with
// the forms to list a firm and to end a listing.
func (s *Server) handleBlacklist(w http.ResponseWriter, r *http.Request) {
	s.blacklistPage(w, r, http.StatusOK, blacklistForm{}, nil)
}

func (s *Server) blacklistPage(w http.ResponseWriter, r *http.Request, status int, form blacklistForm, errs map[string]string) {
	st := state(r)
	q := newQuery(r)
	page := q.PageNumber()
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, total, err := s.Cultivation.FindBlacklist(r.Context(), st.actor, cultivation.BlacklistFilter{All: true, Page: page, PerPage: sanctionPerPage})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := blacklistData{Entries: list, Pager: newPager(r, page, sanctionPerPage, total), Kinds: cultivation.BlacklistKinds, Form: form,
		Errors: errs, Today: s.Now()}
	s.render(w, r, status, "cultivation/blacklist", s.newPage(r, "sanction.blacklist", "cultivation", data))
}

func sanctionDate(v string) (cultivation.Date, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return cultivation.Date{}, true
	}
	d, err := time.Parse("2006-01-02", v)
	return cultivation.Date{Time: d}, err == nil
}

// handleBlacklistAdd lists a firm from the form.
func (s *Server) handleBlacklistAdd(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	form := blacklistForm{EnterpriseID: r.PostFormValue("enterprise_id"), Kind: r.PostFormValue("kind"), Reason: r.PostFormValue("reason"),
		Document: r.PostFormValue("document"), StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on")}
	in := cultivation.BlacklistInput{Kind: form.Kind, Reason: form.Reason, Document: form.Document}
	var fields []apperr.FieldError
	if id, err := strconv.ParseInt(strings.TrimSpace(form.EnterpriseID), 10, 64); err == nil {
		in.EnterpriseID = id
	} else if strings.TrimSpace(form.EnterpriseID) != "" {
		fields = append(fields, apperr.Field("enterprise_id", "cultivation.enterprise_not_found"))
	}
	var ok bool
	if in.StartsOn, ok = sanctionDate(form.StartsOn); !ok {
		fields = append(fields, apperr.Field("starts_on", "error.date_format"))
	}
	if in.EndsOn, ok = sanctionDate(form.EndsOn); !ok {
		fields = append(fields, apperr.Field("ends_on", "error.date_format"))
	}
	var err error
	if len(fields) > 0 {
		err = apperr.Fields(fields...)
	} else {
		_, err = s.Cultivation.AddToBlacklist(r.Context(), st.actor, in)
	}
	if isFormError(err) {
		s.blacklistPage(w, r, http.StatusUnprocessableEntity, form, formErrors(st.lang, err))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/blacklist", http.StatusSeeOther)
}

// handleBlacklistRemove ends a listing from the form.
func (s *Server) handleBlacklistRemove(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, err = s.Cultivation.RemoveFromBlacklist(r.Context(), st.actor, id, r.PostFormValue("reason"))
	if isFormError(err) {
		errs := formErrors(st.lang, err)
		errs["removal_"+strconv.FormatInt(id, 10)] = errs["reason"]
		delete(errs, "reason")
		s.blacklistPage(w, r, http.StatusUnprocessableEntity, blacklistForm{}, errs)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/cultivation/blacklist", http.StatusSeeOther)
}

type publicSanctionsData struct {
	List        string // "", "revocations" or "blacklist": both first pages, or one list paged
	Revocations []cultivation.Revocation
	Blacklist   []cultivation.BlacklistEntry
	RevPager    pager
	ListPager   pager
	Back        bool
}

// handlePublicSanctions is the public list (公示) of revocations and of
// the blacklist in force; it needs no login. ?list= pages one of them.
func (s *Server) handlePublicSanctions(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	q := newQuery(r)
	list := q.Enum("list", "revocations", "blacklist")
	page := q.PageNumber()
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	data := publicSanctionsData{List: list, Back: s.Cultivation.CanViewRegistry(st.actor)}
	revPage, listPage := 1, 1
	switch list {
	case "revocations":
		revPage = page
	case "blacklist":
		listPage = page
	}
	if list != "blacklist" {
		revs, total, err := s.Cultivation.FindRevocations(r.Context(), revPage, sanctionPerPage)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		data.Revocations, data.RevPager = revs, pager{Page: revPage, PerPage: sanctionPerPage, Total: total, Query: "list=revocations"}
	}
	if list != "revocations" {
		entries, total, err := s.Cultivation.FindBlacklist(r.Context(), st.actor, cultivation.BlacklistFilter{Page: listPage, PerPage: sanctionPerPage})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		data.Blacklist, data.ListPager = entries, pager{Page: listPage, PerPage: sanctionPerPage, Total: total, Query: "list=blacklist"}
	}
	s.render(w, r, http.StatusOK, "cultivation/public_sanctions", s.newPage(r, "sanction.public", "cultivation", data))
}
