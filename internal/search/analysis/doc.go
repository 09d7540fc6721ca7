// Package analysis turns Chinese, English and mixed text into the tokens the
// search index and the classifier count: dictionary words found by
// maximum-probability segmentation (the jieba algorithm without its HMM for
// unknown words), overlapping character bigrams of every Han run (so terms the
// dictionary lacks, such as 榴辉岩, still match), and Latin/digit tokens such
// as "5g", "peek", "li-ion" with their parts.
//
// The dictionary is embedded (dict/zh.dict.gz, see dict/NOTICE for its
// origin and licences), so a deployed binary never reads the module cache.
// It was produced from gse v0.80.3 with:
//
//	awk '$3!="nr" && $3!="nrt" && $3!="nrfg" && $3!="m" && $2>=3 && $1 !~ /[A-Za-z0-9]/ {print $1" "$2}' \
//	    $(go env GOMODCACHE)/github.com/go-ego/gse@v0.80.3/data/dict/zh/s_1.txt |
//	    awk 'length($1)<=8' | LC_ALL=C sort | gzip -9 -n > dict/zh.dict.gz
//
// The package imports only the standard library.
//
// 中文术语表:
//
//	分词 (segmentation)      Segment, Word tokens
//	词典 (dictionary)        Dict, dict/zh.dict.gz
//	二元组 (character bigram) Bigram tokens
//	西文/数字词 (Latin token) Latin tokens such as 5G、PEEK、Li-ion
//	全角/半角 (full/half width) Normalize folds full-width forms
package analysis
