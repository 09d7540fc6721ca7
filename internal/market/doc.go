// Package market owns the 科技大市场: 科技成果 listings (achievements, a
// technology offered) and 技术需求 (demands, a problem an enterprise needs
// solved), their review workflow, duplicate detection on submit, the
// notices (站内信, sent through package notice) that tell owners and deal
// parties what happened, the full-text index that follows the listings
// (Indexer, over internal/search), deals from first interest to a
// registered contract with brokers, 技术合同认定登记 with its statistics,
// and the bulk import and export of listings. A third kind, 融资需求
// (financing: an enterprise seeks investment), goes through the same
// review, index and expiry; investors follow it through the investment
// pipeline (investment.go): 意向 → 尽调 → 投决 → 已投, or 终止, and 已投
// writes the portfolio row of the investor's fund (directory).
//
// The kinds share one Listing type and one table; fields that only one
// kind uses (TRL, IP, team and asking price for achievements; expected
// result, budget band and deadline for demands; amount, round, use of
// funds and valuation for financing needs) are empty for the others. A
// financing need's attachments are its business plan: only the owner,
// staff in scope and investors whose interest the firm accepted read them.
// Reference data — high-tech domains, TRL levels, GB/T 4754 sections,
// transaction modes, IP types, price bands — is loaded from data/market by
// LoadReference; a standard's change is a data change.
//
// Workflow: draft → submitted → published or returned (with the reviewer's
// reason); returned → submitted again after editing; submitted or published
// → withdrawn; published → closed (成交); a published listing past its
// expiry reads as expired, leaves the public lists and can be renewed by its
// owner for another year.
//
// Permissions: achievements belong to an institution or enterprise account,
// demands and financing needs to an enterprise account; the owner edits only drafts and
// returned listings. Staff review inside their region scope, county staff
// only their county. Anyone sees published listings; only members
// (logged-in enterprises, institutions, brokers, investors), the owner and
// staff in scope see contacts. A listing the actor may not see is
// apperr.NotFound.
//
// Anonymous listings (匿名发布): an achievement or a demand may hide its
// owner. Only the owner, staff in scope, the administrator and the broker
// the owner entrusts it to see the owner's id, name, contact and team
// (SeesOwner, view); the public page, lists, search, matches, the public
// feed and notices to others carry 匿名发布 instead, while the text stays
// public, so that search and matching work as usual. Interest in it opens
// a held deal: the entrusted broker, or the staff whose region contains
// the listing's, get the notice and forward it (DealForward), after which
// the owner sees it and it runs as any deal. The owner reveals itself in
// one deal (DealReveal) or on the whole listing (Reveal); both are audited
// and one-way. Financing needs cannot be anonymous.
//
// Matching (match*.go) pairs demands and achievements, proposes
// registered enterprises for achievements (Registry), the directory's
// experts and institutions for demands and its investors for financing
// needs (Directory, match_people.go and match_investor.go), and financing
// needs to investors (FinancingMatches). People are matched only on what
// every member may see of them.
//
// market may import the foundation packages, directory and cultivation; it
// must not import web or cmd.
//
// 中文术语表 (glossary):
//
//	achievement / 科技成果      a technology offered for transfer
//	demand / 技术需求           a technical problem an enterprise needs solved
//	listing / 供需信息          either kind
//	draft / 草稿 · submitted / 待审核 · published / 已发布 · returned / 已退回
//	withdrawn / 已撤回 · closed / 已成交 · expired / 已过期
//	transaction mode / 交易方式  技术转让, 技术许可, 技术开发合作, 技术咨询, 技术服务, 作价入股
//	TRL / 技术就绪水平           GB/T 22900-2022, levels 1–9
//	面议                        price to be negotiated
//	twin / 疑似重复             an existing listing whose title and text nearly match
//	notice / 站内信             an in-app message to a user (package notice)
//	deal / 技术交易             one member's interest in a listing, moving 意向 → 洽谈 → 签约 → 已登记 (or 终止)
//	broker / 科技经纪人         a broker account assigned to deals
//	contract registration / 技术合同认定登记  a signed technology contract recorded by staff
//	contract amount / 合同成交额 · technology amount / 技术交易额 (万元)
//	change sequence / 变更序号   listing_changes: what the search index has applied
//	financing need / 融资需求    an enterprise's call for investment: amount, round (轮次), use of funds, valuation
//	business plan / 商业计划书   a financing need's attachment, private to the firm, staff and accepted investors
//	investment interest / 投资意向  an investor's interest, moving 意向 → 尽调 → 投决 → 已投 (or 终止)
//	anonymous listing / 匿名发布  a listing whose owner only staff and its entrusted broker see
//	held interest / 待转交意向     interest in an anonymous listing, not yet forwarded to its owner
//	reveal / 公开身份             the owner of an anonymous listing showing itself, for good
package market
