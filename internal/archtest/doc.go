// Package archtest holds only a test: it parses every Go file of the module
// and fails on an import edge that ../shared/ARCHITECTURE.md forbids.
package archtest
