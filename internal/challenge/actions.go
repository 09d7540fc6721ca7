package challenge

import "kechuang/internal/audit"

func init() {
	audit.RegisterActions("challenge.create", "challenge.update", "challenge.submit", "challenge.approve", "challenge.return",
		"challenge.close", "challenge.screen", "challenge.review", "challenge.defense", "challenge.notice", "challenge.sign",
		"challenge.implement", "challenge.accept",
		"challenge_application.apply", "challenge_application.attach", "challenge_application.check",
		"challenge_application.sign", "challenge_panel.draw", "challenge_panel.declare", "challenge_panel.score",
		"challenge_objection.submit", "challenge_objection.answer")
}
