// Command bench compares kechuang's matcher with stock Bleve (a scorch
// index on disk in a temporary directory, merged to one segment before the
// first query, with BM25 scoring, checked and printed before every run;
// `cjk` analyzer, a plain match query) on the eval tasks, in the same
// process, and runs the ablation, the 100,000-listing scale test and the
// classifier's held-out accuracy. It is its own module so Bleve never
// enters the main go.mod; the main binary's `kechuang bench match` needs no
// Bleve.
//
//	cd bench
//	go run . -eval /work/shared/data/eval compare   # kechuang vs Bleve, 4 tasks, + ablations
//	go run . -eval /work/shared/data/eval scale     # 100k listings, one core
//	go run . classify                               # held-out accuracy
//	go run . -grid '[0,3,5]' pmi                    # rejected: PMI query expansion
//	go run . -tasks field -grid '[0.5,1]' lsi       # rejected: LSI reranking
//	go run . -grid '[{"Name":"nb","Hier":1}]' clsexp  # classifier variants (IDF, complement NB, SVM)
//	go run . -idf 2 -ablate=false -no-bleve compare  # IDF-weighted naive Bayes in the engine
//	go run . -grid '[{"P":0},{"P":1,"Texts":true}]' idf  # the same, vs binary and Bleve, one run, + accuracy
//	go run . labcollect /tmp/lab.gob                # ranking lab: record candidates
//	go run . lab /tmp/lab.gob                       # knee rules offline; labstats, labstats2, labcalib
//
// With -kfold (the default) the classifier that ranks the dev tasks is
// cross-fitted: each CSL record is classified by a model trained on the
// four folds it is not in (plus the titles file), because the dev documents
// and queries are csl_dev records and the shipped model was trained on all
// of them. Those figures are leak-free; -kfold=false shows the leak.
package main
