// Package sheet reads and writes the spreadsheets that people exchange with
// the platform: uploaded .xlsx and .csv files for bulk import, import
// templates, exports and marked error reports. It owns file-level concerns
// only — size, zip-bomb, cell, row and text limits checked while the file
// streams in, text encodings (UTF-8, UTF-8 with BOM, UTF-16, GB18030/GBK as
// saved by Chinese Excel), cell display text (number formats, dates,
// including the ones WPS users type), header matching and formula-injection
// escaping. What a row means, and which rows are valid, is the importing
// module's business (through the importer kit).
//
// An .xlsx is read by its own streaming reader (xlsx.go, xmlscan.go), not
// by excelize, so that no cell is ever held beyond the limit and no
// malformed part is ever taken for the end of the sheet; excelize writes
// templates, exports and reports.
//
// Every problem with an uploaded file is an apperr.Invalid error with a
// message key of the form "sheet.*" (listed in MESSAGES.md); the cause is
// kept for logs.
//
// sheet imports apperr, the standard library, excelize and x/text only. It
// must not import sqldb, audit, job or any module: it never touches the
// database, so modules can use it inside or outside a job.
//
// 术语表 Glossary:
//
//	工作簿 workbook   工作表 sheet   表头 header   列 column   行号 row number
//	导入模板 import template   填写说明 instructions sheet   下拉选项 dropdown
//	必填 required   示例 example   错误报告 error report   公式注入 formula injection
//	压缩炸弹 zip bomb   编码 encoding
package sheet
