// Package search is kechuang's Chinese full-text index and supply–demand
// matcher. It owns document analysis (via search/analysis), an in-memory
// inverted index with BM25F ranking over title, keywords and text, Latin typo
// tolerance, facets, sorting, paging and highlighted snippets, the
// domain/discipline classifier (via search/classify) and the per-hit
// explanation the UI shows ("why this match").
//
// The index is derived data. The database stays the truth: the owner calls
// Put and Delete as rows change, records the change sequence number with
// SetSeq, and saves snapshots with SaveFile. After a restart, OpenFile loads
// the snapshot and the owner replays the changes after Seq(); nothing is
// rebuilt from zero. Ranking is computed here in Go, so SQLite and PostgreSQL
// deployments return identical results.
//
// search is a foundation package: it imports nothing from kechuang except its
// own subpackages and kechuang/data.
//
// 中文术语表:
//
//	科技成果 (achievement)      a listing offered; indexed as a Document
//	技术需求 (demand)           a listing sought; the Document passed to Match
//	供需匹配 (matching)         Match: lexical BM25F + topic agreement
//	分词 (segmentation)         analysis.Analyzer
//	学科门类/一级学科 (category/discipline) Topic, predicted by classify.Model
//	领域一致度 (topic agreement) Explanation.TopicAgreement
//	近邻投票 (nearest-record vote) Weights.Neighbours, classify.Model.Neighbours
//	分面 (facet)               Document.Facets, Result.Facets
//	高亮摘要 (highlighted snippet) Snippet
//	快照/变更序号 (snapshot/change sequence) SaveFile, OpenFile, Seq
package search
