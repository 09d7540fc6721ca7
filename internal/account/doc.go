// Package account owns users, roles, passwords, sessions and the Actor that
// every Service method of every module receives.
//
// Passwords are hashed with argon2id (PHC string format). Five failed logins
// in a row lock an account for 15 minutes; a session ends after 30 minutes
// without a request or 12 hours after login; a session cookie's value is
// never stored, only its SHA-256.
//
// account imports region, audit, sqldb and apperr.
//
// 术语表 Glossary:
//
//	用户 user   角色 role   辖区 region scope   会话 session
//	系统管理员 admin   安全管理员 security   审计管理员 auditor
//	科技局工作人员 staff   区县工作人员 county   企业 enterprise
//	高校院所 institution   技术经纪人 broker   投资机构 investor
//	锁定 lockout   口令 password
package account
