// Package secret owns the instance's secret key and the authenticated
// encryption done with it: AES-256-GCM with a random nonce per value and
// the value's owner (a table and row) as additional data, so that a
// ciphertext copied to another row does not decrypt.
//
// The key is 32 random bytes kept outside the database — in a file (by
// default DATA/secret.key, created on first start) or in an environment
// variable — so that a copy of the database alone reveals no second-factor
// secret. Every node of one installation must use the same key.
//
// secret imports nothing of the project.
//
// 术语表 Glossary:
//
//	密钥 key   密钥文件 key file   加密 seal   解密 open   附加数据 additional data
package secret
