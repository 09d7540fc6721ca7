// Package data holds the reference data that ships inside the binary:
// administrative divisions, official rule sets, the demo corpus and the
// list of common passwords. It is read-only at run time and imports nothing
// of the project.
package data

import "embed"

// FS holds every embedded data file, addressed by its path below data/,
// e.g. "regions/areas.csv" or "rules/high-tech-2016.json".
//
//go:embed regions rules csl market passwords
var FS embed.FS
