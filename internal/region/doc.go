// Package region owns the administrative divisions (省/市/县) and the rule
// that decides whether a record's region lies inside an actor's region.
//
// Codes are 6-digit GB/T 2260 codes: 320000 (江苏省), 320500 (苏州市),
// 320505 (虎丘区). A code's scope prefix drops trailing "00" pairs, so a
// city user (320500, prefix 3205) reaches every county below it, and a county
// user (320505) only its own.
//
// region also keeps the instance's home region (the settings row
// home_region): the city or county the installation serves, set with
// `kechuang serve --home-region CODE`.
//
// region imports sqldb, apperr, audit and data only.
//
// 术语表 Glossary:
//
//	行政区划 administrative division   区划代码 division code
//	省 province   市 city (prefecture)   区/县/县级市 county
//	辖区 jurisdiction (scope)
package region
