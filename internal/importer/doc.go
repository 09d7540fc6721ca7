// Package importer is the one import kit: upload → reading (.xlsx and .csv
// through sheet, within its limits) → header mapping → row validation →
// error report → "all or nothing" or "valid rows only" → idempotent
// apply in one transaction → progress, as a job queued through the
// module's service or as a direct call.
//
// A module supplies a Spec: its columns (sheet.Column), the column whose
// template example marks the example row, who may import (Authorize), and
// Begin, which loads what rows are matched against and returns the Batch:
// Parse reads one row (reporting problems by column), Admit checks it
// against earlier rows and the database, an optional Finish checks what
// Admit deferred, and Apply writes one row inside the import's
// transaction. The module's result type embeds Result and adds its counts.
// Idempotency is the module's: a row is matched to what it already wrote
// (by an external id, a credit code) so that a second import of one file
// changes nothing.
//
// A file is checked, then applied. Of a file over 20,000 rows nothing is
// kept between the two passes but the modules' cross-row state (the keys
// seen so far) and the problems: it is read and parsed again while it is
// applied, so that memory does not grow with the rows.
//
// The kit owns everything else: limits (sheet.Limits, with the row limit
// configurable), the bounded result (the first MaxListedProblems problems
// in full, then counts by column and reason, and the cells of the rows
// with problems for the marked error report), the job payload, the
// re-check of the job owner's account when the job runs (account.Recheck),
// the audit row of the whole import, and progress.
//
// importer imports sheet, job, account, audit, sqldb, apperr and i18n. It
// must not import any module or web: modules use it, not the other way
// round.
//
// 术语表 Glossary:
//
//	导入 import   导入模板 template   全部不导入 all or nothing
//	只导入正确的行 valid rows only   错误报告 error report   错误行 problem row
//	幂等 idempotent   发起人 owner   重新核验 re-check   进度 progress
package importer
