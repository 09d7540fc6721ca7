// Package data holds the reference data that ships inside the binary:
// administrative divisions, official rule sets, the holiday calendar,
// project types, the demo corpus and the list of common passwords. It is
// read-only at run time and imports nothing of the project.
package data

import "embed"

// FS holds every embedded data file, addressed by its path below data/,
// e.g. "regions/areas.csv" or "rules/high-tech-2016.json". Every folder
// here ships: a module's data/<module>/ folder needs no line of its own
// (this file and the test come along, a few kilobytes).
//
//go:embed *
var FS embed.FS
