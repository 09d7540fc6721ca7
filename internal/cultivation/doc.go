// Package cultivation owns the 创新主体培育 module: enterprises, their yearly
// indicators, the official rule sets and the assessment of an enterprise
// against them, the cultivation pool and its targets.
//
// The rule-set engine (ruleset.go, metric.go, assess.go, score.go) is pure
// computation. Official criteria live as versioned data files in
// data/rules (one file per rule set and version, see data/rules/README.md);
// Go implements only generic primitives — comparisons of metrics (values,
// sums, ratios, growth rates, ages, counts) with optional bands, groups and
// alternatives, attestations, judgements, certificates, honours, industry
// tests and score tables with point ranges — and the files configure them.
// A new policy version is a new file, not a code change. LoadRuleSets
// rejects a broken file at start with the file and field named.
//
// Assessment contract: ParseAssessmentInput reads one enterprise (amounts in
// 元; see ASSESSMENT.md for every field), RuleBook.Select picks the version
// in force on its as_of unless a version is named, and Assess returns the
// verdict (yes / possible / no / unknown), score and score range, every
// condition with actual and required values, the gaps in the user's terms,
// the missing input fields by JSON path, and what remains to confirm.
// AssessInto is the allocation-free variant for bulk runs; RunAssessLines
// serves `kechuang assess`. ProposeTier places an enterprise on the ladder
// 种子 → 科技型中小企业 → 高新技术企业 → 创新型中小企业 → 专精特新 → 小巨人 →
// 上市后备, measured from the firm's Standing: the highest tier a valid
// certificate proves (CertificateStates: 科小 for its registration year,
// 高企 and 梯度培育 titles three years from issue) or staff confirmed. Every
// page, count and export takes a firm's tier from Standing.
//
// County targets (TargetReport) single out for 督办 a county whose
// completion of an indicator trails the linear schedule by more than
// DefaultBehindMargin (10 percentage points); the wiring may change it with
// Service.SetBehindMargin. ValidateCreditCode checks a 统一社会信用代码 (GB 32100-2015).
//
// The engine imports nothing of the project except kechuang/data; it must
// not import web or cmd.
//
// 中文术语表 (glossary):
//
//	rule set / 规则集          one official standard in one version (RuleSet)
//	as_of / 评价基准日          the date an assessment is made for; picks the version
//	data year / 数据年度        上一会计年度: the year before as_of unless data_year is given
//	tech-sme / 科技型中小企业    国科发政〔2017〕115号 评价
//	high-tech / 高新技术企业     国科发火〔2016〕32号 认定, 195号 指引
//	innovative-sme / 创新型（科技和创新型）中小企业   工信部企业〔2022〕63号 附件1
//	specialized-sme / 专精特新中小企业   63号 附件2 (2022), 工信部企业〔2026〕2号 (2026)
//	little-giant / 专精特新“小巨人”      63号 附件3 (2022), 2026号 附件2 (2026)
//	above-scale / 规模以上（四上）企业    国家统计局 标准
//	condition / 条件            a threshold that must hold (门槛)
//	direct route / 直接认定      an alternative that qualifies without the score
//	score item / 评分指标        one scored indicator; part / 一级指标 groups items
//	band / 档位                 one row of a scoring or threshold table
//	gap / 差距                  what a failed condition lacks, e.g. 还差 ¥36万 研发投入
//	attestation / 声明          taken as met unless the input says otherwise (to_confirm)
//	judgement / 人工判断         needs a person; leaves the verdict at "possible"
//	Ⅰ类 / Ⅱ类 知识产权           IP classes of the 高企 指引 (发明专利 … / 实用新型 …)
//	tier / 培育层级             a rung of the cultivation ladder
//	standing / 当前梯队          the tier certificates and confirmations prove
//	proposal / 建议梯队          a tier above the standing the assessment finds met, to confirm
//	督办 / supervision           counties behind the linear schedule by more than the margin
//	统一社会信用代码             18-character unified social credit code, GB 32100-2015
//	policy / 惠企政策           a subsidy or reward, data/policies (Policy, LoadPolicies)
//	eligible / 符合            meets every condition of a policy; may meet / 可能符合: missing data or a judgement
//	claim / 申报、兑现          a firm's mark on a policy: applied (已申报) or received (已兑现)
//	免申即享                    a policy paid to qualifying firms without an application
package cultivation
