// Package event owns 路演 (roadshows) and 对接会 (matchmaking meetings):
// the event with its date, place or online link, organiser, theme or chain
// and high-tech domain, its agenda of sessions and its pitches (published
// market achievements and financing needs); the registrations of
// enterprises, institutions and investors, which the organiser approves or
// declines within a capacity and a waiting list that moves up by itself
// when a place frees; the one-to-one meetings the approved participants ask
// of each other in slots at tables, accepted or declined by the other side,
// on a timetable that never books a person or a table twice in one slot
// (event_slot_holds, whose primary key is that rule); check-in by an
// unguessable per-registration URL (shown as a QR code) that only the
// organiser can use; and what each meeting led to — no interest, a
// follow-up, or interest, which opens a market deal on the listing
// concerned or an investment interest on a financing need through the
// market service's own CreateDeal and ExpressInterest, so that it is
// exactly what a normal interest is. The funnel (registered → attended →
// meetings → deals → contracts) is counted from the rows and the deals'
// present stages, read from the market.
//
// Permissions live here. Bureau and county staff create, edit, publish and
// run the events of their region scope (the organiser); a published event is
// public; a draft is seen by its organisers only, anyone else gets
// apperr.NotFound, as does anyone but the organiser on the management pages.
// Enterprises, institutions and investors register themselves. A
// participant sees the other approved participants and their published
// listings, but another's contact only once a meeting between them is
// accepted. Every write records its audit row and its notices in the same
// transaction.
//
// event imports market (listings, deals, investment interests) and the
// foundation packages; it must not import challenge, chain, federation, web
// or cmd.
//
// 中文术语表 (glossary):
//
//	event / 活动        roadshow / 路演        matchmaking / 对接会
//	organiser / 主办单位  theme / 主题、产业链   agenda, session / 议程
//	pitch / 路演项目      registration / 报名    capacity / 名额
//	waiting list / 候补   approve / 审核通过     decline / 不予通过
//	meeting / 一对一洽谈   slot / 时段   table / 洽谈桌
//	agenda (personal) / 个人日程   check-in / 签到
//	outcome / 洽谈结果: none 无意向, follow_up 继续跟进, interest 有意向
//	funnel / 转化漏斗: registered 报名, attended 到场, meetings 洽谈,
//	  deals 意向/交易, contracts 签约
package event
