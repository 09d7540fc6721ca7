// Package matcheval runs the matching benchmark that `kechuang bench match`
// and the Bleve comparison in bench/ share: it reads the eval task files
// (documents and queries as JSON lines), indexes the documents with an
// Engine, runs every query one at a time and computes MRR@10, Recall@10,
// Recall@100, Precision@10, nDCG@10 and latency percentiles. Keeping the
// metrics in one place guarantees both engines are scored identically.
//
// It imports only kechuang/internal/search (and its classify, for the
// records Synth recombines) and the standard library.
//
// 中文术语表:
//
//	平均倒数排名 (MRR)          Report.MRR10
//	召回率/精确率 (recall/precision) Report.Recall10, Recall100, Precision10
//	归一化折损累计增益 (nDCG)   Report.NDCG10
//	排除 (exclude)             Query.Exclude: dropped before scoring
package matcheval
