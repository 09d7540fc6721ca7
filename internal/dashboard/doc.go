// Package dashboard owns the 数据看板: the figures of every module for a
// period (month, quarter, year) and a scope (the home city or one county),
// with their change against the previous period and the same period last
// year, the county comparison, the year-on-year trend lines, the
// conversion funnel of the technology market (published → interest →
// negotiation → signed → registered) and the ticker of the big screen.
//
// Figures come from providers (Provider): each module contributes its
// figures as monthly series per county (Series), and the service derives
// every period value, change, comparison and trend from them the same way.
// The providers of the modules that exist are in this package
// (provider_*.go) and are registered in the wiring (app.New); a module
// added later writes its provider here and registers it there. The
// providers only read the modules' tables, with aggregate SQL: the
// dashboard writes nothing.
//
// Permissions: bureau staff and the administrator see the whole home city
// and any county of it; county staff see their own county and the public
// city totals, never another county's figures (another county is
// apperr.NotFound). Nobody else sees the dashboard.
//
// dashboard imports the module packages below it (directory, cultivation,
// market, project, …) and the foundation; it must not import workbench,
// web or cmd.
//
// 中文术语表 (glossary):
//
//	dashboard / 数据看板          big screen / 大屏
//	figure / 指标                 period / 统计期: month 月, quarter 季, year 年
//	change / 环比                 year on year / 同比
//	county comparison / 区县对比  trend / 趋势
//	conversion funnel / 转化漏斗: published 发布, interest 意向, negotiation 洽谈,
//	  signed 签约, registered 登记
//	target / 目标（军令状）       completion / 完成率
package dashboard
