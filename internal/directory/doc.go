// Package directory owns the 资源库 (the region's innovation resources) and
// the records of 科技金融: institutions and their platforms, experts,
// technology broker profiles, service organisations, incubation carriers
// and their tenants, funds and their portfolios, and investor preferences.
//
// Every top-level record has a region, a visibility (public, members,
// staff) and editors. Bureau staff manage the records of their region and
// county staff those of their county (create, edit, move inside their
// scope, assign owners, delete); the system administrator reads everything
// and edits nothing. Editors besides staff:
//
//   - an institution: the institution accounts linked to it
//     (LinkInstitutionAccount); they also edit its platforms and experts;
//   - an expert: its institution's accounts, and the expert's own account
//     (LinkExpertAccount, staff only) for its own data rights;
//   - a service organisation, carrier or fund: its owner account (OwnerID,
//     set by staff), which also edits the tenants or portfolio;
//   - a broker profile or investor preferences: the broker or investor
//     account it belongs to.
//
// An editor who is not staff keeps the record's region and owner; an update
// that leaves the region or visibility empty keeps the stored one. A record
// the actor may not see — and a write to one it may not edit — is
// apperr.NotFound, never Forbidden, so ids leak nothing; Forbidden is only
// for an actor whose role can never do the thing (an enterprise creating an
// institution). Returned records carry Perms for pages to show buttons,
// and Abilities says what the actor may start.
//
// # Experts and PIPL
//
// An expert's personal data is shown to visitors only as consented: the
// expert consents, field by field, to a public profile under a privacy
// notice of a stated version (data/directory/experts.json); the consent
// history is kept (RecordExpertConsent, ExpertConsents). Without consent to
// show the name the profile is not shown at all, and a visitor's filters
// match only fields the expert consented to show, so a filter cannot reveal
// a withheld field. Phone and e-mail are shown only to staff in scope and
// the expert. The expert's own account reads its whole record, exports it
// with the consent history (ExportExpert), corrects it (not its roles,
// institution, region or visibility, which the editors decide) and asks for
// deletion (RequestExpertDeletion); staff decide the request, and an
// approved deletion removes the record and its consent history. Audit rows
// of experts hold no personal data, because the audit log is append-only.
//
// Staff link an expert record to the expert's member account
// (LinkExpertAccount, LinkExpertAccountByName); MyExpert finds it. A
// deletion decided either way is told to the account that asked, in its
// inbox (notice), and the audit row of the deletion makes the search index
// drop the record.
//
// # Imports and exports
//
// Every record type imports through the import kit (internal/importer):
// carriers (carrier_import.go), institutions, experts, service
// organisations and funds (record_import.go and one file each). Only
// bureau and county staff import; a row whose region is outside the
// importer's scope is a row error. Each import states its key, and a row
// naming a record the directory has changes nothing, so a file imported
// twice creates nothing the second time: credit code (else name) for
// institutions and service organisations, name + institution or employer
// + mobile number for experts, name + manager's credit code (else
// manager's name) for funds, county + name for carriers. Rows are checked
// as the forms check them and written through the forms' insert helpers,
// contacts sealed, each with its audit row. An imported expert has no
// consent and stays out of public view until one is recorded.
//
// Every list exports as .xlsx (export.go) with its filters and in the
// actor's view, phones and e-mail masked; staff may export them whole,
// and each such export is audited (directory.export_contacts).
//
// An expert's disciplines are CSL 一级学科: sent by an editor they are
// confirmed; left empty, the service suggests them from the research text
// with the classifier of internal/search and stores them unconfirmed.
//
// # Links to other modules
//
// directory comes first in the module order and imports no module. Tenants
// and portfolio rows name registry enterprises by 统一社会信用代码, the key
// both registers share and the import key; the registry id is copied when
// the registry knows the code (Registry, an adapter over cultivation that
// the wiring passes), and the name is stored as entered so that lists need
// no cross-module join. Pages link a tenant to the registry only if the
// viewer may open that enterprise. Broker performance comes from the
// market's deals through BrokerPerformance, which market implements.
//
// Occupancy and graduation arithmetic is in occupancy.go, with its
// definitions. Reference data (types, levels, kinds, roles, stages,
// rounds, with Chinese and English labels) is loaded from data/directory by
// LoadReference; the high-tech domains and the CSL disciplines are read
// from data/market, shared with the market.
//
// directory may import the foundation packages (account, region, audit,
// search, job, notice, importer, pii, sheet) and kechuang/data; it must not import another module, web or
// cmd.
//
// 中文术语表 (glossary):
//
//	institution / 创新机构        高校, 科研院所, 新型研发机构, 企业研发机构
//	platform / 科研平台           重点实验室, 工程技术研究中心, 企业技术中心, 中试基地, 检验检测机构
//	TTO / 技术转移办公室
//	expert / 专家                 评审专家, 创新创业导师, 科技特派员
//	consent / 同意               PIPL 个人信息保护法; notice / 告知书 (版本)
//	deletion request / 删除请求
//	broker / 技术经纪人           grades 初级, 中级, 高级 (技术经理人)
//	service organisation / 科技服务机构   技术转移机构, 知识产权服务, 检验检测, 科技咨询, 法律, 财务
//	carrier / 孵化载体            众创空间 → 孵化器 → 加速器 → 科技园区 / 大学科技园
//	tenant / 在孵企业 · entered / 入驻 · exited / 迁出 · graduated / 毕业
//	occupancy / 入驻率 · graduation rate / 毕业率 · station / 工位
//	fund / 基金                  政府引导基金, 产业基金, 天使基金, 创业投资基金
//	subscribed / 认缴 · paid / 实缴 · portfolio / 投资组合 · round / 轮次
//	investor preferences / 投资偏好 · ticket / 单笔投资额
package directory
