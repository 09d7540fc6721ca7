// Package federation is 跨区域共享: the open, signed protocol by which
// independent kechuang instances (a city, a county, a province, each with
// its own database and operator) exchange their public market listings
// without a central server. docs/FEDERATION.md is the protocol; this
// package is its implementation.
//
// It owns the instance's Ed25519 keys (current and next, for rotation), the
// instance document, HTTP Message Signatures (RFC 9421) on every request
// and response between instances with replay refusal (created-time window
// and nonce store), the peers (added by URL, approved by an administrator
// on both sides), the public feed built from market's change sequence, the
// pull loop that keeps each peer's listings here read-only with their
// origin, and the HTTP client that will not dial private addresses.
//
// It imports market (the public change stream) and the foundation; nothing
// but web and app imports it.
//
// 中文术语表:
//
//	peer 对等实例 · instance document 实例文档 · feed 公开动态
//	inbox 收件箱 · origin 来源实例 · remote listing 外地信息
//	fingerprint 密钥指纹 · approve 批准 · internal peer 内网实例
package federation
