package demo

import (
	"context"

	"kechuang/internal/federation"
)

// demoPeer is the invented instance of 无锡市 the demo shares listings
// with; its address is in the reserved .invalid domain, so nothing ever
// reaches it.
var demoPeer = federation.DemoPeer{URL: "https://kechuang-wuxi.demo.invalid", Name: "无锡市科创平台（演示）", Region: "320200",
	Listings: []federation.EventListing{
		{ID: 101, Kind: "achievement", Title: "高精度MEMS压力传感器封装工艺（演示）",
			Summary:  "面向汽车电子与工业控制的MEMS压力传感器晶圆级封装工艺，良率提升至98%，已完成车规级可靠性验证。",
			Keywords: []string{"MEMS", "传感器", "封装"}, Domain: "电子信息/微电子技术", Industry: "C39", TRL: 7,
			Modes: []string{"license"}, RegionCode: "320214", OwnerName: "无锡某微电子研究所（演示）"},
		{ID: 102, Kind: "demand", Title: "纺织印染废水深度处理与回用技术需求（演示）",
			Summary:  "企业日产印染废水约3000吨，需将处理后水质提升至回用标准，回用率不低于60%，寻求膜处理或高级氧化方案。",
			Keywords: []string{"印染废水", "中水回用"}, Domain: "资源与环境/水污染控制与水资源利用技术", Industry: "C17",
			RegionCode: "320281", OwnerName: "江阴某印染企业（演示）"},
		{ID: 103, Kind: "achievement", Title: "机器视觉缺陷检测算法平台（演示）",
			Summary:  "基于深度学习的表面缺陷检测算法平台，适配金属、玻璃与纺织品检测，检出率99%以上。",
			Keywords: []string{"机器视觉", "缺陷检测"}, Domain: "电子信息/软件", Industry: "I65", TRL: 6,
			Modes: []string{"license", "transfer"}, RegionCode: "320213", OwnerName: "无锡某软件公司（演示）"},
	},
	Interest: &federation.DemoInterest{Organization: "无锡某精密机械有限公司（演示）",
		Note: "我司拟将该成果用于精密零部件产线，希望了解许可条件与技术支持方式。"}}

// LoadFederation records the demo's invented peer (无锡市) and three of its
// listings, as if pulled from it, when the instance has no peers yet, so
// that 跨区域共享 and the market search show remote listings on first
// start, and an interest of one of its members in the newest local
// achievement, which opens a deal with a federated counterpart. It returns
// how many listings it stored.
func LoadFederation(ctx context.Context, fed *federation.Service) (int, error) {
	return fed.LoadDemo(ctx, demoPeer)
}
