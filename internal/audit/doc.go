// Package audit writes and reads the audit log: one row for every write,
// recorded in the same transaction as the write, never changed afterwards.
// The database refuses UPDATE and DELETE on audit_log (migration 0002) and,
// on PostgreSQL, TRUNCATE (0015); the rows also form a chain of
// HMAC-SHA-256 MACs with a key kept outside the database (chain.go), so
// that a row changed, removed or inserted by someone who got past the
// triggers shows when the chain is verified (verify.go, `kechuang audit
// verify`).
//
// Callers pass an Actor (account.Actor.Audit() builds one) and an Event;
// the client address and request id come from the context (WithRequest).
// Every action is registered once by the package that records it
// (RegisterActions), so that the log can be read by name. Refused requests
// are security events, counted per actor, client address and minute
// (security.go). Only the auditor role reads the log and the events.
//
// audit imports sqldb and apperr only.
//
// 术语表 Glossary:
//
//	审计日志 audit log   操作人 actor   操作 action   对象 object
//	变更摘要 before/after summary   客户端地址 client address
//	校验码 MAC   审计链 audit chain   链头 chain head   校验 verification
//	安全事件 security event   密钥 key
package audit
