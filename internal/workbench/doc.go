// Package workbench is the home page of bureau and county staff (工作台):
// the to-dos waiting for the user, each a count that links to the list it
// counts, and the key figures with their change against last month and
// last year.
//
// The to-dos come from a list of providers (Provider): each module that
// gives staff work to do registers one (Service.Register), so modules
// built later (challenges, events) add their to-dos the same way without
// touching the page. The providers of the modules that exist are in
// providers.go. A provider counts with the module's own service calls in
// the actor's scope and links only to pages the actor may open.
//
// It may import every module below it (internal/archtest rank 19).
//
// 中文术语表:
//
//	workbench    工作台
//	to-do        待办
//	key figure   关键指标
//	month-on-month / year-on-year  环比 / 同比
package workbench
