// Package account owns users, roles, passwords, sessions and the Actor that
// every Service method of every module receives.
//
// Passwords are hashed with argon2id (PHC string format) and checked against
// a PasswordPolicy: the dengbao preset (等保: composition, history, 90-day
// expiry) or the asvs preset (length only), both refusing passwords that
// contain the user name or are common (policy.go, data/passwords). Five
// failed logins in a row lock an account for 15 minutes, and every failure
// is an audit security event; a session ends after 30 minutes without a
// request or 12 hours after login; a session cookie's value is never
// stored, only its SHA-256.
//
// account imports data, region, audit, sqldb and apperr.
//
// 术语表 Glossary:
//
//	用户 user   角色 role   辖区 region scope   会话 session
//	系统管理员 admin   安全管理员 security   审计管理员 auditor
//	科技局工作人员 staff   区县工作人员 county   企业 enterprise
//	高校院所 institution   技术经纪人 broker   投资机构 investor
//	锁定 lockout   口令 password   口令策略 password policy
//	常见口令 common password   口令历史 password history   口令过期 password expiry
package account
