package demo

import "kechuang/internal/directory"

// demoMatchExperts are invented experts whose research meets some of the
// demo demands (超微燃气透平, 烟气脱硫, 电池储能, 移动机器人, 有色金属尾矿), so
// that a demand's matches page shows experts with shared terms. Their
// disciplines are left to the classifier, as an editor who types only the
// research text would.
var demoMatchExperts = []demoExpert{
	{"苏州大学", directory.ExpertInput{Name: "蒋振华（演示）", Title: "教授",
		Research: "微型燃气轮机与超微燃气透平的转子动力学和气体介质密封，迷宫密封、螺旋密封的三维CFD数值模拟与泄漏特性实验。",
		Keywords: []string{"燃气透平", "螺旋密封", "迷宫密封", "CFD数值模拟"}, Roles: []string{"reviewer", "commissioner"},
		Achievements: []string{"一种超微燃气透平螺旋密封结构（演示）"},
		Contact:      &directory.ExpertContact{Phone: "13800000011", Email: "jiang.demo@example.edu.cn"}}, allPublic},
	{"苏州科技大学", directory.ExpertInput{Name: "冯雪梅（演示）", Title: "研究员",
		Research: "燃煤电厂烟气脱硫脱硝，半干法烟气脱硫系统的脱硫灰渣再循环与分级喷水增湿，脱硫产物资源化利用。",
		Keywords: []string{"烟气脱硫", "半干法", "脱硫灰渣"}, Roles: []string{"reviewer"},
		Contact: &directory.ExpertContact{Phone: "13800000012"}}, allPublic},
	{"西交利物浦大学", directory.ExpertInput{Name: "许嘉诚（演示）", Title: "副教授",
		Research: "电池储能系统的荷电状态SOC估计与电池均衡控制，全钒液流电池与超级电容混合储能在电网中的应用。",
		Keywords: []string{"电池储能", "SOC估计", "全钒液流电池", "超级电容"}, Roles: []string{"mentor"},
		Contact: &directory.ExpertContact{Email: "xu.demo@example.edu.cn"}}, allPublic},
	{"苏州示例大学（演示）", directory.ExpertInput{Name: "何一鸣（演示）", Title: "讲师",
		Research: "移动机器人自主导航中的位置跟踪与定位，卡尔曼滤波与多传感器融合。",
		Keywords: []string{"移动机器人", "位置跟踪", "卡尔曼滤波"}, Roles: []string{"mentor", "commissioner"},
		Contact: &directory.ExpertContact{Phone: "13800000014"}}, allPublic},
	{"常熟理工学院", directory.ExpertInput{Name: "邹立群（演示）", Title: "高级工程师",
		Research: "有色金属尾矿与白钨矿脱硫产品的综合利用，铜铋分离优先浮选工艺与尾矿直接利用。",
		Keywords: []string{"有色金属尾矿", "综合利用", "浮选"}, Roles: []string{"commissioner"},
		Contact: &directory.ExpertContact{Phone: "13800000015"}}, allPublic},
}
