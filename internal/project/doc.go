// Package project owns the 项目库 module and its closed-loop supervision:
// projects of five types with their node milestones, the lifecycle 谋划 →
// 预审 → 入库 → 实施 ⇄ 调整 → 竣工/投产 or 退出 and its 有进有出 history,
// the monthly ledger (月度台账) with its deadline and missing reporters,
// traffic lights computed from rules with their history, 督办 supervision
// orders with escalation, enterprise service requests (一企一策) with their
// SLA counted in working days, products of registry enterprises (重要产品库),
// the key-enterprise library (重点企业库) as saved registry filters plus a
// registry tag, and the figures of the leaders' view.
//
// Project types are data (data/projects, one file per type with its node
// template); a project copies the template when it is created and may then
// adjust it. Deadlines in working days count on the platform calendar
// (internal/workday).
//
// Permissions live here. Every Service method takes the acting
// account.Actor: bureau staff (staff) act inside their city, county staff
// inside their county; the administrator reads; an enterprise sees its own
// service requests and its own products. A record outside the actor's scope
// is apperr.NotFound. The members of a government unit (责任单位) reply to
// the supervision orders and answer the service requests addressed to it.
// Approvals (预审, 调整) and the acceptance of a reply need a second person:
// whoever asked may not approve. Writes record their audit row in the same
// transaction. The functions the scheduled job calls (Sweep and its parts)
// act as the system.
//
// project imports cultivation (the registry) and the foundation packages;
// it must not import market, chain, federation, web or cmd.
//
// 中文术语表 (glossary):
//
//	project / 项目            type / 项目类型        node, milestone / 节点
//	stage / 阶段: planning 谋划, review 预审, stocked 入库, implementing 实施,
//	  adjusting 调整, completed 竣工/投产, exited 退出
//	有进有出                  entries (入库) and exits (竣工/投产, 退出) per month
//	responsible unit / 责任单位   lead official / 包联领导   special team / 专班
//	monthly report / 月度报送   ledger / 台账   形象进度 physical progress
//	deadline day / 报送截止日   序时进度 the share of the year's plan due by now
//	light / 红黄绿灯            supervision order / 督办单
//	level / 督办等级: general 一般, key 重点, listed 挂牌督办
//	service request / 企业诉求 (一企一策)   SLA / 办理时限 (工作日)
//	respond / 响应   resolve / 办结   confirm and rate / 确认评价
//	key-enterprise library / 重点企业库   product library / 重要产品库
package project
