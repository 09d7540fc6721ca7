package web

import (
	"fmt"
	"html/template"
	"strconv"

	"kechuang/internal/account"
	"kechuang/internal/i18n"
	"kechuang/internal/project"
	"kechuang/internal/workday"
)

// projectModule is the project library (项目库): the leaders' view, the
// project list, detail and forms, monthly reports and the month's ledger,
// 督办 orders, enterprise service requests (一企一策) and products — pages
// and API.
func (s *Server) projectModule() module {
	return module{Key: "projects", Path: "/projects", Order: 30, Card: true, Ready: true,
		// Staff see the library; enterprises reach their service requests
		// through the same entry.
		Visible: func(a account.Actor) bool { return project.CanViewModule(a) || project.CanSubmitRequest(a) },
		Funcs: template.FuncMap{
			"projectType":  s.projectTypeName,
			"projectStaff": project.CanViewModule,
			// The labels take the code as text or as its type.
			"stageName":      func(lang string, st any) string { return i18n.T(lang, "project.stage."+fmt.Sprint(st)) },
			"lightName":      func(lang string, l any) string { return i18n.T(lang, "project.light."+fmt.Sprint(l)) },
			"reasonText":     func(lang string, r project.Reason) string { return r.Text(lang) },
			"actionName":     func(lang, act string) string { return i18n.T(lang, "project.act."+act) },
			"wday":           dayText,
			"keyFilterQuery": keyFilterQuery,
			"amount":         wanText,
			"amountPtr": func(v *float64) string {
				if v == nil {
					return "—"
				}
				return wanText(*v)
			},
		},
		Routes: func(rt *router) {
			rt.signedIn("GET /projects", s.handleProjectOverview)
			rt.signedIn("GET /projects/list", s.handleProjectList)
			rt.importRoutes(s.projectImport())
			rt.signedIn("GET /projects/export.xlsx", s.handleProjectExport)
			rt.signedIn("GET /projects/new", s.handleProjectNew)
			rt.signedIn("POST /projects", s.handleProjectCreate)
			rt.signedIn("GET /projects/{id}", s.handleProject)
			rt.signedIn("GET /projects/{id}/edit", s.handleProjectEdit)
			rt.signedIn("POST /projects/{id}", s.handleProjectUpdate)
			rt.signedIn("POST /projects/{id}/transition", s.handleProjectTransition)
			rt.signedIn("POST /projects/{id}/adjust", s.handleProjectAdjust)
			rt.signedIn("POST /projects/milestones/{id}/complete", s.handleMilestoneComplete)
			rt.signedIn("GET /projects/{id}/report", s.handleProjectReport)
			rt.signedIn("POST /projects/{id}/report", s.handleProjectReportSubmit)
			rt.signedIn("GET /projects/ledger", s.handleProjectLedger)
			rt.signedIn("GET /projects/ledger.xlsx", s.handleProjectLedgerExport)
			rt.signedIn("GET /supervisions", s.handleSupervisionList)
			rt.signedIn("POST /supervisions", s.handleSupervisionOpen)
			rt.signedIn("GET /supervisions/{id}", s.handleSupervision)
			rt.signedIn("POST /supervisions/{id}/reply", s.handleSupervisionStep(project.StepReply))
			rt.signedIn("POST /supervisions/{id}/accept", s.handleSupervisionStep(project.StepAccept))
			rt.signedIn("POST /supervisions/{id}/return", s.handleSupervisionStep(project.StepReturn))
			rt.signedIn("GET /service-requests", s.handleRequestList)
			rt.signedIn("GET /service-requests/new", s.handleRequestNew)
			rt.signedIn("POST /service-requests", s.handleRequestSubmit)
			rt.signedIn("GET /service-requests/{id}", s.handleRequest)
			rt.signedIn("POST /service-requests/{id}/assign", s.handleRequestStepForm(project.ReqAssign))
			rt.signedIn("POST /service-requests/{id}/respond", s.handleRequestStepForm(project.ReqRespond))
			rt.signedIn("POST /service-requests/{id}/resolve", s.handleRequestStepForm(project.ReqResolve))
			rt.signedIn("POST /service-requests/{id}/confirm", s.handleRequestStepForm(project.ReqConfirm))
			rt.signedIn("GET /projects/products", s.handleProductList)
			rt.signedIn("GET /projects/key-enterprises", s.handleKeyLibrary)
			rt.signedIn("GET /projects/key-enterprises/export.xlsx", s.handleKeyLibraryExport)
			rt.signedIn("POST /projects/key-enterprises", s.handleKeyEnterpriseSet)
			rt.signedIn("POST /projects/key-filters", s.handleKeyFilterSave)
			rt.signedIn("POST /projects/key-filters/{id}/delete", s.handleKeyFilterDelete)
			rt.signedIn("GET /projects/units", s.handleUnits)
			rt.signedIn("POST /projects/units", s.handleUnitCreate)
			rt.signedIn("POST /projects/units/{id}/members", s.handleUnitMember)
			rt.api("GET /api/v1/projects", s.handleAPIProjects)
			rt.api("POST /api/v1/projects", s.handleAPIProjectCreate)
			rt.api("GET /api/v1/projects/{id}", s.handleAPIProject)
			rt.api("PUT /api/v1/projects/{id}", s.handleAPIProjectUpdate)
			rt.api("POST /api/v1/projects/{id}/transition", s.handleAPIProjectTransition)
			rt.api("POST /api/v1/projects/{id}/adjustment", s.handleAPIProjectAdjustment)
			rt.api("GET /api/v1/projects/{id}/milestones", s.handleAPIMilestones)
			rt.api("POST /api/v1/projects/{id}/milestones", s.handleAPIMilestoneCreate)
			rt.api("POST /api/v1/milestones/{id}/complete", s.handleAPIMilestoneComplete)
			rt.api("GET /api/v1/projects/{id}/reports", s.handleAPIReports)
			rt.api("POST /api/v1/projects/{id}/reports", s.handleAPIReportSubmit)
			rt.api("GET /api/v1/supervisions", s.handleAPISupervisions)
			rt.api("POST /api/v1/supervisions", s.handleAPISupervisionOpen)
			rt.api("GET /api/v1/supervisions/{id}", s.handleAPISupervision)
			rt.api("POST /api/v1/supervisions/{id}/reply", s.handleAPISupervisionStep(project.StepReply))
			rt.api("POST /api/v1/supervisions/{id}/accept", s.handleAPISupervisionStep(project.StepAccept))
			rt.api("POST /api/v1/supervisions/{id}/return", s.handleAPISupervisionStep(project.StepReturn))
			rt.api("GET /api/v1/service-requests", s.handleAPIRequests)
			rt.api("POST /api/v1/service-requests", s.handleAPIRequestSubmit)
			rt.api("GET /api/v1/service-requests/{id}", s.handleAPIRequest)
			rt.api("POST /api/v1/service-requests/{id}/assign", s.handleAPIRequestStep(project.ReqAssign))
			rt.api("POST /api/v1/service-requests/{id}/respond", s.handleAPIRequestStep(project.ReqRespond))
			rt.api("POST /api/v1/service-requests/{id}/resolve", s.handleAPIRequestStep(project.ReqResolve))
			rt.api("POST /api/v1/service-requests/{id}/confirm", s.handleAPIRequestStep(project.ReqConfirm))
			rt.api("GET /api/v1/key-filters", s.handleAPIKeyFilters)
			rt.api("POST /api/v1/key-filters", s.handleAPIKeyFilterSave)
			rt.api("PUT /api/v1/key-filters/{id}", s.handleAPIKeyFilterSave)
			rt.api("DELETE /api/v1/key-filters/{id}", s.handleAPIKeyFilterDelete)
			rt.api("GET /api/v1/key-enterprises", s.handleAPIKeyEnterprises)
			rt.api("PUT /api/v1/key-enterprises/{id}", s.handleAPIKeyEnterpriseSet(true))
			rt.api("DELETE /api/v1/key-enterprises/{id}", s.handleAPIKeyEnterpriseSet(false))
			rt.api("GET /api/v1/products", s.handleAPIProducts)
			rt.api("POST /api/v1/products", s.handleAPIProductCreate)
			rt.api("GET /api/v1/products/{id}", s.handleAPIProduct)
			rt.api("PUT /api/v1/products/{id}", s.handleAPIProductUpdate)
		}}
}

// projectTypeName is the name of project type id in lang; an unknown id
// shows as itself.
func (s *Server) projectTypeName(lang, id string) string {
	ty, ok := s.Projects.Types().Get(id)
	if !ok {
		return id
	}
	if lang == i18n.English && ty.NameEN != "" {
		return ty.NameEN
	}
	return ty.Name
}

// dayText shows a date, or a dash for none.
func dayText(d workday.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.String()
}

// wanText shows an amount in 万元 with at most two decimals.
func wanText(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
