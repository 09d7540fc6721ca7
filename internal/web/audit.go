package web

import "kechuang/internal/account"

// auditModule is the audit log for the auditor: the page and the API.
func (s *Server) auditModule() module {
	return module{Key: "audit", Path: "/audit", Order: 95, Ready: true, Visible: func(a account.Actor) bool { return s.Audit.CanRead(a.Audit()) },
		Routes: func(rt *router) {
			rt.signedIn("GET /audit", s.handleAuditLog)
			rt.signedIn("POST /audit/verify", s.handleAuditVerify)
			rt.signedIn("GET /audit/export.xlsx", s.handleAuditExport)
			rt.signedIn("GET /audit/security", s.handleSecurityEvents)
			rt.api("GET /api/v1/audit", s.handleAPIAudit)
			rt.api("GET /api/v1/audit/verification", s.handleAPIAuditVerification)
			rt.api("POST /api/v1/audit/verification", s.handleAPIAuditVerification)
			rt.api("GET /api/v1/security-events", s.handleAPISecurityEvents)
		}}
}
