package web

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/cultivation"
	"kechuang/internal/i18n"
)

// policyView is a policy as its pages and the API show it.
type policyView struct {
	ID            string                  `json:"id"`
	Name          string                  `json:"name"`
	Issuer        string                  `json:"issuer"`
	Region        string                  `json:"region"`
	RegionName    string                  `json:"region_name"`
	Documents     []cultivation.Document  `json:"documents"`
	SourceURL     string                  `json:"source_url"`
	EffectiveFrom string                  `json:"effective_from"`
	Expires       string                  `json:"expires,omitempty"`
	InForce       bool                    `json:"in_force"`
	NoApplication bool                    `json:"no_application"`
	Summary       string                  `json:"summary"`
	Notes         []string                `json:"notes"`
	Conditions    []cultivation.Condition `json:"conditions"`
	Amount        cultivation.AmountRule  `json:"amount"`
	AmountText    string                  `json:"amount_text"`
	// Unconfirmed maps a field (document_number, issuer, region,
	// effective_from, expires, no_application, amount) to why it is not
	// confirmed; UnconfirmedConditions lists the conditions and figures
	// tagged unconfirmed in the file.
	Unconfirmed           map[string]string `json:"unconfirmed"`
	UnconfirmedConditions []string          `json:"unconfirmed_conditions"`
	// Uptake is the per-county take-up, for those who may see it.
	Uptake *cultivation.PolicyUptake `json:"uptake,omitempty"`
}

// policyView words the policy's texts in lang: the pages pass the
// reader's language, the API Chinese (as the rest of the API does). The
// documents and conditions carry both; templates pick with TitleIn, NameIn
// and RequiredIn.
func (s *Server) policyView(r *http.Request, p *cultivation.Policy, lang string) policyView {
	v := policyView{ID: p.ID, Name: p.NameIn(lang), Issuer: p.IssuerIn(lang), Region: p.Region, RegionName: s.Regions.FullName(r.Context(), p.Region),
		Documents: nonNil(p.Documents), SourceURL: p.SourceURL, EffectiveFrom: p.EffectiveFrom.Format("2006-01-02"),
		InForce: p.InForce(s.Now()), NoApplication: p.NoApplication, Summary: p.SummaryIn(lang), Notes: nonNil(p.NotesIn(lang)),
		Conditions: nonNil(p.Conditions()), Amount: p.Rule(), AmountText: p.AmountText(), Unconfirmed: p.UnconfirmedIn(lang),
		UnconfirmedConditions: nonNil(p.UnconfirmedConditionsIn(lang))}
	if !p.Expires.IsZero() {
		v.Expires = p.Expires.Format("2006-01-02")
	}
	return v
}

// amountRuleText words an amount formula in lang, amounts through
// formatMoney ("¥1M" in English, "100万元" in Chinese).
func amountRuleText(lang string, a cultivation.AmountRule) string {
	switch a.Kind {
	case "fixed":
		return formatMoney(lang, a.Fixed)
	case "rate":
		base := a.MetricIn(lang)
		if a.Less != "" {
			base = "(" + a.MetricIn(lang) + " − " + a.LessIn(lang) + ")"
		}
		s := i18n.T(lang, "policy.rate_of", base, trimFloat(a.Rate*100, 2)+"%")
		if a.Cap > 0 {
			s += i18n.T(lang, "policy.capped_at", formatMoney(lang, a.Cap))
		}
		return s
	}
	var parts []string
	for _, t := range a.Tiers {
		cond := i18n.T(lang, "policy.tier_other")
		if t.Op != "" {
			value := trimFloat(t.Value, 2)
			if t.Money {
				value = formatMoney(lang, t.Value)
			}
			cond = t.MetricIn(lang) + " " + t.Op + " " + value
		}
		parts = append(parts, cond+": "+amountRuleText(lang, t.Amount))
	}
	return strings.Join(parts, "; ")
}

// matchLabel names a match status in lang.
func matchLabel(lang string, st cultivation.MatchStatus) string {
	return i18n.T(lang, "policy.match."+string(st))
}

// claimLabel names a claim status in lang ("" is 未申报).
func claimLabel(lang, status string) string {
	if status == "" {
		return i18n.T(lang, "policy.claim.none")
	}
	return i18n.T(lang, "policy.claim."+status)
}

// policyFieldLabel names a policy field in lang, for the unconfirmed list.
func policyFieldLabel(lang, field string) string { return i18n.T(lang, "policy.field."+field) }

var policyIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// pathPolicy reads the {policy} path value (or {id}); a malformed one is
// NotFound, as an unknown one is.
func pathPolicy(r *http.Request, name string) (string, error) {
	id := r.PathValue(name)
	if !policyIDRE.MatchString(id) {
		return "", apperr.New(apperr.NotFound, "policy.not_found")
	}
	return id, nil
}

type policiesData struct {
	Policies []policyView
	// Summary is the per-county take-up of every policy in force, for
	// staff; nil for others.
	Summary []policySummaryRow
}

// policySummaryRow is one policy's take-up with its name.
type policySummaryRow struct {
	Policy policyView
	cultivation.PolicyUptake
}

// handlePolicyList lists the 惠企政策 and, for staff, how many firms in each
// county meet each one without having claimed it, and the amount.
func (s *Server) handlePolicyList(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	list, err := s.Cultivation.ListPolicies(st.actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := policiesData{}
	views := map[string]policyView{}
	for _, p := range list {
		v := s.policyView(r, p, st.lang)
		data.Policies = append(data.Policies, v)
		views[p.ID] = v
	}
	if s.Cultivation.CanViewPolicyUptake(st.actor) {
		sum, err := s.Cultivation.PolicySummary(r.Context(), st.actor)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, u := range sum {
			data.Summary = append(data.Summary, policySummaryRow{Policy: views[u.Policy], PolicyUptake: u})
		}
	}
	s.render(w, r, http.StatusOK, "cultivation/policies", s.newPage(r, "policy.title", "cultivation", data))
}

type policyData struct {
	P        policyView
	Uptake   *cultivation.PolicyUptake
	Firms    []cultivation.UptakeFirm
	Pager    pager
	County   string
	Counties []countyOption
	Status   string
}

// handlePolicy shows one policy: its document, validity, conditions and
// amount formula with what is unconfirmed, and, for staff, its take-up per
// county and the firms eligible but not claiming (?county=, ?status=).
func (s *Server) handlePolicy(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathPolicy(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Cultivation.GetPolicy(st.actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := policyData{P: s.policyView(r, p, st.lang)}
	if s.Cultivation.CanViewPolicyUptake(st.actor) {
		q := newQuery(r)
		data.County = q.RegionCode("county")
		data.Status = q.Enum("status", "unclaimed", "claimed", "possible")
		page, per := q.Page(25, 200)
		if err := q.Err(); err != nil {
			s.writeError(w, r, err)
			return
		}
		u, err := s.Cultivation.PolicyUptake(r.Context(), st.actor, id, data.County)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		data.Uptake = &u
		for _, c := range s.countyChoices(r) {
			data.Counties = append(data.Counties, countyOption{Code: c.Code, Name: c.Name})
		}
		firms := filterUptakeFirms(u.Firms, data.Status)
		from := min((page-1)*per, len(firms))
		to := min(from+per, len(firms))
		data.Firms = firms[from:to]
		data.Pager = newPager(r, page, per, len(firms))
	}
	pg := s.newPage(r, "policy.title", "cultivation", data)
	pg.Title = p.NameIn(st.lang)
	s.render(w, r, http.StatusOK, "cultivation/policy", pg)
}

// filterUptakeFirms keeps the firms of one kind: eligible and unclaimed,
// eligible and claimed, or possibly eligible; "" keeps all.
func filterUptakeFirms(firms []cultivation.UptakeFirm, status string) []cultivation.UptakeFirm {
	if status == "" {
		return firms
	}
	var out []cultivation.UptakeFirm
	for _, f := range firms {
		keep := false
		switch status {
		case "unclaimed":
			keep = f.Status == cultivation.MatchEligible && f.Claim == ""
		case "claimed":
			keep = f.Status == cultivation.MatchEligible && f.Claim != ""
		case "possible":
			keep = f.Status == cultivation.MatchPossible
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}

// handlePolicyNoApplicationExport sends the 免申即享 list of a policy as
// .xlsx (?county= narrows it).
func (s *Server) handlePolicyNoApplicationExport(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathPolicy(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := newQuery(r)
	county := q.RegionCode("county")
	if err := q.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.Cultivation.ExportNoApplication(r.Context(), st.actor, id, county, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	sendXLSX(w, "免申即享-"+id+"-"+s.Now().Format("20060102")+".xlsx", buf.Bytes())
}

// enterprisePolicyView is one policy on a firm's profile.
type enterprisePolicyView struct {
	cultivation.EnterprisePolicy
	// Errors are the claim form's errors when this policy's form came back.
	Errors map[string]string
	Form   claimForm
}

type claimForm struct{ Status, Amount, Note string }

// enterprisePolicies is the profile's 惠企政策 panel: the policies the firm
// meets or may meet, and how many others it does not.
type enterprisePolicies struct {
	Items      []enterprisePolicyView
	Ineligible int
	CanClaim   bool
}

func (s *Server) enterprisePolicyPanel(r *http.Request, e cultivation.Enterprise) (enterprisePolicies, error) {
	st := state(r)
	list, err := s.Cultivation.EnterprisePolicies(r.Context(), st.actor, e.ID)
	if err != nil {
		return enterprisePolicies{}, err
	}
	out := enterprisePolicies{CanClaim: s.Cultivation.CanClaimPolicy(st.actor, e)}
	for _, p := range list {
		if p.Status == cultivation.MatchIneligible && p.Claim == nil {
			out.Ineligible++
			continue
		}
		v := enterprisePolicyView{EnterprisePolicy: p}
		if p.Claim != nil {
			v.Form = claimForm{Status: p.Claim.Status, Note: p.Claim.Note}
			if p.Claim.Amount != nil {
				v.Form.Amount = trimFloat(*p.Claim.Amount/1e4, 2)
			}
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// handleEnterprisePolicyClaim saves the claim form of one policy on a
// firm's profile: status (none, applied, received), the amount received
// in 万元 and a note.
func (s *Server) handleEnterprisePolicyClaim(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	policyID, err := pathPolicy(r, "policy")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	form := claimForm{Status: strings.TrimSpace(r.PostFormValue("status")), Amount: strings.TrimSpace(r.PostFormValue("received_amount")),
		Note: r.PostFormValue("note")}
	u := cultivation.ClaimUpdate{Status: form.Status, Note: form.Note}
	if u.Status == "none" {
		u.Status = ""
	}
	errs := map[string]string{}
	if form.Amount != "" {
		v, err := formNumber(strings.ReplaceAll(form.Amount, ",", ""))
		if err != nil || v == nil {
			errs["received_amount"] = i18n.T(st.lang, "error.number")
		} else {
			yuan := *v * 1e4
			u.Amount = &yuan
		}
	}
	if len(errs) == 0 {
		_, err = s.Cultivation.SetPolicyClaim(r.Context(), st.actor, id, policyID, u)
		if isFormError(err) {
			errs = formErrors(st.lang, err)
		} else if err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.enterprisePage(w, r, http.StatusUnprocessableEntity, id, yearForm{}, nil, func(d *enterpriseData) {
			for i := range d.Policies.Items {
				if d.Policies.Items[i].Policy == policyID {
					d.Policies.Items[i].Errors, d.Policies.Items[i].Form = errs, form
				}
			}
		})
		return
	}
	http.Redirect(w, r, "/cultivation/enterprises/"+strconv.FormatInt(id, 10)+"?done=policy#policies", http.StatusSeeOther)
}

// sortedUnconfirmed returns a policy's unconfirmed fields in the order of
// cultivation.PolicyFields.
func sortedUnconfirmed(m map[string]string) []string {
	var out []string
	for _, f := range cultivation.PolicyFields {
		if _, ok := m[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

// policyListQuery keeps the policy page's filters for its links.
func policyListQuery(county, status string) string {
	v := url.Values{}
	if county != "" {
		v.Set("county", county)
	}
	if status != "" {
		v.Set("status", status)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// moneyPtr is formatMoney for an amount that may be unknown ("—").
func moneyPtr(lang string, v *float64) string {
	if v == nil {
		return "—"
	}
	return formatMoney(lang, *v)
}
