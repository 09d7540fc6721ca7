package search

import (
	"strings"

	"kechuang/internal/search/classify"
)

// Document is one listing as the index sees it. ID is the caller's stable
// identifier. Facets hold filterable, countable values (e.g. "domain":
// {"电子信息"}, "region": {"4401"}); Sort holds numeric sort keys (e.g.
// "published": unix seconds).
type Document struct {
	ID       string
	Title    string
	Keywords []string
	Text     string
	Facets   map[string][]string
	Sort     map[string]float64
}

// Topic is a predicted category/discipline distribution.
type Topic = classify.Topic

// Label is one predicted label with its probability.
type Label = classify.Label

// Classifier predicts the topic of a text. *classify.Model implements it.
type Classifier interface {
	Classify(text string) Topic
}

// TermClassifier is a Classifier that can also classify the distinct terms
// of an analysed text; Index uses it so each document is analysed once.
// *classify.Model implements it.
type TermClassifier interface {
	Classifier
	ClassifyTerms(terms classify.Terms) Topic
}

// NeighbourClassifier is a Classifier that can also report the disciplines
// of the labelled examples nearest to a text; Match mixes them into a
// demand's topic (Weights.Neighbours). *classify.Model implements it.
type NeighbourClassifier interface {
	Classifier
	Neighbours(text string) []Label
}

// fullText is what the classifier reads for a document.
func (d Document) fullText() string {
	return d.Title + "\n" + strings.Join(d.Keywords, " ") + "\n" + d.Text
}

// Field names a searchable field.
type Field int

// Searchable fields, in BM25F order.
const (
	FieldTitle Field = iota
	FieldKeywords
	FieldText
	numFields
)

func (f Field) String() string {
	switch f {
	case FieldTitle:
		return "title"
	case FieldKeywords:
		return "keywords"
	case FieldText:
		return "text"
	}
	return "unknown"
}
