// Package classify predicts the subject category (学科门类, 13 labels) and the
// discipline (一级学科, 67 labels) of a Chinese technical text with two
// multinomial naive Bayes models over binary analysis features (words,
// character bigrams, Latin tokens). The models are trained on the CSL data
// shipped in kechuang/data by `go run ./internal/search/cmd/train`, which
// writes model.bin.gz next to this file; that file is embedded, so
// prediction needs nothing at run time.
//
// Naive Bayes was chosen over a discriminative model because its sufficient
// statistics are sparse integer counts: the artefact stays small (only the
// non-zero feature×class counts are stored), training is exact and
// deterministic, and a probability calibration (one temperature per model,
// fitted on held-out folds) makes its over-confident scores usable as the
// soft agreement the matcher multiplies.
//
// The model also carries Exemplars: the field-weighted term lists of the
// labelled training records and of the category-only titles (each given the
// discipline of its category that naive Bayes finds most probable), for a
// nearest-neighbour vote (Neighbours) that the matcher mixes into a
// demand's disciplines (MixLabels). Listings are
// classified by naive Bayes alone; see docs/BENCHMARKS.md (matching) for
// what the vote earns and why it is not used on the listing side.
//
// The package imports only kechuang/internal/search/analysis and the
// standard library.
//
// 中文术语表:
//
//	学科门类 (category)       13 CSL categories, e.g. 工学、医学
//	一级学科 (discipline)     67 CSL disciplines, e.g. 材料科学与工程
//	朴素贝叶斯 (naive Bayes)  NB
//	温度标定 (temperature calibration) NB.Temp
//	留出集/交叉验证 (held-out / cross-validation) CrossValidate
//	近邻样本 (exemplars)      Exemplars, Model.Neighbours
package classify
