// Package indicator is 一表通: the indicator catalogue, the indicators
// counties enter once per period, and the reports assembled from them.
//
// Every indicator is defined once, in data/indicators/catalogue.json: its
// code, name, unit, definition, source, responsible unit and frequency.
// A computed indicator names the computation that derives it from another
// module's records (cultivation certificates, market contracts, project
// ledgers) and is never typed; an entered one is filled once per period
// and county by the county's users before the deadline, with the list of
// counties that have not reported and reminders through internal/notice.
// Report templates (data/indicators/reports/*.json, 月报 季报 年报) list
// catalogue codes; a report is assembled from the values, never typed, and
// written as .xlsx in the official layout. The annual 高新技术企业发展分析
// 报告 is derived from the registry.
//
// It imports directory, cultivation, market, project and federation at
// most (internal/archtest rank 17); dashboard and workbench read it.
//
// 中文术语表:
//
//	indicator catalogue  指标目录
//	entered indicator    填报指标
//	computed indicator   自动生成指标（来源于业务模块）
//	report template      报表模板（月报、季报、年报）
//	period               报告期
//	responsible unit     责任单位
//	who has not reported 未报送名单
package indicator
