package region

import (
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Levels of a region.
const (
	Province = 1
	City     = 2
	County   = 3
)

// Region is one administrative division.
type Region struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Level      int    `json:"level"`
	ParentCode string `json:"parent_code,omitempty"`
}

// Prefix returns the scope prefix of a 6-digit code: trailing "00" pairs
// dropped, at least two digits kept. The empty code (the whole instance)
// has the empty prefix.
func Prefix(code string) string {
	for len(code) > 2 && strings.HasSuffix(code, "00") {
		code = code[:len(code)-2]
	}
	return code
}

// Contains reports whether the region code lies inside scope. The empty
// scope contains everything; a record with no region lies only inside the
// empty scope.
func Contains(scope, code string) bool {
	if scope == "" {
		return true
	}
	if code == "" {
		return false
	}
	return strings.HasPrefix(code, Prefix(scope))
}

// CodeLookup maps what people write for each of rs in a spreadsheet cell
// to its code: the code itself, the full name (昆山市), and the name
// without its 市/区/县 suffix (昆山) unless an earlier region already has
// that short name.
func CodeLookup(rs []Region) map[string]string {
	out := make(map[string]string, 3*len(rs))
	for _, r := range rs {
		out[r.Code], out[r.Name] = r.Code, r.Code
	}
	for _, r := range rs {
		if short := strings.TrimRight(r.Name, "市区县"); short != "" && short != r.Name {
			if _, taken := out[short]; !taken {
				out[short] = r.Code
			}
		}
	}
	return out
}

// LevelOf infers the level of a 6-digit code.
func LevelOf(code string) int {
	switch p := Prefix(code); len(p) {
	case 2:
		return Province
	case 4:
		return City
	default:
		return County
	}
}

// ValidCode reports whether s looks like a 6-digit division code.
func ValidCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Load reads the shipped division tables (regions/provinces.csv, cities.csv,
// areas.csv) from fsys.
func Load(fsys fs.FS) ([]Region, error) {
	var out []Region
	seen := map[string]bool{}
	files := []struct {
		name  string
		level int
		pad   int // zeros appended to make 6 digits
	}{
		{"regions/provinces.csv", Province, 4},
		{"regions/cities.csv", City, 2},
		{"regions/areas.csv", County, 0},
	}
	for _, f := range files {
		rows, err := readCSV(fsys, f.name)
		if err != nil {
			return nil, err
		}
		for i, row := range rows {
			if len(row) < 2 {
				return nil, fmt.Errorf("%s row %d: want at least 2 columns", f.name, i+2)
			}
			r := Region{Code: row[0] + strings.Repeat("0", f.pad), Name: row[1], Level: f.level}
			if f.level > Province {
				// The last column is the province; the one before it (areas) the city.
				parent := row[2]
				r.ParentCode = parent + strings.Repeat("0", 6-len(parent))
			}
			if !ValidCode(r.Code) {
				return nil, fmt.Errorf("%s row %d: bad code %q", f.name, i+2, row[0])
			}
			// Cities without counties (东莞市, 中山市, 儋州市) are listed again
			// as their own county; one row is enough.
			if seen[r.Code] {
				continue
			}
			seen[r.Code] = true
			out = append(out, r)
		}
	}
	return out, nil
}

func readCSV(fsys fs.FS, name string) ([][]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil { // header
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var rows [][]string
	for {
		row, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, row)
	}
}
