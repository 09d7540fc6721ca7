// Package notice owns in-app notices (站内信): short messages to one user
// about something that happened to their records — a listing approved, a
// deal moved on, a new match — with a link to it.
//
// A module sends a notice with Send inside the transaction of the write
// it reports, as it records an audit row, so the notice exists exactly
// when that write commits. A notice is stored as a message key of the
// i18n catalogs plus its arguments (JSON), never as finished text: the
// inbox renders it in the reader's language when it is read. An argument
// is either plain text shown as written (a listing's title, a user's note)
// or a code rendered through the catalog (a kind, a state, a reason), so a
// reader of English sees no Chinese that the platform wrote. Notices
// written before migration 0013 kept finished Chinese text; they are shown
// as stored.
//
// Service reads the inbox of the acting user — newest first, paged —
// counts the unread for the page header and marks notices read. A notice
// of another user is NotFound.
//
// notice imports account, audit, i18n, sqldb and apperr. It must not
// import any module: modules call it, not the other way round.
//
// 术语表 Glossary:
//
//	站内信 notice   收件箱 inbox   未读 unread   全部已读 mark all read
//	消息键 message key   参数 argument   代码 code（按读者语言显示的词条）
//	类型 kind（事件的点分名，如 listing.approve，供频率限制与接口使用）
package notice
