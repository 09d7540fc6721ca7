package cultivation

import "kechuang/internal/audit"

func init() {
	audit.RegisterActions("enterprise.tag", "enterprise.create", "enterprise.update", "enterprise.import", "enterprise.assess",
		"enterprise_year.create", "enterprise_year.update", "enterprise_flag.check", "pool.confirm", "pool.reject", "target.set",
		"enterprise.export_contacts")
}
