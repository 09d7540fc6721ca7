// Package pii seals the personal information the platform stores — contact
// phone numbers and e-mail addresses of listings, deals, enterprises and
// directory records — and masks it for display (等保 8.1.4.11, 密评 8.4 e,
// PIPL 第五十一条).
//
// A stored value is "pii:1:KID:DATA": AES-256-GCM (package secret) with a
// random nonce and the table and column as additional data, under the key
// whose identifier is KID. A Keyring holds the current key, which seals,
// and any earlier keys, which only open; SealAll re-seals every value not
// under the current key, so a key rotates by putting the new key first in
// the key file, restarting, and dropping the old key once SealAll is done.
// A value without the prefix is legacy plain text: it reads as itself
// until SealAll seals it at the next start.
//
// The keyring is attached to a database (Attach) as the audit chain key is;
// domain stores seal on write and open on read with the keyring of the
// database or transaction they run on (Seal, Open), so web never sees a
// sealed value and never seals one.
//
// pii imports only secret and sqldb.
//
// 术语表 Glossary:
//
//	个人信息 personal information   加密存储 sealed at rest   脱敏 mask
//	密钥轮换 key rotation   密钥标识 key id
package pii
