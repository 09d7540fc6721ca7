package directory

import "kechuang/internal/audit"

func init() {
	audit.RegisterActions("institution.create", "institution.update", "institution.delete", "institution.import",
		"institution.link_account", "institution.unlink_account",
		"platform.create", "platform.update", "platform.delete",
		"expert.create", "expert.update", "expert.delete", "expert.link_account", "expert.consent",
		"expert.consent_withdrawn", "expert.deletion_requested", "expert.deletion_refused", "expert.export", "expert.import",
		"broker_profile.put", "broker_profile.delete",
		"service_org.create", "service_org.update", "service_org.delete", "service_org.import",
		"carrier.create", "carrier.update", "carrier.delete", "carrier.import",
		"tenant.create", "tenant.update", "tenant.exit", "tenant.delete",
		"fund.create", "fund.update", "fund.delete", "fund.import", "directory.export_contacts",
		"investment.create", "investment.update", "investment.delete",
		"investor_preferences.put", "investor_preferences.delete")
}
