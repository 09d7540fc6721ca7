// Package i18n holds the message catalogs — zh-CN first, en second — and
// looks messages up by key. A catalog value is a fmt format string; the
// arguments of an apperr.Error fill it.
//
// i18n imports nothing of the project.
package i18n
