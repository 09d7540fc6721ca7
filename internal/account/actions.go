package account

import "kechuang/internal/audit"

func init() {
	audit.RegisterActions("user.create", "user.update", "user.enable", "user.disable", "user.unlock",
		"user.reset_password", "user.change_password", "user.set_password",
		"session.login", "session.locked", "session.logout",
		"user.lock", "user.mfa_begin", "user.mfa_enrol", "user.mfa_recovery_used", "user.reset_mfa", "user.end_sessions",
		"session.end", "session.ended_by_limit")
}
