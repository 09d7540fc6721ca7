// Package audit writes and reads the audit log: one row for every write,
// recorded in the same transaction as the write, never changed afterwards
// (the database refuses UPDATE and DELETE on audit_log, see migration 0002).
//
// Callers pass an Actor (account.Actor.Audit() builds one) and an Event;
// the client address and request id come from the context (WithRequest).
// Only the auditor role may read the log.
//
// audit imports sqldb and apperr only.
//
// 术语表 Glossary:
//
//	审计日志 audit log   操作人 actor   操作 action   对象 object
//	变更摘要 before/after summary   客户端地址 client address
package audit
