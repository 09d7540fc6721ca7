// Package challenge owns 揭榜挂帅: technical challenges (榜单) published by
// the government (政府榜) or by an enterprise (企业榜), with the problem,
// measurable indicators, budget or bounty, period, eligibility, IP and
// payment terms and the review scheme fixed before publication; the stages
// draft → 榜单审核 → published → applications closed → 形式审查 → 专家评审 →
// 答辩 (optional) → 公示 → 签约 → 实施 → 验收, each with its date, notices and
// audit row; the applications (揭榜) with their team, proposal, budget,
// milestones and attachments; the review panel drawn from the directory's
// 评审专家 with conflict-of-interest flags, optional blind review, weighted
// scorecards and the ranking; the public 公示 with its objections; and the
// hand-over to the project library: signing creates a 揭榜挂帅 project with
// the application's milestones, and 验收 completes both.
//
// Permissions live here. Bureau staff act inside the home region, county
// staff inside their county: they publish 政府榜, review the 企业榜 that
// enterprises draft, run the stages and answer objections. An application
// is private to its applicant, the staff in the challenge's scope and the
// challenge's reviewers (who do not see the applicant's name in a blind
// review); anyone else gets apperr.NotFound. A challenge is public once
// published. Reviewers are users: an expert of the directory with the role
// 评审专家 whose record staff linked to an account.
//
// challenge imports directory, market and project (and the foundation); it
// must not import event, chain, federation, web or cmd.
//
// 中文术语表 (glossary):
//
//	challenge / 榜单 (揭榜挂帅)     gov / 政府榜    enterprise / 企业榜
//	publisher / 发榜方              applicant / 揭榜方    application / 揭榜申请
//	indicator / 考核指标            budget / 榜额 (万元)    period / 攻关周期
//	eligibility / 揭榜条件          IP terms / 知识产权约定    payment terms / 资金拨付方式
//	criterion / 评审指标 (权重)     panel / 评审专家组    reviewer / 评审专家
//	conflict of interest / 利益冲突 (回避)    declaration / 回避声明
//	blind review / 匿名评审         scorecard / 评分表    ranking / 排名 (并列)
//	stages: draft 草稿, review 榜单审核, published 发榜, closed 揭榜截止,
//	  screening 形式审查, reviewing 专家评审, defense 答辩, notice 公示,
//	  signed 签约, implementing 实施, accepted 验收
//	objection / 异议    notice period / 公示期 (工作日)
package challenge
