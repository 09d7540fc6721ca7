package web

import (
	"html/template"

	"kechuang/internal/cultivation"
)

// cultivationModule is enterprise cultivation (企业培育): the registry and
// enterprise profiles with their assessments, the pool, county targets,
// the rule sets, imports, the assessment report and the 惠企政策 — pages and API.
func (s *Server) cultivationModule() module {
	return module{Key: "cultivation", Path: "/cultivation", Order: 20, Card: true, Ready: true, Visible: s.Cultivation.CanViewRegistry,
		Funcs: template.FuncMap{
			"wan":              yuanToWan,
			"fieldLabel":       fieldLabelIn,
			"amountIn":         amountIn,
			"tierLabel":        tierLabel,
			"plainText":        cultivation.PlainText,
			"gapText":          func(lang string, g cultivation.Gap) string { return g.Text(lang) },
			"confirmText":      cultivation.ConfirmText,
			"conditionStatus":  conditionStatus,
			"standingBasis":    standingBasis,
			"cellOf":           func(lang string, p cultivation.IndicatorProgress) targetCell { return targetCell{Lang: lang, P: p} },
			"certificateTypes": func() []string { return certificateTypes },
			"yearAmountFields": func() []string { return yearAmountFields },
			"yearCountFields":  func() []string { return yearCountFields },
			"amountRule":       amountRuleText,
			"matchLabel":       matchLabel,
			"claimLabel":       claimLabel,
			"policyField":      policyFieldLabel,
			"unconfirmedOf":    sortedUnconfirmed,
			"policyQuery":      policyListQuery,
			"claimStatuses":    func() []string { return cultivation.ClaimStatuses },
			"policyFilters":    func() []string { return []string{"unclaimed", "claimed", "possible"} },
			"moneyPtr":         moneyPtr,
		},
		Routes: func(rt *router) {
			rt.signedIn("GET /cultivation", s.handleCultivationList)
			rt.signedIn("GET /cultivation/enterprises/new", s.handleEnterpriseNew)
			rt.signedIn("POST /cultivation/enterprises", s.handleEnterpriseCreate)
			rt.signedIn("GET /cultivation/enterprises/{id}", s.handleEnterprise)
			rt.signedIn("GET /cultivation/enterprises/{id}/edit", s.handleEnterpriseEdit)
			rt.signedIn("POST /cultivation/enterprises/{id}", s.handleEnterpriseUpdate)
			rt.signedIn("POST /cultivation/enterprises/{id}/years", s.handleEnterpriseYear)
			rt.signedIn("POST /cultivation/enterprises/{id}/assess", s.handleEnterpriseAssess)
			rt.signedIn("POST /cultivation/enterprises/{id}/tier", s.handleEnterpriseTier)
			rt.signedIn("POST /cultivation/enterprises/{id}/flags/{code}/check", s.handleEnterpriseFlagCheck)
			rt.signedIn("POST /cultivation/enterprises/{id}/policies/{policy}", s.handleEnterprisePolicyClaim)
			rt.signedIn("GET /cultivation/policies", s.handlePolicyList)
			rt.signedIn("GET /cultivation/policies/{id}", s.handlePolicy)
			rt.signedIn("GET /cultivation/policies/{id}/no-application.xlsx", s.handlePolicyNoApplicationExport)
			rt.signedIn("GET /cultivation/pool", s.handleCultivationPool)
			rt.signedIn("POST /cultivation/pool/decide", s.handleCultivationPoolDecide)
			rt.signedIn("GET /cultivation/targets", s.handleCultivationTargets)
			rt.signedIn("POST /cultivation/targets", s.handleCultivationTargetSet)
			rt.signedIn("GET /cultivation/targets.xlsx", s.handleCultivationTargetsExport)
			rt.open("GET /cultivation/rules", s.handleCultivationRules)
			rt.importRoutes(s.cultivationImport())
			s.sanctionRoutes(rt)
			rt.signedIn("GET /cultivation/export.xlsx", s.handleCultivationExport)
			rt.api("POST /api/v1/assessments", s.handleAPIAssessment)
			rt.api("GET /api/v1/rule-sets", s.handleAPIRuleSets)
			rt.api("GET /api/v1/enterprises", s.handleAPIEnterprises)
			rt.api("POST /api/v1/enterprises", s.handleAPIEnterpriseCreate)
			rt.api("GET /api/v1/enterprises/{id}", s.handleAPIEnterprise)
			rt.api("PUT /api/v1/enterprises/{id}", s.handleAPIEnterpriseUpdate)
			rt.api("PUT /api/v1/enterprises/{id}/years/{year}", s.handleAPIEnterpriseYear)
			rt.api("POST /api/v1/enterprises/{id}/assess", s.handleAPIEnterpriseAssess)
			rt.api("GET /api/v1/enterprises/{id}/flags", s.handleAPIEnterpriseFlags)
			rt.api("POST /api/v1/enterprises/{id}/flags/{code}/check", s.handleAPIEnterpriseFlagCheck)
			rt.api("GET /api/v1/enterprises/{id}/policies", s.handleAPIEnterprisePolicies)
			rt.api("PUT /api/v1/enterprises/{id}/policies/{policyId}", s.handleAPIEnterprisePolicyClaim)
			rt.api("GET /api/v1/policies", s.handleAPIPolicies)
			rt.api("GET /api/v1/policies/{id}", s.handleAPIPolicy)
			rt.api("GET /api/v1/pool", s.handleAPIPool)
			rt.api("POST /api/v1/pool/decisions", s.handleAPIPoolDecisions)
			rt.api("GET /api/v1/targets", s.handleAPITargets)
			rt.api("PUT /api/v1/targets", s.handleAPITargetSet)
			s.roundRoutes(rt)
		}}
}
