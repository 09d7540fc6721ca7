package project

import "kechuang/internal/audit"

func init() {
	audit.RegisterActions("project.create", "project.import", "project.update", "project.light",
		"project."+ActSubmit, "project."+ActApprove, "project."+ActReturn, "project."+ActStart, "project."+ActAdjust,
		"project."+ActApproveAdjustment, "project."+ActRejectAdjustment, "project."+ActComplete, "project."+ActExit,
		"milestone.create", "milestone.update", "milestone.delete", "milestone.complete",
		"project_report.create", "project_report.update",
		"service_request."+ReqSubmit, "service_request."+ReqAssign, "service_request."+ReqReassign,
		"service_request."+ReqRespond, "service_request."+ReqResolve, "service_request."+ReqConfirm,
		"supervision."+StepOpen, "supervision."+StepReply, "supervision."+StepAccept, "supervision."+StepReturn,
		"supervision."+StepEscalate,
		"unit.create", "unit.update", "unit.member_add", "unit.member_remove",
		"product.create", "product.update", "product.delete",
		"key_filter.save", "key_filter.delete")
}
