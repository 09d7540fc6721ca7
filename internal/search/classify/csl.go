package classify

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
)

// ReadJSONL reads CSL records, one JSON object per line, from name in fsys
// (for example kechuang/data.FS and "csl/csl_dev.jsonl").
func ReadJSONL(fsys fs.FS, name string) ([]Record, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("read %s: line %d: %w", name, line, err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}
