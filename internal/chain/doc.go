// Package chain owns the 产业链图谱 module: the industry chains as graphs of
// links (data/chains/<id>.json, versioned, checked strictly by LoadBook),
// staff edits of a link (an audited overlay on the file's version), the
// placement of registry enterprises, market listings, directory records and
// projects on links (suggested from text and codes with a confidence and
// the reasons, confirmed or moved by staff), 链主 per chain, each link's
// picture and its strength verdict (strong, weak, missing) by rules kept as
// data (data/chains/strength.json), the candidates to fill a link, the 招商
// lead created in the project library, a 链主's 配套备选清单 and the
// 对接融合图谱 document.
//
// Placements carry a snapshot of the facts of what they place (tier,
// revenue, R&D expense, patents) taken when suggestions last ran, so that a
// chain's picture reads one table and shows, per link, when its data last
// changed. A county user sees the firms of its own county by name and only
// counts elsewhere; a placement outside the actor's scope is NotFound.
//
// chain may import the foundation packages, directory, cultivation, market
// and project; it must not import web or cmd.
//
// 中文术语表 (glossary):
//
//	chain / 产业链             a graph of links in three segments
//	segment / 环节段           上游, 中游, 下游
//	link / 环节（节点）         one node of the chain: products, technologies, keywords, codes
//	supply edge / 供应关系      link A supplies link B
//	placement / 挂链           a firm, listing, record or project placed on a link
//	lead firm / 链主           the firm that leads a chain
//	strength / 强弱判定         strong 强, weak 弱, missing 缺
//	candidate / 补链候选        who could fill a weak or missing link
//	investment lead / 招商线索   a 招商引资项目 in the project library
//	supplier list / 配套备选清单  local firms that could supply a 链主's upstream links
//	document / 对接融合图谱      创新链产业链深度对接融合图谱
package chain
