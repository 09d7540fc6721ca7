package event

import "kechuang/internal/audit"

func init() {
	audit.RegisterActions("event.create", "event.update", "event.publish", "event.cancel",
		"event.register", "event.approve", "event.decline", "event.withdraw", "event.promote", "event.checkin",
		"event.meeting_request", "event.meeting_accept", "event.meeting_decline", "event.meeting_cancel", "event.meeting_outcome")
}
